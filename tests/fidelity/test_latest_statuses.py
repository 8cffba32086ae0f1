"""`latest` answers as the recent measured server does: statuses, `error` and `message` (§13.1).

Each case names the row of the measured server's table it comes from. Every error body carries a
``reqId`` (``req-...``); permission errors carry the actor's CASL rules as ``details``.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical

from .conftest import (
    MALFORMED,
    NOT_A_JWT,
    Api,
    assert_error,
    bearer,
    create_project,
    identity_headers,
    login,
    raw_query,
    zod_issue,
)

pytestmark = pytest.mark.infisical(profile="latest")


# ---- authentication -------------------------------------------------------------------------

ROUTES_NEEDING_AUTH = [
    ("GET", "/api/v3/secrets/raw"),
    ("GET", "/api/v3/secrets/raw/EXISTING"),
    ("GET", "/api/v3/secrets"),
    ("GET", "/api/v4/secrets"),
    ("GET", "/api/v2/service-token"),
]


@pytest.mark.parametrize(
    ("method", "path"), ROUTES_NEEDING_AUTH, ids=[f"13.1 no credentials {m} {p}" for m, p in ROUTES_NEEDING_AUTH]
)
def test_no_credentials_is_401_token_missing(api: Api, infisical: FakeInfisical, method: str, path: str) -> None:
    response = api(method, path, params=raw_query(infisical))
    assert_error(response, 401, "UnauthorizedError", "Token missing")


def test_service_token_wrong_secret_part(api: Api, infisical_service_token: ServiceToken) -> None:
    """§13.1 service token, wrong secret part."""
    response = api("GET", "/api/v2/service-token", headers=bearer(f"st.{infisical_service_token.id}.{'0' * 32}"))
    assert_error(response, 401, "UnauthorizedError", "Invalid service token")


UNKNOWN_IDS = [
    pytest.param("st.abc", "abc", id="13.1 malformed id st.abc"),
    pytest.param("st.not-a-uuid.x", "not-a-uuid", id="13.1 malformed id st.not-a-uuid.x"),
    pytest.param(f"st.{'a' * 24}.{'b' * 32}", "a" * 24, id="13.1 unknown id"),
    pytest.param(f"st.{'a' * 24}.{'b' * 32}.{'c' * 32}", "a" * 24, id="13.1 unknown id, 4 parts"),
]


@pytest.mark.parametrize(("token", "echoed"), UNKNOWN_IDS)
@pytest.mark.parametrize("path", ["/api/v2/service-token", "/api/v3/secrets/raw"])
def test_unknown_or_malformed_service_token_id_is_404(
    api: Api, infisical: FakeInfisical, token: str, echoed: str, path: str
) -> None:
    response = api("GET", path, headers=bearer(token), params=raw_query(infisical))
    assert_error(response, 404, "NotFound", f"Service token with ID '{echoed}' not found")


def test_expired_service_token_then_unknown(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 service token expired, first use (then deleted: later uses get the 404)."""
    token = infisical.create_service_token(expires_in=60)
    infisical.clock.advance(61)
    first = api("GET", "/api/v2/service-token", headers=token.headers)
    assert_error(first, 403, "ForbiddenError", "Service token has expired")
    second = api("GET", "/api/v2/service-token", headers=token.headers)
    assert_error(second, 404, "NotFound", f"Service token with ID '{token.id}' not found")


TOKEN_ERRORS = [
    pytest.param(header, MALFORMED if verdict == "jwt malformed" else verdict, id=f"13.1 TokenError: {label}")
    for label, header, verdict in NOT_A_JWT
]


@pytest.mark.parametrize(("header", "message"), TOKEN_ERRORS)
def test_bearer_neither_service_token_nor_jwt_is_a_token_error(
    api: Api,
    infisical: FakeInfisical,
    infisical_service_token: ServiceToken,
    header: Callable[[ServiceToken], str],
    message: str,
) -> None:
    response = api(
        "GET",
        "/api/v3/secrets/raw",
        headers={"Authorization": header(infisical_service_token)},
        params=raw_query(infisical),
    )
    assert_error(response, 403, "TokenError", message)


def test_lower_case_bearer_scheme_works(
    api: Api, infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    """§13.2 (as §12.1): `bearer st...` authenticates; only the first 7 characters are dropped."""
    response = api(
        "GET", "/api/v2/service-token", headers={"Authorization": f"bearer {infisical_service_token.bearer}"}
    )
    assert response.status_code == 200, response.text


# ---- permissions ----------------------------------------------------------------------------


def rule(action: str, environment: str = "dev", path: str = "/**") -> dict[str, Any]:
    """One CASL rule of a service token's scope, as the permission error's `details` lists it."""
    return {
        "action": action,
        "inverted": False,
        "subject": "secrets",
        "conditions": {"secretPath": {"$glob": path}, "environment": environment},
    }


def glob_token(fake: FakeInfisical, permissions: tuple[str, ...] = ("read", "write")) -> dict[str, str]:
    return fake.create_service_token(scopes=[("dev", "/**")], permissions=permissions).headers


PERMISSION_CASES = [
    pytest.param(
        "POST",
        "/api/v3/secrets/raw/NEW",
        {"secretValue": "v"},
        "create",
        id="13.1 permission: write outside scope (create)",
    ),
    pytest.param(
        "PATCH",
        "/api/v3/secrets/raw/EXISTING",
        {"secretValue": "v"},
        "edit",
        id="13.1 permission: write outside scope (edit)",
    ),
    pytest.param(
        "DELETE", "/api/v3/secrets/raw/EXISTING", {}, "delete", id="13.1 permission: write outside scope (delete)"
    ),
    pytest.param(
        "GET",
        "/api/v3/secrets/raw/EXISTING",
        None,
        "describeSecret",
        id="13.1 permission: single get outside scope is describeSecret",
    ),
    pytest.param(
        "GET", "/api/v3/secrets", None, "readValue", id="13.1 permission: encrypted list outside scope is readValue"
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "action"), PERMISSION_CASES)
def test_outside_scope_is_permission_denied_with_the_rules(
    api: Api, infisical: FakeInfisical, method: str, path: str, body: Any, action: str
) -> None:
    infisical.set_secret("EXISTING", "value", environment="prod")
    headers = glob_token(infisical)
    where = raw_query(infisical, environment="prod")
    if body is None:
        response = api(method, path, headers=headers, params=where)
    else:
        response = api(method, path, headers=headers, json={**where, **body})
    assert_error(
        response, 403, "PermissionDenied", f"You are not allowed to {action} on secrets", details=[rule(action)]
    )


def test_read_only_token_writing_has_no_rule_for_the_action(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 permission denied, read-only token writing: `details` is empty when no rule applies."""
    headers = glob_token(infisical, permissions=("read",))
    response = api(
        "POST", "/api/v3/secrets/raw/NEW", headers=headers, json={**raw_query(infisical), "secretValue": "v"}
    )
    assert_error(response, 403, "PermissionDenied", "You are not allowed to create on secrets", details=[])


def test_viewer_identity_writing(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 permission denied, viewer."""
    headers = identity_headers(api, role="viewer")
    response = api(
        "POST", "/api/v3/secrets/raw/NEW", headers=headers, json={**raw_query(infisical), "secretValue": "v"}
    )
    assert_error(response, 403, "PermissionDenied", "You are not allowed to create on secrets", details=[])


# ---- validation and bodies ------------------------------------------------------------------

VALIDATION_CASES = [
    pytest.param(
        "POST", "/api/v3/secrets/raw/NEW", "secretValue", True, id="13.1 validation: create without secretValue"
    ),
    pytest.param(
        "POST",
        "/api/v1/auth/universal-auth/login",
        "clientSecret",
        False,
        id="13.1 validation: login without clientSecret",
    ),
    pytest.param(
        "POST", "/api/v1/auth/token/renew", "accessToken", False, id="13.1 validation: renew without accessToken"
    ),
]


@pytest.mark.parametrize(("method", "path", "missing", "secrets_route"), VALIDATION_CASES)
def test_validation_is_422_with_the_zod_issues(
    api: Api, infisical: FakeInfisical, method: str, path: str, missing: str, secrets_route: bool
) -> None:
    if secrets_route:
        body: dict[str, Any] = raw_query(infisical)
        headers = identity_headers(api)
    else:
        identity = infisical.create_machine_identity()
        body = {"clientId": identity.client_id} if missing == "clientSecret" else {}
        headers = {}
    response = api(method, path, headers=headers, json=body)
    assert_error(response, 422, "ValidationFailure", [zod_issue(missing)])


def test_malformed_json_body_is_500(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 malformed JSON body."""
    headers = {**identity_headers(api), "Content-Type": "application/json"}
    response = api("POST", "/api/v3/secrets/raw/NEW", headers=headers, data=b'{"workspaceId": ')
    assert_error(response, 500, "InternalServerError", "Something went wrong")


# ---- state errors ---------------------------------------------------------------------------

MISSING_SECRET = [
    pytest.param("GET", None, "Secret with name 'MISSING' not found", id="13.1 missing secret: GET"),
    pytest.param("PATCH", {"secretValue": "v"}, "Secret with name MISSING not found", id="13.1 missing secret: PATCH"),
    pytest.param("DELETE", {}, "Secret not found", id="13.1 missing secret: DELETE"),
]


@pytest.mark.parametrize(("method", "body", "message"), MISSING_SECRET)
def test_missing_secret_is_404(
    api: Api, infisical: FakeInfisical, project: Any, method: str, body: Any, message: str
) -> None:
    headers = identity_headers(api, project=project)
    where = raw_query(infisical, project=project)
    if body is None:
        response = api(method, "/api/v3/secrets/raw/MISSING", headers=headers, params=where)
    else:
        response = api(method, "/api/v3/secrets/raw/MISSING", headers=headers, json={**where, **body})
    assert_error(response, 404, "NotFound", message)


def test_duplicate_create_is_400(api: Api, infisical: FakeInfisical, project: Any) -> None:
    """§13.1 duplicate create."""
    infisical.set_secret("EXISTING", "v", project=project)
    headers = identity_headers(api, project=project)
    body = {**raw_query(infisical, project=project), "secretValue": "again"}
    response = api("POST", "/api/v3/secrets/raw/EXISTING", headers=headers, json=body)
    assert_error(response, 400, "BadRequest", "Secret already exists")


def _folder_not_found(path: str, environment: str) -> str:
    return (
        f"Folder with path '{path}' in environment '{environment}' was not found. "
        "Please ensure the environment slug and secret path is correct."
    )


FOLDER_CASES = [
    pytest.param(
        "GET",
        "/api/v3/secrets/raw",
        "nope",
        "/",
        "SecretPathNotFound",
        _folder_not_found("/", "nope"),
        id="13.1 unknown environment: raw list",
    ),
    pytest.param(
        "GET",
        "/api/v3/secrets/raw",
        "dev",
        "/x",
        "SecretPathNotFound",
        _folder_not_found("/x", "dev"),
        id="13.1 missing folder: raw list",
    ),
    pytest.param(
        "GET",
        "/api/v4/secrets",
        "dev",
        "/x",
        "SecretPathNotFound",
        _folder_not_found("/x", "dev"),
        id="13.1 missing folder: v4 list",
    ),
    pytest.param(
        "GET",
        "/api/v3/secrets/raw/EXISTING",
        "nope",
        "/",
        "GetSecretByName",
        "Folder with path '/' in environment with slug 'nope' not found",
        id="13.1 unknown environment: get",
    ),
    pytest.param(
        "POST",
        "/api/v3/secrets/raw/NEW",
        "nope",
        "/",
        "CreateSecret",
        "Folder with path '/' in environment with slug 'nope' not found",
        id="13.1 unknown environment: create",
    ),
]


@pytest.mark.parametrize(("method", "path", "environment", "secret_path", "error", "message"), FOLDER_CASES)
def test_unknown_environment_or_folder_is_404(
    api: Api,
    infisical: FakeInfisical,
    project: Any,
    method: str,
    path: str,
    environment: str,
    secret_path: str,
    error: str,
    message: str,
) -> None:
    infisical.set_secret("EXISTING", "v", project=project)
    headers = identity_headers(api, project=project)
    where = raw_query(infisical, environment, secret_path, project=project)
    if path.startswith("/api/v4"):
        where = {"projectId": where.pop("workspaceId"), **where}
    if method == "GET":
        response = api(method, path, headers=headers, params=where)
    else:
        response = api(method, path, headers=headers, json={**where, "secretValue": "v"})
    assert_error(response, 404, error, message)


def test_identity_not_a_member_of_the_project(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 identity not a member of the project."""
    other = create_project(infisical, "other", version=3)
    headers = identity_headers(api, project=other)
    response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    project_id = infisical.project.id
    assert_error(
        response,
        403,
        "ProjectMembershipNotFound",
        f"You are not a member of this project with ID {project_id}. Please assign this identity to the project "
        "with the appropriate permissions, then try again.",
    )


@pytest.mark.parametrize("kind", ["identity", "service_token"])
def test_random_project_id_is_404_during_bot_lookup(api: Api, infisical: FakeInfisical, kind: str) -> None:
    """§13.1 random project id."""
    headers = identity_headers(api) if kind == "identity" else glob_token(infisical)
    random_id = "0123456789abcdef01234567"
    response = api(
        "GET", "/api/v3/secrets/raw", headers=headers, params={"workspaceId": random_id, "environment": "dev"}
    )
    assert_error(
        response,
        404,
        "NotFound",
        f"Project with ID '{random_id}' not found during bot lookup. Are you sure you are using the correct project ID?",
    )


def test_service_token_of_another_project(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 service token of one project asking for another."""
    other = create_project(infisical, "other", version=3)
    headers = glob_token(infisical)
    response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical, project=other))
    assert_error(
        response, 403, "ForbiddenError", f"Service token not a part of the specified project with ID {other.id}"
    )


def test_identity_on_the_service_token_route(api: Api) -> None:
    """§13.1 identity on GET /api/v2/service-token: the route does not take this mode."""
    response = api("GET", "/api/v2/service-token", headers=identity_headers(api))
    assert_error(
        response, 403, "Forbidden access to /api/v2/service-token", "You are not allowed to access this resource"
    )


@pytest.mark.parametrize("who", ["service_token", "identity"])
def test_select_organization_is_for_dashboard_sessions_only(
    api: Api, infisical: FakeInfisical, infisical_service_token: ServiceToken, who: str
) -> None:
    """Today's server keeps POST /api/v3/auth/select-organization (the dashboard's login step): the
    credentials a program holds get the route's "mode not accepted" answer, as on every era-bound
    dashboard route (DECISIONS: the identity on the service-token route)."""
    headers = infisical_service_token.headers if who == "service_token" else identity_headers(api)
    body = {"organizationId": infisical.organization.id}
    response = api("POST", "/api/v3/auth/select-organization", headers=headers, json=body)
    assert_error(
        response,
        403,
        "Forbidden access to /api/v3/auth/select-organization",
        "You are not allowed to access this resource",
    )


def test_glob_scoped_service_token_without_a_query(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 service token without a query (not single-scope)."""
    response = api("GET", "/api/v3/secrets/raw", headers=glob_token(infisical))
    assert_error(response, 400, "BadRequest", "Missing project id or environment")


def test_identity_without_a_project(api: Api) -> None:
    """§13.1 identity without a project."""
    response = api("GET", "/api/v3/secrets/raw", headers=identity_headers(api), params={"environment": "dev"})
    assert_error(response, 400, "BadRequest", "You must provide projectSlug or workspaceId")


BAD_LOGINS = [
    pytest.param(
        lambda i: {"clientId": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "clientSecret": i.client_secret},
        id="13.1 login: unknown client id",
    ),
    pytest.param(
        lambda i: {"clientId": "not-a-uuid", "clientSecret": i.client_secret}, id="13.1 login: malformed client id"
    ),
    pytest.param(lambda i: {"clientId": i.client_id, "clientSecret": "wrong"}, id="13.1 login: wrong client secret"),
]


@pytest.mark.parametrize("body", BAD_LOGINS)
def test_universal_auth_bad_credentials(
    api: Api, infisical: FakeInfisical, body: Callable[[Any], dict[str, str]]
) -> None:
    identity = infisical.create_machine_identity()
    response = api("POST", "/api/v1/auth/universal-auth/login", json=body(identity))
    assert_error(response, 401, "UnauthorizedError", "Invalid credentials")


def test_revoked_identity_token(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 identity token revoked: use 401, renew 401, revoking twice 200."""
    token = login(api, infisical.create_machine_identity())
    first = api("POST", "/api/v1/auth/token/revoke", json={"accessToken": token})
    assert first.status_code == 200, first.text
    assert first.json() == {"message": "Successfully revoked access token"}
    used = api("GET", "/api/v3/secrets/raw", headers=bearer(token), params=raw_query(infisical))
    assert_error(used, 401, "UnauthorizedError", "Failed to authorize: token has been revoked")
    renewed = api("POST", "/api/v1/auth/token/renew", json={"accessToken": token})
    assert_error(renewed, 401, "UnauthorizedError", "Cannot renew: token has been revoked")
    again = api("POST", "/api/v1/auth/token/revoke", json={"accessToken": token})
    assert again.status_code == 200, again.text
    assert again.json() == {"message": "Successfully revoked access token"}


def test_renew_at_max_ttl_is_allowed(api: Api, infisical: FakeInfisical) -> None:
    """§13.1 renew when TTL == max TTL: 200, the same token, still valid."""
    identity = infisical.create_machine_identity(access_token_ttl=60, access_token_max_ttl=60)
    token = login(api, identity)
    response = api("POST", "/api/v1/auth/token/renew", json={"accessToken": token})
    assert response.status_code == 200, response.text
    assert response.json() == {"accessToken": token, "expiresIn": 60, "accessTokenMaxTTL": 60, "tokenType": "Bearer"}
    used = api("GET", "/api/v3/secrets/raw", headers=bearer(token), params=raw_query(infisical))
    assert used.status_code == 200, used.text
