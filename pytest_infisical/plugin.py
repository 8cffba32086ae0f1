"""The pytest11 entry point of pytest-infisical: options, ini keys, markers and fixtures.

Thin glue only. Nothing heavy is imported here: the fake, the crypto and the transports are
imported inside the fixtures that need them, so installing the plugin does not slow down the
downstream project's test runs that never use it.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("infisical", "pytest-infisical: a fake Infisical secrets API")
    group.addoption(
        "--infisical-profile",
        action="store",
        default=None,
        metavar="NAME",
        help="server profile the fake renders errors with: 'latest' (today's server, default) or '2023'",
    )
    parser.addini("infisical_profile", "default server profile of the fake: 'latest' or '2023'", default="latest")
