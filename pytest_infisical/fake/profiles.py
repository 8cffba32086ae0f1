"""Server profiles: how each typed error becomes a status code and a body, per Infisical era.

* ``latest`` — today's Infisical (Fastify + Postgres backend): 401 for missing or invalid
  credentials, 403 for an auth mode a route does not accept and for permission or scope denials
  (``PermissionDenied``), 404 for unknown things, 422 for validation (``ValidationFailure``); the
  body is ``{"reqId", "statusCode", "message", "error"}``.
* ``2024-08`` — the August-2024 Fastify + Postgres backend (before ``/api/v4``): 403 for failed
  authentication, missing credentials and validation, 401 for permission denials, 400 for a
  missing secret and an unknown project; errors its handler did not map leave as Fastify's own
  ``{"statusCode", "error": "Internal Server Error", "message": <the raw message>}``.
* ``2023`` — the mid-2023 Express backend: 400 for header problems and for
  modes a route does not accept, 401 for wrong secrets, expiry and scope denials, 404 for unknown
  ids and missing secrets; the body is ``{"statusCode", "message", "error"}``. (The real server of
  that era sent ``{}`` because of an un-awaited Promise, §6.2; clients of the era read the status
  code only. The fake sends the intended message so that a failing test can say why.)

A profile changes statuses, messages, body shapes and headers, and declares as data the routes and
state rules in which eras differ. Adding one means adding one table and its fields.
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Optional

import attrs

from ..credential_headers import API_KEY, SERVICE_ACCOUNT
from ..faults import FASTIFY_HEADERS
from ..http import Response
from . import apierror as E
from .apierror import ApiError
from .routing import LOGIN_LIMIT, SECRETS_LIMIT, SERVICE_TOKEN_LIMIT

__all__ = ["PROFILES", "Profile", "RateLimits", "Rendering", "get_profile"]


@attrs.frozen
class Rendering:
    """One row of a profile table. ``message`` is a ``str.format`` template over the error's params."""

    status: int
    error: str
    message: str
    shape: str = "standard"  # "standard", "fastify-default" (no reqId) or "text"


@attrs.frozen
class RateLimits:
    """A server's own rate limits: for each rate-limit group (``SECRETS_LIMIT`` …, declared by the
    routes), how many requests each of its routes allows per ``window`` seconds and client address,
    counted once the request is authenticated; ``headers`` names the limit, remaining, reset and
    retry-after headers the server sends. A route of no listed group is not limited."""

    per_window: Mapping[str, int]
    window: float = 60
    headers: tuple[str, str, str, str] = FASTIFY_HEADERS


@attrs.frozen
class Profile:
    name: str
    description: str
    table: Mapping[str, Rendering]
    #: 2023: express-validator ran before requireAuth on the v3 secrets routes (§3.1 quirk).
    validate_before_auth: bool = False
    #: today: the credential is verified (onRequest hook) before the route checks the mode.
    authenticate_before_mode_check: bool = False
    #: today: a non-empty ``X-API-KEY`` is read before ``Authorization``; 2023 read a bearer first.
    api_key_wins: bool = False
    #: today: the body carries a request id.
    request_ids: bool = False
    #: today: a validation failure's message is the list of zod issues, not a sentence.
    zod_validation_messages: bool = False
    #: 2023: a validation failure's body adds express-validator's ``context.errors`` summary.
    validation_context: bool = False
    #: today: a permission error lists the actor's rules for the denied action as ``details``.
    permission_details: bool = False
    #: today: ``Authorization`` is read minus its first 7 characters whatever the scheme; a bearer
    #: that is not ``st.…`` goes to the JWT verifier.
    bearer_sliced: bool = False
    #: auth modes the server no longer serves: ``api_key`` (any ``X-API-KEY`` is refused on every
    #: route outside ``/api/v3/auth/``) and ``service_account`` (an ``sa.…`` bearer is a malformed token).
    retired_modes: frozenset[str] = frozenset()
    #: how a note to the test's author names this profile's server ("today's Infisical" …)
    server: str = "Infisical"
    #: today: revoking an access token that is already revoked answers 200 again.
    revoke_twice_succeeds: bool = False
    #: the exact keys of a document kind (``raw_secret``, ``service_token``, ``status``) as this
    #: server sends it; a kind not listed keeps the fake's union of every era's keys. A raw secret
    #: has the variants ``raw_secret.single`` (a single GET) and ``raw_secret.write`` (the answer
    #: to a write), which take ``raw_secret``'s keys unless listed.
    document_keys: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    #: ETag of a GET answer: ``weak`` is Express's ``W/"<len>-<sha1>"``; ``strong`` is Fastify's
    #: quoted SHA-1 (27 characters), and a route declared with its own digest (the raw lists,
    #: SHA-256 base64url, 43 characters) uses that one.
    etag: str = "weak"
    #: today: a raw list outside a service token's scope answers empty instead of refusing, and an
    #: import the caller may not read stays listed with its secrets hidden (2023 left it out).
    lists_filter_by_scope: bool = False
    #: today: a single raw GET with ``include_imports=true`` also finds a secret the caller may read
    #: through an import.
    single_get_finds_imports: bool = False
    #: today: a recursive list puts the sub-folders before the folder itself.
    subfolders_first: bool = False
    #: today: a written value is trimmed at both ends, one trailing newline kept.
    trims_values: bool = False
    #: today: a raw PATCH answers ``secretComment: ""`` unless it sent one (the stored comment stays).
    patch_echoes_unsent_comment_empty: bool = False
    #: 2023 (Express): duplicate slashes in a path collapse; today they are a route 404.
    collapses_slashes: bool = True
    #: since 2024: a caller other than a service token may name the project of a raw route by
    #: ``workspaceSlug`` (a service token may not).
    accepts_workspace_slug: bool = False
    #: the era-bound route families this server serves (a route declared with a ``family`` exists
    #: only under the profiles that list it; a route without one exists under every profile).
    route_families: frozenset[str] = frozenset()
    #: routes (``"GET /api/…/:param"``) whose handler ran before authentication: called without
    #: credentials, the handler crashed on the missing caller (an unmapped 500).
    unguarded_routes: frozenset[str] = frozenset()
    #: how this server names today's permission actions in its messages (``describeSecret`` → ``read``).
    action_names: Mapping[str, str] = attrs.field(factory=dict)
    #: 2024-08: a renewal that would carry an access token past its max TTL is refused, and the
    #: token deleted (today's server renews it).
    renew_refused_past_max_ttl: bool = False
    #: whether a list's imports are checked against the caller's scope (2024-08: they were not).
    imports_checked_against_scope: bool = True
    #: 2024-08: the raw list of a missing environment or folder answers empty instead of refusing.
    missing_folder_lists_empty: bool = False
    #: 2024-08: a raw PATCH must carry ``secretValue`` (a comment-only update is a validation error).
    patch_requires_value: bool = False
    #: 2024-08, v1 projects: a raw PATCH without ``secretComment`` clears the stored comment.
    v1_patch_clears_unsent_comment: bool = False
    #: 2024-08, v1 projects: lists show the newest secret first.
    v1_lists_newest_first: bool = False
    #: 2024-08, v1 projects: a single raw GET ignores ``expandSecretReferences``.
    v1_single_get_skips_expansion: bool = False
    #: 2024-08, v3 projects: raw lists carry ``imports`` only with ``include_imports=true``.
    v3_lists_imports_only_when_asked: bool = False
    #: 2024-08, v3 projects: a secret served through an import has ``workspace: ""``, no comment or
    #: reminder fields, and an empty value in a single GET.
    v3_imported_secrets_bare: bool = False
    #: 2024-08: an API key's session belongs to one organization (its user's first); any other
    #: organization in an organization route is refused before it is looked up.
    org_routes_check_session: bool = False
    #: headers every answer carries (helmet, CORS).
    response_headers: Mapping[str, str] = attrs.field(factory=dict)
    #: the server's own rate limits, on unless a test turns them off; None: no limiter (self-hosted today)
    rate_limits: Optional[RateLimits] = None

    def shaped(self, kind: str, document: dict[str, Any]) -> dict[str, Any]:
        """``document`` with exactly this server's keys for ``kind`` (unchanged when it lists none).

        A variant ``"<kind>.<answer>"`` (``raw_secret.single``) not listed takes its kind's keys."""
        keys = self.document_keys.get(kind, self.document_keys.get(kind.partition(".")[0]))
        if keys is None:
            return document
        return {key: value for key, value in document.items() if key in keys}

    def rendering(self, error: ApiError) -> Rendering:
        return self.table[error.reason.code]

    def _params(self, error: ApiError) -> Mapping[str, Any]:
        """The error's parameters, its permission action named as this server names it."""
        action = error.params.get("action")
        if action is None or action not in self.action_names:
            return error.params
        return {**error.params, "action": self.action_names[action]}

    def message(self, error: ApiError) -> Any:
        row = self.rendering(error)
        if error.reason is E.VALIDATION and self.zod_validation_messages:
            return [_zod_issue(issue) for issue in error.params.get("issues", [])]
        return row.message.format_map(self._params(error))

    def render(self, error: ApiError, headers: Optional[Mapping[str, str]] = None) -> Response:
        row = self.rendering(error)
        message = self.message(error)
        if row.shape == "text":
            return Response.text_body(row.status, str(message), headers)
        body: dict[str, Any] = {}
        if self.request_ids and row.shape == "standard":
            body["reqId"] = f"req-{_secrets.token_urlsafe(10)[:14]}"
        body.update({"statusCode": row.status, "message": message, "error": row.error.format_map(self._params(error))})
        if self.permission_details and row.error == "PermissionDenied":
            body["details"] = list(error.params.get("rules", []))
        elif self.permission_details and "details" in error.params:
            body["details"] = list(error.params["details"])
        if error.reason is E.VALIDATION and self.validation_context:
            body["context"] = {
                "errors": "One or more of your parameters are invalid "
                + f"[error(s)={'; '.join(i.get('message', '') + ' (' + '.'.join(map(str, i.get('path', []))) + ')' for i in error.params.get('issues', []))}]"
            }
        return Response.json_body(row.status, body, headers)

    def render_status(self, status: int, headers: dict[str, str]) -> Response:
        """This server's own 429 (``Retry-After`` from ``headers``) or 500 answer: the pipeline's
        ``render_error``. It carries the headers every answer of this server carries (helmet, CORS)."""
        headers = {**headers, **self.response_headers}
        return self.render(rate_limited(headers) if status == 429 else ApiError(E.INTERNAL), headers)


def rate_limited(headers: Mapping[str, str]) -> ApiError:
    """The refusal of a rate limiter whose answer carries ``headers`` (its ``Retry-After`` in the message)."""
    retry_after = next(v for k, v in headers.items() if k.lower() == "retry-after")
    return ApiError(E.RATE_LIMITED, retry_after=retry_after)


def _zod_issue(issue: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        "code": issue.get("code", "invalid_type"),
        "path": list(issue.get("path", [])),
        "message": issue.get("message", "Required"),
    }
    for extra in ("expected", "received", "options"):
        if extra in issue:
            out[extra] = issue[extra]
    return out


R = Rendering

_REFERENCE_DENIED = (
    "You do not have permission to read secret '{name}' in environment '{environment}' at path '{path}', "
    "which is referenced by secret '{referrer}' in environment '{referrer_environment}' at path '{referrer_path}'."
)
_REFERENCES_DENIED = "Failed to expand one or more secret references"
_INTERNAL_2023 = R(500, "internal_server_error", "The server encountered an error while processing the request")
_UNAUTHORIZED_2023 = "unauthorized"
_ENV_2023 = R(400, "bad_request", "Failed to validate workspace environment")
_FOLDER_2023 = R(500, "internal_server_error", "Folder not found")
_SECRET_2023 = R(404, "secret_not_found_error", "The requested secret was not found")
_MISSING_SCOPE_2023 = R(400, "bad_request", "Missing workspace id or environment")

TABLE_2023: Mapping[str, Rendering] = MappingProxyType(
    {
        E.MISSING_CREDENTIALS.code: R(400, "bad_request", "Missing Authorization or X-API-KEY in request header."),
        E.EMPTY_CREDENTIALS.code: R(400, "bad_request", "Missing valid Authorization or X-API-KEY in request header."),
        E.UNSUPPORTED_SCHEME.code: R(
            400, "bad_request", "The provided authentication type '{scheme}' is not supported."
        ),
        E.MODE_NOT_ACCEPTED.code: R(400, "bad_request", "The provided authentication type is not supported."),
        E.INVALID_JWT.code: _INTERNAL_2023,
        E.JWT_INVALID_TOKEN.code: _INTERNAL_2023,
        E.API_KEY_RETIRED.code: R(400, "bad_request", "API keys are not supported."),
        E.EXPIRED_JWT.code: R(401, _UNAUTHORIZED_2023, "Token expired"),
        E.IDENTITY_TOKEN_EXPIRED.code: R(401, _UNAUTHORIZED_2023, "Token expired"),
        E.SERVICE_TOKEN_MALFORMED.code: _INTERNAL_2023,
        E.SERVICE_TOKEN_UNKNOWN.code: R(404, "service_token_data_not_found_error", "Failed to find service token data"),
        E.SERVICE_TOKEN_EXPIRED.code: R(401, _UNAUTHORIZED_2023, "Failed to authenticate expired service token"),
        E.SERVICE_TOKEN_WRONG_SECRET.code: R(401, _UNAUTHORIZED_2023, "Failed to authenticate service token"),
        E.SERVICE_TOKEN_SECRET_MISSING.code: R(401, _UNAUTHORIZED_2023, "Failed to authenticate service token"),
        E.API_KEY_MALFORMED.code: _INTERNAL_2023,
        E.API_KEY_UNKNOWN.code: R(404, "api_key_data_not_found_error", "Failed to find API key data"),
        E.API_KEY_EXPIRED.code: R(401, _UNAUTHORIZED_2023, "Failed to authenticate expired API key"),
        E.API_KEY_WRONG_SECRET.code: R(401, _UNAUTHORIZED_2023, "Failed to authenticate API key"),
        E.API_KEY_SECRET_MISSING.code: R(401, _UNAUTHORIZED_2023, "Failed to authenticate API key"),
        E.SERVICE_ACCOUNT_MALFORMED.code: _INTERNAL_2023,
        E.SERVICE_ACCOUNT_UNKNOWN.code: R(404, "service_account_not_found_error", "Failed to find service account"),
        E.SERVICE_ACCOUNT_WRONG_SECRET.code: R(
            401, _UNAUTHORIZED_2023, "Failed to authenticate service account access key"
        ),
        E.IDENTITY_INVALID_CREDENTIALS.code: R(401, _UNAUTHORIZED_2023, "Invalid credentials"),
        E.IDENTITY_TOKEN_REVOKED.code: R(401, _UNAUTHORIZED_2023, "Failed to authorize revoked access token"),
        E.IDENTITY_RENEW_REVOKED.code: R(401, _UNAUTHORIZED_2023, "Failed to authorize revoked access token"),
        E.IDENTITY_RENEW_EXPIRED.code: R(
            401, _UNAUTHORIZED_2023, "Failed to renew MI access token due to TTL expiration"
        ),
        E.IDENTITY_RENEW_MAX_TTL.code: R(
            401, _UNAUTHORIZED_2023, "Failed to renew MI access token due to Max TTL expiration"
        ),
        E.IDENTITY_RENEW_PAST_MAX_TTL.code: R(
            401, _UNAUTHORIZED_2023, "Failed to renew MI access token due to Max TTL expiration"
        ),
        E.TOKEN_WRONG_PROJECT.code: R(
            401, _UNAUTHORIZED_2023, "Failed service token authorization for the given workspace"
        ),
        E.TOKEN_ENVIRONMENT_DENIED.code: R(
            401, _UNAUTHORIZED_2023, "Failed service token authorization for the given workspace environment"
        ),
        E.TOKEN_PERMISSION_DENIED.code: R(
            401,
            _UNAUTHORIZED_2023,
            "Failed service token authorization for the given workspace environment action: {permission}",
        ),
        E.TOKEN_PATH_DENIED.code: R(401, _UNAUTHORIZED_2023, "Folder Permission Denied"),
        E.ACCOUNT_ENVIRONMENT_DENIED.code: R(
            401, _UNAUTHORIZED_2023, "Failed service account authorization for the given workspace environment"
        ),
        E.ACCOUNT_PERMISSION_DENIED.code: R(
            401, _UNAUTHORIZED_2023, "Failed permissions authorization for workspace environment action : {permission}"
        ),
        E.ACCOUNT_OTHER_ORGANIZATION.code: R(
            401, _UNAUTHORIZED_2023, "Failed service account authorization for the given service account"
        ),
        E.MEMBER_NOT_IN_PROJECT.code: R(
            404, "workspace_membership_not_found_error", "Failed to find workspace membership"
        ),
        E.MEMBER_ENVIRONMENT_DENIED.code: R(
            401, _UNAUTHORIZED_2023, "Failed permissions authorization for workspace environment action : {permission}"
        ),
        E.MEMBER_ROLE_DENIED.code: R(400, "bad_request", "Failed authorization for membership role"),
        E.IDENTITY_NOT_IN_PROJECT.code: R(
            401, _UNAUTHORIZED_2023, "Failed identity authorization for the given workspace"
        ),
        E.IDENTITY_ROLE_DENIED.code: R(
            401,
            _UNAUTHORIZED_2023,
            "Failed identity authorization for the given workspace environment action: {permission}",
        ),
        E.REFERENCE_DENIED.code: R(401, _UNAUTHORIZED_2023, _REFERENCE_DENIED),
        E.REFERENCES_DENIED.code: R(401, _UNAUTHORIZED_2023, _REFERENCES_DENIED),
        E.ORG_NOT_MEMBER.code: R(
            404, "organization_membership_not_found_error", "Failed to find organization membership"
        ),
        E.ORG_ROLE_DENIED.code: R(401, _UNAUTHORIZED_2023, "Failed to validate organization membership role"),
        E.ORG_OTHER_SESSION.code: R(
            404, "organization_membership_not_found_error", "Failed to find organization membership"
        ),
        E.PROJECT_NOT_FOUND.code: R(404, "workspace_not_found_error", "Failed to find workspace"),
        E.ORG_NOT_FOUND.code: R(404, "organization_not_found_error", "Failed to find organization"),
        E.SERVICE_ACCOUNT_NOT_FOUND.code: R(404, "service_account_not_found_error", "Failed to find service account"),
        E.SERVICE_TOKEN_NOT_FOUND.code: R(
            404, "service_token_data_not_found_error", "Failed to find service token data"
        ),
        E.MEMBERSHIP_NOT_FOUND.code: R(404, "membership_not_found_error", "Failed to find membership"),
        E.ENVIRONMENT_NOT_FOUND.code: _ENV_2023,
        E.ENVIRONMENT_NOT_FOUND_FOR.code: _ENV_2023,
        E.FOLDER_NOT_FOUND.code: _FOLDER_2023,
        E.FOLDER_NOT_FOUND_FOR.code: _FOLDER_2023,
        E.SECRET_NOT_FOUND.code: _SECRET_2023,
        E.SECRET_TO_UPDATE_NOT_FOUND.code: _SECRET_2023,
        E.SECRET_TO_DELETE_NOT_FOUND.code: _SECRET_2023,
        E.KMS_SECRET_TO_UPDATE_NOT_FOUND.code: _SECRET_2023,
        E.KMS_SECRET_TO_DELETE_NOT_FOUND.code: _SECRET_2023,
        E.PROJECT_KEY_NOT_FOUND.code: _INTERNAL_2023,
        E.BLIND_INDEX_NOT_FOUND.code: R(400, "{operation}", "Blind index not found"),
        E.E2EE_ENABLED.code: R(
            400, "bad_request", "Failed workspace authorization due to end-to-end encryption not being disabled"
        ),
        E.SECRET_EXISTS.code: R(400, "bad_request", "Failed to create secret that already exists"),
        E.SECRET_NEW_NAME_EXISTS.code: R(400, "bad_request", "Secret with the new name already exists"),
        E.PERSONAL_WITHOUT_SHARED.code: R(
            400, "bad_request", "Failed to create personal secret override for no corresponding shared secret"
        ),
        E.FOLDER_EXISTS.code: R(400, "bad_request", "Folder with this name already exists"),
        E.PERMISSION_EXISTS.code: R(400, "bad_request", "Failed to add service account permission that already exists"),
        E.ENVIRONMENT_INVALID.code: R(400, "bad_request", "Failed to validate workspace environment"),
        E.VALIDATION.code: R(400, "validation_error", "The request failed validation"),
        E.BAD_JSON.code: _INTERNAL_2023,
        E.BAD_REQUEST.code: R(400, "bad_request", "{message}"),
        E.TOKEN_SCOPE_MISSING.code: _MISSING_SCOPE_2023,
        E.PROJECT_MISSING.code: _MISSING_SCOPE_2023,
        E.ENVIRONMENT_MISSING.code: _MISSING_SCOPE_2023,
        E.ROUTE_NOT_FOUND.code: R(404, "route_not_found", "The requested source '({method}){url}' was not found"),
        E.RATE_LIMITED.code: R(429, "", "Too many requests, please try again later.", shape="text"),
        E.INTERNAL.code: _INTERNAL_2023,
        E.UNHANDLED.code: _INTERNAL_2023,
    }
)

_NOT_ALLOWED = "You are not allowed to access this resource"
_DENIED = R(403, "PermissionDenied", "You are not allowed to {action} on secrets")
_MALFORMED_JWT = "The provided access token is malformed. Please use a valid token or generate a new one and try again."
_SOMETHING = R(500, "InternalServerError", "Something went wrong")
_PATH_NOT_FOUND = R(
    404,
    "SecretPathNotFound",
    "Folder with path '{path}' in environment '{environment}' was not found. "
    "Please ensure the environment slug and secret path is correct.",
)
_FOLDER_NOT_FOUND_FOR = R(
    404, "{operation}", "Folder with path '{path}' in environment with slug '{environment}' not found"
)

TABLE_LATEST: Mapping[str, Rendering] = MappingProxyType(
    {
        E.MISSING_CREDENTIALS.code: R(401, "UnauthorizedError", "Token missing"),
        E.EMPTY_CREDENTIALS.code: R(403, "TokenError", "jwt must be provided"),
        E.UNSUPPORTED_SCHEME.code: R(403, "TokenError", _MALFORMED_JWT),
        E.MODE_NOT_ACCEPTED.code: R(403, "Forbidden access to {url}", _NOT_ALLOWED),
        E.INVALID_JWT.code: R(403, "TokenError", _MALFORMED_JWT),
        E.JWT_INVALID_TOKEN.code: R(403, "TokenError", "invalid token"),
        E.API_KEY_RETIRED.code: R(
            400,
            "BadRequest",
            "API key authentication is not supported anymore. Please switch to identity authentication.",
        ),
        E.EXPIRED_JWT.code: R(403, "TokenError", "Your token has expired. Please re-authenticate."),
        E.IDENTITY_TOKEN_EXPIRED.code: R(403, "TokenError", "Your token has expired. Please re-authenticate."),
        E.SERVICE_TOKEN_MALFORMED.code: R(404, "NotFound", "Service token with ID '{id}' not found"),
        E.SERVICE_TOKEN_UNKNOWN.code: R(404, "NotFound", "Service token with ID '{id}' not found"),
        E.SERVICE_TOKEN_EXPIRED.code: R(403, "ForbiddenError", "Service token has expired"),
        E.SERVICE_TOKEN_WRONG_SECRET.code: R(401, "UnauthorizedError", "Invalid service token"),
        E.SERVICE_TOKEN_SECRET_MISSING.code: R(401, "UnauthorizedError", "Invalid service token"),
        E.API_KEY_MALFORMED.code: _SOMETHING,
        E.API_KEY_UNKNOWN.code: R(401, "UnauthorizedError", _NOT_ALLOWED),
        E.API_KEY_EXPIRED.code: R(401, "UnauthorizedError", _NOT_ALLOWED),
        E.API_KEY_WRONG_SECRET.code: R(401, "UnauthorizedError", _NOT_ALLOWED),
        E.API_KEY_SECRET_MISSING.code: R(401, "UnauthorizedError", _NOT_ALLOWED),
        # Service accounts left Infisical in Nov 2023; the fake keeps serving them and renders their
        # authentication failures the way today's server renders any invalid credential.
        E.SERVICE_ACCOUNT_MALFORMED.code: _SOMETHING,
        E.SERVICE_ACCOUNT_UNKNOWN.code: R(401, "UnauthorizedError", "Failed to find service account"),
        E.SERVICE_ACCOUNT_WRONG_SECRET.code: R(
            401, "UnauthorizedError", "Failed to authenticate service account access key"
        ),
        E.IDENTITY_INVALID_CREDENTIALS.code: R(401, "UnauthorizedError", "Invalid credentials"),
        E.IDENTITY_TOKEN_REVOKED.code: R(401, "UnauthorizedError", "Failed to authorize: token has been revoked"),
        E.IDENTITY_RENEW_REVOKED.code: R(401, "UnauthorizedError", "Cannot renew: token has been revoked"),
        E.IDENTITY_RENEW_EXPIRED.code: R(
            401, "UnauthorizedError", "Failed to renew MI access token due to TTL expiration"
        ),
        E.IDENTITY_RENEW_MAX_TTL.code: R(
            401, "UnauthorizedError", "Failed to renew MI access token due to Max TTL expiration"
        ),
        E.IDENTITY_RENEW_PAST_MAX_TTL.code: R(
            401, "UnauthorizedError", "Failed to renew MI access token due to Max TTL expiration"
        ),
        E.TOKEN_WRONG_PROJECT.code: R(
            403, "ForbiddenError", "Service token not a part of the specified project with ID {project_id}"
        ),
        E.TOKEN_ENVIRONMENT_DENIED.code: _DENIED,
        E.TOKEN_PERMISSION_DENIED.code: _DENIED,
        E.TOKEN_PATH_DENIED.code: _DENIED,
        E.ACCOUNT_ENVIRONMENT_DENIED.code: _DENIED,
        E.ACCOUNT_PERMISSION_DENIED.code: _DENIED,
        E.ACCOUNT_OTHER_ORGANIZATION.code: R(403, "ForbiddenError", _NOT_ALLOWED),
        E.MEMBER_NOT_IN_PROJECT.code: R(403, "User not a part of the specified project", _NOT_ALLOWED),
        E.MEMBER_ENVIRONMENT_DENIED.code: _DENIED,
        E.MEMBER_ROLE_DENIED.code: R(403, "PermissionDenied", "You are not allowed to {action}"),
        E.IDENTITY_NOT_IN_PROJECT.code: R(
            403,
            "ProjectMembershipNotFound",
            "You are not a member of this project with ID {project_id}. Please assign this identity to the project"
            " with the appropriate permissions, then try again.",
        ),
        E.IDENTITY_ROLE_DENIED.code: _DENIED,
        E.REFERENCE_DENIED.code: R(403, "ForbiddenError", _REFERENCE_DENIED),
        E.REFERENCES_DENIED.code: R(403, "ForbiddenError", _REFERENCES_DENIED),
        E.ORG_NOT_MEMBER.code: R(403, "User not a part of the specified organization", _NOT_ALLOWED),
        E.ORG_OTHER_SESSION.code: R(403, "ForbiddenError", "Scoped to different organization"),
        E.ORG_ROLE_DENIED.code: R(403, "PermissionDenied", "You are not allowed to read on workspace"),
        E.PROJECT_NOT_FOUND.code: R(
            404,
            "NotFound",
            "Project with ID '{project_id}' not found during bot lookup. Are you sure you are using the correct project ID?",
        ),
        E.ORG_NOT_FOUND.code: R(404, "NotFound", "Organization with ID '{organization_id}' not found"),
        E.SERVICE_ACCOUNT_NOT_FOUND.code: R(404, "NotFound", "Service account with ID '{id}' not found"),
        E.SERVICE_TOKEN_NOT_FOUND.code: R(404, "NotFound", "Service token with ID '{id}' not found"),
        E.MEMBERSHIP_NOT_FOUND.code: R(404, "NotFound", "Membership with ID '{id}' not found"),
        # the server looks a folder up by environment slug and path: an unknown environment is a missing folder
        E.ENVIRONMENT_NOT_FOUND.code: _PATH_NOT_FOUND,
        E.ENVIRONMENT_NOT_FOUND_FOR.code: _FOLDER_NOT_FOUND_FOR,
        E.FOLDER_NOT_FOUND.code: _PATH_NOT_FOUND,
        E.FOLDER_NOT_FOUND_FOR.code: _FOLDER_NOT_FOUND_FOR,
        E.SECRET_NOT_FOUND.code: R(404, "NotFound", "Secret with name '{name}' not found"),
        E.SECRET_TO_UPDATE_NOT_FOUND.code: R(404, "NotFound", "Secret with name {name} not found"),
        E.SECRET_TO_DELETE_NOT_FOUND.code: R(404, "NotFound", "Secret not found"),
        E.KMS_SECRET_TO_UPDATE_NOT_FOUND.code: R(404, "NotFound", "Secret with name {name} not found"),
        E.KMS_SECRET_TO_DELETE_NOT_FOUND.code: R(404, "NotFound", "Secret not found"),
        E.PROJECT_KEY_NOT_FOUND.code: R(404, "NotFound", "Project key not found"),
        E.BLIND_INDEX_NOT_FOUND.code: R(404, "{operation}", "Blind index for project with ID '{project_id}' not found"),
        E.E2EE_ENABLED.code: R(
            404,
            "NotFound",
            "Project bot not found for project with ID '{project_id}'. "
            "Please ask an administrator to log-in to the Infisical Console.",
        ),
        E.SECRET_EXISTS.code: R(400, "BadRequest", "Secret already exists"),
        E.SECRET_NEW_NAME_EXISTS.code: R(400, "BadRequest", "Secret with the new name already exists"),
        E.PERSONAL_WITHOUT_SHARED.code: R(
            400, "BadRequest", "Failed to create personal secret override for no corresponding shared secret"
        ),
        E.FOLDER_EXISTS.code: R(400, "BadRequest", "Folder with name '{name}' already exists"),
        E.PERMISSION_EXISTS.code: R(400, "BadRequest", "Service account permission already exists"),
        E.ENVIRONMENT_INVALID.code: R(400, "BadRequest", "Environment with slug '{environment}' not found"),
        E.VALIDATION.code: R(422, "ValidationFailure", ""),
        E.BAD_JSON.code: _SOMETHING,
        E.BAD_REQUEST.code: R(400, "BadRequest", "{message}"),
        E.TOKEN_SCOPE_MISSING.code: R(400, "BadRequest", "Missing project id or environment"),
        E.PROJECT_MISSING.code: R(400, "BadRequest", "You must provide projectSlug or workspaceId"),
        E.ENVIRONMENT_MISSING.code: R(400, "BadRequest", "Missing project id or environment"),
        E.ROUTE_NOT_FOUND.code: R(404, "Not Found", "Route {method}:{url} not found", shape="fastify-default"),
        E.RATE_LIMITED.code: R(
            429, "RateLimitExceeded", "Rate limit exceeded. Please try again in {retry_after} seconds"
        ),
        E.INTERNAL.code: _SOMETHING,
        E.UNHANDLED.code: _SOMETHING,
    }
)

#: the keys of the documents the August-2024 server sent; today's server changed a few (see ``LATEST``)
_RAW_SECRET_KEYS_2024 = frozenset(
    [
        "_id",
        "createdAt",
        "environment",
        "id",
        "metadata",
        "secretComment",
        "secretKey",
        "secretPath",
        "secretReminderNote",
        "secretReminderRepeatDays",
        "secretValue",
        "skipMultilineEncoding",
        "tags",
        "type",
        "updatedAt",
        "version",
        "workspace",
    ]
)
_SERVICE_TOKEN_KEYS_2024 = frozenset(
    [
        "__v",
        "_id",
        "createdAt",
        "createdBy",
        "encryptedKey",
        "expiresAt",
        "id",
        "iv",
        "lastUsed",
        "name",
        "permissions",
        "projectId",
        "scopes",
        "tag",
        "updatedAt",
        "user",
        "workspace",
    ]
)
_STATUS_KEYS_2024 = frozenset(
    [
        "date",
        "message",
        "emailConfigured",
        "inviteOnlySignup",
        "redisConfigured",
        "secretScanningConfigured",
    ]
)

LATEST = Profile(
    name="latest",
    description="today's Infisical: 401 bad credentials, 403 denied, 422 validation, {reqId, statusCode, message, error}",
    table=TABLE_LATEST,
    authenticate_before_mode_check=True,
    api_key_wins=True,
    request_ids=True,
    zod_validation_messages=True,
    permission_details=True,
    bearer_sliced=True,
    retired_modes=frozenset({API_KEY, SERVICE_ACCOUNT}),  # refused today: see docs/profiles.md
    server="today's Infisical",
    revoke_twice_succeeds=True,
    document_keys=MappingProxyType(
        {
            "raw_secret": (_RAW_SECRET_KEYS_2024 - {"metadata"})
            | {"isRotatedSecret", "rotationId", "secretMetadata", "secretValueHidden"},
            "service_token": _SERVICE_TOKEN_KEYS_2024 | {"expiryNotificationSent"},
            "status": _STATUS_KEYS_2024 | {"auditLogStorageDisabled", "maxIdentityAccessTokenTTL"},
        }
    ),
    lists_filter_by_scope=True,
    single_get_finds_imports=True,
    subfolders_first=True,
    trims_values=True,
    patch_echoes_unsent_comment_empty=True,
    collapses_slashes=False,
    etag="strong",
    route_families=frozenset(["v4", "project-memberships-v2", "select-organization"]),
    accepts_workspace_slug=True,
    response_headers=MappingProxyType(
        {
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN",
            "Vary": "Origin",
            "Access-Control-Allow-Credentials": "true",
        }
    ),
)
Y2023 = Profile(
    name="2023",
    description="mid-2023 Infisical: 400 header and mode problems, 401 wrong secrets, expiry and scope denials",
    table=TABLE_2023,
    server="the mid-2023 Infisical",
    validate_before_auth=True,
    validation_context=True,
    route_families=frozenset(["v4", "project-memberships-v2"]),
)

#: August 2024 (the Postgres/Fastify backend before ``/api/v4``): today's renderings except where
#: that server was measured to answer otherwise. Its error handler sent an ``UnauthorizedError``
#: as a 403, a CASL denial as a 401 and a zod error as a 403; anything it did not map went out
#: through Fastify's own serializer (status 500 or the error's own, ``Internal Server Error``/
#: ``Bad Request``, the raw message).
_NOT_ALLOWED_2024 = R(403, "UnauthorizedError", _NOT_ALLOWED)
_DENIED_2024 = R(401, "PermissionDenied", "You are not allowed to {action} on secrets")
_UNMAPPED_2024 = "Internal Server Error"
_BCRYPT_2024 = R(500, _UNMAPPED_2024, "data and hash arguments required")
_FOLDER_2024 = R(400, "Create secret", "Folder not found for the given environment slug & secret path")
_BLIND_INDEX_MISSING_2024 = R(400, "BadRequest", "Secret not found: blind index {name}")

TABLE_2024_08: Mapping[str, Rendering] = MappingProxyType(
    {
        **TABLE_LATEST,
        # @fastify/rate-limit's own answer: its window (one minute) in words
        E.RATE_LIMITED.code: R(429, "Too Many Requests", "Rate limit exceeded, retry in 1 minute"),
        E.MISSING_CREDENTIALS.code: R(403, "Unauthorized access", "Token missing"),
        E.EMPTY_CREDENTIALS.code: R(500, _UNMAPPED_2024, "jwt must be provided"),
        E.UNSUPPORTED_SCHEME.code: R(500, _UNMAPPED_2024, "jwt malformed"),
        E.MODE_NOT_ACCEPTED.code: R(403, "{url} Unauthorized Access", _NOT_ALLOWED),
        E.INVALID_JWT.code: R(500, _UNMAPPED_2024, "jwt malformed"),
        E.JWT_INVALID_TOKEN.code: R(500, _UNMAPPED_2024, "invalid token"),
        E.EXPIRED_JWT.code: R(500, _UNMAPPED_2024, "jwt expired"),
        E.IDENTITY_TOKEN_EXPIRED.code: _NOT_ALLOWED_2024,
        E.SERVICE_TOKEN_MALFORMED.code: _NOT_ALLOWED_2024,
        E.SERVICE_TOKEN_UNKNOWN.code: _NOT_ALLOWED_2024,
        E.SERVICE_TOKEN_EXPIRED.code: R(403, "UnauthorizedError", "failed to authenticate expired service token"),
        E.SERVICE_TOKEN_WRONG_SECRET.code: _NOT_ALLOWED_2024,
        E.SERVICE_TOKEN_SECRET_MISSING.code: _BCRYPT_2024,
        E.API_KEY_MALFORMED.code: _NOT_ALLOWED_2024,
        E.API_KEY_UNKNOWN.code: _NOT_ALLOWED_2024,
        E.API_KEY_EXPIRED.code: _NOT_ALLOWED_2024,
        E.API_KEY_WRONG_SECRET.code: _NOT_ALLOWED_2024,
        E.API_KEY_SECRET_MISSING.code: _BCRYPT_2024,
        E.SERVICE_ACCOUNT_MALFORMED.code: _NOT_ALLOWED_2024,
        E.SERVICE_ACCOUNT_UNKNOWN.code: _NOT_ALLOWED_2024,
        E.SERVICE_ACCOUNT_WRONG_SECRET.code: _NOT_ALLOWED_2024,
        E.IDENTITY_INVALID_CREDENTIALS.code: R(403, "UnauthorizedError", "Invalid credentials"),
        E.IDENTITY_TOKEN_REVOKED.code: _NOT_ALLOWED_2024,
        E.IDENTITY_RENEW_REVOKED.code: _NOT_ALLOWED_2024,
        E.IDENTITY_RENEW_EXPIRED.code: R(
            403, "UnauthorizedError", "Failed to renew MI access token due to TTL expiration"
        ),
        E.IDENTITY_RENEW_MAX_TTL.code: R(
            403, "UnauthorizedError", "Failed to renew MI access token due to Max TTL expiration"
        ),
        E.IDENTITY_RENEW_PAST_MAX_TTL.code: R(
            403, "UnauthorizedError", "Failed to renew MI access token past its Max TTL expiration"
        ),
        E.TOKEN_WRONG_PROJECT.code: R(
            403, "UnauthorizedError", "Failed to find service authorization for given project"
        ),
        E.TOKEN_ENVIRONMENT_DENIED.code: _DENIED_2024,
        E.TOKEN_PERMISSION_DENIED.code: _DENIED_2024,
        E.TOKEN_PATH_DENIED.code: _DENIED_2024,
        E.ACCOUNT_ENVIRONMENT_DENIED.code: _DENIED_2024,
        E.ACCOUNT_PERMISSION_DENIED.code: _DENIED_2024,
        E.MEMBER_ENVIRONMENT_DENIED.code: _DENIED_2024,
        E.IDENTITY_ROLE_DENIED.code: _DENIED_2024,
        E.MEMBER_ROLE_DENIED.code: R(401, "PermissionDenied", "You are not allowed to {action}"),
        E.ORG_ROLE_DENIED.code: R(401, "PermissionDenied", "You are not allowed to read on workspace"),
        E.MEMBER_NOT_IN_PROJECT.code: R(403, "User not in project", _NOT_ALLOWED),
        E.IDENTITY_NOT_IN_PROJECT.code: R(403, "Identity not in project", _NOT_ALLOWED),
        E.PROJECT_NOT_FOUND.code: R(400, "BadRequest", "Project not found during bot lookup."),
        E.ENVIRONMENT_NOT_FOUND.code: _FOLDER_2024,
        E.ENVIRONMENT_NOT_FOUND_FOR.code: _FOLDER_2024,
        E.FOLDER_NOT_FOUND.code: _FOLDER_2024,
        E.FOLDER_NOT_FOUND_FOR.code: _FOLDER_2024,
        E.SECRET_NOT_FOUND.code: R(400, "BadRequest", "Secret not found"),
        E.SECRET_TO_UPDATE_NOT_FOUND.code: _BLIND_INDEX_MISSING_2024,
        E.SECRET_TO_DELETE_NOT_FOUND.code: _BLIND_INDEX_MISSING_2024,
        E.KMS_SECRET_TO_UPDATE_NOT_FOUND.code: R(400, "BadRequest", "Secret not found"),
        E.KMS_SECRET_TO_DELETE_NOT_FOUND.code: R(
            500, _UNMAPPED_2024, "Cannot read properties of undefined (reading 'encryptedValue')"
        ),
        E.BLIND_INDEX_NOT_FOUND.code: R(400, "CreateSecret", "Blind index not found"),
        E.E2EE_ENABLED.code: R(400, "bot_not_found_error", "Failed to find bot key"),
        E.VALIDATION.code: R(403, "ValidationFailure", ""),
        E.BAD_JSON.code: R(400, "Bad Request", "{detail}"),
        E.TOKEN_SCOPE_MISSING.code: R(400, "BadRequest", "Missing workspace id or environment"),
        E.UNHANDLED.code: R(500, _UNMAPPED_2024, "{message}"),
    }
)

Y2024_08 = Profile(
    name="2024-08",
    description="August-2024 Infisical: 403 failed authentication, 401 permission, 400 missing secret, 403 validation",
    table=TABLE_2024_08,
    # service accounts left Infisical in November 2023: an ``sa.`` bearer is neither ``st.`` nor a JWT
    retired_modes=frozenset({SERVICE_ACCOUNT}),
    server="the August-2024 Infisical",
    authenticate_before_mode_check=True,
    api_key_wins=True,
    zod_validation_messages=True,
    bearer_sliced=True,
    document_keys=MappingProxyType(
        {
            "raw_secret": _RAW_SECRET_KEYS_2024,
            "raw_secret.single": _RAW_SECRET_KEYS_2024 - {"secretPath"},
            "raw_secret.write": _RAW_SECRET_KEYS_2024 - {"secretPath", "tags"},
            "service_token": _SERVICE_TOKEN_KEYS_2024,
            "user": frozenset(
                [
                    "id",
                    "email",
                    "authMethods",
                    "superAdmin",
                    "firstName",
                    "lastName",
                    "isAccepted",
                    "isMfaEnabled",
                    "mfaMethods",
                    "devices",
                    "createdAt",
                    "updatedAt",
                    "isGhost",
                    "username",
                    "isEmailVerified",
                    "consecutiveFailedMfaAttempts",
                    "isLocked",
                    "temporaryLockDateEnd",
                    "consecutiveFailedPasswordAttempts",
                    "clientPublicKey",
                    "serverPrivateKey",
                    "encryptionVersion",
                    "protectedKey",
                    "protectedKeyIV",
                    "protectedKeyTag",
                    "publicKey",
                    "encryptedPrivateKey",
                    "iv",
                    "tag",
                    "salt",
                    "verifier",
                    "userId",
                ]
            ),
            "organization": frozenset(
                [
                    "id",
                    "name",
                    "customerId",
                    "slug",
                    "createdAt",
                    "updatedAt",
                    "authEnforced",
                    "scimEnabled",
                    "kmsDefaultKeyId",
                    "kmsEncryptedDataKey",
                ]
            ),
            "organization_workspace": frozenset(["id", "name", "slug", "organization", "environments"]),
            "workspace": frozenset(
                [
                    "id",
                    "name",
                    "slug",
                    "autoCapitalization",
                    "orgId",
                    "createdAt",
                    "updatedAt",
                    "version",
                    "upgradeStatus",
                    "pitVersionLimit",
                    "kmsCertificateKeyId",
                    "auditLogsRetentionDays",
                    "_id",
                    "environments",
                ]
            ),
            "project_key": frozenset(
                [
                    "id",
                    "encryptedKey",
                    "nonce",
                    "receiverId",
                    "senderId",
                    "projectId",
                    "createdAt",
                    "updatedAt",
                    "sender",
                ]
            ),
            "project_key_sender": frozenset(["publicKey"]),
            "project_membership": frozenset(["id", "userId", "projectId", "user", "roles"]),
            "status": _STATUS_KEYS_2024,
        }
    ),
    trims_values=True,
    single_get_finds_imports=True,
    patch_echoes_unsent_comment_empty=True,
    collapses_slashes=False,
    etag="strong",
    route_families=frozenset(["project-memberships-v1", "workspace-v1", "select-organization"]),
    accepts_workspace_slug=True,
    unguarded_routes=frozenset(["GET /api/v2/workspace/:workspaceId/encrypted-key"]),
    action_names=MappingProxyType({"describeSecret": "read", "readValue": "read"}),
    renew_refused_past_max_ttl=True,
    imports_checked_against_scope=False,
    missing_folder_lists_empty=True,
    patch_requires_value=True,
    v1_patch_clears_unsent_comment=True,
    v1_lists_newest_first=True,
    v1_single_get_skips_expansion=True,
    v3_lists_imports_only_when_asked=True,
    v3_imported_secrets_bare=True,
    org_routes_check_session=True,
    response_headers=MappingProxyType(
        {
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN",
            "Vary": "Origin",
            "Access-Control-Allow-Credentials": "true",
        }
    ),
    rate_limits=RateLimits(MappingProxyType({SECRETS_LIMIT: 40, SERVICE_TOKEN_LIMIT: 60, LOGIN_LIMIT: 200})),
)

PROFILES: Mapping[str, Profile] = MappingProxyType({LATEST.name: LATEST, Y2024_08.name: Y2024_08, Y2023.name: Y2023})


def get_profile(name: str | Profile) -> Profile:
    """The profile named ``name`` (``"latest"``, ``"2024-08"`` or ``"2023"``)."""
    if isinstance(name, Profile):
        return name
    try:
        return PROFILES[str(name)]
    except KeyError:
        raise ValueError(f"unknown Infisical server profile {name!r}; choose one of {sorted(PROFILES)}") from None
