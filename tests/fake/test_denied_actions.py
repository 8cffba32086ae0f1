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


@pytest.mark.infisical(profile="latest")
def test_today_names_the_action_of_each_route() -> None:
    fake = FakeInfisical(profile="latest")
    fake.set_secret("IN_DEV", "v")
    # two scopes, so that the raw routes do not replace the query with a single scope's (§13.2)
    token = fake.create_service_token(scopes=[("prod", "/"), ("staging", "/")])
    query = {"workspaceId": fake.project.id, "environment": "dev", "secretPath": "/"}

    def denied(action: str) -> tuple[int, str, str]:
        return 403, "PermissionDenied", f"You are not allowed to {action} on secrets"

    assert _denial(call(fake, "GET", f"{RAW}/IN_DEV", headers=token.headers, query=query)) == denied("describeSecret")
    assert _denial(call(fake, "GET", "/api/v3/secrets/IN_DEV", headers=token.headers, query=query)) == denied(
        "describeSecret"
    )
    assert _denial(call(fake, "GET", "/api/v3/secrets", headers=token.headers, query=query)) == denied("readValue")
    assert _denial(
        call(fake, "POST", f"{RAW}/NEW", headers=token.headers, body={**query, "secretValue": "v"})
    ) == denied("create")
    assert _denial(
        call(fake, "PATCH", f"{RAW}/IN_DEV", headers=token.headers, body={**query, "secretValue": "v"})
    ) == denied("edit")
    assert _denial(call(fake, "DELETE", f"{RAW}/IN_DEV", headers=token.headers, body=query)) == denied("delete")
    assert fake.secrets() == {"IN_DEV": "v"}


@pytest.mark.infisical(profile="2024-08")
def test_the_2024_08_server_refuses_a_list_outside_scope_naming_read() -> None:
    fake = FakeInfisical(profile="2024-08")
    fake.set_secret("IN_DEV", "v")
    token = fake.create_service_token(scopes=[("prod", "/"), ("staging", "/")])
    query = {"workspaceId": fake.project.id, "environment": "dev", "secretPath": "/"}
    expected = (401, "PermissionDenied", "You are not allowed to read on secrets")
    assert _denial(call(fake, "GET", RAW, headers=token.headers, query=query)) == expected
    assert _denial(call(fake, "GET", f"{RAW}/IN_DEV", headers=token.headers, query=query)) == expected
