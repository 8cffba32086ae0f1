"""The pipeline under bad input and handler bugs, and what failure output shows of a request."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.harness import Options, live
from pytest_infisical.http import Request, Response

URL = "https://app.infisical.com"
HOSTILE_BODIES = {
    "lone surrogate": b'{"workspaceId": "x", "environment": "dev", "secretValue": "\\ud800"}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
}


def _bad_json_answer(profile: str) -> dict[str, object]:
    """What each profile answers for a body that is not JSON at all (measured on the real servers)."""
    fake = FakeInfisical(profile=profile)
    token = fake.create_service_token(permissions=("read", "write"))
    headers = {**token.headers, "Content-Type": "application/json"}
    answer = fake.handle(Request("POST", URL + "/api/v3/secrets/raw/A", headers, b"{not json"))
    body = answer.json()
    body.pop("reqId", None)
    return {"status": answer.status, **body}


@pytest.mark.parametrize("profile", ["latest", "2023"])
@pytest.mark.parametrize("kind", sorted(HOSTILE_BODIES))
def test_hostile_json_gets_the_profiles_bad_json_answer_not_a_crash(profile: str, kind: str) -> None:
    fake = FakeInfisical(profile=profile)
    token = fake.create_service_token(permissions=("read", "write"))
    headers = {**token.headers, "Content-Type": "application/json"}
    answer = fake.handle(Request("POST", URL + "/api/v3/secrets/raw/A", headers, HOSTILE_BODIES[kind]))
    body = answer.json()
    body.pop("reqId", None)
    assert {"status": answer.status, **body} == _bad_json_answer(profile)
    (call,) = fake.calls
    assert call.exception is None
    assert fake.secrets() == {}


@pytest.mark.parametrize("kind", sorted(HOSTILE_BODIES))
def test_hostile_json_over_the_live_server(kind: str) -> None:
    import requests

    with live(Options()) as fake:
        token = fake.create_service_token(permissions=("read", "write"))
        headers = {**token.headers, "Content-Type": "application/json"}
        answer = requests.post(
            fake.url + "/api/v3/secrets/raw/A", data=HOSTILE_BODIES[kind], headers=headers, timeout=10
        )
        body = answer.json()
        assert body.pop("reqId").startswith("req-")
        assert {"status": answer.status_code, **body} == _bad_json_answer("latest")
        assert fake.calls[-1].exception is None


@pytest.mark.parametrize("profile", ["latest", "2023"])
def test_the_live_servers_own_answers_render_through_the_profile(profile: str) -> None:
    with live(Options(profile=profile)) as fake:
        host, port = fake.url.rsplit("/", 1)[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"POST /api/v3/secrets/raw/A HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
            raw = b""
            while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                raw += chunk
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    body = json.loads(payload)
    if profile == "latest":
        assert body.pop("reqId").startswith("req-")
    assert body == {"statusCode": 400, "message": "invalid Content-Length", "error": "Bad Request"}


def test_a_handler_exception_is_the_servers_500_with_its_type_only() -> None:
    fake = FakeInfisical()

    def broken(request: Request) -> Response:
        raise KeyError("st.0123456789abcdef01234567.secretpart")

    fake.handler.handle = broken  # type: ignore[method-assign]
    answer = fake.handle(Request("GET", URL + "/api/status"))
    body = answer.json()
    assert body.pop("reqId").startswith("req-")
    assert (answer.status, body) == (
        500,
        {"statusCode": 500, "message": "Something went wrong", "error": "InternalServerError"},
    )
    (call,) = fake.calls
    assert (call.exception, call.describe()) == (
        "KeyError",
        "GET /api/status auth=none -> 500 [handler raised KeyError]",
    )


CRASH_AND_LEAKS = """
import requests
from pytest_infisical.http import Response

URL = "https://app.infisical.com"

def test_crash(infisical):
    def broken(request):
        raise ValueError("the project key is 0123456789abcdef0123456789abcdef")
    infisical.handler.handle = broken
    assert requests.get(URL + "/api/status").status_code == 500

def test_leaky_urls(infisical):
    requests.get(URL + "/api/v3/secretz?environment=dev&token=st.64a0c3e2f1b4a5d6e7f80912.0123456789abcdef")
    try:
        requests.get("https://example.org/hook?key=0123456789abcdef0123456789abcdef&environment=dev")
    except requests.RequestException:
        pass
"""


def test_strict_teardown_reports_a_crash_and_never_prints_a_secret(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CRASH_AND_LEAKS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_crash _*",
            "pytest-infisical: the fake Infisical raised an unexpected exception on 1 request(s), answered with a 500:",
            "  1. GET /api/status auth=none -> 500 [handler raised ValueError]",
            "This is a bug in pytest-infisical (or in the handler it serves): please report it.",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_leaky_urls _*",
            "pytest-infisical: 1 request(s) reached no route of the fake Infisical:",
            "  1. GET /api/v3/secretz?environment=dev&token=st.64a0…(redacted) auth=none -> 404",
            "*",
            "pytest-infisical: 1 request(s) went to a host the fake does not serve and were refused "
            "(the client may have swallowed the error):",
            "  GET https://example.org/hook?key=0123…(redacted)&environment=dev",
        ]
    )
    output = result.stdout.str()
    for secret in ("0123456789abcdef0123456789abcdef", "e7f80912.0123456789abcdef", "the project key"):
        assert secret not in output


def test_the_2023_profile_does_not_echo_an_odd_authorization_scheme() -> None:
    fake = FakeInfisical(profile="2023")
    secret_like = "st.64a0c3e2f1b4a5d6e7f80912.0123456789abcdef"
    for header, shown in ((f"{secret_like} x", "st.64a0…(redacted)"), ("Token abc", "Token")):
        answer = fake.handle(Request("GET", URL + "/api/v3/secrets/raw?environment=dev", {"Authorization": header}))
        assert answer.json()["message"] == f"The provided authentication type '{shown}' is not supported."


@pytest.mark.parametrize("profile", ["latest", "2023"])
def test_serves_own_answers_render_through_the_profile(tmp_path: Path, profile: str) -> None:
    from .serving import start, stop

    served = start(tmp_path, "--profile", profile)
    try:
        host, port = served.url.rsplit("/", 1)[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n")
            raw = b""
            while not raw.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                raw += chunk
    finally:
        stop(served)
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    body = json.loads(payload)
    assert ("reqId" in body) == (profile == "latest")
    assert (body["statusCode"], body["error"]) == (400, "Bad Request")
