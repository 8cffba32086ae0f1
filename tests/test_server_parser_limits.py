"""Each bound of the live server's parser at its exact limit: the last byte that fits, the first that does not.

The bounds and their answers are the ones docs/limits.md lists ("The live server's bounds"): the
request line and the request head (request line, header fields and the empty line that ends them)
within ``max_header_bytes``, and separately the trailer section of a chunked body; at most 100
fields in each; a chunk-size line with its extensions within 4 KiB; a body, by ``Content-Length``
or chunked, within ``max_body_bytes``. The grammar is HTTP/1.1's (RFC 9112): ``chunk-size =
1*HEXDIG`` and ``Content-Length = 1*DIGIT``, so leading zeros are part of a valid size.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_infisical.transports.server import LiveServer

from .wire import Answer, Recording, Wire, request

LIMIT = 200  # max_header_bytes of the small server below
BODY_LIMIT = 1000  # its max_body_bytes
SHORTEST_LINE = len(b"GET / HTTP/1.1\r\n")


@pytest.fixture
def handler() -> Recording:
    return Recording()


@pytest.fixture
def small(handler: Recording) -> Iterator[LiveServer]:
    with LiveServer(handler, max_header_bytes=LIMIT, max_body_bytes=BODY_LIMIT) as server:
        yield server


def exchange(server: LiveServer, data: bytes) -> Answer:
    with Wire(server) as wire:
        return wire.send(data).answer()


def refused(answer: Answer, status: int, error: str, message: str) -> None:
    """The server's own refusal: ``status``, Infisical's error body, and the connection closed."""
    assert answer.status == status
    assert answer.json() == {"statusCode": status, "message": message, "error": error}
    assert answer.header("Connection") == "close"


def line_of(size: int) -> bytes:
    """A GET request line of exactly ``size`` bytes, CRLF included."""
    return b"GET /%s HTTP/1.1\r\n" % (b"a" * (size - SHORTEST_LINE))


def chunked_post(chunks: bytes) -> bytes:
    return request("POST", "/x", "Transfer-Encoding: chunked", "Connection: close", body=chunks)


# ------------------------------------------------------------------------------- the request line


def test_a_request_line_one_byte_over_the_limit_is_a_414(small: LiveServer, handler: Recording) -> None:
    refused(
        exchange(small, line_of(LIMIT + 1) + b"\r\n"), 414, "URI Too Long", f"request line longer than {LIMIT} bytes"
    )
    assert handler.requests == []


def test_a_request_line_of_exactly_the_limit_leaves_no_room_for_the_rest_of_the_head(small: LiveServer) -> None:
    # the line itself fits; the empty line that ends the head is then two bytes over
    refused(
        exchange(small, line_of(LIMIT) + b"\r\n"),
        431,
        "Request Header Fields Too Large",
        f"request head longer than {LIMIT} bytes",
    )


def test_a_request_line_after_a_stray_empty_line_is_bounded_the_same(small: LiveServer, handler: Recording) -> None:
    refused(
        exchange(small, b"\r\n" + line_of(LIMIT + 1) + b"\r\n"),
        414,
        "URI Too Long",
        f"request line longer than {LIMIT} bytes",
    )
    assert handler.requests == []


def test_a_head_that_is_only_a_request_line_is_served_at_exactly_the_limit(
    small: LiveServer, handler: Recording
) -> None:
    line = line_of(LIMIT - 2)
    answer = exchange(small, line + b"\r\n")
    assert answer.status == 200
    assert handler.requests[0].path == line.split(b" ")[1].decode()


# ------------------------------------------------------------------------------- trailers


def trailers_of(size: int) -> bytes:
    """A trailer section of exactly ``size`` bytes: one field and the empty line."""
    return b"X-Trailer: %s\r\n\r\n" % (b"t" * (size - len(b"X-Trailer: \r\n\r\n")))


def test_a_trailer_section_of_exactly_the_limit_is_served(small: LiveServer, handler: Recording) -> None:
    answer = exchange(small, chunked_post(b"5\r\nhello\r\n0\r\n" + trailers_of(LIMIT)))
    assert answer.status == 200
    assert handler.requests[0].body == b"hello"


def test_a_trailer_section_one_byte_over_the_limit_is_a_431(small: LiveServer, handler: Recording) -> None:
    refused(
        exchange(small, chunked_post(b"5\r\nhello\r\n0\r\n" + trailers_of(LIMIT + 1))),
        431,
        "Request Header Fields Too Large",
        f"trailer section longer than {LIMIT} bytes",
    )
    assert handler.requests == []


def test_trailers_are_bounded_at_100_fields(handler: Recording) -> None:
    def trailers(count: int) -> bytes:
        return b"".join(b"X-T%d: t\r\n" % n for n in range(count)) + b"\r\n"

    with LiveServer(handler) as server:
        assert exchange(server, chunked_post(b"2\r\nok\r\n0\r\n" + trailers(100))).status == 200
        refused(
            exchange(server, chunked_post(b"2\r\nok\r\n0\r\n" + trailers(101))),
            431,
            "Request Header Fields Too Large",
            "more than 100 header fields",
        )
    assert [r.body for r in handler.requests] == [b"ok"]


# ------------------------------------------------------------------------------- chunk-size lines


def size_line_of(size: int) -> bytes:
    """A chunk-size line for 5 bytes, of exactly ``size`` bytes with its extension and CRLF."""
    return b"5;%s\r\n" % (b"e" * (size - len(b"5;\r\n")))


def test_a_chunk_size_line_of_exactly_4096_bytes_is_served(small: LiveServer, handler: Recording) -> None:
    assert exchange(small, chunked_post(size_line_of(4096) + b"hello\r\n0\r\n\r\n")).status == 200
    assert handler.requests[0].body == b"hello"


def test_a_chunk_size_line_of_4097_bytes_is_a_400(small: LiveServer, handler: Recording) -> None:
    refused(
        exchange(small, chunked_post(size_line_of(4097) + b"hello\r\n0\r\n\r\n")),
        400,
        "Bad Request",
        "chunk-size line longer than 4096 bytes",
    )
    assert handler.requests == []


# ------------------------------------------------------------------------------- body sizes


def test_chunks_adding_up_to_exactly_the_body_limit_are_served(small: LiveServer, handler: Recording) -> None:
    body = b"a" * 600 + b"b" * 400
    chunks = b"258\r\n%s\r\n190\r\n%s\r\n0\r\n\r\n" % (body[:600], body[600:])
    assert exchange(small, chunked_post(chunks)).status == 200
    assert handler.requests[0].body == body


@pytest.mark.parametrize(
    "chunks",
    [
        b"258\r\n" + b"a" * 600 + b"\r\n191\r\n" + b"b" * 401 + b"\r\n0\r\n\r\n",
        b"3e9\r\n" + b"a" * 1001 + b"\r\n0\r\n\r\n",
    ],
    ids=["second-chunk-over", "one-chunk-over"],
)
def test_chunks_one_byte_over_the_body_limit_are_a_413(small: LiveServer, handler: Recording, chunks: bytes) -> None:
    refused(
        exchange(small, chunked_post(chunks)), 413, "Payload Too Large", f"request body larger than {BODY_LIMIT} bytes"
    )
    assert handler.requests == []


def test_every_chunk_counts_towards_the_body_limit(small: LiveServer, handler: Recording) -> None:
    chunks = b"190\r\n%s\r\n190\r\n%s\r\nc9\r\n%s\r\n0\r\n\r\n" % (b"a" * 400, b"b" * 400, b"c" * 201)
    refused(
        exchange(small, chunked_post(chunks)), 413, "Payload Too Large", f"request body larger than {BODY_LIMIT} bytes"
    )
    assert handler.requests == []


def test_a_single_chunk_of_exactly_the_body_limit_is_served(small: LiveServer, handler: Recording) -> None:
    assert exchange(small, chunked_post(b"3E8\r\n" + b"c" * 1000 + b"\r\n0\r\n\r\n")).status == 200
    assert handler.requests[0].body == b"c" * 1000


def test_a_chunk_size_with_many_leading_zeros_is_its_value(small: LiveServer, handler: Recording) -> None:
    chunks = b"%s5\r\nhello\r\n%s\r\n\r\n" % (b"0" * 40, b"0" * 40)
    assert exchange(small, chunked_post(chunks)).status == 200
    assert handler.requests[0].body == b"hello"


@pytest.mark.parametrize("zeros", [20, 5000])
def test_a_content_length_with_leading_zeros_is_its_value(handler: Recording, zeros: int) -> None:
    with LiveServer(handler) as server:
        length = "0" * zeros + "5"
        answer = exchange(
            server, request("POST", "/x", f"Content-Length: {length}", "Connection: close", body=b"hello")
        )
    assert answer.status == 200
    assert handler.requests[0].body == b"hello"
