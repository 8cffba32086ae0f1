from __future__ import annotations

# Imported here, before any in-process pytester run: pytester unloads the modules a run imported,
# and a second run importing requests afresh next to stale references fails in odd ways
# ("You can only merge into CookieJar"). With these loaded up front, every run shares them.
import httpx  # noqa: F401
import pytest
import requests  # noqa: F401
import responses  # noqa: F401

import pytest_infisical.fake
import pytest_infisical.harness
import pytest_infisical.transports.httpx
import pytest_infisical.transports.responses  # noqa: F401

pytest_plugins = ["pytester"]


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester, without loading hypothesis's plugin in every inner session (0.8 s each)."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")
    return pytester
