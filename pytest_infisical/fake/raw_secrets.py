"""``/api/v3/secrets/raw`` and ``/api/v4/secrets``: plaintext secrets, decrypted server-side.

They serve only projects whose end-to-end encryption is off (the server keeps a copy of the
project key); on an E2EE project they are refused.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from . import apierror as E
from .apierror import ApiError
from .auth import authorize_secrets
from .routing import SECRETS_LIMIT, SERVICE_TOKEN, Arg, Call, RouteTable, required_issue
from .secrets import (
    ALL_MODES,
    TYPES,
    base_doc,
    check_new,
    find,
    find_exact,
    folder_of,
    imported_folders,
    imports_of,
    listed_secrets,
    project_of,
)
from .state import Folder, Project, Secret, has_glob, normalize_secret_path

_routes = RouteTable(rate_limit=SECRETS_LIMIT)

HIDDEN = "<hidden-by-infisical>"


def _plain(secret: Secret) -> tuple[str, str, str]:
    from ..errors import UndecryptableSecretError

    try:
        plain = secret.decrypted()
    except UndecryptableSecretError:
        raise ApiError(E.INTERNAL) from None  # the server's bot cannot decrypt it either: its 500
    return plain.name, plain.value, plain.comment


def raw_doc(
    call: Call, secret: Secret, value: Optional[str] = None, show_value: bool = True, kind: str = "raw_secret"
) -> dict[str, Any]:
    """The raw document of ``secret``; ``kind`` says which answer carries it (a list item,
    ``raw_secret.single`` or ``raw_secret.write``), for the profile's key set."""
    name, stored_value, comment = _plain(secret)
    doc = base_doc(secret)
    doc["secretKey"] = name
    doc["secretValue"] = (stored_value if value is None else value) if show_value else HIDDEN
    doc["secretValueHidden"] = not show_value
    doc["secretComment"] = comment
    doc["isRotatedSecret"] = False
    doc["rotationId"] = None
    return call.profile.shaped(kind, doc)


def _bare_imports(call: Call, project: Project) -> bool:
    return project.version == 3 and call.profile.v3_imported_secrets_bare


def _imported_doc(
    call: Call,
    project: Project,
    secret: Secret,
    show_value: bool = True,
    kind: str = "raw_secret",
    expander: Optional[_Expander] = None,
) -> dict[str, Any]:
    """A secret served through an import; bare in a v3 project where the profile says so (no
    workspace, comment or reminder; an empty value). Otherwise expanded beside its own folder when
    asked: the server expands imports one by one and drops the refusals, so a reference the caller
    may not read stays as written."""
    if not _bare_imports(call, project):
        value = None
        if expander is not None:
            try:
                value = expander.value(secret)
            except ApiError as error:
                if error.reason is not E.REFERENCE_DENIED:
                    raise
        return raw_doc(call, secret, value, show_value=show_value, kind=kind)
    doc = raw_doc(call, secret, value="", show_value=show_value, kind=kind)
    doc["workspace"] = ""
    for key in ("secretComment", "secretReminderNote", "secretReminderRepeatDays"):
        doc.pop(key, None)
    return doc


def _scope(call: Call) -> tuple[Optional[str], Optional[str], str]:
    """workspaceId, environment and secretPath; a single-scope, glob-free service token sets all three;
    any other caller may name the project by ``workspaceSlug`` where the profile accepts it."""
    args = call.args
    project_id, environment, path = args.get("workspaceId"), args.get("environment"), args.get("secretPath") or "/"
    principal = call.principal
    if principal is not None and principal.mode == SERVICE_TOKEN and principal.service_token is not None:
        scopes = principal.service_token.scopes
        if len(scopes) == 1 and not has_glob(scopes[0].secret_path):
            project_id = principal.service_token.project.id
            environment, path = scopes[0].environment, scopes[0].secret_path
    elif not project_id and args.get("workspaceSlug") and call.profile.accepts_workspace_slug:
        slug = args["workspaceSlug"]
        project_id = next((p.id for p in call.state.projects.values() if p.slug == slug), slug)
    return project_id, environment, normalize_secret_path(path)


def _access(call: Call, permission: str, action: str) -> tuple[Project, str, Folder]:
    project_id, environment, path = _scope(call)
    if not project_id or not environment:
        if call.principal is not None and call.principal.mode == SERVICE_TOKEN:
            raise ApiError(E.TOKEN_SCOPE_MISSING)
        raise ApiError(E.PROJECT_MISSING if not project_id else E.ENVIRONMENT_MISSING)
    project = project_of(call, project_id)
    if project.e2ee:
        raise ApiError(E.E2EE_ENABLED, project_id=project.id)
    assert call.principal is not None
    authorize_secrets(call.principal, project, environment, path, permission, action)
    return project, environment, folder_of(project, environment, path, action)


def _folders(call: Call, project: Project, folder: Folder, recursive: bool) -> list[Folder]:
    if not recursive:
        return [folder]
    prefix = folder.path.rstrip("/") + "/"
    below = [
        f
        for (env, path), f in project.folders.items()
        if env == folder.environment and path.startswith(prefix) and f is not folder
    ]
    return [*below, folder] if call.profile.subfolders_first else [folder, *below]


#: the denials a list answers with an empty list where the profile filters lists by scope
_SCOPE_DENIALS = (E.TOKEN_ENVIRONMENT_DENIED, E.TOKEN_PATH_DENIED)


def _readable_below(call: Call, project: Project, folder: Folder) -> bool:
    """May a recursive list show this sub-folder? Where the profile filters lists by scope, only if
    the caller may read it (a token scoped to ``/`` does not see ``/app``); else always."""
    if not call.profile.lists_filter_by_scope:
        return True
    assert call.principal is not None
    try:
        authorize_secrets(call.principal, project, folder.environment, folder.path, "read", "readValue")
    except ApiError as error:
        if error.reason in _SCOPE_DENIALS:
            return False
        raise
    return True


def _trimmed(call: Call, value: str) -> str:
    """``value`` as the server stores it: trimmed at both ends, one trailing newline kept (if the profile trims)."""
    if not call.profile.trims_values:
        return value
    return value.strip() + "\n" if value.endswith("\n") else value.strip()


#: ``${KEY}``, ``${env.KEY}``, ``${env.folder.sub.KEY}``: the characters the server's pattern allows
_REFERENCE = re.compile(r"\$\{([a-zA-Z0-9_.@-]+)\}")
#: how deep the server follows a chain of references, and how many times it re-scans a value whose
#: substitutions formed new references
MAX_REFERENCE_DEPTH = 10


class _Expander:
    """Reference expansion as Infisical does it: a reference to a secret the caller may not read
    refuses the request (whether or not that secret exists); one to a missing secret stays as written;
    a chain is followed :data:`MAX_REFERENCE_DEPTH` references deep; a cycle stops where it closes.
    A reference written several times is looked up once, so ``A = ${B}${B}``, ``B = ${C}${C}`` …
    costs one look-up per level, not one per path.
    A local ``${KEY}`` is looked up beside the secret whose value holds it."""

    def __init__(self, call: Call, project: Project) -> None:
        self.call, self.project = call, project

    def value(self, secret: Secret) -> str:
        """``secret``'s value with its references expanded (``ApiError(REFERENCE_DENIED)`` if one may not be read)."""
        value = _plain(secret)[1]
        if not _REFERENCE.search(value):
            return value
        root = (secret.environment, secret.folder.path, secret.name)
        expanded = value
        stack = [(value, root[0], root[1], 0, frozenset([root]))]
        pushed = set(stack)  # a pass follows each (value, place, depth, chain) once: ``${A}${A}`` is one step, not two
        before, passes = set(_REFERENCE.findall(expanded)), 0
        while stack:
            text, environment, path, depth, visited = stack.pop()
            for key in dict.fromkeys(_REFERENCE.findall(text)) if depth <= MAX_REFERENCE_DEPTH else []:
                target = self._target(key, environment, path)
                if target is None:
                    continue  # ``${@project.…}``: cross-project references are not served
                if not self._readable(*target[:2]):
                    raise ApiError(
                        E.REFERENCE_DENIED,
                        name=target[2],
                        environment=target[0],
                        path=target[1],
                        referrer=root[2],
                        referrer_environment=root[0],
                        referrer_path=root[1],
                    )
                found = self._find(*target)
                text_found = "" if found is None else _plain(found)[1]
                step = (text_found, target[0], target[1], depth + 1, visited | {target})
                if _REFERENCE.search(text_found) and target not in visited and step not in pushed:
                    stack.append(step)
                    pushed.add(step)
                if found is not None:
                    expanded = expanded.replace("${" + key + "}", text_found)
            if not stack and passes < MAX_REFERENCE_DEPTH:
                after = _REFERENCE.findall(expanded)
                if any(ref not in before for ref in after):
                    before, passes = set(after), passes + 1
                    stack.append((expanded, root[0], root[1], 0, frozenset([root])))
                    pushed = set(stack)
        if secret.skip_multiline_encoding and "\n" in expanded:
            return '"' + expanded.replace("\n", "\\n") + '"'
        return expanded

    @staticmethod
    def _target(key: str, environment: str, path: str) -> Optional[tuple[str, str, str]]:
        parts = key.strip().split(".")
        if len(parts) == 1:
            return environment, path, parts[0]
        if parts[0].startswith("@"):
            return None
        return parts[0], normalize_secret_path("/".join(parts[1:-1])), parts[-1]

    def _readable(self, environment: str, path: str) -> bool:
        assert self.call.principal is not None
        try:
            authorize_secrets(self.call.principal, self.project, environment, path, "read", "readValue")
        except ApiError as error:
            if error.kind is E.Kind.PERMISSION_DENIED:
                return False
            raise
        return True

    def _find(self, environment: str, path: str, name: str) -> Optional[Secret]:
        folder = self.project.folder(environment, path)
        return self.call.state.find_secret(self.project, folder, name) if folder is not None else None


#: the answers of a list for a place that does not exist, where the profile lists it as empty
_MISSING_PLACES = (E.ENVIRONMENT_NOT_FOUND, E.FOLDER_NOT_FOUND)


def _list(
    call: Call, include_imports: bool, recursive: bool, expand: bool, show: bool, tag_slugs: str
) -> dict[str, Any]:
    try:
        project, _, folder = _access(call, "read", "readValue")
    except ApiError as error:
        if (call.profile.lists_filter_by_scope and error.reason in _SCOPE_DENIALS) or (
            call.profile.missing_folder_lists_empty and error.reason in _MISSING_PLACES
        ):
            return {"secrets": [], "imports": []}
        raise
    expander = _Expander(call, project) if expand and show else None
    docs, refused = [], []
    if not tag_slugs:  # the fake's secrets carry no tags, so a tag filter matches none
        for each in _folders(call, project, folder, recursive):
            if each is not folder and not _readable_below(call, project, each):
                continue
            for secret in listed_secrets(call, project, each):
                value = None
                if expander is not None:
                    try:
                        value = expander.value(secret)
                    except ApiError as error:
                        refused.append(call.profile.message(error))
                docs.append(raw_doc(call, secret, value, show))
    if refused:  # the server expands every secret, then refuses the list naming each refusal
        raise ApiError(E.REFERENCES_DENIED, details=refused)
    if project.version == 3 and call.profile.v3_lists_imports_only_when_asked and not include_imports:
        return {"secrets": docs}
    imports = (
        imports_of(call, project, folder, lambda s: _imported_doc(call, project, s, show, expander=expander))
        if include_imports
        else []
    )
    return {"secrets": docs, "imports": imports}


_OPTIONAL_SCOPE = (
    Arg("workspaceId", required=False),
    Arg("workspaceSlug", required=False),
    Arg("environment", required=False),
    Arg("secretPath", required=False, default="/"),
)
_FLAGS = (
    Arg("expandSecretReferences", required=False, default="false", choices=("true", "false")),
    Arg("recursive", required=False, default="false", choices=("true", "false")),
    Arg("viewSecretValue", required=False, default="true", choices=("true", "false")),
    Arg("tagSlugs", required=False, default=""),
)


@_routes.route(
    "GET",
    "/api/v3/secrets/raw",
    ALL_MODES,
    [*_OPTIONAL_SCOPE, Arg("include_imports", required=False, default="false"), *_FLAGS],
    etag_digest="sha256",
)
def list_raw(call: Call) -> dict[str, Any]:
    a = call.args
    return _list(
        call,
        a["include_imports"] == "true",
        a["recursive"] == "true",
        a["expandSecretReferences"] == "true",
        a["viewSecretValue"] == "true",
        a["tagSlugs"],
    )


@_routes.route(
    "GET",
    "/api/v4/secrets",
    ALL_MODES,
    [
        Arg("projectId", required=False),
        Arg("environment", required=False),
        Arg("secretPath", required=False, default="/"),
        Arg("includeImports", required=False, default="false", choices=("true", "false")),
        Arg("includePersonalOverrides", required=False, default="false", choices=("true", "false")),
        *_FLAGS,
    ],
    etag_digest="sha256",
    family="v4",
)
def list_v4(call: Call) -> dict[str, Any]:
    a = call.args
    a["workspaceId"] = a["projectId"]
    return _list(
        call,
        a["includeImports"] == "true",
        a["recursive"] == "true",
        a["expandSecretReferences"] == "true",
        a["viewSecretValue"] == "true",
        a["tagSlugs"],
    )


_NAME = Arg("secretName", "path")
_VALUE = Arg("secretValue", "body")


@_routes.route(
    "GET",
    "/api/v3/secrets/raw/:secretName",
    ALL_MODES,
    [
        _NAME,
        *_OPTIONAL_SCOPE,
        Arg("type", required=False, choices=TYPES),
        Arg("include_imports", required=False, default="false"),
        *_FLAGS[:1],
        _FLAGS[2],
    ],
)
def get_raw(call: Call) -> dict[str, Any]:
    return _get_single(call)


def _get_single(call: Call) -> dict[str, Any]:
    project, _, folder = _access(call, "read", "describeSecret")
    secret = _find_or_import(call, project, folder)
    show = call.args["viewSecretValue"] == "true"
    if secret.folder is not folder and _bare_imports(call, project):
        return {"secret": _imported_doc(call, project, secret, show, "raw_secret.single")}
    expand = (
        show
        and call.args["expandSecretReferences"] == "true"
        and not (project.version == 1 and call.profile.v1_single_get_skips_expansion)
    )
    expanded = _Expander(call, project).value(secret) if expand else None
    return {"secret": raw_doc(call, secret, expanded, show, "raw_secret.single")}


def _find_or_import(call: Call, project: Project, folder: Folder) -> Secret:
    """The secret a single GET names; where the profile says so and ``include_imports=true``, also
    one the caller may read through an import of the folder."""
    name = call.args["secretName"]
    try:
        return find(call, project, folder, name, call.args["type"])
    except ApiError as error:
        if error.reason is not E.SECRET_NOT_FOUND or call.args["include_imports"] != "true":
            raise
        if not call.profile.single_get_finds_imports:
            raise
        for _, source, readable in imported_folders(call, project, folder):
            imported = call.state.find_secret(project, source, name) if readable else None
            if imported is not None:
                return imported
        raise


@_routes.route(
    "GET",
    "/api/v4/secrets/:secretName",
    ALL_MODES,
    [
        _NAME,
        Arg("projectId"),
        Arg("environment", required=False),
        Arg("secretPath", required=False, default="/"),
        Arg("type", required=False, choices=TYPES),
        Arg("includeImports", required=False, default="false", choices=("true", "false")),
        *_FLAGS[:1],
        _FLAGS[2],
    ],
    family="v4",
)
def get_v4(call: Call) -> dict[str, Any]:
    a = call.args
    a["workspaceId"], a["include_imports"] = a["projectId"], a["includeImports"]
    return _get_single(call)


_WRITE_SCOPE = (
    Arg("workspaceId", "body", required=False),
    Arg("environment", "body", required=False),
    Arg("secretPath", "body", required=False, default="/"),
    Arg("type", "body", required=False, default="shared", choices=TYPES),
)


@_routes.route(
    "POST",
    "/api/v3/secrets/raw/:secretName",
    ALL_MODES,
    [
        _NAME,
        *_WRITE_SCOPE,
        _VALUE,
        Arg("secretComment", "body", required=False, default=""),
        Arg("skipMultilineEncoding", "body", type=bool, required=False, default=False),
    ],
)
def create_raw(call: Call) -> dict[str, Any]:
    from ..crypto import encrypt_secret

    project, _, folder = _access(call, "write", "create")
    a = call.args
    user = check_new(call, project, folder, a["secretName"], a["type"])
    value = _trimmed(call, a["secretValue"])
    cipher = encrypt_secret(a["secretName"], value, project.key, a["secretComment"]).to_dict()
    secret = call.state.put_secret(
        project,
        folder,
        a["secretName"],
        cipher,
        a["type"],
        user,
        skip_multiline_encoding=bool(a["skipMultilineEncoding"]),
    )
    return {"secret": raw_doc(call, secret, kind="raw_secret.write")}


@_routes.route(
    "PATCH",
    "/api/v3/secrets/raw/:secretName",
    ALL_MODES,
    [
        _NAME,
        *_WRITE_SCOPE,
        Arg("secretValue", "body", required=False),
        Arg("secretComment", "body", required=False),
        Arg("newSecretName", "body", required=False),
        Arg("skipMultilineEncoding", "body", type=bool, required=False),
    ],
)
def update_raw(call: Call) -> dict[str, Any]:
    from ..crypto import cipher_fields, encrypt_symmetric

    a = call.args
    if a["secretValue"] is None and call.profile.patch_requires_value:
        raise ApiError(E.VALIDATION, issues=[required_issue(_VALUE)])
    project, _, folder = _access(call, "write", "edit")
    new_name = a["newSecretName"] or None  # the server renames only ``if (newSecretName)``: "" keeps the name
    if new_name and a["type"] == "personal":
        raise ApiError(E.BAD_REQUEST, message="Personal secret cannot change the key name")
    secret = find_exact(call, project, folder, a["secretName"], a["type"], "edit")
    # the server looks the new name up among the folder's shared secrets, the renamed one included
    if new_name and call.state.find_secret(project, folder, new_name) is not None:
        raise ApiError(E.SECRET_NEW_NAME_EXISTS)
    if a["secretComment"] is None and project.version == 1 and call.profile.v1_patch_clears_unsent_comment:
        a["secretComment"] = ""
    fields: dict[str, str] = {}
    for prefix, given in (
        ("secretValue", None if a["secretValue"] is None else _trimmed(call, a["secretValue"])),
        ("secretComment", a["secretComment"]),
        ("secretKey", new_name),
    ):
        if given is not None:
            sealed = encrypt_symmetric(given, project.key)
            fields.update(cipher_fields(prefix, sealed))
    if new_name:
        call.state.rename_secret(secret, new_name)
    updated = call.state.update_secret(secret, fields, skip_multiline_encoding=a["skipMultilineEncoding"])
    doc = raw_doc(call, updated, kind="raw_secret.write")
    if a["secretComment"] is None and call.profile.patch_echoes_unsent_comment_empty:
        doc["secretComment"] = ""
    return {"secret": doc}


@_routes.route("DELETE", "/api/v3/secrets/raw/:secretName", ALL_MODES, [_NAME, *_WRITE_SCOPE])
def delete_raw(call: Call) -> dict[str, Any]:
    project, _, folder = _access(call, "write", "delete")
    secret = find_exact(call, project, folder, call.args["secretName"], call.args["type"], "delete")
    doc = raw_doc(call, secret, kind="raw_secret.write")
    call.state.remove_secret(secret)
    return {"secret": doc}


ROUTES = _routes.freeze()
