"""The journal's selection criteria (status, JSON body, query), the "too many" failures, and its bounds."""

from __future__ import annotations

import hashlib
import json

import pytest

from pytest_infisical.errors import UsageError
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Request, Response
from pytest_infisical.journal import Journal, json_subset

URL = "https://app.infisical.com"


def _post(fake: FakeInfisical, path: str, payload: object, headers: dict[str, str]) -> Response:
    body = json.dumps(payload).encode()
    return fake.handle(Request("POST", URL + path, {**headers, "Content-Type": "application/json"}, body))


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical()
    token = fake.create_service_token(permissions=("read", "write"))
    project, env = fake.project.id, "dev"
    for name, value in (("A", "1"), ("B", "2")):
        body = {"workspaceId": project, "environment": env, "secretValue": value, "type": "shared"}
        assert _post(fake, f"/api/v3/secrets/raw/{name}", body, token.headers).status == 200
    query = f"?workspaceId={project}&environment={env}"
    fake.handle(Request("GET", URL + "/api/v3/secrets/raw" + query, token.headers))
    fake.handle(Request("GET", URL + "/api/v3/secrets/raw/NOPE" + query, token.headers))
    return fake


def test_json_subset_rule() -> None:
    assert json_subset({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}, "d": 3})
    assert not json_subset({"a": {"b": 1}}, {"a": {"b": 2}})
    assert not json_subset({"a": 1}, {"b": 1})
    assert json_subset({"l": [1, 2]}, {"l": [1, 2]})
    assert not json_subset({"l": [1]}, {"l": [1, 2]})  # lists are compared whole
    assert not json_subset({"a": True}, {"a": 1})  # JSON true is not 1
    assert not json_subset({"a": 1}, [1])


def test_filter_and_assert_by_json_query_and_status(fake: FakeInfisical) -> None:
    posts = fake.calls.filter("POST", json={"secretValue": "2"})
    assert [c.path for c in posts] == ["/api/v3/secrets/raw/B"]
    fake.assert_called("POST", "/api/v3/secrets/raw/:secretName", json={"type": "shared"}, times=2)
    fake.assert_called("GET", query={"environment": "dev"}, times=2)
    fake.assert_called("GET", "/api/v3/secrets/raw/:secretName", status=404, times=1)
    fake.assert_not_called("GET", status=500)
    fake.assert_not_called("POST", json={"secretValue": "3"})
    fake.assert_not_called(query={"environment": "prod"})
    assert len(fake.calls.filter(json={})) == 2  # every JSON body holds the empty subset; GETs have none


def test_assert_called_too_many_names_the_criteria_never_a_value(fake: FakeInfisical) -> None:
    with pytest.raises(AssertionError) as raised:
        fake.assert_called("POST", "/api/v3/secrets/raw/:secretName", json={"type": "shared"}, times=1)
    lines = str(raised.value).splitlines()
    assert lines[0] == (
        "Expected POST /api/v3/secrets/raw/:secretName with a JSON body holding the given keys: type"
        " to be called 1 time, but it was called 2 times."
    )
    assert lines[1] == "Calls to the fake (4):"


def test_assert_called_with_status_and_query_too_many(fake: FakeInfisical) -> None:
    with pytest.raises(AssertionError) as raised:
        fake.assert_called("GET", query={"environment": "dev", "token": "st.0123456789abcdef0123"}, status=200, times=1)
    headline = str(raised.value).splitlines()[0]
    assert headline == (
        "Expected GET (any path) with status 200, query ?environment=dev&token=st.0123…(redacted)"
        " to be called 1 time, but it was called 0 times."
    )
    with pytest.raises(AssertionError) as raised:
        fake.assert_called(status=200, times=1)
    assert str(raised.value).splitlines()[0] == (
        "Expected ANY (any path) with status 200 to be called 1 time, but it was called 3 times."
    )


def test_assert_not_called_too_many_lists_the_calls(fake: FakeInfisical) -> None:
    with pytest.raises(AssertionError) as raised:
        fake.assert_not_called("POST", json={"type": "shared"})
    lines = str(raised.value).splitlines()
    assert lines[0] == (
        "Expected POST (any path) with a JSON body holding the given keys: type not to be called,"
        " but it was called 2 times:"
    )
    assert len(lines) == 3 and "1. POST /api/v3/secrets/raw/A" in lines[1]
    assert "secretValue" not in str(raised.value)


def test_assert_all_calls_used_too_many_others(fake: FakeInfisical) -> None:
    fake.handle(Request("GET", URL + "/api/v3/secrets/raw?environment=dev"))
    with pytest.raises(AssertionError) as raised:
        fake.assert_all_calls_used("service_token")
    lines = str(raised.value).splitlines()
    assert lines[0] == "Expected every call to use auth service_token, but 1 did not:"
    assert lines[1].startswith("  5. GET /api/v3/secrets/raw?environment=dev auth=none -> 401")


def _call(journal: Journal, size: int, fill: bytes = b"x") -> None:
    request = Request("POST", URL + "/api/v3/secrets/raw/A", {}, fill * size)
    journal.record(request, Response(200, {}, b"y" * size))


def test_the_journal_bounds_its_body_bytes_keeping_digests() -> None:
    journal = Journal(max_bytes=1000)
    for fill in (b"a", b"b", b"c"):
        _call(journal, 200, fill)  # 400 bytes each: the oldest must go
    first, second, third = journal.calls
    assert first.trimmed is not None and second.trimmed is None and third.trimmed is None
    assert (first.trimmed.request_sha256, first.trimmed.request_length) == (hashlib.sha256(b"a" * 200).hexdigest(), 200)
    assert (first.trimmed.response_sha256, first.trimmed.response_length) == (
        hashlib.sha256(b"y" * 200).hexdigest(),
        200,
    )
    assert first.request.body == b"" and first.response is not None and first.response.body == b""
    assert third.request.body == b"c" * 200
    with pytest.raises(UsageError, match=r"call #1: the journal kept only the digest of its 200-byte body"):
        first.json()
    assert journal.calls.filter(json={}) == []  # none of them is JSON, and a trimmed one never matches


def test_a_single_call_over_the_bound_keeps_only_its_digest() -> None:
    journal = Journal(max_bytes=100)
    _call(journal, 60)
    (call,) = journal.calls
    assert call.trimmed is not None and call.trimmed.request_length == 60


def test_the_count_bound_and_the_byte_bound_together() -> None:
    journal = Journal(max_calls=3, max_bytes=1000)
    for _ in range(10):
        _call(journal, 100)
    assert [c.index for c in journal.calls] == [8, 9, 10]
    assert all(c.trimmed is None for c in journal.calls)
    assert journal._full_bytes == 600  # the calls the count bound dropped no longer count


def test_configure_applies_to_what_is_kept_and_is_checked() -> None:
    journal = Journal()
    for _ in range(5):
        _call(journal, 100)
    journal.configure(max_calls=4, max_bytes=450)
    kept = [(c.index, c.trimmed is None) for c in journal.calls]
    assert kept == [(2, False), (3, False), (4, True), (5, True)]  # 2 x 200 bytes fit in 450, not 3
    with pytest.raises(UsageError, match=r"the journal's max_bytes must be a positive int or None, not 0"):
        journal.configure(max_bytes=0)
    with pytest.raises(UsageError, match=r"the journal's max_calls must be a positive int or None, not True"):
        Journal(max_calls=True)


def test_the_default_bounds() -> None:
    journal = Journal()
    assert (journal._calls.maxlen, journal.max_bytes) == (10_000, 64 * 1024 * 1024)
