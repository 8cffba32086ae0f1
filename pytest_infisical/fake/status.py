"""``GET /api/status``: the health check (no credentials, never rate limited) (§5.10)."""

from __future__ import annotations

from typing import Any

from .routing import Call, route
from .state import iso


@route("GET", "/api/status")
def status(call: Call) -> dict[str, Any]:
    return {
        "date": iso(call.state.clock.now()),
        "message": "Ok",
        "emailConfigured": False,
        "secretScanningConfigured": False,
        "inviteOnlySignup": False,
    }
