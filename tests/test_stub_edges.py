"""Edges of stubs: the arguments a stub takes, what a stub answers and keeps, how it describes itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infisical.errors import UsageError
from pytest_infisical.http import Request
from pytest_infisical.stubs import Stub

from .canned import URL, canned_pipeline

_pipeline = canned_pipeline


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "message"),
    [
        ("", "/api/status", {}, "stub() takes an HTTP method such as 'GET' (or '*'), not ''"),
        (5, "/api/status", {}, "stub() takes an HTTP method such as 'GET' (or '*'), not 5"),
        ("GET", None, {}, "stub() takes a path: exact, a ':param' template, a glob or a compiled regex"),
        ("GET", "/api/status", {"status": "200"}, "stub(status=...) takes a status code 100-599, not '200'"),
        ("GET", "/api/status", {"status": 99}, "stub(status=...) takes a status code 100-599, not 99"),
        ("GET", "/api/status", {"status": 600}, "stub(status=...) takes a status code 100-599, not 600"),
        ("GET", "/api/status", {"json": {}, "body": "x"}, "stub() takes json= or body=, not both"),
    ],
)
def test_a_bad_stub_says_exactly_what_is_wrong(method: Any, path: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        Stub(method, path, **kwargs)
    assert str(raised.value) == message


def test_the_status_range_includes_both_ends() -> None:
    assert (Stub("GET", "/api/status", status=100).status, Stub("GET", "/api/status", status=599).status) == (100, 599)


def test_a_stub_without_an_answer_is_an_empty_200_with_its_headers() -> None:
    pipeline = _pipeline()
    stub = pipeline.stub("GET", "/api/v1/x", headers={"X-Stub": "1"})
    request = Request("GET", URL + "/api/v1/x")
    first, second = pipeline.handle(request), pipeline.handle(request)
    assert (first.status, first.body, first.headers["X-Stub"]) == (200, b"", "1")
    assert (second.status, second.body) == (200, b"")
    assert (stub.hits, stub.requests) == (2, [request, request])
    assert repr(stub) == "<Stub GET /api/v1/x -> 200 (2 used)>"


def test_a_stubbed_status_without_a_body_keeps_its_headers() -> None:
    pipeline = _pipeline()
    pipeline.stub("GET", "/api/v1/empty", status=204, headers={"X-Stub": "1"})
    pipeline.stub("GET", "/api/v1/down", status=503, headers={"Retry-After": "5"})
    pipeline.stub("GET", "/api/v1/text", status=202, body="accepted", headers={"X-Stub": "2"})
    empty = pipeline.handle(Request("GET", URL + "/api/v1/empty"))
    assert (empty.status, empty.body, empty.headers["X-Stub"]) == (204, b"", "1")
    down = pipeline.handle(Request("GET", URL + "/api/v1/down"))
    assert (down.status, down.headers["Retry-After"]) == (503, "5")
    text = pipeline.handle(Request("GET", URL + "/api/v1/text"))
    assert (text.status, text.body, text.headers["X-Stub"]) == (202, b"accepted", "2")


def test_a_400_without_a_body_is_rendered_as_the_servers_own_error() -> None:
    pipeline = _pipeline()
    pipeline.stub("POST", "/api/v1/x", status=400)
    answer = pipeline.handle(Request("POST", URL + "/api/v1/x"))
    assert (answer.status, json.loads(answer.body)) == (
        400,
        {"statusCode": 400, "requestId": "r", "message": "Stubbed by pytest-infisical", "error": "Bad Request"},
    )


def test_a_callback_stub_describes_itself_as_a_callback() -> None:
    pipeline = _pipeline()
    stub = pipeline.stub("*", "/api/v1/*", callback=lambda request: None)
    pipeline.handle(Request("DELETE", URL + "/api/v1/x"))
    assert stub.describe() == "* /api/v1/* -> callback (1 used)"
    assert pipeline.stub("GET", "/api/v1/y", status=503).describe() == "GET /api/v1/y -> 503 (0 used)"


def test_a_stub_answers_200_unless_told() -> None:
    assert Stub("GET", "/api/status").status == 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"callback": print, "json": {}},
            "stub(callback=...) answers by itself: give no status=, json= or body= with it",
        ),
        (
            {"callback": print, "body": "x"},
            "stub(callback=...) answers by itself: give no status=, json= or body= with it",
        ),
        ({"times": True}, "stub(times=...) takes a positive int or None (unlimited), not True"),
        ({"times": "2"}, "stub(times=...) takes a positive int or None (unlimited), not '2'"),
        ({"body": 5}, "stub(body=...) takes str or bytes, not int"),
    ],
)
def test_more_bad_stubs_say_exactly_what_is_wrong(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        Stub("GET", "/api/status", **kwargs)
    assert str(raised.value) == message


def test_a_stubbed_body_takes_the_content_type_given() -> None:
    pipeline = _pipeline()
    pipeline.stub("GET", "/api/v1/x", body="{}", headers={"Content-Type": "application/octet-stream"})
    answer = pipeline.handle(Request("GET", URL + "/api/v1/x"))
    assert list(answer.headers.raw_items()) == [("Content-Type", "application/octet-stream")]
