"""Strict by default: unrouted requests, other hosts and unmet expectations fail the test at teardown,
even when the client swallowed the error; each has a marker opt-out, and the message names it."""

from __future__ import annotations

import pytest

SWALLOWING = """
import pytest
import requests

URL = "https://app.infisical.com"

def swallow(call):
    # like the legacy official SDK, which swallows every HTTP error and falls back to os.environ
    try:
        call()
    except requests.RequestException:
        pass

def test_unrouted(infisical, infisical_service_token):
    swallow(lambda: requests.get(URL + "/api/v3/secret", headers=infisical_service_token.headers))
    swallow(lambda: requests.delete(URL + "/api/v2/service-token", headers=infisical_service_token.headers))

@pytest.mark.infisical(allow_unrouted=True)
def test_unrouted_allowed(infisical):
    swallow(lambda: requests.get(URL + "/api/v3/secret"))

def test_other_host(infisical):
    swallow(lambda: requests.get("https://example.org/api/v3/secrets"))

@pytest.mark.infisical(allow_unmocked=True)
def test_other_host_allowed(infisical):
    swallow(lambda: requests.get("https://example.org/api/v3/secrets"))

def test_expected(infisical, infisical_service_token):
    infisical.expect("GET", "/api/v3/secrets", auth="service_token")
    infisical.expect("GET", "/api/v2/service-token", times=1)
    requests.get(URL + "/api/v2/service-token", headers=infisical_service_token.headers)

@pytest.mark.infisical(assert_all_expected=False)
def test_expected_opt_out(infisical):
    infisical.expect("GET", "/api/v3/secrets")

def test_unused_fault(infisical):
    infisical.fail_next("GET", "/api/v3/secrets", sequence=[429, 200])
    requests.get(URL + "/api/status")

@pytest.mark.infisical(assert_all_expected=False)
def test_unused_fault_opt_out(infisical):
    infisical.fail_next(status=500)

def test_a_real_404_is_not_unrouted(infisical, infisical_service_token):
    response = requests.get(URL + "/api/v3/secrets/NOPE", headers=infisical_service_token.headers,
                            params={"workspaceId": infisical.project.id, "environment": "dev"})
    assert response.status_code == 404
"""


@pytest.fixture
def strict_run(pytester: pytest.Pytester) -> pytest.RunResult:
    pytester.makepyfile(SWALLOWING)
    return pytester.runpytest("-p", "no:cacheprovider")


def test_outcomes(strict_run: pytest.RunResult) -> None:
    # the four strict tests pass their body and error at teardown; the opt-outs pass
    strict_run.assert_outcomes(passed=9, errors=4)


def test_unrouted_requests_fail_at_teardown(strict_run: pytest.RunResult) -> None:
    strict_run.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_unrouted _*",
            "pytest-infisical: 2 request(s) reached no route of the fake Infisical:",
            "  1. GET /api/v3/secret auth=service_token (Bearer st.????…(redacted)) -> 404",
            "     did you mean GET /api/v3/secrets?",
            "*",
            "*",
            "  2. DELETE /api/v2/service-token auth=service_token (Bearer st.????…(redacted)) -> 404",
            "     this path answers GET, POST, not DELETE",
            "*",
            "*",
            "*",
            "If the client is right and the fake lacks the route, allow it with @pytest.mark.infisical(allow_unrouted=True).",
        ]
    )


def test_other_hosts_fail_at_teardown(strict_run: pytest.RunResult) -> None:
    strict_run.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_other_host _*",
            "pytest-infisical: 1 request(s) went to a host the fake does not serve and were refused "
            "(the client may have swallowed the error):",
            "  GET https://example.org/api/v3/secrets",
            "Serve that URL with @pytest.mark.infisical(base_urls=[...]), let it reach the network with "
            "@pytest.mark.infisical(passthrough=[...]), or allow it with @pytest.mark.infisical(allow_unmocked=True).",
        ]
    )


def test_unmet_expectations_fail_at_teardown(strict_run: pytest.RunResult) -> None:
    strict_run.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_expected _*",
            "pytest-infisical: 1 expected call(s) declared with infisical.expect() were not made:",
            "Expected GET /api/v3/secrets with auth service_token to be called at least once, but it was called 0 times.",
            "Calls to the fake (1):",
            "  1. GET /api/v2/service-token auth=service_token (Bearer st.????…(redacted)) -> 200",
            "Remove the expectation, or opt out with @pytest.mark.infisical(assert_all_expected=False).",
        ]
    )


def test_opt_outs_and_real_404s_do_not_error(strict_run: pytest.RunResult) -> None:
    for name in (
        "test_unrouted_allowed",
        "test_other_host_allowed",
        "test_expected_opt_out",
        "test_a_real_404_is_not_unrouted",
    ):
        assert f"ERROR at teardown of {name} " not in strict_run.stdout.str()
