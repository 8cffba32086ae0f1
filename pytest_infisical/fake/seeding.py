"""The fake's seeding API: the Python methods a test uses to put state in the fake and read it back.

Every change goes through a :class:`~pytest_infisical.fake.state.State` method, under the
handler's lock (so a request served on another thread never sees half a change). Credentials come
back as the package's credential types (``ApiKey``, ``ServiceToken`` …), ready to hand to a client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any, Optional, Union

import attrs

from ..credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from .state import Folder, Membership, Organization, Project, Secret, State, User, normalize_secret_path

__all__ = ["SeedingApi"]


class SeedingApi:
    """Seed and inspect one :class:`State`: projects, folders, imports, secrets, users, credentials.

    A fresh one is seeded (unless ``seed=False``) with an organization, a user who owns it, and a
    project (``.project``) with the given environments.
    """

    def __init__(
        self,
        state: State,
        lock: threading.RLock,
        *,
        seed: bool = True,
        e2ee: bool = False,
        environments: Sequence[str] = ("dev", "staging", "prod"),
        project_name: str = "Example Project",
        project_id: Optional[str] = None,
        project_version: int = 1,
    ) -> None:
        self.state = state
        self.clock = state.clock
        self._lock = lock
        self.organization: Organization
        self.user: User
        self.project: Project
        if seed:
            self.organization = state.create_organization("Example Organization")
            self.user = state.create_user("tester@example.com", "Test", "User")
            state.add_org_member(self.organization, self.user, role="owner")
            self.project = state.create_project(
                project_name,
                self.organization,
                self.user,
                e2ee=e2ee,
                environments=environments,
                id=project_id,
                version=project_version,
            )

    @property
    def lock(self) -> threading.RLock:
        """Held while a request is served; hold it to read or change state consistently from another thread."""
        return self._lock

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
        version: int = 1,
    ) -> Project:
        """A new project (the default user owns it); ``id`` chooses its id (24 hex characters)
        instead of a random one.

        ``version=1`` (the default) is a legacy end-to-end encrypted project with a project key:
        with the server-side bot it also serves the raw routes, ``e2ee=True`` removes the bot and
        locks them. ``version=3`` is a KMS project: the server encrypts, the raw routes serve it,
        and the encrypted ``/api/v3/secrets`` routes find no blind index."""
        with self._lock:
            return self.state.create_project(
                name,
                organization or self.organization,
                owner or self.user,
                e2ee=e2ee,
                environments=environments,
                id=id,
                version=version,
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
        return secret.decrypted()  # an UndecryptableSecretError names a secret written under another key

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
        """Make ``user`` a member of ``project`` (the default project) with ``role``."""
        with self._lock:
            return self.state.add_member(self._project(project), user, role)

    def deny(self, user: User, environment: str, permission: str, project: Optional[Project] = None) -> None:
        """Deny a project member ``read`` or ``write`` on one environment (2023 deniedPermissions)."""
        if permission not in ("read", "write"):
            raise ValueError(f"permission must be 'read' or 'write', not {permission!r}")
        with self._lock:
            self.state.deny(self._project(project), user, environment, permission)

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
            record = self.state.service_account(account.id)
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
            self.state.add_identity_to_project(record, proj, role)
            return credential

    def revoke(self, credential: Union[ApiKey, ServiceToken, ServiceAccount, MachineIdentity]) -> None:
        """Revoke a credential: its next request fails as with an unknown id."""
        if not isinstance(credential, (ApiKey, ServiceToken, ServiceAccount, MachineIdentity)):
            raise TypeError(f"cannot revoke {type(credential).__name__}")
        with self._lock:
            if isinstance(credential, ApiKey):
                self.state.delete_api_key(credential.id)
            elif isinstance(credential, ServiceToken):
                self.state.delete_service_token(credential.id)
            elif isinstance(credential, ServiceAccount):
                self.state.delete_service_account(credential.id)
            else:
                self.state.delete_identity(credential.client_id)
