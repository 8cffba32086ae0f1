"""The admin API of ``python -m pytest_infisical serve``: the ``infisical`` fixture over HTTP.

A Node, Go or shell test suite talks to ``serve`` as its client does, and to ``/_fake/…`` as a
Python test talks to the ``infisical`` fixture: reset, seed, read the journal, arm faults, move
the clock. :class:`AdminApi` is a handler that wraps the fake: it answers ``/_fake/…`` itself
and hands every other request to the fake, so admin traffic is never journaled and never meets
a fault or the rate limit. It uses only the fake's public Python API.

Every admin call needs ``Authorization: Bearer <admin_token>`` (the page, ``GET /_fake/``, also
takes ``?token=`` or its cookie); anything else gets 401. Bad input gets a 400 whose message
says what is wrong; values are never echoed back in an error.

:class:`Baseline` is what ``POST /_fake/reset`` returns to: the seed built again with the same
project ids, and the credentials ``serve`` printed registered again with the same values.
"""

from __future__ import annotations

import hmac
import html
import json
import math
import secrets as _secrets
import threading
from collections.abc import Mapping, Sequence
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Callable, Optional, Union
from urllib.parse import unquote

import attrs

from .credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from .errors import AdminRequestError, CredentialFormatError
from .http import Request, Response
from .redact import fingerprint, redact
from .seed import build_seeded

if TYPE_CHECKING:
    from .fake import FakeInfisical
    from .fake.state import Project
    from .journal import Call

__all__ = ["ADMIN_PREFIX", "AdminApi", "Baseline", "credential_json"]

#: the path prefix of the admin API; no Infisical route starts with it
ADMIN_PREFIX = "/_fake"
#: the cookie the page sets, so that a reload needs no ``?token=``
COOKIE = "pytest_infisical_admin"

Credential = Union[ApiKey, ServiceToken, ServiceAccount, MachineIdentity]
KINDS = ("api_key", "service_token", "service_account", "machine_identity")
_METHODS = {
    "api_key": "create_api_key",
    "service_token": "create_service_token",
    "service_account": "create_service_account",
    "machine_identity": "create_machine_identity",
}
_SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def credential_json(credential: Credential) -> tuple[str, Any]:
    """(kind, value) as ``serve``'s startup line shows a credential: ``("service_token", "st.….….…")``."""
    if isinstance(credential, ApiKey):
        return "api_key", credential.value
    if isinstance(credential, ServiceToken):
        return "service_token", credential.token
    if isinstance(credential, ServiceAccount):
        keys = {"access_key": credential.access_key, "public_key": credential.public_key}
        return "service_account", {**keys, "private_key": credential.private_key}
    return "machine_identity", {"client_id": credential.client_id, "client_secret": credential.client_secret}


def _credential_id(credential: Credential) -> Optional[str]:
    return credential.identity_id if isinstance(credential, MachineIdentity) else credential.id


@attrs.define
class Issued:
    """A credential the admin layer knows: how it was made (to make it again), and whether it was revoked."""

    kind: str
    kwargs: dict[str, Any]
    credential: Credential
    project_id: Optional[str]
    seeded: bool
    revoked: bool = False

    def describe(self) -> dict[str, Any]:
        """What the page and ``GET /_fake/credentials`` show: everything but the secret parts."""
        shown = {k: v for k, v in self.kwargs.items() if k != "project"}
        return {
            "type": self.kind,
            "id": _credential_id(self.credential),
            "credential": str(self.credential),
            "project_id": self.project_id,
            "seeded": self.seeded,
            "revoked": self.revoked,
            **shown,
        }


class Baseline:
    """The seeded state ``serve`` started with, and how to build it again.

    It builds the fake from the seed data, and offers the four ``create_*`` credential methods of
    the fake: what they issue is registered again, with the same values, in every rebuilt fake.
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        profile: str = "latest",
        source: Optional[str] = None,
        *,
        sleep: Optional[Callable[[float], None]] = None,
        rate_limits: bool = True,
    ) -> None:
        self.data, self.profile, self.source = data, profile, source
        #: how a delay fault passes in every fake built from this baseline (the live server sleeps)
        self.sleep = sleep
        #: False: every fake built from this baseline has the profile's own rate limits off
        self.rate_limits = rate_limits
        self.fake, self.projects = build_seeded(data, profile, source, sleep=sleep, rate_limits=rate_limits)
        self.issued: list[Issued] = []
        self._url: Optional[str] = None

    @property
    def project(self) -> Project:
        return self.fake.project

    def serve_at(self, url: str) -> None:
        """The URL the fakes built from now on (on reset) are served at."""
        self._url = url

    def _issue(self, kind: str, kwargs: dict[str, Any]) -> Any:
        credential = getattr(self.fake, _METHODS[kind])(**kwargs)
        project_id = None if kind == "api_key" else self.fake.project.id
        self.issued.append(Issued(kind, kwargs, credential, project_id, seeded=True))
        return credential

    def create_api_key(self, **kwargs: Any) -> ApiKey:
        return self._issue("api_key", kwargs)  # type: ignore[no-any-return]

    def create_service_token(self, **kwargs: Any) -> ServiceToken:
        return self._issue("service_token", kwargs)  # type: ignore[no-any-return]

    def create_service_account(self, **kwargs: Any) -> ServiceAccount:
        return self._issue("service_account", kwargs)  # type: ignore[no-any-return]

    def create_machine_identity(self, **kwargs: Any) -> MachineIdentity:
        return self._issue("machine_identity", kwargs)  # type: ignore[no-any-return]

    def rebuild(self) -> tuple[FakeInfisical, list[Project]]:
        """A fresh fake: the seed's projects (same ids) and secrets, the issued credentials (same values)."""
        fake, projects = build_seeded(
            self.data,
            self.profile,
            self.source,
            [p.id for p in self.projects],
            url=self._url,
            sleep=self.sleep,
            rate_limits=self.rate_limits,
        )
        for issued in self.issued:
            getattr(fake, _METHODS[issued.kind])(**issued.kwargs, credential=issued.credential)
        return fake, projects


# ---- reading admin input ---------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class _Args:
    """The fields of one admin call (a JSON object, or the query string), read with type checks.

    Every message names the call and the field, and the type it got, never the value."""

    def __init__(self, what: str, data: Mapping[str, Any]) -> None:
        self.what, self.data = what, data
        self.used: set[str] = set()

    def _get(self, key: str, required: bool) -> Any:
        self.used.add(key)
        value = self.data.get(key)
        if value is None and required:
            raise AdminRequestError(f"{self.what}: {key!r} is required")
        return value

    def _fail(self, key: str, expected: str, value: Any) -> AdminRequestError:
        return AdminRequestError(f"{self.what}: {key!r} must be {expected}, got {_json_type(value)}")

    def text(self, key: str, default: Optional[str] = None, required: bool = False) -> Optional[str]:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str) or not value:
            raise self._fail(key, "a non-empty string", value)
        return value

    def number(self, key: str, required: bool = False) -> Optional[float]:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(self.data, _Query) and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise self._fail(key, "a number", value) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self._fail(key, "a finite number", value)
        return float(value)

    def integer(self, key: str, default: Optional[int] = None, required: bool = False) -> Optional[int]:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(self.data, _Query) and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise AdminRequestError(f"{self.what}: {key!r} must be an integer, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer", value)
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def strings(self, key: str) -> Optional[list[str]]:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self._fail(key, "a list of non-empty strings", value)
        return value

    def raw(self, key: str, required: bool = False) -> Any:
        return self._get(key, required)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise AdminRequestError(
                f"{self.what}: unknown field(s) {', '.join(map(repr, unknown))}; it takes {', '.join(sorted(self.used))}"
            )


class _Query(dict):  # type: ignore[type-arg]
    """Query parameters: strings, converted by :class:`_Args` on request."""


def _body(request: Request, what: str) -> _Args:
    if not request.body.strip():
        return _Args(what, {})
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise AdminRequestError(f"{what}: the body is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise AdminRequestError(f"{what}: the body must be a JSON object, got {_json_type(data)}")
    return _Args(what, data)


def _query(request: Request, what: str) -> _Args:
    return _Args(what, _Query(request.query))


def _pairs(args: _Args, key: str, names: Sequence[str], kinds: Sequence[type]) -> Optional[list[tuple[Any, ...]]]:
    """A list of tuples, each given as a list (``["dev", "/"]``) or an object (``{"environment": "dev", …}``)."""
    value = args.raw(key)
    if value is None:
        return None
    form = "[" + ", ".join(names) + "]"
    if not isinstance(value, list):
        raise args._fail(key, f"a list of {form}", value)
    out = []
    for index, item in enumerate(value):
        fields = [item.get(n) for n in names] if isinstance(item, dict) else item
        if (
            not isinstance(fields, list)
            or len(fields) != len(names)
            or (isinstance(item, dict) and set(item) - set(names))
            or not all(isinstance(f, k) for f, k in zip(fields, kinds))
        ):
            raise AdminRequestError(f"{args.what}: {key}[{index}] must be {form}")
        out.append(tuple(fields))
    return out


# ---- responses ----------------------------------------------------------------------------------


def _json(status: int, payload: Any, headers: Optional[Mapping[str, str]] = None) -> Response:
    return Response.json_body(status, payload, {**_SECURITY_HEADERS, **(headers or {})})


def _error(status: int, message: str, headers: Optional[Mapping[str, str]] = None) -> Response:
    names = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}
    return _json(status, {"statusCode": status, "error": names[status], "message": message}, headers)


def _redacted_headers(call: Call) -> dict[str, str]:
    sensitive = ("authorization", "x-api-key", "cookie")
    return {k: (redact(v) if k.lower() in sensitive else v) for k, v in call.request.headers.raw_items()}


def call_json(call: Call) -> dict[str, Any]:
    """One journal call as the admin API shows it; the credential redacted as ``call.credential`` is."""
    try:
        body: Any = call.json()
    except ValueError:
        body = call.request.body.decode("utf-8", errors="replace")
    return {
        "index": call.index,
        "method": call.method,
        "path": call.path,
        "target": call.request.target,
        "query": call.request.query,
        "route": call.route,
        "auth": call.auth_mode,
        "credential_id": call.credential_id,
        "credential": call.credential,
        "status": call.status,
        "error": call.error,
        "fault": call.fault,
        "note": call.note,
        "headers": _redacted_headers(call),
        "body": body,
    }


def _page_template() -> str:
    from importlib.resources import files

    return (files(__package__) / "admin_page.html").read_text(encoding="utf-8")


# ---- the admin API ------------------------------------------------------------------------------

Route = Callable[["AdminApi", "FakeInfisical", Request], Response]
_ROUTES: dict[tuple[str, str], Route] = {}


def _route(method: str, path: str) -> Callable[[Route], Route]:
    def register(func: Route) -> Route:
        _ROUTES[(method, path)] = func
        return func

    return register


class AdminApi:
    """A handler: ``/_fake/…`` is the admin API and its page; every other request goes to the fake."""

    def __init__(self, baseline: Baseline, token: Optional[str] = None) -> None:
        self.baseline = baseline
        #: the bearer token every admin call needs (random unless given)
        self.token = token or _secrets.token_urlsafe(32)
        self._lock = threading.Lock()
        self._fake = baseline.fake
        self._projects = {p.id: p for p in baseline.projects}
        self._created: list[Issued] = []  # credentials made through the admin API since the last reset

    @property
    def fake(self) -> FakeInfisical:
        """The fake being served now (``POST /_fake/reset`` replaces it)."""
        return self._fake

    def handle(self, request: Request) -> Response:
        path = request.path
        if path != ADMIN_PREFIX and not path.startswith(ADMIN_PREFIX + "/"):
            return self._fake.handle(request)
        sub = path[len(ADMIN_PREFIX) :] or "/"
        if sub == "/":
            return self._page(request)
        if not self._authorized(request):
            return _error(
                401,
                "admin calls need the header 'Authorization: Bearer <admin_token>' "
                "(admin_token is in the JSON line serve printed at startup)",
                {"WWW-Authenticate": 'Bearer realm="pytest-infisical admin"'},
            )
        route = sub.rstrip("/")
        if route.startswith("/secrets/"):
            route = "/secrets/:name"
        func = _ROUTES.get((request.method, route))
        if func is None:
            allowed = sorted(m for m, p in _ROUTES if p == route)
            if allowed:
                return _error(
                    405,
                    f"{request.method} {ADMIN_PREFIX}{route} is not an admin call; use {', '.join(allowed)}",
                    {"Allow": ", ".join(allowed)},
                )
            calls = ", ".join(f"{m} {ADMIN_PREFIX}{p}" for m, p in sorted(_ROUTES, key=lambda r: (r[1], r[0])))
            return _error(404, f"no admin call {request.method} {path}; the admin API has {calls}")
        try:
            return func(self, self._fake, request)
        except AdminRequestError as error:
            return _error(400, str(error))
        except LookupError as error:
            return _error(404, str(error.args[0]) if error.args else str(error))
        except (ValueError, TypeError, CredentialFormatError) as error:
            # the fake's own checks (unknown environment, bad fault, bad role …): the Python API's message
            return _error(400, str(error))

    # ---- authorization ----

    def _matches(self, given: Optional[str]) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def _authorized(self, request: Request) -> bool:
        scheme, _, value = (request.headers.get("authorization") or "").strip().partition(" ")
        return scheme.lower() == "bearer" and self._matches(value.strip())

    def _cookie(self, request: Request) -> Optional[str]:
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(request.headers.get("cookie") or "")
        except Exception:  # a malformed Cookie header is no cookie
            return None
        morsel = cookie.get(COOKIE)
        return morsel.value if morsel is not None else None

    def _page(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _error(405, f"{request.method} {ADMIN_PREFIX}/ is not an admin call; use GET", {"Allow": "GET"})
        if not (self._matches(request.query.get("token")) or self._matches(self._cookie(request))):
            return Response(
                401,
                {"Content-Type": "text/plain; charset=utf-8", **_SECURITY_HEADERS},
                b"pytest-infisical admin page: open it as /_fake/?token=<admin_token> "
                b"(admin_token is in the JSON line serve printed at startup)\n",
            )
        nonce = _secrets.token_urlsafe(18)
        page = _page_template().replace("{{NONCE}}", nonce).replace("{{TOKEN}}", html.escape(self.token, quote=True))
        csp = (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
        return Response.text_body(
            200,
            page,
            {
                **_SECURITY_HEADERS,
                "Content-Security-Policy": csp,
                "X-Frame-Options": "DENY",
                "Set-Cookie": f"{COOKIE}={self.token}; Path={ADMIN_PREFIX}; HttpOnly; SameSite=Strict",
            },
        )

    # ---- helpers ----

    @property
    def issued(self) -> list[Issued]:
        """The credentials the admin layer knows: serve's startup ones, then those made since the last reset."""
        return [*self.baseline.issued, *self._created]

    def _project(self, args: _Args) -> Project:
        project_id = args.text("project")
        if project_id is None:
            return self._fake.project
        project = self._projects.get(project_id)
        if project is None:
            known = ", ".join(f"{p.id} ({p.name})" for p in self._projects.values())
            raise AdminRequestError(f"{args.what}: unknown project {project_id!r}; the fake has {known}")
        return project

    def _project_json(self, fake: FakeInfisical, project: Project) -> dict[str, Any]:
        environments = []
        for slug in project.environments:
            folders = []
            for (env, path), folder in sorted(project.folders.items()):
                if env != slug:
                    continue
                plain = fake.secrets(env, path, project)
                folders.append(
                    {
                        "path": path,
                        "id": folder.id,
                        "secrets": {name: fingerprint(value) for name, value in plain.items()},
                        "imports": [f"{i.environment}:{i.path}" for i in folder.imports],
                    }
                )
            environments.append({"slug": slug, "folders": folders})
        return {"id": project.id, "name": project.name, "e2ee": project.e2ee, "environments": environments}

    @_route("DELETE", "/secrets/:name")
    def _delete_secret(self, fake: FakeInfisical, request: Request) -> Response:
        name = unquote(request.path.rstrip("/").rpartition("/")[2])
        args = _query(request, f"DELETE {ADMIN_PREFIX}/secrets/:name")
        project = self._project(args)
        environment, path = args.text("environment", "dev"), args.text("path", "/")
        args.done()
        assert environment is not None and path is not None
        fake.delete_secret(name, environment, path, project)
        return _json(200, {"deleted": name, "project": project.id, "environment": environment, "path": path})

    # ---- routes ----

    @_route("POST", "/reset")
    def _reset(self, fake: FakeInfisical, request: Request) -> Response:
        _body(request, f"POST {ADMIN_PREFIX}/reset").done()
        with self._lock:
            new, projects = self.baseline.rebuild()
            self._projects = {p.id: p for p in projects}
            self._created = []
            for issued in self.baseline.issued:
                issued.revoked = False
            self._fake = new
        return _json(200, {"reset": True, "projects": [p.id for p in projects]})

    @_route("GET", "/calls")
    def _calls(self, fake: FakeInfisical, request: Request) -> Response:
        args = _query(request, f"GET {ADMIN_PREFIX}/calls")
        method, path, auth = args.text("method"), args.text("path"), args.text("auth")
        status, limit, since = args.integer("status"), args.integer("limit"), args.integer("since", 0)
        args.done()
        calls = [c for c in fake.calls.filter(method, path, auth=auth, status=status) if c.index > (since or 0)]
        if limit is not None:
            if limit < 1:
                raise AdminRequestError(f"GET {ADMIN_PREFIX}/calls: 'limit' must be at least 1, got {limit}")
            calls = calls[-limit:]
        return _json(200, {"calls": [call_json(c) for c in calls]})

    @_route("DELETE", "/calls")
    def _clear_calls(self, fake: FakeInfisical, request: Request) -> Response:
        fake.journal.clear()
        return _json(200, {"calls": []})

    @_route("GET", "/unrouted")
    def _unrouted(self, fake: FakeInfisical, request: Request) -> Response:
        unrouted = [
            {**call_json(c), "hints": fake.closest_routes(c.method, c.request.path)}
            for c in fake.calls
            if c.route is None
        ]
        return _json(200, {"calls": unrouted})

    @_route("GET", "/projects")
    def _list_projects(self, fake: FakeInfisical, request: Request) -> Response:
        with fake.lock:
            return _json(200, {"projects": [self._project_json(fake, p) for p in self._projects.values()]})

    @_route("POST", "/projects")
    def _create_project(self, fake: FakeInfisical, request: Request) -> Response:
        args = _body(request, f"POST {ADMIN_PREFIX}/projects")
        name = args.text("name", required=True)
        e2ee = args.boolean("e2ee", False)
        environments = args.strings("environments") or ["dev", "staging", "prod"]
        args.done()
        assert name is not None
        project = fake.create_project(name, e2ee=e2ee, environments=environments)
        with self._lock:
            self._projects[project.id] = project
        return _json(
            200, {"id": project.id, "name": project.name, "e2ee": project.e2ee, "environments": project.environments}
        )

    @_route("POST", "/folders")
    def _create_folder(self, fake: FakeInfisical, request: Request) -> Response:
        args = _body(request, f"POST {ADMIN_PREFIX}/folders")
        project = self._project(args)
        environment, path = args.text("environment", "dev"), args.text("path", required=True)
        args.done()
        assert environment is not None and path is not None
        folder = fake.create_folder(path, environment, project)
        return _json(200, {"id": folder.id, "project": project.id, "environment": environment, "path": folder.path})

    @_route("POST", "/imports")
    def _add_import(self, fake: FakeInfisical, request: Request) -> Response:
        args = _body(request, f"POST {ADMIN_PREFIX}/imports")
        project = self._project(args)
        environment, path = args.text("environment", "dev"), args.text("path", "/")
        source_environment = args.text("source_environment", required=True)
        source_path = args.text("source_path", "/")
        args.done()
        assert environment and path and source_environment and source_path
        fake.add_import(source_environment, source_path, environment=environment, path=path, project=project)
        return _json(
            200,
            {
                "project": project.id,
                "environment": environment,
                "path": path,
                "source_environment": source_environment,
                "source_path": source_path,
            },
        )

    @_route("GET", "/secrets")
    def _get_secrets(self, fake: FakeInfisical, request: Request) -> Response:
        args = _query(request, f"GET {ADMIN_PREFIX}/secrets")
        project = self._project(args)
        environment, path = args.text("environment", "dev"), args.text("path", "/")
        args.done()
        assert environment is not None and path is not None
        plain = fake.secrets(environment, path, project)
        return _json(200, {"project": project.id, "environment": environment, "path": path, "secrets": plain})

    @_route("PUT", "/secrets")
    def _put_secrets(self, fake: FakeInfisical, request: Request) -> Response:
        what = f"PUT {ADMIN_PREFIX}/secrets"
        args = _body(request, what)
        project = self._project(args)
        environment, path = args.text("environment", "dev"), args.text("path", "/")
        given = args.raw("secrets", required=True)
        args.done()
        assert environment is not None and path is not None
        if not isinstance(given, dict):
            raise AdminRequestError(f"{what}: 'secrets' must be an object of name → value, got {_json_type(given)}")
        for name, value in given.items():
            if not name:
                raise AdminRequestError(f"{what}: a secret name must be a non-empty string")
            if not isinstance(value, str):
                raise AdminRequestError(f"{what}: secrets[{name!r}] must be a string, got {_json_type(value)}")
        fake.secrets(environment, "/", project)  # the environment exists, before anything is written
        with fake.lock:
            for name, value in given.items():
                fake.set_secret(name, value, environment, path, project=project)
            versions = {name: fake.secret(name, environment, path, project).version for name in given}
        return _json(200, {"project": project.id, "environment": environment, "path": path, "versions": versions})

    @_route("GET", "/credentials")
    def _list_credentials(self, fake: FakeInfisical, request: Request) -> Response:
        return _json(200, {"credentials": [i.describe() for i in self.issued]})

    @_route("POST", "/credentials")
    def _create_credential(self, fake: FakeInfisical, request: Request) -> Response:
        what = f"POST {ADMIN_PREFIX}/credentials"
        args = _body(request, what)
        kind = args.text("type", required=True)
        if kind not in KINDS:
            raise AdminRequestError(f"{what}: 'type' must be one of {', '.join(KINDS)}")
        kwargs: dict[str, Any] = {}
        name = args.text("name")
        if name is not None:
            kwargs["name"] = name
        project: Optional[Project] = None
        if kind != "api_key":
            project = self._project(args)
            kwargs["project"] = project
        if kind in ("api_key", "service_token", "service_account"):
            expires_in = args.number("expires_in")
            if expires_in is not None:
                kwargs["expires_in"] = expires_in
        if kind == "service_token":
            scopes = _pairs(args, "scopes", ("environment", "path"), (str, str))
            permissions = args.strings("permissions")
            if scopes is not None:
                kwargs["scopes"] = scopes
            if permissions is not None:
                kwargs["permissions"] = tuple(permissions)
        elif kind == "service_account":
            grants = _pairs(args, "permissions", ("environment", "read", "write"), (str, bool, bool))
            if grants is not None:
                kwargs["permissions"] = grants
        elif kind == "machine_identity":
            role = args.text("role")
            if role is not None:
                kwargs["role"] = role
            for key in ("access_token_ttl", "access_token_max_ttl"):
                ttl = args.integer(key)
                if ttl is not None:
                    kwargs[key] = ttl
        args.done()
        credential = getattr(fake, _METHODS[kind])(**kwargs)
        project_id = (project or fake.project).id if kind != "api_key" else None
        issued = Issued(kind, kwargs, credential, project_id, seeded=False)
        with self._lock:
            self._created.append(issued)
        key, value = credential_json(credential)
        return _json(200, {key: value, "id": _credential_id(credential)})

    @_route("POST", "/revoke")
    def _revoke(self, fake: FakeInfisical, request: Request) -> Response:
        what = f"POST {ADMIN_PREFIX}/revoke"
        args = _body(request, what)
        given = [k for k in KINDS if args.raw(k) is not None]
        args.done()
        if len(given) != 1:
            raise AdminRequestError(
                f"{what}: give exactly one of {', '.join(KINDS)}, as serve's startup line or "
                f"POST {ADMIN_PREFIX}/credentials shows it"
            )
        kind = given[0]
        parsed = _parse_credential(what, kind, args.raw(kind))
        issued = next((i for i in self.issued if i.kind == kind and _same(i.credential, parsed)), None)
        credential = issued.credential if issued is not None else parsed
        fake.revoke(credential)
        if issued is not None:
            issued.revoked = True
        return _json(200, {"revoked": str(credential), "id": _credential_id(credential)})

    @_route("GET", "/faults")
    def _list_faults(self, fake: FakeInfisical, request: Request) -> Response:
        pending = [{"fault": f.describe(), "remaining": f.remaining, "hits": f.hits} for f in fake.faults.pending]
        return _json(200, {"faults": pending})

    @_route("POST", "/faults")
    def _arm_fault(self, fake: FakeInfisical, request: Request) -> Response:
        args = _body(request, f"POST {ADMIN_PREFIX}/faults")
        method, path = args.text("method"), args.text("path")
        status = args.integer("status")
        sequence = args.raw("sequence")
        if sequence is not None and not isinstance(sequence, list):
            raise args._fail("sequence", "a list of status codes and error names", sequence)
        error, body = args.text("error"), args.text("body")
        delay, retry_after = args.number("delay"), args.number("retry_after")
        times = args.integer("times", 1)
        query = args.raw("query")
        if query is not None and (not isinstance(query, dict) or not all(isinstance(v, str) for v in query.values())):
            raise args._fail("query", "an object of parameter → string value", query)
        args.done()
        when = (lambda r: all(r.query.get(k) == v for k, v in query.items())) if query else None
        assert times is not None
        fault = fake.fail_next(
            method,
            path,
            when=when,
            status=status,
            sequence=sequence,
            error=error,
            body=body,
            delay=delay,
            retry_after=retry_after,
            times=times,
        )
        return _json(200, {"fault": fault.describe(), "remaining": fault.remaining})

    @_route("DELETE", "/faults")
    def _clear_faults(self, fake: FakeInfisical, request: Request) -> Response:
        fake.faults.clear()
        return _json(200, {"faults": []})

    @_route("POST", "/rate-limit")
    def _rate_limit(self, fake: FakeInfisical, request: Request) -> Response:
        args = _body(request, f"POST {ADMIN_PREFIX}/rate-limit")
        limit, window, retry_after = args.integer("limit", 350), args.number("window"), args.number("retry_after")
        args.done()
        assert limit is not None
        fake.rate_limit(limit, 60 if window is None else window, retry_after=retry_after)
        return _json(200, {"limit": limit, "window": 60 if window is None else window})

    @_route("DELETE", "/rate-limit")
    def _clear_rate_limits(self, fake: FakeInfisical, request: Request) -> Response:
        fake.clear_rate_limits()
        return _json(200, {"rate_limits": False})

    @_route("POST", "/clock/advance")
    def _advance(self, fake: FakeInfisical, request: Request) -> Response:
        args = _body(request, f"POST {ADMIN_PREFIX}/clock/advance")
        seconds = args.number("seconds", required=True)
        args.done()
        assert seconds is not None
        fake.clock.advance(seconds)
        return _json(200, {"now": fake.clock.now().isoformat()})


def _same(one: Credential, other: Credential) -> bool:
    if isinstance(one, MachineIdentity) and isinstance(other, MachineIdentity):
        return one.client_id == other.client_id
    return _credential_id(one) == _credential_id(other)


def _parse_credential(what: str, kind: str, value: Any) -> Credential:
    """A credential the admin API did not issue, as the startup line shows one (to revoke it)."""
    if kind in ("api_key", "service_token"):
        if not isinstance(value, str):
            raise AdminRequestError(f"{what}: {kind!r} must be a string, got {_json_type(value)}")
        return ApiKey.parse(value) if kind == "api_key" else ServiceToken.parse(value)
    if not isinstance(value, dict):
        raise AdminRequestError(f"{what}: {kind!r} must be an object, got {_json_type(value)}")
    if kind == "service_account":
        access_key = value.get("access_key")
        if not isinstance(access_key, str):
            raise AdminRequestError(f"{what}: service_account.access_key must be a string")
        from .crypto import generate_key_pair

        # revoking needs only the access key's id: a throwaway key pair makes the value well formed
        pair = generate_key_pair()
        return ServiceAccount(access_key=access_key, public_key=pair.public_key, private_key=pair.private_key)
    client_id = value.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise AdminRequestError(f"{what}: machine_identity.client_id must be a non-empty string")
    return MachineIdentity(client_id=client_id, client_secret="unused-to-revoke")
