"""The cassette marker end to end, through pytest: record against a live upstream (our own fake
over real HTTP, with credentials created in it standing in for real ones), stop it, and replay
offline with the same test code; the client sees the same results and the file holds nothing real."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pytest_infisical.cassettes.scan import encodings, scan_paths

from .cassettes import flows
from .cassettes.conftest import MODES, Upstream, upstream

SECRETS = {"DB_PASSWORD": ("hunter2-Ünïcode-✓", "rotate monthly"), "API_TOKEN": ("tok_9f8e7d6c5b4a", "")}
CREDENTIAL_ENV = (
    "INFISICAL_API_URL",
    "INFISICAL_TOKEN",
    "INFISICAL_API_KEY",
    "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID",
    "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
    "INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY",
    "INFISICAL_SERVICE_ACCOUNT_PUBLIC_KEY",
    "INFISICAL_SERVICE_ACCOUNT_PRIVATE_KEY",
    "CI",
)


def credential_env(up: Upstream) -> dict[str, str]:
    """The environment a recording reads the "real" credentials from, by Infisical's own names."""
    c = up.credential
    return {
        "service_token": lambda: {"INFISICAL_TOKEN": c.token},
        "api_key": lambda: {"INFISICAL_API_KEY": c.value},
        "service_account": lambda: {
            "INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY": c.access_key,
            "INFISICAL_SERVICE_ACCOUNT_PUBLIC_KEY": c.public_key,
            "INFISICAL_SERVICE_ACCOUNT_PRIVATE_KEY": c.private_key,
        },
        "machine_identity": lambda: {
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": c.client_id,
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": c.client_secret,
        },
    }[up.mode]()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No live URL, no credentials and no CI in the environment of the inner runs."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@contextmanager
def recording(monkeypatch: pytest.MonkeyPatch, mode: str, secrets: Any = SECRETS) -> Iterator[Upstream]:
    """A live upstream for ``mode``; its URL (with the trailing /api, as the CLI takes it) and
    credentials in the environment while the block runs, and removed after."""
    with upstream(mode, secrets) as up, monkeypatch.context() as env:
        env.setenv("INFISICAL_API_URL", up.url + "/api")
        for name, value in credential_env(up).items():
            env.setenv(name, value)
        yield up


def seen(result: pytest.RunResult) -> list[Any]:
    """What the inner test printed on its ``SEEN`` lines."""
    return [json.loads(line.partition("SEEN ")[2]) for line in result.outlines if "SEEN {" in line]


def flow_test(mode: str, workspace: str, marker: str = "infisical_cassette(keep=['DB_PASSWORD', 'API_TOKEN'])") -> str:
    return f"""
import json

import pytest
import requests

import flows


@pytest.mark.{marker}
def test_flow(infisical, infisical_{mode}):
    with requests.Session() as session:
        seen = flows.{mode}(session, infisical.url, infisical_{mode}, "{workspace}", "a value the test wrote")
    print("SEEN " + json.dumps(seen, sort_keys=True))
    infisical.assert_called("POST", auth="{mode}")
    assert infisical.calls[-1].auth_mode == "{mode}"
"""


@pytest.fixture
def project(pytester: pytest.Pytester, offline: pytest.MonkeyPatch) -> pytest.Pytester:
    pytester.makepyfile(flows=Path(flows.__file__).read_text(encoding="utf-8"))
    return pytester


@pytest.mark.parametrize("mode", MODES)
def test_record_then_replay_offline_with_the_same_test_code(
    project: pytest.Pytester, offline: pytest.MonkeyPatch, mode: str
) -> None:
    with recording(offline, mode) as up:
        project.makepyfile(test_it=flow_test(mode, up.workspace))
        live = project.runpytest("-s", "--infisical-record-mode=once")
        live.assert_outcomes(passed=1)
    path = project.path / "cassettes" / "test_it" / "test_flow.json"
    text = path.read_text(encoding="utf-8")
    assert scan_paths([path]) == []
    for real in up.material():
        assert all(needle not in text for _, needle in encodings(real))

    replayed = project.runpytest("-s")  # the upstream is gone; record mode none; no credentials
    replayed.assert_outcomes(passed=1)
    assert seen(replayed) == seen(live) and len(seen(live)) == 1
    assert seen(live)[0]["before"]["DB_PASSWORD"] == SECRETS["DB_PASSWORD"][0]
