"""The live server under hostile and careless clients, over real sockets, each bounded in time.

Malformed input is sent with raw sockets (every socket has a timeout, so a server that never
answers fails the test instead of hanging it); well-formed traffic with ``requests``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Callable

import pytest
import requests

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Request, Response
from pytest_infisical.transports.server import LiveServer

from .wire import read_answer

TIMEOUT = 5.0


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical()
    fake.set_secret("A", "1")
    return fake


@pytest.fixture
def live(fake: FakeInfisical) -> Iterator[LiveServer]:
    with LiveServer(fake) as server:
        yield server


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> object:
        return json.loads(self.body)


def connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)


def read_reply(sock: socket.socket, head_only: bool = False) -> Reply:
    """One response from ``sock``: status line, headers and a Content-Length body."""
    answer = read_answer(sock.makefile("rb"), head_only)
    return Reply(answer.status, {name.strip().lower(): value for name, value in answer.fields}, answer.body)


def exchange(server: LiveServer, data: bytes, shut: bool = False) -> Reply:
    """Send ``data`` (then half-close, when ``shut``) and read the answer."""
    with connect(server) as sock:
        sock.sendall(data)
        if shut:
            sock.shutdown(socket.SHUT_WR)
        return read_reply(sock)


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server closes ``sock`` (EOF or reset) within the socket's timeout."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def secrets_post(fake: FakeInfisical, name: str, body: bytes, framing: bytes) -> bytes:
    key = fake.create_service_token()
    return (
        b"POST /api/v3/secrets/raw/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
        b"%s\r\n%s" % (name.encode(), key.bearer.encode(), framing, body)
    )


def secret_body(fake: FakeInfisical, value: str = "created") -> bytes:
    return json.dumps({"workspaceId": fake.project.id, "environment": "dev", "secretValue": value}).encode()


def assert_plain_error(reply: Reply, status: int, message: str) -> None:
    assert reply.status == status
    body = reply.json()
    assert isinstance(body, dict)
    assert body["statusCode"] == status and body["message"] == message, body
    assert reply.headers["connection"] == "close"


# ------------------------------------------------------------------------------- request target


def test_the_path_comes_from_the_request_line_never_from_host(fake: FakeInfisical, live: LiveServer) -> None:
    key = fake.create_service_token()
    query = f"?workspaceId={fake.project.id}&environment=dev".encode()
    reply = exchange(
        live,
        b"GET /api/v3/secrets/raw%s HTTP/1.1\r\nHost: x/api/status#\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n"
        % (query, key.bearer.encode()),
    )
    assert reply.status == 200 and "secrets" in reply.json()  # type: ignore[operator]
    assert fake.calls[-1].request.url == f"{live.url}/api/v3/secrets/raw{query.decode()}"


def test_an_absolute_form_target_is_served_by_its_path(fake: FakeInfisical, live: LiveServer) -> None:
    reply = exchange(live, b"GET http://elsewhere.example/api/status HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert reply.status == 200 and fake.calls[-1].request.url == f"{live.url}/api/status"
    assert_plain_error(exchange(live, b"OPTIONS * HTTP/1.1\r\n\r\n"), 400, "the request target must be a path")
    assert_plain_error(exchange(live, b"GET http://[::1/api/status HTTP/1.1\r\n\r\n"), 400, "malformed request target")


# ------------------------------------------------------------------------------- Content-Length


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: -1\r\n",
        b"Content-Length: +5\r\n",
        b"Content-Length: 1 0\r\n",
        b"Content-Length: 0x10\r\n",
        b"Content-Length: ten\r\n",
        b"Content-Length:\r\n",
        b"Content-Length: 5, 6\r\n",
        b"Content-Length: 5\r\nContent-Length: 6\r\n",
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    ],
)
def test_an_invalid_content_length_is_a_400_and_nothing_is_applied(
    fake: FakeInfisical, live: LiveServer, framing: bytes
) -> None:
    reply = exchange(live, secrets_post(fake, "C", b"hello", framing))
    assert reply.status == 400
    assert reply.json() == {"statusCode": 400, "message": reply.json()["message"], "error": "Bad Request"}  # type: ignore[index]
    assert "C" not in fake.secrets() and fake.journal.recorded == 0


def test_identical_duplicate_content_lengths_are_accepted(fake: FakeInfisical, live: LiveServer) -> None:
    body = secret_body(fake)
    framing = b"Content-Length: %d\r\nContent-Length: %d, %d\r\nConnection: close\r\n" % ((len(body),) * 3)
    assert exchange(live, secrets_post(fake, "C", body, framing)).status == 200
    assert fake.secrets()["C"] == "created"


@pytest.mark.parametrize("length", [b"4194305", b"9" * 100, b"9" * 5000])
def test_a_body_over_the_limit_is_a_413_before_it_is_read(fake: FakeInfisical, live: LiveServer, length: bytes) -> None:
    assert live.max_body_bytes == 4 * 1024 * 1024
    reply = exchange(live, secrets_post(fake, "C", b"", b"Content-Length: %s\r\n" % length))
    assert_plain_error(reply, 413, "request body larger than 4194304 bytes")


def test_the_body_limit_is_configurable_and_a_real_client_reads_the_413(fake: FakeInfisical) -> None:
    key = fake.create_service_token()
    with LiveServer(fake, max_body_bytes=1000) as live:
        url = f"{live.url}/api/v3/secrets/raw/C"
        scope = {"workspaceId": fake.project.id, "environment": "dev"}
        fits = json.dumps({**scope, "secretValue": "x" * (1000 - len(json.dumps({**scope, "secretValue": ""})))})
        assert len(fits) == 1000
        assert requests.post(url, data=fits, headers=key.headers, timeout=TIMEOUT).status_code == 200
        too_big = requests.post(url, data=fits + " ", headers=key.headers, timeout=TIMEOUT)
        assert too_big.status_code == 413
        assert too_big.json()["message"] == "request body larger than 1000 bytes"
        big = requests.post(url, data=b"x" * (3 << 20), headers=key.headers, timeout=TIMEOUT)
        assert big.status_code == 413


# ------------------------------------------------------------------------------- head bounds


def test_header_fields_are_bounded_in_number_and_size(live: LiveServer) -> None:
    many = b"".join(b"X-%d: y\r\n" % n for n in range(101))
    assert_plain_error(exchange(live, b"GET /api/status HTTP/1.1\r\n%s\r\n" % many), 431, "more than 100 header fields")
    huge = b"X-Big: " + b"y" * (64 << 10) + b"\r\n"
    assert_plain_error(
        exchange(live, b"GET /api/status HTTP/1.1\r\n%s\r\n" % huge), 431, "request head longer than 65536 bytes"
    )
    target = b"/api/status?" + b"q" * (64 << 10)
    assert_plain_error(exchange(live, b"GET %s HTTP/1.1\r\n\r\n" % target), 414, "request line longer than 65536 bytes")
    long_line, pad = b"/api/status?" + b"q" * (60 << 10), b"X-Pad: " + b"p" * (8 << 10) + b"\r\n"
    reply = exchange(live, b"GET %s HTTP/1.1\r\n%s\r\n" % (long_line, pad))  # each fits, not both
    assert_plain_error(reply, 431, "request head longer than 65536 bytes")


def test_the_header_limit_is_configurable(fake: FakeInfisical) -> None:
    with LiveServer(fake, max_header_bytes=100) as live:
        assert exchange(live, b"GET /api/status HTTP/1.1\r\nConnection: close\r\n\r\n").status == 200
        reply = exchange(live, b"GET /api/status HTTP/1.1\r\nX-Pad: %s\r\n\r\n" % (b"p" * 100))
        assert_plain_error(reply, 431, "request head longer than 100 bytes")


@pytest.mark.parametrize(
    ("request_line", "status"),
    [(b"GET /api/status HTTP/2.0", 505), (b"GET /api/status FTP/1.0", 400), (b"GET /a /b HTTP/1.1", 400)],
)
def test_malformed_request_lines(live: LiveServer, request_line: bytes, status: int) -> None:
    assert exchange(live, request_line + b"\r\n\r\n").status == status


def test_malformed_header_fields_are_a_400(live: LiveServer) -> None:
    for field in (b"No-Colon", b"Space Before : colon", b" folded: continuation"):
        reply = exchange(live, b"GET /api/status HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" % field)
        assert_plain_error(reply, 400, "malformed header field (or obsolete line folding)")


# ------------------------------------------------------------------------------- chunked bodies


def test_a_chunk_size_line_that_never_ends_is_bounded(fake: FakeInfisical, live: LiveServer) -> None:
    framing = b"Transfer-Encoding: chunked\r\n"
    reply = exchange(live, secrets_post(fake, "C", b"1" * 8192, framing))
    assert_plain_error(reply, 400, "chunk-size line longer than 4096 bytes")


@pytest.mark.parametrize(
    ("chunks", "status", "message"),
    [
        (b"zz\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        (b"ffffffffffffffffffffffff\r\n", 413, "request body larger than 4194304 bytes"),
        (b"300000\r\n", 413, "request body larger than 4194304 bytes"),
        (b"2\r\nhello\r\n0\r\n\r\n", 400, "chunk data longer than its chunk size"),
        (b"0\r\nX-Trailer: " + b"t" * (64 << 10) + b"\r\n\r\n", 431, "trailer section longer than 65536 bytes"),
    ],
)
def test_bad_chunked_bodies_are_refused(
    fake: FakeInfisical, live: LiveServer, chunks: bytes, status: int, message: str
) -> None:
    first = b"200000\r\n" + b"x" * 0x200000 + b"\r\n" if chunks.startswith(b"300000") else b""
    reply = exchange(live, secrets_post(fake, "C", first + chunks, b"Transfer-Encoding: chunked\r\n"))
    assert_plain_error(reply, status, message)
    assert fake.journal.recorded == 0


def test_only_the_chunked_transfer_coding_is_accepted(fake: FakeInfisical, live: LiveServer) -> None:
    reply = exchange(live, secrets_post(fake, "C", b"", b"Transfer-Encoding: gzip, chunked\r\n"))
    assert_plain_error(reply, 501, "only the chunked Transfer-Encoding is supported")


def test_a_chunked_body_with_trailers_is_served(fake: FakeInfisical, live: LiveServer) -> None:
    body = secret_body(fake, "chunky")
    chunks = b"%x;ext=1\r\n%s\r\n%x\r\n%s\r\n0\r\nX-Checksum: none\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    reply = exchange(live, secrets_post(fake, "C", chunks, b"Transfer-Encoding: chunked\r\nConnection: close\r\n"))
    assert reply.status == 200 and fake.secrets()["C"] == "chunky"


@pytest.mark.parametrize("chunked", [True, False])
def test_a_body_cut_short_is_discarded_never_applied(fake: FakeInfisical, live: LiveServer, chunked: bool) -> None:
    body = secret_body(fake)
    if chunked:
        framing, sent = b"Transfer-Encoding: chunked\r\n", b"%x\r\n%s" % (len(body), body[: len(body) // 2])
    else:
        framing, sent = b"Content-Length: %d\r\n" % len(body), body[: len(body) // 2]
    reply = exchange(live, secrets_post(fake, "C", sent, framing), shut=True)
    assert_plain_error(reply, 400, "the request ended before it was complete; it was discarded")
    assert "C" not in fake.secrets() and fake.journal.recorded == 0


def test_a_complete_chunked_body_without_its_last_chunk_is_discarded(fake: FakeInfisical, live: LiveServer) -> None:
    body = secret_body(fake)
    sent = b"%x\r\n%s\r\n" % (len(body), body)  # every byte of the JSON, but never the 0-size chunk
    reply = exchange(live, secrets_post(fake, "C", sent, b"Transfer-Encoding: chunked\r\n"), shut=True)
    assert reply.status == 400 and "C" not in fake.secrets()


# ------------------------------------------------------------------------------- Expect


def test_expect_100_continue_is_answered_before_the_body(fake: FakeInfisical, live: LiveServer) -> None:
    body = secret_body(fake, "after-continue")
    framing = b"Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n" % len(body)
    with connect(live) as sock:
        sock.sendall(secrets_post(fake, "C", b"", framing))
        interim = read_reply(sock, head_only=True)  # arrives although no byte of the body was sent
        assert interim.status == 100
        sock.sendall(body)
        final = read_reply(sock)
    assert final.status == 200 and fake.secrets()["C"] == "after-continue"


def test_expect_with_a_body_over_the_limit_gets_413_without_continue(fake: FakeInfisical, live: LiveServer) -> None:
    framing = b"Content-Length: %d\r\nExpect: 100-continue\r\n" % (5 << 20)
    assert_plain_error(
        exchange(live, secrets_post(fake, "C", b"", framing)), 413, "request body larger than 4194304 bytes"
    )


def test_an_unknown_expectation_is_a_417(fake: FakeInfisical, live: LiveServer) -> None:
    framing = b"Content-Length: 2\r\nExpect: something-else\r\n"
    assert_plain_error(
        exchange(live, secrets_post(fake, "C", b"{}", framing)), 417, "only Expect: 100-continue is supported"
    )


def test_curl_style_upload_with_expect_through_requests(fake: FakeInfisical, live: LiveServer) -> None:
    key = fake.create_service_token()
    url = f"{live.url}/api/v3/secrets/raw/C"
    payload = {"workspaceId": fake.project.id, "environment": "dev", "secretValue": "v" * (2 << 20)}
    reply = requests.post(url, json=payload, headers={**key.headers, "Expect": "100-continue"}, timeout=TIMEOUT)
    assert reply.status_code == 200 and len(fake.secrets()["C"]) == 2 << 20


# ------------------------------------------------------------------------------- every request answered


@pytest.mark.parametrize(
    "body",
    [
        b'{"workspaceId": "p", "environment": "dev", "secretValue": "\\ud800"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"secretValue": ' + b"[" * 100_000,
        b"\xff\xfe not utf-8",
    ],
    ids=["lone-surrogate", "nested-100k", "nested-unclosed", "not-utf8"],
)
def test_hostile_json_gets_an_http_answer_and_no_traceback(
    fake: FakeInfisical, live: LiveServer, body: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    framing = b"Content-Length: %d\r\nConnection: close\r\n" % len(body)
    reply = exchange(live, secrets_post(fake, "C", body, framing))
    assert 400 <= reply.status < 600
    assert isinstance(reply.json(), dict)
    assert "Traceback" not in capfd.readouterr().err
    assert requests.get(f"{live.url}/api/status", timeout=TIMEOUT).status_code == 200  # still serving


class Exploding:
    """A handler that fails the way a bug does, with a secret in its exception message."""

    def handle(self, request: Request) -> Response:
        raise RuntimeError("decrypting hunter2 failed")


def test_an_exception_in_the_handler_is_a_500_that_shows_no_secret(capfd: pytest.CaptureFixture[str]) -> None:
    with LiveServer(Exploding()) as live:
        reply = requests.get(f"{live.url}/api/status", timeout=TIMEOUT)
        again = requests.get(f"{live.url}/api/status", timeout=TIMEOUT)
    assert reply.status_code == 500 and again.status_code == 500
    assert reply.json() == {
        "statusCode": 500,
        "message": "unexpected RuntimeError in the server",
        "error": "Internal Server Error",
    }
    err = capfd.readouterr().err
    assert "hunter2" not in err and "Traceback" not in err


def test_render_error_renders_every_answer_the_server_gives_on_its_own() -> None:
    seen: list[tuple[int, str]] = []

    def render(status: int, message: str) -> Response:
        seen.append((status, message))
        return Response.json_body(status, {"profile": "mine", "status": status})

    with LiveServer(Exploding(), render_error=render) as live:
        assert requests.get(f"{live.url}/api/status", timeout=TIMEOUT).json() == {"profile": "mine", "status": 500}
        reply = exchange(live, b"GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
    assert (reply.status, reply.json()) == (400, {"profile": "mine", "status": 400})
    assert seen == [(500, "unexpected RuntimeError in the server"), (400, "invalid Content-Length")]


def test_a_failing_render_error_falls_back_to_the_plain_body() -> None:
    def broken(status: int, message: str) -> Response:
        raise KeyError(status)

    with LiveServer(Exploding(), render_error=broken) as live:
        reply = requests.get(f"{live.url}/api/status", timeout=TIMEOUT)
    assert (reply.status_code, reply.json()["message"]) == (500, "unexpected RuntimeError in the server")


class Fixed:
    def __init__(self, response: Response) -> None:
        self.response = response

    def handle(self, request: Request) -> Response:
        return self.response


def test_a_response_header_with_a_line_break_becomes_a_500() -> None:
    injected = Response.text_body(200, "ok", headers={"X-Echo": "a\r\nSet-Cookie: stolen=1"})
    with LiveServer(Fixed(injected)) as live:
        reply = requests.get(f"{live.url}/api/status", timeout=TIMEOUT)
    assert reply.status_code == 500 and "Set-Cookie" not in reply.headers


# ------------------------------------------------------------------------------- HEAD, IPv6


def test_head_is_answered_without_a_body_and_the_connection_stays_usable(live: LiveServer) -> None:
    with connect(live) as sock:
        sock.sendall(b"HEAD /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        head = read_reply(sock, head_only=True)
        sock.sendall(b"HEAD /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        second = read_reply(sock, head_only=True)  # had the first sent a body, its bytes would be read here
    # the fake routes no HEAD: its answer has a body, announced by Content-Length and never sent
    assert (head.status, second.status) == (404, 404)
    assert int(head.headers["content-length"]) > 0


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_host_is_bracketed_in_the_url(fake: FakeInfisical) -> None:
    with LiveServer(fake, host="::1") as live:
        assert live.url == f"http://[::1]:{live.port}"
        assert requests.get(f"{live.url}/api/status", timeout=TIMEOUT).status_code == 200
    assert fake.calls[-1].request.url == f"http://[::1]:{live.port}/api/status"


def test_an_any_address_is_reached_through_loopback(fake: FakeInfisical) -> None:
    server = LiveServer(fake, host="0.0.0.0")  # noqa: S104
    server.port = 8080
    assert server.url == "http://127.0.0.1:8080"


# ------------------------------------------------------------------------------- keeps serving


def test_idle_keep_alive_connections_close_after_the_idle_timeout(fake: FakeInfisical) -> None:
    with LiveServer(fake, idle_timeout=0.2) as live, connect(live) as sock:
        sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_reply(sock).headers["connection"] == "keep-alive"
        assert closed_by_server(sock)  # silently, as any server closes an idle connection
        assert wait_for(lambda: len(live.threads) == 1)


def test_the_default_idle_timeout_is_advertised(live: LiveServer) -> None:
    assert live.idle_timeout == 72
    with connect(live) as sock:
        sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_reply(sock).headers["keep-alive"] == "timeout=72"


def test_a_request_that_stalls_mid_head_gets_a_408(fake: FakeInfisical) -> None:
    with LiveServer(fake, idle_timeout=0.2) as live, connect(live) as sock:
        sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n")
        assert_plain_error(read_reply(sock), 408, "no data for 0.2 s; the request was discarded")


def wait_for(condition: Callable[[], bool], limit: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_connections_beyond_the_limit_get_a_503_until_one_frees_up(fake: FakeInfisical) -> None:
    with LiveServer(fake, max_connections=2) as live:
        held = [connect(live) for _ in range(2)]
        for sock in held:
            sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_reply(sock).status == 200
        busy = exchange(live, b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert busy.status == 503 and busy.headers["retry-after"] == "1"
        assert busy.json() == {
            "statusCode": 503,
            "message": "the server is serving its limit of 2 connections; retry later",
            "error": "Service Unavailable",
        }
        assert len(live.threads) == 3  # the accept loop and the two held connections, no more
        held.pop().close()
        assert wait_for(lambda: len(live.threads) == 2)
        assert exchange(live, b"GET /api/status HTTP/1.1\r\nConnection: close\r\n\r\n").status == 200
        for sock in held:
            sock.close()


def test_stalled_connections_hold_no_more_threads_than_the_limit(fake: FakeInfisical) -> None:
    with LiveServer(fake, max_connections=20) as live:
        stalled = [connect(live) for _ in range(200)]
        try:
            assert wait_for(lambda: 0 < len(live.threads) <= 21)
            assert all(len(live.threads) <= 21 for _ in range(50))
        finally:
            for sock in stalled:
                sock.close()
        assert wait_for(lambda: len(live.threads) == 1)
        assert requests.get(f"{live.url}/api/status", timeout=TIMEOUT).status_code == 200


FD_EXHAUSTION = textwrap.dedent(
    """
    import os, resource, socket, time
    from pytest_infisical.fake import FakeInfisical
    from pytest_infisical.transports.server import LiveServer

    server = LiveServer(FakeInfisical()).start()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 16, hard))
    hogs = []
    try:
        while True:
            hogs.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    os.close(hogs.pop())
    client = socket.socket()  # the last free descriptor: the server has none left to accept with
    client.settimeout(10)
    client.connect(("127.0.0.1", server.port))
    client.sendall(b"GET /api/status HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
    deadline = time.monotonic() + 10
    while server.accept_failures < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    failures = server.accept_failures
    for fd in hogs:
        os.close(fd)
    reply = client.recv(65536)
    print(failures >= 2, reply.split(b"\\r\\n", 1)[0].decode())
    server.stop()
    """
)


def test_the_accept_loop_recovers_after_running_out_of_file_descriptors() -> None:
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc/self/fd")
    done = subprocess.run(
        [sys.executable, "-c", FD_EXHAUSTION], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.splitlines() == ["True HTTP/1.1 200 OK"], done.stderr
    (warning,) = done.stderr.splitlines()
    assert warning.startswith("pytest-infisical: the server at http://127.0.0.1:")
    assert warning.endswith("cannot accept connections (Too many open files); retrying")


# ------------------------------------------------------------------------------- exact bounds


def test_exactly_100_header_fields_are_served_and_101_refused(live: LiveServer) -> None:
    def fields(count: int) -> bytes:
        return b"".join(b"X-%d: y\r\n" % n for n in range(count - 1)) + b"Connection: close\r\n"

    assert exchange(live, b"GET /api/status HTTP/1.1\r\n%s\r\n" % fields(100)).status == 200
    reply = exchange(live, b"GET /api/status HTTP/1.1\r\n%s\r\n" % fields(101))
    assert reply.status == 431
    assert reply.json() == {
        "statusCode": 431,
        "message": "more than 100 header fields",
        "error": "Request Header Fields Too Large",
    }


def test_a_head_of_exactly_the_limit_is_served(fake: FakeInfisical) -> None:
    request_line = b"GET /api/status HTTP/1.1\r\n"
    close = b"Connection: close\r\n"
    with LiveServer(fake, max_header_bytes=200) as live:
        # request line + fields + the empty line, counted together against the limit
        pad = 200 - len(request_line) - len(close) - len(b"X-Pad: \r\n") - len(b"\r\n")
        fits = request_line + close + b"X-Pad: " + b"p" * pad + b"\r\n\r\n"
        assert len(fits) == 200
        assert exchange(live, fits).status == 200
        over = request_line + close + b"X-Pad: " + b"p" * (pad + 1) + b"\r\n\r\n"
        reply = exchange(live, over)
        assert reply.status == 431
        assert reply.json() == {
            "statusCode": 431,
            "message": "request head longer than 200 bytes",
            "error": "Request Header Fields Too Large",
        }


# ------------------------------------------------------------------------------- faults, live


def _faulting(fault: Exception) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        if request.path == "/fault":
            raise fault
        return Response(200, {"Content-Type": "application/json"}, b'{"ok":true}')

    return handle


class _Handler:
    def __init__(self, handle: Callable[[Request], Response]) -> None:
        self.handle = handle


def test_a_timeout_fault_is_never_answered_and_the_server_keeps_serving() -> None:
    from pytest_infisical.http import TimeoutFault

    with LiveServer(_Handler(_faulting(TimeoutFault("planned"))), idle_timeout=5) as live:
        with connect(live) as sock:
            sock.settimeout(0.5)
            sock.sendall(b"GET /fault HTTP/1.1\r\nHost: x\r\n\r\n")
            with pytest.raises(socket.timeout):
                sock.recv(1)  # nothing comes: the client's own timeout is what fires
        with pytest.raises(requests.ReadTimeout):
            requests.get(f"{live.url}/fault", timeout=0.5)
        assert requests.get(f"{live.url}/ok", timeout=TIMEOUT).json() == {"ok": True}


def test_a_connection_fault_resets_the_connection_without_an_answer() -> None:
    from pytest_infisical.http import ConnectionFault

    with LiveServer(_Handler(_faulting(ConnectionFault("planned")))) as live:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{live.url}/fault", timeout=TIMEOUT)
        assert requests.get(f"{live.url}/ok", timeout=TIMEOUT).json() == {"ok": True}


# ------------------------------------------------------------------------------- accept errors


@pytest.mark.parametrize(("number", "counted"), [(24, True), (23, True), (105, True), (12, True), (103, False)])
def test_the_accept_loop_survives_accept_errors(
    fake: FakeInfisical, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], number: int, counted: bool
) -> None:
    import errno

    assert {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.ECONNABORTED} >= {number}
    live = LiveServer(fake).start()
    try:
        real_accept = socket.socket.accept
        failures = [OSError(number, os.strerror(number)), OSError(number, os.strerror(number))]

        def accept(sock: socket.socket) -> tuple[socket.socket, object]:
            if failures and sock is live._listener:
                raise failures.pop()
            return real_accept(sock)

        monkeypatch.setattr(socket.socket, "accept", accept)
        # the first connection's accept fails twice; the loop retries and then serves it
        assert requests.get(f"{live.url}/api/status", timeout=TIMEOUT).status_code == 200
        assert failures == []
        assert live.accept_failures == (2 if counted else 0)
    finally:
        live.stop()
    err = capsys.readouterr().err
    if counted:
        # said once per outage, not once per failure
        assert err == (
            f"pytest-infisical: the server at {live.url} cannot accept connections ({os.strerror(number)}); retrying\n"
        )
    else:
        assert err == ""
