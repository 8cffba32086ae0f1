"""The pytest11 entry point of pytest-infisical: options, ini keys, markers and fixtures.

Thin glue only. Nothing heavy is imported here: the fake, the crypto and the transports are
imported inside the fixtures that need them, so installing the plugin does not slow down the
downstream project's test runs that never use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
    from .fake import FakeInfisical
    from .harness import Options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("infisical", "pytest-infisical: a fake Infisical secrets API")
    group.addoption(
        "--infisical-profile",
        action="store",
        default=None,
        metavar="NAME",
        help="server profile the fake renders errors with: 'latest' (today's server, default) or '2023'",
    )
    group.addoption(
        "--infisical-base-url",
        action="append",
        default=[],
        metavar="URL",
        help="another base URL the fake answers at, besides https://app.infisical.com (repeatable)",
    )
    parser.addini("infisical_profile", "default server profile of the fake: 'latest' or '2023'", default="latest")
    parser.addini(
        "infisical_base_urls",
        "more base URLs the fake answers at, besides https://app.infisical.com",
        type="linelist",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "infisical(**options): configure the fake Infisical for this test "
        "(profile=, e2ee=, environments=, secrets=, base_urls=, passthrough=, allow_unrouted=, allow_unmocked=, "
        "assert_all_expected=); see the README",
    )


def _options(request: pytest.FixtureRequest) -> Options:
    from .harness import Options

    config = request.config
    defaults = Options(
        profile=config.getoption("--infisical-profile") or config.getini("infisical_profile") or "latest",
        base_urls=(*config.getini("infisical_base_urls"), *config.getoption("--infisical-base-url")),
    )
    kwargs: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("infisical"))):  # closest marker wins
        if marker.args:
            pytest.fail(
                "@pytest.mark.infisical takes keyword options only, e.g. infisical(profile='2023')", pytrace=False
            )
        kwargs.update(marker.kwargs)
    try:
        return Options.from_marker(kwargs, defaults)
    except TypeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def infisical(request: pytest.FixtureRequest) -> Iterator[FakeInfisical]:
    """A fresh fake Infisical for this test, answering ``requests`` at https://app.infisical.com.

    Seeded with an organization, its owner (``.user``) and a project (``.project``, environments
    dev/staging/prod, E2EE off). Configure it with ``@pytest.mark.infisical(...)``.
    """
    from .harness import build, serve, strict_report
    from .seed import SeedError

    options = _options(request)
    for name in ("httpx_mock", "respx_mock"):  # their patches first: the fake's sit on top, handing on the rest
        if name in request.fixturenames:
            request.getfixturevalue(name)
    try:
        fake = build(options)
    except (SeedError, ValueError) as error:
        pytest.fail(f"@pytest.mark.infisical: {error}", pytrace=False)
    with serve(fake, options):
        yield fake
    report = strict_report(fake, options)
    if report:
        pytest.fail(report, pytrace=False)


@pytest.fixture
def infisical_server(request: pytest.FixtureRequest) -> Iterator[FakeInfisical]:
    """A fresh fake Infisical served over real HTTP on loopback (a free port): ``.url`` is its base URL.

    For clients in other processes or languages. Same seeding API, journal, assertions, faults
    and marker options as ``infisical``; delays sleep for real, a connection fault resets the
    connection.
    """
    from .harness import live, strict_report
    from .seed import SeedError

    options = _options(request)
    with ExitStack() as stack:
        try:
            fake = stack.enter_context(live(options))
        except (SeedError, ValueError) as error:
            pytest.fail(f"@pytest.mark.infisical: {error}", pytrace=False)
        yield fake
    report = strict_report(fake, options)
    if report:
        pytest.fail(report, pytrace=False)


def _fake(request: pytest.FixtureRequest) -> FakeInfisical:
    """The test's fake: ``infisical_server`` when the test uses it, else ``infisical``."""
    name = "infisical_server" if "infisical_server" in request.fixturenames else "infisical"
    fake: FakeInfisical = request.getfixturevalue(name)
    return fake


@pytest.fixture
def infisical_api_key(request: pytest.FixtureRequest) -> ApiKey:
    """An API key of the seeded user (admin of the default project): sent as ``X-API-KEY``."""
    return _fake(request).create_api_key()


@pytest.fixture
def infisical_service_token(request: pytest.FixtureRequest) -> ServiceToken:
    """A service token for the default project: scope dev ``/``, read and write."""
    return _fake(request).create_service_token(scopes=[("dev", "/")], permissions=("read", "write"))


@pytest.fixture
def infisical_service_account(request: pytest.FixtureRequest) -> ServiceAccount:
    """A service account with read and write on the default project's dev environment."""
    return _fake(request).create_service_account(permissions=[("dev", True, True)])


@pytest.fixture
def infisical_machine_identity(request: pytest.FixtureRequest) -> MachineIdentity:
    """A machine identity (Universal Auth) with the member role on the default project."""
    return _fake(request).create_machine_identity(role="member")
