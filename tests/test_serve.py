"""``python -m pytest_infisical serve``: seeding, credentials, a Node.js client, bad seeds, signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pytest_infisical import crypto

from .serving import Served
from .serving import start as _start
from .serving import stop as _stop

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    served = _start(tmp_path)
    yield served
    if served.process.poll() is None:
        _stop(served)


def test_credentials_for_every_mode(served: Served) -> None:
    c = served.credentials
    assert set(c) == {
        "url",
        "project_id",
        "environments",
        "api_key",
        "service_token",
        "service_account",
        "machine_identity",
        "admin_token",
    }
    assert c["url"].startswith("http://127.0.0.1:")
    assert c["environments"] == ["dev", "staging", "prod"]
    assert str(c["service_token"]).count(".") == 3  # all four parts
    account = c["service_account"]
    assert isinstance(account, dict) and set(account) == {"access_key", "public_key", "private_key"}
    identity = c["machine_identity"]
    assert isinstance(identity, dict) and set(identity) == {"client_id", "client_secret"}


def test_demo_seed_and_access_everywhere(served: Served) -> None:
    """Each credential reads and writes every environment and path of the first project."""
    c = served.credentials
    query = {"workspaceId": str(c["project_id"])}
    bearer = _identity_bearer(served)
    prod = requests.get(
        served.url + "/api/v3/secrets/raw", headers=bearer, params={**query, "environment": "prod"}
    ).json()
    assert {s["secretKey"]: s["secretValue"] for s in prod["secrets"]} == {"DB_PASSWORD": "s3cret"}
    token = {"Authorization": f"Bearer {c['service_token']}"}
    backend = requests.get(
        served.url + "/api/v3/secrets/raw",
        headers=token,
        params={**query, "environment": "dev", "secretPath": "/backend"},
    )
    assert [s["secretKey"] for s in backend.json()["secrets"]] == ["QUEUE_URL"]
    write = requests.post(
        served.url + "/api/v3/secrets/raw/X",
        headers=token,
        json={**query, "environment": "staging", "secretValue": "1"},
    )
    assert write.status_code == 200
    # the API key and the service account are printed too, and today's server refuses them
    refused = requests.get(
        served.url + "/api/v3/secrets/raw",
        headers={"X-API-KEY": str(c["api_key"])},
        params={**query, "environment": "prod"},
    )
    assert (refused.status_code, refused.json()["message"]) == (
        400,
        "API key authentication is not supported anymore. Please switch to identity authentication.",
    )
    account = c["service_account"]
    me = requests.get(
        served.url + "/api/v2/service-accounts/me", headers={"Authorization": f"Bearer {account['access_key']}"}
    )
    assert (me.status_code, me.json()["error"]) == (403, "TokenError")


def _identity_bearer(served: Served) -> dict[str, str]:
    identity = served.credentials["machine_identity"]
    login = requests.post(
        served.url + "/api/v1/auth/universal-auth/login",
        json={"clientId": identity["client_id"], "clientSecret": identity["client_secret"]},
    )
    return {"Authorization": f"Bearer {login.json()['accessToken']}"}


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_a_node_client_runs_the_service_token_flow(served: Served) -> None:
    c = served.credentials
    completed = subprocess.run(
        [
            str(NODE),
            str(ROOT / "tests" / "node" / "service_token_flow.mjs"),
            served.url,
            str(c["service_token"]),
            "dev",
            "/",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result == {"projectKeyLength": 32, "secrets": {"DB_PASSWORD": "hunter2"}, "written": "written-by-node"}
    # what Node wrote is end-to-end encrypted: read it back through another mode, decrypting ourselves
    raw = requests.get(
        served.url + "/api/v3/secrets/raw/FROM_NODE",
        headers=_identity_bearer(served),
        params={"workspaceId": str(c["project_id"]), "environment": "dev"},
    )
    assert raw.json()["secret"]["secretValue"] == "written-by-node"


def test_seed_file_and_profile(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "projects": [
                    {
                        "name": "shop",
                        "e2ee": True,
                        "environments": ["dev", "prod"],
                        "secrets": {"prod": {"/": {"STRIPE_KEY": "sk_live"}}},
                    },
                    {"name": "other", "secrets": {"A": "1"}},
                ]
            }
        )
    )
    served = _start(tmp_path, "--seed", str(seed), "--profile", "2023")
    try:
        c = served.credentials
        assert c["environments"] == ["dev", "prod"]
        token = str(c["service_token"])
        headers = {"Authorization": f"Bearer {token.rsplit('.', 1)[0]}"}
        document = requests.get(served.url + "/api/v2/service-token", headers=headers).json()
        listed = requests.get(
            served.url + "/api/v3/secrets",
            headers=headers,
            params={"workspaceId": document["workspace"], "environment": "prod"},
        )
        assert dict(crypto.decrypt_secrets(listed.json(), service_token=token, service_token_data=document)) == {
            "STRIPE_KEY": "sk_live"
        }
        # E2EE project: the raw routes refuse it, with the 2023 profile's status
        raw = requests.get(
            served.url + "/api/v3/secrets/raw",
            headers=headers,
            params={"workspaceId": document["workspace"], "environment": "prod"},
        )
        assert raw.status_code == 400
        assert requests.get(served.url + "/api/v2/users/me").status_code == 400  # 2023: missing credentials is a 400
    finally:
        _stop(served, signal.SIGINT)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "seed.json: line 1, column 2: not valid JSON: Expecting property name enclosed in double quotes"),
        ('{"projects": []}', 'seed.json: expected an object with a non-empty "projects" list'),
        (
            '{"projects": [{"name": "x", "colour": "red"}]}',
            "seed.json: projects[0]: unknown key(s) ['colour']; a project has ['e2ee', 'environments', 'name', 'secrets', 'version']",
        ),
        (
            '{"projects": [{"name": "x", "secrets": {"qa": {"/": {"A": "1"}}}}]}',
            "seed.json: projects[0].secrets.qa: project 'x' has no environment 'qa' (it has dev, staging, prod)",
        ),
        (
            '{"projects": [{"name": "x", "secrets": {"dev": {"/": {"A": 1}}}}]}',
            "seed.json: projects[0].secrets.dev./.A: a secret value must be a string, got int",
        ),
        ('{"projects": [{"e2ee": "yes"}]}', "seed.json: projects[0].e2ee: expected true or false, got 'yes'"),
    ],
)
def test_a_bad_seed_is_explained_and_nothing_starts(tmp_path: Path, content: str, message: str) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(content)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_infisical", "serve", "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [f"error: {tmp_path / message}; the server was not started"]


def test_a_missing_seed_file(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_infisical", "serve", "--seed", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith(
        f"error: {tmp_path / 'nope.json'}: cannot read the seed file (No such file or directory)"
    )


def test_help_lists_the_options() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_infisical", "serve", "--help"], capture_output=True, text=True, timeout=30
    )
    for option in ("--host", "--port", "--seed FILE", "--credentials-out FILE", "--profile {latest,2024-08,2023}"):
        assert option in completed.stdout


def test_sigterm_stops_promptly(tmp_path: Path) -> None:
    served = _start(tmp_path)
    session = requests.Session()
    assert session.get(served.url + "/api/status").status_code == 200  # a kept-alive connection is open
    start = time.perf_counter()
    err = _stop(served)
    assert time.perf_counter() - start < 5
    assert err.splitlines()[-1] == "stopped"
