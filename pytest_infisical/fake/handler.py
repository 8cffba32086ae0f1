"""``FakeHandler``: the fake Infisical's answer to one request — routing, authentication, validation, the route.

``handle(Request) -> Response`` normalizes the path, finds the route, authenticates the caller
(per the profile's header precedence and check order), validates the arguments, runs the route's
function, and renders any ``ApiError`` through the server profile. It reports what it did in
``Response.served`` (:class:`~pytest_infisical.http.Served`): the route template, whether the
route takes credentials, and the credential it read — its auth mode and id, and whether it
accepted it.

A profile's own rate limits (``Profile.rate_limits``) are the server's behaviour, so they are
counted here, where the server counted them: once the caller is authenticated (a request refused
during authentication is neither counted nor given the headers), per route and client address, on
the fake's clock, with the same :class:`~pytest_infisical.faults.RateLimiter` that
``rate_limit()`` installs. Faults, the rate limit a test arms and the journal are not its
business: the :class:`~pytest_infisical.pipeline.Pipeline` in front of it does those for any handler.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import threading
from typing import Optional

from ..credential_headers import auth_mode, credential_id, read_credentials
from ..faults import RateLimiter, with_headers
from ..http import Request, Response, RouteMatch, Served, api_path, encode_json
from . import apierror as E
from .api import router
from .apierror import ApiError
from .auth import authenticate, refuse_retired_api_key, retired_note
from .profiles import Profile, rate_limited
from .routing import Call, RouteSpec
from .state import State

__all__ = ["FakeHandler"]


def _etag(body: bytes, kind: str, digest: str) -> str:
    """The ETag of a GET answer: Express's weak ``W/"<length hex>-<base64 sha1>"``, Fastify's strong
    ``"<base64 sha1>"`` (27 characters), or a route's own ``"<base64url sha256>"`` (43 characters)."""
    if kind == "strong" and digest == "sha256":
        return '"' + base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode("ascii").rstrip("=") + '"'
    sha1 = base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")[:27]  # noqa: S324 - the servers' algorithm
    return f'"{sha1}"' if kind == "strong" else f'W/"{len(body):x}-{sha1}"'


class FakeHandler:
    """The fake Infisical as a handler: one :class:`State`, served as ``profile``'s server would.

    ``rate_limits=False`` turns the profile's own rate limits off (a profile without any has none).
    """

    def __init__(self, state: State, profile: Profile, *, rate_limits: bool = True) -> None:
        self.state = state
        self.profile = profile
        self._router = router(profile.route_families)
        limits = profile.rate_limits if rate_limits else None
        #: the server's own limiter of each rate-limit group, counting per route and client; empty when off
        self.rate_limiters: dict[str, RateLimiter] = {}
        if limits is not None:
            self.rate_limiters = {
                group: RateLimiter(limit, limits.window, state.clock, names=limits.headers)
                for group, limit in limits.per_window.items()
            }
        #: held while a request is served; the seeding API holds it too
        self.lock = threading.RLock()

    def __repr__(self) -> str:
        return f"<FakeHandler profile={self.profile.name} projects={len(self.state.projects)}>"

    def handle(self, request: Request) -> Response:
        """Answer one request exactly as the imitated Infisical would, with a report of what it did."""
        match = self._router.match(request.method, api_path(request.path))
        call = Call(self, request, match.params if match is not None else {}, request.target)
        with self.lock:
            try:
                response = self._dispatch(call, match)
            except ApiError as error:
                response = self.profile.render(error, call.limit_headers)
        if self.profile.response_headers:
            response = with_headers(response, self.profile.response_headers)
        return response.reporting(self._report(call, match))

    def _report(self, call: Call, match: Optional[RouteMatch[RouteSpec]]) -> Served:
        spec = match.route.handler if match is not None else None
        route = spec.template if spec is not None else None
        takes_credentials = bool(spec.modes) if spec is not None else True
        principal = call.principal
        if principal is not None:
            return Served(
                route, spec is not None, takes_credentials, True, principal.mode, principal.credential_id, True
            )
        # not authenticated: the credential the server read (or would read) under its header precedence
        presented = call.presented or read_credentials(call.request.headers, api_key_wins=self.profile.api_key_wins)
        note = retired_note(call.retired, self.profile) if call.retired is not None else None
        return Served(
            route,
            spec is not None,
            takes_credentials,
            True,
            auth_mode(presented),
            credential_id(presented),
            False,
            note,
        )

    def describe(self, request: Request) -> Served:
        """What the fake would report for a request it did not answer (a fault or the rate limiter
        did, in the pipeline): the route it would take and the credential it would read — not
        authenticated, and not counted as unrouted."""
        match = self._router.match(request.method, api_path(request.path))
        spec = match.route.handler if match is not None else None
        presented = read_credentials(request.headers, api_key_wins=self.profile.api_key_wins)
        return Served(
            spec.template if spec is not None else None,
            True,
            bool(spec.modes) if spec is not None else True,
            True,
            auth_mode(presented),
            credential_id(presented),
            False,
        )

    def _dispatch(self, call: Call, match: Optional[RouteMatch[RouteSpec]]) -> Response:
        request = call.request
        if match is None or (not self.profile.collapses_slashes and "//" in request.path):
            raise ApiError(E.ROUTE_NOT_FOUND, method=request.method, url=request.target)
        spec = match.route.handler
        refuse_retired_api_key(call)
        validated = False
        if spec.early_validation and self.profile.validate_before_auth:
            call.validate(spec)
            validated = True
        if spec.modes:
            call.principal = authenticate(call, spec)
        limiter = self.rate_limiters.get(spec.rate_limit) if spec.rate_limit is not None else None
        if limiter is not None:
            allowed, call.limit_headers = limiter.check((spec.template, request.client))
            if not allowed:  # rendered with the limiter's headers like any refusal (see handle)
                raise rate_limited(call.limit_headers)
        if not validated:
            call.validate(spec)
        result = spec.func(call)
        if isinstance(result, Response):
            return with_headers(result, call.limit_headers) if call.limit_headers else result
        body = encode_json(result)
        if request.method != "GET":
            return Response.json_bytes(200, body, call.limit_headers)
        tag = _etag(body, self.profile.etag, spec.etag_digest)
        if request.headers.get("if-none-match") == tag:
            return Response(status=304, headers={"ETag": tag, **call.limit_headers})
        return Response.json_bytes(200, body, {"ETag": tag, **call.limit_headers})

    def route_methods(self, path: str) -> list[str]:
        """The methods the fake answers on ``path`` (for near-miss reports)."""
        return self._router.methods_for(api_path(path))

    def closest_routes(self, method: str, path: str) -> list[str]:
        """Hints for a request no route answered: other methods on its path, similar routes."""
        path = api_path(path)
        hints = []
        methods = self.route_methods(path)
        if methods:
            hints.append(f"this path answers {', '.join(methods)}, not {method}")
        patterns = sorted({f"{r.method} {r.pattern}" for r in self._router.routes})
        for close in difflib.get_close_matches(f"{method} {path}", patterns, n=3, cutoff=0.6):
            hints.append(f"did you mean {close}?")
        return hints
