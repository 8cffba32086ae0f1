"""Node.js against ``serve``'s admin API: the suite in tests/node/ and the examples/node_admin project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .serving import clean_env, start, stop

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (node >= 18 runs these tests)")


def _node_test(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NODE), "--test", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_node_admin_suite_passes_against_serve(tmp_path: Path) -> None:
    served = start(tmp_path)  # writes tmp_path / "credentials.json"
    try:
        env = {**clean_env(), "INFISICAL_SERVE_CREDENTIALS": str(tmp_path / "credentials.json")}
        completed = _node_test([str(ROOT / "tests" / "node" / "admin.test.mjs")], ROOT, env)
    finally:
        stop(served)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "# pass 6" in completed.stdout and "# fail 0" in completed.stdout


def test_the_node_admin_example_passes() -> None:
    """examples/node_admin starts serve itself, as a Node project would (``npm test``)."""
    python_dir = str(Path(sys.executable).parent)
    env = {**clean_env(), "PYTHON": sys.executable, "PATH": python_dir + os.pathsep + os.environ.get("PATH", "")}
    completed = _node_test([], ROOT / "examples" / "node_admin", env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "# pass 6" in completed.stdout and "# fail 0" in completed.stdout
