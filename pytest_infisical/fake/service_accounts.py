"""``/api/v2/service-accounts/…``: a service account's own record and its boxed project keys (§5.7)."""

from __future__ import annotations

from typing import Any

from . import apierror as E
from .apierror import ApiError
from .routing import JWT, SERVICE_ACCOUNT, Arg, Call, RouteTable
from .state import ServiceAccountRecord, iso

_routes = RouteTable()


def account_doc(account: ServiceAccountRecord) -> dict[str, Any]:
    stamp = iso(account.created_at)
    doc: dict[str, Any] = {
        "_id": account.id,
        "id": account.id,
        "name": account.name,
        "organization": account.organization.id,
        "user": account.user.id,
        "publicKey": account.public_key,
        "lastUsed": iso(account.last_used) if account.last_used else None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }
    if account.expires_at is not None:
        doc["expiresAt"] = iso(account.expires_at)
    return doc


@_routes.route("GET", "/api/v2/service-accounts/me", (SERVICE_ACCOUNT,))
def me(call: Call) -> dict[str, Any]:
    assert call.principal is not None and call.principal.service_account is not None
    return {"serviceAccount": account_doc(call.principal.service_account)}


@_routes.route(
    "GET",
    "/api/v2/service-accounts/:serviceAccountId/keys",
    (JWT, SERVICE_ACCOUNT),
    [Arg("serviceAccountId", "path"), Arg("workspaceId", required=False)],
)
def keys(call: Call) -> dict[str, Any]:
    """The project keys boxed for the account; another account's only within the same organization."""
    account_id = call.args["serviceAccountId"]
    account = call.state.service_accounts.get(account_id)
    if account is None:
        raise ApiError(E.SERVICE_ACCOUNT_NOT_FOUND, id=account_id)
    assert call.principal is not None and call.principal.service_account is not None
    if account.organization is not call.principal.service_account.organization:
        raise ApiError(E.ACCOUNT_OTHER_ORGANIZATION)
    workspace_id = call.args["workspaceId"]
    records = [k for project_id, k in account.keys.items() if workspace_id is None or project_id == workspace_id]
    return {
        "serviceAccountKeys": [
            {
                "_id": k.id,
                "id": k.id,
                "encryptedKey": k.encrypted_key,
                "nonce": k.nonce,
                "sender": k.sender.id,
                "serviceAccount": account.id,
                "workspace": k.project.id,
                "createdAt": iso(k.created_at),
                "updatedAt": iso(k.created_at),
                "__v": 0,
            }
            for k in records
        ]
    }


_routes.session_only("POST", "/api/v2/service-accounts")
_routes.session_only("GET", "/api/v2/service-accounts/:serviceAccountId")
_routes.session_only("DELETE", "/api/v2/service-accounts/:serviceAccountId")
_routes.session_only("PATCH", "/api/v2/service-accounts/:serviceAccountId/name")
_routes.session_only("GET", "/api/v2/service-accounts/:serviceAccountId/permissions/workspace")
_routes.session_only("POST", "/api/v2/service-accounts/:serviceAccountId/permissions/workspace")
_routes.session_only(
    "DELETE", "/api/v2/service-accounts/:serviceAccountId/permissions/workspace/:serviceAccountWorkspacePermissionId"
)

ROUTES = _routes.freeze()
