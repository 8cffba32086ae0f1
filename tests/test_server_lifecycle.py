"""Starting the live server on a given port, restarting it there, and refusing connections it has no thread for.

docs/server.md: ``serve --port`` binds the port it is given (``0`` picks a free one) and fails with
"cannot listen on …" when the address cannot be bound; docs/limits.md: a connection the server
cannot give a thread gets ``503`` with ``Retry-After: 1``, answered without a thread.
"""

from __future__ import annotations

import errno
import io
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Optional

import pytest

from pytest_infisical.transports import server as server_module
from pytest_infisical.transports.server import LiveServer

from .test_server_hardening import wait_for
from .wire import Recording, Wire, request


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_server_listens_on_the_port_it_is_given() -> None:
    port = _free_port()
    with LiveServer(Recording(), port=port) as server:
        assert (server.port, server.url) == (port, f"http://127.0.0.1:{port}")
        with Wire(server) as wire:
            assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200


def test_a_server_restarted_on_its_port_binds_at_once_after_serving() -> None:
    port = _free_port()
    with LiveServer(Recording(), port=port) as server, Wire(server) as wire:
        # the server closes first, so its side of the connection lingers in TIME_WAIT
        assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200
        assert wire.rest() == b""
    with LiveServer(Recording(), port=port) as again, Wire(again) as wire:
        assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200


def test_a_port_in_use_fails_start_and_leaves_no_thread() -> None:
    with LiveServer(Recording()) as first:
        second = LiveServer(Recording(), port=first.port)
        with pytest.raises(OSError, match="in use") as refused:
            second.start()
        assert refused.value.errno == errno.EADDRINUSE
        assert second.threads == []
        second.stop()  # stopping a server that never started is harmless
        with Wire(first) as wire:  # the first server is untouched
            assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200


def test_stop_is_idempotent_and_leaves_no_thread() -> None:
    server = LiveServer(Recording()).start()
    with Wire(server) as wire:
        assert wire.send(request("GET", "/x")).answer().status == 200
        server.stop()
        server.stop()
        assert wire.rest() == b""  # the open keep-alive connection was closed
    assert server.threads == []


def test_a_connection_without_a_thread_gets_the_503_of_a_full_server(monkeypatch: pytest.MonkeyPatch) -> None:
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        if thread.name.startswith("infisical-conn-"):
            raise RuntimeError("can't start new thread")
        real_start(thread)

    handler = Recording()
    with LiveServer(handler, max_connections=1) as server:
        monkeypatch.setattr(threading.Thread, "start", start)
        with Wire(server) as wire:
            answer = wire.send(request("GET", "/x")).answer()
            after = wire.rest()
        monkeypatch.undo()
        assert len(server.threads) == 1  # the accept loop only: the refused connection was forgotten
        with Wire(server) as wire:  # and no longer counts against the limit of one
            assert wire.send(request("GET", "/y", "Connection: close")).answer().status == 200
    assert answer.status == 503 and after == b""
    assert answer.header("Retry-After") == "1" and answer.header("Connection") == "close"
    assert answer.json() == {
        "statusCode": 503,
        "message": "the server is serving its limit of 1 connections; retry later",
        "error": "Service Unavailable",
    }
    assert [r.path for r in handler.requests] == ["/y"]


def test_a_refused_client_that_stays_silent_does_not_keep_its_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "_LINGER", 0.05)  # how long a refused connection is drained
    with LiveServer(Recording()) as server, Wire(server) as wire:
        assert wire.send(b"BAD\r\n\r\n").answer().status == 400
        # the client neither sends nor closes: the server's thread still ends
        assert wait_for(lambda: len(server.threads) == 1)


def test_the_server_keeps_accepting_after_refusing_a_connection_beyond_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_module, "_LINGER", 0.05)
    with LiveServer(Recording(), max_connections=1) as server:
        held = Wire(server)
        assert held.send(request("GET", "/x")).answer().status == 200
        with Wire(server) as beyond:
            assert beyond.send(request("GET", "/x")).answer().status == 503
            time.sleep(0.2)  # past the drain of the refused connection, which the client keeps open
        held.close()
        assert wait_for(lambda: len(server.threads) == 1)
        with Wire(server) as wire:
            assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200


FORGOTTEN = """
import socket
from pytest_infisical.http import Response
from pytest_infisical.transports.server import LiveServer

class Ok:
    def handle(self, request):
        return Response(200, {}, b"ok")

server = LiveServer(Ok()).start()
client = socket.create_connection(("127.0.0.1", server.port), timeout=10)
client.sendall(b"GET /x HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
print(client.recv(65536).split(b"\\r\\n", 1)[0].decode())
# neither the server nor the kept-alive connection is ever stopped: the interpreter still exits
"""


def test_a_server_never_stopped_does_not_keep_the_process_alive() -> None:
    done = subprocess.run([sys.executable, "-c", FORGOTTEN], capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout) == (0, "HTTP/1.1 200 OK\n"), done.stderr


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_a_refused_connection_is_closed_once_drained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "_LINGER", 0.05)
    with LiveServer(Recording(), max_connections=1) as server, Wire(server) as held:
        assert held.send(request("GET", "/x")).answer().status == 200
        before = _open_descriptors()
        with Wire(server) as beyond:  # one descriptor here, one for the server's end
            assert beyond.send(request("GET", "/x")).answer().status == 503
            assert beyond.rest() == b""  # the answer, then the server's end of the stream
            # the client keeps its end open and silent: nothing but the drain's end wakes the server,
            # which then closes its end and holds no descriptor for it
            assert wait_for(lambda: _open_descriptors() == before + 1)


class _Waits(threading.Event):
    """The server's stop event, recording each back-off the accept loop waits (without waiting)."""

    def __init__(self) -> None:
        super().__init__()
        self.waited: list[float] = []

    def wait(self, timeout: Optional[float] = None) -> bool:
        self.waited.append(timeout if timeout is not None else -1.0)
        return self.is_set()


def _failing_accept(monkeypatch: pytest.MonkeyPatch, server: LiveServer) -> list[OSError]:
    """The errors the server's next accept() calls raise, one each, until the list is empty."""
    failures: list[OSError] = []
    real_accept = socket.socket.accept

    def accept(sock: socket.socket) -> tuple[socket.socket, object]:
        if failures and sock is server._listener:
            raise failures.pop()
        return real_accept(sock)

    monkeypatch.setattr(socket.socket, "accept", accept)
    return failures


def test_the_accept_loop_backs_off_from_10_ms_doubling_to_1_s_once_per_outage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # docs/limits.md: "backs off (10 ms, doubling up to 1 s) and accepts again once descriptors
    # free up, saying so once on stderr"
    server = LiveServer(Recording())
    waits = server.stopping = _Waits()
    failures = _failing_accept(monkeypatch, server)
    with server:
        for outage in (9, 2):
            failures[:] = [OSError(errno.EMFILE, "Too many open files") for _ in range(outage)]
            with Wire(server) as wire:
                assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200
    assert waits.waited == [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0, 1.0, 0.01, 0.02]
    assert (
        capsys.readouterr().err.splitlines()
        == [f"pytest-infisical: the server at {server.url} cannot accept connections (Too many open files); retrying"]
        * 2
    )


def test_the_accept_loops_warning_is_written_out_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a stderr that buffers whole blocks (a test runner's or a log's) still gets the line when it is said
    written = io.BytesIO()
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BufferedWriter(written), encoding="utf-8"))
    server = LiveServer(Recording())
    server.stopping = _Waits()
    _failing_accept(monkeypatch, server).append(OSError(errno.ENFILE, "Too many open files in system"))
    with server, Wire(server) as wire:
        assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200
        assert written.getvalue().decode() == (
            f"pytest-infisical: the server at {server.url} cannot accept connections "
            "(Too many open files in system); retrying\n"
        )
