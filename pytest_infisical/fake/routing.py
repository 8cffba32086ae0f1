"""How the fake's API modules declare routes: method, path, accepted auth modes, parameters.

Each API module (``secrets.py``, ``service_tokens.py`` …) declares its routes on a
:class:`RouteTable` of its own (``@_routes.route(...)``) and publishes them as an immutable tuple,
``ROUTES = _routes.freeze()``; :mod:`~pytest_infisical.fake.api` collects them from one explicit
tuple of modules. There is no global registry. A route function receives a :class:`Call` — the request, the path parameters, the
validated arguments and the authenticated principal — and returns a JSON-ready value (sent with
status 200, as Infisical does for every success) or a :class:`~pytest_infisical.http.Response`.
Errors are raised as :class:`~pytest_infisical.fake.apierror.ApiError`; the profile renders them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qsl

import attrs

from ..credential_headers import API_KEY, MACHINE_IDENTITY, SERVICE_ACCOUNT, SERVICE_TOKEN
from ..http import Request
from . import apierror as E
from .apierror import ApiError

if TYPE_CHECKING:
    from ..credential_headers import Presented
    from .auth import Principal
    from .handler import FakeHandler
    from .profiles import Profile
    from .state import State

__all__ = [
    "API_KEY",
    "JWT",
    "LOGIN_LIMIT",
    "MACHINE_IDENTITY",
    "SECRETS_LIMIT",
    "SERVICE_ACCOUNT",
    "SERVICE_TOKEN",
    "SERVICE_TOKEN_LIMIT",
    "Arg",
    "Call",
    "RouteSpec",
    "RouteTable",
]

# the auth modes a route accepts: the journal's names (credential_headers.AuthMode), plus a user's
# session JWT, which the fake issues none of but routes still declare
JWT = "jwt"

# the rate-limit groups a route may belong to (``RouteTable(rate_limit=...)`` or ``route(..., rate_limit=...)``);
# a profile's ``rate_limits`` says how many requests a window each group's routes allow
#: the secrets routes (every route of the secrets modules)
SECRETS_LIMIT = "secrets"
#: a service token reading its own document
SERVICE_TOKEN_LIMIT = "service_token"
#: logging in (Universal Auth)
LOGIN_LIMIT = "login"

_MISSING = object()
_TYPE_NAMES = {str: "string", bool: "boolean", int: "number", list: "array", dict: "object"}


@attrs.frozen
class Arg:
    """One declared request parameter. ``where`` is ``query``, ``body`` or ``path``."""

    name: str
    where: str = "query"
    type: type = str
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()


@attrs.frozen
class RouteSpec:
    method: str
    path: str
    modes: frozenset[str]
    args: tuple[Arg, ...]
    func: Callable[[Call], Any]
    #: express-validator ran before requireAuth on this route in 2023 (the v3 secrets routes)
    early_validation: bool = False
    #: the digest of the route's own ETag under a strong-ETag profile (``sha256`` for the raw lists)
    etag_digest: str = "sha1"
    #: the era-bound family of routes this one belongs to (``v4`` …): it exists only under the
    #: profiles whose ``route_families`` list it; empty = under every profile
    family: str = ""

    @property
    def template(self) -> str:
        """``"<METHOD> <path>"``, as profiles and reports name a route."""
        return f"{self.method} {self.path}"

    #: the rate-limit group the route counts in (``SECRETS_LIMIT`` …), None: never limited
    rate_limit: Optional[str] = None


class RouteTable:
    """The routes of one API module, declared while it is imported and then frozen into a tuple.

    ``rate_limit`` is the rate-limit group of every route of the table unless a route names its own.
    """

    def __init__(self, rate_limit: Optional[str] = None) -> None:
        self._specs: Optional[list[RouteSpec]] = []
        self.rate_limit = rate_limit

    def route(
        self,
        method: str,
        path: str,
        modes: Sequence[str] = (),
        args: Sequence[Arg] = (),
        early_validation: bool = False,
        etag_digest: str = "sha1",
        family: str = "",
        rate_limit: Optional[str] = None,
    ) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
        """Declare a route function. ``modes`` empty means the route takes no credentials (login, status);
        ``family`` names the era-bound family it belongs to (see :attr:`RouteSpec.family`)."""

        def declare(func: Callable[[Call], Any]) -> Callable[[Call], Any]:
            group = rate_limit or self.rate_limit
            spec = RouteSpec(
                method.upper(), path, frozenset(modes), tuple(args), func, early_validation, etag_digest, family, group
            )
            self._add(spec)
            return func

        return declare

    def session_only(self, method: str, path: str, family: str = "") -> None:
        """Declare a route that only a logged-in user's session (a dashboard JWT) may call.

        The fake issues no user sessions, so every credential it does issue gets the profile's
        "mode not accepted" answer here — exactly what the real server answers an API key, a service
        token, a service account or a machine identity on these routes.
        """
        self._add(
            RouteSpec(
                method.upper(), path, frozenset((JWT,)), (), _needs_session, family=family, rate_limit=self.rate_limit
            )
        )

    def _add(self, spec: RouteSpec) -> None:
        if self._specs is None:
            raise RuntimeError(f"route {spec.method} {spec.path} declared after its module's ROUTES were frozen")
        self._specs.append(spec)

    def freeze(self) -> tuple[RouteSpec, ...]:
        """The declared routes, as the module's immutable ``ROUTES``; no route can be added after."""
        specs, self._specs = tuple(self._specs or ()), None
        return specs


class Call:
    """Everything a handler needs about one request."""

    __slots__ = (
        "_body",
        "args",
        "fake",
        "limit_headers",
        "params",
        "presented",
        "principal",
        "raw_path",
        "request",
        "retired",
    )

    def __init__(self, fake: FakeHandler, request: Request, params: dict[str, str], raw_path: str) -> None:
        self.fake = fake
        self.request = request
        self.params = params
        self.raw_path = raw_path
        self.args: dict[str, Any] = {}
        #: the credential the request presents, once authentication read it
        self.presented: Optional[Presented] = None
        #: who made the request, once authentication verified it
        self.principal: Optional[Principal] = None
        #: the retired auth mode the request was refused for, if it was
        self.retired: Optional[str] = None
        #: the server's rate-limit headers for this request's answer, once its route counted it
        self.limit_headers: dict[str, str] = {}
        self._body: Any = _MISSING

    @property
    def state(self) -> State:
        return self.fake.state

    @property
    def profile(self) -> Profile:
        return self.fake.profile

    @property
    def body(self) -> dict[str, Any]:
        """The request body as a dict: JSON, or form-encoded; ``{}`` when empty."""
        if self._body is _MISSING:
            self._body = parse_body(self.request)
        return self._body  # type: ignore[no-any-return]

    def validate(self, spec: RouteSpec) -> None:
        issues: list[dict[str, Any]] = []
        values: dict[str, Any] = {}
        query = self.request.query if any(a.where == "query" for a in spec.args) else {}
        for arg in spec.args:
            source: Any = self.params if arg.where == "path" else query if arg.where == "query" else self.body
            raw = source.get(arg.name, _MISSING)
            if raw is _MISSING or raw is None:
                if arg.required:
                    issues.append(required_issue(arg, "undefined" if raw is _MISSING else "null"))
                values[arg.name] = arg.default
                continue
            value, problem = _coerce(raw, arg)
            if problem is not None:
                issues.append(problem)
                continue
            values[arg.name] = value
        if issues:
            raise ApiError(E.VALIDATION, issues=issues)
        self.args = values


def parse_body(request: Request) -> dict[str, Any]:
    if not request.body or not request.body.strip():
        return {}
    content_type = request.headers.get("content-type", "").strip().lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        parsed = json.loads(request.body)
        if b"\\u" in request.body:  # a lone surrogate escape parses, but no UTF-8 text holds it
            json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as error:  # RecursionError: nested past Python's recursion limit
        raise ApiError(E.BAD_JSON, detail=_json_parse_message(error)) from None
    if not isinstance(parsed, dict):
        raise ApiError(E.VALIDATION, issues=[_issue([], "object", parsed)])
    return parsed


def _json_parse_message(error: BaseException) -> str:
    """What JavaScript's ``JSON.parse`` says of the body (the message a Node server passes on)."""
    if not isinstance(error, json.JSONDecodeError):
        return "Unexpected token in JSON"
    if error.pos >= len(error.doc.rstrip()):
        return "Unexpected end of JSON input"
    return f"Unexpected token {error.doc[error.pos]} in JSON at position {error.pos}"


def required_issue(arg: Arg, received: str = "undefined") -> dict[str, Any]:
    """The validation issue of a required parameter the request left out (or sent as null)."""
    return {
        "code": "invalid_type",
        "expected": _TYPE_NAMES.get(arg.type, "string"),
        "received": received,
        "path": [arg.name],
        "message": "Required",
    }


def _issue(path: list[str], expected: str, raw: Any) -> dict[str, Any]:
    received = {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(raw), "null" if raw is None else "unknown"
    )
    return {
        "code": "invalid_type",
        "expected": expected,
        "received": received,
        "path": path,
        "message": f"Expected {expected}, received {received}",
    }


def _coerce(raw: Any, arg: Arg) -> tuple[Any, Optional[dict[str, Any]]]:
    expected = _TYPE_NAMES.get(arg.type, "string")
    value = raw
    if arg.type is bool:
        if isinstance(raw, str) and raw in ("true", "false"):
            value = raw == "true"
        elif not isinstance(raw, bool):
            return None, _issue([arg.name], expected, raw)
    elif arg.type is int:
        if isinstance(raw, str):
            try:
                value = int(raw)
            except ValueError:
                return None, _issue([arg.name], expected, raw)
        elif isinstance(raw, bool) or not isinstance(raw, (int, float)):
            return None, _issue([arg.name], expected, raw)
    elif not isinstance(raw, arg.type):
        return None, _issue([arg.name], expected, raw)
    if arg.choices and value not in arg.choices:
        options = " | ".join(f"'{c}'" for c in arg.choices)
        return None, {
            "code": "invalid_enum_value",
            "options": list(arg.choices),
            "received": value,
            "path": [arg.name],
            "message": f"Invalid enum value. Expected {options}, received '{value}'",
        }
    return value, None


def _needs_session(call: Call) -> Any:  # pragma: no cover - unreachable: the fake issues no user sessions
    raise ApiError(E.INTERNAL)
