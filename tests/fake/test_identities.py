"""Universal Auth: login, JWT claims, renew, revoke, TTLs (PROTOCOL.md §9.1, §11.4)."""

from __future__ import annotations

import base64
import json

from pytest_infisical.fake import FakeInfisical

from .conftest import call, login


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def test_login_returns_the_four_fields_and_a_real_jwt() -> None:
    fake = FakeInfisical()
    identity = fake.create_machine_identity(access_token_ttl=7200, access_token_max_ttl=86400)
    # some clients send an empty Authorization header on the login call: it is ignored
    response = call(
        fake, "POST", "/api/v1/auth/universal-auth/login", headers={"Authorization": ""}, body=identity.login_body
    )
    body = response.json()
    assert set(body) == {"accessToken", "expiresIn", "accessTokenMaxTTL", "tokenType"}
    assert (body["expiresIn"], body["accessTokenMaxTTL"], body["tokenType"]) == (7200, 86400, "Bearer")
    header = json.loads(base64.urlsafe_b64decode(body["accessToken"].split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = _claims(body["accessToken"])
    assert claims["authTokenType"] == "identityAccessToken"
    assert claims["identityId"] == identity.identity_id
    assert isinstance(claims["iat"], int) and claims["exp"] == claims["iat"] + 86400


def test_wrong_secret() -> None:
    fake = FakeInfisical()
    identity = fake.create_machine_identity()
    response = call(
        fake, "POST", "/api/v1/auth/universal-auth/login", body={"clientId": identity.client_id, "clientSecret": "nope"}
    )
    assert response.status == 401
    assert {k: response.json()[k] for k in ("statusCode", "message", "error")} == {
        "statusCode": 401,
        "message": "Invalid credentials",
        "error": "UnauthorizedError",
    }


def test_ttl_renew_and_max_ttl() -> None:
    fake = FakeInfisical()
    fake.set_secret("A", "1")
    identity = fake.create_machine_identity(access_token_ttl=60, access_token_max_ttl=150)
    token = login(fake, identity)
    headers = {"Authorization": f"Bearer {token}"}
    query = {"workspaceId": fake.project.id, "environment": "dev"}
    assert call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=query).status == 200
    fake.clock.advance(50)
    renewed = call(fake, "POST", "/api/v1/auth/token/renew", body={"accessToken": token})
    assert renewed.status == 200 and renewed.json()["accessToken"] == token
    fake.clock.advance(50)  # 100 s after login, 50 after the renewal: still valid
    assert call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=query).status == 200
    fake.clock.advance(5)  # 55 s after the renewal: renew again
    assert call(fake, "POST", "/api/v1/auth/token/renew", body={"accessToken": token}).status == 200
    fake.clock.advance(50)  # 155 s after login: past the max TTL, however recently renewed
    expired = call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=query)
    assert (expired.status, expired.json()["error"]) == (403, "TokenError")
    renew = call(fake, "POST", "/api/v1/auth/token/renew", body={"accessToken": token})
    assert renew.status == 403  # the JWT itself has expired (exp = iat + max TTL)


def test_renew_after_the_ttl_fails() -> None:
    fake = FakeInfisical()
    identity = fake.create_machine_identity(access_token_ttl=60, access_token_max_ttl=0)
    token = login(fake, identity)
    assert "exp" not in _claims(token)
    fake.clock.advance(61)
    response = call(fake, "POST", "/api/v1/auth/token/renew", body={"accessToken": token})
    assert (response.status, response.json()["message"]) == (
        401,
        "Failed to renew MI access token due to TTL expiration",
    )


def test_revoke() -> None:
    fake = FakeInfisical()
    identity = fake.create_machine_identity()
    token = login(fake, identity)
    revoked = call(fake, "POST", "/api/v1/auth/token/revoke", body={"accessToken": token})
    assert revoked.json() == {"message": "Successfully revoked access token"}
    after = call(
        fake,
        "GET",
        "/api/v3/secrets/raw",
        headers={"Authorization": f"Bearer {token}"},
        query={"workspaceId": fake.project.id, "environment": "dev"},
    )
    assert after.status == 401
