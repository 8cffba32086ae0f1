"""The request journal: every call that reached a handler, its auth mode, and assertions on them.

The journal records, for each request in order, the request, the response (or the transport
error raised to the client), the auth mode the request used as read from its headers, and which
credential it was (its id, and a redacted form of the header). ``CallList.filter`` selects calls
by method, path (exact, ``:param`` template, glob or regex), auth mode and status; the ``assert_*``
methods fail with messages that list the calls and name the closest ones, never a secret.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import fnmatch
import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, Optional, Union, overload

import attrs

from .http import Headers, Request, Response, api_path
from .redact import redact

__all__ = [
    "AUTH_MODES",
    "Call",
    "CallAssertions",
    "CallList",
    "Journal",
    "PathPattern",
    "credential_of",
    "detect_auth_mode",
]

#: the auth modes a call can have, as the journal names them
AUTH_MODES = ("api_key", "service_token", "service_account", "machine_identity")

PathLike = Union[str, "re.Pattern[str]", None]


# ---- auth mode, read from the headers alone ---------------------------------------------------


def _jwt_claims(token: str) -> Optional[dict[str, Any]]:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def _bearer(headers: Mapping[str, str]) -> Optional[str]:
    authorization = headers.get("authorization") or headers.get("Authorization")
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def detect_auth_mode(headers: Mapping[str, str]) -> Optional[str]:
    """The auth mode a request uses, from its headers only (PROTOCOL.md §3.1): ``api_key``,
    ``service_token``, ``service_account``, ``machine_identity``, or ``None``.

    As on the 2023 server, a bearer ``Authorization`` header wins over ``X-API-KEY``.
    """
    headers = headers if isinstance(headers, Headers) else Headers(headers)
    bearer = _bearer(headers)
    if bearer is not None:
        if bearer.startswith("st."):
            return "service_token"
        if bearer.startswith("sa."):
            return "service_account"
        claims = _jwt_claims(bearer)
        if claims is not None and claims.get("authTokenType") == "identityAccessToken":
            return "machine_identity"
        return None
    if headers.get("x-api-key"):
        return "api_key"
    return None


def credential_of(headers: Mapping[str, str]) -> tuple[Optional[str], Optional[str]]:
    """(the credential's id, the redacted header value) of a request, as far as the headers tell."""
    headers = headers if isinstance(headers, Headers) else Headers(headers)
    mode = detect_auth_mode(headers)
    if mode is None:
        raw = headers.get("authorization") or headers.get("x-api-key")
        return None, (redact(raw) if raw else None)
    if mode == "api_key":
        value = headers["x-api-key"]
        parts = value.split(".")
        return (parts[1] if len(parts) > 1 else None), redact(value)
    bearer = _bearer(headers) or ""
    shown = redact(f"Bearer {bearer}")
    if mode == "service_token":
        parts = bearer.split(".")
        return (parts[1] if len(parts) > 1 else None), shown
    if mode == "service_account":
        part = bearer.split(".")[1] if bearer.count(".") >= 1 else ""
        try:
            return base64.b64decode(part + "=" * (-len(part) % 4)).hex(), shown
        except (ValueError, binascii.Error):
            return None, shown
    claims = _jwt_claims(bearer) or {}
    identity = claims.get("identityId")
    return (str(identity) if identity is not None else None), shown


# ---- calls --------------------------------------------------------------------------------


@attrs.frozen(repr=False, slots=False)
class Call:
    """One request that reached the fake, and what became of it.

    ``auth_mode``, ``credential_id`` and ``credential`` are read from the request's headers when
    first asked for, so recording a call costs next to nothing.
    """

    index: int
    request: Request
    response: Optional[Response]
    #: the route that answered (``GET /api/v3/secrets/:secretName``), or None when none did
    route: Optional[str] = None
    #: whether that route takes credentials at all (login and status do not)
    route_takes_credentials: bool = True
    #: the error raised to the client instead of a response (fault injection), if any
    error: Optional[str] = None
    #: the injected fault, if any (``status 503``, ``connection error``, ``truncated body`` …)
    fault: Optional[str] = None

    @cached_property
    def auth_mode(self) -> Optional[str]:
        """``api_key``, ``service_token``, ``service_account``, ``machine_identity`` or None."""
        return detect_auth_mode(self.request.headers)

    @cached_property
    def _credential(self) -> tuple[Optional[str], Optional[str]]:
        return credential_of(self.request.headers)

    @property
    def credential_id(self) -> Optional[str]:
        """The id of the credential used (token, key, account or identity id)."""
        return self._credential[0]

    @property
    def credential(self) -> Optional[str]:
        """The credential header, redacted: ``Bearer st.64a0…(redacted)``."""
        return self._credential[1]

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return api_path(self.request.path)

    @property
    def status(self) -> Optional[int]:
        return self.response.status if self.response is not None else None

    @property
    def headers(self) -> Headers:
        return self.request.headers

    def json(self) -> Any:
        """The request body as JSON (``{}`` when empty)."""
        return json.loads(self.request.body) if self.request.body else {}

    def describe(self) -> str:
        outcome = str(self.status) if self.response is not None else (self.error or "no response")
        auth = f" auth={self.auth_mode}" if self.auth_mode else " auth=none"
        shown = f" ({self.credential})" if self.credential else ""
        fault = f" [fault: {self.fault}]" if self.fault else ""
        return f"{self.method} {self.request.target}{auth}{shown} -> {outcome}{fault}"

    def __repr__(self) -> str:
        return f"<Call #{self.index} {self.describe()}>"


@attrs.frozen
class PathPattern:
    """A path to match: exact (``/api/v3/secrets``), a template (``/api/v3/secrets/:secretName``),
    a glob (``/api/v3/secrets/*``) or a compiled regex. Paths are compared after normalization."""

    pattern: Union[str, re.Pattern[str]]

    def matches(self, path: str) -> bool:
        path = api_path(path)
        if isinstance(self.pattern, re.Pattern):
            return self.pattern.fullmatch(path) is not None
        pattern = api_path(self.pattern)
        if ":" in pattern:
            want, got = pattern.strip("/").split("/"), path.strip("/").split("/")
            return len(want) == len(got) and all((w.startswith(":") and g) or w == g for w, g in zip(want, got))
        if any(c in pattern for c in "*?["):
            return fnmatch.fnmatchcase(path, pattern)
        return path == pattern

    def __str__(self) -> str:
        return self.pattern.pattern if isinstance(self.pattern, re.Pattern) else self.pattern


def _check_mode(auth: Optional[str]) -> None:
    if auth is not None and auth not in AUTH_MODES and auth != "none":
        raise ValueError(f"auth must be one of {', '.join(AUTH_MODES)} or 'none', not {auth!r}")


def _matches(call: Call, method: Optional[str], path: PathLike, auth: Optional[str], status: Optional[int]) -> bool:
    if method is not None and call.method != method.upper():
        return False
    if path is not None and not PathPattern(path).matches(call.request.path):
        return False
    if auth is not None and (call.auth_mode or "none") != auth:
        return False
    return not (status is not None and call.status != status)


class CallList(Sequence[Call]):
    """An ordered, read-only list of calls, with ``filter``."""

    def __init__(self, calls: Iterable[Call]) -> None:
        self._calls = list(calls)

    @overload
    def __getitem__(self, index: int) -> Call: ...

    @overload
    def __getitem__(self, index: slice) -> CallList: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Call, CallList]:
        if isinstance(index, slice):
            return CallList(self._calls[index])
        return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self._calls)

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, CallList)) else NotImplemented

    def filter(
        self,
        method: Optional[str] = None,
        path: PathLike = None,
        *,
        auth: Optional[str] = None,
        status: Optional[int] = None,
    ) -> CallList:
        """The calls matching every criterion given (``auth="none"`` selects calls without credentials)."""
        _check_mode(auth)
        return CallList(c for c in self._calls if _matches(c, method, path, auth, status))

    def __repr__(self) -> str:
        return f"CallList({len(self)} calls)"


def _listing(calls: Sequence[Call], limit: int = 20) -> list[str]:
    lines = [f"  {c.index}. {c.describe()}" for c in calls[-limit:]]
    if len(calls) > limit:
        lines.insert(0, f"  … {len(calls) - limit} earlier calls not shown")
    return lines or ["  (none)"]


def _what(method: Optional[str], path: PathLike, auth: Optional[str]) -> str:
    target = f"{(method or 'ANY').upper()} {PathPattern(path) if path is not None else '(any path)'}"
    return target + (f" with auth {auth}" if auth else "")


def _times(n: int) -> str:
    return f"{n} time" + ("" if n == 1 else "s")


class CallAssertions:
    """Assertions over ``self.calls``; shared by the :class:`Journal` and the fake that owns one."""

    @property
    def calls(self) -> CallList:
        raise NotImplementedError

    def _near_misses(self, method: Optional[str], path: PathLike, auth: Optional[str]) -> list[str]:
        calls = self.calls
        out: list[str] = []
        seen: set[int] = set()

        def add(call: Call, why: str) -> None:
            if call.index not in seen and len(out) < 5:
                seen.add(call.index)
                out.append(f"  {call.index}. {call.describe()}  <- {why}")

        if path is not None:
            for call in calls.filter(path=path):
                if method is not None and call.method != method.upper():
                    add(call, "same path, other method")
            for call in calls.filter(method=method, path=path):
                if auth is not None and (call.auth_mode or "none") != auth:
                    add(call, f"same route, other auth mode ({call.auth_mode or 'none'})")
            if isinstance(path, str):
                candidates = {c.path: c for c in calls if method is None or c.method == method.upper()}
                for close in difflib.get_close_matches(api_path(path), list(candidates), n=3, cutoff=0.75):
                    add(candidates[close], "similar path")
        return out

    def failure(self, headline: str, method: Optional[str], path: PathLike, auth: Optional[str]) -> str:
        calls = self.calls
        lines = [headline, f"Calls to the fake ({len(calls)}):", *_listing(calls)]
        near = self._near_misses(method, path, auth)
        if near:
            lines += ["Closest calls:", *near]
        return "\n".join(lines)

    def assert_called(
        self,
        method: Optional[str] = None,
        path: PathLike = None,
        *,
        auth: Optional[str] = None,
        times: Optional[int] = None,
    ) -> CallList:
        """At least one matching call (or exactly ``times``); returns the matching calls."""
        __tracebackhide__ = True
        matching = self.calls.filter(method, path, auth=auth)
        if (times is None and matching) or (times is not None and len(matching) == times):
            return matching
        expected = "at least once" if times is None else _times(times)
        headline = (
            f"Expected {_what(method, path, auth)} to be called {expected}, but it was called {_times(len(matching))}."
        )
        raise AssertionError(self.failure(headline, method, path, auth))

    def assert_not_called(
        self, method: Optional[str] = None, path: PathLike = None, *, auth: Optional[str] = None
    ) -> None:
        __tracebackhide__ = True
        matching = self.calls.filter(method, path, auth=auth)
        if matching:
            headline = (
                f"Expected {_what(method, path, auth)} not to be called, but it was called {_times(len(matching))}:"
            )
            raise AssertionError("\n".join([headline, *_listing(matching)]))

    def assert_all_calls_used(self, auth: str) -> None:
        """Every call to a route that takes credentials used auth mode ``auth``."""
        __tracebackhide__ = True
        _check_mode(auth)
        others = [c for c in self.calls if c.route_takes_credentials and (c.auth_mode or "none") != auth]
        if others:
            headline = f"Expected every call to use auth {auth}, but {len(others)} did not:"
            raise AssertionError("\n".join([headline, *_listing(others)]))


class Journal(CallAssertions):
    """Every call, in order. Thread-safe: the live server records from its handler threads.

    It keeps the last ``max_calls`` calls (10,000 by default; ``None`` keeps all), so that a
    long-running ``serve`` does not grow without bound; ``recorded`` counts them all.
    """

    def __init__(self, max_calls: Optional[int] = 10_000) -> None:
        self._calls: deque[Call] = deque(maxlen=max_calls)
        self.recorded = 0
        self._lock = threading.Lock()
        #: requests to hosts the fake does not serve, refused by the transport
        self.unmocked: list[Request] = []

    def record(
        self,
        request: Request,
        response: Optional[Response],
        *,
        route: Optional[str] = None,
        route_takes_credentials: bool = True,
        error: Optional[str] = None,
        fault: Optional[str] = None,
    ) -> Call:
        with self._lock:
            self.recorded += 1
            call = Call(
                index=self.recorded,
                request=request,
                response=response,
                route=route,
                route_takes_credentials=route_takes_credentials,
                error=error,
                fault=fault,
            )
            self._calls.append(call)
        return call

    def record_unmocked(self, request: Request) -> None:
        with self._lock:
            self.unmocked.append(request)

    @property
    def calls(self) -> CallList:
        with self._lock:
            return CallList(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self.unmocked.clear()
            self.recorded = 0
