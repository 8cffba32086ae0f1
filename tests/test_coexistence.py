"""The fake shares a test with the user's own HTTP mocks: ``responses`` (requests), respx and
pytest_httpx (httpx, sync and async), started before or after the ``infisical`` fixture, as a
decorator, a context manager or a fixture. Infisical's URLs are answered by the fake; every other
request by the user's mock, exactly as if it were alone; nothing reaches the network.

Every run installs a socket guard (``socket.socket.connect`` and ``socket.getaddrinfo`` raise for
any host but loopback, and each attempt fails the test at teardown).
"""

from __future__ import annotations

import freezegun  # noqa: F401
import pytest
import respx  # noqa: F401
import time_machine  # noqa: F401

# Loaded up front, as tests/conftest.py does for requests and httpx: pytester unloads what an
# in-process run imported, and cryptography's Rust bindings cannot be initialised twice.
import pytest_infisical.crypto  # noqa: F401

GUARD = """
import socket

import pytest

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def socket_guard(monkeypatch):
    attempts = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self, address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in LOOPBACK:
            attempts.append(f"connect {host}")
            raise OSError(f"socket guard: no network in tests ({host})")
        return connect(self, address, *args, **kwargs)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host is not None and host not in LOOPBACK:
            attempts.append(f"getaddrinfo {host}")
            raise OSError(f"socket guard: no network in tests ({host})")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
    assert not attempts, f"socket guard: {len(attempts)} network attempt(s): {', '.join(attempts)}"
"""

HEADER = """
import asyncio

import httpx
import pytest
import requests
import responses

GITHUB = "https://api.github.com/user"
OTHER = "https://example.org/elsewhere"


def status(url):
    return requests.get(url + "/api/status").status_code
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makeconftest(GUARD)
    pytester.makepyfile(HEADER + source)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_the_socket_guard_fails_a_test_that_reaches_for_the_network(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_escapes():
    with pytest.raises(requests.ConnectionError):
        requests.get(OTHER)
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["E *AssertionError: socket guard: 1 network attempt(s): getaddrinfo example.org"])


RESPONSES = """
def check(infisical, mock):
    # the fake answers its URLs; the user's mock answers (or refuses) the rest, and sees only those
    mock.get(GITHUB, json={"login": "octocat"})
    assert status(infisical.url) == 200
    assert requests.get(GITHUB).json() == {"login": "octocat"}
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        requests.get(OTHER)
    assert [call.request.url for call in mock.calls] == [GITHUB, OTHER]
    assert [call.path for call in infisical.calls] == ["/api/status"]
    assert not infisical.journal.unmocked  # the user's mock refused it, not the fake


@pytest.fixture
def mocked_responses():  # the fixture responses' documentation recommends
    with responses.RequestsMock() as rsps:
        yield rsps


@responses.activate
def test_decorator_after_the_fixture(infisical):
    check(infisical, responses)


@responses.activate
def test_decorator_with_registry_first(infisical):
    responses.get(infisical.url + "/api/status", body="a mock of Infisical")  # the fake still owns its URLs
    assert status(infisical.url) == 200
    assert requests.get(infisical.url + "/api/status").json()["message"] == "Ok"


def test_context_manager_after_the_fixture(infisical):
    with responses.RequestsMock() as rsps:
        check(infisical, rsps)


def test_fixture_before(mocked_responses, infisical):
    check(infisical, mocked_responses)


def test_fixture_after(infisical, mocked_responses):
    check(infisical, mocked_responses)


def test_started_and_stopped_by_hand(infisical):
    rsps = responses.RequestsMock()
    rsps.start()
    try:
        check(infisical, rsps)
    finally:
        rsps.stop()
        rsps.reset()


def test_add_passthru_of_the_fakes_url_still_reaches_the_fake(infisical):
    with responses.RequestsMock() as rsps:
        rsps.add_passthru(infisical.url)
        assert status(infisical.url) == 200
        assert len(infisical.calls) == 1


def test_a_retrying_adapter_under_the_users_mock(infisical, infisical_service_token):
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, status_forcelist=[503])))
    infisical.fail_next("GET", "/api/status", sequence=[503, 503, 200])
    with responses.RequestsMock():
        assert session.get(infisical.url + "/api/status").status_code == 200
    assert [call.status for call in infisical.calls] == [503, 503, 200]


def test_faults_reach_the_client_through_the_users_mock(infisical):
    infisical.fail_next(error="timeout")
    with responses.RequestsMock():
        with pytest.raises(requests.ReadTimeout, match="pytest-infisical: injected timeout for GET /api/status"):
            requests.get(infisical.url + "/api/status")


@pytest.mark.infisical(passthrough=["https://api.github.com"])
def test_passthrough_goes_to_the_users_mock(mocked_responses, infisical):
    mocked_responses.get(GITHUB, json={"login": "octocat"})
    assert requests.get(GITHUB).json() == {"login": "octocat"}


def test_alone_again_the_fake_refuses_other_hosts(infisical):
    with pytest.raises(requests.ConnectionError, match="pytest-infisical: GET https://example.org/elsewhere is not"):
        requests.get(OTHER)
    infisical.journal.unmocked.clear()
"""


def test_responses_in_every_form_and_order(pytester: pytest.Pytester) -> None:
    result = run(pytester, RESPONSES)
    result.assert_outcomes(passed=11)


def test_a_mock_started_before_the_fixture_and_stopped_after_it(pytester: pytest.Pytester) -> None:
    """pytest-responses' way: ``responses.start()`` before every test's fixtures and ``stop()``
    before their teardown — out of order. The fake must neither bypass it nor leave it patched in."""
    pytester.makeconftest(
        GUARD
        + """
import responses


def pytest_runtest_setup(item):
    if item.get_closest_marker("withoutresponses") is None:
        responses.start()


def pytest_runtest_teardown(item):
    if item.get_closest_marker("withoutresponses") is None:
        responses.stop()
        responses.reset()
"""
    )
    pytester.makeini("[pytest]\nmarkers = withoutresponses: no global responses mock")
    pytester.makepyfile(
        HEADER
        + """
def test_with_the_global_mock(infisical):
    responses.get(GITHUB, json={"login": "octocat"})
    assert status(infisical.url) == 200
    assert requests.get(GITHUB).json() == {"login": "octocat"}
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        requests.get(OTHER)
    assert len(responses.calls) == 2


@pytest.mark.withoutresponses
@pytest.mark.infisical(allow_unmocked=True)
def test_afterwards_nothing_is_left_patched(infisical):
    assert status(infisical.url) == 200
    with pytest.raises(requests.ConnectionError, match="pytest-infisical: GET https://example.org/elsewhere is not"):
        requests.get(OTHER)


@pytest.mark.withoutresponses
def test_and_without_the_fake_neither():
    with pytest.raises(requests.ConnectionError, match="socket guard"):
        requests.get("https://app.infisical.com/api/status")
""",
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    # the last test reached for the network on purpose: nothing of the fake nor of responses was left
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*socket guard: 1 network attempt(s): getaddrinfo app.infisical.com"])


RESPX = """
import respx


def check(infisical, router):
    router.get(GITHUB).respond(json={"login": "octocat"})
    assert httpx.get(infisical.url + "/api/status").status_code == 200
    assert httpx.get(GITHUB).json() == {"login": "octocat"}
    with pytest.raises(respx.models.AllMockedAssertionError, match="not mocked"):
        httpx.get(OTHER)
    assert [str(call.request.url) for call in router.calls] == [GITHUB]  # respx records only matches
    assert [call.path for call in infisical.calls] == ["/api/status"]
    assert not infisical.journal.unmocked


async def check_async(infisical, router):
    router.get(GITHUB).respond(json={"login": "octocat"})
    async with httpx.AsyncClient() as client:
        assert (await client.get(infisical.url + "/api/status")).status_code == 200
        assert (await client.get(GITHUB)).json() == {"login": "octocat"}
        with pytest.raises(respx.models.AllMockedAssertionError, match="not mocked"):
            await client.get(OTHER)
    assert [call.path for call in infisical.calls] == ["/api/status"]


@respx.mock
def test_decorator_after_the_fixture(infisical):
    check(infisical, respx)


def test_context_manager_after_the_fixture(infisical):
    with respx.mock() as router:
        check(infisical, router)


def test_async_context_manager_after_the_fixture(infisical):
    async def main():
        async with respx.mock() as router:
            await check_async(infisical, router)

    asyncio.run(main())


def test_fixture_before(respx_mock, infisical):
    check(infisical, respx_mock)


def test_fixture_after(infisical, respx_mock):
    check(infisical, respx_mock)


def test_fixture_before_async(respx_mock, infisical):
    asyncio.run(check_async(infisical, respx_mock))


def test_fixture_after_async(infisical, respx_mock):
    asyncio.run(check_async(infisical, respx_mock))


@pytest.mark.respx(using="httpx")
def test_fixture_mocking_the_httpx_layer(infisical, respx_mock):
    check(infisical, respx_mock)


@pytest.mark.respx(using="httpx")
def test_fixture_mocking_the_httpx_layer_async(infisical, respx_mock):
    asyncio.run(check_async(infisical, respx_mock))


def test_httpx_layer_started_inside_the_test_passes_the_fake_through(infisical):
    with respx.mock(using="httpx") as router:
        router.route(host="app.infisical.com").pass_through()  # respx hands it on: to the fake
        router.get(GITHUB).respond(json={"login": "octocat"})
        assert httpx.get(infisical.url + "/api/status").status_code == 200
        assert httpx.get(GITHUB).json() == {"login": "octocat"}
    assert [call.path for call in infisical.calls] == ["/api/status"]


def test_httpx_layer_started_inside_the_test_without_it(infisical):
    with respx.mock(using="httpx", assert_all_called=False) as router:
        with pytest.raises(respx.models.AllMockedAssertionError, match="RESPX: <Request[(]'GET', 'https://app.infisical.com/api/status'[)]> not mocked!"):
            httpx.get(infisical.url + "/api/status")


def test_alone_again_the_fake_refuses_other_hosts(infisical):
    with pytest.raises(httpx.ConnectError, match="pytest-infisical: GET https://example.org/elsewhere is not"):
        httpx.get(OTHER)
    infisical.journal.unmocked.clear()
"""


def test_respx_in_every_form_and_order(pytester: pytest.Pytester) -> None:
    run(pytester, RESPX).assert_outcomes(passed=12)


HTTPX_MOCK = """
def check(infisical, httpx_mock):
    httpx_mock.add_response(url=GITHUB, json={"login": "octocat"})
    assert httpx.get(infisical.url + "/api/status").status_code == 200
    assert httpx.get(GITHUB).json() == {"login": "octocat"}
    assert [str(request.url) for request in httpx_mock.get_requests()] == [GITHUB]
    assert [call.path for call in infisical.calls] == ["/api/status"]


@pytest.mark.httpx_mock(assert_all_requests_were_expected=False)
def test_other_hosts_are_the_users_mocks(infisical, httpx_mock):
    with pytest.raises(httpx.TimeoutException, match="No response can be found for GET request on https://example.org/elsewhere"):
        httpx.get(OTHER)
    assert not infisical.journal.unmocked


async def check_async(infisical, httpx_mock):
    httpx_mock.add_response(url=GITHUB, json={"login": "octocat"})
    async with httpx.AsyncClient() as client:
        assert (await client.get(infisical.url + "/api/status")).status_code == 200
        assert (await client.get(GITHUB)).json() == {"login": "octocat"}
    assert [str(request.url) for request in httpx_mock.get_requests()] == [GITHUB]
    assert [call.path for call in infisical.calls] == ["/api/status"]


def test_fixture_before(httpx_mock, infisical):
    check(infisical, httpx_mock)


def test_fixture_after(infisical, httpx_mock):
    check(infisical, httpx_mock)


def test_fixture_before_async(httpx_mock, infisical):
    asyncio.run(check_async(infisical, httpx_mock))


def test_fixture_after_async(infisical, httpx_mock):
    asyncio.run(check_async(infisical, httpx_mock))


def test_faults_reach_the_client(infisical, httpx_mock):
    infisical.fail_next(error="connection")
    with pytest.raises(httpx.ConnectError, match="pytest-infisical: injected connection error for GET /api/status"):
        httpx.get(infisical.url + "/api/status")
"""


def test_pytest_httpx_in_both_orders(pytester: pytest.Pytester) -> None:
    run(pytester, HTTPX_MOCK).assert_outcomes(passed=6)


def test_requests_and_httpx_mocks_together(pytester: pytest.Pytester) -> None:
    """One test, both stacks: each user mock sees only its own requests."""
    source = """
import respx


@responses.activate
@respx.mock
def test_both(infisical):
    responses.get(GITHUB, json={"via": "requests"})
    respx.get(GITHUB).respond(json={"via": "httpx"})
    assert requests.get(GITHUB).json() == {"via": "requests"}
    assert httpx.get(GITHUB).json() == {"via": "httpx"}
    assert status(infisical.url) == 200
    assert httpx.get(infisical.url + "/api/status").status_code == 200
    assert len(infisical.calls) == 2
"""
    run(pytester, source).assert_outcomes(passed=1)


def test_passthrough_without_another_mock_goes_to_the_network(pytester: pytest.Pytester) -> None:
    """``passthrough=`` hands a request to whatever would have handled it without the fake: here
    nothing, so the network — a server on loopback, which the socket guard lets through."""
    source = """
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


def test_passthrough(request, local_url):
    request.node.add_marker(pytest.mark.infisical(passthrough=[local_url]))
    infisical = request.getfixturevalue("infisical")
    assert requests.get(local_url + "/x").text == "hello"
    assert httpx.get(local_url + "/x").text == "hello"
    assert status(infisical.url) == 200
    assert not infisical.journal.unmocked
"""
    run(pytester, source).assert_outcomes(passed=1)


FROZEN = """
import datetime as dt

import freezegun
import time_machine

NEW_YEAR = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def secrets(infisical, token):
    return httpx.get(
        infisical.url + "/api/v3/secrets/raw",
        params={"workspaceId": infisical.project.id, "environment": "dev"},
        headers={"Authorization": f"Bearer {token}"},
    )


def login(infisical):
    identity = infisical.create_machine_identity(access_token_ttl=60)
    return httpx.post(infisical.url + "/api/v1/auth/universal-auth/login", json=identity.login_body).json()["accessToken"]


def test_time_machine_moves_the_fake(infisical):
    with time_machine.travel(NEW_YEAR, tick=False) as traveller:
        assert infisical.clock.now() == NEW_YEAR
        assert requests.get(infisical.url + "/api/status").json()["date"] == "2030-01-01T00:00:00.000Z"
        token = login(infisical)
        assert secrets(infisical, token).status_code == 200
        traveller.shift(61)
        expired = secrets(infisical, token)
        assert (expired.status_code, expired.json()["error"]) == (403, "TokenError")


@pytest.fixture
def frozen():
    with freezegun.freeze_time("2030-01-01") as frozen:
        yield frozen


def test_freezegun_moves_the_fake(frozen, infisical):
    assert infisical.clock.now() == NEW_YEAR
    token = login(infisical)
    frozen.tick(59)
    assert secrets(infisical, token).status_code == 200
    frozen.tick(2)
    assert secrets(infisical, token).status_code == 403


def test_advance_adds_to_the_frozen_time(frozen, infisical):
    infisical.clock.advance(30)
    assert infisical.clock.now() == NEW_YEAR + dt.timedelta(seconds=30)


def test_clock_freeze_ignores_time_machine(infisical):
    infisical.clock.freeze(dt.datetime(2031, 6, 1))  # naive: UTC
    with time_machine.travel(NEW_YEAR, tick=False):
        assert infisical.clock.now() == dt.datetime(2031, 6, 1, tzinfo=dt.timezone.utc)
    infisical.clock.unfreeze()
    assert infisical.clock.now().year < 2030
"""


def test_frozen_time(pytester: pytest.Pytester) -> None:
    run(pytester, FROZEN).assert_outcomes(passed=4)
