"""Edges of the request journal: the closest calls a failed assertion names, request bodies as
JSON, bodies trimmed past the byte bound, exact bounds, argument checks, and forgetting calls."""

from __future__ import annotations

import hashlib
import re
from typing import Optional

import pytest

from pytest_infisical.errors import UsageError
from pytest_infisical.http import Request, Response, Served
from pytest_infisical.journal import Journal, PathPattern, credential_of, detect_auth_mode

URL = "https://app.infisical.com"
TOKEN = "st.64a0f1e2b3c4d5e6f7a8b9c0.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
SHOWN = "(Bearer st.64a0…(redacted))"


def _record(
    journal: Journal, method: str, path: str, status: int = 200, headers: Optional[dict[str, str]] = None
) -> None:
    journal.record(Request(method, URL + path, BEARER if headers is None else headers), Response(status, {}, b""))


def _failure(excinfo: pytest.ExceptionInfo[AssertionError]) -> list[str]:
    return str(excinfo.value).splitlines()


def test_nearest_calls_name_the_same_path_with_another_method() -> None:
    journal = Journal()
    _record(journal, "GET", "/api/v3/secrets/raw")
    _record(journal, "POST", "/api/v3/secrets/raw/A")
    _record(journal, "GET", "/api/v3/secrets/raw/A", 401, headers={})
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("patch", "/api/v3/secrets/raw/A", auth="service_token")
    assert _failure(raised) == [
        "Expected PATCH /api/v3/secrets/raw/A with auth service_token to be called at least once, "
        "but it was called 0 times.",
        "Calls to the fake (3):",
        f"  1. GET /api/v3/secrets/raw auth=service_token {SHOWN} -> 200",
        f"  2. POST /api/v3/secrets/raw/A auth=service_token {SHOWN} -> 200",
        "  3. GET /api/v3/secrets/raw/A auth=none -> 401",
        "Closest calls:",
        f"  2. POST /api/v3/secrets/raw/A auth=service_token {SHOWN} -> 200  <- same path, other method",
        "  3. GET /api/v3/secrets/raw/A auth=none -> 401  <- same path, other method",
    ]


def test_nearest_calls_name_the_same_route_with_another_auth_mode_then_similar_paths() -> None:
    journal = Journal()
    _record(journal, "GET", "/api/v3/secrets/raw", 401, headers={})
    _record(journal, "GET", "/api/v3/secrets/raw")
    _record(journal, "POST", "/api/v3/secrets/raw")
    _record(journal, "GET", "/api/v3/secrets/raw/A")
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET", "/api/v3/secrets/raw", auth="machine_identity")
    assert _failure(raised)[-5:] == [
        "Closest calls:",
        f"  3. POST /api/v3/secrets/raw auth=service_token {SHOWN} -> 200  <- same path, other method",
        "  1. GET /api/v3/secrets/raw auth=none -> 401  <- same route, other auth mode (none)",
        f"  2. GET /api/v3/secrets/raw auth=service_token {SHOWN} -> 200  <- same route, other auth mode (service_token)",
        f"  4. GET /api/v3/secrets/raw/A auth=service_token {SHOWN} -> 200  <- similar path",
    ]
    # a call made without credentials is what auth="none" asks for: no closest call by auth then
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET", "/api/v3/secrets/raw", auth="none", status=200)
    assert "Closest calls:" in _failure(raised)
    assert not any("other auth mode (none)" in line for line in _failure(raised))


def test_similar_paths_are_of_the_asked_method_the_three_closest_above_three_quarters_alike() -> None:
    journal = Journal()
    for path in ("/api/v3/secrets/raw/AB", "/api/v3/secrets/raw/ABC", "/api/v3/secrets/raw/ABCD"):
        _record(journal, "GET", path)
    _record(journal, "GET", "/api/v3/secrets/raw/ABCDEFG")  # a fourth, less alike
    _record(journal, "DELETE", "/api/v3/secrets/raw/B")  # as alike, but another method
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET", "/api/v3/secrets/raw/A")
    near = _failure(raised)[_failure(raised).index("Closest calls:") + 1 :]
    assert [line.split(" ")[4] for line in near] == [
        "/api/v3/secrets/raw/AB",
        "/api/v3/secrets/raw/ABC",
        "/api/v3/secrets/raw/ABCD",
    ]
    assert all(line.endswith("<- similar path") for line in near)
    # any method: the DELETE is among the closest
    with pytest.raises(AssertionError) as raised:
        journal.assert_called(path="/api/v3/secrets/raw/A")
    near = _failure(raised)[_failure(raised).index("Closest calls:") + 1 :]
    assert f"  5. DELETE /api/v3/secrets/raw/B auth=service_token {SHOWN} -> 200  <- similar path" in near
    assert len(near) == 3
    # two thirds alike is not close enough
    journal = Journal()
    _record(journal, "GET", "/api/v3/secrets/raw/ABCDEFGHIJKLMNOPQRSTU")
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET", "/api/v3/secrets/raw/A")
    assert "Closest calls:" not in _failure(raised)


def test_at_most_five_nearest_calls_each_named_once() -> None:
    journal = Journal()
    for _ in range(7):
        _record(journal, "POST", "/api/v3/secrets/raw/A")
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET", "/api/v3/secrets/raw/A")
    lines = _failure(raised)
    near = lines[lines.index("Closest calls:") + 1 :]
    assert [line.split(".")[0].strip() for line in near] == ["1", "2", "3", "4", "5"]
    # a call that is both "other method" and "similar path" is named once
    journal = Journal()
    _record(journal, "POST", "/api/v3/secrets/raw/A")
    with pytest.raises(AssertionError) as raised:
        journal.assert_called(path="/api/v3/secrets/raw/A", method="GET")
    assert _failure(raised)[-2:] == [
        "Closest calls:",
        f"  1. POST /api/v3/secrets/raw/A auth=service_token {SHOWN} -> 200  <- same path, other method",
    ]


def test_no_nearest_calls_without_a_path_or_with_a_regex() -> None:
    journal = Journal()
    _record(journal, "POST", "/api/v3/secrets/raw/A")
    for path in (None, re.compile(r"/api/v3/secrets/raw/B")):
        with pytest.raises(AssertionError) as raised:
            journal.assert_called("GET", path)
        assert _failure(raised)[-1] == f"  1. POST /api/v3/secrets/raw/A auth=service_token {SHOWN} -> 200"
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET", re.compile(r"/api/v3/secrets/raw/B"))
    assert _failure(raised)[0].startswith("Expected GET /api/v3/secrets/raw/B to be called")


def test_assert_not_called_selects_by_path_and_auth() -> None:
    journal = Journal()
    _record(journal, "GET", "/api/v3/secrets/raw")
    _record(journal, "GET", "/api/v3/secrets/raw/A", 401, headers={})
    journal.assert_not_called("GET", "/api/v3/secrets/raw/B")
    journal.assert_not_called("GET", "/api/v3/secrets/raw/A", auth="service_token")
    with pytest.raises(AssertionError) as raised:
        journal.assert_not_called("GET", auth="none")
    assert _failure(raised) == [
        "Expected GET (any path) with auth none not to be called, but it was called 1 time:",
        "  2. GET /api/v3/secrets/raw/A auth=none -> 401",
    ]


def test_assert_all_calls_used_none_and_checks_its_mode() -> None:
    journal = Journal()
    _record(journal, "GET", "/api/v3/secrets/raw", 401, headers={})
    journal.assert_all_calls_used("none")
    with pytest.raises(ValueError, match="not 'bearer'") as raised:
        journal.assert_all_calls_used("bearer")
    assert str(raised.value) == (
        "auth must be one of api_key, service_token, service_account, machine_identity or 'none', not 'bearer'"
    )
    with pytest.raises(ValueError, match="not 'jwt'"):
        journal.expect("GET", "/api/v3/secrets/raw", auth="jwt")


def test_a_call_reads_its_request_body_as_json() -> None:
    journal = Journal()
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, b'{"secretValue": "1"}'), Response(200, {}))
    journal.record(Request("GET", URL + "/api/v3/secrets/raw", {}), Response(200, {}))
    post, get = journal.calls
    assert post.json() == {"secretValue": "1"}
    assert get.json() == {}


def test_a_trimmed_call_keeps_digests_of_a_transport_error_and_refuses_its_json() -> None:
    journal = Journal(max_bytes=10)
    body = b'{"secretValue": "a value"}'
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, body), None, handled=False, error="refused")
    journal.record(Request("GET", URL + "/api/v3/secrets/raw", {}), Response(200, {}, b"[" + b"1," * 10 + b"1]"))
    post, get = journal.calls
    assert post.response is None and post.request.body == b""
    assert post.trimmed is not None
    assert (post.trimmed.request_sha256, post.trimmed.request_length) == (hashlib.sha256(body).hexdigest(), len(body))
    assert (post.trimmed.response_sha256, post.trimmed.response_length) == (None, 0)
    with pytest.raises(UsageError) as raised:
        post.json()
    assert str(raised.value) == (
        f"call #1: the journal kept only the digest of its {len(body)}-byte body (it bounds the bytes it keeps; "
        "raise the bound with infisical.journal.configure(max_bytes=...))"
    )
    # a trimmed call that had no request body still reads as the empty JSON object
    assert get.trimmed is not None and get.trimmed.request_length == 0
    assert get.json() == {}


def test_bodies_of_exactly_the_byte_bound_are_kept() -> None:
    journal = Journal(max_bytes=10)
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, b"12345"), Response(200, {}, b"67890"))
    (call,) = journal.calls
    assert call.trimmed is None and call.request.body == b"12345"


def test_configure_checks_the_call_bound_too() -> None:
    journal = Journal()
    with pytest.raises(UsageError) as raised:
        journal.configure(max_calls=0)
    assert str(raised.value) == "the journal's max_calls must be a positive int or None, not 0"


def test_clear_forgets_calls_and_unmocked_requests_but_keeps_expectations() -> None:
    journal = Journal(max_bytes=60)
    journal.expect("GET", "/api/v3/secrets/raw", auth="service_token", times=2)
    _record(journal, "GET", "/api/v3/secrets/raw")
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, b"x" * 60), Response(200, {}))
    other = Request("GET", "https://example.com/")
    journal.record_unmocked(other)
    assert journal.unmocked == [other] and journal.recorded == 2
    journal.clear()
    assert (list(journal.calls), journal.unmocked, journal.recorded) == ([], [], 0)
    assert [(e.method, e.path, e.auth, e.times) for e in journal.expectations] == [
        ("GET", "/api/v3/secrets/raw", "service_token", 2)
    ]
    # the byte count starts again from nothing: 60 bytes fit in 60 again
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, b"x" * 60), Response(200, {}))
    (call,) = journal.calls
    assert call.index == 1 and call.trimmed is None


def test_the_2023_rule_reads_the_bearer_before_x_api_key() -> None:
    both = {"X-API-KEY": "ak.0a0b0c0d0e0f101112131415.0123456789abcdef0123456789abcdef", **BEARER}
    assert detect_auth_mode(both) == "service_token"
    assert credential_of(both) == ("64a0f1e2b3c4d5e6f7a8b9c0", "Bearer st.64a0…(redacted)")
    assert credential_of(BEARER) == ("64a0f1e2b3c4d5e6f7a8b9c0", "Bearer st.64a0…(redacted)")


def test_a_call_line_says_what_became_of_it() -> None:
    journal = Journal()
    post = Request("POST", URL + "/api/v3/secrets/raw/A", {}, b"{}")
    journal.record(post, None, handled=False, error="connection refused", fault="connection error")
    journal.record(post, None, handled=False)
    journal.record(post, Response(200, {}), stubbed=True)
    journal.record(post, Response(500, {}), fault="status 500", stubbed=True, exception="KeyError")
    assert [call.describe() for call in journal.calls] == [
        "POST /api/v3/secrets/raw/A auth=none -> connection refused [fault: connection error]",
        "POST /api/v3/secrets/raw/A auth=none -> no response",
        "POST /api/v3/secrets/raw/A auth=none -> 200 [stub]",
        "POST /api/v3/secrets/raw/A auth=none -> 500 [fault: status 500] [stub] [handler raised KeyError]",
    ]


def test_a_call_keeps_what_the_pipeline_recorded() -> None:
    journal = Journal()
    served = Served(route="GET /api/v3/secrets/raw", takes_credentials=True)
    answered = journal.record(Request("GET", URL + "/api/v3/secrets/raw"), Response(200, {}).reporting(served))
    assert (answered.route, answered.handled, answered.error, answered.fault) == (
        "GET /api/v3/secrets/raw",
        True,
        None,
        None,
    )
    assert (answered.stubbed, answered.exception) == (False, None)
    faulted = journal.record(
        Request("GET", URL + "/api/v3/secrets/raw"),
        None,
        handled=False,
        error="timed out",
        fault="timeout error",
        served=served,
        stubbed=True,
        exception="ValueError",
    )
    assert (faulted.handled, faulted.error, faulted.fault, faulted.route) == (
        False,
        "timed out",
        "timeout error",
        "GET /api/v3/secrets/raw",
    )
    assert (faulted.stubbed, faulted.exception) == (True, "ValueError")


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("/api/v3/secrets/raw/:secretName", "/api/v3/secrets/raw/X", True),
        ("/api/v3/folders/:id/X", "/api/v3/folders/abc/X", True),
        ("/api/v3/secrets/raw/[AB]?*", "/api/v3/secrets/raw/A1x", True),
        ("/api/v3/secrets/raw/[AB]?*", "/api/v3/secrets/raw/C1x", False),
    ],
)
def test_path_patterns_at_their_edges(pattern: str, path: str, hit: bool) -> None:
    assert PathPattern(pattern).matches(path) is hit


def test_filter_by_method_and_query_and_compare_as_a_list() -> None:
    journal = Journal()
    journal.record(Request("GET", URL + "/api/v3/secrets/raw?environment=dev"), Response(200, {}))
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A?environment=prod"), Response(200, {}))
    calls = journal.calls
    assert [c.index for c in calls.filter("post")] == [2]
    assert [c.index for c in calls.filter(query={"environment": "dev"})] == [1]
    assert calls == list(calls) and calls[:1] == [calls[0]]
    assert calls != tuple(calls) and calls != None  # noqa: E711 - only lists and call lists compare


def test_a_failure_on_a_json_value_names_no_value() -> None:
    journal = Journal()
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, b"[1, 2]"), Response(200, {}))
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("POST", json=[1, 3])
    assert _failure(raised)[0] == (
        "Expected POST (any path) with a JSON body holding the given a value to be called at least once, "
        "but it was called 0 times."
    )
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("POST", json={"secretValue": "1", "type": "shared"})
    assert "holding the given keys: secretValue, type to be called" in _failure(raised)[0]


def test_a_failure_lists_the_last_twenty_calls() -> None:
    journal = Journal()
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET")
    assert _failure(raised)[1:] == ["Calls to the fake (0):", "  (none)"]
    for _ in range(20):
        _record(journal, "POST", "/api/v3/secrets/raw/A")
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET")
    lines = _failure(raised)
    assert lines[1] == "Calls to the fake (20):" and lines[2].startswith("  1. POST")
    _record(journal, "POST", "/api/v3/secrets/raw/A")
    _record(journal, "POST", "/api/v3/secrets/raw/A")
    with pytest.raises(AssertionError) as raised:
        journal.assert_called("GET")
    lines = _failure(raised)
    assert lines[1:4] == [
        "Calls to the fake (22):",
        "  … 2 earlier calls not shown",
        f"  3. POST /api/v3/secrets/raw/A auth=service_token {SHOWN} -> 200",
    ]
    assert len(lines) == 2 + 1 + 20


def test_the_smallest_bounds_and_no_byte_bound() -> None:
    journal = Journal(max_calls=1, max_bytes=1)
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, b"1"), Response(200, {}))
    journal.record(Request("POST", URL + "/api/v3/secrets/raw/B", {}, b"2"), Response(200, {}))
    (call,) = journal.calls
    assert (call.index, call.trimmed, call.request.body) == (2, None, b"2")
    with pytest.raises(UsageError) as raised:
        Journal(max_bytes=0)
    assert str(raised.value) == "the journal's max_bytes must be a positive int or None, not 0"
    unbounded = Journal(max_bytes=None)
    unbounded.record(Request("POST", URL + "/api/v3/secrets/raw/A", {}, b"x" * 1000), Response(200, {}))
    assert unbounded.calls[0].trimmed is None


def test_trimming_stops_once_the_rest_fills_the_bound_exactly() -> None:
    journal = Journal(max_bytes=10)
    for name in ("A", "B", "C"):
        journal.record(Request("POST", URL + f"/api/v3/secrets/raw/{name}", {}, b"12345"), Response(200, {}))
    assert [call.trimmed is None for call in journal.calls] == [False, True, True]
    journal.configure(max_bytes=5)
    assert [call.trimmed is None for call in journal.calls] == [False, False, True]
