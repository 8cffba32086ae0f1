"""The cassette marker end to end, through pytest: record against a live upstream (our own fake
over real HTTP, with credentials created in it standing in for real ones), stop it, and replay
offline with the same test code; the client sees the same results and the file holds nothing real."""

from __future__ import annotations

import json
import shutil
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
import shutil

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


def record_flow(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """Record ``test_it.py::test_flow`` (the flow of ``mode``) against a fresh upstream, then stop it."""
    with recording(monkeypatch, mode) as up:
        project.makepyfile(test_it=flow_test(mode, up.workspace))
        project.runpytest("--infisical-record-mode=once").assert_outcomes(passed=1)


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


TRANSPORTS = """
import asyncio
import json
import shutil

import httpx
import pytest
import requests

import flows

WORKSPACE = "{workspace}"


@pytest.mark.infisical_cassette(keep=["DB_PASSWORD", "API_TOKEN", "WRITTEN"])
def test_httpx_sync(infisical, infisical_machine_identity):
    with httpx.Client() as client:
        seen = flows.machine_identity(client, infisical.url, infisical_machine_identity, WORKSPACE, "sync")
    print("SEEN " + json.dumps(seen, sort_keys=True))


@pytest.mark.infisical_cassette(keep=["DB_PASSWORD", "API_TOKEN", "WRITTEN"])
def test_httpx_async(infisical, infisical_machine_identity):
    async def login():
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                infisical.url + "/api/v1/auth/universal-auth/login", json=infisical_machine_identity.login_body
            )
            token = answer.json()["accessToken"]
            listed = await client.get(
                infisical.url + "/api/v3/secrets/raw",
                params={{"workspaceId": WORKSPACE, "environment": "dev", "secretPath": "/"}},
                headers={{"Authorization": "Bearer " + token}},
            )
            return {{s["secretKey"]: s["secretValue"] for s in listed.json()["secrets"]}}

    print("SEEN " + json.dumps(asyncio.run(login()), sort_keys=True))


@pytest.mark.infisical_cassette(keep=["DB_PASSWORD", "API_TOKEN", "WRITTEN"])
def test_over_real_http(infisical_server, infisical_machine_identity):
    assert infisical_server.url.startswith("http://127.0.0.1:")
    with requests.Session() as session:
        login = session.post(infisical_server.url + "/api/v1/auth/universal-auth/login", json=infisical_machine_identity.login_body)
        listed = session.get(
            infisical_server.url + "/api/v3/secrets/raw",
            params={{"workspaceId": WORKSPACE, "environment": "dev", "secretPath": "/"}},
            headers={{"Authorization": "Bearer " + login.json()["accessToken"]}},
        )
    print("SEEN " + json.dumps({{s["secretKey"]: s["secretValue"] for s in listed.json()["secrets"]}}, sort_keys=True))
    infisical_server.assert_called("GET", "/api/v3/secrets/raw", auth="machine_identity")
"""


def test_httpx_sync_async_and_the_live_server_record_and_replay(
    project: pytest.Pytester, offline: pytest.MonkeyPatch
) -> None:
    with recording(offline, "machine_identity") as up:
        project.makepyfile(test_transports=TRANSPORTS.format(workspace=up.workspace))
        live = project.runpytest("-s", "--infisical-record-mode=once")
        live.assert_outcomes(passed=3)
    assert scan_paths([project.path / "cassettes"]) == []
    assert len(list((project.path / "cassettes" / "test_transports").glob("*.json"))) == 3
    replayed = project.runpytest("-s")
    replayed.assert_outcomes(passed=3)
    assert seen(replayed) == seen(live) and len(seen(live)) == 3
    # one upstream for the three: the later ones read what the first wrote (kept by name)
    assert seen(live)[2] == {**{name: value for name, (value, _) in SECRETS.items()}, "WRITTEN": "sync"}


def test_a_missing_cassette_says_how_to_record_it(pytester: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(
        test_missing="""
        import pytest

        @pytest.mark.infisical_cassette
        def test_it(infisical):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "pytest-infisical: no cassette at */cassettes/test_missing/test_it.json; record it against "
            "a real Infisical with --infisical-record-mode=once and --infisical-live-url=URL (or "
            "INFISICAL_API_URL), the real credentials in the environment"
        ]
    )


def test_recording_without_a_live_url_says_which_to_set(pytester: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(
        test_nourl="""
        import pytest

        @pytest.mark.infisical_cassette(record_mode="all")
        def test_it(infisical):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "pytest-infisical: recording */cassettes/test_nourl/test_it.json needs the live Infisical "
            "to record against: pass --infisical-live-url=URL or set INFISICAL_API_URL"
        ]
    )


def test_ci_refuses_to_record_unless_forced(project: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    with recording(offline, "api_key") as up:
        project.makepyfile(test_it=flow_test("api_key", up.workspace))
        offline.setenv("CI", "true")
        refused = project.runpytest("--infisical-record-mode=once")
        refused.assert_outcomes(errors=1)
        refused.stdout.fnmatch_lines(
            [
                "pytest-infisical: refusing to record */cassettes/test_it/test_flow.json (record mode "
                "'once') where CI is set: a CI run replays committed cassettes; pass --infisical-record-in-ci to "
                "record anyway"
            ]
        )
        assert not (project.path / "cassettes").exists()
        project.runpytest("--infisical-record-mode=once", "--infisical-record-in-ci").assert_outcomes(passed=1)
    assert (project.path / "cassettes" / "test_it" / "test_flow.json").is_file()
    project.runpytest().assert_outcomes(passed=1)  # replaying is fine under CI


def test_values_read_from_the_server_are_placeholders_unless_kept(
    project: pytest.Pytester, offline: pytest.MonkeyPatch
) -> None:
    with recording(offline, "machine_identity") as up:
        project.makepyfile(
            test_kept=flow_test("machine_identity", up.workspace, "infisical_cassette(keep=['API_TOKEN'])")
        )
        live = project.runpytest("-s", "--infisical-record-mode=once")
        live.assert_outcomes(passed=1)
    replayed = project.runpytest("-s")
    replayed.assert_outcomes(passed=1)
    before = seen(replayed)[0]["before"]
    assert before == {"API_TOKEN": SECRETS["API_TOKEN"][0], "DB_PASSWORD": "placeholder:DB_PASSWORD"}
    assert seen(replayed)[0]["written"] == "a value the test wrote"  # test data stays
    assert SECRETS["DB_PASSWORD"][0] not in (project.path / "cassettes" / "test_kept" / "test_flow.json").read_text(
        encoding="utf-8"
    )


QUERY_TEST = """
import os

import pytest
import requests


@pytest.mark.infisical_cassette(name="shared", match_on={match_on})
def test_status(infisical):
    answer = requests.get(infisical.url + "/api/status", params={{"probe": os.environ.get("PROBE", "recorded")}})
    assert answer.status_code == 200, answer.text
"""


def test_match_on_narrows_what_a_request_is_matched_on(pytester: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    with recording(offline, "api_key"):
        pytester.makepyfile(test_query=QUERY_TEST.format(match_on=None))
        pytester.runpytest("--infisical-record-mode=once").assert_outcomes(passed=1)
    assert (pytester.path / "cassettes" / "test_query" / "shared.json").is_file()  # name= names the file

    offline.setenv("PROBE", "another")
    strict = pytester.runpytest()
    strict.assert_outcomes(failed=1, errors=1)
    strict.stdout.fnmatch_lines(
        [
            "pytest-infisical: the cassette replay is incomplete:",
            "no recorded interaction in */shared.json matches GET /api/status; the closest recorded interactions:",
            "  #0 GET /api/status - differs in query (probe)",
            "1 recorded interaction(s) never played:",
            "  #0 GET /api/status",
        ]
    )
    assert "another" not in strict.stdout.str().replace("PROBE", "")

    pytester.makepyfile(test_query=QUERY_TEST.format(match_on=["method", "path"]))
    pytester.runpytest().assert_outcomes(passed=1)


def test_strict_teardown_fails_on_interactions_never_played(
    project: pytest.Pytester, offline: pytest.MonkeyPatch
) -> None:
    record_flow(project, offline, "api_key")
    project.makepyfile(
        test_it="""
        import pytest
        import requests

        @pytest.mark.infisical_cassette
        def test_flow(infisical, infisical_api_key):
            me = requests.get(infisical.url + "/api/v2/users/me", headers=infisical_api_key.headers)
            assert me.status_code == 200
            infisical.assert_called("GET", "/api/v2/users/me", auth="api_key")
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "pytest-infisical: the cassette replay is incomplete:",
            "3 recorded interaction(s) never played:",
            "  #1 GET /api/v3/secrets/raw",
            "  #2 POST /api/v3/secrets/raw/WRITTEN",
            "  #3 GET /api/v3/secrets/raw/WRITTEN",
        ]
    )


def test_credentials_the_cassette_lacks_say_how_to_get_them(
    project: pytest.Pytester, offline: pytest.MonkeyPatch
) -> None:
    record_flow(project, offline, "api_key")
    with recording(offline, "api_key"):
        project.makepyfile(
            test_token="""
            import pytest

            @pytest.mark.infisical_cassette
            def test_token(infisical_service_token):
                pass
            """
        )
        recording_without = project.runpytest("test_token.py", "--infisical-record-mode=all")
        recording_without.assert_outcomes(errors=1)
        recording_without.stdout.fnmatch_lines(
            [
                "pytest-infisical: infisical_service_token records with a real credential: "
                "set INFISICAL_TOKEN (the full four-part service token)"
            ]
        )
    project.makepyfile(
        test_it="""
        import pytest

        @pytest.mark.infisical_cassette
        def test_flow(infisical_machine_identity):
            pass
        """
    )
    replaying = project.runpytest("test_it.py")
    replaying.assert_outcomes(errors=1)
    replaying.stdout.fnmatch_lines(
        [
            "pytest-infisical: infisical_machine_identity: the cassette */test_flow.json was recorded "
            "without this credential; record it again with INFISICAL_UNIVERSAL_AUTH_CLIENT_ID and "
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET set"
        ]
    )


def test_the_seeding_api_says_why_it_is_not_there(project: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    record_flow(project, offline, "api_key")
    project.makepyfile(
        test_it="""
        import pytest
        from pytest_infisical.errors import CassetteError

        @pytest.mark.infisical_cassette(name="test_flow")
        def test_seed(infisical):
            with pytest.raises(CassetteError) as caught:
                infisical.set_secret("X", "y")
            print("ERROR", caught.value)
            with pytest.raises(AttributeError):
                infisical.no_such_thing
        """
    )
    result = project.runpytest("-s", "-p", "no:randomly", "--infisical-record-mode=none")
    result.stdout.fnmatch_lines(
        [
            "*ERROR pytest-infisical: infisical.set_secret is not available in a cassette test: the cassette "
            "replays the server's answers as recorded (seed the live Infisical before recording, or use the fake "
            "without @pytest.mark.infisical_cassette)*"
        ]
    )


def test_a_leak_fails_the_test_and_writes_nothing(pytester: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    with recording(offline, "api_key") as up:
        pytester.makepyfile(
            test_leak=f"""
            import pytest
            import requests

            @pytest.mark.infisical_cassette
            def test_leak(infisical, infisical_api_key):
                query = {{"workspaceId": "{up.workspace}", "environment": "dev", "secretPath": "/"}}
                listed = requests.get(infisical.url + "/api/v3/secrets/raw", params=query, headers=infisical_api_key.headers)
                value = listed.json()["secrets"][0]["secretValue"]
                # a value read from the server, sent back where no re-keying reaches it
                requests.get(infisical.url + "/api/status", params={{"echo": value}})
            """
        )
        result = pytester.runpytest("--infisical-record-mode=once")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "pytest-infisical: refusing to write */cassettes/test_leak/test_leak.json: it would hold real material",
            "  */test_leak.json: line *, column *: the value of secret '*' (*)",
        ]
    )
    assert not (pytester.path / "cassettes" / "test_leak" / "test_leak.json").exists()
    for value, _ in SECRETS.values():
        assert value not in result.stdout.str()


def test_new_episodes_replays_what_matches_and_records_the_rest(
    pytester: pytest.Pytester, offline: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_episodes="""
        import os

        import pytest
        import requests

        @pytest.mark.infisical_cassette
        def test_it(infisical, infisical_api_key):
            for name in os.environ["ROUTES"].split():
                answer = requests.get(infisical.url + "/api/v2/" + name, headers=infisical_api_key.headers)
                assert answer.status_code == 200, answer.text
        """
    )
    path = pytester.path / "cassettes" / "test_episodes" / "test_it.json"
    with recording(offline, "api_key") as up:
        offline.setenv("ROUTES", "users/me")
        pytester.runpytest("--infisical-record-mode=once").assert_outcomes(passed=1)
        first = json.loads(path.read_text(encoding="utf-8"))
        offline.setenv("ROUTES", "users/me users/me/organizations")
        pytester.runpytest("--infisical-record-mode=new_episodes").assert_outcomes(passed=1)
        assert [c.path for c in up.fake.calls] == [
            "/api/v2/users/me",
            "/api/status",
            "/api/v2/users/me/organizations",
            "/api/status",
        ]
    merged = json.loads(path.read_text(encoding="utf-8"))
    assert [i["request"]["url"].rsplit("/api", 1)[1] for i in merged["interactions"]] == [
        "/v2/users/me",
        "/v2/users/me/organizations",
    ]
    assert merged["fixture"]["credentials"] == first["fixture"]["credentials"]  # re-keyed the same way
    assert scan_paths([path]) == []
    pytester.runpytest().assert_outcomes(passed=1)


def test_faults_and_the_journal_work_on_a_replay(project: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    record_flow(project, offline, "service_token")
    project.makepyfile(
        test_it="""
        import pytest
        import requests

        @pytest.mark.infisical_cassette(name="test_flow", keep=["DB_PASSWORD", "API_TOKEN"])
        def test_flow(infisical, infisical_service_token):
            infisical.fail_next("GET", "/api/v2/service-token", status=503)
            headers = infisical_service_token.headers
            assert requests.get(infisical.url + "/api/v2/service-token", headers=headers).status_code == 503
            assert requests.get(infisical.url + "/api/v2/service-token", headers=headers).status_code == 200
            calls = infisical.assert_called("GET", "/api/v2/service-token", auth="service_token", times=2)
            assert calls[0].fault and calls[1].credential_id == infisical_service_token.id
            infisical.expect("POST", "/api/v3/secrets/WRITTEN")
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "pytest-infisical: the cassette replay is incomplete:",
            "3 recorded interaction(s) never played:",
            "*pytest-infisical: 1 expected call(s) declared with infisical.expect() were not made:",
        ]
    )


def test_the_ini_file_moves_the_cassette_directory(pytester: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    pytester.makeini("[pytest]\ninfisical_cassette_dir = recorded/here\n")
    pytester.mkdir("sub")
    pytester.path.joinpath("sub", "test_moved.py").write_text(
        "import pytest\n\n@pytest.mark.infisical_cassette\n@pytest.mark.parametrize('x', ['a/b'])\n"
        "def test_it(infisical, x):\n    pass\n"
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["pytest-infisical: no cassette at */recorded/here/test_moved/test_it?a_b?.json; *"])


def test_marker_options_are_checked(pytester: pytest.Pytester, offline: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(
        test_typo="""
        import pytest

        @pytest.mark.infisical_cassette(keeps=["X"])
        def test_it(infisical):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.infisical_cassette takes the keyword options name, record_mode, keep, match_on; got keeps",
        ]
    )


NODE = shutil.which("node")
NODE_FLOW = Path(__file__).resolve().parent / "node" / "service_token_flow.mjs"


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_a_node_client_records_and_replays_through_the_live_server(
    pytester: pytest.Pytester, offline: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_node=f"""
        import subprocess

        import pytest

        @pytest.mark.infisical_cassette(keep=["DB_PASSWORD", "API_TOKEN"])
        def test_node(infisical_server, infisical_service_token):
            completed = subprocess.run(
                [{str(NODE)!r}, {str(NODE_FLOW)!r}, infisical_server.url, infisical_service_token.token, "dev", "/"],
                capture_output=True, text=True, timeout=60, check=False,
            )
            assert completed.returncode == 0, completed.stderr
            print("SEEN " + completed.stdout.strip())
            infisical_server.assert_called("POST", "/api/v3/secrets/FROM_NODE", auth="service_token")
        """
    )
    with recording(offline, "service_token"):
        live = pytester.runpytest("-s", "--infisical-record-mode=once")
        live.assert_outcomes(passed=1)
    assert scan_paths([pytester.path / "cassettes"]) == []
    replayed = pytester.runpytest("-s")
    replayed.assert_outcomes(passed=1)
    assert seen(replayed) == seen(live)
    assert seen(live)[0]["secrets"]["DB_PASSWORD"] == SECRETS["DB_PASSWORD"][0]
    assert seen(live)[0]["written"] == "written-by-node"


def test_the_example_cassette_holds_only_fixture_material() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "cassette_replay" / "cassettes"
    (path,) = example.rglob("*.json")
    assert scan_paths([example]) == []
    cassette = json.loads(path.read_text(encoding="utf-8"))
    assert cassette["fixture"]["credentials"]["service_token"].startswith("st.")
    assert "placeholder:DATABASE_URL" in path.read_text(encoding="utf-8")
