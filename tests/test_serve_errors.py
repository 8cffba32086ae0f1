"""``serve`` never shows a traceback: every failure is one line on stderr and a documented exit code.

Exit codes: 0 served and stopped, 1 could not start (address, credentials file), 2 bad command
line or seed file, 128 + N stopped by signal N before serving. No credentials file, whole or
partial, and no temporary file is left behind by a failed start.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_infisical import __main__ as cli
from pytest_infisical.transports import server as transport

from .serving import clean_env

TIMEOUT = 60


def _serve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_infisical", "serve", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=clean_env(),
        cwd=cwd,
        check=False,
    )


def _assert_one_line(completed: subprocess.CompletedProcess[str], code: int, line: str) -> None:
    assert (completed.returncode, completed.stdout, completed.stderr.splitlines()) == (code, "", [line])


# ---- the command line --------------------------------------------------------------------------

PORT_HINT = "is not a port number (0 to 65535; 0 picks a free port); see --help"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--port", "70000"], f"error: argument --port: '70000' {PORT_HINT}"),
        (["--port", "-1"], f"error: argument --port: '-1' {PORT_HINT}"),
        (["--port", "http"], f"error: argument --port: 'http' {PORT_HINT}"),
        (
            ["--host", ""],
            "error: argument --host: the address is empty; use 127.0.0.1 (loopback, the default) or 0.0.0.0 "
            "(every interface); see --help",
        ),
        (
            ["--profile", "2025"],
            "error: argument --profile: '2025' is not a profile (latest, 2024-08, 2023); see --help",
        ),
        (["--colour"], "error: unrecognized arguments: --colour; see --help"),
        (
            ["--credentials-out", "."],
            "error: argument --credentials-out: . is a directory; give the path of a file to write; see --help",
        ),
        (
            ["--credentials-out", "missing/"],
            "error: argument --credentials-out: missing/ names a directory (it ends with '/'); give the path of a "
            "file; see --help",
        ),
        (
            ["--credentials-out", "a-file/credentials.json"],
            "error: argument --credentials-out: a-file/credentials.json: a-file is not a directory; see --help",
        ),
    ],
)
def test_a_bad_command_line_is_one_line_and_exit_code_2(tmp_path: Path, args: list[str], line: str) -> None:
    (tmp_path / "a-file").write_text("")
    _assert_one_line(_serve(*args, cwd=tmp_path), 2, line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing written


def test_a_credentials_path_the_system_refuses_is_a_usage_error(tmp_path: Path) -> None:
    name = "c" * 300 + ".json"
    completed = _serve("--credentials-out", name, cwd=tmp_path)
    _assert_one_line(completed, 2, f"error: argument --credentials-out: {name}: File name too long; see --help")
    assert list(tmp_path.iterdir()) == []


def test_credentials_that_cannot_be_written_stop_the_server_and_leave_no_file(tmp_path: Path) -> None:
    name = "c" * 250 + ".json"  # a valid name, but its temporary file's name is too long
    completed = _serve("--credentials-out", name, cwd=tmp_path)
    _assert_one_line(
        completed, 1, f"error: cannot write the credentials to {name}: File name too long; the server was not started"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_address_that_cannot_be_bound_is_exit_code_1(tmp_path: Path) -> None:
    completed = _serve("--host", "192.0.2.1", cwd=tmp_path)  # TEST-NET-1: no interface of this machine has it
    _assert_one_line(
        completed,
        1,
        "error: cannot listen on 192.0.2.1:0: Cannot assign requested address; the server was not started",
    )


def test_the_temporary_file_is_removed_when_the_rename_fails(tmp_path: Path) -> None:
    target = tmp_path / "credentials.json"
    target.mkdir()  # appeared after the command line was checked: the rename over it fails
    with pytest.raises(IsADirectoryError):
        cli._write_atomically(target, '{"api_key": "ak.…"}\n')
    assert [p.name for p in tmp_path.iterdir()] == ["credentials.json"]


def test_the_credentials_file_is_written_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "new" / "credentials.json"  # a missing directory is created
    cli._write_atomically(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["credentials.json"]


# ---- seed files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"projects": [{"name": "caf\xe9"}]}',
            "line 1, column 28: not UTF-8 text (a Latin-1 or other 8-bit encoding?); save the seed file as UTF-8",
        ),
        (
            b'{"projects": [{"name": "x",\n "secrets": {"DB_PASSWORD": "\\ud800"}}]}',
            "projects[0].secrets.DB_PASSWORD: not valid Unicode text: a lone surrogate at index 0 has no UTF-8 "
            "encoding",
        ),
        (
            b'{"projects": [{"name": "x", "secrets": {"dev": {"/": {"A": "x\\udfff"}}}}]}',
            "projects[0].secrets.dev./.A: not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        (
            b'{"projects": [{"name": "\\ud83d"}]}',
            "projects[0].name: not valid Unicode text: a lone surrogate at index 0 has no UTF-8 encoding",
        ),
        (b"[" * 100_000, "nests lists or objects too deeply to read (a seed is a few levels deep)"),
        (
            b'{"projects": [{"name": "x", "environments": ["dev", "prod", "dev"]}]}',
            "projects[0].environments[2]: 'dev' is listed twice",
        ),
        (
            b'{"projects": [{"name": "x", "secrets": {"dev": {"/": {"A": "1"}}, "dev": {"/": {"B": "2"}}}}]}',
            "the key 'dev' appears twice in one object; only one can be used",
        ),
    ],
    ids=["latin-1", "surrogate-flat", "surrogate-nested", "surrogate-name", "deep", "duplicate-env", "duplicate-key"],
)
def test_a_bad_seed_file_is_one_line_and_exit_code_2(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "seed.json").write_bytes(content)
    completed = _serve("--seed", "seed.json", "--credentials-out", "out.json", cwd=tmp_path)
    _assert_one_line(completed, 2, f"error: seed.json: {message}; the server was not started")
    assert [p.name for p in tmp_path.iterdir()] == ["seed.json"]


YAML_WITH_A_SECRET = 'projects:\n  - name: shop\n    secrets:\n      DB_PASSWORD: "hunter2-yaml-secret\n'


#: YAML seed errors and the text each gets (read in process too, by tests/test_seed_file_errors.py)
YAML_ERRORS = [
    (
        YAML_WITH_A_SECRET,
        "line 5, column 1: not valid YAML: found unexpected end of stream (while scanning a quoted scalar at "
        "line 4, column 20)",
    ),
    (
        "projects:\n  - name: shop\n    secrets:\n      DB_PASSWORD: hunter2-yaml-secret\n     X: 1\n",
        "line 5, column 6: not valid YAML: expected <block end>, but found '<block mapping start>' (while "
        "parsing a block mapping at line 2, column 5)",
    ),
    (
        "projects:\n  - name: shop\n    secrets:\n      A: hunter2-yaml-secret\n      A: other\n",
        "line 5, column 7: the key 'A' appears twice in one mapping; only one can be used",
    ),
    (
        "projects:\n  - name: \x01hunter2-yaml-secret\n",
        "line 2, column 11: not valid YAML: a control character YAML does not accept",
    ),
    ("projects: " + "[" * 1000, "nests lists or objects too deeply to read (a seed is a few levels deep)"),
]
YAML_ERROR_IDS = ["unclosed-quote", "indentation", "duplicate-key", "control-character", "deep"]


@pytest.mark.parametrize(("content", "message"), YAML_ERRORS, ids=YAML_ERROR_IDS)
def test_a_yaml_error_gives_the_position_never_the_line(tmp_path: Path, content: str, message: str) -> None:
    pytest.importorskip("yaml")
    (tmp_path / "seed.yaml").write_text(content)
    completed = _serve("--seed", "seed.yaml", cwd=tmp_path)
    _assert_one_line(completed, 2, f"error: seed.yaml: {message}; the server was not started")
    assert "hunter2" not in completed.stderr


def _handles(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has installed a handler for ``signum`` (Linux: /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signum - 1)))
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc to see signal handlers")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_a_large_seed_loads(tmp_path: Path, signum: int) -> None:
    secrets = {f"SECRET_{i}": f"value-{i}" for i in range(20_000)}  # seconds to load: the signal lands meanwhile
    (tmp_path / "seed.json").write_text(json.dumps({"projects": [{"name": "big", "secrets": secrets}]}))
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_infisical", "serve", "--seed", "seed.json", "--credentials-out", "out.json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not _handles(process.pid, signal.SIGTERM):  # serve installs its handlers before loading
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signum)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    name = signal.Signals(signum).name
    assert (process.returncode, out, err.splitlines()) == (
        128 + signum,
        "",
        [f"stopped by {name}; the server was not started"],
    )
    assert [p.name for p in tmp_path.iterdir()] == ["seed.json"]


# ---- where it listens ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),  # noqa: S104 - only classified, never bound
        ("::", False),
        ("10.1.2.3", False),
    ],
)
def test_which_addresses_are_loopback(host: str, loopback: bool) -> None:
    assert cli._is_loopback(host) is loopback


def test_a_non_loopback_address_gets_a_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--host 0.0.0.0`` as the CLI sees it; the server itself binds loopback, as every test server must."""
    stop = threading.Event()

    class LoopbackInstead(transport.LiveServer):
        def __init__(self, handler: Any, host: str, port: int, **options: Any) -> None:
            super().__init__(handler, host="127.0.0.1", port=port, **options)

        def start(self) -> transport.LiveServer:
            started = super().start()
            stop.set()  # serve prints everything, then stops at once
            return started

    monkeypatch.setattr(transport, "LiveServer", LoopbackInstead)
    assert cli.serve(cli._parser().parse_args(["serve", "--host", "0.0.0.0"]), stop) == 0  # noqa: S104 - binds 127.0.0.1
    out, err = capsys.readouterr()
    assert json.loads(out)["url"].startswith("http://127.0.0.1:")
    lines = err.splitlines()
    port = json.loads(out)["url"].rsplit(":", 1)[1]
    assert lines[0] == (
        f"warning: 0.0.0.0 is not a loopback address: anyone who can reach port {port} of this machine can use "
        "the credentials above and read and change every secret the fake holds"
    )
    assert lines[1:] == [
        f"serving a fake Infisical at http://127.0.0.1:{port} (profile latest); stop with Ctrl-C",
        "stopped",
    ]


def test_loopback_gets_no_warning(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_infisical", "serve", "--host", "localhost"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        assert process.stdout is not None
        url = json.loads(process.stdout.readline())["url"]
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert url.startswith("http://localhost:")
    assert process.returncode == 0
    assert err.splitlines() == [f"serving a fake Infisical at {url} (profile latest); stop with Ctrl-C", "stopped"]
