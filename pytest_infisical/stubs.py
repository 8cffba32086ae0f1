"""One-off answers on top of whichever handler the pipeline serves: ``infisical.stub(...)``.

A :class:`Stub` answers the requests it matches (method and path, as the journal matches them)
with a fixed response, or with what its ``callback(request)`` returns (``None`` lets the handler
answer). :class:`Stubs` holds the stubs of one pipeline, which asks them before its handler; the
answer is journaled like any other call. A stub never used fails the test at strict teardown, as an
``expect()`` never met does (with the same opt-out).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

from .errors import UsageError
from .faults import RenderError, render_any, with_body
from .http import Request, Response
from .journal import PathLike, PathPattern

__all__ = ["Stub", "Stubs"]

Callback = Callable[[Request], Optional[Response]]


class Stub:
    """A stubbed answer: which requests it matches, what they get, and how often it was used.

    ``requests`` lists every request it matched; ``hits`` counts those it answered (a callback's
    ``None`` lets the handler answer and is not a hit). ``remaining`` is None when unlimited.
    """

    def __init__(
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
    ) -> None:
        if not isinstance(method, str) or not method:
            raise UsageError(f"stub() takes an HTTP method such as 'GET' (or '*'), not {method!r}")
        if path is None:
            raise UsageError("stub() takes a path: exact, a ':param' template, a glob or a compiled regex")
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise UsageError(f"stub(status=...) takes a status code 100-599, not {status!r}")
        if json is not None and body is not None:
            raise UsageError("stub() takes json= or body=, not both")
        if callback is not None and (json is not None or body is not None or status != 200):
            raise UsageError("stub(callback=...) answers by itself: give no status=, json= or body= with it")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise UsageError(f"stub(times=...) takes a positive int or None (unlimited), not {times!r}")
        if body is not None and not isinstance(body, (str, bytes)):
            raise UsageError(f"stub(body=...) takes str or bytes, not {type(body).__name__}")
        self.method = method.upper()
        self.path = PathPattern(path)
        self.status = status
        self.json = json
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = dict(headers or {})
        self.callback = callback
        self.remaining = times
        #: every request this stub matched
        self.requests: list[Request] = []
        #: how many of them it answered
        self.hits = 0

    def matches(self, request: Request) -> bool:
        """Whether the stub selects ``request`` and has answers left."""
        if self.remaining == 0:
            return False
        return (self.method in ("*", request.method)) and self.path.matches(request.path)

    def answer(self, request: Request, render_error: RenderError) -> Optional[Response]:
        """The stub's response to ``request`` (None: let the handler answer)."""
        self.requests.append(request)
        if self.callback is not None:
            response = self.callback(request)
            if response is not None and not isinstance(response, Response):
                raise UsageError(
                    f"a stub callback returns a pytest_infisical.http.Response or None, not {type(response).__name__}"
                )
        elif self.json is not None:
            response = Response.json_body(self.status, self.json, self.headers)
        elif self.body is not None:
            response = with_body(self.status, self.body, self.headers)
        elif self.status >= 400:
            response = render_any(render_error, self.status, "Stubbed by pytest-infisical", self.headers)
        else:
            response = Response(self.status, self.headers)
        if response is not None:
            self.hits += 1
            if self.remaining is not None:
                self.remaining -= 1
        return response

    def describe(self) -> str:
        """``GET /api/v3/secrets/:secretName -> 503 (0 used)``."""
        what = "callback" if self.callback is not None else str(self.status)
        return f"{self.method} {self.path} -> {what} ({len(self.requests)} used)"

    def __repr__(self) -> str:
        return f"<Stub {self.describe()}>"


class Stubs:
    """The stubs of one pipeline, the newest first (a later stub overrides an earlier one)."""

    def __init__(self) -> None:
        self._stubs: list[Stub] = []
        self._lock = threading.Lock()

    def add(self, stub: Stub) -> Stub:
        with self._lock:
            self._stubs.insert(0, stub)
        return stub

    def answer(self, request: Request, render_error: RenderError) -> Optional[Response]:
        """The first matching stub's answer, or None (no stub, or the callback let the handler answer)."""
        if not self._stubs:
            return None
        with self._lock:
            chosen = next((stub for stub in self._stubs if stub.matches(request)), None)
        return chosen.answer(request, render_error) if chosen is not None else None

    @property
    def unused(self) -> list[Stub]:
        """Stubs that never matched a request (strict mode reports them)."""
        with self._lock:
            return [s for s in reversed(self._stubs) if not s.requests]

    def clear(self) -> None:
        with self._lock:
            self._stubs.clear()
