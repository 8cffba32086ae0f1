"""The legacy official Python SDK, ``infisical==1.6.0``, in a virtual environment of its own.

The SDK pins ``requests==2.31.0`` and ``pydantic<2``, so it cannot share this environment. A
session fixture builds (once, cached under pytest's cache directory) a venv with the SDK and this
package, and runs ``tests/sdk/legacy_sdk_flow.py`` there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDK = "infisical==1.6.0"


def _locked(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers build it once between them
        yield


@pytest.fixture(scope="session")
def legacy_sdk_python(request: pytest.FixtureRequest) -> Path:
    cache = Path(request.config.cache.mkdir("legacy-sdk-venv"))
    marker = cache / "ready.txt"
    python = cache / "venv" / "bin" / "python"
    fingerprint = f"{SDK} {sys.version_info[:2]} {ROOT}"
    for _ in _locked(cache / "lock"):
        if not (marker.exists() and marker.read_text() == fingerprint and python.exists()):
            venv.create(cache / "venv", with_pip=True, clear=True)
            # the SDK's own pins decide this venv, not the constraints of the env running the suite
            env = {k: v for k, v in os.environ.items() if k != "PIP_CONSTRAINT"}
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", SDK, "-e", str(ROOT)],
                check=True,
                env=env,
            )
            marker.write_text(fingerprint)
    return python


def test_legacy_official_python_sdk(legacy_sdk_python: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    completed = subprocess.run(
        [
            str(legacy_sdk_python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(ROOT / "tests" / "sdk" / "legacy_sdk_flow.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "3 passed" in completed.stdout, completed.stdout
