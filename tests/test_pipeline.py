"""The pipeline serves any handler: the same journal, assertion, fault and strict-teardown checks
pass against the fake and against a table of canned answers, through requests, httpx and the live
server. And the journal records what the handler did, not what it guesses from the headers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Optional

import attrs
import httpx
import pytest
import requests

from pytest_infisical.credentials import ApiKey, ServiceToken
from pytest_infisical.fake import FakeInfisical, fake_pipeline
from pytest_infisical.fake.handler import FakeHandler
from pytest_infisical.fake.state import Clock
from pytest_infisical.faults import Faults
from pytest_infisical.harness import Options, serve, strict_report
from pytest_infisical.http import Request, Response, Served
from pytest_infisical.journal import Journal
from pytest_infisical.pipeline import Pipeline
from pytest_infisical.transports.server import LiveServer

URL = "https://app.infisical.com"
SECRETS = "/api/v3/secrets/raw"
TOKEN_HEADERS = {"Authorization": "Bearer st.64a0c4e1f1f1f1f1f1f1f1f1.abcdef.0123456789abcdef0123456789abcdef"}

RETIRED_API_KEY = "API key authentication is not supported anymore. Please switch to identity authentication."
#: what the journal says about a call refused for its API key, written out as users read it
NOTE_API_KEY = (
    "API keys are retired on today's Infisical (profile 'latest'); "
    'pin @pytest.mark.infisical(profile="2023") or "2024-08" (or serve --profile 2023) to test an API-key integration'
)


class CannedHandler:
    """A handler that is not the fake: a dict of canned answers by (method, path); anything else is unrouted."""

    def __init__(self, answers: dict[tuple[str, str], Response]) -> None:
        self.answers = answers

    def handle(self, request: Request) -> Response:
        answer = self.answers.get((request.method, request.path))
        if answer is None:
            return Response.json_body(404, {"message": "no canned answer"}).reporting(Served(routed=False))
        return answer.reporting(Served(route=f"{request.method} {request.path}"))


def canned_render(status: int, headers: dict[str, str]) -> Response:
    return Response.json_body(status, {"statusCode": status, "message": "canned"}, headers)


def canned_pipeline(sleep: Optional[Callable[[float], None]] = None) -> Pipeline[CannedHandler]:
    handler = CannedHandler(
        {
            ("GET", "/api/status"): Response.json_body(200, {"message": "Ok"}),
            ("GET", SECRETS): Response.json_body(200, {"secrets": []}),
        }
    )
    return Pipeline(handler, journal=Journal(), faults=Faults(), render_error=canned_render, clock=Clock(), sleep=sleep)


@attrs.frozen
class Subject:
    """One handler behind one transport, seen through its pipeline."""

    pipeline: Pipeline[Any]
    url: str
    get: Callable[..., Any]  # get(url, headers=..., timeout=...) -> a response with .status_code and .json()
    errors: tuple[type[Exception], type[Exception]]  # (connection error, timeout) of the client's library


@contextmanager
def _transport(kind: str, pipeline: Pipeline[Any]) -> Iterator[Subject]:
    with ExitStack() as stack:
        if kind == "live":
            url = stack.enter_context(LiveServer(pipeline)).url
        else:
            stack.enter_context(serve(pipeline, Options()))
            url = URL
        if kind == "httpx":
            client = stack.enter_context(httpx.Client())
            yield Subject(pipeline, url, client.get, (httpx.ConnectError, httpx.ReadTimeout))
        else:
            session = stack.enter_context(requests.Session())
            yield Subject(
                pipeline, url, session.get, (requests.exceptions.ConnectionError, requests.exceptions.ReadTimeout)
            )


@pytest.fixture(params=["fake", "canned"])
def handler_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["requests", "httpx", "live"])
def subject(request: pytest.FixtureRequest, handler_kind: str) -> Iterator[Subject]:
    kind = str(request.param)
    sleep = time.sleep if kind == "live" else None  # over real HTTP a delay passes for real
    pipeline = fake_pipeline(sleep=sleep) if handler_kind == "fake" else canned_pipeline(sleep)
    with _transport(kind, pipeline) as served:
        yield served


def test_the_journal_records_route_status_and_credential(subject: Subject) -> None:
    assert subject.get(subject.url + "/api/status").status_code == 200
    subject.get(subject.url + SECRETS + "?environment=dev", headers=TOKEN_HEADERS)
    status, secrets = subject.pipeline.journal.calls
    assert (status.route, status.status, status.auth_mode, status.fault) == ("GET /api/status", 200, None, None)
    assert secrets.path == SECRETS and secrets.request.query == {"environment": "dev"}
    assert secrets.auth_mode == "service_token"
    assert secrets.credential_id == "64a0c4e1f1f1f1f1f1f1f1f1"
    assert secrets.credential == "Bearer st.64a0…(redacted)"
    assert not secrets.authenticated  # the fake knows no such token; the canned handler checks none


def test_assertions_pass_and_fail_alike(subject: Subject) -> None:
    journal = subject.pipeline.journal
    subject.get(subject.url + SECRETS, headers=TOKEN_HEADERS)
    assert len(journal.assert_called("GET", "/api/v3/secrets/*", auth="service_token", times=1)) == 1
    journal.assert_not_called("DELETE")
    with pytest.raises(AssertionError) as missed:
        journal.assert_called("GET", SECRETS, auth="api_key")
    assert str(missed.value).splitlines() == [
        f"Expected GET {SECRETS} with auth api_key to be called at least once, but it was called 0 times.",
        "Calls to the fake (1):",
        f"  1. GET {SECRETS} auth=service_token (Bearer st.64a0…(redacted)) -> {journal.calls[0].status}",
        "Closest calls:",
        f"  1. GET {SECRETS} auth=service_token (Bearer st.64a0…(redacted)) -> {journal.calls[0].status}"
        "  <- same route, other auth mode (service_token)",
    ]


def test_faults_reach_the_client_and_the_journal(subject: Subject) -> None:
    pipeline = subject.pipeline
    connection_error, timeout = subject.errors
    pipeline.fail_next("GET", "/api/status", sequence=[503, "connection", 429, 200])
    first = subject.get(subject.url + "/api/status")
    assert first.status_code == 503 and "text/html" in first.headers["Content-Type"]
    with pytest.raises(connection_error):
        subject.get(subject.url + "/api/status")
    limited = subject.get(subject.url + "/api/status")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert subject.get(subject.url + "/api/status").status_code == 200
    calls = pipeline.journal.calls
    assert [c.fault for c in calls] == ["status 503", "connection error", "status 429", None]
    # the handler saw only the last; the fake still names the route of the others (it can describe a
    # request it did not answer), a table of canned answers cannot
    described = "GET /api/status" if isinstance(pipeline.handler, FakeHandler) else None
    assert [c.route for c in calls] == [described, described, described, "GET /api/status"]
    assert [c.handled for c in calls] == [False, False, False, True]
    assert not any(c.unrouted for c in calls)
    live = pipeline.sleep is not None
    pipeline.fail_next(delay=0.5 if live else 5)
    with pytest.raises(timeout):
        subject.get(subject.url + "/api/status", timeout=0.1 if live else 1)
    deadline = time.monotonic() + 10
    while pipeline.journal.recorded < 5 and time.monotonic() < deadline:  # over HTTP the server is still sleeping
        time.sleep(0.05)
    assert pipeline.journal.calls[-1].fault == ("delay 0.5 s" if live else "delay 5 s")


def test_strict_teardown_checks_read_the_pipeline(subject: Subject) -> None:
    pipeline = subject.pipeline
    assert strict_report(pipeline, Options()) is None
    subject.get(subject.url + "/api/v3/secret")
    pipeline.journal.expect("GET", "/api/v2/service-token")
    pipeline.fail_next("DELETE", status=500)
    report = strict_report(pipeline, Options())
    assert report is not None
    assert "1 request(s) reached no route of the fake Infisical:\n  1. GET /api/v3/secret auth=none -> 404" in report
    assert (
        "1 fault(s) armed with infisical.fail_next() were never triggered:\n  DELETE (any path): status 500 (0 used)"
        in report
    )
    assert (
        "1 expected call(s) declared with infisical.expect() were not made:\n"
        "Expected GET /api/v2/service-token to be called at least once, but it was called 0 times."
    ) in report
    opted_out = Options(allow_unrouted=True, assert_all_expected=False)
    assert strict_report(pipeline, opted_out) is None


# ---- the credential the server read is the one the journal shows ------------------------------------


@pytest.mark.parametrize(
    ("profile", "served_as"),
    [("latest", "api_key"), ("2023", "service_token")],
)
def test_a_request_with_both_headers_is_journaled_as_served(profile: str, served_as: str) -> None:
    """Today's server reads a non-empty X-API-KEY first; the 2023 server read the bearer first."""
    fake = FakeInfisical(profile=profile)
    key: ApiKey = fake.create_api_key()
    token: ServiceToken = fake.create_service_token()
    with serve(fake, Options(profile=profile)):
        response = requests.get(
            URL + "/api/v2/users/me", headers={**key.headers, **token.headers}
        )  # a route for API keys only
    call = fake.calls[0]
    assert call.auth_mode == served_as
    if served_as == "api_key":  # read first, and refused: API keys are retired today
        assert (response.status_code, response.json()["message"]) == (400, RETIRED_API_KEY)
        assert (call.credential_id, call.credential, call.authenticated) == (
            key.id,
            f"ak.{key.id[:4]}…(redacted)",
            False,
        )
        assert call.note == NOTE_API_KEY
    else:
        assert response.status_code in (400, 401, 403)  # a service token may not call /users/me
        assert (call.credential_id, call.credential) == (token.id, f"Bearer st.{token.id[:4]}…(redacted)")
    fake.assert_called("GET", "/api/v2/users/me", auth=served_as, times=1)
    fake.assert_not_called(auth="api_key" if served_as == "service_token" else "service_token")
    fake.assert_all_calls_used(auth=served_as)


@pytest.mark.parametrize("profile", ["latest", "2023"])
def test_a_request_with_both_headers_on_the_secrets_route(profile: str) -> None:
    """Both credentials may read secrets: the answer, the journal and the assertions name the same one."""
    fake = FakeInfisical(profile=profile)
    fake.set_secret("A", "1")
    key = fake.create_api_key()
    token = fake.create_service_token()
    with serve(fake, Options(profile=profile)):
        response = requests.get(
            URL + "/api/v3/secrets/raw",
            params={"workspaceId": fake.project.id, "environment": "dev"},
            headers={**key.headers, **token.headers},
        )
    call = fake.calls[0]
    served_as = "api_key" if profile == "latest" else "service_token"
    assert call.credential_id == (key.id if served_as == "api_key" else token.id)
    fake.assert_called(auth=served_as, times=1)
    fake.assert_not_called(auth="service_token" if served_as == "api_key" else "api_key")
    if profile == "latest":  # today's server reads the API key first, and refuses it
        assert (response.status_code, response.json()["message"]) == (400, RETIRED_API_KEY)
        assert (call.auth_mode, call.authenticated, call.note) == ("api_key", False, NOTE_API_KEY)
        return
    assert response.status_code == 200
    assert call.auth_mode == served_as and call.authenticated and call.note is None
    assert json.loads(response.content)["secrets"][0]["secretKey"] == "A"


def test_a_failed_credential_is_journaled_as_read() -> None:
    """A refusal still names the credential the server read (not authenticated), under its precedence."""
    fake = FakeInfisical(profile="latest")
    token = fake.create_service_token()
    fake.revoke(token)
    with serve(fake, Options()):
        unknown_key = "ak.64a0c4e1f1f1f1f1f1f1f1f1.secret"
        response = requests.get(URL + "/api/v2/service-token", headers={**token.headers, "X-API-KEY": unknown_key})
    assert (response.status_code, response.json()["message"]) == (400, RETIRED_API_KEY)
    call = fake.calls[0]
    assert (call.auth_mode, call.authenticated) == ("api_key", False)  # today's server read the API key first
    assert (call.credential_id, call.credential) == ("64a0c4e1f1f1f1f1f1f1f1f1", "ak.64a0…(redacted)")
    fake.assert_called(auth="api_key", times=1)
