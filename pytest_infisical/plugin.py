"""The pytest11 entry point of pytest-infisical: options, ini keys, markers and fixtures.

Thin glue only. Nothing heavy is imported here: the fake, the crypto and the transports are
imported inside the fixtures that need them, so installing the plugin does not slow down the
downstream project's test runs that never use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, Optional, Union

import pytest

if TYPE_CHECKING:
    from .cassettes.session import CassetteInfisical
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
        help="server profile: the Infisical era whose statuses, bodies, routes, state rules and rate limits "
        "the fake follows: 'latest' (today's server, default), '2024-08' or '2023'",
    )
    group.addoption(
        "--infisical-base-url",
        action="append",
        default=[],
        metavar="URL",
        help="another base URL the fake answers at, besides https://app.infisical.com (repeatable)",
    )
    # ---- cassettes (recorded responses): see _cassette_session below
    group.addoption(
        "--infisical-record-mode",
        action="store",
        default=None,
        choices=("none", "once", "new_episodes", "all"),
        help="what cassette tests do: none (replay only, default), once (record a missing cassette), "
        "new_episodes (replay what matches, record the rest), all (record again)",
    )
    group.addoption(
        "--infisical-live-url",
        action="store",
        default=None,
        metavar="URL",
        help="the real Infisical cassettes are recorded against (default: $INFISICAL_API_URL)",
    )
    group.addoption(
        "--infisical-record-in-ci",
        action="store_true",
        default=False,
        help="record cassettes even where the CI environment variable is set",
    )
    parser.addini("infisical_record_mode", "default record mode of cassette tests (none, once, ...)", default="none")
    parser.addini(
        "infisical_cassette_dir",
        "directory of the cassettes (relative to the ini file); default: cassettes/ beside each test module",
        default="",
    )
    parser.addini(
        "infisical_profile", "default server profile of the fake: 'latest', '2024-08' or '2023'", default="latest"
    )
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
        "assert_all_expected=, rate_limits=); see docs/marker-and-options.md",
    )
    config.addinivalue_line(
        "markers",
        "infisical_cassette(name=None, record_mode=None, keep=(), match_on=None): replay this test's "
        "Infisical traffic from a recorded cassette (or record it); see docs/cassettes.md",
    )


#: the fake a test's ``infisical``/``infisical_server`` fixture serves, for its failure report
_SERVED = pytest.StashKey["FakeInfisical"]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test that used the fake gets a section naming the credentials the fake refused as
    retired (API keys, service accounts under ``latest``), and the profile that still serves them."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    fake = item.stash.get(_SERVED, None)
    if report.when == "call" and report.failed and fake is not None:
        from .harness import retired_report

        text = retired_report(fake)
        if text:
            report.sections.append(("pytest-infisical", text))


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
        problem = str(error)
    pytest.fail(problem, pytrace=False)  # outside the except: no "during handling" chain in the report


# ---- cassettes: @pytest.mark.infisical_cassette ------------------------------------------

_CASSETTE_KEYWORDS = ("name", "record_mode", "keep", "match_on")


def _cassette_session(request: pytest.FixtureRequest, options: Options) -> Optional[CassetteInfisical]:
    """The replayer or recorder of a test marked ``infisical_cassette``, or None for other tests."""
    import os
    from pathlib import Path

    import attrs

    from .cassettes.session import Settings, cassette_path, open_session
    from .errors import CassetteError

    marker = request.node.get_closest_marker("infisical_cassette")
    if marker is None:
        return None
    unknown = sorted(set(marker.kwargs) - set(_CASSETTE_KEYWORDS))
    if marker.args or unknown:
        pytest.fail(
            f"@pytest.mark.infisical_cassette takes the keyword options {', '.join(_CASSETTE_KEYWORDS)}"
            + (f"; got {', '.join(unknown)}" if unknown else ""),
            pytrace=False,
        )
    config = request.config
    directory = config.getini("infisical_cassette_dir")
    path = cassette_path(
        Path(str(request.node.path)),
        request.node.name,
        Path(config.rootpath, directory) if directory else None,
        marker.kwargs.get("name"),
    )
    keep, match_on = marker.kwargs.get("keep", ()), marker.kwargs.get("match_on")
    for key, value in (("keep", keep), ("match_on", match_on)):
        if isinstance(value, str):
            pytest.fail(f"@pytest.mark.infisical_cassette({key}=...) takes a list of strings", pytrace=False)
    settings = Settings(
        path=path,
        record_mode=marker.kwargs.get("record_mode")
        or config.getoption("--infisical-record-mode")
        or config.getini("infisical_record_mode"),
        keep=tuple(keep),
        live_url=config.getoption("--infisical-live-url") or os.environ.get("INFISICAL_API_URL") or None,
        record_in_ci=config.getoption("--infisical-record-in-ci"),
        profile=options.profile,
    )
    if match_on is not None:
        settings = attrs.evolve(settings, match_on=tuple(match_on))
    try:
        return open_session(settings)
    except (CassetteError, TypeError) as error:
        problem = str(error)
    pytest.fail(problem, pytrace=False)  # outside the except: no "during handling" chain in the report


def _finish_cassette(session: CassetteInfisical, options: Options) -> None:
    from .errors import CassetteError
    from .harness import strict_report

    try:
        reports = [session.finish(), strict_report(session.pipeline, options)]
    except CassetteError as error:  # a leak: nothing was written
        reports = [f"pytest-infisical: {error}"]
    report = "\n\n".join(r for r in reports if r)
    if report:
        pytest.fail(report, pytrace=False)


# ---- the fake ------------------------------------------------------------------------------


@pytest.fixture
def infisical(request: pytest.FixtureRequest) -> Iterator[Union[FakeInfisical, CassetteInfisical]]:
    """A fresh fake Infisical for this test, answering ``requests`` at https://app.infisical.com.

    Seeded with an organization, its owner (``.user``) and a project (``.project``, environments
    dev/staging/prod, E2EE off). Configure it with ``@pytest.mark.infisical(...)``. In a test marked
    ``infisical_cassette`` it is the cassette's replayer (or recorder) instead, at ``.url``.
    """
    import attrs

    from .harness import build, serve, strict_report
    from .seed import SeedError

    options = _options(request)
    session = _cassette_session(request, options)
    if session is not None:
        options = attrs.evolve(options, base_urls=(*options.base_urls, session.url))
        with serve(session.pipeline, options):
            yield session
        _finish_cassette(session, options)
        return
    for name in ("httpx_mock", "respx_mock"):  # their patches first: the fake's sit on top, handing on the rest
        if name in request.fixturenames:
            request.getfixturevalue(name)
    problem = None
    try:
        fake = build(options)
    except (SeedError, ValueError) as error:
        problem = f"@pytest.mark.infisical: {error}"
    if problem is not None:
        pytest.fail(problem, pytrace=False)  # outside the except: no "during handling" chain in the report
    request.node.stash[_SERVED] = fake
    with serve(fake, options):
        yield fake
    report = strict_report(fake, options)
    if report:
        pytest.fail(report, pytrace=False)


@pytest.fixture
def infisical_server(request: pytest.FixtureRequest) -> Iterator[Union[FakeInfisical, CassetteInfisical]]:
    """A fresh fake Infisical served over real HTTP on loopback (a free port): ``.url`` is its base URL.

    For clients in other processes or languages. Same seeding API, journal, assertions, faults
    and marker options as ``infisical``; delays sleep for real, a connection fault resets the
    connection. In a test marked ``infisical_cassette`` it serves the cassette's replayer (or
    recorder) instead.
    """
    from .harness import live, strict_report
    from .seed import SeedError

    options = _options(request)
    session = _cassette_session(request, options)
    if session is not None:
        import time

        from .transports.server import LiveServer

        session.pipeline.sleep = time.sleep
        with LiveServer(session.pipeline) as server:
            session.url = server.url
            yield session
        _finish_cassette(session, options)
        return
    with ExitStack() as stack:
        problem = None
        try:
            fake = stack.enter_context(live(options))
        except (SeedError, ValueError) as error:
            problem = f"@pytest.mark.infisical: {error}"
        if problem is not None:
            pytest.fail(problem, pytrace=False)  # outside the except: no "during handling" chain in the report
        request.node.stash[_SERVED] = fake
        yield fake
    report = strict_report(fake, options)
    if report:
        pytest.fail(report, pytrace=False)


def _fake(request: pytest.FixtureRequest) -> FakeInfisical:
    """The test's fake: ``infisical_server`` when the test uses it, else ``infisical``."""
    name = "infisical_server" if "infisical_server" in request.fixturenames else "infisical"
    fake: FakeInfisical = request.getfixturevalue(name)
    return fake


def _cassette_credential(request: pytest.FixtureRequest, kind: str) -> Any:
    """In a cassette test, the credential of ``kind``: the real one while recording, the cassette's
    fixture credential while replaying; None in other tests."""
    from .cassettes.session import CassetteInfisical
    from .errors import CassetteError

    if request.node.get_closest_marker("infisical_cassette") is None:
        return None
    session = _fake(request)
    assert isinstance(session, CassetteInfisical)
    try:
        return session.credential(kind)
    except CassetteError as error:
        problem = str(error)
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def infisical_api_key(request: pytest.FixtureRequest) -> ApiKey:
    """An API key of the seeded user (admin of the default project): sent as ``X-API-KEY``.

    In a test marked ``infisical_cassette`` (as the other credential fixtures): the real one from
    the environment while recording, the cassette's fixture credential while replaying."""
    return _cassette_credential(request, "api_key") or _fake(request).create_api_key()


@pytest.fixture
def infisical_service_token(request: pytest.FixtureRequest) -> ServiceToken:
    """A service token for the default project: scope dev ``/``, read and write."""
    return _cassette_credential(request, "service_token") or _fake(request).create_service_token(
        scopes=[("dev", "/")], permissions=("read", "write")
    )


@pytest.fixture
def infisical_service_account(request: pytest.FixtureRequest) -> ServiceAccount:
    """A service account with read and write on the default project's dev environment."""
    return _cassette_credential(request, "service_account") or _fake(request).create_service_account(
        permissions=[("dev", True, True)]
    )


@pytest.fixture
def infisical_machine_identity(request: pytest.FixtureRequest) -> MachineIdentity:
    """A machine identity (Universal Auth) with the member role on the default project."""
    return _cassette_credential(request, "machine_identity") or _fake(request).create_machine_identity(role="member")
