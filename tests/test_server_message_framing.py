"""How the live server frames its answers and reads HTTP/1.1's framing of requests, byte for byte.

Expectations come from HTTP/1.1 (RFC 9110, RFC 9112) and docs/limits.md: ``HEAD`` gets the headers,
with the ``Content-Length`` the body would have, and no body (RFC 9110 §9.3.2); a ``204`` carries
neither (§8.6, §15.3.5) and a ``304`` no body (§15.4.5); an HTTP/1.1 connection persists unless
``close`` is given, an HTTP/1.0 one only with ``keep-alive`` (RFC 9112 §9.3); ``Expect:
100-continue`` is case-insensitive and ignored in an HTTP/1.0 request (RFC 9110 §10.1.1); transfer
coding names are case-insensitive (RFC 9112 §7); a recipient may take a bare LF as a line end
(RFC 9112 §2.2) and ignores empty lines before a request line (§2.2); a field value is read without
its surrounding whitespace (RFC 9112 §5). The server owns the framing: it sends one
``Content-Length`` of the body it sends and its own ``Connection``, whatever the handler set.
"""

from __future__ import annotations

import email.utils
import re
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Optional

import pytest

from pytest_infisical.http import Request, Response
from pytest_infisical.transports.server import LiveServer

from .wire import Answer, Recording, Wire, request

BODY = b'{"message":"a body of 34 bytes..."}'


@pytest.fixture
def handler() -> Recording:
    return Recording(Response(200, {"Content-Type": "application/json"}, BODY))


@pytest.fixture
def live(handler: Recording) -> Iterator[LiveServer]:
    with LiveServer(handler) as server:
        yield server


def one_answer_then_close(server: LiveServer, data: bytes, head_only: bool = False) -> tuple[Answer, bytes]:
    """The answer to ``data``, and every byte the server sent after it before closing."""
    with Wire(server) as wire:
        answer = wire.send(data).answer(head_only=head_only)
        return answer, wire.rest()


# ------------------------------------------------------------------------------- HEAD, 204, 304


def test_head_gets_the_get_headers_and_not_one_byte_of_body(live: LiveServer) -> None:
    answer, after = one_answer_then_close(live, request("HEAD", "/x", "Connection: close"), head_only=True)
    assert answer.status == 200
    assert answer.header("Content-Length") == str(len(BODY))
    assert answer.header("Content-Type") == "application/json"
    assert after == b""


def test_head_on_a_kept_alive_connection_leaves_the_next_answer_intact(live: LiveServer) -> None:
    with Wire(live) as wire:
        wire.send(request("HEAD", "/x") + request("GET", "/y"))  # pipelined: a HEAD body would come first
        assert wire.answer(head_only=True).status == 200
        second = wire.answer()
    assert (second.status, second.body) == (200, BODY)


@pytest.mark.parametrize("status", [204, 304])
def test_a_204_or_304_goes_out_without_a_body(status: int) -> None:
    with LiveServer(Recording(Response(status, {"ETag": '"v1"'}, b"never sent"))) as server, Wire(server) as wire:
        wire.send(request("GET", "/x") + request("GET", "/x", "Connection: close"))
        first = wire.answer(head_only=True)
        second = wire.answer(head_only=True)
        after = wire.rest()
    assert (first.status, second.status) == (status, status)
    assert first.values("Content-Length") == [] and first.header("ETag") == '"v1"'
    assert after == b""


# ------------------------------------------------------------------------------- the server owns framing


def test_framing_headers_of_the_handler_are_replaced_by_the_servers() -> None:
    sent = Response(
        200,
        [
            ("content-LENGTH", "999"),
            ("Transfer-Encoding", "chunked"),
            ("CONNECTION", "close"),
            ("Keep-Alive", "timeout=1"),
            ("X-Kept", "yes"),
        ],
        b"four",
    )
    with LiveServer(Recording(sent)) as server, Wire(server) as wire:
        answer = wire.send(request("GET", "/x")).answer()
        assert wire.send(request("GET", "/x", "Connection: close")).answer().body == b"four"
    assert answer.values("Content-Length") == ["4"] and answer.body == b"four"
    assert answer.values("Transfer-Encoding") == []
    assert answer.values("Connection") == ["keep-alive"]
    assert answer.values("Keep-Alive") == ["timeout=72"]
    assert answer.values("X-Kept") == ["yes"]


def test_every_answer_is_dated_in_the_http_date_format(live: LiveServer) -> None:
    answer, _ = one_answer_then_close(live, request("GET", "/x", "Connection: close"))
    # IMF-fixdate, RFC 9110 §5.6.7: Sun, 06 Nov 1994 08:49:37 GMT
    days, months = "Mon|Tue|Wed|Thu|Fri|Sat|Sun", "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    pattern = rf"({days}), \d\d ({months}) \d{{4}} \d\d:\d\d:\d\d GMT"
    assert re.fullmatch(pattern, answer.header("Date")), answer.header("Date")


def test_the_date_is_gmt_whatever_the_local_time_zone(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", "IST-5:30")  # five and a half hours east of GMT
    time.tzset()
    try:
        answer, _ = one_answer_then_close(live, request("GET", "/x", "Connection: close"))
    finally:
        monkeypatch.undo()
        time.tzset()
    sent = email.utils.parsedate_to_datetime(answer.header("Date"))
    assert abs((sent - datetime.now(timezone.utc)).total_seconds()) < 3600  # the same hour, give or take


def test_a_head_whose_answer_cannot_be_sent_gets_the_500_without_a_body() -> None:
    euro = Response(200, {"X-Price": "10 \u20ac"}, b"ok")
    with LiveServer(Recording(euro)) as server:
        answer, after = one_answer_then_close(server, request("HEAD", "/x", "Connection: close"), head_only=True)
    assert answer.status == 500 and int(answer.header("Content-Length")) > 0
    assert after == b""


@pytest.mark.parametrize(("idle", "advertised"), [(1.0, ["timeout=1"]), (2.9, ["timeout=2"]), (0.9, [])])
def test_keep_alive_advertises_whole_seconds_never_more_than_the_idle_timeout(
    idle: float, advertised: list[str]
) -> None:
    with LiveServer(Recording(), idle_timeout=idle) as server, Wire(server) as wire:
        answer = wire.send(request("GET", "/x")).answer()
    assert answer.values("Connection") == ["keep-alive"]
    assert answer.values("Keep-Alive") == advertised


def test_a_response_header_that_cannot_be_sent_becomes_the_servers_500() -> None:
    euro = Response(200, {"X-Price": "10 \u20ac"}, b"ok")  # not latin-1: no byte form on the wire
    with LiveServer(Recording(euro)) as server, Wire(server) as wire:
        answer = wire.send(request("GET", "/x")).answer()
        again = wire.send(request("GET", "/x", "Connection: close")).answer()
    assert answer.status == 500 and answer.values("X-Price") == []
    assert answer.json() == {
        "statusCode": 500,
        "message": "the server produced an invalid response",
        "error": "Internal Server Error",
    }
    assert answer.values("Connection") == ["keep-alive"] and again.status == 500


def test_a_nul_in_a_response_header_is_refused_like_a_line_break() -> None:
    with LiveServer(Recording(Response(200, {"X-Echo": "a\0b"}, b"ok"))) as server:
        answer, _ = one_answer_then_close(server, request("GET", "/x", "Connection: close"))
    assert answer.status == 500 and answer.values("X-Echo") == []


class Broken:
    """A handler with a bug: it answers something that is not a ``Response``."""

    def handle(self, request: Request) -> Response:
        return None  # type: ignore[return-value]


def test_a_handler_that_answers_no_response_still_gets_the_client_a_500() -> None:
    with LiveServer(Broken()) as server:
        answer, after = one_answer_then_close(server, request("GET", "/x"))
    assert answer.json() == {
        "statusCode": 500,
        "message": "unexpected error in the server",
        "error": "Internal Server Error",
    }
    assert answer.header("Connection") == "close" and after == b""


def test_the_status_line_names_a_status_python_does_not_know() -> None:
    with LiveServer(Recording(Response(599, {}, b"odd"))) as server:
        answer, _ = one_answer_then_close(server, request("GET", "/x", "Connection: close"))
    assert answer.status_line.startswith(b"HTTP/1.1 599 ") and answer.body == b"odd"


# ------------------------------------------------------------------------------- persistence


@pytest.mark.parametrize(
    ("version", "fields", "kept"),
    [
        ("HTTP/1.1", (), True),
        ("HTTP/1.1", ("Connection: keep-alive",), True),
        ("HTTP/1.1", ("Connection: CLOSE",), False),
        ("HTTP/1.1", ("Connection: keep-alive, close",), False),
        ("HTTP/1.1", ("Connection: x-custom", "Connection: close"), False),
        ("HTTP/1.0", (), False),
        ("HTTP/1.0", ("Connection: Keep-Alive",), True),
        ("HTTP/1.0", ("Connection: x-custom", "Connection: keep-alive"), True),
        ("HTTP/1.1", ("Connection: x-closed, x-close-notify",), True),  # options are tokens, not substrings
        ("HTTP/1.1", ("Connection: te ,\tClose ",), False),
        ("HTTP/1.1", ("Connection: close, te",), False),
        ("HTTP/1.1", ("Connection: Xclose",), True),
        ("HTTP/1.1", ("Connection: close\x0c",), True),  # only SP and HTAB surround an option
        ("HTTP/1.0", ("Connection: x-keep-alive-ext",), False),
    ],
)
def test_which_connections_persist(live: LiveServer, version: str, fields: tuple[str, ...], kept: bool) -> None:
    with Wire(live) as wire:
        first = wire.send(request("GET", "/x", *fields, version=version)).answer()
        assert first.header("Connection") == ("keep-alive" if kept else "close")
        if kept:
            assert wire.send(request("GET", "/y", "Connection: close")).answer().status == 200
        assert wire.rest() == b""


def test_the_connection_closes_after_the_answer_that_says_so(live: LiveServer, handler: Recording) -> None:
    with Wire(live) as wire:
        # a second request after a close: never read, never handed to the handler
        wire.send(request("GET", "/first", "Connection: close") + request("GET", "/second"))
        assert wire.answer().status == 200
        assert wire.rest() == b""
    assert [r.path for r in handler.requests] == ["/first"]


def test_nothing_after_a_refused_request_is_served(live: LiveServer, handler: Recording) -> None:
    with Wire(live) as wire:
        wire.send(b"GET /x HTTP/1.1\r\nContent-Length: x\r\n\r\n" + request("GET", "/after"))
        answer = wire.answer()
        assert wire.rest() == b""
    assert (answer.status, answer.header("Connection")) == (400, "close")
    assert handler.requests == []


# ------------------------------------------------------------------------------- reading requests


def test_stray_empty_lines_before_a_request_are_ignored(live: LiveServer, handler: Recording) -> None:
    with Wire(live) as wire:
        assert wire.send(b"\r\n" + request("GET", "/one")).answer().status == 200
        assert wire.send(b"\r\n\n" + request("GET", "/two", "Connection: close")).answer().status == 200
    assert [r.path for r in handler.requests] == ["/one", "/two"]


def test_a_bare_lf_ends_lines_of_the_head(live: LiveServer, handler: Recording) -> None:
    answer, _ = one_answer_then_close(live, b"GET /lf HTTP/1.1\nX-One: 1\nConnection: close\n\n")
    assert answer.status == 200
    assert handler.requests[0].headers.raw_items() == (("X-One", "1"), ("Connection", "close"))


def test_field_values_are_read_without_surrounding_whitespace(live: LiveServer, handler: Recording) -> None:
    data = b"GET /x HTTP/1.1\r\nX-Padded: \t v a l \t \r\nX-Empty:\r\nx-lower:1\r\nConnection: close\r\n\r\n"
    assert one_answer_then_close(live, data)[0].status == 200
    assert handler.requests[0].headers.raw_items() == (
        ("X-Padded", "v a l"),
        ("X-Empty", ""),
        ("x-lower", "1"),
        ("Connection", "close"),
    )


def test_only_spaces_and_tabs_around_a_field_value_are_whitespace(live: LiveServer, handler: Recording) -> None:
    # OWS = *( SP / HTAB ): anything else at the ends belongs to the value as sent
    data = b"GET /x HTTP/1.1\r\nX-Form: \x0cfeed\x0b\r\nX-Letters: Xylophone X\r\nConnection: close\r\n\r\n"
    assert one_answer_then_close(live, data)[0].status == 200
    assert handler.requests[0].headers["X-Form"] == "\x0cfeed\x0b"
    assert handler.requests[0].headers["X-Letters"] == "Xylophone X"


def test_an_obs_text_field_value_reaches_the_handler_as_latin_1(live: LiveServer, handler: Recording) -> None:
    data = b"GET /x HTTP/1.1\r\nX-Name: caf\xe9\r\nConnection: close\r\n\r\n"
    assert one_answer_then_close(live, data)[0].status == 200
    assert handler.requests[0].headers["X-Name"] == "caf\u00e9"


@pytest.mark.parametrize(
    ("request_line", "status", "message"),
    [
        (b"GET /x HTTP/1.1", 200, None),
        (b"GET /x HTTP/1.0", 200, None),
        (b"GET /x HTTP/0.9", 505, "only HTTP/1.0 and HTTP/1.1 are served"),
        (b"GET /x HTTP/3.0", 505, "only HTTP/1.0 and HTTP/1.1 are served"),
        (b"GET /x http/1.1", 400, "malformed request line"),  # HTTP-name is case-sensitive
        (b"GET /x HTTP/1.1 ", 400, "malformed request line"),
        (b"GET  /x HTTP/1.1", 400, "malformed request line"),
        (b"GET /x", 400, "malformed request line"),
        (b"G(T /x HTTP/1.1", 400, "malformed request line"),  # a method is a token
        (b"GET /x HTTP/11", 400, "malformed request line"),
        (b"GET /x HTTP/1.1X", 400, "malformed request line"),
    ],
)
def test_request_lines(live: LiveServer, request_line: bytes, status: int, message: Optional[str]) -> None:
    answer, _ = one_answer_then_close(live, request_line + b"\r\nConnection: close\r\n\r\n")
    assert answer.status == status
    if message is not None:
        assert answer.json() == {"statusCode": status, "message": message, "error": answer.json()["error"]}  # type: ignore[index]


def test_a_request_that_ends_inside_its_head_gets_a_400(live: LiveServer, handler: Recording) -> None:
    with Wire(live) as wire:
        wire.send(b"GET /x HTTP/1.1\r\nX-Cut: no line end")
        wire.sock.shutdown(socket.SHUT_WR)  # the client is done sending
        answer = wire.answer()
    assert answer.json() == {
        "statusCode": 400,
        "message": "the request ended before it was complete; it was discarded",
        "error": "Bad Request",
    }
    assert handler.requests == []


# ------------------------------------------------------------------------------- bodies, codings, Expect


def post(*fields: str, body: bytes = b"", version: str = "HTTP/1.1") -> bytes:
    return request("POST", "/x", *fields, body=body, version=version)


def test_the_chunked_coding_name_is_case_insensitive(live: LiveServer, handler: Recording) -> None:
    answer, _ = one_answer_then_close(
        live, post("Transfer-Encoding: Chunked", "Connection: close", body=b"3\r\nabc\r\n0\r\n\r\n")
    )
    assert answer.status == 200 and handler.requests[0].body == b"abc"


def test_a_chunk_may_end_with_a_bare_lf(live: LiveServer, handler: Recording) -> None:
    answer, _ = one_answer_then_close(
        live, post("Transfer-Encoding: chunked", "Connection: close", body=b"3\nabc\n0\n\n")
    )
    assert answer.status == 200 and handler.requests[0].body == b"abc"


def test_chunk_extensions_are_skipped_however_many(live: LiveServer, handler: Recording) -> None:
    chunks = b'3 ;a=1;b="x;y"\r\nabc\r\n0;last\r\n\r\n'
    answer, _ = one_answer_then_close(live, post("Transfer-Encoding: chunked", "Connection: close", body=chunks))
    assert answer.status == 200 and handler.requests[0].body == b"abc"


@pytest.mark.parametrize("size", [b"3\x0b", b"\x0c3", b"X3", b"3X", b"0x3", b"-3", b""])
def test_a_chunk_size_that_is_not_hex_digits_is_a_400(live: LiveServer, handler: Recording, size: bytes) -> None:
    answer, _ = one_answer_then_close(live, post("Transfer-Encoding: chunked", body=size + b"\r\nabc\r\n0\r\n\r\n"))
    assert answer.json() == {"statusCode": 400, "message": "invalid chunk size", "error": "Bad Request"}
    assert handler.requests == []


@pytest.mark.parametrize(
    ("fields", "version", "status", "message"),
    [
        (("Transfer-Encoding: chunked",), "HTTP/1.0", 400, "Transfer-Encoding in an HTTP/1.0 request"),
        (
            ("Transfer-Encoding: chunked", "Content-Length: 3"),
            "HTTP/1.1",
            400,
            "both Transfer-Encoding and Content-Length",
        ),
        (("Transfer-Encoding: gzip",), "HTTP/1.1", 501, "only the chunked Transfer-Encoding is supported"),
        (("Content-Length: 3", "Content-Length: 4"), "HTTP/1.1", 400, "conflicting Content-Length values"),
        (("Content-Length: 3, 4",), "HTTP/1.1", 400, "conflicting Content-Length values"),
        (("Content-Length: 3x",), "HTTP/1.1", 400, "invalid Content-Length"),
        (("Content-Length: ",), "HTTP/1.1", 400, "invalid Content-Length"),
        (("Content-Length: 3\x0c",), "HTTP/1.1", 400, "invalid Content-Length"),
        (("Content-Length: 3\xa0",), "HTTP/1.1", 400, "invalid Content-Length"),
        (("Content-Length: X3",), "HTTP/1.1", 400, "invalid Content-Length"),
    ],
)
def test_framing_the_server_refuses(
    live: LiveServer, handler: Recording, fields: tuple[str, ...], version: str, status: int, message: str
) -> None:
    answer, _ = one_answer_then_close(live, post(*fields, body=b"abc", version=version))
    assert (answer.status, answer.json()) == (
        status,
        {"statusCode": status, "message": message, "error": answer.json()["error"]},  # type: ignore[index]
    )
    assert handler.requests == []


def test_content_length_items_may_carry_whitespace(live: LiveServer, handler: Recording) -> None:
    answer, _ = one_answer_then_close(live, post("Content-Length: 3 ,\t3", "Connection: close", body=b"abc"))
    assert answer.status == 200 and handler.requests[0].body == b"abc"


def test_expect_100_continue_is_case_insensitive(live: LiveServer, handler: Recording) -> None:
    with Wire(live) as wire:
        wire.send(post("Content-Length: 3", "Expect: 100-Continue", "Connection: close"))
        interim = wire.answer()
        assert (interim.status_line, interim.fields) == (b"HTTP/1.1 100 Continue", [])  # RFC 9110 §15.2.1
        assert wire.send(b"abc").answer().status == 200
    assert handler.requests[0].body == b"abc"


def test_expect_100_continue_before_a_chunked_body(live: LiveServer, handler: Recording) -> None:
    with Wire(live) as wire:
        wire.send(post("Transfer-Encoding: chunked", "Expect: 100-continue", "Connection: close"))
        assert wire.answer().status == 100
        assert wire.send(b"3\r\nabc\r\n0\r\n\r\n").answer().status == 200
    assert handler.requests[0].body == b"abc"


def test_expect_100_continue_is_ignored_in_an_http_1_0_request(live: LiveServer, handler: Recording) -> None:
    answer, after = one_answer_then_close(
        live, post("Content-Length: 3", "Expect: 100-continue", body=b"abc", version="HTTP/1.0")
    )
    assert answer.status == 200 and after == b""
    assert handler.requests[0].body == b"abc"


def test_expect_100_continue_without_a_body_gets_the_final_answer_only(live: LiveServer, handler: Recording) -> None:
    answer, after = one_answer_then_close(live, request("GET", "/x", "Expect: 100-continue", "Connection: close"))
    assert answer.status == 200 and after == b""
    assert handler.requests[0].body == b""


@pytest.mark.parametrize(
    "length", [(), ("Content-Length: 0",), ("Content-Length: 3",), ("Transfer-Encoding: chunked",)]
)
def test_an_unknown_expectation_is_a_417_whatever_the_body(
    live: LiveServer, handler: Recording, length: tuple[str, ...]
) -> None:
    answer, _ = one_answer_then_close(live, post(*length, "Expect: 200-ok"))
    assert answer.json() == {
        "statusCode": 417,
        "message": "only Expect: 100-continue is supported",
        "error": "Expectation Failed",
    }
    assert handler.requests == []
