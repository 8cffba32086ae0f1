"""A service token reads its creator's personal secrets, and nobody else's.

PROTOCOL.md §3.4 (a service token's personal secrets resolve to the token creator's user,
``serviceTokenData.user``) and §5.2 (``GET /api/v3/secrets`` lists the caller's personal secrets
first, then the shared ones; clients let the personal value override the shared one).
"""

from __future__ import annotations

from pytest_infisical import crypto
from pytest_infisical.fake import FakeInfisical

from .conftest import call


def test_the_list_holds_the_token_creators_personal_secret_first() -> None:
    fake = FakeInfisical(profile="2023")
    fake.set_secret("DB_PASSWORD", "shared-value")
    fake.set_secret("DB_PASSWORD", "creators-own", type="personal")  # the default user made the token
    other = fake.create_user("other@example.com")
    fake.set_secret("DB_PASSWORD", "someone-elses", type="personal", user=other)
    token = fake.create_service_token()
    response = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=token.headers,
        query={"workspaceId": fake.project.id, "environment": "dev"},
    )
    assert response.status == 200, response.body
    body = response.json()
    assert [(s["type"], s.get("user")) for s in body["secrets"]] == [("personal", fake.user.id), ("shared", None)]
    assert dict(crypto.decrypt_secrets(body, project_key=fake.project.key)) == {"DB_PASSWORD": "creators-own"}
