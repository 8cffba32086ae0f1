"""``FakeInfisical``: the object the ``infisical`` fixture hands a test, assembled from three parts.

* a :class:`~pytest_infisical.fake.handler.FakeHandler` (``.handler``) answers requests from one
  :class:`~pytest_infisical.fake.state.State` as the server ``profile`` would;
* a :class:`~pytest_infisical.pipeline.Pipeline` (``.pipeline``) in front of it — the thing the
  transports serve — takes armed faults, applies the rate limit and journals every call;
* the seeding API (:class:`~pytest_infisical.fake.seeding.SeedingApi`, its base class) puts state in
  and reads it back.

This class only wires them together: the journal assertions (``assert_called`` …) read the
pipeline's journal, and ``fail_next``/``rate_limit`` arm the pipeline's faults and rate limiter (the
limiter a test arms replaces the profile's own rate limits, which the handler counts: one limiter
answers at a time). Everything it needs comes in through the constructor: nothing sets attributes
on it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable, Optional, Union

from ..faults import DRAFT_HEADERS, FaultArming, Faults, RateLimiter
from ..http import Request, Response
from ..journal import CallAssertions, CallList, Expectation, Journal, PathLike
from ..pipeline import Pipeline
from .handler import FakeHandler
from .profiles import Profile, get_profile
from .seeding import SeedingApi
from .state import Clock, State

__all__ = ["DEFAULT_URL", "Expectation", "FakeInfisical", "fake_pipeline"]

DEFAULT_URL = "https://app.infisical.com"


def fake_pipeline(
    profile: Union[str, Profile] = "latest",
    *,
    clock: Optional[Clock] = None,
    sleep: Optional[Callable[[float], None]] = None,
    rate_limits: bool = True,
) -> Pipeline[FakeHandler]:
    """A fresh fake handler (empty state) behind a fresh pipeline: journal, faults, the profile's errors
    (and its own rate limits, unless ``rate_limits=False``)."""
    chosen = get_profile(profile)
    handler = FakeHandler(State(clock), chosen, rate_limits=rate_limits)
    return Pipeline(
        handler,
        journal=Journal(),
        faults=Faults(),
        render_error=chosen.render_status,
        clock=handler.state.clock,
        sleep=sleep,
    )


class FakeInfisical(SeedingApi, CallAssertions, FaultArming):
    """A fake Infisical server: state, routes and a server profile, behind a pipeline.

    It is a handler (``handle(Request) -> Response``, through its pipeline); transports serve it to
    ``requests``, httpx, or real HTTP clients. A fresh instance is seeded with an organization, a
    user who owns it, and a project (``.project``) with environments dev, staging and prod, E2EE off.

    ``sleep`` is how a delay fault passes (None: simulated, the clock moves on). ``rate_limits=False``
    turns off the profile's own rate limits (``2024-08`` has them; ``latest`` and ``2023`` have none).
    ``pipeline`` serves the fake through a pipeline built beforehand with :func:`fake_pipeline` (the
    live server needs one before it knows its URL); ``profile``, ``clock``, ``sleep`` and
    ``rate_limits`` are then that pipeline's.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        profile: Union[str, Profile, None] = None,
        seed: bool = True,
        e2ee: bool = False,
        environments: Sequence[str] = ("dev", "staging", "prod"),
        project_name: str = "Example Project",
        clock: Optional[Clock] = None,
        sleep: Optional[Callable[[float], None]] = None,
        pipeline: Optional[Pipeline[FakeHandler]] = None,
        project_id: Optional[str] = None,
        project_version: int = 1,
        rate_limits: Optional[bool] = None,
    ) -> None:
        if pipeline is None:
            chosen = profile if profile is not None else "latest"
            limits = rate_limits is not False
            pipeline = fake_pipeline(chosen, clock=clock, sleep=sleep, rate_limits=limits)
        elif profile is not None or clock is not None or sleep is not None or rate_limits is not None:
            raise TypeError("give profile=, clock=, sleep= and rate_limits= to fake_pipeline(), not with pipeline=")
        self._url = url.rstrip("/")
        self.pipeline = pipeline
        self.handler = pipeline.handler
        self.profile = self.handler.profile
        self.journal = pipeline.journal
        self.faults = pipeline.faults
        self.stubs = pipeline.stubs
        super().__init__(
            self.handler.state,
            self.handler.lock,
            seed=seed,
            e2ee=e2ee,
            environments=environments,
            project_name=project_name,
            project_id=project_id,
            project_version=project_version,
        )

    def __repr__(self) -> str:
        return f"<FakeInfisical {self.url} profile={self.profile.name} projects={len(self.state.projects)}>"

    @property
    def url(self) -> str:
        """The base URL clients reach the fake at."""
        return self._url

    @property
    def sleep(self) -> Optional[Callable[[float], None]]:
        """How a delay fault passes: None simulates it (the clock moves on); the live server sleeps."""
        return self.pipeline.sleep

    @property
    def rate_limiter(self) -> Optional[RateLimiter]:
        """The rate limiter ``rate_limit()`` installed, if any."""
        return self.pipeline.rate_limiter

    # ---- serving ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer one request through the pipeline (faults, rate limit, the fake, the journal)."""
        return self.pipeline.handle(request)

    def route_methods(self, path: str) -> list[str]:
        """The methods the fake answers on ``path`` (for near-miss reports)."""
        return self.handler.route_methods(path)

    def closest_routes(self, method: str, path: str) -> list[str]:
        """Hints for a request no route answered: other methods on its path, similar routes."""
        return self.handler.closest_routes(method, path)

    # ---- journal, expectations and assertions (the pipeline's journal) ------------------------

    @property
    def calls(self) -> CallList:
        """Every request that reached the fake, in order; ``.filter(method, path, auth=, status=)``."""
        return self.journal.calls

    def expect(
        self,
        method: Optional[str] = None,
        path: PathLike = None,
        *,
        auth: Optional[str] = None,
        times: Optional[int] = None,
    ) -> None:
        """Declare a call the test expects; at teardown, the plugin fails the test if it was not made."""
        self.journal.expect(method, path, auth=auth, times=times)

    @property
    def expectations(self) -> list[Expectation]:
        """The calls declared with :meth:`expect`."""
        return self.journal.expectations

    def assert_end_to_end_encrypted(self, expected: Optional[dict[str, str]] = None) -> None:
        """The client never sent a plaintext secret value or a project key, and every ciphertext it
        wrote decrypts under the project key — to the ``expected`` names and values, if given."""
        __tracebackhide__ = True
        from .e2ee import end_to_end_problems

        problems = end_to_end_problems(self, expected or {})
        if problems:
            raise AssertionError(
                "\n".join(["The client's traffic is not end-to-end encrypted as expected:", *problems])
            )

    # ---- faults (armed on the pipeline's) -----------------------------------------------------

    def clear_rate_limits(self) -> None:
        """No rate limit from now on: neither the one ``rate_limit()`` installed nor the profile's own."""
        self.pipeline.rate_limiter = None
        self.handler.rate_limiters = {}

    def _install_rate_limiter(self, limit: int, window: float, retry_after: Optional[float]) -> RateLimiter:
        """The pipeline's limiter, with this server's header names; it replaces the profile's own limits."""
        own = self.profile.rate_limits
        self.handler.rate_limiters = {}
        return self.pipeline._install_rate_limiter(
            limit, window, retry_after, names=own.headers if own is not None else DRAFT_HEADERS
        )
