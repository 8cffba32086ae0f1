"""The live loopback server: HTTP/1.1 details, thread safety under load, clean shutdown."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.transports.server import LiveServer

THREADS = 8
OPERATIONS = 500


@pytest.fixture
def server() -> Iterator[tuple[FakeInfisical, LiveServer]]:
    fake = FakeInfisical()
    fake.set_secret("A", "1")
    with LiveServer(fake) as live:
        yield fake, live


def _raw(sock_url: tuple[str, int], data: bytes) -> bytes:
    with socket.create_connection(sock_url, timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_keep_alive_and_nodelay(server: tuple[FakeInfisical, LiveServer]) -> None:
    _, live = server
    session = requests.Session()
    for _ in range(3):
        assert session.get(live.url + "/api/status").headers["Connection"] == "keep-alive"
    (connection,) = list(live._connections)  # one connection served all three
    assert connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_http_1_0_chunked_bodies_get_bodies_and_bad_requests(server: tuple[FakeInfisical, LiveServer]) -> None:
    fake, live = server
    address = ("127.0.0.1", live.port)
    reply = _raw(address, b"GET /api/status HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close" in reply
    key = fake.create_service_token()
    body = b'{"workspaceId": "%s", "environment": "dev", "secretValue": "chunky"}' % fake.project.id.encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    reply = _raw(
        address,
        b"POST /api/v3/secrets/raw/C HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n%s" % (key.bearer.encode(), chunked),
    )
    assert reply.startswith(b"HTTP/1.1 200 OK")
    assert fake.secrets()["C"] == "chunky"
    query = b"?workspaceId=%s&environment=dev" % fake.project.id.encode()
    get_body = b'{"ignored": true}'
    reply = _raw(
        address,
        b"GET /api/v3/secrets/raw%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (query, key.bearer.encode(), len(get_body), get_body),
    )
    assert reply.startswith(b"HTTP/1.1 200 OK") and b'"secretValue":"chunky"' in reply
    assert _raw(address, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400 Bad Request")


def test_a_304_has_no_body(server: tuple[FakeInfisical, LiveServer]) -> None:
    fake, live = server
    key = fake.create_service_token()
    params = {"workspaceId": fake.project.id, "environment": "dev"}
    first = requests.get(live.url + "/api/v3/secrets", params=params, headers=key.headers)
    again = requests.get(
        live.url + "/api/v3/secrets", params=params, headers={**key.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert (again.status_code, again.content) == (304, b"")


def test_a_connection_fault_resets_the_connection(server: tuple[FakeInfisical, LiveServer]) -> None:
    fake, live = server
    fake.fail_next(error="connection")
    with pytest.raises(requests.ConnectionError):
        requests.get(live.url + "/api/status")
    assert requests.get(live.url + "/api/status").status_code == 200


def test_concurrent_reads_and_writes_lose_nothing(server: tuple[FakeInfisical, LiveServer]) -> None:
    """8 threads × 500 mixed reads and writes: no lost update, versions strictly increasing."""
    fake, live = server
    fake.set_secret("SHARED", "0")
    key = fake.create_service_token()
    scope = {"workspaceId": fake.project.id, "environment": "dev"}
    shared_versions: list[list[int]] = [[] for _ in range(THREADS)]
    own_versions: list[list[int]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            session = requests.Session()
            session.headers.update(key.headers)
            own = f"OWN_{n}"
            assert (
                session.post(f"{live.url}/api/v3/secrets/raw/{own}", json={**scope, "secretValue": "start"}).status_code
                == 200
            )
            for i in range(OPERATIONS):
                op = i % 5
                if op == 0:
                    r = session.patch(
                        f"{live.url}/api/v3/secrets/raw/SHARED", json={**scope, "secretValue": f"{n}-{i}"}
                    )
                    shared_versions[n].append(r.json()["secret"]["version"])
                elif op == 1:
                    r = session.patch(f"{live.url}/api/v3/secrets/raw/{own}", json={**scope, "secretValue": str(i)})
                    own_versions[n].append(r.json()["secret"]["version"])
                elif op == 2:
                    r = session.get(f"{live.url}/api/v3/secrets/raw", params=scope)
                elif op == 3:
                    r = session.get(f"{live.url}/api/v3/secrets/raw/{own}", params=scope)
                else:
                    r = session.get(f"{live.url}/api/v3/secrets", params=scope)
                assert r.status_code == 200, r.text
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)

    before = set(threading.enumerate())
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    assert not errors, errors[0]
    writes = THREADS * OPERATIONS // 5
    every = sorted(v for versions in shared_versions for v in versions)
    assert every == list(range(2, writes + 2))  # each update got its own version: none lost
    for n, versions in enumerate(own_versions):
        assert versions == sorted(versions) and len(set(versions)) == len(versions)
        assert fake.secret(f"OWN_{n}").version == len(versions) + 1
        assert fake.secret(f"OWN_{n}").value == str(5 * (len(versions) - 1) + 1)
    assert fake.secret("SHARED").version == writes + 1
    assert fake.journal.recorded == THREADS * (OPERATIONS + 1)
    live.stop()
    assert live.threads == []
    assert {t for t in threading.enumerate() if t.name.startswith("infisical-")} - before == set()


def test_stop_closes_idle_keep_alive_connections() -> None:
    fake = FakeInfisical()
    live = LiveServer(fake).start()
    sessions = [requests.Session() for _ in range(4)]
    for session in sessions:
        session.get(live.url + "/api/status")
    assert len(live.threads) == 5  # the accept loop and four connections
    live.stop()
    assert live.threads == []
    with pytest.raises(requests.ConnectionError):
        requests.get(live.url + "/api/status", timeout=2)


def test_servers_do_not_share_state_or_ports() -> None:
    first, second = FakeInfisical(), FakeInfisical()
    with LiveServer(first) as a, LiveServer(second) as b:
        assert a.port != b.port
        first.set_secret("ONLY_FIRST", "1")
        key = second.create_service_token()
        listed = requests.get(
            b.url + "/api/v3/secrets/raw",
            params={"workspaceId": second.project.id, "environment": "dev"},
            headers=key.headers,
        )
        assert listed.json()["secrets"] == []
