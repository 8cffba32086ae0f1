"""The same end-to-end flows through every transport: requests and httpx (sync and async) in-process,
and requests and httpx over the live loopback server. Same state, same journal, same assertions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
import requests

from pytest_infisical.assertions import assert_service_token_header
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.harness import Options, build, live, serve

from .clients import ApiError, ApiKeyClient, ServiceAccountClient, ServiceTokenClient


class AsyncSession:
    """An ``httpx.AsyncClient`` behind the sync ``request`` the clients call: the async transport runs."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@attrs.define
class Served:
    fake: FakeInfisical
    session: Any
    kind: str


TRANSPORTS = ["requests", "httpx", "httpx-async", "live-requests", "live-httpx"]


@pytest.fixture(params=TRANSPORTS)
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    kind = str(request.param)
    marker = request.node.get_closest_marker("infisical")  # profile= for the flows of retired modes
    options = Options(
        secrets={"dev": {"/": {"DB_PASSWORD": "hunter2"}, "/backend": {"QUEUE_URL": "amqp://queue"}}},
        profile=marker.kwargs["profile"] if marker is not None else "latest",
    )
    session: Any = {"requests": requests.Session, "httpx": httpx.Client, "httpx-async": AsyncSession}[
        kind.split("-", 1)[-1] if kind.startswith("live") else kind
    ]()
    with live(options) if kind.startswith("live") else serve(build(options), options) as fake:
        yield Served(fake, session, kind)
    session.close()


def test_service_token_flow(served: Served) -> None:
    fake = served.fake
    token = fake.create_service_token()
    client = ServiceTokenClient(served.session, fake.url, token)
    assert client.project_key == fake.project.key
    assert client.secrets() == {"DB_PASSWORD": "hunter2"}
    assert client.create("API_URL", "https://one") == 1
    assert client.update("API_URL", "https://two") == 2
    client.delete("API_URL")
    with pytest.raises(ApiError) as denied:
        client.secrets(path="/backend")
    assert denied.value.status == 403
    assert fake.secrets() == {"DB_PASSWORD": "hunter2"}
    fake.assert_called("PATCH", "/api/v3/secrets/API_URL", auth="service_token", times=1)
    fake.assert_all_calls_used(auth="service_token")
    assert_service_token_header(fake.calls[0], token, parts=3)
    fake.assert_end_to_end_encrypted()


@pytest.mark.infisical(profile="2023")  # a mode today's server no longer serves
def test_service_account_flow(served: Served) -> None:
    fake = served.fake
    account = fake.create_service_account()
    client = ServiceAccountClient(served.session, fake.url, account, fake.project.id)
    assert client.secrets() == {"DB_PASSWORD": "hunter2"}
    client.create("B", "2")
    assert fake.secrets() == {"DB_PASSWORD": "hunter2", "B": "2"}
    assert {c.auth_mode for c in fake.calls} == {"service_account"}


@pytest.mark.infisical(profile="2023")  # a mode today's server no longer serves
def test_api_key_flow(served: Served) -> None:
    fake = served.fake
    client = ApiKeyClient(served.session, fake.url, fake.create_api_key())
    assert client.me()["email"] == fake.user.email
    (org,) = client.organizations()
    (project,) = client.projects(org["_id"])
    assert client.raw_secrets(project["_id"]) == {"DB_PASSWORD": "hunter2"}
    client.set_raw(project["_id"], "NEW", "value")
    assert fake.secrets()["NEW"] == "value"
    assert [c.status for c in fake.calls] == [200] * 5


def test_faults_reach_the_client_as_its_librarys_errors(served: Served) -> None:
    fake = served.fake
    url = fake.url + "/api/status"
    fake.fail_next(sequence=[503, "connection", 200])
    assert served.session.request("GET", url).status_code == 503
    expected = requests.ConnectionError if served.kind.endswith("requests") else httpx.TransportError
    with pytest.raises(expected):
        served.session.request("GET", url)
    assert served.session.request("GET", url).status_code == 200
    assert [c.fault for c in fake.calls] == ["status 503", "connection error", None]


def test_a_delay_longer_than_the_clients_timeout(served: Served) -> None:
    fake = served.fake
    fake.fail_next(delay=0.3)
    expected = requests.ReadTimeout if served.kind.endswith("requests") else httpx.ReadTimeout
    with pytest.raises(expected):
        served.session.request("GET", fake.url + "/api/status", timeout=0.1)
