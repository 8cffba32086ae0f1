"""The recorder as a handler: forwarding, an unreachable upstream, the status version, refusing to leak."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from pytest_infisical.cassettes import Recorder, load
from pytest_infisical.cassettes.recorder import normalize_url
from pytest_infisical.cassettes.rekey import RealCredentials
from pytest_infisical.errors import CassetteError, CassetteLeakError
from pytest_infisical.faults import ConnectionFault
from pytest_infisical.http import Request, Response
from pytest_infisical.transports.responses import RequestsTransport
from pytest_infisical.transports.server import LiveServer

from .conftest import upstream


def test_the_url_is_taken_as_the_official_cli_takes_it() -> None:
    assert normalize_url("https://infisical.example.com/api/") == "https://infisical.example.com"
    assert normalize_url("https://example.com/infisical") == "https://example.com/infisical"
    with pytest.raises(
        CassetteError, match=r"the live Infisical URL must be http\(s\)://host\[:port\]\[/prefix\], got 'example.com'"
    ):
        normalize_url("example.com")


def test_an_unreachable_upstream_is_a_connection_error_for_the_client() -> None:
    with LiveServer(Recorder("http://127.0.0.1:9", RealCredentials())) as dead:
        url = dead.url
    recorder = Recorder(url, RealCredentials())
    with RequestsTransport(recorder, ["https://app.infisical.com"]), pytest.raises(requests.ConnectionError) as info:
        requests.get("https://app.infisical.com/api/status")
    assert str(info.value).startswith(f"cannot reach the live Infisical at {url}: ")
    with pytest.raises(ConnectionFault):
        recorder.handle(Request("GET", "https://app.infisical.com/api/status"))
    assert recorder.exchanges == []


def test_a_path_prefix_is_kept_and_the_client_gets_the_real_response() -> None:
    seen: list[str] = []

    class Echo:
        def handle(self, request: Request) -> Response:
            seen.append(request.target)
            return Response.json_body(201, {"echo": request.target}, {"X-Real": "yes"})

    with LiveServer(Echo()) as server:
        recorder = Recorder(server.url + "/infisical/api", RealCredentials())
        response = recorder.handle(Request("GET", "https://app.infisical.com/api/status?x=1"))
    assert seen == ["/infisical/api/status?x=1"]
    assert response.status == 201 and response.json() == {"echo": "/infisical/api/status?x=1"}
    assert response.headers["x-real"] == "yes"


def test_the_infisical_version_is_recorded_when_the_server_tells_it(tmp_path: Path) -> None:
    class Versioned:
        def handle(self, request: Request) -> Response:
            return Response.json_body(200, {"message": "Ok", "version": "v0.99.1"})

    with LiveServer(Versioned()) as server:
        recorder = Recorder(server.url, RealCredentials())
        recorder.handle(Request("GET", f"{server.url}/api/v1/x"))
        recorder.save(tmp_path / "c.json")
    assert load(tmp_path / "c.json").meta.infisical_version == "v0.99.1"
    with upstream("api_key", {}) as up:
        assert Recorder(up.url, up.real).infisical_version() is None  # the fake does not tell


def test_real_material_left_anywhere_means_nothing_is_written(tmp_path: Path) -> None:
    """A secret whose name carries another secret's real value: the scan catches it, the old file stays."""
    path = tmp_path / "c.json"
    path.write_text("previous content")
    with upstream("machine_identity", {"A": ("hunter2hunter2", ""), "LEAK_hunter2hunter2": ("x", "")}) as up:
        recorder = Recorder(up.url, up.real)
        with RequestsTransport(recorder, [up.url]):
            token = requests.post(f"{up.url}/api/v1/auth/universal-auth/login", json=up.credential.login_body).json()
            requests.get(
                f"{up.url}/api/v3/secrets/raw",
                params={"workspaceId": up.workspace, "environment": "dev"},
                headers={"Authorization": f"Bearer {token['accessToken']}"},
            )
        with pytest.raises(CassetteLeakError) as info:
            recorder.save(path)
    message = str(info.value)
    assert message.startswith(f"refusing to write {path}: it would hold real material\n  {path}: line ")
    assert message.endswith(": the value of secret 'A' (raw)")
    assert "hunter2" not in message
    assert path.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]
