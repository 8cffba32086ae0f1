"""The official Node SDKs — legacy ``infisical-node`` and current ``@infisical/sdk`` — against
``python -m pytest_infisical serve``. npm installs them once into pytest's cache directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .serving import Served, start, stop
from .test_official_sdks import _locked

ROOT = Path(__file__).resolve().parent.parent
NODE, NPM = shutil.which("node"), shutil.which("npm")
PACKAGES = ("@infisical/sdk@5.0.2", "infisical-node@1.5.1")
SYSTEM_CAS = "/etc/ssl/certs/ca-certificates.crt"

pytestmark = pytest.mark.skipif(NODE is None or NPM is None, reason="Node.js and npm are not installed")


@pytest.fixture(scope="session")
def node_modules(request: pytest.FixtureRequest) -> Path:
    cache = Path(request.config.cache.mkdir("node-sdks"))
    marker = cache / "ready.txt"
    env = dict(os.environ)
    if "NODE_EXTRA_CA_CERTS" not in env and Path(SYSTEM_CAS).exists():
        env["NODE_EXTRA_CA_CERTS"] = SYSTEM_CAS  # Node trusts only its own CA list otherwise
    for _ in _locked(cache / "lock"):
        if not (marker.exists() and marker.read_text() == " ".join(PACKAGES)):
            subprocess.run(
                [
                    str(NPM),
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--no-update-notifier",
                    "--fetch-retries=2",
                    "--fetch-timeout=60000",
                    "--silent",
                    "--prefix",
                    str(cache),
                    *PACKAGES,
                ],
                check=True,
                timeout=300,
                env=env,
            )
            marker.write_text(" ".join(PACKAGES))
    return cache


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    served = start(tmp_path)
    yield served
    stop(served)


def _node(script: str, *args: str) -> dict[str, object]:
    completed = subprocess.run(
        [str(NODE), str(ROOT / "tests" / "node" / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def test_legacy_node_sdk(node_modules: Path, served: Served) -> None:
    result = _node("legacy_node_sdk.cjs", str(node_modules), served.url, str(served.credentials["service_token"]))
    assert result == {
        "all": [{"name": "DB_PASSWORD", "value": "hunter2", "version": 1, "fallback": False}],
        "got": {"name": "DB_PASSWORD", "value": "hunter2", "version": 1, "fallback": False},
        "created": {"name": "FROM_LEGACY_NODE", "value": "one", "version": 1, "fallback": False},
        "updated": {"name": "FROM_LEGACY_NODE", "value": "two", "version": 2, "fallback": False},
        "deleted": {"name": "FROM_LEGACY_NODE", "value": "two", "version": 2, "fallback": False},
    }


def test_current_node_sdk(node_modules: Path, served: Served) -> None:
    identity = served.credentials["machine_identity"]
    result = _node(
        "current_node_sdk.mjs",
        str(node_modules),
        served.url,
        identity["client_id"],
        identity["client_secret"],
        str(served.credentials["project_id"]),
    )
    missing = str(result.pop("missing"))
    assert result == {
        "listed": {"/DB_PASSWORD": "hunter2", "/backendQUEUE_URL": "amqp://queue"},
        "got": "hunter2",
        "created": ["one", "c", 1],
        "updated": ["two", 2],
        "deleted": "FROM_NODE_SDK",
    }
    # the SDK surfaces the message of today's error body (it also sent a stray secretName query parameter)
    assert missing.startswith(f"[URL={served.url}/api/v3/secrets/raw/NOPE?secretName=NOPE&")
    assert missing.endswith("[Method=GET] [StatusCode=404] Secret with name 'NOPE' not found")
