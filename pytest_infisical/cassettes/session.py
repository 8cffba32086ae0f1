"""A cassette test, without pytest: which file, replay or record, and the object the test gets.

The plugin gathers :class:`Settings` from the ``@pytest.mark.infisical_cassette`` marker, the
command line, the ini file and the environment; :func:`open_session` decides whether to replay
or record (or both, for ``new_episodes``) and returns a :class:`CassetteInfisical`: a
:class:`~pytest_infisical.cassettes.player.CassettePlayer` or a
:class:`~pytest_infisical.cassettes.recorder.Recorder` behind a
:class:`~pytest_infisical.pipeline.Pipeline`, so the journal, the assertions, ``fail_next`` and
the strict checks work as they do on the fake. :meth:`CassetteInfisical.finish` saves a recording
(re-keyed and scanned; nothing is written on a leak) and reports what strict mode fails on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn, Optional

import attrs

from ..errors import CassetteError, CassetteNotFoundError, CassetteUsageError
from ..faults import FaultArming, Faults, RateLimiter
from ..http import Request, Response
from ..journal import CallAssertions, CallList, Journal
from ..pipeline import Pipeline
from .format import Cassette, load
from .player import MATCH_ON, CassettePlayer
from .recorder import Recorder, normalize_url
from .rekey import RealCredentials

__all__ = [
    "KINDS",
    "RECORD_MODES",
    "CassetteInfisical",
    "CassetteUsageError",
    "Settings",
    "cassette_path",
    "open_session",
]

#: ``--infisical-record-mode`` values: what happens to a test's cassette
RECORD_MODES = ("none", "once", "new_episodes", "all")
#: the flag that allows recording where ``CI`` is set
FORCE_FLAG = "--infisical-record-in-ci"
#: credential kind -> (the fixture that hands it out, what to set to record with it)
KINDS: Mapping[str, tuple[str, str]] = {
    "service_token": ("infisical_service_token", "INFISICAL_TOKEN (the full four-part service token)"),
    "api_key": ("infisical_api_key", "INFISICAL_API_KEY"),
    "service_account": (
        "infisical_service_account",
        "INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY, INFISICAL_SERVICE_ACCOUNT_PUBLIC_KEY and "
        "INFISICAL_SERVICE_ACCOUNT_PRIVATE_KEY",
    ),
    "machine_identity": (
        "infisical_machine_identity",
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID and INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
    ),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]]+")


@attrs.frozen
class Settings:
    """Everything that decides what a cassette test does."""

    path: Path
    record_mode: str = "none"
    keep: tuple[str, ...] = ()
    match_on: tuple[str, ...] = MATCH_ON
    live_url: Optional[str] = None
    record_in_ci: bool = False
    #: the server profile whose 429 and 500 answers the pipeline renders (faults, rate limit)
    profile: str = "latest"
    #: the environment (``CI`` and the credentials are read from it)
    environ: Mapping[str, str] = attrs.field(factory=lambda: dict(os.environ), repr=False)


def cassette_path(module: Path, test_name: str, directory: Optional[Path] = None, name: Optional[str] = None) -> Path:
    """``<directory>/<module name>/<name or test name>.json``; ``directory`` defaults to ``cassettes``
    beside the test module. Characters a file name cannot hold become ``_``."""
    base = directory if directory is not None else module.parent / "cassettes"
    stem = name if name is not None else _UNSAFE.sub("_", test_name)
    if not stem.endswith(".json"):
        stem += ".json"
    return base / module.stem / stem


def _refuse(message: str) -> NoReturn:
    raise CassetteError(f"pytest-infisical: {message}")


def _decide(settings: Settings) -> str:
    """'replay', 'record' or 'merge' (replay what matches, record the rest)."""
    mode = settings.record_mode
    if mode not in RECORD_MODES:
        _refuse(f"unknown record mode {mode!r}; use one of {', '.join(RECORD_MODES)}")
    exists = settings.path.is_file()
    if mode == "none" or (mode == "once" and exists):
        if not exists:
            raise CassetteNotFoundError(
                f"pytest-infisical: no cassette at {settings.path}; record it against a real Infisical with "
                "--infisical-record-mode=once and --infisical-live-url=URL (or INFISICAL_API_URL), the real "
                "credentials in the environment"
            )
        return "replay"
    if settings.environ.get("CI") and not settings.record_in_ci:
        _refuse(
            f"refusing to record {settings.path} (record mode {mode!r}) where CI is set: a CI run replays "
            f"committed cassettes; pass {FORCE_FLAG} to record anyway"
        )
    if not settings.live_url:
        _refuse(
            f"recording {settings.path} needs the live Infisical to record against: "
            "pass --infisical-live-url=URL or set INFISICAL_API_URL"
        )
    return "merge" if mode == "new_episodes" and exists else "record"


class _Merging:
    """``new_episodes``: the player answers what the cassette has, the recorder forwards the rest."""

    def __init__(self, player: CassettePlayer, recorder: Recorder) -> None:
        self.player, self.recorder = player, recorder

    def handle(self, request: Request) -> Response:
        return self.player.lookup(request) or self.recorder.handle(request)

    def describe(self, request: Request) -> Any:
        return self.player.describe(request)


def _pipeline(handler: Any, profile: str) -> Pipeline[Any]:
    """A pipeline around a cassette handler: its own 429 and 500 answers as ``profile``'s server renders them."""
    from ..fake.profiles import get_profile
    from ..fake.state import Clock

    chosen = get_profile(profile)
    return Pipeline(handler, journal=Journal(), faults=Faults(), render_error=chosen.render_status, clock=Clock())


class CassetteInfisical(CallAssertions, FaultArming):
    """What the ``infisical`` fixture is in a cassette test: a replayer or a recorder behind a pipeline.

    ``url`` is the live Infisical's while recording and the recorded one while replaying; the
    journal (``calls``, ``assert_called``, header assertions), ``fail_next``, ``rate_limit`` and
    ``expect`` work as on the fake. The seeding API does not: a cassette has the server's state as
    recorded, and a live Infisical is seeded by hand.
    """

    def __init__(self, settings: Settings, mode: str, cassette: Optional[Cassette]) -> None:
        self.settings = settings
        #: 'replay', 'record' or 'merge'
        self.mode = mode
        self.path = settings.path
        self.cassette = cassette
        self.player: Optional[CassettePlayer] = (
            CassettePlayer(cassette, match_on=settings.match_on) if cassette is not None else None
        )
        self.recorder: Optional[Recorder] = None
        self.real: Optional[RealCredentials] = None
        handler: Any = self.player
        if mode in ("record", "merge"):
            self.real = RealCredentials.from_env(settings.environ)
            self.recorder = Recorder(str(settings.live_url), self.real, keep=settings.keep)
            handler = self.recorder if self.player is None else _Merging(self.player, self.recorder)
        self.pipeline = _pipeline(handler, settings.profile)
        self.journal = self.pipeline.journal
        self.faults = self.pipeline.faults
        #: set when a credential fixture could not hand out its credential (the test never ran)
        self.broken = False
        self.url = self.recorder.url if self.recorder is not None else normalize_url(self.player.url)  # type: ignore[union-attr]

    def __repr__(self) -> str:
        return f"<CassetteInfisical {self.mode} {self.path}>"

    @property
    def recording(self) -> bool:
        return self.recorder is not None

    @property
    def calls(self) -> CallList:
        return self.journal.calls

    def expect(self, method: Optional[str] = None, path: Any = None, **kwargs: Any) -> None:
        self.journal.expect(method, path, **kwargs)

    def _install_rate_limiter(self, limit: int, window: float, retry_after: Optional[float]) -> RateLimiter:
        return self.pipeline._install_rate_limiter(limit, window, retry_after)

    def credential(self, kind: str) -> Any:
        """The credential of ``kind`` the test uses: the real one while recording, the cassette's
        fixture credential while replaying; a :class:`CassetteError` saying how to get it when absent."""
        fixture_name, env = KINDS[kind]
        self.broken = True  # until the credential is found: the test will not run, so no replay report
        if self.real is not None:
            found = getattr(self.real, kind)
            if found is None:
                _refuse(f"{fixture_name} records with a real credential: set {env}")
            self.broken = False
            return found
        assert self.player is not None
        found = getattr(self.player, kind)
        if found is None:
            _refuse(
                f"{fixture_name}: the cassette {self.path} was recorded without this credential; "
                f"record it again with {env} set"
            )
        self.broken = False
        return found

    def __getattr__(self, name: str) -> Any:
        from ..fake.seeding import SeedingApi

        if not name.startswith("_") and hasattr(SeedingApi, name):
            raise CassetteUsageError(
                f"pytest-infisical: infisical.{name} is not available in a cassette test: the cassette "
                "replays the server's answers as recorded (seed the live Infisical before recording, "
                "or use the fake without @pytest.mark.infisical_cassette)"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def finish(self) -> Optional[str]:
        """Save a recording (re-keyed, scanned: a :class:`CassetteLeakError` writes nothing), and
        what the replay finds wrong: requests the cassette has no answer for (with the closest
        recorded ones, redacted), and recorded interactions never played."""
        if self.recorder is not None:
            try:
                self.recorder.save(self.path, onto=self.cassette)
            finally:
                self.recorder.close()
            return None
        assert self.player is not None
        report = None if self.broken else self.player.report()
        return f"pytest-infisical: the cassette replay is incomplete:\n{report}" if report else None


def open_session(settings: Settings) -> CassetteInfisical:
    """Replay, record or both, as ``settings`` say; a :class:`CassetteError` when it cannot."""
    mode = _decide(settings)
    cassette = load(settings.path) if mode in ("replay", "merge") else None
    return CassetteInfisical(settings, mode, cassette)
