"""The request journal: every call that went through the pipeline, what the handler did, and assertions on them.

The :class:`~pytest_infisical.pipeline.Pipeline` records, for each request in order, the request,
the response (or the transport error raised to the client), the injected fault if any, and the
handler's report (``Response.served``): the route that answered and the credential the handler
read — its auth mode and id, as the server's own header precedence picked it. The journal never
re-derives the auth mode of a call the handler reported on. For a call no handler read the
credentials of (a faulted call the handler never saw, a route that takes no credentials, a
handler that reports nothing), it shows what the request carried, read by
:mod:`~pytest_infisical.credential_headers` with the 2023 rule (a bearer wins over ``X-API-KEY``).

``CallList.filter`` selects calls by method, path (exact, ``:param`` template, glob or regex), auth
mode, status, JSON body (a subset match) and query parameters (a subset); the ``assert_*`` methods fail with messages that list the calls and name the
closest ones, never a secret. The journal knows nothing of the fake.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, Optional, Union, overload
from urllib.parse import urlencode

import attrs

from .credential_headers import AUTH_MODES, auth_mode, credential_id, read_credentials, shown_credential
from .errors import UsageError
from .http import NOTHING_SERVED, Headers, Request, Response, Served, api_path
from .redact import redact_url

__all__ = [
    "AUTH_MODES",
    "Call",
    "CallAssertions",
    "CallList",
    "Expectation",
    "Journal",
    "PathPattern",
    "Trimmed",
    "credential_of",
    "detect_auth_mode",
]

PathLike = Union[str, "re.Pattern[str]", None]


def credential_of(headers: Any) -> tuple[Optional[str], Optional[str]]:
    """(the credential's id, the redacted header value) a request presents, bearer first (the 2023 rule)."""
    presented = read_credentials(headers, api_key_wins=False)
    return credential_id(presented), shown_credential(presented, headers)


def detect_auth_mode(headers: Any) -> Optional[str]:
    """The auth mode a request presents, from its headers alone, bearer first (the 2023 rule)."""
    return auth_mode(read_credentials(headers, api_key_wins=False))


# ---- calls --------------------------------------------------------------------------------


@attrs.frozen
class Trimmed:
    """The bodies of a call the journal no longer keeps (past its byte bound): their SHA-256 and length."""

    request_sha256: str
    request_length: int
    response_sha256: Optional[str]
    response_length: int


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@attrs.frozen(repr=False, slots=False)
class Call:
    """One request that went through the pipeline, and what became of it.

    ``auth_mode`` and ``credential_id`` are the handler's verdict when it read the credentials (the
    fake does on every route that takes them, failed or not); otherwise they are read from the
    request's headers when first asked for, so recording a call costs next to nothing.
    """

    index: int
    request: Request
    response: Optional[Response]
    #: the error raised to the client instead of a response (fault injection), if any
    error: Optional[str] = None
    #: the injected fault, if any (``status 503``, ``connection error``, ``truncated body`` …)
    fault: Optional[str] = None
    #: what the handler reported — or, when it never saw the request (a fault or the rate limiter
    #: answered), what it says it would have done, if it can tell; else ``None``
    served: Optional[Served] = None
    #: False when the handler never saw the request (a fault or the rate limiter answered it)
    handled: bool = True
    #: answered by one of the test's stubs (``infisical.stub``), not the handler
    stubbed: bool = False
    #: the type of the exception the handler raised (it was answered with the server's 500), if any
    exception: Optional[str] = None
    #: set when the journal dropped the bodies to stay within its byte bound (their digests and lengths)
    trimmed: Optional[Trimmed] = None

    @property
    def route(self) -> Optional[str]:
        """The route that answered (``GET /api/v3/secrets/:secretName``), or None when none did."""
        return self.served.route if self.served is not None else None

    @property
    def route_takes_credentials(self) -> bool:
        """Whether the route takes credentials at all (login and status do not)."""
        return self.served.takes_credentials if self.served is not None else True

    @property
    def unrouted(self) -> bool:
        """The handler saw the request and no route of it answered."""
        return self.served is not None and not self.served.routed

    @cached_property
    def _presented(self) -> tuple[Optional[str], Optional[str], Optional[str]]:
        presented = read_credentials(self.request.headers, api_key_wins=False)
        return auth_mode(presented), credential_id(presented), shown_credential(presented, self.request.headers)

    @cached_property
    def _shown_read(self) -> Optional[str]:
        served = self.served
        assert served is not None
        presented = read_credentials(self.request.headers, api_key_wins=served.auth_mode == "api_key")
        return shown_credential(presented, self.request.headers)

    @property
    def auth_mode(self) -> Optional[str]:
        """``api_key``, ``service_token``, ``service_account``, ``machine_identity`` or None."""
        served = self.served
        if served is not None and served.auth_read:
            return served.auth_mode
        return self._presented[0]

    @property
    def authenticated(self) -> bool:
        """Whether the handler accepted the call's credential."""
        return self.served is not None and self.served.authenticated

    @property
    def credential_id(self) -> Optional[str]:
        """The id of the credential used (token, key, account or identity id)."""
        served = self.served
        if served is not None and served.auth_read:
            return served.credential_id
        return self._presented[1]

    @property
    def credential(self) -> Optional[str]:
        """The credential header, redacted: ``Bearer st.64a0…(redacted)``."""
        served = self.served
        if served is not None and served.auth_read and served.auth_mode is not None:
            return self._shown_read
        return self._presented[2]

    @property
    def note(self) -> Optional[str]:
        """The handler's word on why it refused the credential, when there is one worth telling (an
        auth mode the server no longer serves, and the profile to pin for it); else None."""
        return self.served.note if self.served is not None else None

    @property
    def method(self) -> str:
        """The request's method, upper case."""
        return self.request.method

    @property
    def path(self) -> str:
        """The request's API path, normalized (no query; duplicate and trailing slashes dropped)."""
        return api_path(self.request.path)

    @property
    def status(self) -> Optional[int]:
        """The response's status, or None when the client got a transport error instead."""
        return self.response.status if self.response is not None else None

    @property
    def headers(self) -> Headers:
        """The request's headers (print them redacted: their repr is)."""
        return self.request.headers

    def json(self) -> Any:
        """The request body as JSON (``{}`` when empty); a :class:`~pytest_infisical.errors.UsageError`
        when the journal kept only its digest (see :meth:`Journal.configure`)."""
        if self.trimmed is not None and self.trimmed.request_length:
            raise UsageError(
                f"call #{self.index}: the journal kept only the digest of its {self.trimmed.request_length}-byte body "
                "(it bounds the bytes it keeps; raise the bound with infisical.journal.configure(max_bytes=...))"
            )
        return json.loads(self.request.body) if self.request.body else {}

    def describe(self) -> str:
        """One line: method, target (query values that may carry credentials redacted), auth, outcome, fault."""
        outcome = str(self.status) if self.response is not None else (self.error or "no response")
        auth = f" auth={self.auth_mode}" if self.auth_mode else " auth=none"
        shown = f" ({self.credential})" if self.credential else ""
        fault = f" [fault: {self.fault}]" if self.fault else ""
        fault += " [stub]" if self.stubbed else ""
        fault += f" [handler raised {self.exception}]" if self.exception else ""
        fault += f" [{self.note}]" if self.note else ""
        return f"{self.method} {redact_url(self.request.target)}{auth}{shown} -> {outcome}{fault}"

    def _trim(self) -> Call:
        """This call with its bodies replaced by their digests and lengths."""
        request, response = self.request, self.response
        trimmed = Trimmed(
            _digest(request.body),
            len(request.body),
            _digest(response.body) if response is not None else None,
            len(response.body) if response is not None else 0,
        )
        return attrs.evolve(
            self,
            request=attrs.evolve(request, body=b""),
            response=attrs.evolve(response, body=b"") if response is not None else None,
            trimmed=trimmed,
        )

    @property
    def size(self) -> int:
        """The bytes of its bodies the journal holds."""
        return len(self.request.body) + (len(self.response.body) if self.response is not None else 0)

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


def json_subset(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` holds ``expected``: a dict's keys recursively (others may be present), any
    other value (lists included) equal."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and json_subset(value, actual[key]) for key, value in expected.items()
        )
    return bool(expected == actual) and isinstance(expected, bool) == isinstance(actual, bool)


def _json_matches(call: Call, expected: Any) -> bool:
    if call.trimmed is not None and call.trimmed.request_length:
        return False
    try:
        body = json.loads(call.request.body)
    except ValueError:
        return False
    return json_subset(expected, body)


def _query_matches(call: Call, query: Mapping[str, Any]) -> bool:
    got = call.request.query
    return all(name in got and got[name] == str(value) for name, value in query.items())


@attrs.frozen
class Criteria:
    """What a filter or an assertion selects calls by (None: any)."""

    method: Optional[str] = None
    path: PathLike = None
    auth: Optional[str] = None
    status: Optional[int] = None
    json: Any = None
    query: Optional[Mapping[str, Any]] = None

    def __attrs_post_init__(self) -> None:
        _check_mode(self.auth)

    def matches(self, call: Call) -> bool:
        if self.method is not None and call.method != self.method.upper():
            return False
        if self.path is not None and not PathPattern(self.path).matches(call.request.path):
            return False
        if self.auth is not None and (call.auth_mode or "none") != self.auth:
            return False
        if self.status is not None and call.status != self.status:
            return False
        if self.query is not None and not _query_matches(call, self.query):
            return False
        return self.json is None or _json_matches(call, self.json)

    def describe(self) -> str:
        """``GET /api/v3/secrets with auth service_token, status 200, …``: never a body value or a credential."""
        target = f"{(self.method or 'ANY').upper()} {PathPattern(self.path) if self.path is not None else '(any path)'}"
        extra = []
        if self.auth:
            extra.append(f"auth {self.auth}")
        if self.status is not None:
            extra.append(f"status {self.status}")
        if self.query is not None:
            extra.append(f"query {redact_url('?' + urlencode({k: str(v) for k, v in self.query.items()}))}")
        if self.json is not None:
            keys = ", ".join(map(str, self.json)) if isinstance(self.json, Mapping) else "a value"
            extra.append(f"a JSON body holding the given {'keys: ' + keys if isinstance(self.json, Mapping) else keys}")
        return target + (" with " + ", ".join(extra) if extra else "")


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
        json: Any = None,
        query: Optional[Mapping[str, Any]] = None,
    ) -> CallList:
        """The calls matching every criterion given: ``method``; ``path`` (exact, ``:param`` template,
        glob or compiled regex); ``auth`` (``"none"`` selects calls without credentials); the response
        ``status``; ``json``, a subset of the request's JSON body (dict keys recursively, other values
        and lists equal); ``query``, a subset of its query parameters (first values, compared as text)."""
        return self.select(Criteria(method, path, auth, status, json, query))

    def select(self, criteria: Criteria) -> CallList:
        """The calls ``criteria`` matches."""
        return CallList(c for c in self._calls if criteria.matches(c))

    def __repr__(self) -> str:
        return f"CallList({len(self)} calls)"


def _listing(calls: Sequence[Call], limit: int = 20) -> list[str]:
    lines = [f"  {c.index}. {c.describe()}" for c in calls[-limit:]]
    if len(calls) > limit:
        lines.insert(0, f"  … {len(calls) - limit} earlier calls not shown")
    return lines or ["  (none)"]


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
        """A failure message: the headline, every call, and the closest calls to what was expected."""
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
        status: Optional[int] = None,
        json: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        times: Optional[int] = None,
    ) -> CallList:
        """At least one matching call (or exactly ``times``); returns the matching calls.

        The criteria are those of :meth:`CallList.filter`. Too few or too many calls fail with a
        message listing every call and the closest ones (never a credential or a body value)."""
        __tracebackhide__ = True
        criteria = Criteria(method, path, auth, status, json, query)
        matching = self.calls.select(criteria)
        if (times is None and matching) or (times is not None and len(matching) == times):
            return matching
        expected = "at least once" if times is None else _times(times)
        headline = f"Expected {criteria.describe()} to be called {expected}, but it was called {_times(len(matching))}."
        raise AssertionError(self.failure(headline, method, path, auth))

    def assert_not_called(
        self,
        method: Optional[str] = None,
        path: PathLike = None,
        *,
        auth: Optional[str] = None,
        status: Optional[int] = None,
        json: Any = None,
        query: Optional[Mapping[str, Any]] = None,
    ) -> None:
        """No matching call (the criteria of :meth:`CallList.filter`); a failure lists the ones made."""
        __tracebackhide__ = True
        criteria = Criteria(method, path, auth, status, json, query)
        matching = self.calls.select(criteria)
        if matching:
            headline = f"Expected {criteria.describe()} not to be called, but it was called {_times(len(matching))}:"
            raise AssertionError("\n".join([headline, *_listing(matching)]))

    def assert_all_calls_used(self, auth: str) -> None:
        """Every call to a route that takes credentials used auth mode ``auth``."""
        __tracebackhide__ = True
        _check_mode(auth)
        others = [c for c in self.calls if c.route_takes_credentials and (c.auth_mode or "none") != auth]
        if others:
            headline = f"Expected every call to use auth {auth}, but {len(others)} did not:"
            raise AssertionError("\n".join([headline, *_listing(others)]))


#: the journal's default bounds: the calls it keeps, and the body bytes of the newest of them
DEFAULT_MAX_CALLS = 10_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


def _check_bounds(max_calls: Optional[int], max_bytes: Optional[int]) -> None:
    for name, value in (("max_calls", max_calls), ("max_bytes", max_bytes)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise UsageError(f"the journal's {name} must be a positive int or None, not {value!r}")


@attrs.frozen
class Expectation:
    """A call the test declared it expects (``expect``); strict mode checks it at teardown."""

    method: Optional[str]
    path: PathLike
    auth: Optional[str]
    times: Optional[int]


class Journal(CallAssertions):
    """Every call, in order. Thread-safe: the live server records from its handler threads.

    The pipeline records; ``unmocked`` holds the requests a transport refused (other hosts).

    It keeps the last ``max_calls`` calls (10,000 by default), and the request and response bodies
    of the newest of them up to ``max_bytes`` in all (64 MiB by default): an older call's bodies are
    replaced by their SHA-256 digest and length (``Call.trimmed``), so that a long-running ``serve``
    or a test moving large answers does not grow without bound. ``None`` lifts a bound.
    ``recorded`` counts every call ever recorded.
    """

    def __init__(
        self, max_calls: Optional[int] = DEFAULT_MAX_CALLS, max_bytes: Optional[int] = DEFAULT_MAX_BYTES
    ) -> None:
        _check_bounds(max_calls, max_bytes)
        self._calls: deque[Call] = deque(maxlen=max_calls)
        self.max_bytes = max_bytes
        #: the calls still holding their bodies, oldest first, and those bodies' bytes
        self._full: deque[Call] = deque()
        self._full_bytes = 0
        self.recorded = 0
        self._lock = threading.Lock()
        #: requests to hosts the fake does not serve, refused by the transport
        self.unmocked: list[Request] = []
        #: calls the test declared it expects (``expect``)
        self.expectations: list[Expectation] = []

    def expect(
        self,
        method: Optional[str] = None,
        path: PathLike = None,
        *,
        auth: Optional[str] = None,
        times: Optional[int] = None,
    ) -> None:
        """Declare a call the test expects; strict mode fails the test at teardown if it was not made."""
        _check_mode(auth)
        with self._lock:
            self.expectations.append(Expectation(method, path, auth, times))

    def record(
        self,
        request: Request,
        response: Optional[Response],
        *,
        handled: bool = True,
        error: Optional[str] = None,
        fault: Optional[str] = None,
        served: Optional[Served] = None,
        stubbed: bool = False,
        exception: Optional[str] = None,
    ) -> Call:
        """Record one call; ``handled`` is False when a fault answered it and the handler never saw
        it — ``served`` is then what the handler says it would have done, if it can tell."""
        if handled:
            served = response.served if response is not None else NOTHING_SERVED
        with self._lock:
            self.recorded += 1
            call = Call(
                index=self.recorded,
                request=request,
                response=response,
                error=error,
                fault=fault,
                served=served,
                handled=handled,
                stubbed=stubbed,
                exception=exception,
            )
            calls = self._calls
            if calls.maxlen is not None and len(calls) == calls.maxlen and self._full and self._full[0] is calls[0]:
                self._full_bytes -= self._full.popleft().size
            calls.append(call)
            size = call.size
            if size:
                self._full.append(call)
                self._full_bytes += size
                if self.max_bytes is not None and self._full_bytes > self.max_bytes:
                    self._trim()
        return call

    def _trim(self) -> None:
        """Drop the bodies of the oldest calls until the rest fit in ``max_bytes`` (under the lock)."""
        assert self.max_bytes is not None
        calls = self._calls
        while self._full and self._full_bytes > self.max_bytes:
            oldest = self._full.popleft()
            self._full_bytes -= oldest.size
            at = oldest.index - calls[0].index
            if 0 <= at < len(calls) and calls[at] is oldest:
                calls[at] = oldest._trim()

    def configure(
        self, *, max_calls: Optional[int] = DEFAULT_MAX_CALLS, max_bytes: Optional[int] = DEFAULT_MAX_BYTES
    ) -> None:
        """Set the journal's bounds (``None`` lifts one): the calls it keeps, and the body bytes it
        keeps before older bodies become a digest and a length. Applies to the calls already kept."""
        _check_bounds(max_calls, max_bytes)
        with self._lock:
            self._calls = deque(self._calls, maxlen=max_calls)
            kept = {id(call) for call in self._calls}
            self._full = deque(call for call in self._full if id(call) in kept)
            self._full_bytes = sum(call.size for call in self._full)
            self.max_bytes = max_bytes
            if max_bytes is not None:
                self._trim()

    def record_unmocked(self, request: Request) -> None:
        """Note a request a transport refused (another host); strict mode reports it."""
        with self._lock:
            self.unmocked.append(request)

    @property
    def calls(self) -> CallList:
        """Every call kept, in order (a snapshot)."""
        with self._lock:
            return CallList(self._calls)

    def clear(self) -> None:
        """Forget every call and unmocked request (the armed expectations stay)."""
        with self._lock:
            self._calls.clear()
            self._full.clear()
            self._full_bytes = 0
            self.unmocked.clear()
            self.recorded = 0
