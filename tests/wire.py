"""Raw HTTP/1.1 on the wire, for tests of the live server's framing.

``Wire`` keeps one buffered reader per connection, so bytes the server sent beyond an answer (a body
after a ``HEAD``, a second answer) are seen by the next read instead of vanishing with a
per-answer buffer. ``Recording`` is a handler that keeps every request it is handed and answers
with a fixed response, so a test compares what the handler received with what it sent.
"""

from __future__ import annotations

import json
import socket
from types import TracebackType
from typing import BinaryIO, Optional

from pytest_infisical.http import Request, Response
from pytest_infisical.transports.server import LiveServer

TIMEOUT = 5.0


class Answer:
    def __init__(self, status_line: bytes, fields: list[tuple[str, str]], body: bytes) -> None:
        self.status_line, self.fields, self.body = status_line, fields, body

    @property
    def status(self) -> int:
        return int(self.status_line.split()[1])

    def values(self, name: str) -> list[str]:
        """Every value of header field ``name`` (case-insensitive), in order."""
        return [value for field, value in self.fields if field.lower() == name.lower()]

    def header(self, name: str) -> str:
        (value,) = self.values(name)
        return value

    def json(self) -> object:
        return json.loads(self.body)


def read_answer(reader: BinaryIO, head_only: bool = False) -> Answer:
    """One answer from ``reader``: status line, header fields, and a body of its ``Content-Length``."""
    status_line = reader.readline()
    assert status_line.startswith(b"HTTP/1.1 "), status_line
    fields: list[tuple[str, str]] = []
    while True:
        line = reader.readline()
        assert line.endswith(b"\r\n"), f"the head ended early: {line!r}"
        if line == b"\r\n":
            break
        name, _, value = line.decode("latin-1").partition(":")
        fields.append((name, value.strip()))
    lengths = [value for name, value in fields if name.lower() == "content-length"]
    body = b"" if head_only or not lengths else reader.read(int(lengths[0]))
    return Answer(status_line.rstrip(b"\r\n"), fields, body)


class Wire:
    """One client connection to ``server``, every read bounded by ``TIMEOUT``."""

    def __init__(self, server: LiveServer) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        self.reader = self.sock.makefile("rb")

    def send(self, data: bytes) -> Wire:
        self.sock.sendall(data)
        return self

    def answer(self, head_only: bool = False) -> Answer:
        """The next answer: status line, header fields, and a body of its ``Content-Length``."""
        return read_answer(self.reader, head_only)

    def rest(self) -> bytes:
        """Everything the server still sends until it closes the connection."""
        return self.reader.read()

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def __enter__(self) -> Wire:
        return self

    def __exit__(
        self, kind: Optional[type[BaseException]], error: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class Recording:
    """A handler that keeps the requests it is handed and answers each with ``response``."""

    def __init__(self, response: Optional[Response] = None) -> None:
        self.response = response or Response.text_body(200, "ok")
        self.requests: list[Request] = []

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        return self.response


def request(
    method: str = "GET", target: str = "/x", *fields: str, body: bytes = b"", version: str = "HTTP/1.1"
) -> bytes:
    """A request's bytes: request line, ``fields`` (``"Name: value"``), the empty line, ``body``."""
    head = "".join(f"{field}\r\n" for field in (f"{method} {target} {version}", *fields))
    return head.encode("latin-1") + b"\r\n" + body
