"""The examples run as a user would run them: ``pytest examples/<folder>``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize(
    "folder",
    # the Python examples; examples/node_admin is a Node project, run by tests/test_admin_node.py
    sorted(
        p.name
        for p in EXAMPLES.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and any(p.glob("test_*.py"))
    ),
)
def test_example_passes(folder: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            str(EXAMPLES / folder),
        ],
        capture_output=True,
        text=True,
        cwd=EXAMPLES / folder,
        env=env,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert " passed" in completed.stdout and "failed" not in completed.stdout
