"""``/api/v3/secrets``: end-to-end encrypted secrets, addressed by name.

The client encrypts; the fake stores the nine cipher fields as sent and never sees plaintext
(the name in the URL is the lookup key, as the server's blind index is). The helpers at the top
are shared with the raw routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from .. import crypto
from ..http import RawJson, encode_json
from . import apierror as E
from .apierror import ApiError
from .auth import authorize_secrets
from .routing import (
    API_KEY,
    JWT,
    MACHINE_IDENTITY,
    SECRETS_LIMIT,
    SERVICE_ACCOUNT,
    SERVICE_TOKEN,
    Arg,
    Call,
    RouteTable,
)
from .state import Folder, Project, Secret, SecretImport, State, User, iso, normalize_secret_path

_routes = RouteTable(rate_limit=SECRETS_LIMIT)

ALL_MODES = (JWT, API_KEY, SERVICE_TOKEN, SERVICE_ACCOUNT, MACHINE_IDENTITY)
TYPES = ("shared", "personal")
#: the name and value cipher fields a write must carry; the comment's are optional (names: crypto.CIPHER_FIELDS)
CIPHER_FIELDS = (*crypto.CIPHER_FIELDS["secretKey"], *crypto.CIPHER_FIELDS["secretValue"])
COMMENT_FIELDS = crypto.CIPHER_FIELDS["secretComment"]
VALUE_FIELDS = crypto.CIPHER_FIELDS["secretValue"]


# ---- shared with the raw routes ------------------------------------------------------------


def project_of(call: Call, project_id: str) -> Project:
    project = call.state.projects.get(project_id)
    if project is None:
        raise ApiError(E.PROJECT_NOT_FOUND, project_id=project_id)
    return project


#: today's name of the operation on one secret, by its permission action (a list has none)
OPERATIONS = {
    "describeSecret": "GetSecretByName",
    "create": "CreateSecret",
    "edit": "UpdateSecret",
    "delete": "DeleteSecret",
}
#: the reason for a missing secret, by the action that looked it up and the project's version
_MISSING = {
    ("edit", 1): E.SECRET_TO_UPDATE_NOT_FOUND,
    ("delete", 1): E.SECRET_TO_DELETE_NOT_FOUND,
    ("edit", 3): E.KMS_SECRET_TO_UPDATE_NOT_FOUND,
    ("delete", 3): E.KMS_SECRET_TO_DELETE_NOT_FOUND,
}


def folder_of(project: Project, environment: str, path: str, action: str) -> Folder:
    """The folder ``environment``:``path``; a missing one is named by the operation of ``action``."""
    if environment not in project.environments_by_slug:
        path, operation = normalize_secret_path(path), OPERATIONS.get(action)
        if operation is None:
            raise ApiError(E.ENVIRONMENT_NOT_FOUND, environment=environment, project_id=project.id, path=path)
        raise ApiError(
            E.ENVIRONMENT_NOT_FOUND_FOR, operation=operation, environment=environment, project_id=project.id, path=path
        )
    folder = project.folder(environment, path)
    if folder is None:
        path, operation = normalize_secret_path(path), OPERATIONS.get(action)
        if operation is None:
            raise ApiError(E.FOLDER_NOT_FOUND, path=path, environment=environment)
        raise ApiError(E.FOLDER_NOT_FOUND_FOR, operation=operation, path=path, environment=environment)
    return folder


def acting_user(call: Call) -> Optional[User]:
    """Whose personal secrets: the API key's user, or the creator of the token / account."""
    return call.principal.user if call.principal is not None else None


#: the operation a v3 (KMS) project's missing blind index is reported under, by action
_BLIND_INDEX_OPERATIONS = {"delete": "DeleteSecret"}


def access(call: Call, permission: str, action: str) -> tuple[Project, Folder]:
    """Project → authorization → folder, in the server's order; returns the project and folder.

    A v3 (KMS) project has no blind index: a single secret's route finds none (the list, action
    ``readValue``, answers empty: see :func:`list_secrets`)."""
    args = call.args
    project = project_of(call, args["workspaceId"])
    assert call.principal is not None
    authorize_secrets(call.principal, project, args["environment"], args["secretPath"], permission, action)
    if project.version == 3 and action != "readValue":
        raise ApiError(
            E.BLIND_INDEX_NOT_FOUND,
            operation=_BLIND_INDEX_OPERATIONS.get(action, "CreateSecret"),
            project_id=project.id,
        )
    return project, folder_of(project, args["environment"], args["secretPath"], action)


def find(call: Call, project: Project, folder: Folder, name: str, type_: Optional[str]) -> Secret:
    """A personal secret of the caller if asked (the default), falling back to the shared one."""
    user = acting_user(call)
    secret = None
    if (type_ or "personal") == "personal" and user is not None:
        secret = call.state.find_secret(project, folder, name, "personal", user)
    if secret is None:
        secret = call.state.find_secret(project, folder, name, "shared")
    if secret is None:
        raise ApiError(E.SECRET_NOT_FOUND, name=name)
    return secret


def find_exact(call: Call, project: Project, folder: Folder, name: str, type_: str, action: str) -> Secret:
    """The secret an update (``edit``) or a delete (``delete``) acts on."""
    secret = call.state.find_secret(project, folder, name, type_, acting_user(call) if type_ == "personal" else None)
    if secret is None:
        raise ApiError(_MISSING.get((action, project.version), E.SECRET_NOT_FOUND), name=name)
    return secret


def listed_secrets(call: Call, project: Project, folder: Folder) -> list[Secret]:
    """The caller's secrets of ``folder`` in the order the server lists them: creation order, or
    newest first in a v1 project where the profile says so."""
    secrets = call.state.folder_secrets(project, folder, acting_user(call))
    if project.version == 1 and call.profile.v1_lists_newest_first:
        return secrets[::-1]
    return secrets


def check_new(call: Call, project: Project, folder: Folder, name: str, type_: str) -> Optional[User]:
    """Refuse a duplicate or an orphan personal override; return the personal owner if any."""
    user = acting_user(call) if type_ == "personal" else None
    if type_ == "personal" and user is None:
        raise ApiError(E.BAD_REQUEST, message="Must be user to create personal secret")
    if call.state.find_secret(project, folder, name, type_, user) is not None:
        raise ApiError(E.SECRET_EXISTS, name=name)
    if type_ == "personal" and call.state.find_secret(project, folder, name, "shared") is None:
        raise ApiError(E.PERSONAL_WITHOUT_SHARED)
    return user


def base_doc(secret: Secret) -> dict[str, Any]:
    """The keys every secret document carries, encrypted or raw."""
    doc: dict[str, Any] = {
        "_id": secret.id,
        "id": secret.id,
        "version": secret.version,
        "workspace": secret.project.id,
        "environment": secret.folder.environment,
        "type": secret.type,
        "folder": secret.folder.id,
        "folderId": secret.folder.id,
        "secretPath": secret.folder.path,
        "tags": [],
        "metadata": None,
        "secretMetadata": [],
        "secretReminderNote": None,
        "secretReminderRepeatDays": None,
        "skipMultilineEncoding": secret.skip_multiline_encoding,
        "createdAt": iso(secret.created_at),
        "updatedAt": iso(secret.updated_at),
        "__v": 0,
    }
    if secret.user is not None:
        doc["user"] = secret.user.id
        doc["userId"] = secret.user.id
    else:
        doc["userId"] = None
    return doc


def encrypted_doc(secret: Secret) -> dict[str, Any]:
    doc = base_doc(secret)
    doc["algorithm"] = "aes-256-gcm"
    doc["keyEncoding"] = "utf8"
    doc.update(secret.cipher)
    return doc


def _encrypted_json(secret: Secret) -> RawJson:
    return RawJson(encode_json(encrypted_doc(secret)))


def encrypted_fragment(state: State, secret: Secret) -> RawJson:
    """The encrypted document, serialized once per (id, version) of the secret (lists reuse it)."""
    return state.rendered("encrypted", secret, _encrypted_json)  # type: ignore[return-value]


def imported_folders(call: Call, project: Project, folder: Folder) -> Iterator[tuple[SecretImport, Folder, bool]]:
    """The folder's secret imports whose source exists: each with its source and whether the caller may read it."""
    assert call.principal is not None
    for entry in folder.imports:
        source = project.folder(entry.environment, entry.path)
        if source is None:
            continue
        if not call.profile.imports_checked_against_scope:
            yield entry, source, True
            continue
        try:
            authorize_secrets(call.principal, project, entry.environment, entry.path, "read", "readValue")
        except ApiError:
            yield entry, source, False
        else:
            yield entry, source, True


def imports_of(call: Call, project: Project, folder: Folder, render: Any) -> list[dict[str, Any]]:
    """The folder's secret imports, each with the shared secrets it brings the caller: an import the
    caller may not read is left out, or listed with no secrets where the profile filters by scope."""
    out = []
    for entry, source, readable in imported_folders(call, project, folder):
        if not readable and not call.profile.lists_filter_by_scope:
            continue
        out.append(
            {
                "secretPath": entry.path,
                "environment": entry.environment,
                "folderId": source.id,
                "secrets": [render(s) for s in source.shared.values()] if readable else [],
            }
        )
    return out


def ensure_comment(call: Call, project: Project, fields: dict[str, str]) -> None:
    """A secret without a comment still carries an encrypted empty comment, as the server stores it."""
    if not all(fields.get(name) is not None for name in COMMENT_FIELDS):
        fields.update(crypto.cipher_fields("secretComment", crypto.encrypt_symmetric("", project.key)))


# ---- routes --------------------------------------------------------------------------------

_WORKSPACE_Q = Arg("workspaceId")
_ENV_Q = Arg("environment")
_PATH_Q = Arg("secretPath", required=False, default="/")
_WORKSPACE_B = Arg("workspaceId", "body")
_ENV_B = Arg("environment", "body")
_PATH_B = Arg("secretPath", "body", required=False, default="/")
_TYPE_B = Arg("type", "body", choices=TYPES)
_NAME = Arg("secretName", "path")


@_routes.route(
    "GET",
    "/api/v3/secrets",
    ALL_MODES,
    [_WORKSPACE_Q, _ENV_Q, _PATH_Q, Arg("include_imports", required=False, default="false")],
    early_validation=True,
)
def list_secrets(call: Call) -> RawJson:
    project, folder = access(call, "read", "readValue")
    if project.version == 3:  # the server encrypts: nothing a client could decrypt
        return RawJson(
            encode_json({"secrets": [], **({"imports": []} if call.args["include_imports"] == "true" else {})})
        )
    secrets = listed_secrets(call, project, folder)
    imports = (
        imports_of(call, project, folder, lambda s: encrypted_fragment(call.state, s))
        if call.args["include_imports"] == "true"
        else []
    )
    # assembled from the per-secret cached fragments: {"secrets": [...], "imports": [...]}
    return RawJson(
        b'{"secrets":['
        + b",".join(encrypted_fragment(call.state, s) for s in secrets)
        + b'],"imports":'
        + encode_json(imports)
        + b"}"
    )


@_routes.route(
    "GET",
    "/api/v3/secrets/:secretName",
    ALL_MODES,
    [_NAME, _WORKSPACE_Q, _ENV_Q, _PATH_Q, Arg("type", required=False, choices=TYPES)],
    early_validation=True,
)
def get_secret(call: Call) -> dict[str, Any]:
    project, folder = access(call, "read", "describeSecret")
    return {"secret": encrypted_doc(find(call, project, folder, call.args["secretName"], call.args["type"]))}


@_routes.route(
    "POST",
    "/api/v3/secrets/:secretName",
    ALL_MODES,
    [
        _NAME,
        _WORKSPACE_B,
        _ENV_B,
        _TYPE_B,
        *(Arg(name, "body") for name in CIPHER_FIELDS),
        *(Arg(name, "body", required=False) for name in COMMENT_FIELDS),
        _PATH_B,
    ],
    early_validation=True,
)
def create_secret(call: Call) -> dict[str, Any]:
    project, folder = access(call, "write", "create")
    name, type_ = call.args["secretName"], call.args["type"]
    user = check_new(call, project, folder, name, type_)
    fields = {k: call.args[k] for k in CIPHER_FIELDS + COMMENT_FIELDS}
    ensure_comment(call, project, fields)
    secret = call.state.put_secret(project, folder, name, fields, type_, user)
    return {"secret": encrypted_doc(secret)}


@_routes.route(
    "PATCH",
    "/api/v3/secrets/:secretName",
    ALL_MODES,
    [
        _NAME,
        _WORKSPACE_B,
        _ENV_B,
        _TYPE_B,
        *(Arg(name, "body") for name in VALUE_FIELDS),
        *(Arg(name, "body", required=False) for name in COMMENT_FIELDS),
        _PATH_B,
    ],
    early_validation=True,
)
def update_secret(call: Call) -> dict[str, Any]:
    project, folder = access(call, "write", "edit")
    secret = find_exact(call, project, folder, call.args["secretName"], call.args["type"], "edit")
    fields = {k: call.args[k] for k in VALUE_FIELDS}
    if all(call.args[k] is not None for k in COMMENT_FIELDS):
        fields.update({k: call.args[k] for k in COMMENT_FIELDS})
    return {"secret": encrypted_doc(call.state.update_secret(secret, fields))}


@_routes.route(
    "DELETE",
    "/api/v3/secrets/:secretName",
    ALL_MODES,
    [_NAME, _WORKSPACE_B, _ENV_B, _TYPE_B, _PATH_B],
    early_validation=True,
)
def delete_secret(call: Call) -> dict[str, Any]:
    project, folder = access(call, "write", "delete")
    secret = find_exact(call, project, folder, call.args["secretName"], call.args["type"], "delete")
    call.state.remove_secret(secret)
    return {"secret": encrypted_doc(secret)}


ROUTES = _routes.freeze()
