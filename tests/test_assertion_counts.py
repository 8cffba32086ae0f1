"""Every counting assertion fails on one call too many, with the text users see (pytester).

``assert_called(..., times=N)`` means exactly N; ``assert_not_called`` means none; ``expect(times=N)``
is checked the same way at strict teardown; ``assert_all_calls_used`` means every one; a stub with
``times=N`` answers N requests and no more.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

HEAD = """
import requests

URL = "https://app.infisical.com"

def introspect(token, n):
    for _ in range(n):
        assert requests.get(URL + "/api/v2/service-token", headers=token.headers).status_code == 200
"""


def _run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makepyfile(HEAD + body)
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")


def test_assert_called_times_fails_on_one_call_too_many(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_exact(infisical, infisical_service_token):
    introspect(infisical_service_token, 2)
    assert len(infisical.assert_called("GET", "/api/v2/service-token", times=2)) == 2

def test_too_many(infisical, infisical_service_token):
    introspect(infisical_service_token, 2)
    infisical.assert_called("GET", "/api/v2/service-token", times=1)

def test_none_expected(infisical, infisical_service_token):
    introspect(infisical_service_token, 1)
    infisical.assert_called("GET", "/api/v2/service-token", auth="service_token", times=0)
""",
    )
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_too_many*",
            "E*AssertionError: Expected GET /api/v2/service-token to be called 1 time, but it was called 2 times.",
            "E*Calls to the fake (2):",
            "*test_none_expected*",
            "E*AssertionError: Expected GET /api/v2/service-token with auth service_token to be called 0 times,"
            " but it was called 1 time.",
        ]
    )


def test_assert_not_called_fails_on_a_single_call(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_none(infisical, infisical_service_token):
    infisical.assert_not_called("GET", "/api/v2/service-token")

def test_one(infisical, infisical_service_token):
    introspect(infisical_service_token, 1)
    infisical.assert_not_called("GET", "/api/v2/service-token")
""",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_one*",
            "E*AssertionError: Expected GET /api/v2/service-token not to be called, but it was called 1 time:",
            "E*GET /api/v2/service-token*",
        ]
    )


def test_assert_all_calls_used_fails_on_a_single_other_mode(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_all(infisical, infisical_service_token):
    introspect(infisical_service_token, 2)
    infisical.assert_all_calls_used("service_token")

def test_one_other(infisical, infisical_service_token, infisical_machine_identity):
    introspect(infisical_service_token, 2)
    login = requests.post(URL + "/api/v1/auth/universal-auth/login", json=infisical_machine_identity.login_body)
    bearer = {"Authorization": "Bearer " + login.json()["accessToken"]}
    requests.get(URL + "/api/v3/secrets/raw", params={"workspaceId": infisical.project.id, "environment": "dev"}, headers=bearer)
    infisical.assert_all_calls_used("service_token")
""",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_one_other*",
            "E*AssertionError: Expected every call to use auth service_token, but 1 did not:",
            "E*GET /api/v3/secrets/raw*machine_identity*",
        ]
    )


def test_expect_times_fails_at_teardown_on_one_call_too_many(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_exact(infisical, infisical_service_token):
    infisical.expect("GET", "/api/v2/service-token", times=2)
    introspect(infisical_service_token, 2)

def test_too_many(infisical, infisical_service_token):
    infisical.expect("GET", "/api/v2/service-token", times=2)
    introspect(infisical_service_token, 3)
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_too_many*",
            "*pytest-infisical: 1 expected call(s) declared with infisical.expect() were not made:",
            "*Expected GET /api/v2/service-token to be called 2 times, but it was called 3 times.",
        ]
    )


def test_a_stub_answers_exactly_its_times(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_stub(infisical, infisical_service_token):
    stub = infisical.stub("GET", "/api/v2/service-token", status=418, times=2)
    statuses = [requests.get(URL + "/api/v2/service-token", headers=infisical_service_token.headers).status_code for _ in range(3)]
    assert statuses == [418, 418, 200]
    assert (stub.hits, stub.remaining) == (2, 0)
""",
    )
    result.assert_outcomes(passed=1)
