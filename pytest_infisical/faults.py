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

import json
import threading
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Union

import attrs

# the transport faults live beside Request and Response; importable from here as they always were
from .http import ConnectionFault, Request, Response, TimeoutFault, TransportFault, reason_phrase
from .journal import PathLike, PathPattern

if TYPE_CHECKING:
    from .stubs import Callback, Stub, Stubs

__all__ = [
    "DRAFT_HEADERS",
    "FASTIFY_HEADERS",
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
        return bool(
            self.error
            or self.body
            or self.delay
            or self.custom_body is not None
            or (self.status and self.status != 200)
        )

    def describe(self) -> str:
        """What the request gets: ``status 503``, ``connection error``, ``truncated body`` …"""
        if self.error:
            return f"{self.error} error"
        if self.body:
            return f"{self.body} body"
        if self.delay:
            return f"delay {self.delay:g} s"
        if self.custom_body is not None:
            return f"status {self.status or 200} with a given body"
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
        #: the requests this fault has taken so far, a sequence's 200 steps included
        self.requests: list[Request] = []
        #: how many of them it made misbehave (a sequence's 200 step answers normally: not a hit)
        self.hits = 0

    @property
    def remaining(self) -> int:
        """Outcomes still to hand out (a sequence's 200 steps included)."""
        return len(self._outcomes)

    def matches(self, request: Request) -> bool:
        """Whether ``request`` is one this fault selects (method, path, ``when``)."""
        if self.method is not None and request.method != self.method:
            return False
        if self.path is not None and not self.path.matches(request.path):
            return False
        return self.when is None or bool(self.when(request))

    def take(self, request: Request) -> Outcome:
        """The next outcome, for ``request``."""
        self.requests.append(request)
        outcome = self._outcomes.pop(0)
        if outcome.is_fault:
            self.hits += 1
        return outcome

    def describe(self) -> str:
        """``GET /api/v3/secrets: status 503, 200 (1 used)``."""
        where = f"{self.method or 'ANY'} {self.path or '(any path)'}" + (" when(…)" if self.when else "")
        left = ", ".join(o.describe() if o.is_fault else "200" for o in self._outcomes)
        return f"{where}: {left} ({len(self.requests)} used)"

    def __repr__(self) -> str:
        return f"<Fault {self.describe()}>"


def _bytes(body: Optional[Union[str, bytes]]) -> Optional[bytes]:
    return body.encode("utf-8") if isinstance(body, str) else body


def _outcome(step: Step, retry_after: Optional[float], body: Optional[Union[str, bytes]]) -> Outcome:
    if isinstance(step, bool) or not isinstance(step, (int, str)):
        raise TypeError(f"a fault step is a status code or one of {ERRORS + BODIES}, not {step!r}")
    if isinstance(step, int):
        if not 200 <= step <= 599:
            raise ValueError(f"a fault status must be 200-599, got {step}")
        return Outcome(status=step, retry_after=retry_after, custom_body=_bytes(body))
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
    if body is not None and (body in BODIES or (status is None and sequence is None)):
        kinds["body"] = body
    given = [name for name, value in kinds.items() if value is not None]
    if len(given) != 1:
        raise TypeError(
            "fail_next() takes exactly one of status=, sequence=, error=, body= or delay= "
            f"(got {', '.join(given) or 'none'}; body= may also go with status= or sequence=)"
        )
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")
    if body is not None and not isinstance(body, (str, bytes)):
        raise TypeError(f"fail_next(body=...) takes str or bytes, not {type(body).__name__}")
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
    elif body in BODIES:
        outcomes = [_outcome(str(body), None, None)] * times
    else:  # a body alone: the handler's answer, with that body
        outcomes = [Outcome(custom_body=_bytes(body))] * times
    if sequence is not None and custom is not None:
        outcomes = [attrs.evolve(o, custom_body=None) if o.status == 200 else o for o in outcomes]
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
    phrase = f"{status} {reason_phrase(status, 'Error')}"
    return f"<html><head><title>{phrase}</title></head><body><center><h1>{phrase}</h1></center></body></html>".encode()


def with_body(status: int, body: bytes, headers: Optional[Mapping[str, str]] = None) -> Response:
    """``body`` as given, typed JSON when it looks like JSON, else plain text."""
    kind = "application/json; charset=utf-8" if body.lstrip()[:1] in (b"{", b"[") else "text/plain; charset=utf-8"
    return Response(status, {"Content-Type": kind, **(headers or {})}, body)


def render_any(
    render_error: RenderError, status: int, message: str, headers: Optional[Mapping[str, str]] = None
) -> Response:
    """An error answer of any status in the shape of the server's own errors: its 500 answer (a
    request id and all, where the server sends one) with the status, the message and the status's
    name put in. A 429 or a 500 is the server's own answer, as it renders it."""
    extra = dict(headers or {})
    if status == 429:
        extra.setdefault("Retry-After", "1")
        return render_error(429, extra)
    if status == 500:
        return render_error(500, extra)
    template = render_error(500, {})
    try:
        body = json.loads(template.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    body.update({"statusCode": status, "message": message, "error": reason_phrase(status, "Error")})
    return Response.json_body(status, body, extra)


def status_response(outcome: Outcome, render_error: RenderError) -> Response:
    """The response an injected status gets: a given body as is, else the server's own rendering
    (a gateway's HTML page for 502, 503 and 504, which Infisical's load balancer answers)."""
    status = outcome.status or 500
    headers: dict[str, str] = {}
    if outcome.retry_after is not None:
        headers["Retry-After"] = f"{outcome.retry_after:g}"
    if outcome.custom_body is not None:
        return with_body(status, outcome.custom_body, headers)
    if status == 429 and outcome.retry_after is None:
        headers["Retry-After"] = "1"
    if status in (502, 503, 504):
        return Response(status, {"Content-Type": "text/html", **headers}, _gateway(status))
    name = reason_phrase(status, "Error")
    return render_any(render_error, status, f"{name} (injected by pytest-infisical)", headers)


def corrupt(response: Response, how: str) -> Response:
    """The handler's answer with its body made invalid JSON (``malformed``) or cut in half (``truncated``)."""
    body = MALFORMED_BODY if how == "malformed" else response.body[: max(1, len(response.body) // 2)]
    return Response(response.status, response.headers, body, response.served)


def replace_body(response: Response, body: bytes) -> Response:
    """The handler's answer (status, headers) with ``body`` instead of its own."""
    headers = [(k, v) for k, v in response.headers.raw_items() if k.lower() not in ("content-length", "content-type")]
    return with_body(response.status, body, dict(headers)).reporting(response.served)


#: the names a limiter gives its headers: limit, remaining, reset, retry-after. Draft-6 style, as
#: express-rate-limit sent them (the default of ``rate_limit()``)
DRAFT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After")
#: as @fastify/rate-limit sends them (lower case on the wire)
FASTIFY_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after")


class RateLimiter:
    """Fixed windows of ``limit`` requests per ``window`` seconds of the pipeline's clock, one per key.

    A key's window opens at its first request and closes ``window`` seconds later: at that instant
    the next request opens a new one (so does a request made before its window opened, when the
    clock was moved back: ``advance()`` with a negative number, time-machine or freezegun). ``check(key)`` counts one request (a refused one too) and says
    whether it is allowed, with the headers of the answer (``names``: limit, remaining, reset in
    whole seconds rounded up, and retry-after on a refusal: ``retry_after`` if given, else the reset).
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Clock,
        retry_after: Optional[float] = None,
        names: tuple[str, str, str, str] = DRAFT_HEADERS,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"rate limit needs limit >= 1 and window > 0, got {limit} per {window} s")
        self.limit, self.window, self.clock, self.retry_after = limit, window, clock, retry_after
        self.names = names
        #: key -> (start of its window, requests counted in it); times in whole microseconds, so
        #: that a window closes exactly ``window`` seconds after it opened
        self._windows: dict[Hashable, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def check(self, key: Hashable = None) -> tuple[bool, dict[str, str]]:
        """(allowed, the rate-limit headers of the answer) for one more request counted under ``key``."""
        window = round(self.window * 1_000_000)
        with self._lock:
            now = round(self.clock.timestamp() * 1_000_000)
            start, count = self._windows.get(key, (now, 0))
            if not 0 <= now - start < window:
                start, count = now, 0
            count += 1
            self._windows[key] = (start, count)
        reset = max(1, -((now - start - window) // 1_000_000))  # whole seconds left, rounded up
        allowed = count <= self.limit
        limit, remaining, reset_name, retry_name = self.names
        headers = {limit: str(self.limit), remaining: str(max(0, self.limit - count)), reset_name: str(reset)}
        if not allowed:
            headers[retry_name] = f"{self.retry_after:g}" if self.retry_after is not None else str(reset)
        return allowed, headers


def with_headers(response: Response, extra: Mapping[str, Any]) -> Response:
    return Response(response.status, [*response.headers.raw_items(), *extra.items()], response.body, response.served)


class FaultArming:
    """``fail_next``, ``rate_limit`` and ``stub``, for whatever holds ``faults`` and ``stubs`` and
    installs a rate limiter (the pipeline, and the fake that forwards to its pipeline)."""

    faults: Faults
    stubs: Stubs

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

        ``body=`` also goes with ``status=`` (that status, that body) or ``sequence=`` (each
        non-200 step answers it), or alone (the handler's answer with that body instead of its own).
        A status given alone is rendered as the server renders its own errors (with a request id
        under ``latest``); 502, 503 and 504 as a gateway's HTML page.

        ``method``/``path`` (exact, ``:param`` template, glob or regex) and ``when(request)``
        select the requests; ``times`` repeats a single fault. Returns the armed fault:
        ``.remaining`` outcomes still to hand out, ``.hits`` how many requests it made misbehave
        (a sequence's 200 step is not a hit), ``.requests`` every request it took.
        """
        return self.faults.add(make_fault(method, path, when, status, sequence, error, body, delay, retry_after, times))

    def stub(
        self,
        method: str,
        path: PathLike,
        *,
        status: int = 200,
        json: Any = None,
        body: Optional[Union[str, bytes]] = None,
        headers: Optional[Mapping[str, str]] = None,
        times: Optional[int] = None,
        callback: Optional[Callback] = None,
    ) -> Stub:
        """Answer matching requests with a fixed response, before the fake sees them.

        ``method`` (``"*"`` for any) and ``path`` (exact, ``:param`` template, glob or regex) select
        the requests; the answer is ``json=`` (JSON), ``body=`` (bytes or text as given), or, with
        only a ``status=`` of 400 or more, an error body as the server renders its own (a request
        id under ``latest``); ``headers=`` adds headers. ``callback(request)`` instead returns a
        :class:`~pytest_infisical.http.Response`, or None to let the fake answer. ``times`` limits
        how many requests it answers (None: every one). The newest stub wins; calls are journaled.
        A stub that never matched a request fails the test at strict teardown (opt out with
        ``assert_all_expected=False``). Returns the :class:`~pytest_infisical.stubs.Stub`
        (``.hits``, ``.requests``, ``.remaining``).
        """
        from .stubs import Stub

        stub = Stub(method, path, status=status, json=json, body=body, headers=headers, times=times, callback=callback)
        return self.stubs.add(stub)

    def rate_limit(self, limit: int = 350, window: float = 60, *, retry_after: Optional[float] = None) -> RateLimiter:
        """Count requests per ``window`` seconds of the clock; past ``limit``, answer 429 with
        ``RateLimit-Limit``, ``-Remaining``, ``-Reset`` and ``Retry-After`` (``x-ratelimit-*`` and
        ``retry-after`` under a profile whose server sent those). ``/api/status`` is exempt. Every
        other request counts once, whatever its route or client; a profile's own rate limits are
        replaced by this one while it is installed."""
        return self._install_rate_limiter(limit, window, retry_after)
