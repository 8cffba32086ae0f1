"""Server profiles: every error reason's status, ``error`` and message in ``latest`` and ``2023``.

The expected rows are written down here, transcribed from PROTOCOL (the section after each row:
§13.1/§11.7/§9.1 for ``latest``, §6.3/§3.3/§3.4/§5 for ``2023``; ``D`` = tests/fidelity/DECISIONS.md;
``fake`` = a reason the protocol does not cover, pinned as the fake renders it), never read from the
profile under test. Each row is rendered from distinct sample parameters, so a message that
drops or swaps one shows. (``2024-08`` has its own fidelity tests.)
"""

from __future__ import annotations

from typing import Any, Union

import pytest

from pytest_infisical.fake import FakeInfisical, get_profile
from pytest_infisical.fake import apierror as E
from pytest_infisical.fake.apierror import ApiError

from .conftest import call

#: one distinct value per parameter a reason may take
PARAMS: dict[str, Any] = {
    "id": "ID",
    "scheme": "Basic",
    "url": "/URL",
    "method": "GET",
    "mode": "jwt",
    "action": "ACTION",
    "permission": "PERM",
    "name": "NAME",
    "path": "/PATH",
    "environment": "ENV",
    "project_id": "PROJECT",
    "organization_id": "ORG",
    "message": "MSG",
    "detail": "DETAIL",
    "retry_after": 7,
    "issues": [],
    "rules": [],
    "operation": "OPERATION",
    "details": ["D"],
    "referrer": "REF",
    "referrer_environment": "RENV",
    "referrer_path": "/RPATH",
}

Row = tuple[int, str, Union[str, list[Any]]]
_MALFORMED = "The provided access token is malformed. Please use a valid token or generate a new one and try again."

LATEST: dict[str, Row] = {
    "auth.missing": (401, "UnauthorizedError", "Token missing"),  # 13.1
    "auth.empty": (403, "TokenError", "jwt must be provided"),  # 13.1
    "auth.scheme": (403, "TokenError", _MALFORMED),  # 13.1
    "auth.mode": (403, "Forbidden access to /URL", "You are not allowed to access this resource"),  # D
    "jwt.invalid": (403, "TokenError", _MALFORMED),  # 13.1
    "jwt.invalid_token": (403, "TokenError", "invalid token"),  # 13.1
    "api_key.retired": (
        400,
        "BadRequest",
        "API key authentication is not supported anymore. Please switch to identity authentication.",
    ),  # 13.1
    "jwt.expired": (403, "TokenError", "Your token has expired. Please re-authenticate."),  # 11.7
    "service_token.malformed": (404, "NotFound", "Service token with ID 'ID' not found"),  # 13.1
    "service_token.unknown": (404, "NotFound", "Service token with ID 'ID' not found"),  # 13.1
    "service_token.expired": (403, "ForbiddenError", "Service token has expired"),  # 13.1
    "service_token.secret": (401, "UnauthorizedError", "Invalid service token"),  # 13.1
    "api_key.malformed": (500, "InternalServerError", "Something went wrong"),  # fake
    "api_key.unknown": (401, "UnauthorizedError", "You are not allowed to access this resource"),  # fake
    "api_key.expired": (401, "UnauthorizedError", "You are not allowed to access this resource"),  # fake
    "api_key.secret": (401, "UnauthorizedError", "You are not allowed to access this resource"),  # fake
    "service_account.malformed": (500, "InternalServerError", "Something went wrong"),  # fake
    "service_account.unknown": (401, "UnauthorizedError", "Failed to find service account"),  # fake
    "service_account.secret": (401, "UnauthorizedError", "Failed to authenticate service account access key"),  # fake
    "identity.credentials": (401, "UnauthorizedError", "Invalid credentials"),  # 13.1
    "identity.revoked": (401, "UnauthorizedError", "Failed to authorize: token has been revoked"),  # 13.1
    "identity.renew_revoked": (401, "UnauthorizedError", "Cannot renew: token has been revoked"),  # 13.1
    "identity.renew_ttl": (401, "UnauthorizedError", "Failed to renew MI access token due to TTL expiration"),  # 9.1
    "identity.renew_max_ttl": (
        401,
        "UnauthorizedError",
        "Failed to renew MI access token due to Max TTL expiration",
    ),  # 9.1
    "scope.project": (
        403,
        "ForbiddenError",
        "Service token not a part of the specified project with ID PROJECT",
    ),  # 13.1
    "scope.environment": (403, "PermissionDenied", "You are not allowed to ACTION on secrets"),  # 13.1
    "scope.permission": (403, "PermissionDenied", "You are not allowed to ACTION on secrets"),  # 13.1
    "scope.path": (403, "PermissionDenied", "You are not allowed to ACTION on secrets"),  # 13.1
    "service_account.environment": (403, "PermissionDenied", "You are not allowed to ACTION on secrets"),  # fake
    "service_account.permission": (403, "PermissionDenied", "You are not allowed to ACTION on secrets"),  # fake
    "member.project": (
        403,
        "User not a part of the specified project",
        "You are not allowed to access this resource",
    ),  # fake
    "member.environment": (403, "PermissionDenied", "You are not allowed to ACTION on secrets"),  # fake
    "member.role": (403, "PermissionDenied", "You are not allowed to ACTION"),  # fake
    "identity.project": (
        403,
        "ProjectMembershipNotFound",
        "You are not a member of this project with ID PROJECT. Please assign this identity to the project with the appropriate permissions, then try again.",
    ),  # 13.1/D
    "identity.role": (403, "PermissionDenied", "You are not allowed to ACTION on secrets"),  # 13.1
    "reference.denied": (
        403,
        "ForbiddenError",
        "You do not have permission to read secret 'NAME' in environment 'ENV' at path '/PATH', which is referenced by secret 'REF' in environment 'RENV' at path '/RPATH'.",
    ),  # D
    "reference.list_denied": (403, "ForbiddenError", "Failed to expand one or more secret references"),  # D
    "organization.membership": (
        403,
        "User not a part of the specified organization",
        "You are not allowed to access this resource",
    ),  # fake
    "organization.role": (403, "PermissionDenied", "You are not allowed to read on workspace"),  # fake
    # today's org permission check for a session of another organization (12.4's sentence; unreachable
    # by an API key today, which is refused first)
    "organization.other_session": (403, "ForbiddenError", "Scoped to different organization"),  # 12.4
    "service_account.organization": (403, "ForbiddenError", "You are not allowed to access this resource"),  # fake
    "project.not_found": (
        404,
        "NotFound",
        "Project with ID 'PROJECT' not found during bot lookup. Are you sure you are using the correct project ID?",
    ),  # 13.1/D
    "organization.not_found": (404, "NotFound", "Organization with ID 'ORG' not found"),  # fake
    "service_account.not_found": (404, "NotFound", "Service account with ID 'ID' not found"),  # fake
    "service_token.not_found": (404, "NotFound", "Service token with ID 'ID' not found"),  # fake
    "membership.not_found": (404, "NotFound", "Membership with ID 'ID' not found"),  # fake
    "environment.not_found": (
        404,
        "SecretPathNotFound",
        "Folder with path '/PATH' in environment 'ENV' was not found. Please ensure the environment slug and secret path is correct.",
    ),  # 13.1
    "environment.not_found_for": (
        404,
        "OPERATION",
        "Folder with path '/PATH' in environment with slug 'ENV' not found",
    ),  # 13.1/D
    "folder.not_found": (
        404,
        "SecretPathNotFound",
        "Folder with path '/PATH' in environment 'ENV' was not found. Please ensure the environment slug and secret path is correct.",
    ),  # 13.1
    "folder.not_found_for": (
        404,
        "OPERATION",
        "Folder with path '/PATH' in environment with slug 'ENV' not found",
    ),  # 13.1
    "secret.not_found": (404, "NotFound", "Secret with name 'NAME' not found"),  # 13.1
    "secret.not_found_update": (404, "NotFound", "Secret with name NAME not found"),  # 13.1
    "secret.not_found_delete": (404, "NotFound", "Secret not found"),  # 13.1
    "project_key.not_found": (404, "NotFound", "Project key not found"),  # fake
    "project.blind_index": (404, "OPERATION", "Blind index for project with ID 'PROJECT' not found"),  # 13.1
    "project.e2ee": (
        404,
        "NotFound",
        "Project bot not found for project with ID 'PROJECT'. Please ask an administrator to log-in to the Infisical Console.",
    ),  # D
    "secret.exists": (400, "BadRequest", "Secret already exists"),  # 13.1
    "secret.new_name_exists": (400, "BadRequest", "Secret with the new name already exists"),  # D
    "secret.personal_without_shared": (
        400,
        "BadRequest",
        "Failed to create personal secret override for no corresponding shared secret",
    ),  # fake
    "folder.exists": (400, "BadRequest", "Folder with name 'NAME' already exists"),  # fake
    "service_account.permission_exists": (400, "BadRequest", "Service account permission already exists"),  # fake
    "environment.invalid": (400, "BadRequest", "Environment with slug 'ENV' not found"),  # fake
    "request.validation": (422, "ValidationFailure", []),  # 13.1
    "request.json": (500, "InternalServerError", "Something went wrong"),  # 13.1
    "request.bad": (400, "BadRequest", "MSG"),  # fake
    "request.token_scope": (400, "BadRequest", "Missing project id or environment"),  # 13.1
    "request.project": (400, "BadRequest", "You must provide projectSlug or workspaceId"),  # 13.1
    "request.environment": (400, "BadRequest", "Missing project id or environment"),  # fake
    "route.not_found": (404, "Not Found", "Route GET:/URL not found"),  # 13.1
    "rate.limited": (429, "RateLimitExceeded", "Rate limit exceeded. Please try again in 7 seconds"),  # 13.2
    "internal": (500, "InternalServerError", "Something went wrong"),  # 11.7
    # a credential sent without its secret part answers as a wrong secret (13.1), a token past its
    # TTL as any expired JWT (13.1), a renewal past max TTL as one at it (fake: latest renews), a KMS
    # project's missing secret as any missing secret (13.1), an unmapped crash as the generic 500 (13.1)
    "service_token.secret_missing": (401, "UnauthorizedError", "Invalid service token"),
    "api_key.secret_missing": (401, "UnauthorizedError", "You are not allowed to access this resource"),
    "identity.expired": (403, "TokenError", "Your token has expired. Please re-authenticate."),
    "identity.renew_past_max_ttl": (
        401,
        "UnauthorizedError",
        "Failed to renew MI access token due to Max TTL expiration",
    ),
    "secret.kms_not_found_update": (404, "NotFound", "Secret with name NAME not found"),
    "secret.kms_not_found_delete": (404, "NotFound", "Secret not found"),
    "internal.unhandled": (500, "InternalServerError", "Something went wrong"),
}
Y2023: dict[str, Row] = {
    "auth.missing": (400, "bad_request", "Missing Authorization or X-API-KEY in request header."),  # 6.3
    "auth.empty": (400, "bad_request", "Missing valid Authorization or X-API-KEY in request header."),  # 3.1
    "auth.scheme": (400, "bad_request", "The provided authentication type 'Basic' is not supported."),  # 6.3
    "auth.mode": (400, "bad_request", "The provided authentication type is not supported."),  # 6.3
    "jwt.invalid": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),  # 3.3
    "jwt.invalid_token": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),  # fake
    "api_key.retired": (400, "bad_request", "API keys are not supported."),  # fake
    "jwt.expired": (401, "unauthorized", "Token expired"),  # 6.3
    "service_token.malformed": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),  # 6.3
    "service_token.unknown": (404, "service_token_data_not_found_error", "Failed to find service token data"),  # 6.3
    "service_token.expired": (401, "unauthorized", "Failed to authenticate expired service token"),  # 6.3
    "service_token.secret": (401, "unauthorized", "Failed to authenticate service token"),  # 6.3
    "api_key.malformed": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),  # 6.3
    "api_key.unknown": (404, "api_key_data_not_found_error", "Failed to find API key data"),  # 6.3
    "api_key.expired": (401, "unauthorized", "Failed to authenticate expired API key"),  # 6.3
    "api_key.secret": (401, "unauthorized", "Failed to authenticate API key"),  # 6.3
    "service_account.malformed": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),  # 6.3
    "service_account.unknown": (404, "service_account_not_found_error", "Failed to find service account"),  # 3.3
    "service_account.secret": (401, "unauthorized", "Failed to authenticate service account access key"),  # 3.3
    "identity.credentials": (401, "unauthorized", "Invalid credentials"),  # fake
    "identity.revoked": (401, "unauthorized", "Failed to authorize revoked access token"),  # fake
    "identity.renew_revoked": (401, "unauthorized", "Failed to authorize revoked access token"),  # fake
    "identity.renew_ttl": (401, "unauthorized", "Failed to renew MI access token due to TTL expiration"),  # fake
    "identity.renew_max_ttl": (
        401,
        "unauthorized",
        "Failed to renew MI access token due to Max TTL expiration",
    ),  # fake
    "scope.project": (401, "unauthorized", "Failed service token authorization for the given workspace"),  # 3.4
    "scope.environment": (
        401,
        "unauthorized",
        "Failed service token authorization for the given workspace environment",
    ),  # 3.4
    "scope.permission": (
        401,
        "unauthorized",
        "Failed service token authorization for the given workspace environment action: PERM",
    ),  # 3.4
    "scope.path": (401, "unauthorized", "Folder Permission Denied"),  # 3.4
    "service_account.environment": (
        401,
        "unauthorized",
        "Failed service account authorization for the given workspace environment",
    ),  # 3.4
    "service_account.permission": (
        401,
        "unauthorized",
        "Failed permissions authorization for workspace environment action : PERM",
    ),  # 3.4
    "member.project": (404, "workspace_membership_not_found_error", "Failed to find workspace membership"),  # 6.3
    "member.environment": (
        401,
        "unauthorized",
        "Failed permissions authorization for workspace environment action : PERM",
    ),  # 6.3
    "member.role": (400, "bad_request", "Failed authorization for membership role"),  # 6.3
    "identity.project": (401, "unauthorized", "Failed identity authorization for the given workspace"),  # fake
    "identity.role": (
        401,
        "unauthorized",
        "Failed identity authorization for the given workspace environment action: PERM",
    ),  # fake
    "reference.denied": (
        401,
        "unauthorized",
        "You do not have permission to read secret 'NAME' in environment 'ENV' at path '/PATH', which is referenced by secret 'REF' in environment 'RENV' at path '/RPATH'.",
    ),  # fake
    "reference.list_denied": (401, "unauthorized", "Failed to expand one or more secret references"),  # fake
    "organization.membership": (
        404,
        "organization_membership_not_found_error",
        "Failed to find organization membership",
    ),  # 5.5
    "organization.role": (401, "unauthorized", "Failed to validate organization membership role"),  # 5.5
    # 2023 never raises it (no session organizations): rendered as the membership it lacks
    "organization.other_session": (
        404,
        "organization_membership_not_found_error",
        "Failed to find organization membership",
    ),  # fake
    "service_account.organization": (
        401,
        "unauthorized",
        "Failed service account authorization for the given service account",
    ),  # fake
    "project.not_found": (404, "workspace_not_found_error", "Failed to find workspace"),  # 6.3
    "organization.not_found": (404, "organization_not_found_error", "Failed to find organization"),  # 5.5
    "service_account.not_found": (404, "service_account_not_found_error", "Failed to find service account"),  # fake
    "service_token.not_found": (404, "service_token_data_not_found_error", "Failed to find service token data"),  # 6.3
    "membership.not_found": (404, "membership_not_found_error", "Failed to find membership"),  # fake
    "environment.not_found": (400, "bad_request", "Failed to validate workspace environment"),  # 5.7
    "environment.not_found_for": (400, "bad_request", "Failed to validate workspace environment"),  # 5.7
    "folder.not_found": (500, "internal_server_error", "Folder not found"),  # 5.2
    "folder.not_found_for": (500, "internal_server_error", "Folder not found"),  # 5.2
    "secret.not_found": (404, "secret_not_found_error", "The requested secret was not found"),  # 6.3
    "secret.not_found_update": (404, "secret_not_found_error", "The requested secret was not found"),  # 6.3
    "secret.not_found_delete": (404, "secret_not_found_error", "The requested secret was not found"),  # 6.3
    "project_key.not_found": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),  # fake
    "project.blind_index": (400, "OPERATION", "Blind index not found"),  # fake
    "project.e2ee": (
        400,
        "bad_request",
        "Failed workspace authorization due to end-to-end encryption not being disabled",
    ),  # 6.3
    "secret.exists": (400, "bad_request", "Failed to create secret that already exists"),  # 5.2
    "secret.new_name_exists": (400, "bad_request", "Secret with the new name already exists"),  # fake
    "secret.personal_without_shared": (
        400,
        "bad_request",
        "Failed to create personal secret override for no corresponding shared secret",
    ),  # 5.2
    "folder.exists": (400, "bad_request", "Folder with this name already exists"),  # fake
    "service_account.permission_exists": (
        400,
        "bad_request",
        "Failed to add service account permission that already exists",
    ),  # fake
    "environment.invalid": (400, "bad_request", "Failed to validate workspace environment"),  # 5.7
    "request.validation": (400, "validation_error", "The request failed validation"),  # 6.3
    "request.json": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),  # fake
    "request.bad": (400, "bad_request", "MSG"),  # fake
    "request.token_scope": (400, "bad_request", "Missing workspace id or environment"),  # 9.2
    "request.project": (400, "bad_request", "Missing workspace id or environment"),  # 9.2
    "request.environment": (400, "bad_request", "Missing workspace id or environment"),  # 9.2
    "route.not_found": (404, "route_not_found", "The requested source '(GET)/URL' was not found"),  # 6.3
    "rate.limited": (429, "", "Too many requests, please try again later."),  # 6.4
    "internal": (500, "internal_server_error", "The server encountered an error while processing the request"),  # fake
    # the same situations as their 2023 counterparts: wrong secret (3.3), expired token, renewal at
    # max TTL (fake), missing secret (6.3), the generic 500 (fake)
    "service_token.secret_missing": (401, "unauthorized", "Failed to authenticate service token"),
    "api_key.secret_missing": (401, "unauthorized", "Failed to authenticate API key"),
    "identity.expired": (401, "unauthorized", "Token expired"),
    "identity.renew_past_max_ttl": (401, "unauthorized", "Failed to renew MI access token due to Max TTL expiration"),
    "secret.kms_not_found_update": (404, "secret_not_found_error", "The requested secret was not found"),
    "secret.kms_not_found_delete": (404, "secret_not_found_error", "The requested secret was not found"),
    "internal.unhandled": (
        500,
        "internal_server_error",
        "The server encountered an error while processing the request",
    ),
}

EXPECTED = {"latest": LATEST, "2023": Y2023}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_tables_cover_exactly_the_reasons(name: str) -> None:
    """A new reason needs its expected row here before it can ship."""
    assert set(EXPECTED[name]) == {reason.code for reason in E.ALL_REASONS}
    assert set(get_profile(name).table) == {reason.code for reason in E.ALL_REASONS}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("reason", E.ALL_REASONS, ids=lambda r: r.code)
def test_every_reason_renders_as_the_protocol_says(name: str, reason: E.Reason) -> None:
    status, error, message = EXPECTED[name][reason.code]
    response = get_profile(name).render(ApiError(reason, **{param: PARAMS[param] for param in reason.params}))
    assert response.status == status
    if status == 429 and name == "2023":  # express-rate-limit's plain-text body (§6.4)
        assert (response.text, response.headers["Content-Type"]) == (message, "text/html; charset=utf-8")
        return
    body = response.json()
    assert (body["statusCode"], body["error"], body["message"]) == (status, error, message)
    expected_keys = {"statusCode", "message", "error"}
    if name == "latest" and reason is not E.ROUTE_NOT_FOUND:  # Fastify's own 404 has no reqId (§13.1)
        expected_keys.add("reqId")
    if name == "latest" and (error == "PermissionDenied" or "details" in reason.params):
        expected_keys.add("details")
    if name == "2023" and reason is E.VALIDATION:
        expected_keys.add("context")
    assert set(body) == expected_keys


def test_a_reason_raised_without_its_parameters_fails_at_the_raise() -> None:
    with pytest.raises(TypeError) as missing:
        ApiError(E.SECRET_NOT_FOUND)
    assert str(missing.value) == "ApiError(secret.not_found) takes name; missing name"
    with pytest.raises(TypeError) as unknown:
        ApiError(E.INVALID_JWT, token="x")
    assert str(unknown.value) == "ApiError(jwt.invalid) takes no parameters; unknown token"


def test_latest_body_shape() -> None:
    response = call(FakeInfisical(profile="latest"), "GET", "/api/v2/users/me")
    body = response.json()
    assert list(body) == ["reqId", "statusCode", "message", "error"]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_2023_body_shape() -> None:
    body = call(FakeInfisical(profile="2023"), "GET", "/api/v2/users/me").json()
    assert body == {
        "statusCode": 400,
        "message": "Missing Authorization or X-API-KEY in request header.",
        "error": "bad_request",
    }


def test_unknown_routes(profile: str) -> None:
    response = call(FakeInfisical(profile=profile), "GET", "/api/v9/nothing?x=1")
    expected = {
        "2023": {
            "statusCode": 404,
            "message": "The requested source '(GET)/api/v9/nothing?x=1' was not found",
            "error": "route_not_found",
        },
        "latest": {"statusCode": 404, "message": "Route GET:/api/v9/nothing?x=1 not found", "error": "Not Found"},
    }[profile]
    assert (response.status, response.json()) == (404, expected)


def test_rate_limited_is_plain_text_in_2023() -> None:
    response = get_profile("2023").render(ApiError(E.RATE_LIMITED, retry_after=60))
    assert (response.status, response.text) == (429, "Too many requests, please try again later.")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    latest = get_profile("latest").render(ApiError(E.RATE_LIMITED, retry_after=7)).json()
    assert (latest["error"], latest["message"]) == (
        "RateLimitExceeded",
        "Rate limit exceeded. Please try again in 7 seconds",
    )


def test_unknown_profile_names_the_choices() -> None:
    with pytest.raises(
        ValueError, match=r"unknown Infisical server profile '2022'; choose one of \['2023', '2024-08', 'latest'\]"
    ):
        FakeInfisical(profile="2022")
