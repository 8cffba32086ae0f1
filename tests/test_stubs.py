"""``infisical.stub``: one-off answers before the fake, journaled, checked at strict teardown."""

from __future__ import annotations

import json
from typing import Optional

import pytest

from pytest_infisical.errors import UsageError
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Request, Response
from pytest_infisical.pipeline import Pipeline

URL = "https://app.infisical.com"


def _get(fake: FakeInfisical, path: str, headers: Optional[dict[str, str]] = None) -> Response:
    return fake.handle(Request("GET", URL + path, headers or {}))


def test_a_fixed_json_answer_then_the_fake_again() -> None:
    fake = FakeInfisical()
    stub = fake.stub("GET", "/api/status", json={"message": "down for maintenance"}, headers={"X-Stub": "1"}, times=1)
    first, second = _get(fake, "/api/status"), _get(fake, "/api/status")
    assert (first.status, first.json(), first.headers["X-Stub"]) == (200, {"message": "down for maintenance"}, "1")
    assert second.json() != first.json() and "X-Stub" not in second.headers
    assert (stub.hits, len(stub.requests), stub.remaining) == (1, 1, 0)
    first_call, second_call = fake.calls
    assert (first_call.stubbed, second_call.stubbed) == (True, False)
    assert first_call.describe() == "GET /api/status auth=none -> 200 [stub]"
    assert first_call.route == "GET /api/status"  # what the fake would have answered with


@pytest.mark.parametrize("profile", ["latest", "2023"])
def test_a_status_alone_renders_as_the_profile_renders_its_errors(profile: str) -> None:
    fake = FakeInfisical(profile=profile)
    fake.stub("GET", "/api/v3/secrets/raw/:secretName", status=403)
    body = _get(fake, "/api/v3/secrets/raw/DB?environment=dev").json()
    expected = {"statusCode": 403, "message": "Stubbed by pytest-infisical", "error": "Forbidden"}
    if profile == "latest":
        assert body.pop("reqId").startswith("req-")
    assert body == expected


def test_a_body_as_given_and_a_glob_or_regex_path() -> None:
    fake = FakeInfisical()
    fake.stub("*", "/api/v3/secrets/*", status=502, body="<html>bad gateway</html>")
    answer = _get(fake, "/api/v3/secrets/raw")
    assert (answer.status, answer.body, answer.headers["Content-Type"]) == (
        502,
        b"<html>bad gateway</html>",
        "text/plain; charset=utf-8",
    )


def test_a_callback_answers_or_lets_the_fake_answer() -> None:
    fake = FakeInfisical()
    seen: list[str] = []

    def flaky(request: Request) -> Optional[Response]:
        seen.append(request.target)
        return Response.json_body(503, {"retry": True}) if len(seen) == 1 else None

    stub = fake.stub("GET", "/api/status", callback=flaky)
    assert _get(fake, "/api/status").status == 503
    assert _get(fake, "/api/status").status == 200
    assert (stub.hits, len(stub.requests), seen) == (1, 2, ["/api/status", "/api/status"])
    assert [c.stubbed for c in fake.calls] == [True, False]


def test_the_newest_stub_wins() -> None:
    fake = FakeInfisical()
    fake.stub("GET", "/api/status", json={"n": 1})
    fake.stub("GET", "/api/status", json={"n": 2})
    assert _get(fake, "/api/status").json() == {"n": 2}


def test_stubs_work_for_any_handler() -> None:
    from pytest_infisical.faults import Faults
    from pytest_infisical.journal import Journal

    class Canned:
        def handle(self, request: Request) -> Response:
            return Response.json_body(200, {"canned": True})

    class Clock:
        def timestamp(self) -> float:
            return 0.0

        def advance(self, seconds: float) -> None:
            pass

    pipeline = Pipeline(
        Canned(),
        journal=Journal(),
        faults=Faults(),
        render_error=lambda status, headers: Response.json_body(status, {"statusCode": status}, headers),
        clock=Clock(),
    )
    pipeline.stub("POST", "/api/v1/x", status=418)
    assert json.loads(pipeline.handle(Request("POST", URL + "/api/v1/x")).body) == {
        "statusCode": 418,
        "message": "Stubbed by pytest-infisical",
        "error": "I'm a Teapot",
    }
    assert pipeline.handle(Request("GET", URL + "/api/v1/x")).json() == {"canned": True}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": {}, "body": "x"}, r"stub\(\) takes json= or body=, not both"),
        ({"status": 700}, r"stub\(status=...\) takes a status code 100-599, not 700"),
        ({"times": 0}, r"stub\(times=...\) takes a positive int or None \(unlimited\), not 0"),
        (
            {"callback": print, "status": 500},
            r"stub\(callback=...\) answers by itself: give no status=, json= or body= with it",
        ),
    ],
)
def test_bad_stubs_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        FakeInfisical().stub("GET", "/api/status", **kwargs)  # type: ignore[arg-type]


def test_a_callback_returning_something_else_is_a_usage_error() -> None:
    fake = FakeInfisical()
    fake.stub("GET", "/api/status", callback=lambda request: {"status": 200})  # type: ignore[arg-type,return-value]
    with pytest.raises(
        UsageError, match=r"a stub callback returns a pytest_infisical\.http\.Response or None, not dict"
    ):
        _get(fake, "/api/status")


def test_an_unused_stub_fails_strict_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        def test_unused(infisical):
            infisical.stub("GET", "/api/v3/secrets/raw/:secretName", status=503)
            requests.get("https://app.infisical.com/api/status")

        def test_used(infisical):
            infisical.stub("GET", "/api/status", json={"ok": True})
            assert requests.get("https://app.infisical.com/api/status").json() == {"ok": True}

        @pytest.mark.infisical(assert_all_expected=False)
        def test_opt_out(infisical):
            infisical.stub("GET", "/api/status", status=503)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unused*",
            "*pytest-infisical: 1 stub(s) set with infisical.stub() never matched a request:",
            "*  GET /api/v3/secrets/raw/:secretName -> 503 (0 used)",
            "*Did the client call that route? Remove the stub, or opt out with "
            "@pytest.mark.infisical(assert_all_expected=False).",
        ]
    )
