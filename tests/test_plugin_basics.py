"""The plugin registers cleanly, can be disabled, and is cheap to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("cryptography", "nacl", "httpx", "responses", "requests")


def test_option_group_is_listed_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["pytest-infisical: a fake Infisical secrets API:", "*--infisical-profile=NAME*"])
    result.stdout.fnmatch_lines(["*infisical_profile (string):*", "*default server profile of the fake*"])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("-p", "no:infisical")
    result.assert_outcomes(passed=1)
    help_text = pytester.runpytest("-p", "no:infisical", "--help").stdout.str()
    assert "--infisical-profile" not in help_text


def test_importing_the_plugin_imports_no_heavy_module() -> None:
    """``python -X importtime`` lists every module the plugin import pulls in."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pytest_infisical.plugin, pytest_infisical"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in completed.stderr.splitlines() if "|" in line}
    assert "pytest_infisical" in imported
    assert not imported.intersection(HEAVY), sorted(imported.intersection(HEAVY))


def test_public_names_resolve_lazily() -> None:
    code = (
        "import sys, pytest_infisical as p\n"
        "assert 'cryptography' not in sys.modules\n"
        "assert p.ServiceToken.__name__ == 'ServiceToken'\n"
        "assert 'cryptography' not in sys.modules\n"
        "print(sorted(p.__all__)[:2])\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    import pytest_infisical

    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        pytest_infisical.nope  # noqa: B018
