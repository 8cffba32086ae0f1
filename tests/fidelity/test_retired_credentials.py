"""API keys and service accounts: refused under `latest` (as today's server does), served by the older profiles."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infisical.credentials import ApiKey, ServiceAccount
from pytest_infisical.fake import FakeInfisical

from .conftest import API_KEY_RETIRED, MALFORMED, Api, assert_error, identity_headers, raw_query

LATEST = pytest.mark.infisical(profile="latest")

#: routes outside /api/v3/auth/: the API-key check runs before any route looks at the request
ROUTES = [
    ("GET", "/api/v3/secrets/raw"),
    ("GET", "/api/v3/secrets"),
    ("GET", "/api/v4/secrets"),
    ("GET", "/api/v2/users/me"),
    ("GET", "/api/v1/workspace"),
    ("GET", "/api/v2/service-token"),
    ("POST", "/api/v1/auth/universal-auth/login"),
    ("GET", "/api/status"),
]
ROUTE_IDS = [f"13.1 X-API-KEY {m} {p}" for m, p in ROUTES]


@LATEST
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_any_api_key_is_refused(
    api: Api, infisical: FakeInfisical, infisical_api_key: ApiKey, method: str, path: str
) -> None:
    response = api(method, path, headers=infisical_api_key.headers, params=raw_query(infisical))
    assert_error(response, 400, "BadRequest", API_KEY_RETIRED)


@LATEST
@pytest.mark.parametrize(
    "value",
    [pytest.param("ak.not-even-a-key", id="13.1 X-API-KEY garbage"), pytest.param("x", id="13.1 X-API-KEY one char")],
)
def test_even_a_garbage_api_key_is_refused_so(api: Api, infisical: FakeInfisical, value: str) -> None:
    response = api("GET", "/api/v3/secrets/raw", headers={"X-API-KEY": value}, params=raw_query(infisical))
    assert_error(response, 400, "BadRequest", API_KEY_RETIRED)


@LATEST
def test_api_key_wins_over_a_valid_authorization(api: Api, infisical: FakeInfisical, infisical_api_key: ApiKey) -> None:
    """13.1 the X-API-KEY header wins over Authorization, even over a valid identity token."""
    headers = {**identity_headers(api), **infisical_api_key.headers}
    response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert_error(response, 400, "BadRequest", API_KEY_RETIRED)


@LATEST
def test_an_empty_api_key_header_is_no_api_key(api: Api, infisical: FakeInfisical) -> None:
    """An empty X-API-KEY is falsy to the server: the request has no credentials at all."""
    response = api("GET", "/api/v3/secrets/raw", headers={"X-API-KEY": ""}, params=raw_query(infisical))
    assert_error(response, 401, "UnauthorizedError", "Token missing")


@LATEST
def test_routes_under_v3_auth_skip_the_api_key_check(api: Api, infisical_api_key: ApiKey) -> None:
    """13.1 the refusal applies outside /api/v3/auth/ only: there the key is ignored, so the
    dashboard-only route finds no credentials at all."""
    response = api(
        "POST", "/api/v3/auth/select-organization", headers=infisical_api_key.headers, json={"organizationId": "x"}
    )
    assert_error(response, 401, "UnauthorizedError", "Token missing")


SA_ROUTES = [("GET", "/api/v2/service-accounts/me"), ("GET", "/api/v3/secrets"), ("GET", "/api/v3/secrets/raw")]


@LATEST
@pytest.mark.parametrize(("method", "path"), SA_ROUTES, ids=[f"13.1 sa. bearer {m} {p}" for m, p in SA_ROUTES])
def test_service_account_bearer_is_a_malformed_token(
    api: Api, infisical: FakeInfisical, infisical_service_account: ServiceAccount, method: str, path: str
) -> None:
    response = api(method, path, headers=infisical_service_account.headers, params=raw_query(infisical))
    assert_error(response, 403, "TokenError", MALFORMED)


OLDER = [pytest.param(p, marks=pytest.mark.infisical(profile=p), id=p) for p in ("2023", "2024-08")]


@pytest.mark.parametrize("profile", OLDER)
def test_api_key_fixture_keeps_working_in_older_profiles(
    api: Api, infisical: FakeInfisical, infisical_api_key: ApiKey, profile: str
) -> None:
    assert infisical.profile.name == profile
    infisical.set_secret("EXISTING", "v")
    me = api("GET", "/api/v2/users/me", headers=infisical_api_key.headers)
    assert me.status_code == 200, me.text
    listed = api("GET", "/api/v3/secrets/raw", headers=infisical_api_key.headers, params=raw_query(infisical))
    assert listed.status_code == 200, listed.text
    assert [s["secretKey"] for s in listed.json()["secrets"]] == ["EXISTING"]


@pytest.mark.infisical(profile="2023")
def test_service_account_fixture_works_under_2023(
    api: Api, infisical: FakeInfisical, infisical_service_account: ServiceAccount
) -> None:
    """Service accounts were served from March to November 2023: the 2023 profile serves them."""
    infisical.set_secret("EXISTING", "v")
    me = api("GET", "/api/v2/service-accounts/me", headers=infisical_service_account.headers)
    assert me.status_code == 200, me.text
    query: dict[str, Any] = {"workspaceId": infisical.project.id, "environment": "dev"}
    listed = api("GET", "/api/v3/secrets", headers=infisical_service_account.headers, params=query)
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["secrets"]) == 1


@LATEST
def test_identities_are_the_way_under_latest(api: Api, infisical: FakeInfisical) -> None:
    """The replacement the refusal names works: an identity reads the same secret."""
    infisical.set_secret("EXISTING", "v")
    response = api("GET", "/api/v3/secrets/raw/EXISTING", headers=identity_headers(api), params=raw_query(infisical))
    assert response.status_code == 200, response.text


@pytest.mark.infisical(profile="2024-08")
def test_the_2024_server_no_longer_knew_service_accounts(
    api: Api, infisical: FakeInfisical, infisical_service_account: ServiceAccount
) -> None:
    """Service accounts left Infisical in November 2023; in August 2024 an ``sa.`` bearer is a
    bearer that is neither ``st.`` nor a JWT: that server's 500 with the JWT check's words."""
    me = api("GET", "/api/v3/secrets/raw", headers=infisical_service_account.headers, params=raw_query(infisical))
    assert (me.status_code, me.json()) == (
        500,
        {"statusCode": 500, "error": "Internal Server Error", "message": "jwt malformed"},
    )
    assert infisical.calls[0].note == (
        "Service accounts are retired on the August-2024 Infisical (profile '2024-08'); "
        'pin @pytest.mark.infisical(profile="2023") (or serve --profile 2023) to test a service-account integration'
    )
