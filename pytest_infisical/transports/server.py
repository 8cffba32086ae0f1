"""A real HTTP/1.1 server on loopback, for clients in other processes and other languages.

One server per handler and no process-wide state, so pytest-xdist workers never collide: the
port is 0 (the OS picks a free one) unless told otherwise. Connections are kept alive, with
``TCP_NODELAY`` (without it a keep-alive exchange waits ~40 ms on delayed ACKs), bodies are read
(or drained, on GET), and each response goes out in one ``sendall``. ``stop()`` closes the
listener and every open connection and joins every thread: it returns in a few milliseconds.

Injected faults become real network behaviour: a connection error resets the connection, a
timeout holds it open without answering, a delay sleeps for real.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from http import HTTPStatus
from typing import Any, Optional

from ..http import ConnectionFault, Handler, Request, Response, TimeoutFault

__all__ = ["LiveServer"]

_MAX_LINE = 65536
_MAX_HEADERS = 200
_HOLD_ON_TIMEOUT = 60.0


class _BadRequest(Exception):
    pass


class _Connection:
    """One client connection, served by one thread: request after request (keep-alive)."""

    def __init__(self, server: LiveServer, sock: socket.socket, peer: Any) -> None:
        self.server = server
        self.sock = sock
        self.peer = peer
        self.reader = sock.makefile("rb", buffering=65536)

    def serve(self) -> None:
        try:
            while not self.server.stopping.is_set():
                if not self._one():
                    break
        except (OSError, ValueError):
            pass  # the client went away, or stop() shut the socket
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

    def _line(self) -> bytes:
        line = self.reader.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise _BadRequest("request line or header too long")
        return line

    def _read_request(self) -> Optional[tuple[Request, bool]]:
        line = self._line()
        while line in (b"\r\n", b"\n"):  # tolerate stray blank lines between requests
            line = self._line()
        if not line:
            return None
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise _BadRequest(f"malformed request line {line[:80]!r}")
        method, target, version = parts
        headers: list[tuple[str, str]] = []
        while True:
            raw = self._line()
            if raw in (b"\r\n", b"\n", b""):
                break
            if len(headers) >= _MAX_HEADERS:
                raise _BadRequest("too many headers")
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep:
                raise _BadRequest("malformed header line")
            headers.append((name.strip(), value.strip()))
        lowered = {k.lower(): v for k, v in headers}
        if lowered.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunked()
        else:
            length = int(lowered.get("content-length", "0") or "0")
            body = self.reader.read(length) if length > 0 else b""
            if len(body) != length:
                return None
        keep_alive = (
            lowered.get("connection", "").lower() != "close"
            if version == "HTTP/1.1"
            else lowered.get("connection", "").lower() == "keep-alive"
        )
        host = lowered.get("host") or f"{self.server.host}:{self.server.port}"
        request = Request(method=method, url=f"http://{host}{target}", headers=headers, body=body)
        return request, keep_alive

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self._line().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self._line() not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.reader.read(size))
            self.reader.readline()

    def _one(self) -> bool:
        try:
            parsed = self._read_request()
        except _BadRequest as error:
            self._send(Response.text_body(400, f"Bad Request: {error}"), keep_alive=False)
            return False
        if parsed is None:
            return False
        request, keep_alive = parsed
        try:
            response = self.server.handler.handle(request)
        except ConnectionFault:
            self._reset()
            return False
        except TimeoutFault:
            self.server.stopping.wait(_HOLD_ON_TIMEOUT)  # never answer; the client's timeout fires
            return False
        self._send(response, keep_alive, head=request.method == "HEAD")
        return keep_alive

    def _send(self, response: Response, keep_alive: bool, head: bool = False) -> None:
        status = response.status
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [
            f"{k}: {v}" for k, v in response.headers.raw_items() if k.lower() not in ("content-length", "connection")
        ]
        body = b"" if status in (204, 304) or head else response.body
        if status not in (204, 304):
            lines.append(f"Content-Length: {len(response.body)}")
        lines.append(f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}")
        lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _reset(self) -> None:
        """Close with RST, as a dropped connection looks to the client."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass


class LiveServer:
    """Serve ``handler`` over real HTTP on ``host``:``port`` (loopback and a free port by default)."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        self.host = host
        self._requested_port = port
        self.port = 0
        self.stopping = threading.Event()
        self._listener: Optional[socket.socket] = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._accept_thread: Optional[threading.Thread] = None
        self._connections: dict[_Connection, threading.Thread] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LiveServer:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self._requested_port))
        listener.listen(128)
        listener.setblocking(False)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"infisical-server-{self.port}", daemon=True
        )
        self._accept_thread.start()
        return self

    def _accept_loop(self) -> None:
        assert self._listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        sock, peer = self._listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        return
                    sock.setblocking(True)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    connection = _Connection(self, sock, peer)
                    thread = threading.Thread(target=connection.serve, name=f"infisical-conn-{self.port}", daemon=True)
                    with self._lock:
                        self._connections[connection] = thread
                    thread.start()

    def _forget(self, connection: _Connection) -> None:
        with self._lock:
            self._connections.pop(connection, None)

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
