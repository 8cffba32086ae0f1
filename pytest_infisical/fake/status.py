"""``GET /api/status``: the health check (no credentials, never rate limited) (§5.10)."""

from __future__ import annotations

from typing import Any

from .routing import Call, RouteTable
from .state import iso

_routes = RouteTable()


@_routes.route("GET", "/api/status")
def status(call: Call) -> dict[str, Any]:
    document = {
        "date": iso(call.state.clock.now()),
        "message": "Ok",
        "emailConfigured": False,
        "secretScanningConfigured": False,
        "inviteOnlySignup": False,
        "redisConfigured": True,
        "auditLogStorageDisabled": False,
        "maxIdentityAccessTokenTTL": 315360000,  # ten years, the server's cap on an identity token's max TTL
    }
    return call.profile.shaped("status", document)


ROUTES = _routes.freeze()
