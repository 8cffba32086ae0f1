"""Transport-neutral HTTP values: ``Request``, ``Response``, ``Headers``, the transport faults, and the routing table.

Nothing here knows about ``requests``, httpx or sockets, and this is the only module of the package a
transport imports besides its own. One request travels like this:

1. a transport (``transports/``) turns its HTTP library's request into a :class:`Request`;
2. it hands it to a :class:`Handler` — in practice the :class:`~pytest_infisical.pipeline.Pipeline`,
   which journals and fault-injects around the real handler (the fake, a canned-answer table …);
3. it turns the :class:`Response` back into its library's response, or a :class:`TransportFault`
   raised by the pipeline into its library's own connection or timeout error.

A handler says what it did (the route, the credential it authenticated) in ``Response.served``, a
:class:`Served` record that is never sent on the wire; the journal records it as is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from http import HTTPStatus
from typing import Any, Generic, Optional, Protocol, TypeVar, Union
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

__all__ = [
    "NOTHING_SERVED",
    "ConnectionFault",
    "Handler",
    "Headers",
    "RawJson",
    "Request",
    "Response",
    "Route",
    "RouteMatch",
    "Router",
    "Served",
    "TimeoutFault",
    "TransportFault",
    "api_path",
    "encode_json",
]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class RawJson(bytes):
    """An already-encoded JSON value; :func:`encode_json` splices it in as is (a per-object cache)."""

    __slots__ = ()


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _needs_walk(values: Iterable[Any]) -> bool:
    return any(isinstance(v, (RawJson, dict, list)) for v in values)


def _encode(obj: Any) -> bytes:
    if type(obj) is RawJson:
        return obj
    if isinstance(obj, dict):
        if not _needs_walk(obj.values()):
            return _dumps(obj).encode("utf-8")
        return b"{" + b",".join(_dumps(str(k)).encode("utf-8") + b":" + _encode(v) for k, v in obj.items()) + b"}"
    if isinstance(obj, list):
        if obj and all(type(v) is RawJson for v in obj):
            return b"[" + b",".join(obj) + b"]"
        if not _needs_walk(obj):
            return _dumps(obj).encode("utf-8")
        return b"[" + b",".join(_encode(v) for v in obj) + b"]"
    return _dumps(obj).encode("utf-8")


def encode_json(payload: Any) -> bytes:
    """Compact JSON (as Express's ``res.json`` sends it), splicing in :class:`RawJson` fragments."""
    return _encode(payload)


class Headers(Mapping[str, str]):
    """An immutable, case-insensitive header mapping that keeps the original names and order.

    A repeated header keeps its first value for ``headers[name]``; ``items()`` lists them all.
    """

    __slots__ = ("_index", "_items")
    _items: tuple[tuple[str, str], ...]
    _index: dict[str, str]

    def __init__(self, items: Union[Iterable[tuple[str, str]], Mapping[str, str], None] = None) -> None:
        pairs = items.items() if isinstance(items, Mapping) else (items or ())
        # per request, several times: a list comprehension, and str() only where needed
        self._items = tuple(
            [(k if k.__class__ is str else str(k), v if v.__class__ is str else str(v)) for k, v in pairs]
        )
        index: dict[str, str] = {}
        for name, value in self._items:
            index.setdefault(name.lower(), value)
        self._index = index

    def __getitem__(self, name: str) -> str:
        return self._index[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        return self._index.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def raw_items(self) -> tuple[tuple[str, str], ...]:
        """Every (name, value) pair as received, repeats included."""
        return self._items

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._index == other._index
        if isinstance(other, Mapping):
            return self._index == {str(k).lower(): v for k, v in other.items()}
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._index.items())))

    def __repr__(self) -> str:
        from .redact import redact

        shown = {k: (redact(v) if k.lower() in ("authorization", "x-api-key") else v) for k, v in self._items}
        return f"Headers({shown!r})"


def _upper(value: str) -> str:
    return value.upper()


def _headers(value: Any) -> Headers:
    return value if isinstance(value, Headers) else Headers(value)


@attrs.frozen(repr=False)
class Request:
    """One HTTP request as the fake sees it.

    ``url`` is the full URL the client used; ``path``, ``target`` (path and query as sent) and
    ``query`` come from it. ``query`` maps each parameter to its first value (``query_items``
    keeps every pair).
    """

    method: str = attrs.field(converter=_upper)
    url: str
    headers: Headers = attrs.field(factory=Headers, converter=_headers)
    body: bytes = b""
    #: the client's read timeout in seconds, when the transport knows it (for simulated delays)
    timeout: Optional[float] = attrs.field(default=None, eq=False)
    #: the client's address, when the transport has one (the live server's peer); None in-process,
    #: where every call comes from one client
    client: Optional[str] = attrs.field(default=None, eq=False)
    path: str = attrs.field(init=False, eq=False)
    target: str = attrs.field(init=False, eq=False)
    query_items: list[tuple[str, str]] = attrs.field(init=False, eq=False)
    query: dict[str, str] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        parts = urlsplit(self.url)
        items = parse_qsl(parts.query, keep_blank_values=True) if parts.query else []
        query: dict[str, str] = {}
        for name, value in items:
            query.setdefault(name, value)
        path = parts.path or "/"
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "target", f"{path}?{parts.query}" if parts.query else path)
        object.__setattr__(self, "query_items", items)
        object.__setattr__(self, "query", query)

    @property
    def base_url(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


@attrs.frozen
class Served:
    """What a handler did with a request, for the journal: never sent to the client.

    ``auth_mode`` and ``credential_id`` name the credential the handler *read* (the one its
    server's header precedence picks), and ``authenticated`` says whether it accepted it. A handler
    that reads no credential (a route that takes none, a canned answer) leaves ``auth_read`` False,
    and the journal then reads what the request carried (see :mod:`pytest_infisical.credential_headers`).
    """

    #: the route template that answered (``GET /api/v3/secrets/:secretName``), if the handler has routes
    route: Optional[str] = None
    #: False when the handler has routes and none answered (strict mode fails the test on it)
    routed: bool = True
    #: whether that route takes credentials at all (login and status do not)
    takes_credentials: bool = True
    #: whether the handler read the request's credentials (then the fields below are its verdict)
    auth_read: bool = False
    auth_mode: Optional[str] = None
    credential_id: Optional[str] = None
    authenticated: bool = False
    #: why the handler refused the credential, when the reason is worth telling the test's author
    #: (an auth mode this server no longer serves, and the profile that does)
    note: Optional[str] = None


#: the metadata of a response whose handler said nothing
NOTHING_SERVED = Served()


#: Node's names for a status (Fastify's, so the ``error`` of Infisical's answers) where Python's
#: differ or change between Python versions (3.13 renamed 413, 414, 416 and 422)
_NODE_PHRASES = {
    413: "Payload Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Entity",
    509: "Bandwidth Limit Exceeded",
}


def reason_phrase(status: int, default: str) -> str:
    """``status``'s name as Infisical's server (Node) names it; ``default`` for one it has no name for."""
    if status in _NODE_PHRASES:
        return _NODE_PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return default


@attrs.frozen(repr=False)
class Response:
    """One HTTP response: status, headers, body bytes; and ``served``, the handler's report (not sent)."""

    status: int
    headers: Headers = attrs.field(factory=Headers, converter=_headers)
    body: bytes = b""
    served: Served = attrs.field(default=NOTHING_SERVED, eq=False)

    def reporting(self, served: Served) -> Response:
        """This response, with the handler's report attached."""
        return Response(self.status, self.headers, self.body, served)

    @classmethod
    def json_body(cls, status: int, payload: Any, headers: Optional[Mapping[str, str]] = None) -> Response:
        return cls.json_bytes(status, encode_json(payload), headers)

    @classmethod
    def json_bytes(cls, status: int, body: bytes, headers: Optional[Mapping[str, str]] = None) -> Response:
        all_headers = {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}
        return cls(status=status, headers=Headers(all_headers), body=body)

    @classmethod
    def text_body(cls, status: int, text: str, headers: Optional[Mapping[str, str]] = None) -> Response:
        all_headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        return cls(status=status, headers=Headers(all_headers), body=text.encode("utf-8"))

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"<Response {self.status} {len(self.body)} bytes>"


class Handler(Protocol):
    """Anything that answers requests: the fake, a cassette player, a recorder."""

    def handle(self, request: Request) -> Response: ...


class TransportFault(Exception):
    """Raised by the pipeline instead of a response; each transport turns it into its HTTP library's own error."""


class ConnectionFault(TransportFault):
    """The connection failed (``requests.ConnectionError``, ``httpx.ConnectError``, a reset socket)."""


class TimeoutFault(TransportFault):
    """The response did not come in time (``requests.ReadTimeout``, ``httpx.ReadTimeout``)."""


# --------------------------------------------------------------------------------------------
# paths

_SLASHES = re.compile(r"/{2,}")


def api_path(path: str) -> str:
    """The API path of a request path, tolerant of how clients build URLs.

    Duplicate slashes collapse (``//api/v3`` from a base URL ending in ``/``), any prefix before
    the first ``/api/`` segment is dropped (a reverse-proxy mount such as ``/infisical/api/…``), and
    a trailing slash is removed.
    """
    path = _SLASHES.sub("/", path)
    if not path.startswith("/api/") and path != "/api":
        at = path.find("/api/")
        if at > 0:
            path = path[at:]
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


# --------------------------------------------------------------------------------------------
# routing table: a segment trie, so a lookup costs one dict access per path segment

H = TypeVar("H")


@attrs.frozen
class Route(Generic[H]):
    method: str
    pattern: str
    handler: H


@attrs.frozen
class RouteMatch(Generic[H]):
    route: Route[H]
    params: dict[str, str]


class _Node(Generic[H]):
    __slots__ = ("children", "param", "param_name", "routes")

    def __init__(self) -> None:
        self.children: dict[str, _Node[H]] = {}
        self.param: Optional[_Node[H]] = None
        self.param_name = ""
        self.routes: dict[str, Route[H]] = {}


class Router(Generic[H]):
    """Method + path pattern (``/api/v3/secrets/:secretName``) → handler, with near-miss lookup."""

    def __init__(self) -> None:
        self._root: _Node[H] = _Node()
        self._routes: list[Route[H]] = []

    @property
    def routes(self) -> list[Route[H]]:
        return list(self._routes)

    def add(self, method: str, pattern: str, handler: H) -> Route[H]:
        node = self._root
        for segment in pattern.strip("/").split("/"):
            if segment.startswith(":"):
                if node.param is None:
                    node.param = _Node()
                    node.param.param_name = segment[1:]
                elif node.param.param_name != segment[1:]:
                    raise ValueError(f"conflicting parameter names at {pattern!r}")
                node = node.param
            else:
                node = node.children.setdefault(segment, _Node())
        method = method.upper()
        if method in node.routes:
            raise ValueError(f"duplicate route {method} {pattern}")
        route = Route(method, pattern, handler)
        node.routes[method] = route
        self._routes.append(route)
        return route

    def _find(self, path: str) -> Optional[tuple[_Node[H], dict[str, str]]]:
        segments = path.strip("/").split("/")
        return self._walk(self._root, segments, 0, {})

    def _walk(
        self, node: _Node[H], segments: list[str], at: int, params: dict[str, str]
    ) -> Optional[tuple[_Node[H], dict[str, str]]]:
        if at == len(segments):
            return (node, params) if node.routes else None
        segment = segments[at]
        child = node.children.get(segment)
        if child is not None:
            found = self._walk(child, segments, at + 1, params)
            if found is not None:
                return found
        if node.param is not None and segment:
            found = self._walk(node.param, segments, at + 1, {**params, node.param.param_name: unquote(segment)})
            if found is not None:
                return found
        return None

    def match(self, method: str, path: str) -> Optional[RouteMatch[H]]:
        found = self._find(path)
        if found is None:
            return None
        node, params = found
        route = node.routes.get(method.upper())
        return RouteMatch(route, params) if route is not None else None

    def methods_for(self, path: str) -> list[str]:
        """The methods that a path does answer (for near-miss reports)."""
        found = self._find(path)
        return sorted(found[0].routes) if found is not None else []
