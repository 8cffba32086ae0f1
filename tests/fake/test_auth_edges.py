"""Edges of the fake's authentication: expiry at its exact boundary, the access token's form, what
a failed service-account or service-token credential answers, and the credential a call is
journaled with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from pytest_infisical.fake import FakeInfisical

from .conftest import call, login

SECRETS = "/api/v3/secrets/raw"


def _query(fake: FakeInfisical) -> dict[str, str]:
    return {"workspaceId": fake.project.id, "environment": "dev"}


def test_a_service_token_is_valid_up_to_its_expiry_instant() -> None:
    fake = FakeInfisical()
    fake.clock.freeze()
    token = fake.create_service_token(expires_in=3600)
    fake.clock.advance(3600)
    assert call(fake, "GET", "/api/v2/service-token", headers=token.headers).status == 200
    fake.clock.advance(0.001)
    assert call(fake, "GET", "/api/v2/service-token", headers=token.headers).status == 403


def test_an_access_token_is_valid_up_to_its_ttl_and_its_jwt_up_to_its_exp() -> None:
    fake = FakeInfisical()
    fake.clock.freeze(datetime(2026, 1, 1, tzinfo=timezone.utc))  # a whole second (a JWT's iat is one)
    identity = fake.create_machine_identity(access_token_ttl=60, access_token_max_ttl=0)
    headers = {"Authorization": f"Bearer {login(fake, identity)}"}
    fake.clock.advance(60)
    assert call(fake, "GET", SECRETS, headers=headers, query=_query(fake)).status == 200
    fake.clock.advance(0.001)
    expired = call(fake, "GET", SECRETS, headers=headers, query=_query(fake))
    assert (expired.status, expired.json()["message"]) == (403, "Your token has expired. Please re-authenticate.")
    # with a max TTL the JWT carries exp = iat + max TTL, and is refused from that second on
    fake = FakeInfisical()
    fake.clock.freeze(datetime(2026, 1, 1, tzinfo=timezone.utc))
    limited = fake.create_machine_identity(access_token_ttl=0, access_token_max_ttl=100)
    headers = {"Authorization": f"Bearer {login(fake, limited)}"}
    fake.clock.advance(99.999)
    assert call(fake, "GET", SECRETS, headers=headers, query=_query(fake)).status == 200
    fake.clock.advance(0.001)
    assert call(fake, "GET", SECRETS, headers=headers, query=_query(fake)).status == 403


def test_the_max_ttl_ends_a_token_however_recently_renewed() -> None:
    fake = FakeInfisical()
    fake.clock.freeze()
    identity = fake.create_machine_identity(access_token_ttl=60, access_token_max_ttl=100)
    token = login(fake, identity)
    headers = {"Authorization": f"Bearer {token}"}
    fake.clock.advance(50)
    assert call(fake, "POST", "/api/v1/auth/token/renew", body={"accessToken": token}).status == 200
    fake.clock.advance(50)
    assert call(fake, "GET", SECRETS, headers=headers, query=_query(fake)).status == 403


def test_an_access_token_is_a_compact_unpadded_hs256_jwt() -> None:
    fake = FakeInfisical()
    token = login(fake, fake.create_machine_identity())
    header, payload, signature = token.split(".")
    # what every HS256 JWT issued by jsonwebtoken begins with: {"alg":"HS256","typ":"JWT"}, compact
    assert header == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    assert "=" not in token and len(signature) == 43  # 32 bytes, base64url without padding
    text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert json.dumps(json.loads(text), separators=(",", ":")) == text


@pytest.mark.parametrize(
    ("bearer", "status", "message"),
    [
        (
            "a.b",
            403,
            "The provided access token is malformed. Please use a valid token or generate a new one and try again.",
        ),
        ("!!.e30.c2ln", 403, "invalid token"),
        (
            "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
            403,
            "The provided access token is malformed. Please use a valid token or generate a new one and try again.",
        ),
    ],
)
def test_a_jwt_that_does_not_verify_is_refused_with_the_servers_words(bearer: str, status: int, message: str) -> None:
    fake = FakeInfisical()
    response = call(fake, "GET", SECRETS, headers={"Authorization": f"Bearer {bearer}"}, query=_query(fake))
    assert (response.status, response.json()["message"]) == (status, message)


@pytest.mark.parametrize(
    ("bearer", "status", "message"),
    [
        ("st.", 404, "Service token with ID '' not found"),
        ("st.abc.secret.key", 404, "Service token with ID 'abc' not found"),
    ],
)
def test_a_malformed_service_token_names_the_id_it_read(bearer: str, status: int, message: str) -> None:
    fake = FakeInfisical()
    response = call(fake, "GET", "/api/v2/service-token", headers={"Authorization": f"Bearer {bearer}"})
    assert (response.status, response.json()["message"]) == (status, message)


def test_a_short_hex_service_token_id_is_malformed_not_unknown_in_2023() -> None:
    fake = FakeInfisical(profile="2023")
    bare = call(fake, "GET", "/api/v2/service-token", headers={"Authorization": "Bearer st"})
    assert (bare.status, fake.calls[-1].exception) == (500, None)  # the server's malformed answer, not a crash
    short = call(fake, "GET", "/api/v2/service-token", headers={"Authorization": "Bearer st.abc.secret.key"})
    unknown = call(fake, "GET", "/api/v2/service-token", headers={"Authorization": f"Bearer st.{'a' * 24}.secret.key"})
    assert (short.status, unknown.status) == (500, 404)


@pytest.mark.infisical(profile="2023")
def test_service_account_failures_in_2023() -> None:
    fake = FakeInfisical(profile="2023")
    account = fake.create_service_account(permissions=[("dev", True, False)])
    me = "/api/v2/service-accounts/me"
    id_part = account.access_key.split(".")[1]
    unknown = call(fake, "GET", me, headers={"Authorization": f"Bearer sa.{base64.b64encode(bytes(12)).decode()}.x"})
    assert (unknown.status, unknown.json()["message"]) == (404, "Failed to find service account")
    wrong = call(fake, "GET", me, headers={"Authorization": f"Bearer sa.{id_part}.wrong"})
    assert wrong.status == 401
    malformed = call(fake, "GET", me, headers={"Authorization": "Bearer sa.short.x"})
    assert malformed.status == 500


def test_each_credential_is_journaled_with_its_id() -> None:
    fake = FakeInfisical()
    token = fake.create_service_token()
    identity = fake.create_machine_identity()
    call(fake, "GET", "/api/v2/service-token", headers=token.headers)
    call(fake, "GET", SECRETS, headers={"Authorization": f"Bearer {login(fake, identity)}"}, query=_query(fake))
    assert [(c.auth_mode, c.credential_id) for c in fake.calls if c.auth_mode] == [
        ("service_token", token.id),
        ("machine_identity", identity.identity_id),
    ]


@pytest.mark.infisical(profile="2023")
def test_api_keys_and_service_accounts_are_journaled_with_their_ids_in_2023() -> None:
    fake = FakeInfisical(profile="2023")
    key = fake.create_api_key()
    account = fake.create_service_account(permissions=[("dev", True, False)])
    assert call(fake, "GET", "/api/v2/users/me", headers=key.headers).status == 200
    assert call(fake, "GET", "/api/v2/service-accounts/me", headers=account.headers).status == 200
    assert [(c.auth_mode, c.credential_id) for c in fake.calls] == [
        ("api_key", key.id),
        ("service_account", account.id),
    ]


@pytest.mark.infisical(profile="2023")
@pytest.mark.parametrize(
    ("scheme", "shown"),
    [
        ("Token", "Token"),
        ("ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP"),
        ("ABCDEFGHIJKLMNOPQ", "ABCD…(redacted)"),
        ("T0ken", "…(redacted)"),
    ],
)
def test_an_unsupported_scheme_is_named_only_when_short_and_alphabetic_in_2023(scheme: str, shown: str) -> None:
    fake = FakeInfisical(profile="2023")
    response = call(fake, "GET", "/api/v2/service-token", headers={"Authorization": f"{scheme} abc"})
    assert (response.status, response.json()["message"], fake.calls[-1].exception) == (
        400,
        f"The provided authentication type '{shown}' is not supported.",
        None,
    )


@pytest.mark.infisical(profile="2023")
def test_an_expired_api_key_is_deleted_on_that_use_in_2023() -> None:
    fake = FakeInfisical(profile="2023")
    fake.clock.freeze()
    key = fake.create_api_key(expires_in=60)
    fake.clock.advance(61)
    first = call(fake, "GET", "/api/v2/users/me", headers=key.headers)
    then = call(fake, "GET", "/api/v2/users/me", headers=key.headers)
    assert (first.status, first.json()["message"], then.status) == (401, "Failed to authenticate expired API key", 404)


@pytest.mark.infisical(profile="2023")
def test_service_account_keys_without_a_secret_or_a_grant_in_2023() -> None:
    fake = FakeInfisical(profile="2023")
    account = fake.create_service_account(permissions=[("dev", True, False)])
    id_part = account.access_key.split(".")[1]
    no_secret = call(fake, "GET", "/api/v2/service-accounts/me", headers={"Authorization": f"Bearer sa.{id_part}"})
    assert (no_secret.status, no_secret.json()["message"]) == (401, "Failed to authenticate service account access key")
    malformed = call(fake, "GET", "/api/v2/service-accounts/me", headers={"Authorization": "Bearer sa.short.x"})
    query = {"workspaceId": fake.project.id, "environment": "prod"}
    denied = call(fake, "GET", "/api/v3/secrets", headers=account.headers, query=query)
    assert (denied.status, denied.json()["message"]) == (
        401,
        "Failed service account authorization for the given workspace environment",
    )
    assert (malformed.status, [c.exception for c in fake.calls]) == (500, [None, None, None])
    # a read-only grant reads (and only reads)
    query["environment"] = "dev"
    assert call(fake, "GET", "/api/v3/secrets", headers=account.headers, query=query).status == 200


def _signed(fake: FakeInfisical, payload: bytes) -> str:
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    signature = hmac.new(fake.state.jwt_secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "payload", [b'{"authTokenType":"accessToken","userId":"u"}', b"[1]", b"not json"], ids=["user", "list", "text"]
)
def test_a_signed_jwt_that_is_no_identity_token_is_refused_as_malformed(payload: bytes) -> None:
    fake = FakeInfisical()
    bearer = {"Authorization": f"Bearer {_signed(fake, payload)}"}
    response = call(fake, "GET", SECRETS, headers=bearer, query=_query(fake))
    assert (response.status, response.json()["message"], fake.calls[-1].exception) == (
        403,
        "The provided access token is malformed. Please use a valid token or generate a new one and try again.",
        None,
    )
