"""Fault injection: make the API misbehave on purpose, to test a client's retries and error handling.

``make_fault`` (behind ``fail_next``) arms a fault for the next matching request(s): a status code
(429 with a chosen ``Retry-After``, 500, 502, 503 …), a sequence such as ``[429, 429, 200]`` (200
means "answer normally"), a connection error or a timeout raised to the client, a malformed or
truncated JSON body, or a delay. :class:`Faults` holds the armed faults of one pipeline;
:class:`RateLimiter` counts requests per window and answers 429 with ``RateLimit-*`` and
``Retry-After`` headers as the real server does.

This module only decides *what* a request gets; the :class:`~pytest_infisical.pipeline.Pipeline`
applies it around whichever handler it serves. It knows nothing of the fake: a status fault the
server itself would render (429, 500) is rendered by the ``render_error`` the pipeline was given.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, Callable, Optional, Protocol, Union

import attrs

# the transport faults live beside Request and Response; importable from here as they always were
from .http import ConnectionFault, Request, Response, TimeoutFault, TransportFault
from .journal import PathLike, PathPattern

__all__ = [
    "Clock",
    "ConnectionFault",
    "Fault",
    "FaultArming",
    "Faults",
    "RateLimiter",
    "RenderError",
    "TimeoutFault",
    "TransportFault",
    "make_fault",
]


class Clock(Protocol):
    """The time a pipeline counts in: the fake's clock, which a test can move."""

    def timestamp(self) -> float: ...

    def advance(self, seconds: float) -> None: ...


class RenderError(Protocol):
    """How the server behind the pipeline answers a 429 or a 500 of its own (a server profile's rendering).

    ``headers`` carries ``Retry-After`` for a 429."""

    def __call__(self, status: int, headers: dict[str, str]) -> Response: ...


ERRORS = ("connection", "timeout")
BODIES = ("malformed", "truncated")
MALFORMED_BODY = b'{"secrets": [{"_id": "64c7", "secretKeyCiphertext": '

Step = Union[int, str]


@attrs.frozen
class Outcome:
    """What one matching request gets."""

    status: Optional[int] = None  # None or 200: answer normally
    error: Optional[str] = None  # "connection" | "timeout"
    body: Optional[str] = None  # "malformed" | "truncated"
    custom_body: Optional[bytes] = None
    delay: float = 0.0
    retry_after: Optional[float] = None

    @property
    def is_fault(self) -> bool:
        """False for a sequence's 200 step, which answers normally."""
        return bool(self.error or self.body or self.delay or (self.status and self.status != 200))

    def describe(self) -> str:
        if self.error:
            return f"{self.error} error"
        if self.body:
            return f"{self.body} body"
        if self.delay:
            return f"delay {self.delay:g} s"
        return f"status {self.status}"


class Fault:
    """An armed fault: which requests it matches, and the outcomes still to hand out."""

    def __init__(
        self,
        method: Optional[str],
        path: PathLike,
        when: Optional[Callable[[Request], bool]],
        outcomes: Sequence[Outcome],
    ) -> None:
        self.method = method.upper() if method else None
        self.path = PathPattern(path) if path is not None else None
        self.when = when
        self._outcomes = list(outcomes)
        #: the requests this fault has answered so far
        self.hits: list[Request] = []

    @property
    def remaining(self) -> int:
        return len(self._outcomes)

    def matches(self, request: Request) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        if self.path is not None and not self.path.matches(request.path):
            return False
        return self.when is None or bool(self.when(request))

    def take(self, request: Request) -> Outcome:
        self.hits.append(request)
        return self._outcomes.pop(0)

    def describe(self) -> str:
        where = f"{self.method or 'ANY'} {self.path or '(any path)'}" + (" when(…)" if self.when else "")
        left = ", ".join(o.describe() if o.is_fault else "200" for o in self._outcomes)
        return f"{where}: {left} ({len(self.hits)} used)"

    def __repr__(self) -> str:
        return f"<Fault {self.describe()}>"


def _outcome(step: Step, retry_after: Optional[float], body: Optional[Union[str, bytes]]) -> Outcome:
    if isinstance(step, bool) or not isinstance(step, (int, str)):
        raise TypeError(f"a fault step is a status code or one of {ERRORS + BODIES}, not {step!r}")
    if isinstance(step, int):
        if not 200 <= step <= 599:
            raise ValueError(f"a fault status must be 200-599, got {step}")
        custom = body.encode("utf-8") if isinstance(body, str) else body
        return Outcome(status=step, retry_after=retry_after, custom_body=custom)
    if step in ERRORS:
        return Outcome(error=step)
    if step in BODIES:
        return Outcome(body=step)
    raise ValueError(f"unknown fault {step!r}; use a status code or one of {', '.join(ERRORS + BODIES)}")


def make_fault(
    method: Optional[str],
    path: PathLike,
    when: Optional[Callable[[Request], bool]],
    status: Optional[int],
    sequence: Optional[Sequence[Step]],
    error: Optional[str],
    body: Optional[Union[str, bytes]],
    delay: Optional[float],
    retry_after: Optional[float],
    times: int,
) -> Fault:
    kinds = {"status": status, "sequence": sequence, "error": error, "delay": delay}
    if body in BODIES:
        kinds["body"] = body
    given = [name for name, value in kinds.items() if value is not None]
    if len(given) != 1:
        raise TypeError(
            "fail_next() takes exactly one of status=, sequence=, error=, body='malformed'|'truncated' or delay= "
            f"(got {', '.join(given) or 'none'})"
        )
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")
    custom = None if body in BODIES else body
    if sequence is not None:
        outcomes = [_outcome(step, retry_after, custom) for step in sequence]
    elif status is not None:
        outcomes = [_outcome(status, retry_after, custom)] * times
    elif error is not None:
        outcomes = [_outcome(error, None, None)] * times
    elif delay is not None:
        if delay <= 0:
            raise ValueError(f"delay must be positive, got {delay}")
        outcomes = [Outcome(delay=float(delay))] * times
    else:
        outcomes = [_outcome(str(body), None, None)] * times
    return Fault(method, path, when, outcomes)


class Faults:
    """The armed faults of one pipeline, first armed first served."""

    def __init__(self) -> None:
        self._armed: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._armed.append(fault)
        return fault

    def take(self, request: Request) -> Optional[Outcome]:
        if not self._armed:
            return None
        with self._lock:
            for fault in self._armed:
                if fault.remaining and fault.matches(request):
                    return fault.take(request)
        return None

    @property
    def pending(self) -> list[Fault]:
        """Faults with outcomes never handed out."""
        with self._lock:
            return [f for f in self._armed if f.remaining]

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()


def _gateway(status: int) -> bytes:
    phrase = f"{status} {HTTPStatus(status).phrase}"
    return f"<html><head><title>{phrase}</title></head><body><center><h1>{phrase}</h1></center></body></html>".encode()


def status_response(outcome: Outcome, render_error: RenderError) -> Response:
    """The response an injected status gets: rendered by the server's own renderer where it has one."""
    status = outcome.status or 500
    headers: dict[str, str] = {}
    if outcome.retry_after is not None:
        headers["Retry-After"] = f"{outcome.retry_after:g}"
    if outcome.custom_body is not None:
        kind = "application/json; charset=utf-8" if outcome.custom_body.lstrip()[:1] in (b"{", b"[") else "text/plain"
        return Response(status, {"Content-Type": kind, **headers}, outcome.custom_body)
    if status == 429:
        retry = outcome.retry_after if outcome.retry_after is not None else 1
        headers.setdefault("Retry-After", f"{retry:g}")
        return render_error(429, headers)
    if status == 500:
        return render_error(500, headers)
    if status in (502, 503, 504):
        return Response(status, {"Content-Type": "text/html", **headers}, _gateway(status))
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return Response.json_body(
        status, {"statusCode": status, "message": f"{phrase} (injected by pytest-infisical)", "error": phrase}, headers
    )


def corrupt(response: Response, how: str) -> Response:
    body = MALFORMED_BODY if how == "malformed" else response.body[: max(1, len(response.body) // 2)]
    return Response(response.status, response.headers, body, response.served)


class RateLimiter:
    """A fixed window of ``limit`` requests per ``window`` seconds of the pipeline's clock."""

    def __init__(self, limit: int, window: float, clock: Clock, retry_after: Optional[float] = None) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"rate limit needs limit >= 1 and window > 0, got {limit} per {window} s")
        self.limit, self.window, self.clock, self.retry_after = limit, window, clock, retry_after
        self._start: Optional[float] = None
        self._count = 0
        self._lock = threading.Lock()

    def check(self) -> tuple[bool, dict[str, str]]:
        """(allowed, the RateLimit-* headers for this response)."""
        with self._lock:
            now = self.clock.timestamp()
            if self._start is None or now - self._start >= self.window:
                self._start, self._count = now, 0
            self._count += 1
            reset = max(1, math.ceil(self._start + self.window - now))
            allowed = self._count <= self.limit
            headers = {
                "RateLimit-Limit": str(self.limit),
                "RateLimit-Remaining": str(max(0, self.limit - self._count)),
                "RateLimit-Reset": str(reset),
            }
            if not allowed:
                headers["Retry-After"] = f"{self.retry_after:g}" if self.retry_after is not None else str(reset)
            return allowed, headers


def with_headers(response: Response, extra: dict[str, Any]) -> Response:
    return Response(response.status, [*response.headers.raw_items(), *extra.items()], response.body, response.served)


class FaultArming:
    """``fail_next`` and ``rate_limit``, for whatever holds ``faults`` and installs a rate limiter
    (the pipeline, and the fake that forwards to its pipeline)."""

    faults: Faults

    def _install_rate_limiter(self, limit: int, window: float, retry_after: Optional[float]) -> RateLimiter:
        raise NotImplementedError

    def fail_next(
        self,
        method: Optional[str] = None,
        path: PathLike = None,
        *,
        when: Optional[Callable[[Request], bool]] = None,
        status: Optional[int] = None,
        sequence: Optional[Sequence[Step]] = None,
        error: Optional[str] = None,
        body: Optional[Union[str, bytes]] = None,
        delay: Optional[float] = None,
        retry_after: Optional[float] = None,
        times: int = 1,
    ) -> Fault:
        """Make the next matching request(s) misbehave. Give exactly one of:

        * ``status=503`` (``retry_after=`` adds a ``Retry-After`` header; 429 defaults to 1 s),
          with ``body=`` to replace the body;
        * ``sequence=[429, 429, 200]`` — one step per matching request, 200 answers normally;
          steps may also be ``"connection"``, ``"timeout"``, ``"malformed"``, ``"truncated"``;
        * ``error="connection"`` or ``"timeout"`` — raised to the client by its HTTP library;
        * ``body="malformed"`` (invalid JSON) or ``"truncated"`` (the real body cut in half);
        * ``delay=2.5`` — simulated: the clock moves on, the client times out if its
          timeout is shorter (the live server sleeps for real).

        ``method``/``path`` (exact, ``:param`` template, glob or regex) and ``when(request)``
        select the requests; ``times`` repeats a single fault. Returns the armed fault
        (``.remaining``, ``.hits``).
        """
        return self.faults.add(make_fault(method, path, when, status, sequence, error, body, delay, retry_after, times))

    def rate_limit(self, limit: int = 350, window: float = 60, *, retry_after: Optional[float] = None) -> RateLimiter:
        """Count requests per ``window`` seconds of the clock; past ``limit``, answer 429 with
        ``RateLimit-Limit``, ``-Remaining``, ``-Reset`` and ``Retry-After``. ``/api/status`` is exempt."""
        return self._install_rate_limiter(limit, window, retry_after)
