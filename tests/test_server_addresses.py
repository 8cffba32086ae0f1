"""The live server's own URL, and the URL a request reaches the handler with.

docs/limits.md: "An IPv6 host is bracketed in the URL (``http://[::1]:PORT``); an any-address
(``0.0.0.0``, ``::``) gives a loopback URL", and "the path comes from the request line only (a
path, or an absolute URL whose host is ignored)". RFC 3986 §3.2.2 brackets an IPv6 literal in a
URI; RFC 9112 §3.2.2 allows the absolute form of a request target, whose scheme is
case-insensitive (RFC 3986 §3.1) and whose empty path stands for ``/`` (RFC 9110 §4.2.3).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from pytest_infisical.transports.server import LiveServer

from .test_server_hardening import _ipv6_loopback
from .wire import TIMEOUT, Recording, Wire, request


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080"),
        ("", "http://127.0.0.1:8080"),
        ("0.0.0.0", "http://127.0.0.1:8080"),  # noqa: S104
        ("::", "http://[::1]:8080"),
        ("::1", "http://[::1]:8080"),
        ("fe80::1", "http://[fe80::1]:8080"),
        ("localhost", "http://localhost:8080"),
    ],
)
def test_the_url_a_client_writes_for_each_host(host: str, url: str) -> None:
    server = LiveServer(Recording(), host=host)
    server.port = 8080  # as start() sets it, without binding the address
    assert server.url == url
    assert server.authority == url.removeprefix("http://")


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
@pytest.mark.parametrize("host", ["::1", "::"])
def test_an_ipv6_server_is_reached_at_its_bracketed_url(host: str) -> None:
    handler = Recording()
    with LiveServer(handler, host=host) as server:
        assert requests.get(f"{server.url}/x?q=1", timeout=TIMEOUT).status_code == 200
    assert handler.requests[0].url == f"http://[::1]:{server.port}/x?q=1"


@pytest.fixture
def handler() -> Recording:
    return Recording()


@pytest.fixture
def live(handler: Recording) -> Iterator[LiveServer]:
    with LiveServer(handler) as server:
        yield server


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/api/status?a=1&b=", "/api/status?a=1&b="),
        ("http://elsewhere.example/api/status", "/api/status"),
        ("HTTP://elsewhere.example/api/status", "/api/status"),
        ("https://elsewhere.example:8443/api/status?x=1", "/api/status?x=1"),
        ("HTTPS://elsewhere.example/a", "/a"),
        ("http://elsewhere.example", "/"),
        ("http://elsewhere.example?x=1", "/?x=1"),
        ("http://[::1]:9/v6", "/v6"),
    ],
)
def test_the_handler_sees_the_servers_url_with_the_targets_path(
    live: LiveServer, handler: Recording, target: str, path: str
) -> None:
    with Wire(live) as wire:
        assert wire.send(request("GET", target, "Host: elsewhere.example", "Connection: close")).answer().status == 200
    assert handler.requests[0].url == f"http://127.0.0.1:{live.port}{path}"


@pytest.mark.parametrize("target", ["*", "api/status", "ftp://elsewhere.example/a", "http:/a", "httpx://a/b"])
def test_a_target_that_is_neither_a_path_nor_an_http_url_is_a_400(
    live: LiveServer, handler: Recording, target: str
) -> None:
    with Wire(live) as wire:
        answer = wire.send(request("GET", target)).answer()
    assert answer.json() == {"statusCode": 400, "message": "the request target must be a path", "error": "Bad Request"}
    assert handler.requests == []


def test_the_handler_is_told_the_clients_address(live: LiveServer, handler: Recording) -> None:
    # the address rate limits count per client (docs/faults.md, "Rate limits of 2024-08")
    with Wire(live) as wire:
        assert wire.send(request("GET", "/x", "Connection: close")).answer().status == 200
    assert handler.requests[0].client == "127.0.0.1"
