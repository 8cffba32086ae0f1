"""Header assertions and journal assertions: every pass and fail path, the exact text users see."""

from __future__ import annotations

import httpx
import pytest
import requests

from pytest_infisical.assertions import (
    assert_api_key_header,
    assert_auth_mode,
    assert_machine_identity_header,
    assert_service_account_header,
    assert_service_token_header,
)
from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical

URL = "https://app.infisical.com"
TOKEN = ServiceToken.parse(f"st.{'64a0' * 6}.{'ab' * 16}.{'cd' * 16}")
OTHER = ServiceToken.parse(f"st.{'64a0' * 6}.{'ef' * 16}.{'cd' * 16}")


def _prepared(headers: dict[str, str]) -> requests.PreparedRequest:
    return requests.Request("GET", URL + "/api/v3/secrets", headers=headers).prepare()


# ---- header assertions, on every kind of request object ----------------------------------------


@pytest.mark.parametrize("kind", ["prepared", "httpx", "fake"])
def test_service_token_header_passes_on_any_request_object(kind: str) -> None:
    headers = TOKEN.headers
    request = {
        "prepared": _prepared(headers),
        "httpx": httpx.Request("GET", URL, headers=headers),
        "fake": __import__("pytest_infisical.http", fromlist=["Request"]).Request("GET", URL, headers),
    }[kind]
    assert_service_token_header(request)
    assert_service_token_header(request, TOKEN, parts=3)
    assert_auth_mode(request, "service_token")


@pytest.mark.parametrize(
    ("headers", "call", "message"),
    [
        (
            {},
            lambda r: assert_service_token_header(r),
            "Expected Authorization: Bearer st.…, found no Authorization or X-API-KEY header",
        ),
        (
            {"Authorization": f"Bearer {TOKEN.token}"},
            lambda r: assert_service_token_header(r, parts=3),
            "Expected a 3-part service-token bearer, found 4 parts (Authorization: Bearer st.64a0…(redacted))",
        ),
        (
            TOKEN.headers,
            lambda r: assert_service_token_header(r, parts=4),
            "Expected a 4-part service-token bearer, found 3 parts (Authorization: Bearer st.64a0…(redacted))",
        ),
        (
            OTHER.headers,
            lambda r: assert_service_token_header(r, TOKEN),
            f"Expected the secret of service token {TOKEN.id}, but the bearer's secret part differs",
        ),
        (
            {"X-API-KEY": f"ak.{'1' * 24}.{'2' * 32}"},
            lambda r: assert_service_token_header(r),
            "Expected Authorization: Bearer st.…, found X-API-KEY: ak.1111…(redacted)",
        ),
        (
            {"X-API-KEY": f"ak.{'1' * 24}.{'2' * 32}", **TOKEN.headers},
            lambda r: assert_api_key_header(r),
            "Expected X-API-KEY alone, but the request also sends Authorization: Bearer st.64a0…(redacted); "
            "the 2023 server reads Authorization first and ignores the API key",
        ),
        (
            TOKEN.headers,
            lambda r: assert_api_key_header(r),
            "Expected an X-API-KEY header, found Authorization: Bearer st.64a0…(redacted)",
        ),
        (
            TOKEN.headers,
            lambda r: assert_service_account_header(r),
            "Expected Authorization: Bearer sa.…, found Authorization: Bearer st.64a0…(redacted)",
        ),
        (
            TOKEN.headers,
            lambda r: assert_machine_identity_header(r),
            "Expected Authorization: Bearer <machine-identity access token>, found Authorization: Bearer st.64a0…(redacted)",
        ),
        (
            TOKEN.headers,
            lambda r: assert_auth_mode(r, "api_key"),
            "Expected a request using auth api_key, but it used service_token (Authorization: Bearer st.64a0…(redacted))",
        ),
    ],
)
def test_header_assertion_failures_are_explained_and_redacted(
    headers: dict[str, str], call: object, message: str
) -> None:
    with pytest.raises(AssertionError) as info:
        call(_prepared(headers))  # type: ignore[operator]
    assert str(info.value) == message
    for secret in (TOKEN.secret, TOKEN.key, OTHER.secret, "2" * 32):
        assert secret not in str(info.value)


def test_credential_specific_checks(infisical: FakeInfisical) -> None:
    key, other_key = infisical.create_api_key(), infisical.create_api_key()
    account = infisical.create_service_account()
    assert_api_key_header(_prepared(key.headers), key)
    with pytest.raises(
        AssertionError,
        match=r"^Expected X-API-KEY: ak\.\w{4}…\(redacted\), found X-API-KEY: ak\.\w{4}…\(redacted\) \(another key\)$",
    ):
        assert_api_key_header(_prepared(other_key.headers), key)
    assert_service_account_header(_prepared(account.headers), account)
    with pytest.raises(AssertionError, match=f"^Expected the access key of service account {account.id}"):
        assert_service_account_header(_prepared(infisical.create_service_account().headers), account)
    identity = infisical.create_machine_identity()
    access = requests.post(URL + "/api/v1/auth/universal-auth/login", json=identity.login_body).json()["accessToken"]
    assert_machine_identity_header(_prepared({"Authorization": f"Bearer {access}"}), access)
    assert_auth_mode(_prepared({"Authorization": f"Bearer {access}"}), "machine_identity")


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="parts must be 3, 4 or None"):
        assert_service_token_header(_prepared(TOKEN.headers), parts=2)
    with pytest.raises(ValueError, match="mode must be one of"):
        assert_auth_mode(_prepared(TOKEN.headers), "token")
    with pytest.raises(TypeError, match="expected a request"):
        assert_auth_mode(object(), "api_key")


# ---- journal assertions, as users see them -----------------------------------------------------

JOURNAL_TESTS = """
import requests

URL = "https://app.infisical.com"

def _traffic(infisical, token, identity):
    login = requests.post(URL + "/api/v1/auth/universal-auth/login", json=identity.login_body).json()
    requests.get(URL + "/api/v2/service-token", headers=token.headers)
    requests.post(URL + "/api/v3/secrets/A", headers=token.headers, json={})
    requests.get(URL + "/api/v3/secrets", headers={"Authorization": "Bearer " + login["accessToken"]},
                 params={"workspaceId": infisical.project.id, "environment": "dev"})

def test_called_passes(infisical, infisical_service_token, infisical_machine_identity):
    _traffic(infisical, infisical_service_token, infisical_machine_identity)
    assert len(infisical.assert_called("GET", "/api/v3/secrets", auth="machine_identity", times=1)) == 1
    infisical.assert_called("POST", "/api/v3/secrets/:secretName")
    infisical.assert_not_called("DELETE")

def test_called_fails(infisical, infisical_service_token, infisical_machine_identity):
    _traffic(infisical, infisical_service_token, infisical_machine_identity)
    infisical.assert_called("GET", "/api/v3/secrets", auth="service_token")

def test_times_fails(infisical, infisical_service_token, infisical_machine_identity):
    _traffic(infisical, infisical_service_token, infisical_machine_identity)
    infisical.assert_called("GET", "/api/v2/service-token", times=2)

def test_other_method(infisical, infisical_service_token, infisical_machine_identity):
    _traffic(infisical, infisical_service_token, infisical_machine_identity)
    infisical.assert_called("PATCH", "/api/v3/secrets/A")

def test_not_called_fails(infisical, infisical_service_token, infisical_machine_identity):
    _traffic(infisical, infisical_service_token, infisical_machine_identity)
    infisical.assert_not_called("POST", "/api/v3/secrets/*")

def test_all_used_fails(infisical, infisical_service_token, infisical_machine_identity):
    _traffic(infisical, infisical_service_token, infisical_machine_identity)
    infisical.assert_all_calls_used(auth="service_token")

def test_all_used_passes_with_login(infisical, infisical_machine_identity):
    token = requests.post(URL + "/api/v1/auth/universal-auth/login", json=infisical_machine_identity.login_body).json()
    requests.get(URL + "/api/v3/secrets/raw", headers={"Authorization": "Bearer " + token["accessToken"]},
                 params={"workspaceId": infisical.project.id, "environment": "dev"})
    infisical.assert_all_calls_used(auth="machine_identity")
"""


@pytest.fixture
def journal_run(pytester: pytest.Pytester) -> pytest.RunResult:
    pytester.makepyfile(JOURNAL_TESTS)
    return pytester.runpytest("-p", "no:cacheprovider")


def test_journal_assertions_outcomes(journal_run: pytest.RunResult) -> None:
    journal_run.assert_outcomes(passed=2, failed=5)


def test_assert_called_names_the_closest_calls(journal_run: pytest.RunResult) -> None:
    journal_run.stdout.fnmatch_lines(
        [
            "*_ test_called_fails _*",
            "E       AssertionError: Expected GET /api/v3/secrets with auth service_token to be called at least once, "
            "but it was called 0 times.",
            "E       Calls to the fake (4):",
            "E         1. POST /api/v1/auth/universal-auth/login auth=none -> 200",
            "E         2. GET /api/v2/service-token auth=service_token (Bearer st.????…(redacted)) -> 200",
            "E         3. POST /api/v3/secrets/A auth=service_token (Bearer st.????…(redacted)) -> 422",
            "E         4. GET /api/v3/secrets?workspaceId=*&environment=dev auth=machine_identity (Bearer eyJh…(redacted)) -> 200",
            "E       Closest calls:",
            "E         4. GET /api/v3/secrets?workspaceId=*&environment=dev auth=machine_identity (Bearer eyJh…(redacted)) -> 200"
            "  <- same route, other auth mode (machine_identity)",
        ]
    )


def test_tracebacks_stay_short(journal_run: pytest.RunResult) -> None:
    """``__tracebackhide__``: the failure points at the test line, not into the plugin."""
    output = journal_run.stdout.str()
    assert "pytest_infisical/journal.py" not in output and "pytest_infisical/fake/core.py" not in output


def test_times_and_other_method(journal_run: pytest.RunResult) -> None:
    journal_run.stdout.fnmatch_lines(
        [
            "E       AssertionError: Expected GET /api/v2/service-token to be called 2 times, but it was called 1 time.",
        ]
    )
    journal_run.stdout.fnmatch_lines(
        [
            "E       AssertionError: Expected PATCH /api/v3/secrets/A to be called at least once, but it was called 0 times.",
            "E       Calls to the fake (4):",
            "*",
            "*",
            "*",
            "*",
            "E       Closest calls:",
            "E         3. POST /api/v3/secrets/A auth=service_token (Bearer st.????…(redacted)) -> 422  <- same path, other method",
        ]
    )


def test_not_called_and_all_used(journal_run: pytest.RunResult) -> None:
    journal_run.stdout.fnmatch_lines(
        [
            "E       AssertionError: Expected POST /api/v3/secrets/* not to be called, but it was called 1 time:",
            "E         3. POST /api/v3/secrets/A auth=service_token (Bearer st.????…(redacted)) -> 422",
        ]
    )
    journal_run.stdout.fnmatch_lines(
        [
            "E       AssertionError: Expected every call to use auth service_token, but 1 did not:",
            "E         4. GET /api/v3/secrets?workspaceId=*&environment=dev auth=machine_identity (Bearer eyJh…(redacted)) -> 200",
        ]
    )


def test_no_secret_in_any_failure(journal_run: pytest.RunResult) -> None:
    output = journal_run.stdout.str()
    import re

    assert re.search(r"st\.[0-9a-f]{24}\.[0-9a-f]{32}", output) is None
    assert re.search(r"ak\.[0-9a-f]{24}\.[0-9a-f]{32}", output) is None
