"""The fake's state: organizations, users, projects, folders, secrets, keys and credentials.

Everything is indexed by hash lookups — by id, by ``(environment, path)``, by secret name — so no
request scans other projects or folders. Secrets are stored exactly as Infisical stores them: the
nine cipher fields under the project key, with the plaintext name as the lookup key (the role the
server's blind index plays). Credential secrets are kept only as SHA-256 digests.

This module holds data and the operations that keep it consistent; it knows nothing about HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets as _secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Optional, Union

import attrs

from ..credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken

if TYPE_CHECKING:
    from ..crypto import DecryptedSecret

__all__ = [
    "ApiKeyRecord",
    "Clock",
    "Environment",
    "Folder",
    "IdentityRecord",
    "Membership",
    "OrgMembership",
    "Organization",
    "Project",
    "Scope",
    "Secret",
    "SecretImport",
    "ServiceAccountRecord",
    "ServiceTokenRecord",
    "State",
    "User",
    "iso",
    "normalize_secret_path",
]

DEFAULT_ENVIRONMENTS = (("Development", "dev"), ("Staging", "staging"), ("Production", "prod"))
ENVIRONMENT_NAMES = {slug: name for name, slug in DEFAULT_ENVIRONMENTS}


def new_id() -> str:
    """A MongoDB-ObjectId-shaped id: 24 lowercase hex characters."""
    return _secrets.token_hex(12)


_NANO = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def new_folder_id() -> str:
    """A folder id as the 2023 backend made them (``nanoid(12)``)."""
    return "".join(_secrets.choice(_NANO) for _ in range(12))


def digest(secret: str) -> bytes:
    """What the fake keeps of a credential secret (the real server keeps a bcrypt hash)."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def matches(secret: str, stored: bytes) -> bool:
    return hmac.compare_digest(digest(secret), stored)


def iso(moment: datetime) -> str:
    """``2023-07-13T09:45:59.123Z``: how Infisical serializes dates."""
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class Clock:
    """The fake's time: Python's wall clock plus an offset the test controls.

    It reads ``datetime.now()`` on every call, so it moves with wall time — and follows
    ``time-machine`` or ``freezegun`` while one of them is active (travelling, ticking or frozen),
    like any code that asks Python for the time. ``advance(seconds)`` moves the fake into the
    future (expiry is testable without sleeping); ``freeze()`` pins it to one instant whatever
    the wall clock does, until ``unfreeze()``.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen: Optional[datetime] = None

    def now(self) -> datetime:
        """The fake's current time, timezone-aware (UTC)."""
        base = self._frozen if self._frozen is not None else datetime.now(timezone.utc)
        return base + self._offset

    def timestamp(self) -> float:
        """``now()`` as a POSIX timestamp."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        """Move the fake's time ``seconds`` forward (negative: back), frozen or not."""
        self._offset += timedelta(seconds=seconds)

    def freeze(self, at: Optional[datetime] = None) -> None:
        """Stop the fake's time at ``at`` (a naive datetime is UTC), or at its current time.

        Frozen, it ignores the wall clock (and time-machine or freezegun); ``advance()`` still
        moves it.
        """
        if at is None:
            at = self.now()
        elif at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        self._frozen = at.astimezone(timezone.utc) - self._offset

    def unfreeze(self) -> None:
        """Follow the wall clock again (plus whatever ``advance()`` added)."""
        self._frozen = None


@lru_cache(maxsize=4096)
def normalize_secret_path(path: str) -> str:
    """``/a//b/`` → ``/a/b``; empty → ``/`` (folder paths are ``/``-separated names from root)."""
    parts = [p for p in str(path).split("/") if p]
    return "/" + "/".join(parts)


# --------------------------------------------------------------------------------------------
# path scopes: picomatch-style globs (``*`` within a segment, ``**`` across segments)


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    pattern = normalize_secret_path(pattern) if pattern not in ("", "/") else "/"
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("/**", i):
            out.append("(?:/.*)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{":
            end = pattern.find("}", i)
            if end > i:
                options = pattern[i + 1 : end].split(",")
                out.append("(?:" + "|".join(re.escape(o) for o in options) + ")")
                i = end + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + "/?")


@lru_cache(maxsize=4096)
def path_in_scope(path: str, pattern: str) -> bool:
    """``picomatch.isMatch(path, pattern, {strictSlashes: false})`` as Infisical's scope check uses it."""
    return _glob_regex(pattern).fullmatch(normalize_secret_path(path)) is not None


GLOB_CHARS = frozenset("*?[]{}")


def has_glob(pattern: str) -> bool:
    return any(c in GLOB_CHARS for c in pattern)


# --------------------------------------------------------------------------------------------
# entities


@attrs.define(eq=False, repr=False)
class Organization:
    id: str
    name: str
    created_at: datetime
    members: dict[str, OrgMembership] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return f"<Organization {self.name!r} {self.id}>"


@attrs.define(eq=False, repr=False)
class User:
    id: str
    email: str
    first_name: str
    last_name: str
    public_key: str
    private_key: str
    created_at: datetime
    is_mfa_enabled: bool = False
    #: the private key as the server stores it: encrypted under a key derived from the password,
    #: which the fake does not have either (so an API key cannot decrypt, as on the real server)
    protected_private_key: dict[str, str] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.id}>"


@attrs.define(eq=False, repr=False)
class OrgMembership:
    id: str
    user: User
    organization: Organization
    role: str
    created_at: datetime
    status: str = "accepted"

    def __repr__(self) -> str:
        return f"<OrgMembership {self.user.email} {self.role} of {self.organization.name!r}>"


@attrs.define(eq=False)
class Environment:
    id: str
    name: str
    slug: str


@attrs.define(eq=False, repr=False)
class Folder:
    """A folder of one environment; it holds its secrets and its secret imports.

    ``id`` is the public id: ``"root"`` for every environment's root, as on the 2023 server.
    """

    id: str
    name: str
    environment: str
    path: str
    parent: Optional[Folder]
    shared: dict[str, Secret] = attrs.field(factory=dict)  # name → secret
    personal: dict[str, dict[str, Secret]] = attrs.field(factory=dict)  # user id → name → secret
    imports: list[SecretImport] = attrs.field(factory=list)

    def __repr__(self) -> str:
        return f"<Folder {self.environment}:{self.path}>"


@attrs.define(eq=False)
class SecretImport:
    id: str
    environment: str
    path: str


@attrs.define(eq=False, repr=False)
class Secret:
    """One secret as Infisical stores it: the nine cipher fields, never the plaintext value."""

    id: str
    project: Project
    folder: Folder
    type: str
    user: Optional[User]
    name: str
    cipher: dict[str, str]
    created_at: datetime
    updated_at: datetime
    version: int = 1
    tags: list[str] = attrs.field(factory=list)
    skip_multiline_encoding: bool = False

    @property
    def environment(self) -> str:
        return self.folder.environment

    def decrypted(self) -> DecryptedSecret:
        """The plaintext under the project key, or an ``UndecryptableSecretError`` naming this secret
        when a client wrote it under another key."""
        from ..crypto import decrypt_secret
        from ..errors import CryptoError, UndecryptableSecretError

        try:
            return decrypt_secret(self.cipher, self.project.key)
        except CryptoError as error:
            raise UndecryptableSecretError(
                f"the {self.type} secret {self.name!r} at {self.environment}:{self.folder.path} (id {self.id}) "
                f"cannot be decrypted under its project's key: a client wrote it under another key "
                f"({type(error).__name__}). Infisical fails on it too; delete or rewrite it.",
                field=error.field,
            ) from None

    def __repr__(self) -> str:
        return f"<Secret {self.name!r} {self.type} {self.folder.environment}:{self.folder.path} v{self.version}>"


@attrs.define(eq=False, repr=False)
class Membership:
    """A user's membership of a project, with per-environment denied permissions (2023)."""

    id: str
    user: User
    project: Project
    role: str
    created_at: datetime
    denied: set[tuple[str, str]] = attrs.field(factory=set)

    def __repr__(self) -> str:
        return f"<Membership {self.user.email} {self.role} of {self.project.name!r}>"


@attrs.define(eq=False, repr=False)
class UserProjectKey:
    """A member's copy of the project key: a NaCl box from ``sender`` to ``receiver``."""

    id: str
    encrypted_key: str
    nonce: str
    sender: User
    receiver: User
    project: Project
    created_at: datetime


@attrs.define(eq=False, repr=False)
class Project:
    id: str
    name: str
    slug: str
    organization: Organization
    e2ee: bool
    key: str
    created_at: datetime
    auto_capitalization: bool = True
    #: 1: legacy E2EE with a project key (raw routes need the server-side bot, ``e2ee=False``);
    #: 3: KMS, the server encrypts (the encrypted routes find no blind index)
    version: int = 1
    environments_by_slug: dict[str, Environment] = attrs.field(factory=dict)
    folders: dict[tuple[str, str], Folder] = attrs.field(factory=dict)  # (environment, path) → folder
    members: dict[str, Membership] = attrs.field(factory=dict)
    user_keys: dict[str, UserProjectKey] = attrs.field(factory=dict)

    @property
    def environments(self) -> tuple[str, ...]:
        """The environment slugs, in order."""
        return tuple(self.environments_by_slug)

    def folder(self, environment: str, path: str) -> Optional[Folder]:
        return self.folders.get((environment, normalize_secret_path(path)))

    def __repr__(self) -> str:
        e2ee = "E2EE" if self.e2ee else "E2EE off"
        return f"<Project {self.name!r} {self.id} v{self.version} {e2ee} environments={list(self.environments)} key=<redacted>>"


@attrs.define(eq=False)
class Scope:
    environment: str
    secret_path: str
    id: str = attrs.field(factory=new_id)


@attrs.define(eq=False, repr=False)
class ApiKeyRecord:
    id: str
    name: str
    user: User
    secret_hash: bytes
    expires_at: Optional[datetime]
    created_at: datetime
    last_used: Optional[datetime] = None

    def __repr__(self) -> str:
        return f"<ApiKeyRecord {self.name!r} {self.id} of {self.user.email}>"


@attrs.define(eq=False, repr=False)
class ServiceTokenRecord:
    id: str
    name: str
    project: Project
    scopes: list[Scope]
    permissions: list[str]
    user: User
    secret_hash: bytes
    encrypted_key: str
    iv: str
    tag: str
    expires_at: Optional[datetime]
    created_at: datetime
    service_account: Optional[ServiceAccountRecord] = None
    last_used: Optional[datetime] = None

    def __repr__(self) -> str:
        return f"<ServiceTokenRecord {self.name!r} {self.id} {self.permissions} scopes={[(s.environment, s.secret_path) for s in self.scopes]}>"


@attrs.define(eq=False)
class SAPermission:
    id: str
    project: Project
    environment: str
    read: bool
    write: bool
    created_at: datetime


@attrs.define(eq=False)
class SAKey:
    id: str
    project: Project
    encrypted_key: str
    nonce: str
    sender: User
    created_at: datetime


@attrs.define(eq=False, repr=False)
class ServiceAccountRecord:
    id: str
    name: str
    organization: Organization
    user: User
    public_key: str
    secret_hash: bytes
    expires_at: Optional[datetime]
    created_at: datetime
    last_used: Optional[datetime] = None
    permissions: dict[tuple[str, str], SAPermission] = attrs.field(factory=dict)  # (project id, env) → …
    keys: dict[str, SAKey] = attrs.field(factory=dict)  # project id → key

    def __repr__(self) -> str:
        return f"<ServiceAccountRecord {self.name!r} {self.id}>"


@attrs.define(eq=False, repr=False)
class IdentityRecord:
    """A machine identity with Universal Auth, a member of projects with a role."""

    id: str
    name: str
    organization: Organization
    client_id: str
    secret_hash: bytes
    access_token_ttl: int
    access_token_max_ttl: int
    created_at: datetime
    projects: dict[str, str] = attrs.field(factory=dict)  # project id → role ("admin", "member", "viewer")

    def __repr__(self) -> str:
        return f"<IdentityRecord {self.name!r} {self.id}>"


@attrs.define(eq=False)
class AccessToken:
    id: str
    identity: IdentityRecord
    issued_at: datetime
    renewed_at: datetime
    ttl: int
    max_ttl: int
    revoked: bool = False


# --------------------------------------------------------------------------------------------


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "project"


class State:
    """All of one fake's data, and every change to it: handlers and the seeding API change state only
    through these methods (they may read the records freely). Not thread-safe by itself: the fake
    serializes access."""

    def __init__(self, clock: Optional[Clock] = None) -> None:
        self.clock = clock or Clock()
        self.organizations: dict[str, Organization] = {}
        self.users: dict[str, User] = {}
        self.users_by_email: dict[str, User] = {}
        self.projects: dict[str, Project] = {}
        self.api_keys: dict[str, ApiKeyRecord] = {}
        self.service_tokens: dict[str, ServiceTokenRecord] = {}
        self.service_accounts: dict[str, ServiceAccountRecord] = {}
        self.identities: dict[str, IdentityRecord] = {}
        self.identities_by_client_id: dict[str, IdentityRecord] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.secrets_by_id: dict[str, Secret] = {}
        self.jwt_secret = _secrets.token_bytes(32)
        #: serialized documents of secrets: (kind, secret id) → (the secret's version, the document)
        self._rendered: dict[tuple[str, str], tuple[int, bytes]] = {}

    # ---- organizations and users ------------------------------------------------------------

    def create_organization(self, name: str) -> Organization:
        org = Organization(id=new_id(), name=name, created_at=self.clock.now())
        self.organizations[org.id] = org
        return org

    def create_user(self, email: str, first_name: str = "Test", last_name: str = "User") -> User:
        from ..crypto import generate_key_pair

        if email in self.users_by_email:
            raise ValueError(f"a user with email {email!r} already exists")
        pair = generate_key_pair()
        user = User(
            id=new_id(),
            email=email,
            first_name=first_name,
            last_name=last_name,
            public_key=pair.public_key,
            private_key=pair.private_key,
            created_at=self.clock.now(),
        )
        self.users[user.id] = user
        self.users_by_email[email] = user
        return user

    def add_org_member(self, org: Organization, user: User, role: str = "member") -> OrgMembership:
        if role not in ("owner", "admin", "member"):
            raise ValueError(f"organization role must be 'owner', 'admin' or 'member', not {role!r}")
        membership = OrgMembership(id=new_id(), user=user, organization=org, role=role, created_at=self.clock.now())
        org.members[user.id] = membership
        return membership

    # ---- projects -------------------------------------------------------------------------

    def create_project(
        self,
        name: str,
        organization: Organization,
        owner: User,
        e2ee: bool = False,
        environments: Sequence[Union[str, tuple[str, str]]] = ("dev", "staging", "prod"),
        key: Optional[str] = None,
        id: Optional[str] = None,
        version: int = 1,
    ) -> Project:
        from ..crypto import generate_project_key
        from ..errors import UsageError

        if version not in (1, 3):
            raise ValueError(f"a project's version is 1 (legacy E2EE) or 3 (KMS), not {version!r}")
        if version == 3 and e2ee:
            raise UsageError("a version 3 (KMS) project has no end-to-end encryption: drop e2ee=True")
        if id is not None and id in self.projects:
            raise ValueError(f"a project with id {id!r} already exists")
        project = Project(
            id=id or new_id(),
            name=name,
            slug=f"{_slugify(name)}-{_secrets.token_hex(3)}",
            organization=organization,
            e2ee=e2ee,
            key=key or generate_project_key(),
            created_at=self.clock.now(),
            version=version,
        )
        for env in environments:
            env_name, slug = env if isinstance(env, tuple) else (ENVIRONMENT_NAMES.get(env, env.capitalize()), env)
            self.add_environment(project, slug, env_name)
        self.projects[project.id] = project
        self.add_member(project, owner, role="admin")
        return project

    def add_environment(self, project: Project, slug: str, name: Optional[str] = None) -> Environment:
        if slug in project.environments_by_slug:
            raise ValueError(f"project {project.name!r} already has an environment {slug!r}")
        env = Environment(id=new_id(), name=name or ENVIRONMENT_NAMES.get(slug, slug.capitalize()), slug=slug)
        project.environments_by_slug[slug] = env
        root = Folder(id="root", name="root", environment=slug, path="/", parent=None)
        project.folders[(slug, "/")] = root
        return env

    def add_member(self, project: Project, user: User, role: str = "member") -> Membership:
        from ..crypto import encrypt_asymmetric

        if role not in ("admin", "member"):
            raise ValueError(f"project role must be 'admin' or 'member', not {role!r}")
        membership = Membership(id=new_id(), user=user, project=project, role=role, created_at=self.clock.now())
        project.members[user.id] = membership
        boxed = encrypt_asymmetric(project.key, user.public_key, user.private_key)
        project.user_keys[user.id] = UserProjectKey(
            id=new_id(),
            encrypted_key=boxed.ciphertext,
            nonce=boxed.nonce,
            sender=user,
            receiver=user,
            project=project,
            created_at=self.clock.now(),
        )
        return membership

    def ensure_folder(self, project: Project, environment: str, path: str) -> Folder:
        """The folder at ``path``, creating it and its parents as needed."""
        path = normalize_secret_path(path)
        self.require_environment(project, environment)
        folder = project.folders.get((environment, path))
        if folder is not None:
            return folder
        parent_path, _, name = path.rpartition("/")
        parent = self.ensure_folder(project, environment, parent_path or "/")
        folder = Folder(id=new_folder_id(), name=name, environment=environment, path=path, parent=parent)
        project.folders[(environment, path)] = folder
        return folder

    def require_environment(self, project: Project, environment: str) -> Environment:
        env = project.environments_by_slug.get(environment)
        if env is None:
            raise ValueError(
                f"project {project.name!r} has no environment {environment!r}; it has {list(project.environments)}"
            )
        return env

    def add_import(
        self, project: Project, environment: str, path: str, source_environment: str, source_path: str
    ) -> SecretImport:
        folder = self.ensure_folder(project, environment, path)
        self.require_environment(project, source_environment)
        entry = SecretImport(id=new_id(), environment=source_environment, path=normalize_secret_path(source_path))
        folder.imports.append(entry)
        return entry

    # ---- secrets ----------------------------------------------------------------------------

    def find_secret(
        self, project: Project, folder: Folder, name: str, type_: str = "shared", user: Optional[User] = None
    ) -> Optional[Secret]:
        if type_ == "personal":
            if user is None:
                return None
            return folder.personal.get(user.id, {}).get(name)
        return folder.shared.get(name)

    def folder_secrets(self, project: Project, folder: Folder, user: Optional[User]) -> list[Secret]:
        """The caller's personal secrets first, then the shared ones (as the 2023 server lists them)."""
        personal = list(folder.personal.get(user.id, {}).values()) if user is not None else []
        return personal + list(folder.shared.values())

    def put_secret(
        self,
        project: Project,
        folder: Folder,
        name: str,
        cipher: dict[str, str],
        type_: str = "shared",
        user: Optional[User] = None,
        skip_multiline_encoding: bool = False,
    ) -> Secret:
        """Store a new secret (the caller has checked that it does not exist yet)."""
        now = self.clock.now()
        secret = Secret(
            id=new_id(),
            project=project,
            folder=folder,
            type=type_,
            user=user if type_ == "personal" else None,
            name=name,
            cipher=dict(cipher),
            created_at=now,
            updated_at=now,
            skip_multiline_encoding=skip_multiline_encoding,
        )
        if type_ == "personal":
            assert user is not None
            folder.personal.setdefault(user.id, {})[name] = secret
        else:
            folder.shared[name] = secret
        self.secrets_by_id[secret.id] = secret
        return secret

    def rendered(self, kind: str, secret: Secret, render: Callable[[Secret], bytes]) -> bytes:
        """The ``kind`` document of ``secret`` at its current version, rendered once per (id, version)."""
        key = (kind, secret.id)
        cached = self._rendered.get(key)
        if cached is not None and cached[0] == secret.version:
            return cached[1]
        document = render(secret)
        self._rendered[key] = (secret.version, document)
        return document

    def _forget_rendered(self, secret: Secret) -> None:
        for key in [k for k in self._rendered if k[1] == secret.id]:
            del self._rendered[key]

    def update_secret(
        self, secret: Secret, cipher: dict[str, str], *, skip_multiline_encoding: Optional[bool] = None
    ) -> Secret:
        if skip_multiline_encoding is not None:
            secret.skip_multiline_encoding = skip_multiline_encoding
        secret.cipher.update(cipher)
        secret.version += 1
        secret.updated_at = self.clock.now()
        return secret

    def rename_secret(self, secret: Secret, new_name: str) -> None:
        folder = secret.folder
        bucket = folder.personal[secret.user.id] if secret.type == "personal" and secret.user else folder.shared
        del bucket[secret.name]
        self._forget_rendered(secret)
        secret.name = new_name
        bucket[new_name] = secret

    def remove_secret(self, secret: Secret) -> list[Secret]:
        """Delete a secret; deleting a shared secret also deletes the personal overrides of its name."""
        folder = secret.folder
        removed = [secret]
        if secret.type == "personal" and secret.user is not None:
            del folder.personal[secret.user.id][secret.name]
        else:
            del folder.shared[secret.name]
            for bucket in folder.personal.values():
                if secret.name in bucket:
                    removed.append(bucket.pop(secret.name))
        for gone in removed:
            self.secrets_by_id.pop(gone.id, None)
            self._forget_rendered(gone)
        return removed

    # ---- credentials ----------------------------------------------------------------------

    def _expiry(self, expires_in: Optional[float]) -> Optional[datetime]:
        return self.clock.now() + timedelta(seconds=expires_in) if expires_in else None

    def create_api_key(
        self,
        user: User,
        name: str = "api-key",
        expires_in: Optional[float] = None,
        credential: Optional[ApiKey] = None,
    ) -> tuple[ApiKey, ApiKeyRecord]:
        credential = credential or ApiKey.generate()
        record = ApiKeyRecord(
            id=credential.id,
            name=name,
            user=user,
            secret_hash=digest(credential.secret),
            expires_at=self._expiry(expires_in),
            created_at=self.clock.now(),
        )
        self.api_keys[record.id] = record
        return credential, record

    def create_service_token(
        self,
        project: Project,
        user: User,
        scopes: Iterable[tuple[str, str]],
        permissions: Iterable[str],
        name: str = "service-token",
        expires_in: Optional[float] = None,
        service_account: Optional[ServiceAccountRecord] = None,
        wrapped: Optional[tuple[str, str, str]] = None,
        credential: Optional[ServiceToken] = None,
    ) -> tuple[ServiceToken, ServiceTokenRecord]:
        """A new token.

        Without ``wrapped`` the fake makes the key part and wraps the project key under it, so the
        returned credential is complete. With ``wrapped`` = (encryptedKey, iv, tag) the client did
        the wrapping (as the dashboard does) and only the credential's ``bearer`` is meaningful.
        """
        from ..crypto import wrap_project_key_for_service_token

        credential = credential or ServiceToken.generate()
        if wrapped is None:
            sealed = wrap_project_key_for_service_token(project.key, credential.key)
            wrapped = (sealed.ciphertext, sealed.iv, sealed.tag)
        record = ServiceTokenRecord(
            id=credential.id,
            name=name,
            project=project,
            scopes=[Scope(environment=env, secret_path=path) for env, path in scopes],
            permissions=list(permissions),
            user=user,
            secret_hash=digest(credential.secret),
            encrypted_key=wrapped[0],
            iv=wrapped[1],
            tag=wrapped[2],
            expires_at=self._expiry(expires_in),
            created_at=self.clock.now(),
            service_account=service_account,
        )
        self.service_tokens[record.id] = record
        return credential, record

    def create_service_account(
        self,
        organization: Organization,
        user: User,
        name: str = "service-account",
        expires_in: Optional[float] = None,
        credential: Optional[ServiceAccount] = None,
    ) -> tuple[ServiceAccount, ServiceAccountRecord]:
        from ..crypto import generate_key_pair

        if credential is None:
            pair = generate_key_pair()
            credential = ServiceAccount.generate(public_key=pair.public_key, private_key=pair.private_key)
        record = ServiceAccountRecord(
            id=credential.id,
            name=name,
            organization=organization,
            user=user,
            public_key=credential.public_key,
            secret_hash=digest(credential.secret),
            expires_at=self._expiry(expires_in),
            created_at=self.clock.now(),
        )
        self.service_accounts[record.id] = record
        return credential, record

    def grant_service_account(
        self,
        account: ServiceAccountRecord,
        credential_private_key: str,
        project: Project,
        environment: str,
        read: bool,
        write: bool,
        sender: User,
    ) -> SAPermission:
        from ..crypto import wrap_project_key_for_service_account

        self.require_environment(project, environment)
        permission = SAPermission(
            id=new_id(), project=project, environment=environment, read=read, write=write, created_at=self.clock.now()
        )
        account.permissions[(project.id, environment)] = permission
        if project.id not in account.keys:
            boxed = wrap_project_key_for_service_account(project.key, account.public_key, credential_private_key)
            account.keys[project.id] = SAKey(
                id=new_id(),
                project=project,
                encrypted_key=boxed.ciphertext,
                nonce=boxed.nonce,
                sender=sender,
                created_at=self.clock.now(),
            )
        return permission

    def create_identity(
        self,
        organization: Organization,
        name: str = "machine-identity",
        access_token_ttl: int = 2592000,
        access_token_max_ttl: int = 2592000,
        credential: Optional[MachineIdentity] = None,
    ) -> tuple[MachineIdentity, IdentityRecord]:
        import uuid

        identity_id = (credential and credential.identity_id) or str(uuid.uuid4())
        client_id = credential.client_id if credential else str(uuid.uuid4())
        client_secret = credential.client_secret if credential else _secrets.token_hex(32)
        record = IdentityRecord(
            id=identity_id,
            name=name,
            organization=organization,
            client_id=client_id,
            secret_hash=digest(client_secret),
            access_token_ttl=access_token_ttl,
            access_token_max_ttl=access_token_max_ttl,
            created_at=self.clock.now(),
        )
        self.identities[identity_id] = record
        self.identities_by_client_id[client_id] = record
        return MachineIdentity(client_id=client_id, client_secret=client_secret, identity_id=identity_id), record

    def add_identity_to_project(self, identity: IdentityRecord, project: Project, role: str) -> None:
        identity.projects[project.id] = role

    def issue_access_token(self, identity: IdentityRecord) -> AccessToken:
        """A new access token of ``identity`` (Universal Auth login)."""
        now = self.clock.now()
        token = AccessToken(
            id=new_id(),
            identity=identity,
            issued_at=now,
            renewed_at=now,
            ttl=identity.access_token_ttl,
            max_ttl=identity.access_token_max_ttl,
        )
        self.access_tokens[token.id] = token
        return token

    def renew_access_token(self, token: AccessToken) -> None:
        token.renewed_at = self.clock.now()

    def revoke_access_token(self, token: AccessToken) -> None:
        token.revoked = True

    # ---- changes the handlers make ----------------------------------------------------------

    def mark_used(self, record: Union[ApiKeyRecord, ServiceTokenRecord, ServiceAccountRecord]) -> None:
        """A credential was just accepted."""
        record.last_used = self.clock.now()

    def set_org_role(self, membership: OrgMembership, role: str) -> None:
        membership.role = role

    def remove_org_member(self, organization: Organization, membership: OrgMembership) -> None:
        del organization.members[membership.user.id]

    def set_member_role(self, membership: Membership, role: str) -> None:
        membership.role = role

    def remove_member(self, project: Project, membership: Membership) -> None:
        del project.members[membership.user.id]
        project.user_keys.pop(membership.user.id, None)

    def deny(self, project: Project, user: User, environment: str, permission: str) -> None:
        """Deny a project member ``read`` or ``write`` on one environment (2023 deniedPermissions)."""
        project.members[user.id].denied.add((environment, permission))

    def set_mfa(self, user: User, enabled: bool) -> None:
        user.is_mfa_enabled = enabled

    def protect_private_key(self, user: User, fields: dict[str, str]) -> dict[str, str]:
        """The user's password-protected private key fields, set once."""
        if not user.protected_private_key:
            user.protected_private_key = fields
        return user.protected_private_key

    # ---- revocation ---------------------------------------------------------------------------

    def service_account(self, account_id: str) -> ServiceAccountRecord:
        """The service account ``account_id`` (``KeyError`` when there is none)."""
        return self.service_accounts[account_id]

    def delete_api_key(self, key_id: str) -> None:
        self.api_keys.pop(key_id, None)

    def delete_service_token(self, token_id: str) -> None:
        self.service_tokens.pop(token_id, None)

    def delete_service_account(self, account_id: str) -> None:
        self.service_accounts.pop(account_id, None)

    def delete_identity(self, client_id: str) -> None:
        """Delete a machine identity and revoke every access token it was issued."""
        record = self.identities_by_client_id.pop(client_id, None)
        if record is not None:
            self.identities.pop(record.id, None)
            for token in self.access_tokens.values():
                if token.identity is record:
                    token.revoked = True
