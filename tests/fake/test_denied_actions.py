"""A permission denial names the action the route was doing.

Today's server (PROTOCOL §13.1): ``You are not allowed to <action> on secrets``; the action of a
single GET is ``describeSecret``, of the encrypted list ``readValue``; create, edit and delete keep
their verbs. The 2024-08 server (§12.1) names ``read``, ``create``, ``edit`` or ``delete``, and
refuses a raw list outside the token's scope (§12.4) where today's filters it (§13.2).
"""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import call

RAW = "/api/v3/secrets/raw"


def _denial(response: Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status, body["error"], body["message"]


@pytest.mark.parametrize(
    ("profile", "method", "route", "status", "action"),
    [
        ("latest", "GET", f"{RAW}/IN_DEV", 403, "describeSecret"),
        ("latest", "GET", "/api/v3/secrets/IN_DEV", 403, "describeSecret"),
        ("latest", "GET", "/api/v3/secrets", 403, "readValue"),
        ("latest", "POST", f"{RAW}/NEW", 403, "create"),
        ("latest", "PATCH", f"{RAW}/IN_DEV", 403, "edit"),
        ("latest", "DELETE", f"{RAW}/IN_DEV", 403, "delete"),
        ("2024-08", "GET", RAW, 401, "read"),
        ("2024-08", "GET", f"{RAW}/IN_DEV", 401, "read"),
    ],
)
def test_a_denial_names_the_routes_action(profile: str, method: str, route: str, status: int, action: str) -> None:
    fake = FakeInfisical(profile=profile)
    fake.set_secret("IN_DEV", "v")
    # two scopes, so that the raw routes do not replace the query with a single scope's (§13.2)
    token = fake.create_service_token(scopes=[("prod", "/"), ("staging", "/")])
    scope = {"workspaceId": fake.project.id, "environment": "dev", "secretPath": "/"}
    if method == "GET":
        response = call(fake, method, route, headers=token.headers, query=scope)
    else:
        response = call(fake, method, route, headers=token.headers, body={**scope, "secretValue": "v"})
    assert _denial(response) == (status, "PermissionDenied", f"You are not allowed to {action} on secrets")
    assert fake.secrets() == {"IN_DEV": "v"}
