"""Fault injection, each kind observed by a real ``requests`` client."""

from __future__ import annotations

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical

URL = "https://app.infisical.com"
TOKEN_URL = URL + "/api/v2/service-token"


def test_a_status_with_retry_after(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    fault = infisical.fail_next("GET", "/api/v2/service-token", status=429, retry_after=2)
    first = requests.get(TOKEN_URL, headers=infisical_service_token.headers)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "2")
    assert first.json()["error"] == "RateLimitExceeded"
    assert requests.get(TOKEN_URL, headers=infisical_service_token.headers).status_code == 200
    assert (fault.remaining, fault.hits, len(fault.requests)) == (0, 1, 1)
    assert [c.fault for c in infisical.calls] == ["status 429", None]


@pytest.mark.infisical(profile="2023")
def test_a_429_in_2023_is_plain_text(infisical: FakeInfisical) -> None:
    infisical.fail_next(status=429, retry_after=60)
    response = requests.get(URL + "/api/status")
    assert (response.status_code, response.text, response.headers["Retry-After"]) == (
        429,
        "Too many requests, please try again later.",
        "60",
    )


@pytest.mark.parametrize(
    ("status", "content_type"),
    [(500, "application/json"), (502, "text/html"), (503, "text/html"), (418, "application/json")],
)
def test_server_errors(infisical: FakeInfisical, status: int, content_type: str) -> None:
    infisical.fail_next(status=status)
    response = requests.get(URL + "/api/status")
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith(content_type)


def test_a_custom_body(infisical: FakeInfisical) -> None:
    infisical.fail_next(status=400, body='{"message": "custom"}')
    assert requests.get(URL + "/api/status").json() == {"message": "custom"}


def test_a_sequence(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    infisical.fail_next("GET", "/api/v2/service-token", sequence=[429, 429, 200])
    statuses = [requests.get(TOKEN_URL, headers=infisical_service_token.headers).status_code for _ in range(4)]
    assert statuses == [429, 429, 200, 200]


def test_a_retrying_client_recovers(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    """A client with urllib3 retries on 429/5xx (as the legacy official SDK has) sees only the 200."""
    session = requests.Session()
    session.mount(
        "https://",
        HTTPAdapter(max_retries=Retry(total=3, backoff_factor=1, status_forcelist=[429, 500, 502, 503, 504])),
    )
    infisical.fail_next("GET", "/api/v2/service-token", sequence=[503, 429, 200])
    assert session.get(TOKEN_URL, headers=infisical_service_token.headers).status_code == 200
    assert [c.status for c in infisical.calls] == [503, 429, 200]


def test_connection_error_and_timeout(infisical: FakeInfisical) -> None:
    infisical.fail_next(error="connection")
    with pytest.raises(
        requests.ConnectionError, match="pytest-infisical: injected connection error for GET /api/status"
    ):
        requests.get(URL + "/api/status")
    infisical.fail_next(error="timeout")
    with pytest.raises(requests.ReadTimeout, match="pytest-infisical: injected timeout for GET /api/status"):
        requests.get(URL + "/api/status")
    first, second = infisical.calls
    assert (first.response, first.fault, second.fault) == (None, "connection error", "timeout error")
    assert first.error is not None and "injected connection error" in first.error


@pytest.mark.parametrize("how", ["malformed", "truncated"])
def test_broken_bodies(infisical: FakeInfisical, infisical_service_token: ServiceToken, how: str) -> None:
    infisical.fail_next("GET", "/api/v2/service-token", body=how)
    response = requests.get(TOKEN_URL, headers=infisical_service_token.headers)
    assert response.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        response.json()
    assert requests.get(TOKEN_URL, headers=infisical_service_token.headers).json()["_id"] == infisical_service_token.id


def test_a_delay_is_simulated(infisical: FakeInfisical) -> None:
    infisical.fail_next(delay=5, times=2)
    before = infisical.clock.now()
    with pytest.raises(requests.ReadTimeout, match=r"took 5 s \(simulated\), longer than the client's 2 s timeout"):
        requests.get(URL + "/api/status", timeout=2)
    assert requests.get(URL + "/api/status", timeout=(1, 10)).status_code == 200  # (connect, read)
    assert 10 <= (infisical.clock.now() - before).total_seconds() < 11  # two delays, no real sleeping


def test_a_delay_can_expire_a_token(infisical: FakeInfisical) -> None:
    token = infisical.create_service_token(expires_in=60)
    infisical.fail_next(delay=61)
    assert requests.get(TOKEN_URL, headers=token.headers).status_code == 403


def test_a_predicate(infisical: FakeInfisical, infisical_service_token: object) -> None:
    infisical.fail_next(when=lambda request: request.query.get("environment") == "prod", status=503)
    query = {"workspaceId": infisical.project.id}
    headers = infisical_service_token.headers  # type: ignore[attr-defined]
    assert (
        requests.get(URL + "/api/v3/secrets", params={**query, "environment": "dev"}, headers=headers).status_code
        == 200
    )
    assert (
        requests.get(URL + "/api/v3/secrets", params={**query, "environment": "prod"}, headers=headers).status_code
        == 503
    )


def test_rate_limit_mode(infisical: FakeInfisical) -> None:
    infisical.rate_limit(limit=3, window=60)
    token = infisical.create_service_token()
    responses = [requests.get(TOKEN_URL, headers=token.headers) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert {r.headers["RateLimit-Limit"] for r in responses} == {"3"}
    assert responses[3].headers["Retry-After"] == responses[3].headers["RateLimit-Reset"] == "60"
    assert requests.get(URL + "/api/status").status_code == 200  # the health check is never limited
    infisical.clock.advance(60)
    assert requests.get(TOKEN_URL, headers=token.headers).status_code == 200


def test_rate_limit_with_a_chosen_retry_after(infisical: FakeInfisical) -> None:
    infisical.rate_limit(limit=1, window=3600, retry_after=1)
    requests.get(URL + "/api/v2/users/me")
    assert requests.get(URL + "/api/v2/users/me").headers["Retry-After"] == "1"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {},
            TypeError,
            r"takes exactly one of status=, sequence=, error=, body= or delay= \(got none; body= may also go with status= or sequence=\)",
        ),
        ({"status": 500, "error": "timeout"}, TypeError, r"\(got status, error; "),
        ({"status": 99}, ValueError, "a fault status must be 200-599, got 99"),
        (
            {"sequence": [429, "boom"]},
            ValueError,
            "unknown fault 'boom'; use a status code or one of connection, timeout, malformed, truncated",
        ),
        ({"error": "dns"}, ValueError, "unknown fault 'dns'"),
        ({"status": 500, "times": 0}, ValueError, "times must be at least 1"),
        ({"delay": -1}, ValueError, "delay must be positive"),
    ],
)
def test_fail_next_says_what_is_wrong(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        FakeInfisical().fail_next(**kwargs)  # type: ignore[arg-type]


def _status() -> requests.Response:
    return requests.get(URL + "/api/status")


def test_a_body_alone_replaces_the_handlers_body(infisical: FakeInfisical) -> None:
    fault = infisical.fail_next("GET", "/api/status", body='{"date": "garbled"}')
    answer = _status()
    assert (answer.status_code, answer.json(), answer.headers["Content-Type"]) == (
        200,
        {"date": "garbled"},
        "application/json; charset=utf-8",
    )
    assert _status().json() != {"date": "garbled"}
    assert (fault.hits, len(fault.requests)) == (1, 1)
    assert infisical.calls[0].fault == "status 200 with a given body"


@pytest.mark.parametrize("status", [200, 401, 503])
def test_a_body_goes_with_any_status(infisical: FakeInfisical, status: int) -> None:
    infisical.fail_next("GET", "/api/status", status=status, body="plain words")
    answer = _status()
    assert (answer.status_code, answer.text, answer.headers["Content-Type"]) == (
        status,
        "plain words",
        "text/plain; charset=utf-8",
    )


def test_a_sequences_200_step_is_not_a_hit(infisical: FakeInfisical) -> None:
    fault = infisical.fail_next("GET", "/api/status", sequence=[503, 200, "timeout"], body="down")
    assert _status().text == "down"
    assert _status().json()["message"] == "Ok"
    with pytest.raises(requests.Timeout):
        _status()
    assert (fault.hits, len(fault.requests), fault.remaining) == (2, 3, 0)
    assert [c.fault for c in infisical.calls] == ["status 503 with a given body", None, "timeout error"]


@pytest.mark.parametrize(("profile", "status"), [("latest", 401), ("latest", 403), ("2023", 401)])
def test_an_injected_status_renders_through_the_profile(profile: str, status: int) -> None:
    from pytest_infisical.http import Request

    fake = FakeInfisical(profile=profile)
    fake.fail_next(status=status)
    body = fake.handle(Request("GET", URL + "/api/status")).json()
    phrase = {401: "Unauthorized", 403: "Forbidden"}[status]
    if profile == "latest":
        assert body.pop("reqId").startswith("req-")
    assert body == {"statusCode": status, "message": f"{phrase} (injected by pytest-infisical)", "error": phrase}
