"""A real HTTP/1.1 server on loopback, for clients in other processes and other languages.

One server per handler and no process-wide state, so pytest-xdist workers never collide: the
port is 0 (the OS picks a free one) unless told otherwise. Connections are kept alive, with
``TCP_NODELAY`` (without it a keep-alive exchange waits ~40 ms on delayed ACKs), and each response
goes out in one ``sendall``. ``stop()`` closes the listener and every open connection and joins
every thread: it returns in a few milliseconds.

The server is written for hostile input as well as for careless clients, and bounds everything
it reads: the request head (``max_header_bytes``, at most 100 header fields), the body
(``max_body_bytes``, also for chunked bodies, chunk-size lines and trailers), the connection
threads (``max_connections``; beyond it a connection gets a 503) and the time a connection may stay
silent (``idle_timeout``). Every request gets an HTTP answer: malformed input a 4xx rendered by
``render_error``, a handler's unexpected exception a 500 that names only the exception type. A
request whose body is cut short is discarded, never handed to the handler. When the process runs
out of file descriptors, the accept loop backs off and retries until descriptors free up.

Injected faults become real network behaviour: a connection error resets the connection, a
timeout holds it open without answering, a delay sleeps for real.
"""

from __future__ import annotations

import errno
import io
import re
import selectors
import socket
import sys
import threading
import time
from typing import Any, Callable, Optional, cast
from urllib.parse import urlsplit

from ..http import ConnectionFault, Handler, Request, Response, TimeoutFault, reason_phrase

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_HEADER_BYTES",
    "LiveServer",
    "RenderError",
    "plain_error",
]

#: renders the body of an answer the server gives on its own (400, 408, 413, 431, 500, 503 …)
RenderError = Callable[[int, str], Response]

DEFAULT_MAX_BODY_BYTES = 4 << 20  # 4 MiB
DEFAULT_MAX_HEADER_BYTES = 64 << 10  # 64 KiB: request line, header fields and, separately, trailers
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_IDLE_TIMEOUT = 72.0  # seconds; Infisical's own server keeps idle connections 72 s

_MAX_HEADER_FIELDS = 100
_MAX_CHUNK_LINE = 4096  # a chunk-size line with its extensions
_HOLD_ON_TIMEOUT = 60.0
_LINGER = 2.0  # after an answer that closes the connection, read what the client still sends, so
# that closing does not reset the connection before the client has read the answer
_MAX_BACKOFF = 1.0
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_VERSION = re.compile(r"HTTP/(\d)\.(\d)\Z")
_DIGITS = re.compile(r"[0-9]+\Z")
_HEX = re.compile(rb"[0-9A-Fa-f]+\Z")
_BREAKS = re.compile(r"[\r\n\0]")


def plain_error(status: int, message: str) -> Response:
    """The default ``render_error``: Infisical's error shape, ``{"statusCode", "message", "error"}``."""
    return Response.json_body(
        status, {"statusCode": status, "message": message, "error": reason_phrase(status, "Unknown")}
    )


def _peer(sock: socket.socket) -> Optional[str]:
    try:
        return str(sock.getpeername()[0])
    except (OSError, IndexError, TypeError):  # already gone, or a socket without an address
        return None


class _Refusal(Exception):
    """The request cannot be served: answer ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Connection:
    """One client connection, served by one thread: request after request (keep-alive)."""

    def __init__(self, server: LiveServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.reader = cast(io.BufferedReader, sock.makefile("rb", buffering=65536))
        #: the client's address, as rate limits count it
        self.peer: Optional[str] = _peer(sock)

    def serve(self) -> None:
        try:
            while not self.server.stopping.is_set() and self._one():
                pass
        except (OSError, ValueError):
            pass  # the client went away, or stop() shut the socket
        except Exception:  # a bug of ours: still an answer, never a traceback
            self._refuse(500, "unexpected error in the server")
        finally:
            self.server._forget(self)
            self.close()

    def close(self) -> None:
        for thing in (self.reader, self.sock):
            try:
                thing.close()
            except OSError:
                pass

    def abort(self) -> None:
        """Make a blocked read return: stop() calls this from another thread."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---------------------------------------------------------------------------------- reading

    def _line(self, limit: int, status: int, too_long: str) -> bytes:
        """One line of at most ``limit`` bytes, else a ``status`` refusal; EOF mid-line is a short read."""
        line = self.reader.readline(limit + 1)
        if len(line) > limit:
            raise _Refusal(status, too_long)
        if not line.endswith(b"\n"):
            raise EOFError
        return line

    def _exactly(self, size: int) -> bytes:
        data = self.reader.read(size)
        if len(data) != size:
            raise EOFError
        return data

    def _head(self, status: int, what: str, budget: int) -> list[tuple[str, str]]:
        """Header fields (or trailers) up to the empty line, bounded in bytes and in number."""
        too_long = f"{what} longer than {self.server.max_header_bytes} bytes"
        fields: list[tuple[str, str]] = []
        while True:
            raw = self._line(budget, status, too_long)
            budget -= len(raw)
            if raw in (b"\r\n", b"\n"):
                return fields
            if len(fields) >= _MAX_HEADER_FIELDS:
                raise _Refusal(431, f"more than {_MAX_HEADER_FIELDS} header fields")
            name, sep, value = raw.partition(b":")
            if not sep or not _TOKEN.match(name):
                raise _Refusal(400, "malformed header field (or obsolete line folding)")
            fields.append((name.decode("ascii"), value.strip(b" \t\r\n").decode("latin-1")))

    def _read_request(self) -> tuple[Request, bool]:
        limit = self.server.max_header_bytes
        too_long = f"request line longer than {limit} bytes"
        line = self._line(limit, 414, too_long)
        strays = 8  # a few stray empty lines between requests are tolerated (RFC 9112 §2.2)
        while line in (b"\r\n", b"\n") and strays:
            line, strays = self._line(limit, 414, too_long), strays - 1
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not _TOKEN.match(parts[0].encode("latin-1")):
            raise _Refusal(400, "malformed request line")
        method, target, version = parts
        matched = _VERSION.match(version)
        if matched is None:
            raise _Refusal(400, "malformed request line")
        if matched.group(1) != "1":
            raise _Refusal(505, "only HTTP/1.0 and HTTP/1.1 are served")
        path = _path(target)  # the Host header never changes the path
        headers = self._head(431, "request head", limit - len(line))
        values: dict[str, list[str]] = {}
        for name, value in headers:
            values.setdefault(name.lower(), []).append(value)
        body = self._body(values, http_11=version == "HTTP/1.1")
        # Connection is a list of option tokens (RFC 9110 §7.6.1): "x-closed" is not "close"
        options = {item.strip(" \t").lower() for value in values.get("connection", []) for item in value.split(",")}
        keep_alive = "close" not in options if version == "HTTP/1.1" else "keep-alive" in options
        url = f"http://{self.server.authority}{path}"
        return Request(method=method, url=url, headers=headers, body=body, client=self.peer), keep_alive

    def _body(self, values: dict[str, list[str]], http_11: bool) -> bytes:
        limit = self.server.max_body_bytes
        if "transfer-encoding" in values:
            if not http_11:
                raise _Refusal(400, "Transfer-Encoding in an HTTP/1.0 request")
            if "content-length" in values:
                raise _Refusal(400, "both Transfer-Encoding and Content-Length")
            if ",".join(values["transfer-encoding"]).strip().lower() != "chunked":
                raise _Refusal(501, "only the chunked Transfer-Encoding is supported")
            self._continue(values, http_11)
            return self._chunked(limit)
        length = _content_length(values.get("content-length", []), limit)
        if length:
            self._continue(values, http_11)
        elif "expect" in values:
            _expectation(values)
        return self._exactly(length) if length else b""

    def _continue(self, values: dict[str, list[str]], http_11: bool) -> None:
        """Answer ``Expect: 100-continue`` once the head is known to be acceptable."""
        if "expect" in values and _expectation(values) and http_11:
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self._line(_MAX_CHUNK_LINE, 400, f"chunk-size line longer than {_MAX_CHUNK_LINE} bytes")
            text = line.split(b";", 1)[0].strip(b" \t\r\n")
            if not _HEX.match(text):
                raise _Refusal(400, "invalid chunk size")
            if len(text.lstrip(b"0")) > 15 or total + int(text, 16) > limit:
                raise _Refusal(413, f"request body larger than {limit} bytes")
            size = int(text, 16)
            if size == 0:
                self._head(431, "trailer section", self.server.max_header_bytes)
                return b"".join(chunks)
            chunks.append(self._exactly(size))
            total += size
            end = self._exactly(1)
            if end == b"\r":
                end = self._exactly(1)
            if end != b"\n":
                raise _Refusal(400, "chunk data longer than its chunk size")

    # ---------------------------------------------------------------------------------- serving

    def _one(self) -> bool:
        """Serve one request; False when the connection is to be closed."""
        try:
            if not self.reader.peek(1):
                return False  # the client closed the connection between requests
        except socket.timeout:
            return False  # idle keep-alive connection: close it
        try:
            request, keep_alive = self._read_request()
        except _Refusal as refusal:
            return self._refuse(refusal.status, refusal.message)
        except EOFError:
            return self._refuse(400, "the request ended before it was complete; it was discarded")
        except socket.timeout:
            return self._refuse(408, f"no data for {self.server.idle_timeout:g} s; the request was discarded")
        except ValueError:  # input that no check above foresaw: still a 400, never a silent close
            return self._refuse(400, "malformed request")
        try:
            response = self.server.handler.handle(request)
        except ConnectionFault:
            self._reset()
            return False
        except TimeoutFault:
            self.server.stopping.wait(_HOLD_ON_TIMEOUT)  # never answer; the client's timeout fires
            return False
        except Exception as error:  # any failure of the handler is the client's 500, never a traceback
            response = self.server.render(500, f"unexpected {type(error).__name__} in the server")
        self.sock.sendall(self.server.encode(response, keep_alive, head=request.method == "HEAD"))
        return keep_alive

    def _refuse(self, status: int, message: str) -> bool:
        """Answer a request that cannot be served, then close the connection gracefully."""
        try:
            self.sock.settimeout(_LINGER)
            self.sock.sendall(self.server.encode(self.server.render(status, message), keep_alive=False))
            self.sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + _LINGER
            while time.monotonic() < deadline and self.sock.recv(65536):
                pass
        except OSError:
            pass
        return False

    def _reset(self) -> None:
        """Close with RST, as a dropped connection looks to the client."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass


def _path(target: str) -> str:
    """The path and query of a request target (origin-form or absolute-form)."""
    if target.startswith("/"):
        return target
    if target[:8].lower().startswith(("http://", "https://")):
        try:
            parts = urlsplit(target)
        except ValueError:  # an invalid host part, such as an unclosed IPv6 bracket
            raise _Refusal(400, "malformed request target") from None
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    raise _Refusal(400, "the request target must be a path")


def _content_length(values: list[str], limit: int) -> int:
    if not values:
        return 0
    items = {item.strip(" \t") for value in values for item in value.split(",")}
    if len(items) != 1:
        raise _Refusal(400, "conflicting Content-Length values")
    (value,) = items
    if not _DIGITS.match(value):
        raise _Refusal(400, "invalid Content-Length")
    significant = value.lstrip("0") or "0"  # leading zeros are valid (1*DIGIT) but count against int()'s digit limit
    if len(significant) > 15 or int(significant) > limit:
        raise _Refusal(413, f"request body larger than {limit} bytes")
    return int(significant)


def _expectation(values: dict[str, list[str]]) -> bool:
    if ",".join(values["expect"]).strip().lower() != "100-continue":
        raise _Refusal(417, "only Expect: 100-continue is supported")
    return True


class LiveServer:
    """Serve ``handler`` over real HTTP on ``host``:``port`` (loopback and a free port by default).

    ``render_error(status, message)`` renders the answers the server gives on its own (malformed
    requests, limits, a handler's unexpected exception); by default Infisical's JSON error shape.
    """

    def __init__(
        self,
        handler: Handler,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        render_error: Optional[RenderError] = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.handler = handler
        self.host = host
        self.render_error = render_error or plain_error
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        #: how often accept() failed for want of file descriptors or memory (each time retried)
        self.accept_failures = 0
        self._requested_port = port
        self.port = 0
        self.stopping = threading.Event()
        self._listener: Optional[socket.socket] = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._accept_thread: Optional[threading.Thread] = None
        self._connections: dict[_Connection, threading.Thread] = {}
        self._lingering: dict[socket.socket, float] = {}
        self._lock = threading.Lock()

    @property
    def authority(self) -> str:
        """``host:port`` as a client writes it (an IPv6 address in brackets; any-address as loopback)."""
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)  # noqa: S104
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.authority}"

    def start(self) -> LiveServer:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self._requested_port))
            listener.listen(128)
        except OSError:
            listener.close()
            raise
        listener.setblocking(False)
        self._listener = listener
        self.port = listener.getsockname()[1]
        selector = selectors.DefaultSelector()  # made here: the accept loop must never need a descriptor
        selector.register(listener, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        self._accept_thread = threading.Thread(
            target=self._accept_loop, args=(selector,), name=f"infisical-server-{self.port}", daemon=True
        )
        self._accept_thread.start()
        return self

    # ---------------------------------------------------------------------------------- answers

    def render(self, status: int, message: str) -> Response:
        """``render_error``'s answer, or the plain one when ``render_error`` itself fails."""
        try:
            return self.render_error(status, message)
        except Exception:
            return plain_error(status, message)

    def encode(self, response: Response, keep_alive: bool, head: bool = False) -> bytes:
        """The bytes on the wire; a response that cannot be encoded becomes a 500."""
        try:
            return self._encode(response, keep_alive, head)
        except (ValueError, TypeError):
            return self._encode(plain_error(500, "the server produced an invalid response"), keep_alive, head)

    def _encode(self, response: Response, keep_alive: bool, head: bool) -> bytes:
        status = response.status
        lines = [f"HTTP/1.1 {status} {reason_phrase(status, 'Unknown')}"]
        for name, value in response.headers.raw_items():
            if _BREAKS.search(name) or _BREAKS.search(value):
                raise ValueError("a header field holds a line break")
            if name.lower() not in ("content-length", "connection", "keep-alive", "transfer-encoding"):
                lines.append(f"{name}: {value}")
        body = b"" if status in (204, 304) or head else response.body
        if status not in (204, 304):
            lines.append(f"Content-Length: {len(response.body)}")
        lines.append(f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}")
        if keep_alive:
            lines.append("Connection: keep-alive")
            if self.idle_timeout >= 1:
                lines.append(f"Keep-Alive: timeout={int(self.idle_timeout)}")
        else:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    # ---------------------------------------------------------------------------------- accepting

    def _accept_loop(self, selector: selectors.BaseSelector) -> None:
        assert self._listener is not None
        listener = self._listener
        backoff = 0.0
        with selector:
            while not self.stopping.is_set():
                timeout = max(0.0, min(self._lingering.values()) - time.monotonic()) if self._lingering else None
                for key, _ in selector.select(timeout):
                    if key.fileobj is self._wake_r:
                        return
                    if key.fileobj is not listener:
                        self._drain(selector, key.fileobj)  # type: ignore[arg-type]
                        continue
                    try:
                        sock, _peer = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as error:
                        if error.errno not in _OUT_OF_RESOURCES:
                            if listener.fileno() == -1:
                                return
                            continue  # the client gave up before accept(): nothing to serve
                        # out of descriptors: wait for some to free up, and retry
                        self.accept_failures += 1
                        if not backoff:
                            print(
                                f"pytest-infisical: the server at {self.url} cannot accept connections "
                                f"({error.strerror}); retrying",
                                file=sys.stderr,
                                flush=True,
                            )
                        backoff = min(max(backoff * 2, 0.01), _MAX_BACKOFF)
                        self.stopping.wait(backoff)
                        continue
                    backoff = 0.0
                    self._admit(selector, sock)
                self._expire(selector)

    def _admit(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        with self._lock:
            busy = len(self._connections) >= self.max_connections
        if busy:
            self._refuse_busy(selector, sock)
            return
        try:
            sock.setblocking(True)
            sock.settimeout(self.idle_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = _Connection(self, sock)
        except OSError:
            sock.close()
            return
        thread = threading.Thread(target=connection.serve, name=f"infisical-conn-{self.port}", daemon=True)
        with self._lock:
            self._connections[connection] = thread
        try:
            thread.start()
        except RuntimeError:  # no thread to be had: the client gets a 503 like any beyond the limit
            self._forget(connection)
            connection.reader.close()
            self._refuse_busy(selector, sock)

    def _refuse_busy(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        """Answer 503 without a thread: send, half-close, and drain the socket from the accept loop."""
        message = f"the server is serving its limit of {self.max_connections} connections; retry later"
        response = self.render(503, message)
        response = Response(response.status, {**dict(response.headers.raw_items()), "Retry-After": "1"}, response.body)
        try:
            sock.setblocking(False)
            sock.send(self.encode(response, keep_alive=False))
            sock.shutdown(socket.SHUT_WR)
            selector.register(sock, selectors.EVENT_READ)
        except OSError:
            sock.close()
            return
        self._lingering[sock] = time.monotonic() + _LINGER

    def _drain(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        try:
            if sock.recv(65536):
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        self._close_lingering(selector, sock)

    def _expire(self, selector: selectors.BaseSelector) -> None:
        now = time.monotonic()
        for sock in [s for s, deadline in self._lingering.items() if deadline <= now]:
            self._close_lingering(selector, sock)

    def _close_lingering(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        self._lingering.pop(sock, None)
        selector.unregister(sock)
        sock.close()

    def _forget(self, connection: _Connection) -> None:
        with self._lock:
            self._connections.pop(connection, None)

    # ---------------------------------------------------------------------------------- stopping

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection, and join every thread."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
        if self._listener is not None:
            self._listener.close()
        for sock in list(self._lingering):
            sock.close()
        self._lingering.clear()
        with self._lock:
            open_connections = list(self._connections.items())
        for connection, _ in open_connections:
            connection.abort()
        for _, thread in open_connections:
            thread.join(timeout)
        self._wake_r.close()
        self._wake_w.close()

    @property
    def threads(self) -> list[threading.Thread]:
        """The server's live threads (none once ``stop()`` returned)."""
        with self._lock:
            threads = list(self._connections.values())
        if self._accept_thread is not None and self._accept_thread.is_alive():
            threads.append(self._accept_thread)
        return [t for t in threads if t.is_alive()]

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
