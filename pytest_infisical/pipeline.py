"""The pipeline: the one object every transport talks to, around whichever handler answers.

A transport hands each :class:`~pytest_infisical.http.Request` to :meth:`Pipeline.handle`, which:

1. takes the first armed fault that matches (:mod:`pytest_infisical.faults`): a connection error or
   a timeout is raised as a :class:`~pytest_infisical.http.TransportFault`, a delay passes (the
   clock moves on, or ``sleep`` really waits), a status is answered without the handler;
2. applies the rate limiter, if the test set one with ``rate_limit()`` (``GET /api/status`` is
   exempt, as on Infisical): one count for every request, whatever its route or client. A server's
   own per-route limits (the ``2024-08`` profile's) are the handler's: it counts them after
   authentication, with the same :class:`~pytest_infisical.faults.RateLimiter`;
3. answers from the test's stubs (:mod:`pytest_infisical.stubs`), if one matches;
4. else calls the handler — the fake, a table of canned answers, anything with ``handle(Request) ->
   Response`` — and corrupts or replaces its body if the fault says so; an unexpected exception in
   the handler becomes the server's own 500, journaled with the exception's type (never its
   message, which could carry a secret), and strict mode fails the test on it;
5. records the call in the :class:`~pytest_infisical.journal.Journal`, with what the handler
   reported in ``Response.served`` (the route, the credential it authenticated).

Its collaborators come in through the constructor: the journal, the armed faults, how the server
behind it renders its own 429 and 500 answers (``render_error``), the clock, and how a delay passes.
It knows nothing of the fake, so every handler gets the same journal, assertions, faults and strict
checks. ``fail_next`` and ``rate_limit`` (:class:`~pytest_infisical.faults.FaultArming`) arm it.
"""

from __future__ import annotations

from typing import Callable, Generic, Optional, TypeVar

from .faults import (
    DRAFT_HEADERS,
    Clock,
    FaultArming,
    Faults,
    Outcome,
    RateLimiter,
    RenderError,
    corrupt,
    render_any,
    replace_body,
    status_response,
    with_headers,
)
from .http import ConnectionFault, Handler, Request, Response, Served, TimeoutFault, TransportFault, api_path
from .journal import Journal
from .stubs import Stubs

__all__ = ["Pipeline"]

H = TypeVar("H", bound=Handler)

#: requests the rate limiter never counts (method, API path)
RATE_LIMIT_EXEMPT = frozenset({("GET", "/api/status")})


class Pipeline(FaultArming, Generic[H]):
    """Faults, rate limit and journal around ``handler``; a :class:`~pytest_infisical.http.Handler` itself."""

    def __init__(
        self,
        handler: H,
        *,
        journal: Journal,
        faults: Faults,
        render_error: RenderError,
        clock: Clock,
        sleep: Optional[Callable[[float], None]] = None,
        stubs: Optional[Stubs] = None,
    ) -> None:
        self.handler = handler
        self.journal = journal
        self.faults = faults
        self.stubs = stubs if stubs is not None else Stubs()
        self.render_error = render_error
        self.clock = clock
        #: how a delay fault passes: None simulates it (the clock moves on); the live server sleeps
        self.sleep = sleep
        self.rate_limiter: Optional[RateLimiter] = None

    def __repr__(self) -> str:
        return f"<Pipeline around {self.handler!r}>"

    def handle(self, request: Request) -> Response:
        """Answer one request through the faults, the rate limiter and the handler, and journal it."""
        outcome = self.faults.take(request)
        fault = outcome.describe() if outcome is not None and outcome.is_fault else None
        try:
            if outcome is not None and (outcome.error or outcome.delay):
                self._transport_fault(request, outcome)
            if outcome is not None and outcome.status not in (None, 200):
                answer = "fault"
                response = status_response(outcome, self.render_error)
            else:
                response, answer = self._limited(request)
                if outcome is not None and outcome.body:
                    response = corrupt(response, outcome.body)
                elif outcome is not None and outcome.custom_body is not None:
                    response = replace_body(response, outcome.custom_body)
        except TransportFault as error:
            self.journal.record(
                request, None, handled=False, error=str(error), fault=fault, served=self._describe(request)
            )
            raise
        crashed = answer.startswith("crash:")
        handled = answer == "handler" or crashed
        self.journal.record(
            request,
            response,
            handled=handled,
            fault=fault,
            served=None if handled else self._describe(request),
            stubbed=answer == "stub",
            exception=answer[len("crash:") :] if crashed else None,
        )
        return response

    def render_status(self, status: int, message: str) -> Response:
        """An error answer of any status, as the server behind this pipeline renders its own (a live
        server's ``render_error``): its 429 and 500 as they are, other statuses in their shape."""
        return render_any(self.render_error, status, message)

    def _describe(self, request: Request) -> Optional[Served]:
        """For a call the handler never saw: what it would report (its route, the credential it
        would read), when it can say (``describe(Request) -> Served``); else None."""
        describe = getattr(self.handler, "describe", None)
        return describe(request) if describe is not None else None

    def _transport_fault(self, request: Request, outcome: Outcome) -> None:
        if outcome.error == "connection":
            raise ConnectionFault(f"pytest-infisical: injected connection error for {request.method} {request.target}")
        if outcome.error == "timeout":
            raise TimeoutFault(f"pytest-infisical: injected timeout for {request.method} {request.target}")
        delay = outcome.delay
        if self.sleep is not None:
            self.sleep(delay)
        else:
            self.clock.advance(delay)
        if request.timeout is not None and request.timeout < delay:
            raise TimeoutFault(
                f"pytest-infisical: the response took {delay:g} s (simulated), longer than the client's "
                f"{request.timeout:g} s timeout, for {request.method} {request.target}"
            )

    def _limited(self, request: Request) -> tuple[Response, str]:
        """The answer past the rate limiter, and who gave it: ``limiter``, ``stub``, ``handler`` or
        ``crash`` (the handler raised)."""
        limiter = self.rate_limiter
        if limiter is None or (request.method, api_path(request.path)) in RATE_LIMIT_EXEMPT:
            return self._answer_from(request)
        allowed, headers = limiter.check()
        if not allowed:
            return self.render_error(429, headers), "limiter"
        response, answer = self._answer_from(request)
        return with_headers(response, headers), answer

    def _answer_from(self, request: Request) -> tuple[Response, str]:
        stubbed = self.stubs.answer(request, self.render_error)
        if stubbed is not None:
            return stubbed, "stub"
        try:
            return self.handler.handle(request), "handler"
        except TransportFault:
            raise
        except Exception as error:  # a bug in the handler: the server's own 500, as a real one answers
            return self.render_error(500, {}), f"crash:{type(error).__name__}"

    def _install_rate_limiter(
        self,
        limit: int,
        window: float,
        retry_after: Optional[float],
        names: tuple[str, str, str, str] = DRAFT_HEADERS,
    ) -> RateLimiter:
        """A new rate limiter on this pipeline's clock, replacing any other; ``names`` are its headers'."""
        self.rate_limiter = RateLimiter(limit, window, self.clock, retry_after, names)
        return self.rate_limiter
