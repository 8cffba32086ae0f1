"""The `2024-08` profile answers as the measured August-2024 server did (§12.1–§12.5).

Its odd statuses are the point: authentication failures are 403, permission errors 401, a missing
secret 400, validation 403, a bearer that is neither `st.` nor a JWT a 500, malformed JSON a 400,
and Fastify's route 404 quotes the query string. Error bodies are `{statusCode, message, error}`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import requests

from pytest_infisical.credentials import ApiKey, ServiceToken
from pytest_infisical.fake import FakeInfisical

from .. import serving
from .conftest import (
    NOT_A_JWT,
    RAW_SECRET_KEYS_LATEST,
    Api,
    assert_error_2024,
    assert_route_404,
    bearer,
    create_project,
    identity_headers,
    login,
    raw_query,
    send_as_is,
    zod_issue,
)

pytestmark = pytest.mark.infisical(profile="2024-08")

NOT_ALLOWED = "You are not allowed to access this resource"


def assert_2024(response: requests.Response, status: int, message: Any, error: Optional[str] = None) -> None:
    """A 2024 error whose `error` field was not recorded: status, message and the envelope's keys."""
    if error is not None:
        assert_error_2024(response, status, error, message)
        return
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"statusCode", "message", "error"}, body
    assert (body["statusCode"], body["message"]) == (status, message), body


def names(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [secret["secretKey"] for secret in response.json()["secrets"]]


def glob_token(
    fake: FakeInfisical, permissions: tuple[str, ...] = ("read", "write"), project: Any = None
) -> dict[str, str]:
    return fake.create_service_token(scopes=[("dev", "/**")], permissions=permissions, project=project).headers


# ---- 12.1 authentication --------------------------------------------------------------------

BAD_TOKENS: list[Any] = [
    pytest.param(lambda t: f"st.{'a' * 24}.{'b' * 32}", id="12.1 auth failed: unknown service token"),
    pytest.param(lambda t: "st.abc", id="12.1 auth failed: malformed st.abc"),
    pytest.param(lambda t: "st.not-a-uuid.x", id="12.1 auth failed: non-uuid id"),
    pytest.param(lambda t: f"st.{t.id}.{'0' * 32}", id="12.1 auth failed: wrong secret"),
]


@pytest.mark.parametrize("token", BAD_TOKENS)
@pytest.mark.parametrize("path", ["/api/v2/service-token", "/api/v3/secrets/raw"])
def test_authentication_failures_are_403(
    api: Api,
    infisical: FakeInfisical,
    infisical_service_token: ServiceToken,
    token: Callable[[ServiceToken], str],
    path: str,
) -> None:
    response = api("GET", path, headers=bearer(token(infisical_service_token)), params=raw_query(infisical))
    assert_error_2024(response, 403, "UnauthorizedError", NOT_ALLOWED)


def test_revoked_service_token(api: Api, infisical: FakeInfisical) -> None:
    """12.1 auth failed: revoked service token."""
    token = infisical.create_service_token()
    infisical.revoke(token)
    assert_error_2024(api("GET", "/api/v2/service-token", headers=token.headers), 403, "UnauthorizedError", NOT_ALLOWED)


@pytest.mark.parametrize("how", ["revoke endpoint", "identity deleted"])
def test_revoked_or_deleted_identity_token(api: Api, infisical: FakeInfisical, how: str) -> None:
    """12.1 auth failed: revoked or deleted identity token."""
    identity = infisical.create_machine_identity()
    token = login(api, identity)
    if how == "revoke endpoint":
        assert api("POST", "/api/v1/auth/token/revoke", json={"accessToken": token}).status_code == 200
    else:
        infisical.revoke(identity)
    response = api("GET", "/api/v3/secrets/raw", headers=bearer(token), params=raw_query(infisical))
    assert_error_2024(response, 403, "UnauthorizedError", NOT_ALLOWED)


def test_no_credentials(api: Api, infisical: FakeInfisical) -> None:
    """12.1 no Authorization and no X-API-KEY."""
    response = api("GET", "/api/v3/secrets/raw", params=raw_query(infisical))
    assert_error_2024(response, 403, "Unauthorized access", "Token missing")


def test_expired_service_token_then_generic(api: Api, infisical: FakeInfisical) -> None:
    """12.1 expired service token, first use; the token is then deleted."""
    token = infisical.create_service_token(expires_in=60)
    infisical.clock.advance(61)
    first = api("GET", "/api/v2/service-token", headers=token.headers)
    assert_error_2024(first, 403, "UnauthorizedError", "failed to authenticate expired service token")
    second = api("GET", "/api/v2/service-token", headers=token.headers)
    assert_error_2024(second, 403, "UnauthorizedError", NOT_ALLOWED)


SERVER_ERRORS = [pytest.param(header, verdict, id=f"12.1 500: {label}") for label, header, verdict in NOT_A_JWT]


@pytest.mark.parametrize(("header", "message"), SERVER_ERRORS)
def test_bearer_neither_service_token_nor_jwt_is_a_500(
    api: Api,
    infisical: FakeInfisical,
    infisical_service_token: ServiceToken,
    header: Callable[[ServiceToken], str],
    message: str,
) -> None:
    headers = {"Authorization": header(infisical_service_token)}
    response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert_error_2024(response, 500, "Internal Server Error", message)


def test_x_api_key_wins_over_a_bearer(api: Api, infisical: FakeInfisical, infisical_api_key: ApiKey) -> None:
    """That era read `X-API-KEY` before `Authorization`; the journal names the credential read."""
    headers = {**infisical_api_key.headers, "Authorization": "Bearer not-a-jwt"}
    assert api("GET", "/api/v2/users/me", headers=headers).status_code == 200
    unknown = {"X-API-KEY": f"ak.{'0' * 24}.{'1' * 32}", "Authorization": "Bearer not-a-jwt"}
    refused = api("GET", "/api/v2/service-token", headers=unknown)
    assert_error_2024(refused, 403, "UnauthorizedError", NOT_ALLOWED)
    assert infisical.calls[-1].auth_mode == "api_key"


def test_lower_case_bearer_works(api: Api, infisical_service_token: ServiceToken) -> None:
    """12.1 `bearer st...` (lower-case scheme) works."""
    response = api(
        "GET", "/api/v2/service-token", headers={"Authorization": f"bearer {infisical_service_token.bearer}"}
    )
    assert response.status_code == 200, response.text


# ---- 12.1 permissions, validation, bodies ---------------------------------------------------

PERMISSIONS: list[Any] = [
    pytest.param(
        "GET", "/api/v3/secrets/raw", None, "glob", "read", id="12.1 permission: list environment outside scope"
    ),
    pytest.param(
        "GET", "/api/v3/secrets/raw/EXISTING", None, "glob", "read", id="12.1 permission: get environment outside scope"
    ),
    pytest.param(
        "POST",
        "/api/v3/secrets/raw/NEW",
        {"secretValue": "v"},
        "glob",
        "create",
        id="12.1 permission: create outside scope",
    ),
    pytest.param(
        "PATCH",
        "/api/v3/secrets/raw/EXISTING",
        {"secretValue": "v"},
        "glob",
        "edit",
        id="12.1 permission: edit outside scope",
    ),
    pytest.param(
        "DELETE", "/api/v3/secrets/raw/EXISTING", {}, "glob", "delete", id="12.1 permission: delete outside scope"
    ),
    pytest.param(
        "POST",
        "/api/v3/secrets/raw/NEW",
        {"secretValue": "v"},
        "read-only",
        "create",
        id="12.1 permission: read-only token writing",
    ),
    pytest.param(
        "POST",
        "/api/v3/secrets/raw/NEW",
        {"secretValue": "v"},
        "viewer",
        "create",
        id="12.1 permission: viewer identity writing",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "who", "action"), PERMISSIONS)
def test_permission_denied_is_401(
    api: Api, infisical: FakeInfisical, method: str, path: str, body: Any, who: str, action: str
) -> None:
    infisical.set_secret("EXISTING", "v", environment="prod")
    environment = "prod" if who == "glob" else "dev"
    if who == "glob":
        headers = glob_token(infisical)
    elif who == "read-only":
        headers = glob_token(infisical, permissions=("read",))
    else:
        headers = identity_headers(api, role="viewer")
    where = raw_query(infisical, environment)
    if body is None:
        response = api(method, path, headers=headers, params=where)
    else:
        response = api(method, path, headers=headers, json={**where, **body})
    assert_error_2024(response, 401, "PermissionDenied", f"You are not allowed to {action} on secrets")


def test_service_token_outside_scope_even_for_a_missing_environment(api: Api, infisical: FakeInfisical) -> None:
    """12.4 a service token with an environment outside its scope, even a non-existent one: 401."""
    response = api("GET", "/api/v3/secrets/raw", headers=glob_token(infisical), params=raw_query(infisical, "nope"))
    assert_error_2024(response, 401, "PermissionDenied", "You are not allowed to read on secrets")


def test_scope_slash_does_not_cover_app(api: Api, infisical: FakeInfisical) -> None:
    """12.4 a scope path / does not cover /app (and lists are refused, not filtered)."""
    infisical.set_secret("NESTED", "v", path="/app")
    token = infisical.create_service_token(scopes=[("dev", "/"), ("staging", "/")], permissions=("read",))
    response = api("GET", "/api/v3/secrets/raw", headers=token.headers, params=raw_query(infisical, "dev", "/app"))
    assert_error_2024(response, 401, "PermissionDenied", "You are not allowed to read on secrets")


MISSING = [
    pytest.param("v1-bot", "GET", None, 400, "Secret not found", id="12.1 missing secret: v1 get"),
    pytest.param(
        "v1-bot",
        "PATCH",
        {"secretValue": "v"},
        400,
        "Secret not found: blind index MISSING",
        id="12.1 missing secret: v1 update",
    ),
    pytest.param(
        "v1-bot", "DELETE", {}, 400, "Secret not found: blind index MISSING", id="12.1 missing secret: v1 delete"
    ),
    pytest.param("v3", "GET", None, 400, "Secret not found", id="12.1 missing secret: v3 get"),
    pytest.param("v3", "PATCH", {"secretValue": "v"}, 400, "Secret not found", id="12.1 missing secret: v3 update"),
]


@pytest.mark.parametrize(("kind", "method", "body", "status", "message"), MISSING)
def test_missing_secret_is_400(
    api: Api, infisical: FakeInfisical, kind: str, method: str, body: Any, status: int, message: str
) -> None:
    project = infisical.project if kind == "v1-bot" else create_project(infisical, "kms", version=3)
    headers = identity_headers(api, project=project)
    where = raw_query(infisical, project=project)
    if body is None:
        response = api(method, "/api/v3/secrets/raw/MISSING", headers=headers, params=where)
    else:
        response = api(method, "/api/v3/secrets/raw/MISSING", headers=headers, json={**where, **body})
    assert_error_2024(response, status, "BadRequest", message)


def test_deleting_a_missing_secret_in_a_v3_project_is_a_500(api: Api, infisical: FakeInfisical) -> None:
    """12.1 delete a missing secret in a v3 (KMS) project."""
    project = create_project(infisical, "kms", version=3)
    body = raw_query(infisical, project=project)
    response = api("DELETE", "/api/v3/secrets/raw/MISSING", headers=identity_headers(api, project=project), json=body)
    assert_error_2024(
        response, 500, "Internal Server Error", "Cannot read properties of undefined (reading 'encryptedValue')"
    )


VALIDATION = [
    pytest.param("/api/v3/secrets/raw/NEW", "secretValue", id="12.1 validation: missing secretValue"),
    pytest.param("/api/v1/auth/universal-auth/login", "clientSecret", id="12.1 validation: missing clientSecret"),
    pytest.param("/api/v1/auth/token/renew", "accessToken", id="12.1 validation: missing accessToken"),
]


@pytest.mark.parametrize(("path", "missing"), VALIDATION)
def test_validation_is_403(api: Api, infisical: FakeInfisical, path: str, missing: str) -> None:
    if missing == "secretValue":
        headers, body = identity_headers(api), raw_query(infisical)
    elif missing == "clientSecret":
        headers, body = {}, {"clientId": infisical.create_machine_identity().client_id}
    else:
        headers, body = {}, {}
    response = api("POST", path, headers=headers, json=body)
    assert_error_2024(response, 403, "ValidationFailure", [zod_issue(missing)])


def test_comment_only_patch_is_a_validation_error(api: Api, infisical: FakeInfisical) -> None:
    """12.4 PATCH raw requires secretValue."""
    infisical.set_secret("EXISTING", "v")
    body = {**raw_query(infisical), "secretComment": "only"}
    response = api("PATCH", "/api/v3/secrets/raw/EXISTING", headers=identity_headers(api), json=body)
    assert_error_2024(response, 403, "ValidationFailure", [zod_issue("secretValue")])


def test_malformed_json_is_400(api: Api) -> None:
    """12.1 malformed JSON body."""
    headers = {**identity_headers(api), "Content-Type": "application/json"}
    response = api("POST", "/api/v3/secrets/raw/NEW", headers=headers, data=b'{"workspaceId": ')
    assert_error_2024(response, 400, "Bad Request", "Unexpected end of JSON input")


def test_identity_not_in_project(api: Api, infisical: FakeInfisical) -> None:
    """12.1 project the identity is not a member of."""
    other = infisical.create_project("other")
    response = api(
        "GET", "/api/v3/secrets/raw", headers=identity_headers(api, project=other), params=raw_query(infisical)
    )
    assert_error_2024(response, 403, "Identity not in project", NOT_ALLOWED)


def test_random_project_id(api: Api) -> None:
    """12.1 random project id."""
    query = {"workspaceId": "0123456789abcdef01234567", "environment": "dev"}
    response = api("GET", "/api/v3/secrets/raw", headers=identity_headers(api), params=query)
    assert_error_2024(response, 400, "BadRequest", "Project not found during bot lookup.")


def test_token_of_another_project(api: Api, infisical: FakeInfisical) -> None:
    """12.1 a token of one project asking for another."""
    other = infisical.create_project("other")
    response = api(
        "GET", "/api/v3/secrets/raw", headers=glob_token(infisical), params=raw_query(infisical, project=other)
    )
    assert_2024(response, 403, "Failed to find service authorization for given project")


BAD_LOGINS: list[Any] = [
    pytest.param(
        lambda i: {"clientId": "00000000-0000-4000-8000-000000000000", "clientSecret": i.client_secret},
        id="12.1 login: unknown client id",
    ),
    pytest.param(
        lambda i: {"clientId": "not-a-uuid", "clientSecret": i.client_secret}, id="12.1 login: non-uuid client id"
    ),
    pytest.param(lambda i: {"clientId": i.client_id, "clientSecret": "wrong"}, id="12.1 login: wrong secret"),
]


@pytest.mark.parametrize("body", BAD_LOGINS)
@pytest.mark.parametrize("encoding", ["json", "form"])
def test_universal_auth_bad_credentials(
    api: Api, infisical: FakeInfisical, body: Callable[[Any], dict[str, str]], encoding: str
) -> None:
    sent = body(infisical.create_machine_identity())
    if encoding == "json":
        response = api("POST", "/api/v1/auth/universal-auth/login", json=sent)
    else:
        response = api("POST", "/api/v1/auth/universal-auth/login", data=sent)
    assert_error_2024(response, 403, "UnauthorizedError", "Invalid credentials")


def test_form_encoded_login_is_accepted(api: Api, infisical: FakeInfisical) -> None:
    """12.1 form-encoded login bodies are accepted."""
    response = api("POST", "/api/v1/auth/universal-auth/login", data=infisical.create_machine_identity().login_body)
    assert response.status_code == 200, response.text


def test_renew_at_max_ttl_is_refused_and_deletes_the_token(api: Api, infisical: FakeInfisical) -> None:
    """12.1 renew when TTL == max TTL."""
    token = login(api, infisical.create_machine_identity(access_token_ttl=60, access_token_max_ttl=60))
    response = api("POST", "/api/v1/auth/token/renew", json={"accessToken": token})
    assert_2024(response, 403, "Failed to renew MI access token past its Max TTL expiration")
    used = api("GET", "/api/v3/secrets/raw", headers=bearer(token), params=raw_query(infisical))
    assert_error_2024(used, 403, "UnauthorizedError", NOT_ALLOWED)


def test_renew_returns_the_same_token(api: Api, infisical: FakeInfisical) -> None:
    """12.4 a successful renew returns the same access token string with expiresIn = the TTL."""
    token = login(api, infisical.create_machine_identity(access_token_ttl=60, access_token_max_ttl=600))
    infisical.clock.advance(10)
    response = api("POST", "/api/v1/auth/token/renew", json={"accessToken": token})
    assert response.status_code == 200, response.text
    assert response.json() == {"accessToken": token, "expiresIn": 60, "accessTokenMaxTTL": 600, "tokenType": "Bearer"}


def test_expired_identity_tokens(api: Api, infisical: FakeInfisical) -> None:
    """Decision (DECISIONS.md): past its TTL the generic 403; past its max TTL the JWT check's 500."""
    token = login(api, infisical.create_machine_identity(access_token_ttl=60, access_token_max_ttl=600))
    infisical.clock.advance(61)
    stale = api("GET", "/api/v3/secrets/raw", headers=bearer(token), params=raw_query(infisical))
    assert_error_2024(stale, 403, "UnauthorizedError", NOT_ALLOWED)
    infisical.clock.advance(600)
    expired = api("GET", "/api/v3/secrets/raw", headers=bearer(token), params=raw_query(infisical))
    assert_error_2024(expired, 500, "Internal Server Error", "jwt expired")


def test_revoke_twice_and_garbage_tokens(api: Api, infisical: FakeInfisical) -> None:
    """12.1 revoke twice → 403; revoke or renew of a garbage token → 500 invalid token."""
    token = login(api, infisical.create_machine_identity())
    assert api("POST", "/api/v1/auth/token/revoke", json={"accessToken": token}).status_code == 200
    again = api("POST", "/api/v1/auth/token/revoke", json={"accessToken": token})
    assert again.status_code == 403, again.text
    assert set(again.json()) == {"statusCode", "message", "error"}
    for path in ("/api/v1/auth/token/revoke", "/api/v1/auth/token/renew"):
        garbage = api("POST", path, json={"accessToken": "abc.def.ghi"})
        assert_error_2024(garbage, 500, "Internal Server Error", "invalid token")


def test_check_order_quirks(api: Api, infisical: FakeInfisical, infisical_api_key: ApiKey) -> None:
    """12.1 order: the encrypted-key route without credentials, an API key without its secret part: 500."""
    no_credentials = api("GET", f"/api/v2/workspace/{infisical.project.id}/encrypted-key")
    assert no_credentials.status_code == 500, no_credentials.text
    half_key = api("GET", "/api/v2/users/me", headers={"X-API-KEY": f"ak.{infisical_api_key.id}"})
    assert half_key.status_code == 500, half_key.text


def test_a_service_token_without_its_secret_part_is_a_500(api: Api, infisical_service_token: ServiceToken) -> None:
    """Decision (DECISIONS.md): the API key's measured 500 holds for a service token too."""
    response = api("GET", "/api/v2/service-token", headers=bearer(f"st.{infisical_service_token.id}"))
    assert_error_2024(response, 500, "Internal Server Error", "data and hash arguments required")


@pytest.mark.infisical(profile="latest")
def test_without_its_secret_part_latest_still_answers_a_wrong_secret(
    api: Api, infisical_service_token: ServiceToken
) -> None:
    response = api("GET", "/api/v2/service-token", headers=bearer(f"st.{infisical_service_token.id}"))
    assert (response.status_code, response.json()["message"]) == (401, "Invalid service token")


def test_malformed_json_names_the_unexpected_character(api: Api) -> None:
    """Decision (DECISIONS.md): JavaScript's parser message for a body that does not stop early."""
    headers = {**identity_headers(api), "Content-Type": "application/json"}
    response = api("POST", "/api/v3/secrets/raw/NEW", headers=headers, data=b'{"a" x}')
    assert_error_2024(response, 400, "Bad Request", "Unexpected token x in JSON at position 5")


# ---- 12.1 / 12.2 routes ---------------------------------------------------------------------

ROUTE_404S = [
    pytest.param("GET", "/api/v4/secrets/raw", id="12.2 no /api/v4 (raw)"),
    pytest.param("GET", "/api/v4/secrets", id="12.2 no /api/v4"),
    pytest.param("PUT", "/api/v3/secrets/raw/EXISTING", id="12.1 PUT on a known path"),
    pytest.param("GET", "//api/v3/secrets/raw", id="12.2 doubled slash at the start"),
    pytest.param("GET", "/api/v3//secrets/raw", id="12.2 doubled slash inside"),
    pytest.param("GET", "/healthcheck", id="12.1 /healthcheck"),
    pytest.param("GET", "/", id="12.1 /"),
    pytest.param("GET", "/api/v2/workspace/{project}/memberships", id="12.2 no v2 memberships"),
]


@pytest.mark.infisical(allow_unrouted=True)
@pytest.mark.parametrize(("method", "path"), ROUTE_404S)
def test_fastify_404_quotes_the_query(api: Api, infisical: FakeInfisical, method: str, path: str) -> None:
    infisical.set_secret("EXISTING", "v")
    response, target = send_as_is(api, method, path)
    assert_route_404(response, method, target)


def test_trailing_slash_is_accepted(api: Api, infisical: FakeInfisical) -> None:
    """12.2 a trailing slash is accepted."""
    infisical.set_secret("EXISTING", "v")
    assert names(api("GET", "/api/v3/secrets/raw/", headers=identity_headers(api), params=raw_query(infisical))) == [
        "EXISTING"
    ]


MODE_NOT_ACCEPTED = ["/api/v1/workspace/{project}", "/api/v1/workspace/{project}/service-token-data"]


@pytest.mark.parametrize("path", MODE_NOT_ACCEPTED, ids=[f"12.2 {p}" for p in MODE_NOT_ACCEPTED])
@pytest.mark.parametrize("who", ["service_token", "identity"])
def test_era_routes_refuse_tokens_and_identities(
    api: Api, infisical: FakeInfisical, infisical_service_token: ServiceToken, path: str, who: str
) -> None:
    target = path.format(project=infisical.project.id)
    headers = infisical_service_token.headers if who == "service_token" else identity_headers(api)
    response = api("GET", target, headers=headers)
    assert_error_2024(response, 403, f"{target} Unauthorized Access", NOT_ALLOWED)


@pytest.mark.parametrize("who", ["service_token", "identity"])
def test_select_organization_refuses_tokens_and_identities(
    api: Api, infisical: FakeInfisical, infisical_service_token: ServiceToken, who: str
) -> None:
    """12.2 /api/v3/auth/select-organization existed and refused these modes."""
    headers = infisical_service_token.headers if who == "service_token" else identity_headers(api)
    body = {"organizationId": infisical.organization.id}
    response = api("POST", "/api/v3/auth/select-organization", headers=headers, json=body)
    assert_error_2024(response, 403, "/api/v3/auth/select-organization Unauthorized Access", NOT_ALLOWED)


def test_v1_memberships(api: Api, infisical: FakeInfisical, infisical_api_key: ApiKey) -> None:
    """12.2 memberships were /api/v1/workspace/:id/memberships (12.5 keys)."""
    response = api("GET", f"/api/v1/workspace/{infisical.project.id}/memberships", headers=infisical_api_key.headers)
    assert response.status_code == 200, response.text
    memberships = response.json()["memberships"]
    assert memberships
    assert all(set(m) == {"id", "userId", "projectId", "user", "roles"} for m in memberships), memberships


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "memberships", None),
        ("GET", "workspaces", None),
        ("PATCH", "memberships/{membership}", {"role": "admin"}),
        ("DELETE", "memberships/{membership}", None),
    ],
    ids=["12.4 list members", "12.4 list projects", "12.4 change a role", "12.4 remove a member"],
)
def test_an_api_key_is_scoped_to_its_sessions_organization(
    api: Api,
    infisical: FakeInfisical,
    infisical_api_key: ApiKey,
    method: str,
    suffix: str,
    body: Optional[dict[str, Any]],
) -> None:
    """12.4 an API key may not manage another organization than its session's: 403, before the
    organization is even looked up; its own organization answers as before."""
    member = infisical.create_user("member@example.com")
    membership = next(m for m in infisical.organization.members.values() if m.user is member)
    path = suffix.format(membership=membership.id)
    other = "0" * 24
    refused = api(method, f"/api/v2/organizations/{other}/{path}", headers=infisical_api_key.headers, json=body)
    assert_error_2024(refused, 403, "ForbiddenError", "Scoped to different organization")
    assert membership.role == "member"  # the refusal changed nothing
    own = api(
        method,
        f"/api/v2/organizations/{infisical.organization.id}/{path}",
        headers=infisical_api_key.headers,
        json=body,
    )
    assert own.status_code == 200, own.text


# ---- 12.1 / 12.3 rate limits ----------------------------------------------------------------


def _ratelimit_headers(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith(("x-ratelimit", "retry-after"))}


def test_secrets_routes_allow_40_a_minute(api: Api, infisical: FakeInfisical) -> None:
    """12.3 secrets routes: 40 per minute, counted per route; 12.1 the 429 body and retry-after."""
    headers = identity_headers(api)
    for i in range(40):
        response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
        assert response.status_code == 200, response.text
        assert _ratelimit_headers(response) == {
            "x-ratelimit-limit": "40",
            "x-ratelimit-remaining": str(39 - i),
            "x-ratelimit-reset": "60",
        }
    limited = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert limited.status_code == 429, limited.text
    assert limited.json() == {
        "statusCode": 429,
        "error": "Too Many Requests",
        "message": "Rate limit exceeded, retry in 1 minute",
    }
    assert limited.headers["retry-after"] == "60"
    other_route = api("GET", "/api/v3/secrets", headers=headers, params=raw_query(infisical))
    assert other_route.status_code == 200, other_route.text
    assert other_route.headers["x-ratelimit-remaining"] == "39"
    infisical.clock.advance(60)
    again = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert again.status_code == 200, again.text


def test_reset_counts_down_on_the_fakes_clock(api: Api, infisical: FakeInfisical) -> None:
    headers = identity_headers(api)
    first = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert first.headers["x-ratelimit-reset"] == "60"
    infisical.clock.advance(20)
    later = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert (later.headers["x-ratelimit-reset"], later.headers["x-ratelimit-remaining"]) == ("40", "38")


def test_limits_per_route(api: Api, infisical_service_token: ServiceToken, infisical: FakeInfisical) -> None:
    """12.3 GET /api/v2/service-token 60 a minute, login 200."""
    token_doc = api("GET", "/api/v2/service-token", headers=infisical_service_token.headers)
    assert token_doc.headers["x-ratelimit-limit"] == "60"
    logged_in = api("POST", "/api/v1/auth/universal-auth/login", json=infisical.create_machine_identity().login_body)
    assert logged_in.headers["x-ratelimit-limit"] == "200"


def test_no_rate_limit_headers_on_status_or_rejected_authentication(api: Api, infisical: FakeInfisical) -> None:
    """12.3 not on requests rejected during authentication, nor on /api/status."""
    assert _ratelimit_headers(api("GET", "/api/status")) == {}
    rejected = api("GET", "/api/v3/secrets/raw", params=raw_query(infisical))
    assert rejected.status_code == 403
    assert _ratelimit_headers(rejected) == {}


@pytest.mark.infisical(rate_limits=False)
def test_rate_limits_can_be_turned_off_for_one_test(api: Api, infisical: FakeInfisical) -> None:
    headers = identity_headers(api)
    for _ in range(45):
        response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
        assert response.status_code == 200, response.text
        assert _ratelimit_headers(response) == {}


# ---- 12.4 state rules -----------------------------------------------------------------------


def _project(fake: FakeInfisical, kind: str) -> Any:
    return fake.project if kind == "v1-bot" else create_project(fake, "kms", version=3)


@pytest.mark.parametrize(
    ("kind", "order"), [("v1-bot", ["BRAVO", "ZULU", "ALPHA", "MIDDLE"]), ("v3", ["MIDDLE", "ALPHA", "ZULU", "BRAVO"])]
)
def test_list_order(api: Api, infisical: FakeInfisical, kind: str, order: list[str]) -> None:
    """12.4 v1 lists newest first; v3 lists in creation order."""
    project = _project(infisical, kind)
    for name in ("MIDDLE", "ALPHA", "ZULU", "BRAVO"):
        infisical.set_secret(name, "v", project=project)
    response = api(
        "GET",
        "/api/v3/secrets/raw",
        headers=identity_headers(api, project=project),
        params=raw_query(infisical, project=project),
    )
    assert names(response) == order


@pytest.mark.parametrize(
    ("kind", "flag", "keys"),
    [
        ("v1-bot", None, {"secrets", "imports"}),
        ("v1-bot", "false", {"secrets", "imports"}),
        ("v3", None, {"secrets"}),
        ("v3", "false", {"secrets"}),
        ("v3", "true", {"secrets", "imports"}),
    ],
)
def test_imports_key_in_raw_lists(
    api: Api, infisical: FakeInfisical, kind: str, flag: Optional[str], keys: set[str]
) -> None:
    """12.4 raw lists of a v1 project always include imports; a v3 project only when asked."""
    project = _project(infisical, kind)
    infisical.set_secret("A", "1", project=project)
    query = raw_query(infisical, project=project)
    if flag is not None:
        query["include_imports"] = flag
    response = api("GET", "/api/v3/secrets/raw", headers=identity_headers(api, project=project), params=query)
    assert response.status_code == 200, response.text
    assert set(response.json()) == keys


def _seed_import(fake: FakeInfisical, project: Any) -> None:
    fake.set_secret("IMPORTED", "from-staging", environment="staging", comment="c", project=project)
    fake.set_secret("LOCAL", "in-dev", project=project)
    fake.add_import("staging", "/", environment="dev", path="/", project=project)


def test_v3_imported_secrets_have_no_workspace_comment_or_reminder(api: Api, infisical: FakeInfisical) -> None:
    """12.4 imported secrets in a v3 project have workspace "" and no comment or reminder fields."""
    project = _project(infisical, "v3")
    _seed_import(infisical, project)
    query = {**raw_query(infisical, project=project), "include_imports": "true"}
    response = api("GET", "/api/v3/secrets/raw", headers=identity_headers(api, project=project), params=query)
    (imported,) = response.json()["imports"][0]["secrets"]
    assert imported["workspace"] == ""
    assert not {"secretComment", "secretReminderNote", "secretReminderRepeatDays"} & set(imported), imported


def test_imports_are_listed_whatever_the_tokens_scope(api: Api, infisical: FakeInfisical) -> None:
    """12.4 a token scoped to dev:/** still sees the import staging:/ (the source's scope is not checked)."""
    _seed_import(infisical, infisical.project)
    query = {**raw_query(infisical), "include_imports": "true"}
    response = api("GET", "/api/v3/secrets/raw", headers=glob_token(infisical, permissions=("read",)), params=query)
    imports = response.json()["imports"]
    assert [(i["environment"], [(s["secretKey"], s["secretValue"]) for s in i["secrets"]]) for i in imports] == [
        ("staging", [("IMPORTED", "from-staging")])
    ]


@pytest.mark.parametrize(("kind", "value"), [("v1-bot", "from-staging"), ("v3", "")])
def test_single_get_of_an_import_only_name(api: Api, infisical: FakeInfisical, kind: str, value: str) -> None:
    """12.4 with include_imports=true → 200 (value in v1; "" in v3); with false → 400 not found."""
    project = _project(infisical, kind)
    _seed_import(infisical, project)
    headers = identity_headers(api, project=project)
    query = {**raw_query(infisical, project=project), "include_imports": "true"}
    found = api("GET", "/api/v3/secrets/raw/IMPORTED", headers=headers, params=query)
    assert found.status_code == 200, found.text
    assert found.json()["secret"]["secretValue"] == value
    missing = api("GET", "/api/v3/secrets/raw/IMPORTED", headers=headers, params={**query, "include_imports": "false"})
    assert_error_2024(missing, 400, "BadRequest", "Secret not found")


def test_references_expand_in_lists_not_in_a_v1_single_get(api: Api, infisical: FakeInfisical) -> None:
    """12.4 expandSecretReferences=true expands in raw lists, not in a v1 raw single GET."""
    infisical.set_secret("BASE", "https://example.org")
    infisical.set_secret("URL", "${BASE}/api")
    headers = identity_headers(api)
    query = {**raw_query(infisical), "expandSecretReferences": "true"}
    listed = api("GET", "/api/v3/secrets/raw", headers=headers, params=query)
    assert {s["secretKey"]: s["secretValue"] for s in listed.json()["secrets"]}["URL"] == "https://example.org/api"
    single = api("GET", "/api/v3/secrets/raw/URL", headers=headers, params=query)
    assert single.json()["secret"]["secretValue"] == "${BASE}/api"


def test_unknown_environment_or_folder_for_an_identity(api: Api, infisical: FakeInfisical) -> None:
    """12.4 identity raw list → 200 empty; single GET or create → 400 "Create secret"."""
    headers = identity_headers(api)
    for environment, path in (("nope", "/"), ("dev", "/x")):
        listed = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical, environment, path))
        assert listed.status_code == 200, listed.text
        assert listed.json() == {"secrets": [], "imports": []}
        single = api(
            "GET", "/api/v3/secrets/raw/EXISTING", headers=headers, params=raw_query(infisical, environment, path)
        )
        assert_error_2024(single, 400, "Create secret", "Folder not found for the given environment slug & secret path")
        body = {**raw_query(infisical, environment, path), "secretValue": "v"}
        created = api("POST", "/api/v3/secrets/raw/NEW", headers=headers, json=body)
        assert_error_2024(
            created, 400, "Create secret", "Folder not found for the given environment slug & secret path"
        )


@pytest.mark.parametrize(("kind", "stored_comment"), [("v1-bot", ""), ("v3", "keep me")])
def test_patch_without_comment(api: Api, infisical: FakeInfisical, kind: str, stored_comment: str) -> None:
    """12.4 without secretComment: v1 clears the stored comment; v3 shows "" but keeps it."""
    project = _project(infisical, kind)
    infisical.set_secret("EXISTING", "old", comment="keep me", project=project)
    body = {**raw_query(infisical, project=project), "secretValue": "new"}
    response = api("PATCH", "/api/v3/secrets/raw/EXISTING", headers=identity_headers(api, project=project), json=body)
    assert response.status_code == 200, response.text
    assert response.json()["secret"]["secretComment"] == ""
    stored = infisical.secret("EXISTING", project=project)
    assert (stored.value, stored.comment) == ("new", stored_comment)


@pytest.mark.parametrize("kind", ["v1-bot", "v3"])
def test_new_secret_name_renames(api: Api, infisical: FakeInfisical, kind: str) -> None:
    """12.4 newSecretName renames; the response's secretKey is the new name."""
    project = _project(infisical, kind)
    infisical.set_secret("OLD_NAME", "v", project=project)
    body = {**raw_query(infisical, project=project), "secretValue": "v", "newSecretName": "NEW_NAME"}
    response = api("PATCH", "/api/v3/secrets/raw/OLD_NAME", headers=identity_headers(api, project=project), json=body)
    assert response.status_code == 200, response.text
    assert response.json()["secret"]["secretKey"] == "NEW_NAME"
    assert infisical.secrets("dev", "/", project=project) == {"NEW_NAME": "v"}


@pytest.mark.parametrize(
    ("sent", "stored"), [("  line1\nline2\n", "line1\nline2\n"), ("\t value \t", "value"), ("  value  \n\n", "value\n")]
)
def test_values_are_trimmed(api: Api, infisical: FakeInfisical, sent: str, stored: str) -> None:
    """12.4 raw values are trimmed at both ends, one trailing newline kept."""
    body = {**raw_query(infisical), "secretValue": sent}
    response = api("POST", "/api/v3/secrets/raw/TRIMMED", headers=identity_headers(api), json=body)
    assert response.status_code == 200, response.text
    assert infisical.secret("TRIMMED").value == stored


def test_encoded_underscore_and_case_sensitive_names(api: Api, infisical: FakeInfisical) -> None:
    """12.4 names are case-sensitive; %5F in a path is decoded."""
    infisical.set_secret("MY_SECRET", "v")
    headers = identity_headers(api)
    found = api("GET", "/api/v3/secrets/raw/MY%5FSECRET", headers=headers, params=raw_query(infisical))
    assert found.status_code == 200, found.text
    assert found.json()["secret"]["secretKey"] == "MY_SECRET"
    other_case = api("GET", "/api/v3/secrets/raw/my_secret", headers=headers, params=raw_query(infisical))
    assert_error_2024(other_case, 400, "BadRequest", "Secret not found")


def test_glob_token_without_a_query(api: Api, infisical: FakeInfisical) -> None:
    """12.4 a glob-scoped or multi-scope token without a query."""
    response = api("GET", "/api/v3/secrets/raw", headers=glob_token(infisical))
    assert_error_2024(response, 400, "BadRequest", "Missing workspace id or environment")


def test_single_scope_token_needs_no_query(api: Api, infisical: FakeInfisical) -> None:
    """12.4 a single non-glob scope overrides the query and works with none."""
    infisical.set_secret("IN_SCOPE", "v", environment="staging", path="/app")
    token = infisical.create_service_token(scopes=[("staging", "/app")], permissions=("read",))
    assert names(api("GET", "/api/v3/secrets/raw", headers=token.headers)) == ["IN_SCOPE"]
    query = {"workspaceId": "0123456789abcdef01234567", "environment": "prod", "secretPath": "/"}
    assert names(api("GET", "/api/v3/secrets/raw", headers=token.headers, params=query)) == ["IN_SCOPE"]


def test_service_tokens_cannot_use_workspace_slug(api: Api, infisical: FakeInfisical) -> None:
    """12.4 service tokens cannot use workspaceSlug (400)."""
    query = {"workspaceSlug": "example-project", "environment": "dev"}
    response = api("GET", "/api/v3/secrets/raw", headers=glob_token(infisical), params=query)
    assert response.status_code == 400, response.text


def test_identities_can_use_workspace_slug(api: Api, infisical: FakeInfisical) -> None:
    """12.4 service tokens cannot use workspaceSlug; identities can."""
    infisical.set_secret("EXISTING", "v")
    query = {"workspaceSlug": infisical.project.slug, "environment": "dev"}
    assert names(api("GET", "/api/v3/secrets/raw", headers=identity_headers(api), params=query)) == ["EXISTING"]


def test_encrypted_list_ignores_recursive(api: Api, infisical: FakeInfisical) -> None:
    """12.4 the encrypted list ignores `recursive` (v1 encrypted routes return one folder)."""
    infisical.set_secret("ROOT", "r")
    infisical.set_secret("NESTED", "n", path="/app")
    token = infisical.create_service_token(scopes=[("dev", "/**")], permissions=("read",))
    query = {**raw_query(infisical), "recursive": "true"}
    response = api("GET", "/api/v3/secrets", headers=token.headers, params=query)
    assert response.status_code == 200, response.text
    assert len(response.json()["secrets"]) == 1


# ---- 12.5 shapes ----------------------------------------------------------------------------

USER_KEYS = set(
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
)
ORG_KEYS = set(
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
)
ORG_WORKSPACE_KEYS = {"id", "name", "slug", "organization", "environments"}
WORKSPACE_KEYS = set(
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
)
ENCRYPTED_KEY_KEYS = {
    "id",
    "encryptedKey",
    "nonce",
    "receiverId",
    "senderId",
    "projectId",
    "createdAt",
    "updatedAt",
    "sender",
}
STATUS_KEYS = {"date", "message", "emailConfigured", "inviteOnlySignup", "redisConfigured", "secretScanningConfigured"}


def test_document_shapes(api: Api, infisical: FakeInfisical, infisical_api_key: ApiKey) -> None:
    """12.5 document shapes of that era, exactly."""
    headers = infisical_api_key.headers
    user = api("GET", "/api/v2/users/me", headers=headers).json()["user"]
    assert set(user) == USER_KEYS
    orgs = api("GET", "/api/v2/users/me/organizations", headers=headers).json()["organizations"]
    assert [set(o) for o in orgs] == [ORG_KEYS]
    org_workspaces = api("GET", f"/api/v2/organizations/{infisical.organization.id}/workspaces", headers=headers)
    assert [set(w) for w in org_workspaces.json()["workspaces"]] == [ORG_WORKSPACE_KEYS]
    workspaces = api("GET", "/api/v1/workspace", headers=headers).json()["workspaces"]
    assert [set(w) for w in workspaces] == [WORKSPACE_KEYS]
    key = api("GET", f"/api/v2/workspace/{infisical.project.id}/encrypted-key", headers=headers).json()
    assert set(key) == ENCRYPTED_KEY_KEYS
    assert set(key["sender"]) == {"publicKey"}
    assert set(api("GET", "/api/status").json()) == STATUS_KEYS


#: the raw secret list item of that era: today's without the fields added since, with `metadata`
RAW_LIST_ITEM_KEYS = (
    RAW_SECRET_KEYS_LATEST - {"isRotatedSecret", "rotationId", "secretMetadata", "secretValueHidden"}
) | {"metadata"}


def test_raw_secret_shapes_per_answer(api: Api, infisical: FakeInfisical) -> None:
    """Decision (DECISIONS.md): that era's raw secret, as the Postgres-era server of 2024 sent it —
    a single GET without `secretPath`, the answer to a write without `secretPath` and `tags`."""
    headers, where = identity_headers(api), raw_query(infisical)
    created = api("POST", "/api/v3/secrets/raw/NEW", headers=headers, json={**where, "secretValue": "v"})
    assert set(created.json()["secret"]) == RAW_LIST_ITEM_KEYS - {"secretPath", "tags"}
    listed = api("GET", "/api/v3/secrets/raw", headers=headers, params=where)
    assert [set(s) for s in listed.json()["secrets"]] == [RAW_LIST_ITEM_KEYS]
    single = api("GET", "/api/v3/secrets/raw/NEW", headers=headers, params=where)
    assert set(single.json()["secret"]) == RAW_LIST_ITEM_KEYS - {"secretPath"}
    updated = api("PATCH", "/api/v3/secrets/raw/NEW", headers=headers, json={**where, "secretValue": "w"})
    deleted = api("DELETE", "/api/v3/secrets/raw/NEW", headers=headers, json=where)
    for answer in (updated, deleted):
        assert set(answer.json()["secret"]) == RAW_LIST_ITEM_KEYS - {"secretPath", "tags"}


def test_strong_etag(api: Api) -> None:
    """12.5 every response carried a strong etag."""
    etag = api("GET", "/api/status").headers["etag"]
    assert etag.startswith('"') and etag.endswith('"'), etag


def test_helmet_and_cors_headers_on_every_answer(api: Api, infisical_service_token: ServiceToken) -> None:
    """12.5 every response carried helmet's headers and CORS's: answers and errors alike."""
    answers = [
        api("GET", "/api/status"),
        api("GET", "/api/v2/service-token", headers=infisical_service_token.headers),
        api("GET", "/api/v2/service-token"),  # refused: no credentials
    ]
    for answer in answers:
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert answer.headers["Vary"] == "Origin"
        assert answer.headers["Access-Control-Allow-Credentials"] == "true"


# ---- selecting the profile ------------------------------------------------------------------


def test_command_line_option_selects_the_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_inner(infisical):
            response = requests.get(infisical.url + "/api/v3/secrets/raw")
            assert response.status_code == 403
            assert response.json() == {"statusCode": 403, "error": "Unauthorized access", "message": "Token missing"}
        """
    )
    result = pytester.runpytest("--infisical-profile=2024-08")
    result.assert_outcomes(passed=1)


def test_marker_selects_the_profile_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        @pytest.mark.infisical(profile="2024-08")
        def test_august(infisical):
            assert infisical.profile.name == "2024-08"
            response = requests.get(infisical.url + "/api/v4/secrets")
            assert response.status_code == 404
            assert response.json() == {
                "message": "Route GET:/api/v4/secrets not found", "error": "Not Found", "statusCode": 404
            }

        def test_default(infisical):
            response = requests.get(infisical.url + "/api/v3/secrets/raw")
            assert (response.status_code, response.json()["error"]) == (401, "UnauthorizedError")
        """
    )
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["*::test_august PASSED*", "*::test_default PASSED*"])


def test_serve_profile_routes_of_the_era(tmp_path: Path) -> None:
    """`serve --profile 2024-08`: that era's routes and renderings over real HTTP."""
    served = serving.start(tmp_path, "--profile", "2024-08")
    try:
        project = str(served.credentials["project_id"])
        api_key = {"X-API-KEY": str(served.credentials["api_key"])}
        v4 = requests.get(served.url + f"/api/v4/secrets?projectId={project}", headers=api_key, timeout=10)
        assert_route_404(v4, "GET", f"/api/v4/secrets?projectId={project}")
        members = requests.get(served.url + f"/api/v1/workspace/{project}/memberships", headers=api_key, timeout=10)
        assert members.status_code == 200, members.text
        query = {"workspaceId": project, "environment": "dev"}
        garbage = requests.get(
            served.url + "/api/v3/secrets/raw", headers={"Authorization": "Bearer "}, params=query, timeout=10
        )
        assert_error_2024(garbage, 500, "Internal Server Error", "jwt must be provided")
    finally:
        serving.stop(served)


def test_serve_profile(tmp_path: Path) -> None:
    served = serving.start(tmp_path, "--profile", "2024-08")
    try:
        missing = requests.get(served.url + "/api/v3/secrets/raw", timeout=10)
        assert_error_2024(missing, 403, "Unauthorized access", "Token missing")
        token = str(served.credentials["service_token"])
        document = requests.get(served.url + "/api/v2/service-token", headers=bearer(token), timeout=10)
        assert document.status_code == 200, document.text
        assert document.headers["x-ratelimit-limit"] == "60"
    finally:
        serving.stop(served)
