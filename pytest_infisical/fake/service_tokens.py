"""``/api/v2/service-token``: service-token introspection and creation."""

from __future__ import annotations

from typing import Any

from . import apierror as E
from .apierror import ApiError
from .auth import authorize_secrets
from .documents import user_doc
from .routing import JWT, SERVICE_ACCOUNT, SERVICE_TOKEN, SERVICE_TOKEN_LIMIT, Arg, Call, RouteTable
from .secrets import project_of
from .state import ServiceTokenRecord, iso

_routes = RouteTable()


def token_doc(record: ServiceTokenRecord, *, with_key: bool = True, populate_user: bool = True) -> dict[str, Any]:
    """The union of the 2023 and today's token documents: every field some client parses."""
    stamp = iso(record.created_at)
    doc: dict[str, Any] = {
        "_id": record.id,
        "id": record.id,
        "name": record.name,
        "workspace": record.project.id,
        "projectId": record.project.id,
        "scopes": [{"environment": s.environment, "secretPath": s.secret_path, "_id": s.id} for s in record.scopes],
        "permissions": list(record.permissions),
        "user": user_doc(record.user) if populate_user else record.user.id,
        "createdBy": record.user.id,
        "expiresAt": iso(record.expires_at) if record.expires_at else None,
        "lastUsed": iso(record.last_used) if record.last_used else None,
        "expiryNotificationSent": False,
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }
    if record.service_account is not None:
        doc["serviceAccount"] = record.service_account.id
    if with_key:
        doc.update(encryptedKey=record.encrypted_key, iv=record.iv, tag=record.tag)
    return doc


@_routes.route("GET", "/api/v2/service-token", (SERVICE_TOKEN,), rate_limit=SERVICE_TOKEN_LIMIT)
def get_service_token(call: Call) -> dict[str, Any]:
    assert call.principal is not None and call.principal.service_token is not None
    return call.profile.shaped("service_token", token_doc(call.principal.service_token))


@_routes.route(
    "POST",
    "/api/v2/service-token",
    (JWT, SERVICE_ACCOUNT),
    [
        Arg("name", "body"),
        Arg("workspaceId", "body"),
        Arg("scopes", "body", type=list),
        Arg("encryptedKey", "body"),
        Arg("iv", "body"),
        Arg("tag", "body"),
        Arg("expiresIn", "body", type=int, required=False, default=0),
        Arg("permissions", "body", type=list, required=False, default=["read"]),
    ],
)
def create_service_token(call: Call) -> dict[str, Any]:
    """A service account creates a (short-lived) token, as the 2023 docs promise."""
    a = call.args
    project = project_of(call, a["workspaceId"])
    scopes = []
    for index, scope in enumerate(a["scopes"]):
        if not (
            isinstance(scope, dict)
            and isinstance(scope.get("environment"), str)
            and isinstance(scope.get("secretPath"), str)
        ):
            raise ApiError(
                E.VALIDATION,
                issues=[
                    {"code": "invalid_type", "path": ["scopes", index], "message": "Expected {environment, secretPath}"}
                ],
            )
        scopes.append((scope["environment"], scope["secretPath"]))
    if not scopes:
        raise ApiError(
            E.VALIDATION, issues=[{"code": "too_small", "path": ["scopes"], "message": "At least one scope"}]
        )
    invalid = [p for p in a["permissions"] if p not in ("read", "write")]
    if invalid or not a["permissions"]:
        raise ApiError(E.BAD_REQUEST, message=f"permissions contains invalid values: {', '.join(map(str, invalid))}")
    assert call.principal is not None and call.principal.service_account is not None and call.principal.user is not None
    for environment, path in scopes:
        authorize_secrets(call.principal, project, environment, path, "write", "create")
    credential, record = call.state.create_service_token(
        project,
        call.principal.user,
        scopes,
        a["permissions"],
        name=a["name"],
        expires_in=a["expiresIn"] or None,
        service_account=call.principal.service_account,
        wrapped=(a["encryptedKey"], a["iv"], a["tag"]),
    )
    # the client wrapped the project key under a key part of its own: only st.<id>.<secret> is returned
    return {
        "serviceToken": credential.bearer,
        "serviceTokenData": token_doc(record, with_key=False, populate_user=False),
    }


_routes.session_only("DELETE", "/api/v2/service-token/:serviceTokenDataId")
_routes.session_only("GET", "/api/v2/workspace/:workspaceId/service-token-data")

ROUTES = _routes.freeze()
