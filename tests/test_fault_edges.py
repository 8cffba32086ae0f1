"""Edges of fault injection: how an armed fault describes itself, what a broken or replaced body
keeps of the handler's answer, the rate limiter's arguments and window boundary, and answers of any
status rendered as the server renders its own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infisical.faults import MALFORMED_BODY, Faults
from pytest_infisical.http import Request, Response
from pytest_infisical.journal import Journal
from pytest_infisical.pipeline import Pipeline
from pytest_infisical.stubs import Stub, Stubs

from .canned import ROUTE, URL, Canned, Clock, canned_pipeline

_pipeline = canned_pipeline


def _get(pipeline: Pipeline[Canned]) -> Response:
    return pipeline.handle(Request("GET", URL + "/api/v1/x"))


def test_an_armed_fault_describes_what_is_left_and_what_was_used() -> None:
    pipeline = _pipeline()
    fault = pipeline.fail_next(when=lambda request: True, sequence=[503, 200, "truncated"])
    assert fault.describe() == "ANY (any path) when(…): status 503, 200, truncated body (0 used)"
    _get(pipeline)
    assert repr(fault) == "<Fault ANY (any path) when(…): 200, truncated body (1 used)>"
    other = pipeline.fail_next("get", "/api/v1/x", status=500)
    assert other.describe() == "GET /api/v1/x: status 500 (0 used)"


def test_a_malformed_body_is_the_same_broken_json_and_keeps_the_answers_headers_and_route() -> None:
    pipeline = _pipeline()
    pipeline.fail_next(body="malformed")
    answer = _get(pipeline)
    assert (answer.status, answer.body, answer.headers["X-Canned"]) == (200, MALFORMED_BODY, "1")
    assert MALFORMED_BODY == b'{"secrets": [{"_id": "64c7", "secretKeyCiphertext": '
    assert pipeline.journal.calls[0].route == ROUTE


@pytest.mark.parametrize(
    ("body", "kept"), [(b'{"canned": true}', b'{"canned'), (b"{}", b"{"), (b"{}\n", b"{"), (b"", b"")]
)
def test_a_truncated_body_is_its_first_half_and_keeps_the_answers_headers_and_route(body: bytes, kept: bytes) -> None:
    pipeline = _pipeline(body)
    pipeline.fail_next(body="truncated")
    answer = _get(pipeline)
    assert (answer.status, answer.body, answer.headers["X-Canned"]) == (200, kept, "1")
    assert pipeline.journal.calls[0].route == ROUTE


def test_a_replaced_body_drops_the_stale_length_and_type_and_keeps_the_rest() -> None:
    pipeline = _pipeline()
    pipeline.fail_next(body="plain words")
    answer = _get(pipeline)
    assert (answer.status, answer.body, answer.headers["X-Canned"]) == (200, b"plain words", "1")
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Length" not in answer.headers
    assert pipeline.journal.calls[0].route == ROUTE


@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (5, 0.0), (5, -1.0)])
def test_a_rate_limit_needs_a_positive_limit_and_window(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="rate limit needs") as raised:
        _pipeline().rate_limit(limit, window)
    assert str(raised.value) == f"rate limit needs limit >= 1 and window > 0, got {limit} per {window} s"


def test_a_rate_limit_window_under_a_second_and_the_default_limit() -> None:
    pipeline = _pipeline()
    pipeline.rate_limit(1, 0.5)
    assert _get(pipeline).status == 200
    assert _get(pipeline).status == 429
    pipeline.rate_limit()
    answer = _get(pipeline)
    assert (answer.headers["RateLimit-Limit"], answer.headers["RateLimit-Remaining"]) == ("350", "349")
    assert answer.headers["RateLimit-Reset"] == "60"


def test_a_rate_limit_window_ends_exactly_at_its_length() -> None:
    pipeline = _pipeline()
    clock = pipeline.clock
    assert isinstance(clock, Clock)
    pipeline.rate_limit(1, 60)
    assert _get(pipeline).status == 200
    clock.advance(59.5)
    limited = _get(pipeline)
    assert (limited.status, limited.headers["RateLimit-Reset"], limited.headers["Retry-After"]) == (429, "1", "1")
    clock.advance(0.5)  # exactly one window after the first request: a new window
    allowed = _get(pipeline)
    assert (allowed.status, allowed.headers["RateLimit-Remaining"]) == (200, "0")
    assert pipeline.journal.calls[-1].route == ROUTE


def test_render_status_puts_any_status_in_the_shape_of_the_servers_own_errors() -> None:
    answer = _pipeline().render_status(404, "Secret not found")
    assert (answer.status, json.loads(answer.body)) == (
        404,
        {"statusCode": 404, "requestId": "r", "message": "Secret not found", "error": "Not Found"},
    )


def test_a_fault_for_one_method_leaves_the_others_alone() -> None:
    pipeline = _pipeline()
    fault = pipeline.fail_next("POST", "/api/v1/x", status=503)
    assert _get(pipeline).status == 200
    assert (fault.remaining, fault.hits) == (1, 0)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_status_is_the_load_balancers_html_page(status: int) -> None:
    pipeline = _pipeline()
    pipeline.fail_next(status=status)
    answer = _get(pipeline)
    phrase = {502: "502 Bad Gateway", 503: "503 Service Unavailable", 504: "504 Gateway Timeout"}[status]
    assert (answer.status, answer.headers["Content-Type"]) == (status, "text/html")
    assert answer.body == (
        f"<html><head><title>{phrase}</title></head><body><center><h1>{phrase}</h1></center></body></html>".encode()
    )
    assert "Retry-After" not in answer.headers


@pytest.mark.parametrize("status", [500, 418, 430])
def test_only_a_429_gets_a_retry_after_unasked(status: int) -> None:
    pipeline = _pipeline()
    pipeline.fail_next(status=status)
    assert "Retry-After" not in _get(pipeline).headers
    pipeline.fail_next(status=429)
    limited = _get(pipeline)
    assert (limited.status, list(limited.headers.raw_items())) == (
        429,
        [("Content-Type", "application/json; charset=utf-8"), ("Retry-After", "1")],
    )


def test_a_given_body_goes_with_the_retry_after_asked_for() -> None:
    pipeline = _pipeline()
    pipeline.fail_next(status=429, retry_after=3, body="slow down")
    answer = _get(pipeline)
    assert (answer.status, answer.body, answer.headers["Retry-After"]) == (429, b"slow down", "3")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (' {"a": 1}', "application/json; charset=utf-8"),
        ("[1]", "application/json; charset=utf-8"),
        ("x{", "text/plain; charset=utf-8"),
    ],
)
def test_a_given_body_is_typed_json_when_it_looks_like_json(body: str, kind: str) -> None:
    pipeline = _pipeline()
    pipeline.fail_next(status=400, body=body)
    assert _get(pipeline).headers["Content-Type"] == kind


def test_the_servers_own_500_renders_as_is() -> None:
    answer = _pipeline().render_status(500, "ignored")
    assert (answer.status, json.loads(answer.body)) == (500, {"statusCode": 500, "requestId": "r"})


def test_a_server_whose_500_is_not_json_still_gets_json_errors_of_other_statuses() -> None:
    pipeline = Pipeline(
        Canned(),
        journal=Journal(),
        faults=Faults(),
        render_error=lambda status, headers: Response(status, {"Content-Type": "text/plain", **headers}, b"oops"),
        clock=Clock(),
    )
    answer = pipeline.render_status(404, "Secret not found")
    assert (answer.status, json.loads(answer.body)) == (
        404,
        {"statusCode": 404, "message": "Secret not found", "error": "Not Found"},
    )


def test_a_fault_for_another_path_leaves_this_one_alone_and_a_fault_keeps_what_it_took() -> None:
    pipeline = _pipeline()
    elsewhere = pipeline.fail_next("GET", "/api/v1/other", status=503)
    here = pipeline.fail_next("GET", "/api/v1/x", status=503)
    request = Request("GET", URL + "/api/v1/x")
    assert pipeline.handle(request).status == 503
    assert (elsewhere.requests, here.requests) == ([], [request])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"sequence": [True]},
            TypeError,
            "a fault step is a status code or one of ('connection', 'timeout', 'malformed', 'truncated'), not True",
        ),
        ({"status": 600}, ValueError, "a fault status must be 200-599, got 600"),
        (
            {"sequence": [503], "delay": 1},
            TypeError,
            "fail_next() takes exactly one of status=, sequence=, error=, body= or delay= "
            "(got sequence, delay; body= may also go with status= or sequence=)",
        ),
        (
            {"error": "timeout", "body": "x"},
            TypeError,
            "fail_next() takes exactly one of status=, sequence=, error=, body= or delay= "
            "(got error, body; body= may also go with status= or sequence=)",
        ),
        ({"status": 500, "body": 5}, TypeError, "fail_next(body=...) takes str or bytes, not int"),
        ({"delay": 0}, ValueError, "delay must be positive, got 0"),
    ],
)
def test_a_bad_fault_says_exactly_what_is_wrong(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        _pipeline().fail_next(**kwargs)
    assert str(raised.value) == message


def test_the_edges_of_what_a_fault_takes() -> None:
    pipeline = _pipeline()
    pipeline.fail_next(sequence=[599, 429, 200], retry_after=7)
    assert _get(pipeline).status == 599
    limited = _get(pipeline)
    assert (limited.status, limited.headers["Retry-After"]) == (429, "7")
    assert _get(pipeline).status == 200
    pipeline.fail_next(delay=0.5)
    assert _get(pipeline).status == 200


def test_a_status_without_a_name_is_an_error_and_a_429_retries_after_a_second() -> None:
    pipeline = _pipeline()
    assert json.loads(pipeline.render_status(430, "odd").body)["error"] == "Error"
    limited = pipeline.render_status(429, "slow down")
    assert (limited.status, limited.headers["Retry-After"]) == (429, "1")
    pipeline.stub("GET", "/api/v1/x", status=429)
    assert _get(pipeline).headers["Retry-After"] == "1"


def test_a_given_sleep_passes_a_delay_and_a_timeout_equal_to_it_is_not_exceeded() -> None:
    slept: list[float] = []
    clock = Clock()
    pipeline = Pipeline(
        Canned(),
        journal=Journal(),
        faults=Faults(),
        render_error=lambda status, headers: Response(status, headers),
        clock=clock,
        sleep=slept.append,
    )
    pipeline.fail_next(delay=2)
    assert pipeline.handle(Request("GET", URL + "/api/v1/x", timeout=2)).status == 200
    assert (slept, clock.now) == ([2.0], 1000.0)


def test_a_pipeline_serves_the_stubs_it_is_given_and_a_crash_as_the_servers_500() -> None:
    class Crashing:
        def handle(self, request: Request) -> Response:
            raise KeyError("a secret value")

    stubs = Stubs()
    pipeline = Pipeline(
        Crashing(),
        journal=Journal(),
        faults=Faults(),
        render_error=lambda status, headers: Response.json_body(status, {"statusCode": status}, headers),
        clock=Clock(),
        stubs=stubs,
    )
    assert pipeline.stubs is stubs
    stubs.add(Stub("GET", "/api/v1/stubbed", json={"stubbed": True}))
    assert pipeline.handle(Request("GET", URL + "/api/v1/stubbed")).json() == {"stubbed": True}
    crashed = pipeline.handle(Request("GET", URL + "/api/v1/x"))
    assert (crashed.status, crashed.json()) == (500, {"statusCode": 500})
    assert pipeline.journal.calls[-1].exception == "KeyError"
