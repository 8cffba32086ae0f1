"""Which credential a request carries, read from its headers alone (credential_headers.py)."""

from __future__ import annotations

import base64
import json
from typing import Any, Optional

import pytest

from pytest_infisical.credential_headers import (
    Presented,
    auth_mode,
    bearer,
    credential_id,
    detect_auth_mode,
    jwt_claims,
    read_credentials,
    service_account_id,
    shown_credential,
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(claims: Any) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    return f"{header}.{_b64url(json.dumps(claims).encode())}.c2lnbmF0dXJl"


IDENTITY_JWT = _jwt({"identityId": "7d5a0f4e-1b2c-4d3e-8f90-a1b2c3d4e5f6", "authTokenType": "identityAccessToken"})
USER_JWT = _jwt({"userId": "64a0f1e2d3c4b5a697887766", "authTokenType": "accessToken"})
# 12 bytes 00 01 … 0b, base64: the account id is their hex
SA_KEY = "sa." + base64.b64encode(bytes(range(12))).decode() + ".c2VjcmV0LXBhcnQ"


@pytest.mark.parametrize("api_key_wins", [False, True])
@pytest.mark.parametrize(
    ("headers", "mode"),
    [
        ({"X-API-KEY": "ak.64a0f1e2.secret"}, "api_key"),
        ({"Authorization": "Bearer st.64a0f1e2.secret.key"}, "service_token"),
        ({"Authorization": f"Bearer {SA_KEY}"}, "service_account"),
        ({"Authorization": f"Bearer {IDENTITY_JWT}"}, "machine_identity"),
        ({"authorization": f"bearer   {IDENTITY_JWT}  "}, "machine_identity"),
        # a user's session JWT is a JWT, not a machine identity's token
        ({"Authorization": f"Bearer {USER_JWT}"}, None),
        ({"Authorization": "Bearer " + _jwt({"identityId": "x"})}, None),
        ({"Authorization": "Bearer " + _jwt(["identityAccessToken"])}, None),
        ({"Authorization": "Bearer not-a-jwt"}, None),
        # an empty X-API-KEY presents nothing, under either rule
        ({"X-API-KEY": ""}, None),
        ({"X-API-KEY": "", "Authorization": ""}, None),
        ({"Authorization": "Bearer "}, None),
        ({"Authorization": "Basic st.64a0f1e2.secret.key"}, None),
        ({}, None),
    ],
)
def test_detect_auth_mode(headers: dict[str, str], mode: Optional[str], api_key_wins: bool) -> None:
    assert detect_auth_mode(headers, api_key_wins=api_key_wins) == mode


def test_an_empty_api_key_is_read_as_the_empty_credential_problem() -> None:
    assert read_credentials({"X-API-KEY": ""}, api_key_wins=False) == Presented(problem="empty")
    assert read_credentials({"X-API-KEY": ""}, api_key_wins=True) == Presented(problem="missing")
    assert read_credentials({}, api_key_wins=False) == Presented(problem="missing")


@pytest.mark.parametrize(
    ("api_key_wins", "kind"),
    [(False, "service_token"), (True, "api_key")],
)
def test_which_header_wins_depends_on_the_era(api_key_wins: bool, kind: str) -> None:
    headers = {"X-API-KEY": "ak.64a0f1e2.secret", "Authorization": "Bearer st.64a0f1e2.secret.key"}
    assert read_credentials(headers, api_key_wins=api_key_wins).kind == kind


def test_an_empty_api_key_does_not_win_over_a_bearer_today() -> None:
    headers = {"X-API-KEY": "", "Authorization": "Bearer st.64a0f1e2.secret.key"}
    assert read_credentials(headers, api_key_wins=True) == Presented("service_token", "st.64a0f1e2.secret.key")


def test_an_empty_bearer_and_a_foreign_scheme_keep_the_raw_header() -> None:
    assert read_credentials({"Authorization": "Bearer  "}, api_key_wins=False) == Presented(
        problem="empty", raw="Bearer  "
    )
    assert read_credentials({"Authorization": "Token abc"}, api_key_wins=True) == Presented(
        problem="scheme", scheme="Token", raw="Token abc"
    )


def test_jwt_claims() -> None:
    assert jwt_claims(IDENTITY_JWT) == {
        "identityId": "7d5a0f4e-1b2c-4d3e-8f90-a1b2c3d4e5f6",
        "authTokenType": "identityAccessToken",
    }
    assert jwt_claims("a.b") is None
    assert jwt_claims("a.b.c.d") is None
    assert jwt_claims("a.!!!.c") is None
    assert jwt_claims("a." + _b64url(b"[1]") + ".c") is None


def test_service_account_id() -> None:
    assert service_account_id(SA_KEY) == "000102030405060708090a0b"
    assert service_account_id("sa") is None
    assert service_account_id("sa.!!!.x") is None
    assert service_account_id("sa." + base64.b64encode(bytes(11)).decode() + ".x") is None
    assert service_account_id("sa." + base64.b64encode(bytes(13)).decode() + ".x") is None


@pytest.mark.parametrize(
    ("presented", "expected"),
    [
        (Presented("api_key", "ak.64a0f1e2.secret"), "64a0f1e2"),
        (Presented("service_token", "st.64a0f1e2.secret.key"), "64a0f1e2"),
        (Presented("api_key", "akonly"), None),
        (Presented("service_account", SA_KEY), "000102030405060708090a0b"),
        (Presented("jwt", IDENTITY_JWT), "7d5a0f4e-1b2c-4d3e-8f90-a1b2c3d4e5f6"),
        (Presented("jwt", _jwt({"authTokenType": "identityAccessToken"})), None),
        (Presented("jwt", _jwt({"authTokenType": "identityAccessToken", "identityId": 7})), "7"),
        (Presented("jwt", USER_JWT), None),
        (Presented(problem="missing"), None),
    ],
)
def test_credential_id(presented: Presented, expected: Optional[str]) -> None:
    assert credential_id(presented) == expected


def test_auth_mode_of_nothing() -> None:
    assert auth_mode(Presented(problem="missing")) is None


def test_shown_credential_is_redacted() -> None:
    token = "st.64a0f1e2d3c4b5a697887766.0123456789abcdef.fedcba9876543210"
    shown = shown_credential(Presented("service_token", token), {})
    assert shown is not None
    assert shown.startswith("Bearer st.")
    assert "0123456789abcdef" not in shown
    key = "ak.64a0f1e2d3c4b5a697887766.0123456789abcdef"
    shown_key = shown_credential(Presented("api_key", key), {})
    assert shown_key is not None
    assert shown_key.startswith("ak.")
    assert not shown_key.startswith("Bearer")
    assert "0123456789abcdef" not in shown_key
    assert shown_credential(Presented(problem="missing"), {}) is None
    raw = "Token 0123456789abcdef0123456789abcdef"
    shown_raw = shown_credential(Presented(problem="scheme", scheme="Token", raw=raw), {})
    assert shown_raw is not None
    assert "0123456789abcdef0123" not in shown_raw
    from_headers = shown_credential(Presented(problem="empty"), {"X-API-KEY": "ak.0123456789abcdef0123456789"})
    assert from_headers is not None
    assert from_headers.startswith("ak.")
    assert "0123456789abcdef0123456789" not in from_headers


def test_repr_never_shows_the_credential() -> None:
    secret_part = "0123456789abcdef0123456789abcdef"
    assert secret_part not in repr(Presented("api_key", f"ak.64a0f1e2.{secret_part}"))
    assert repr(Presented(problem="missing")) == "<Presented missing >"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": "Bearer  st.x.y.z "}, "st.x.y.z"),
        ({"Authorization": "bearer x"}, "x"),
        ({"Authorization": "Bearer "}, None),
        ({"Authorization": "Basic x"}, None),
        ({"Authorization": ""}, None),
        ({}, None),
    ],
)
def test_bearer(headers: dict[str, str], expected: Optional[str]) -> None:
    assert bearer(headers) == expected


def test_repr_of_a_presented_credential_is_pinned() -> None:
    presented = Presented("api_key", "ak.64a0c3e2f1b4a5d6e7f80912.5ec7e75ec7e75ec7e75ec7e75ec7e75e")
    assert repr(presented) == "<Presented api_key ak.64a0…(redacted)>"


def test_with_no_raw_header_the_authorization_header_is_shown_before_the_api_key() -> None:
    headers = {"Authorization": "Token 0123456789abcdef0123", "X-API-KEY": "ak.0123456789abcdef0123456789"}
    assert shown_credential(Presented(problem="empty"), headers) == "Token 0123…(redacted)"


@pytest.mark.parametrize("size", range(8))
def test_jwt_claims_of_every_payload_length(size: int) -> None:
    # base64url without padding: the payload's length modulo 4 takes each value
    claims = {"identityId": "x" * size, "authTokenType": "identityAccessToken"}
    assert jwt_claims(_jwt(claims)) == claims


def test_service_account_id_edge_cases() -> None:
    id_part = base64.b64encode(bytes(range(12))).decode()
    # a key cut after its id still names the account (the journal shows whose key it was)
    assert service_account_id(f"sa.{id_part}") == "000102030405060708090a0b"
    # characters outside base64 are an error, never skipped over
    assert service_account_id(f"sa.{id_part}!.c2VjcmV0") is None
    assert service_account_id(f"sa.{id_part[:8]}-{id_part[8:]}.c2VjcmV0") is None


def test_detect_auth_mode_reads_the_2023_rule_by_default() -> None:
    headers = {"X-API-KEY": "ak.64a0f1e2.secret", "Authorization": "Bearer st.64a0f1e2.secret.key"}
    assert detect_auth_mode(headers) == "service_token"


def test_the_presented_value_is_kept() -> None:
    assert read_credentials({"X-API-KEY": "ak.64a0f1e2.secret"}, api_key_wins=False) == Presented(
        "api_key", "ak.64a0f1e2.secret"
    )
    assert read_credentials({"Authorization": f"Bearer {SA_KEY}"}, api_key_wins=True) == Presented(
        "service_account", SA_KEY
    )


def test_credential_id_edge_cases() -> None:
    assert credential_id(Presented("api_key", "ak.64a0f1e2")) == "64a0f1e2"
    # a user's JWT carrying an identityId claim is still no machine identity
    user = _jwt({"identityId": "7d5a0f4e", "authTokenType": "accessToken"})
    assert credential_id(Presented("jwt", user)) is None
