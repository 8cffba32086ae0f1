"""Starting and stopping ``python -m pytest_infisical serve`` from tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any


class Served:
    def __init__(self, process: subprocess.Popen[str], credentials: dict[str, Any]) -> None:
        self.process = process
        self.credentials = credentials

    @property
    def url(self) -> str:
        return str(self.credentials["url"])


def clean_env() -> dict[str, str]:
    """The environment without the outer pytest's variables (xdist workers, addopts)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}


def start(tmp_path: Path, *args: str) -> Served:
    out = tmp_path / "credentials.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_infisical", "serve", "--credentials-out", str(out), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # the first line is the credentials JSON
    if not line:
        raise AssertionError(f"serve exited {process.wait()}: {process.stderr.read() if process.stderr else ''}")
    printed = json.loads(line)
    assert json.loads(out.read_text()) == printed
    assert out.stat().st_mode & 0o777 == 0o600
    return Served(process, printed)


def stop(served: Served, sig: int = signal.SIGTERM) -> str:
    served.process.send_signal(sig)
    _, err = served.process.communicate(timeout=10)
    assert served.process.returncode == 0, err
    return err
