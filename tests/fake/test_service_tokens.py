"""``/api/v2/service-token``: the union document, 3- and 4-part bearers, expiry, creation by an account."""

from __future__ import annotations

import pytest

from pytest_infisical import crypto
from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical

from ..fidelity.test_latest_shapes import SERVICE_TOKEN_KEYS, SERVICE_TOKEN_USER_KEYS
from .conftest import call

#: today's keys (minus the leaked bcrypt ``secretHash``), which include 2023's; a fresh token's
#: ``expiryNotificationSent`` came with the 2024 server
TOKEN_KEYS = SERVICE_TOKEN_KEYS - {"expiryNotificationSent"}
USER_KEYS = SERVICE_TOKEN_USER_KEYS


def test_document_carries_the_union_of_both_eras() -> None:
    fake = FakeInfisical()
    token = fake.create_service_token(scopes=[("dev", "/"), ("prod", "/apps/*")], permissions=("read",))
    doc = call(fake, "GET", "/api/v2/service-token", headers=token.headers).json()
    assert set(doc) >= TOKEN_KEYS
    assert "secretHash" not in doc
    assert set(doc["user"]) >= USER_KEYS
    assert doc["workspace"] == doc["projectId"] == fake.project.id
    assert doc["id"] == doc["_id"] == token.id
    assert [(s["environment"], s["secretPath"]) for s in doc["scopes"]] == [("dev", "/"), ("prod", "/apps/*")]
    assert all(len(s["_id"]) == 24 for s in doc["scopes"])
    assert doc["permissions"] == ["read"]
    assert doc["expiresAt"] is None
    assert doc["lastUsed"] is not None


def test_the_fourth_part_unwraps_the_project_key() -> None:
    fake = FakeInfisical()
    token = fake.create_service_token()
    doc = call(fake, "GET", "/api/v2/service-token", headers=token.headers).json()
    assert crypto.unwrap_project_key_for_service_token(doc, token.token) == fake.project.key


def test_both_bearer_forms_authenticate() -> None:
    """Legacy SDKs send st.<id>.<secret>; current ones send all four parts (§11.1)."""
    fake = FakeInfisical()
    token = fake.create_service_token()
    for bearer in (token.bearer, token.token):
        response = call(fake, "GET", "/api/v2/service-token", headers={"Authorization": f"Bearer {bearer}"})
        assert response.status == 200, bearer


@pytest.mark.parametrize(("profile", "first", "then"), [("2023", 401, 404), ("latest", 403, 404)])
def test_an_expired_token_is_deleted_on_that_use(profile: str, first: int, then: int) -> None:
    fake = FakeInfisical(profile=profile)
    token = fake.create_service_token(expires_in=3600)
    assert call(fake, "GET", "/api/v2/service-token", headers=token.headers).json()["expiresAt"] is not None
    fake.clock.advance(3601)
    assert call(fake, "GET", "/api/v2/service-token", headers=token.headers).status == first
    assert call(fake, "GET", "/api/v2/service-token", headers=token.headers).status == then
    assert token.id not in fake.state.service_tokens


def test_a_service_account_creates_a_short_lived_token_that_works() -> None:
    """The 2023 docs: a service account may create short-lived service tokens."""
    fake = FakeInfisical(profile="2023")
    fake.set_secret("A", "1")
    account = fake.create_service_account(permissions=[("dev", True, True)])
    me = call(fake, "GET", "/api/v2/service-accounts/me", headers=account.headers).json()["serviceAccount"]
    key_record = call(fake, "GET", f"/api/v2/service-accounts/{me['_id']}/keys", headers=account.headers).json()[
        "serviceAccountKeys"
    ][0]
    project_key = crypto.unwrap_project_key_for_service_account(key_record, account.public_key, account.private_key)
    token_key = crypto.generate_project_key()
    wrapped = crypto.wrap_project_key_for_service_token(project_key, token_key)
    response = call(
        fake,
        "POST",
        "/api/v2/service-token",
        headers=account.headers,
        body={
            "name": "ci-run",
            "workspaceId": fake.project.id,
            "scopes": [{"environment": "dev", "secretPath": "/"}],
            "encryptedKey": wrapped.ciphertext,
            "iv": wrapped.iv,
            "tag": wrapped.tag,
            "expiresIn": 600,
            "permissions": ["read"],
        },
    )
    assert response.status == 200, response.body
    body = response.json()
    assert body["serviceToken"].count(".") == 2  # st.<id>.<secret>: the key part is the client's own
    assert "encryptedKey" not in body["serviceTokenData"]
    assert body["serviceTokenData"]["serviceAccount"] == account.id
    token = ServiceToken.parse(f"{body['serviceToken']}.{token_key}")
    doc = call(fake, "GET", "/api/v2/service-token", headers=token.headers).json()
    plain = crypto.decrypt_secrets(
        call(
            fake,
            "GET",
            "/api/v3/secrets",
            headers=token.headers,
            query={"workspaceId": doc["workspace"], "environment": "dev"},
        ).json(),
        service_token=token,
        service_token_data=doc,
    )
    assert dict(plain) == {"A": "1"}
    fake.clock.advance(601)
    expired = call(fake, "GET", "/api/v2/service-token", headers=token.headers)
    assert (expired.status, expired.json()["message"]) == (401, "Failed to authenticate expired service token")


def test_an_account_cannot_create_a_token_beyond_its_own_access() -> None:
    fake = FakeInfisical(profile="2023")
    account = fake.create_service_account(permissions=[("dev", True, False)])
    response = call(
        fake,
        "POST",
        "/api/v2/service-token",
        headers=account.headers,
        body={
            "name": "x",
            "workspaceId": fake.project.id,
            "scopes": [{"environment": "dev", "secretPath": "/"}],
            "encryptedKey": "",
            "iv": "",
            "tag": "",
        },
    )
    assert (response.status, response.json()["message"]) == (
        401,
        "Failed permissions authorization for workspace environment action : write",
    )


def test_invalid_permissions_are_refused() -> None:
    fake = FakeInfisical(profile="2023")
    account = fake.create_service_account()
    response = call(
        fake,
        "POST",
        "/api/v2/service-token",
        headers=account.headers,
        body={
            "name": "x",
            "workspaceId": fake.project.id,
            "scopes": [{"environment": "dev", "secretPath": "/"}],
            "encryptedKey": "",
            "iv": "",
            "tag": "",
            "permissions": ["read", "admin"],
        },
    )
    assert (response.status, response.json()["message"]) == (400, "permissions contains invalid values: admin")


def test_seeding_checks_its_arguments() -> None:
    fake = FakeInfisical()
    with pytest.raises(ValueError, match=r"non-empty subset of \('read', 'write'\)"):
        fake.create_service_token(permissions=("admin",))
    with pytest.raises(ValueError, match=r"has no environment 'qa'; it has \['dev', 'staging', 'prod'\]"):
        fake.create_service_token(scopes=[("qa", "/")])
