"""``FakeInfisical``: the stateful fake, its seeding API, and the one path every request takes.

``handle(Request) -> Response`` normalizes the path, finds the route, authenticates the caller,
validates the arguments, runs the handler, and renders any ``ApiError`` through the server
profile. The rest of the class is the Python API a test uses to seed and inspect state.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Callable, Optional, Union

import attrs

from ..credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from ..faults import (
    ConnectionFault,
    FaultInjection,
    Faults,
    RateLimiter,
    TimeoutFault,
    TransportFault,
    corrupt,
    status_response,
    with_headers,
)
from ..http import Request, Response, RouteMatch, Router, api_path, encode_json
from ..journal import CallAssertions, CallList, Journal, PathLike
from . import apierror as E
from .apierror import ApiError
from .auth import authenticate
from .profiles import Profile, get_profile
from .routing import REGISTRY, Call, RouteSpec
from .state import Clock, Folder, Membership, Organization, Project, Secret, State, User, normalize_secret_path

__all__ = ["DEFAULT_URL", "Expectation", "FakeInfisical"]

DEFAULT_URL = "https://app.infisical.com"

_ROUTER: Optional[Router[RouteSpec]] = None


def _router() -> Router[RouteSpec]:
    """The routing table, built once from every API module's declarations (immutable)."""
    global _ROUTER
    if _ROUTER is None:
        from . import (  # noqa: F401 - importing registers the routes
            identities,
            organizations,
            raw_secrets,
            secrets,
            service_accounts,
            service_tokens,
            status,
            users,
            workspaces,
        )

        router: Router[RouteSpec] = Router()
        for spec in REGISTRY:
            router.add(spec.method, spec.path, spec)
        _ROUTER = router
    return _ROUTER


def _etag(body: bytes) -> str:
    """Express's default weak ETag: ``W/"<length hex>-<base64 sha1, 27 chars>"``."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")[:27]  # noqa: S324 - Express's algorithm
    return f'W/"{len(body):x}-{digest}"'


@attrs.frozen
class Expectation:
    """A call the test declared it expects (``FakeInfisical.expect``)."""

    method: Optional[str]
    path: PathLike
    auth: Optional[str]
    times: Optional[int]


class FakeInfisical(CallAssertions, FaultInjection):
    """A fake Infisical server: state, routes and a server profile.

    It is a handler (``handle(Request) -> Response``); transports serve it to ``requests``,
    httpx, or real HTTP clients. A fresh instance is seeded with an organization, a user who
    owns it, and a project (``.project``) with environments dev, staging and prod, E2EE off.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        profile: Union[str, Profile] = "latest",
        seed: bool = True,
        e2ee: bool = False,
        environments: Sequence[str] = ("dev", "staging", "prod"),
        project_name: str = "Example Project",
        clock: Optional[Clock] = None,
        project_id: Optional[str] = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.profile = get_profile(profile)
        self.state = State(clock)
        self.clock = self.state.clock
        self._lock = threading.RLock()
        self._router = _router()
        #: every request that reached the fake, in order (see ``calls``)
        self.journal = Journal()
        #: armed faults (see ``fail_next``)
        self.faults = Faults()
        self.rate_limiter: Optional[RateLimiter] = None
        self.expectations: list[Expectation] = []
        #: how a delay fault passes: None simulates it (the clock moves on); the live server sleeps
        self.sleep: Optional[Callable[[float], None]] = None
        #: the live server serving this fake, while there is one (``infisical_server``)
        self.server: Any = None
        self.organization: Organization
        self.user: User
        self.project: Project
        if seed:
            self.organization = self.state.create_organization("Example Organization")
            self.user = self.state.create_user("tester@example.com", "Test", "User")
            self.state.add_org_member(self.organization, self.user, role="owner")
            self.project = self.state.create_project(
                project_name, self.organization, self.user, e2ee=e2ee, environments=environments, id=project_id
            )

    def __repr__(self) -> str:
        return f"<FakeInfisical {self.url} profile={self.profile.name} projects={len(self.state.projects)}>"

    @property
    def lock(self) -> threading.RLock:
        """Held while a request is served; hold it to read state consistently from another thread."""
        return self._lock

    # ---- serving ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer one request exactly as the imitated Infisical would, and record it."""
        outcome = self.faults.take(request)
        match = self._router.match(request.method, api_path(request.path))
        route = f"{match.route.handler.method} {match.route.handler.path}" if match else None
        takes_credentials = bool(match.route.handler.modes) if match else True
        fault = outcome.describe() if outcome is not None and outcome.is_fault else None
        try:
            if outcome is not None and (outcome.error or outcome.delay):
                self._transport_fault(request, outcome.error, outcome.delay)
            with self._lock:
                if outcome is not None and outcome.status not in (None, 200):
                    response = status_response(outcome, self.profile)
                else:
                    response = self._limited(request, route, match)
                    if outcome is not None and outcome.body:
                        response = corrupt(response, outcome.body)
        except TransportFault as error:
            self.journal.record(
                request, None, route=route, route_takes_credentials=takes_credentials, error=str(error), fault=fault
            )
            raise
        self.journal.record(request, response, route=route, route_takes_credentials=takes_credentials, fault=fault)
        return response

    def _transport_fault(self, request: Request, error: Optional[str], delay: float) -> None:
        if error == "connection":
            raise ConnectionFault(f"pytest-infisical: injected connection error for {request.method} {request.target}")
        if error == "timeout":
            raise TimeoutFault(f"pytest-infisical: injected timeout for {request.method} {request.target}")
        if self.sleep is not None:
            self.sleep(delay)
        else:
            self.clock.advance(delay)
        if request.timeout is not None and request.timeout < delay:
            raise TimeoutFault(
                f"pytest-infisical: the response took {delay:g} s (simulated), longer than the client's "
                f"{request.timeout:g} s timeout, for {request.method} {request.target}"
            )

    def _limited(self, request: Request, route: Optional[str], match: Optional[RouteMatch[RouteSpec]]) -> Response:
        limiter = self.rate_limiter
        if limiter is None or route == "GET /api/status":
            return self._answer(request, match)
        allowed, headers = limiter.check()
        if not allowed:
            return self.profile.render(ApiError(E.RATE_LIMITED, retry_after=headers["Retry-After"]), headers)
        return with_headers(self._answer(request, match), headers)

    def _answer(self, request: Request, match: Optional[RouteMatch[RouteSpec]]) -> Response:
        try:
            return self._dispatch(request, match)
        except ApiError as error:
            return self.profile.render(error)

    def _dispatch(self, request: Request, match: Optional[RouteMatch[RouteSpec]]) -> Response:
        if match is None:
            raise ApiError(E.ROUTE_NOT_FOUND, method=request.method, url=request.target)
        spec = match.route.handler
        call = Call(self, request, match.params, request.target)
        validated = False
        if spec.early_validation and self.profile.validate_before_auth:
            call.validate(spec)
            validated = True
        if spec.modes:
            call.principal = authenticate(call, spec)
        if not validated:
            call.validate(spec)
        result = spec.func(call)
        if isinstance(result, Response):
            return result
        body = encode_json(result)
        if request.method != "GET":
            return Response.json_bytes(200, body)
        tag = _etag(body)
        if request.headers.get("if-none-match") == tag:
            return Response(status=304, headers={"ETag": tag})
        return Response.json_bytes(200, body, {"ETag": tag})

    def route_methods(self, path: str) -> list[str]:
        """The methods the fake answers on ``path`` (for near-miss reports)."""
        return self._router.methods_for(api_path(path))

    def closest_routes(self, method: str, path: str) -> list[str]:
        """Hints for a request no route answered: other methods on its path, similar routes."""
        import difflib

        path = api_path(path)
        hints = []
        methods = self.route_methods(path)
        if methods:
            hints.append(f"this path answers {', '.join(methods)}, not {method}")
        patterns = sorted({f"{r.method} {r.pattern}" for r in self._router.routes})
        for close in difflib.get_close_matches(f"{method} {path}", patterns, n=3, cutoff=0.6):
            hints.append(f"did you mean {close}?")
        return hints

    # ---- journal, expectations and assertions ----------------------------------------------

    @property
    def calls(self) -> CallList:
        """Every request that reached the fake, in order; ``.filter(method, path, auth=, status=)``."""
        return self.journal.calls

    def expect(
        self,
        method: Optional[str] = None,
        path: PathLike = None,
        *,
        auth: Optional[str] = None,
        times: Optional[int] = None,
    ) -> None:
        """Declare a call the test expects; at teardown, the plugin fails the test if it was not made."""
        self.expectations.append(Expectation(method, path, auth, times))

    def assert_end_to_end_encrypted(self, expected: Optional[dict[str, str]] = None) -> None:
        """The client never sent a plaintext secret value or a project key, and every ciphertext it
        wrote decrypts under the project key — to the ``expected`` names and values, if given."""
        __tracebackhide__ = True
        from .e2ee import end_to_end_problems

        problems = end_to_end_problems(self, expected or {})
        if problems:
            raise AssertionError(
                "\n".join(["The client's traffic is not end-to-end encrypted as expected:", *problems])
            )

    # ---- projects, folders, imports ------------------------------------------------------

    def _project(self, project: Optional[Project]) -> Project:
        return project if project is not None else self.project

    def create_project(
        self,
        name: str,
        e2ee: bool = False,
        environments: Sequence[str] = ("dev", "staging", "prod"),
        *,
        organization: Optional[Organization] = None,
        owner: Optional[User] = None,
        id: Optional[str] = None,
    ) -> Project:
        """A new project (the default user owns it). ``e2ee=True`` locks the raw routes; ``id``
        chooses its id (24 hex characters) instead of a random one."""
        with self._lock:
            return self.state.create_project(
                name,
                organization or self.organization,
                owner or self.user,
                e2ee=e2ee,
                environments=environments,
                id=id,
            )

    def create_folder(self, path: str, environment: str = "dev", project: Optional[Project] = None) -> Folder:
        """The folder at ``path`` (parents created as needed)."""
        with self._lock:
            return self.state.ensure_folder(self._project(project), environment, path)

    def add_import(
        self,
        source_environment: str,
        source_path: str = "/",
        *,
        environment: str = "dev",
        path: str = "/",
        project: Optional[Project] = None,
    ) -> None:
        """Import ``source_environment:source_path``'s secrets into ``environment:path``."""
        with self._lock:
            self.state.add_import(self._project(project), environment, path, source_environment, source_path)

    # ---- secrets ------------------------------------------------------------------------

    def set_secret(
        self,
        name: str,
        value: str,
        environment: str = "dev",
        path: str = "/",
        comment: str = "",
        project: Optional[Project] = None,
        *,
        type: str = "shared",
        user: Optional[User] = None,
    ) -> Secret:
        """Create the secret, or update it (its version goes up); stored encrypted as Infisical does."""
        from ..crypto import encrypt_secret

        if type not in ("shared", "personal"):
            raise ValueError(f"type must be 'shared' or 'personal', not {type!r}")
        with self._lock:
            proj = self._project(project)
            folder = self.state.ensure_folder(proj, environment, path)
            owner = (user or self.user) if type == "personal" else None
            cipher = encrypt_secret(name, value, proj.key, comment).to_dict()
            existing = self.state.find_secret(proj, folder, name, type, owner)
            if existing is not None:
                return self.state.update_secret(existing, cipher)
            return self.state.put_secret(proj, folder, name, cipher, type, owner)

    def _plain(self, secret: Secret) -> Any:
        from ..crypto import decrypt_secret

        return decrypt_secret(secret.cipher, secret.project.key)

    def secrets(self, environment: str = "dev", path: str = "/", project: Optional[Project] = None) -> dict[str, str]:
        """The shared secrets of one folder in plaintext, name → value (for assertions)."""
        with self._lock:
            proj = self._project(project)
            self.state.require_environment(proj, environment)
            folder = proj.folder(environment, path)
            if folder is None:
                return {}
            return {s.name: self._plain(s).value for s in folder.shared.values()}

    def secret(
        self,
        name: str,
        environment: str = "dev",
        path: str = "/",
        project: Optional[Project] = None,
        *,
        type: str = "shared",
        user: Optional[User] = None,
    ) -> Any:
        """One secret in plaintext (a ``DecryptedSecret`` with ``value``, ``comment``, ``version``)."""
        with self._lock:
            stored = self._find(name, environment, path, project, type, user)
            plain = self._plain(stored)
            return attrs.evolve(plain, name=stored.name, type=stored.type, id=stored.id, version=stored.version)

    def _find(
        self, name: str, environment: str, path: str, project: Optional[Project], type_: str, user: Optional[User]
    ) -> Secret:
        proj = self._project(project)
        self.state.require_environment(proj, environment)
        folder = proj.folder(environment, path)
        found = None
        if folder is not None:
            found = self.state.find_secret(
                proj, folder, name, type_, (user or self.user) if type_ == "personal" else None
            )
        if found is None:
            raise LookupError(
                f"no {type_} secret {name!r} at {environment}:{normalize_secret_path(path)} in project {proj.name!r}"
            )
        return found

    def delete_secret(
        self,
        name: str,
        environment: str = "dev",
        path: str = "/",
        project: Optional[Project] = None,
        *,
        type: str = "shared",
        user: Optional[User] = None,
    ) -> None:
        """Delete a secret (deleting a shared one also deletes its personal overrides)."""
        with self._lock:
            self.state.remove_secret(self._find(name, environment, path, project, type, user))

    # ---- users and memberships -----------------------------------------------------------

    def create_user(
        self,
        email: str,
        *,
        first_name: str = "Test",
        last_name: str = "User",
        organization_role: Optional[str] = "member",
        project_role: Optional[str] = "member",
        project: Optional[Project] = None,
    ) -> User:
        """A user, by default a member of the default organization and project."""
        with self._lock:
            user = self.state.create_user(email, first_name, last_name)
            if organization_role:
                self.state.add_org_member(self._project(project).organization, user, organization_role)
            if project_role:
                self.state.add_member(self._project(project), user, project_role)
            return user

    def add_member(self, user: User, project: Optional[Project] = None, role: str = "member") -> Membership:
        with self._lock:
            return self.state.add_member(self._project(project), user, role)

    def deny(self, user: User, environment: str, permission: str, project: Optional[Project] = None) -> None:
        """Deny a project member ``read`` or ``write`` on one environment (2023 deniedPermissions)."""
        if permission not in ("read", "write"):
            raise ValueError(f"permission must be 'read' or 'write', not {permission!r}")
        with self._lock:
            proj = self._project(project)
            proj.members[user.id].denied.add((environment, permission))

    # ---- credentials ----------------------------------------------------------------------

    def create_api_key(
        self,
        expires_in: Optional[float] = None,
        *,
        user: Optional[User] = None,
        name: str = "api-key",
        credential: Optional[ApiKey] = None,
    ) -> ApiKey:
        """An API key of ``user`` (default: the seeded user, owner of the default project);
        ``credential`` registers a known key instead of a new one."""
        with self._lock:
            credential, _ = self.state.create_api_key(
                user or self.user, name=name, expires_in=expires_in, credential=credential
            )
            return credential

    def create_service_token(
        self,
        scopes: Iterable[tuple[str, str]] = (("dev", "/"),),
        permissions: Sequence[str] = ("read", "write"),
        expires_in: Optional[float] = None,
        project: Optional[Project] = None,
        *,
        name: str = "service-token",
        credential: Optional[ServiceToken] = None,
    ) -> ServiceToken:
        """A service token for ``project`` with ``(environment, secretPath)`` scopes (globs allowed);
        ``credential`` registers a known token instead of a new one."""
        scopes = [(env, path) for env, path in scopes]
        bad = sorted(set(permissions) - {"read", "write"})
        if bad or not permissions:
            raise ValueError(f"permissions must be a non-empty subset of ('read', 'write'), got {tuple(permissions)!r}")
        with self._lock:
            proj = self._project(project)
            for env, _ in scopes:
                self.state.require_environment(proj, env)
            credential, _ = self.state.create_service_token(
                proj, self.user, scopes, permissions, name=name, expires_in=expires_in, credential=credential
            )
            return credential

    def create_service_account(
        self,
        permissions: Iterable[tuple[str, bool, bool]] = (("dev", True, True),),
        project: Optional[Project] = None,
        *,
        name: str = "service-account",
        expires_in: Optional[float] = None,
        credential: Optional[ServiceAccount] = None,
    ) -> ServiceAccount:
        """A service account with ``(environment, read, write)`` grants on ``project``;
        ``credential`` registers a known access key and key pair instead of new ones."""
        with self._lock:
            proj = self._project(project)
            credential, record = self.state.create_service_account(
                proj.organization, self.user, name=name, expires_in=expires_in, credential=credential
            )
            for environment, read, write in permissions:
                self.state.grant_service_account(
                    record, credential.private_key, proj, environment, read, write, self.user
                )
            return credential

    def grant(
        self,
        account: ServiceAccount,
        environment: str,
        read: bool = True,
        write: bool = True,
        project: Optional[Project] = None,
    ) -> None:
        """Give a service account access to one more environment (of another project, too)."""
        with self._lock:
            record = self.state.service_accounts[account.id]
            self.state.grant_service_account(
                record, account.private_key, self._project(project), environment, read, write, self.user
            )

    def create_machine_identity(
        self,
        role: str = "member",
        project: Optional[Project] = None,
        *,
        name: str = "machine-identity",
        access_token_ttl: int = 2592000,
        access_token_max_ttl: int = 2592000,
        credential: Optional[MachineIdentity] = None,
    ) -> MachineIdentity:
        """A machine identity with Universal Auth, a ``role`` (admin, member, viewer) on ``project``;
        ``credential`` registers a known client id and secret instead of new ones."""
        if role not in ("admin", "member", "viewer"):
            raise ValueError(f"role must be 'admin', 'member' or 'viewer', not {role!r}")
        with self._lock:
            proj = self._project(project)
            credential, record = self.state.create_identity(
                proj.organization,
                name=name,
                access_token_ttl=access_token_ttl,
                access_token_max_ttl=access_token_max_ttl,
                credential=credential,
            )
            record.projects[proj.id] = role
            return credential

    def revoke(self, credential: Union[ApiKey, ServiceToken, ServiceAccount, MachineIdentity]) -> None:
        """Revoke a credential: its next request fails as with an unknown id."""
        with self._lock:
            if isinstance(credential, ApiKey):
                self.state.api_keys.pop(credential.id, None)
            elif isinstance(credential, ServiceToken):
                self.state.service_tokens.pop(credential.id, None)
            elif isinstance(credential, ServiceAccount):
                self.state.service_accounts.pop(credential.id, None)
            elif isinstance(credential, MachineIdentity):
                record = self.state.identities_by_client_id.pop(credential.client_id, None)
                if record is not None:
                    self.state.identities.pop(record.id, None)
                    for token in self.state.access_tokens.values():
                        if token.identity is record:
                            token.revoked = True
            else:
                raise TypeError(f"cannot revoke {type(credential).__name__}")
