"""The proof: record against a live upstream with real credentials, stop it, replay offline with
the cassette's fixture credentials; the client sees the same results, and the file holds none of
the real material."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from pytest_infisical.cassettes import CassettePlayer, Recorder, load
from pytest_infisical.cassettes.rekey import placeholder
from pytest_infisical.cassettes.scan import encodings, scan_paths
from pytest_infisical.transports.httpx import HttpxTransport
from pytest_infisical.transports.responses import RequestsTransport
from pytest_infisical.transports.server import LiveServer

from .conftest import MODES, Upstream, fixture_credential, upstream

SECRETS = {"DB_PASSWORD": ("hunter2-Ünïcode-✓", "rotate monthly"), "API_TOKEN": ("tok_9f8e7d6c5b4a", "")}
WRITTEN = "a value the test wrote"


def record(tmp_path: Path, mode: str, keep: tuple[str, ...] = ()) -> tuple[Path, dict[str, Any], Upstream]:
    path = tmp_path / "cassettes" / f"{mode}.json"
    with upstream(mode, SECRETS) as up:
        recorder = Recorder(up.url, up.real, keep=keep)
        with RequestsTransport(recorder, [up.url]):
            live = up.flow(requests.Session(), up.url, up.credential, up.workspace, WRITTEN)
        recorder.save(path)
    return path, live, up


def expected_after_rekey(live: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
    """What the live results become when the values read from the server are placeholders."""

    def values(seen: dict[str, str], part: str) -> dict[str, str]:
        return {
            name: (v if name in keep or not v or v in (WRITTEN, "a comment") else placeholder(name, part))
            for name, v in seen.items()
        }

    out = dict(live)
    for field in ("before", "after"):
        if field in out:
            out[field] = values(live[field], "value")
    out["comments"] = values(live["comments"], "comment")
    return out


@pytest.mark.parametrize("mode", MODES)
def test_replay_gives_the_client_what_it_saw_live(tmp_path: Path, mode: str) -> None:
    path, live, up = record(tmp_path, mode, keep=tuple(SECRETS))
    player = CassettePlayer.load(path)
    credential = fixture_credential(player, mode)
    assert credential is not None
    with RequestsTransport(player, [player.url]):
        replayed = up.flow(requests.Session(), player.url, credential, up.workspace, WRITTEN)
    assert replayed == live
    assert player.misses == []
    assert player.unplayed() == []


@pytest.mark.parametrize("mode", MODES)
def test_values_read_from_the_server_become_placeholders(tmp_path: Path, mode: str) -> None:
    path, live, up = record(tmp_path, mode)
    assert live["before"]["DB_PASSWORD"] == SECRETS["DB_PASSWORD"][0]
    player = CassettePlayer.load(path)
    with RequestsTransport(player, [player.url]):
        replayed = up.flow(requests.Session(), player.url, fixture_credential(player, mode), up.workspace, WRITTEN)
    assert replayed == expected_after_rekey(live, ())
    assert replayed["before"]["DB_PASSWORD"] == "placeholder:DB_PASSWORD"


@pytest.mark.parametrize("mode", MODES)
def test_the_cassette_holds_no_real_material_in_any_encoding(tmp_path: Path, mode: str) -> None:
    path, _, up = record(tmp_path, mode)
    text = path.read_text(encoding="utf-8")
    real = [*up.material(), SECRETS["DB_PASSWORD"][0], SECRETS["API_TOKEN"][0], SECRETS["DB_PASSWORD"][1]]
    for value in real:
        for encoding, needle in encodings(value):
            assert needle not in text, f"{encoding} form of a real value in the cassette"
    if mode in ("machine_identity", "api_key"):
        assert WRITTEN in text  # test data stays (in E2EE modes it is there encrypted)
    assert scan_paths([path], values=real, environ={}) == []


@pytest.mark.parametrize("mode", MODES)
def test_the_fixture_credential_has_the_real_ones_kind_and_id(tmp_path: Path, mode: str) -> None:
    path, _, up = record(tmp_path, mode)
    fixture = fixture_credential(CassettePlayer.load(path), mode)
    assert type(fixture) is type(up.credential)
    if mode in ("service_token", "api_key", "service_account"):
        assert fixture.id == up.credential.id
    assert fixture != up.credential
    meta = load(path).meta
    assert mode in meta.auth_modes
    assert meta.url == up.url


def test_replay_through_httpx_sync_and_async(tmp_path: Path) -> None:
    path, live, up = record(tmp_path, "service_token", keep=tuple(SECRETS))
    cassette = load(path)
    token = fixture_credential(CassettePlayer(cassette), "service_token")
    player = CassettePlayer(cassette)
    with HttpxTransport(player, [player.url]), httpx.Client() as client:
        assert up.flow(client, player.url, token, up.workspace, WRITTEN) == live

    class SyncFacade:
        """The flow is synchronous: run each call of an AsyncClient to completion."""

        def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
            self.client, self.loop = client, loop

        def get(self, *a: Any, **k: Any) -> httpx.Response:
            return self.loop.run_until_complete(self.client.get(*a, **k))

        def post(self, *a: Any, **k: Any) -> httpx.Response:
            return self.loop.run_until_complete(self.client.post(*a, **k))

    player = CassettePlayer(cassette)
    loop = asyncio.new_event_loop()
    try:
        with HttpxTransport(player, [player.url]):
            async_client = httpx.AsyncClient()
            assert up.flow(SyncFacade(async_client, loop), player.url, token, up.workspace, WRITTEN) == live
            loop.run_until_complete(async_client.aclose())
    finally:
        loop.close()
    assert player.unplayed() == []


def test_replay_over_the_live_server(tmp_path: Path) -> None:
    path, live, up = record(tmp_path, "machine_identity", keep=tuple(SECRETS))
    player = CassettePlayer.load(path)
    with LiveServer(player) as server:
        replayed = up.flow(requests.Session(), server.url, player.machine_identity, up.workspace, WRITTEN)
    assert replayed == live
    assert player.unplayed() == []


def test_recording_through_the_live_server(tmp_path: Path) -> None:
    """A client in another process talks to a loopback server whose handler is the recorder."""
    path = tmp_path / "c.json"
    with upstream("service_token", SECRETS) as up:
        recorder = Recorder(up.url, up.real, keep=tuple(SECRETS))
        with LiveServer(recorder) as front:
            live = up.flow(requests.Session(), front.url, up.credential, up.workspace, WRITTEN)
        recorder.save(path)
    player = CassettePlayer.load(path)
    with RequestsTransport(player, ["https://replay.example"]):
        replayed = up.flow(requests.Session(), "https://replay.example", player.service_token, up.workspace, WRITTEN)
    assert replayed == live
