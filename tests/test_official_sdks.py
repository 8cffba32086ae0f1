"""The official Python SDKs against the fake, each in a virtual environment of its own.

* the legacy SDK, ``infisical==1.6.0`` (service tokens, E2EE): it pins ``requests==2.31.0`` and
  ``pydantic<2``, so it cannot share this environment;
* the current SDK, ``infisicalsdk`` (machine identities, raw secrets): it pins ``requests~=2.32``
  and ``boto3~=1.35``.

A session fixture builds each venv once (cached under pytest's cache directory, locked against
pytest-xdist workers) with the SDK and this package, then runs ``tests/sdk/<flow>.py`` there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent


@attrs.frozen
class Sdk:
    name: str
    requirement: str
    flow: str
    tests: int


SDKS = [
    Sdk("legacy", "infisical==1.6.0", "legacy_sdk_flow.py", 3),
    Sdk("current", "infisicalsdk==1.0.18", "current_sdk_flow.py", 4),
]


def _locked(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers build it once between them
        yield


def _python(request: pytest.FixtureRequest, sdk: Sdk) -> Path:
    cache = Path(request.config.cache.mkdir(f"{sdk.name}-sdk-venv"))
    marker = cache / "ready.txt"
    python = cache / "venv" / "bin" / "python"
    fingerprint = f"{sdk.requirement} {sys.version_info[:2]} {ROOT}"
    for _ in _locked(cache / "lock"):
        if not (marker.exists() and marker.read_text() == fingerprint and python.exists()):
            venv.create(cache / "venv", with_pip=True, clear=True)
            # the SDK's own pins decide this venv, not the constraints of the env running the suite
            env = {k: v for k, v in os.environ.items() if k != "PIP_CONSTRAINT"}
            subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    sdk.requirement,
                    "-e",
                    str(ROOT),
                ],
                check=True,
                env=env,
            )
            marker.write_text(fingerprint)
    return python


@pytest.mark.parametrize("sdk", SDKS, ids=lambda s: s.name)
def test_official_python_sdk(request: pytest.FixtureRequest, sdk: Sdk) -> None:
    python = _python(request, sdk)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    completed = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--noconftest",
            str(ROOT / "tests" / "sdk" / sdk.flow),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"{sdk.tests} passed" in completed.stdout, completed.stdout
