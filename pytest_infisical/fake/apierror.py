"""Typed error kinds raised inside the fake; a server profile renders them as HTTP responses.

Handlers never build an error response by hand. They raise ``ApiError(REASON, **params)``; the
fake's :mod:`~pytest_infisical.fake.profiles` table turns the reason into the status code, the
``error`` name and the message of the server era being imitated. Infisical's status codes
changed over the years (a denied scope was a 401 in 2023 and is a 403 today); that difference
lives in one table per profile, not in the handlers.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = ["ApiError", "Kind", "Reason"]


class Kind(enum.Enum):
    """What went wrong, in the words a test author uses."""

    MISSING_CREDENTIALS = "missing credentials"
    AUTHENTICATION_FAILED = "authentication failed"
    CREDENTIAL_EXPIRED = "credential expired"
    MODE_NOT_ACCEPTED = "auth mode not accepted by this route"
    PERMISSION_DENIED = "permission denied"
    NOT_FOUND = "not found"
    VALIDATION_FAILED = "validation failed"
    BAD_REQUEST = "bad request"
    RATE_LIMITED = "rate limited"
    NO_SUCH_ROUTE = "no such route"
    INTERNAL = "internal error"


@attrs.frozen
class Reason:
    """One precise cause inside a kind, e.g. ``service_token.expired``; profiles key on ``code``.

    ``params`` are the parameters every raise of it must give (the profiles' messages use them)."""

    code: str
    kind: Kind
    params: frozenset[str] = frozenset()


class ApiError(Exception):
    """Raised by a handler; carries the reason and exactly the parameters it declares.

    A missing or unknown parameter is a ``TypeError`` here, at the raise — never a ``{name}`` left
    in a response body."""

    def __init__(self, reason: Reason, **params: Any) -> None:
        if params.keys() != reason.params:
            missing = sorted(reason.params - params.keys())
            unknown = sorted(params.keys() - reason.params)
            raise TypeError(
                f"ApiError({reason.code}) takes {', '.join(sorted(reason.params)) or 'no parameters'}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
            )
        super().__init__(reason.code)
        self.reason = reason
        self.params = params

    @property
    def kind(self) -> Kind:
        return self.reason.kind

    def __repr__(self) -> str:
        return f"ApiError({self.reason.code}, {self.params!r})"


def _r(code: str, kind: Kind, *params: str) -> Reason:
    return Reason(code, kind, frozenset(params))


K = Kind

# ---- header parsing ----
MISSING_CREDENTIALS = _r("auth.missing", K.MISSING_CREDENTIALS)
EMPTY_CREDENTIALS = _r("auth.empty", K.MISSING_CREDENTIALS)
UNSUPPORTED_SCHEME = _r("auth.scheme", K.AUTHENTICATION_FAILED, "scheme")
MODE_NOT_ACCEPTED = _r("auth.mode", K.MODE_NOT_ACCEPTED, "mode", "url")
INVALID_JWT = _r("jwt.invalid", K.AUTHENTICATION_FAILED)  # jsonwebtoken's "jwt malformed"
JWT_INVALID_TOKEN = _r("jwt.invalid_token", K.AUTHENTICATION_FAILED)  # 3 parts, header not JSON: "invalid token"
API_KEY_RETIRED = _r("api_key.retired", K.AUTHENTICATION_FAILED)  # today's server refuses any X-API-KEY
EXPIRED_JWT = _r("jwt.expired", K.CREDENTIAL_EXPIRED)

# ---- credential validation (§3.3) ----
SERVICE_TOKEN_MALFORMED = _r("service_token.malformed", K.AUTHENTICATION_FAILED, "id")
SERVICE_TOKEN_UNKNOWN = _r("service_token.unknown", K.AUTHENTICATION_FAILED, "id")
SERVICE_TOKEN_EXPIRED = _r("service_token.expired", K.CREDENTIAL_EXPIRED, "id")
SERVICE_TOKEN_WRONG_SECRET = _r("service_token.secret", K.AUTHENTICATION_FAILED, "id")
API_KEY_MALFORMED = _r("api_key.malformed", K.AUTHENTICATION_FAILED, "id")
API_KEY_UNKNOWN = _r("api_key.unknown", K.AUTHENTICATION_FAILED, "id")
API_KEY_EXPIRED = _r("api_key.expired", K.CREDENTIAL_EXPIRED, "id")
API_KEY_WRONG_SECRET = _r("api_key.secret", K.AUTHENTICATION_FAILED, "id")
# a known id without a secret part: the server's hash comparison is handed nothing to compare
SERVICE_TOKEN_SECRET_MISSING = _r("service_token.secret_missing", K.AUTHENTICATION_FAILED, "id")
API_KEY_SECRET_MISSING = _r("api_key.secret_missing", K.AUTHENTICATION_FAILED, "id")
SERVICE_ACCOUNT_MALFORMED = _r("service_account.malformed", K.AUTHENTICATION_FAILED)
SERVICE_ACCOUNT_UNKNOWN = _r("service_account.unknown", K.AUTHENTICATION_FAILED, "id")
SERVICE_ACCOUNT_WRONG_SECRET = _r("service_account.secret", K.AUTHENTICATION_FAILED, "id")
IDENTITY_INVALID_CREDENTIALS = _r("identity.credentials", K.AUTHENTICATION_FAILED)
IDENTITY_TOKEN_REVOKED = _r("identity.revoked", K.AUTHENTICATION_FAILED)
#: an access token past its TTL (not renewed in time); past its max TTL the JWT itself has expired
IDENTITY_TOKEN_EXPIRED = _r("identity.expired", K.CREDENTIAL_EXPIRED)
IDENTITY_RENEW_REVOKED = _r("identity.renew_revoked", K.AUTHENTICATION_FAILED)
IDENTITY_RENEW_EXPIRED = _r("identity.renew_ttl", K.CREDENTIAL_EXPIRED)
IDENTITY_RENEW_MAX_TTL = _r("identity.renew_max_ttl", K.CREDENTIAL_EXPIRED)
#: a renewal would carry the token past its max TTL (refused, and the token deleted, where the profile says so)
IDENTITY_RENEW_PAST_MAX_TTL = _r("identity.renew_past_max_ttl", K.CREDENTIAL_EXPIRED)

# ---- authorization (§3.4) ----
# ``rules``: the actor's permission rules for the denied action (today's body lists them as ``details``)
TOKEN_WRONG_PROJECT = _r("scope.project", K.PERMISSION_DENIED, "project_id", "action")
TOKEN_ENVIRONMENT_DENIED = _r("scope.environment", K.PERMISSION_DENIED, "action", "environment", "rules")
TOKEN_PERMISSION_DENIED = _r("scope.permission", K.PERMISSION_DENIED, "permission", "action", "rules")
TOKEN_PATH_DENIED = _r("scope.path", K.PERMISSION_DENIED, "action", "path", "rules")
ACCOUNT_ENVIRONMENT_DENIED = _r("service_account.environment", K.PERMISSION_DENIED, "action", "permission", "rules")
ACCOUNT_PERMISSION_DENIED = _r("service_account.permission", K.PERMISSION_DENIED, "permission", "action", "rules")
MEMBER_NOT_IN_PROJECT = _r("member.project", K.PERMISSION_DENIED, "project_id", "action")
MEMBER_ENVIRONMENT_DENIED = _r("member.environment", K.PERMISSION_DENIED, "permission", "action", "rules")
MEMBER_ROLE_DENIED = _r("member.role", K.PERMISSION_DENIED, "action")
IDENTITY_NOT_IN_PROJECT = _r("identity.project", K.PERMISSION_DENIED, "project_id", "action")
IDENTITY_ROLE_DENIED = _r("identity.role", K.PERMISSION_DENIED, "permission", "action", "rules")
#: a ``${env.path.KEY}`` reference, expanded on request, to a secret the caller may not read;
#: ``referrer*`` name the secret whose value holds it
REFERENCE_DENIED = _r(
    "reference.denied",
    K.PERMISSION_DENIED,
    "name",
    "environment",
    "path",
    "referrer",
    "referrer_environment",
    "referrer_path",
)
#: a list whose expansion met such references; ``details``: the message of each refusal
REFERENCES_DENIED = _r("reference.list_denied", K.PERMISSION_DENIED, "details")
ORG_NOT_MEMBER = _r("organization.membership", K.PERMISSION_DENIED, "organization_id")
#: an API key used on an organization other than its session's (checked before the organization is looked up)
ORG_OTHER_SESSION = _r("organization.other_session", K.PERMISSION_DENIED, "organization_id")
ORG_ROLE_DENIED = _r("organization.role", K.PERMISSION_DENIED, "organization_id")
ACCOUNT_OTHER_ORGANIZATION = _r("service_account.organization", K.PERMISSION_DENIED)

# ---- resources (§5) ----
PROJECT_NOT_FOUND = _r("project.not_found", K.NOT_FOUND, "project_id")
ORG_NOT_FOUND = _r("organization.not_found", K.NOT_FOUND, "organization_id")
SERVICE_ACCOUNT_NOT_FOUND = _r("service_account.not_found", K.NOT_FOUND, "id")
SERVICE_TOKEN_NOT_FOUND = _r("service_token.not_found", K.NOT_FOUND, "id")
MEMBERSHIP_NOT_FOUND = _r("membership.not_found", K.NOT_FOUND, "id")
# a list names the missing place; a single secret's operation names it by the operation (``GetSecretByName`` …)
ENVIRONMENT_NOT_FOUND = _r("environment.not_found", K.NOT_FOUND, "environment", "project_id", "path")
ENVIRONMENT_NOT_FOUND_FOR = _r(
    "environment.not_found_for", K.NOT_FOUND, "operation", "environment", "project_id", "path"
)
FOLDER_NOT_FOUND = _r("folder.not_found", K.NOT_FOUND, "path", "environment")
FOLDER_NOT_FOUND_FOR = _r("folder.not_found_for", K.NOT_FOUND, "operation", "path", "environment")
SECRET_NOT_FOUND = _r("secret.not_found", K.NOT_FOUND, "name")
SECRET_TO_UPDATE_NOT_FOUND = _r("secret.not_found_update", K.NOT_FOUND, "name")
SECRET_TO_DELETE_NOT_FOUND = _r("secret.not_found_delete", K.NOT_FOUND, "name")
# the same in a v3 (KMS) project, whose secrets the server reaches by another code path
KMS_SECRET_TO_UPDATE_NOT_FOUND = _r("secret.kms_not_found_update", K.NOT_FOUND, "name")
KMS_SECRET_TO_DELETE_NOT_FOUND = _r("secret.kms_not_found_delete", K.NOT_FOUND, "name")
PROJECT_KEY_NOT_FOUND = _r("project_key.not_found", K.NOT_FOUND)
#: an encrypted (E2EE) route on a v3 (KMS) project; ``operation`` as the server names it
BLIND_INDEX_NOT_FOUND = _r("project.blind_index", K.NOT_FOUND, "operation", "project_id")
E2EE_ENABLED = _r("project.e2ee", K.BAD_REQUEST, "project_id")
SECRET_EXISTS = _r("secret.exists", K.BAD_REQUEST, "name")
SECRET_NEW_NAME_EXISTS = _r("secret.new_name_exists", K.BAD_REQUEST)  # a rename onto a taken name
PERSONAL_WITHOUT_SHARED = _r("secret.personal_without_shared", K.BAD_REQUEST)
FOLDER_EXISTS = _r("folder.exists", K.BAD_REQUEST, "name")
PERMISSION_EXISTS = _r("service_account.permission_exists", K.BAD_REQUEST)
ENVIRONMENT_INVALID = _r("environment.invalid", K.BAD_REQUEST, "environment")

# ---- requests ----
VALIDATION = _r("request.validation", K.VALIDATION_FAILED, "issues")  # issues: list of {path, message, code…}
BAD_JSON = _r("request.json", K.BAD_REQUEST, "detail")
BAD_REQUEST = _r("request.bad", K.BAD_REQUEST, "message")
#: a service token that does not set its own scope, called without project or environment
TOKEN_SCOPE_MISSING = _r("request.token_scope", K.BAD_REQUEST)
#: any other caller without a project (or without an environment)
PROJECT_MISSING = _r("request.project", K.BAD_REQUEST)
ENVIRONMENT_MISSING = _r("request.environment", K.BAD_REQUEST)
ROUTE_NOT_FOUND = _r("route.not_found", K.NO_SUCH_ROUTE, "method", "url")
RATE_LIMITED = _r("rate.limited", K.RATE_LIMITED, "retry_after")
INTERNAL = _r("internal", K.INTERNAL)
#: an exception the server's error handler did not map (a crash inside a route), with its message
UNHANDLED = _r("internal.unhandled", K.INTERNAL, "message")

ALL_REASONS: tuple[Reason, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Reason))
