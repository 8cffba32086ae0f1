"""`latest` keeps state as the recent measured server does (§13.2).

Most rules run on both the default project (v1 with the server-side bot) and a v3 (KMS) project:
the measured server had only v3 projects, and `latest` declares one rule for both.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pytest_infisical.fake import FakeInfisical

from .conftest import (
    Api,
    assert_error,
    assert_route_404,
    bearer,
    identity_headers,
    login,
    raw_query,
    send_as_is,
    zod_issue,
)

pytestmark = pytest.mark.infisical(profile="latest")


def names(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [secret["secretKey"] for secret in response.json()["secrets"]]


# ---- lists filter by scope ------------------------------------------------------------------

OUT_OF_SCOPE_LISTS = [
    pytest.param([("dev", "/**")], "prod", "/", id="13.2 list filtered: environment outside scope"),
    pytest.param([("dev", "/app/**")], "dev", "/", id="13.2 list filtered: path outside scope"),
    pytest.param([("dev", "/"), ("staging", "/")], "dev", "/app", id="13.2 list filtered: scope / does not cover /app"),
]


@pytest.mark.parametrize(("scopes", "environment", "path"), OUT_OF_SCOPE_LISTS)
@pytest.mark.parametrize("route", ["/api/v3/secrets/raw", "/api/v4/secrets"])
def test_lists_outside_scope_are_empty_not_refused(
    api: Api, infisical: FakeInfisical, project: Any, scopes: Any, environment: str, path: str, route: str
) -> None:
    for env in ("dev", "prod"):
        for folder in ("/", "/app"):
            infisical.set_secret("VISIBLE_ELSEWHERE", "v", environment=env, path=folder, project=project)
    token = infisical.create_service_token(scopes=scopes, permissions=("read",), project=project)
    query = raw_query(infisical, environment, path, project=project)
    if route == "/api/v4/secrets":
        query = {"projectId": query.pop("workspaceId"), **query}
    response = api("GET", route, headers=token.headers, params=query)
    assert response.status_code == 200, response.text
    assert response.json() == {"secrets": [], "imports": []}


# ---- imports --------------------------------------------------------------------------------


def _seed_import(fake: FakeInfisical, project: Any) -> None:
    fake.set_secret("IMPORTED", "from-staging", environment="staging", project=project)
    fake.set_secret("LOCAL", "in-dev", environment="dev", project=project)
    fake.add_import("staging", "/", environment="dev", path="/", project=project)


def test_imports_from_an_unreadable_environment_are_hidden(api: Api, infisical: FakeInfisical, project: Any) -> None:
    """13.2 imports follow the scope rule: the token may not read staging, so its secrets are hidden."""
    _seed_import(infisical, project)
    token = infisical.create_service_token(scopes=[("dev", "/**")], permissions=("read",), project=project)
    query = {**raw_query(infisical, project=project), "include_imports": "true"}
    response = api("GET", "/api/v3/secrets/raw", headers=token.headers, params=query)
    assert names(response) == ["LOCAL"]
    imports = response.json()["imports"]
    assert [(i["environment"], i["secretPath"], i["secrets"]) for i in imports] == [("staging", "/", [])]
    single = api("GET", "/api/v3/secrets/raw/IMPORTED", headers=token.headers, params=query)
    assert_error(single, 404, "NotFound", "Secret with name 'IMPORTED' not found")


@pytest.mark.parametrize("reader", ["identity", "service_token"])
def test_imports_readable_by_the_caller_carry_their_real_value(
    api: Api, infisical: FakeInfisical, project: Any, reader: str
) -> None:
    """13.2 identities and tokens that can read the source see imported secrets, with their real value."""
    _seed_import(infisical, project)
    if reader == "identity":
        headers = identity_headers(api, project=project)
    else:
        scopes = [("dev", "/**"), ("staging", "/**")]
        headers = infisical.create_service_token(scopes=scopes, permissions=("read",), project=project).headers
    query = {**raw_query(infisical, project=project), "include_imports": "true"}
    response = api("GET", "/api/v3/secrets/raw", headers=headers, params=query)
    imports = response.json()["imports"]
    assert [(i["environment"], [(s["secretKey"], s["secretValue"]) for s in i["secrets"]]) for i in imports] == [
        ("staging", [("IMPORTED", "from-staging")])
    ]
    single = api("GET", "/api/v3/secrets/raw/IMPORTED", headers=headers, params=query)
    assert single.status_code == 200, single.text
    assert single.json()["secret"]["secretValue"] == "from-staging"


def test_raw_lists_always_carry_imports(api: Api, infisical: FakeInfisical, project: Any) -> None:
    """13.2 raw lists always include `imports` (also on v3), asked for or not."""
    infisical.set_secret("A", "1", project=project)
    headers = identity_headers(api, project=project)
    for flag in (None, "false"):
        query = raw_query(infisical, project=project)
        if flag is not None:
            query["include_imports"] = flag
        response = api("GET", "/api/v3/secrets/raw", headers=headers, params=query)
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"secrets", "imports"}
        assert response.json()["imports"] == []


# ---- order ----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/api/v3/secrets/raw", "/api/v4/secrets"])
def test_lists_are_in_creation_order(api: Api, infisical: FakeInfisical, project: Any, route: str) -> None:
    """13.2 order is creation order (neither alphabetical nor newest first)."""
    for name in ("MIDDLE", "ALPHA", "ZULU", "BRAVO"):
        infisical.set_secret(name, "v", project=project)
    infisical.set_secret("ALPHA", "updated", project=project)  # an update does not move it
    query = raw_query(infisical, project=project)
    if route == "/api/v4/secrets":
        query = {"projectId": query.pop("workspaceId"), **query}
    response = api("GET", route, headers=identity_headers(api, project=project), params=query)
    assert names(response) == ["MIDDLE", "ALPHA", "ZULU", "BRAVO"]


def test_recursive_list_puts_sub_folders_first(api: Api, infisical: FakeInfisical, project: Any) -> None:
    """13.2 a recursive list puts sub-folders first (/app, /app/nested, then /)."""
    infisical.set_secret("ROOT", "r", path="/", project=project)
    infisical.set_secret("APP", "a", path="/app", project=project)
    infisical.set_secret("NESTED", "n", path="/app/nested", project=project)
    query = {**raw_query(infisical, project=project), "recursive": "true"}
    response = api("GET", "/api/v3/secrets/raw", headers=identity_headers(api, project=project), params=query)
    assert response.status_code == 200, response.text
    found = [(s["secretKey"], s["secretPath"]) for s in response.json()["secrets"]]
    assert found == [("APP", "/app"), ("NESTED", "/app/nested"), ("ROOT", "/")]


# ---- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(("flag", "expected"), [("true", "https://example.org/api"), ("false", "${BASE}/api")])
def test_references_expand_in_lists_and_single_gets(
    api: Api, infisical: FakeInfisical, project: Any, flag: str, expected: str
) -> None:
    """13.2 expandSecretReferences=true expands in lists and in a single raw GET."""
    infisical.set_secret("BASE", "https://example.org", project=project)
    infisical.set_secret("URL", "${BASE}/api", project=project)
    headers = identity_headers(api, project=project)
    query = {**raw_query(infisical, project=project), "expandSecretReferences": flag}
    listed = api("GET", "/api/v3/secrets/raw", headers=headers, params=query)
    assert {s["secretKey"]: s["secretValue"] for s in listed.json()["secrets"]}["URL"] == expected
    single = api("GET", "/api/v3/secrets/raw/URL", headers=headers, params=query)
    assert single.status_code == 200, single.text
    assert single.json()["secret"]["secretValue"] == expected


# ---- updates --------------------------------------------------------------------------------


def test_comment_only_patch(api: Api, infisical: FakeInfisical, project: Any) -> None:
    """13.2 PATCH raw without secretValue is allowed: a comment-only update."""
    infisical.set_secret("EXISTING", "kept", comment="old", project=project)
    body = {**raw_query(infisical, project=project), "secretComment": "new"}
    response = api("PATCH", "/api/v3/secrets/raw/EXISTING", headers=identity_headers(api, project=project), json=body)
    assert response.status_code == 200, response.text
    stored = infisical.secret("EXISTING", project=project)
    assert (stored.value, stored.comment) == ("kept", "new")


def test_patch_without_comment_keeps_the_stored_comment(api: Api, infisical: FakeInfisical, project: Any) -> None:
    """13.2 without secretComment the response shows "" but the stored comment is kept."""
    infisical.set_secret("EXISTING", "old", comment="keep me", project=project)
    body = {**raw_query(infisical, project=project), "secretValue": "new"}
    response = api("PATCH", "/api/v3/secrets/raw/EXISTING", headers=identity_headers(api, project=project), json=body)
    assert response.status_code == 200, response.text
    assert response.json()["secret"]["secretComment"] == ""
    stored = infisical.secret("EXISTING", project=project)
    assert (stored.value, stored.comment) == ("new", "keep me")


TRIMMING = [
    pytest.param("  line1\nline2\n", "line1\nline2\n", id="13.2 trim: one trailing newline kept"),
    pytest.param("\t value \t", "value", id="13.2 trim: both ends"),
    pytest.param("  value  \n\n", "value\n", id="13.2 trim: several trailing newlines become one"),
    pytest.param("inner  space", "inner  space", id="13.2 trim: inside untouched"),
]


@pytest.mark.parametrize(("sent", "stored"), TRIMMING)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_values_are_trimmed(
    api: Api, infisical: FakeInfisical, project: Any, sent: str, stored: str, method: str
) -> None:
    if method == "PATCH":
        infisical.set_secret("TRIMMED", "before", project=project)
    body = {**raw_query(infisical, project=project), "secretValue": sent}
    response = api(method, "/api/v3/secrets/raw/TRIMMED", headers=identity_headers(api, project=project), json=body)
    assert response.status_code == 200, response.text
    assert infisical.secret("TRIMMED", project=project).value == stored


# ---- scopes, credentials, URLs --------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({}, id="13.2 single scope override: no query"),
        pytest.param(
            {"workspaceId": "0123456789abcdef01234567", "environment": "prod", "secretPath": "/"},
            id="13.2 single scope override: other query",
        ),
    ],
)
def test_single_non_glob_scope_overrides_the_query(api: Api, infisical: FakeInfisical, query: dict[str, str]) -> None:
    infisical.set_secret("IN_SCOPE", "v", environment="staging", path="/app")
    infisical.set_secret("ELSEWHERE", "v", environment="prod", path="/")
    token = infisical.create_service_token(scopes=[("staging", "/app")], permissions=("read",))
    assert names(api("GET", "/api/v3/secrets/raw", headers=token.headers, params=query)) == ["IN_SCOPE"]


def test_form_encoded_login(api: Api, infisical: FakeInfisical) -> None:
    """13.2 (as 12.1) Universal Auth login accepts a form-encoded body."""
    identity = infisical.create_machine_identity()
    response = api("POST", "/api/v1/auth/universal-auth/login", data=identity.login_body)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"accessToken", "expiresIn", "accessTokenMaxTTL", "tokenType"}


def test_trailing_slash_and_encoded_underscore(api: Api, infisical: FakeInfisical) -> None:
    """13.2 (as 12.2, 12.4) a trailing slash is accepted; %5F in a path is decoded."""
    infisical.set_secret("MY_SECRET", "v")
    headers = identity_headers(api)
    listed = api("GET", "/api/v3/secrets/raw/", headers=headers, params=raw_query(infisical))
    assert names(listed) == ["MY_SECRET"]
    single = api("GET", "/api/v3/secrets/raw/MY%5FSECRET", headers=headers, params=raw_query(infisical))
    assert single.status_code == 200, single.text
    assert single.json()["secret"]["secretKey"] == "MY_SECRET"


def test_names_are_case_sensitive(api: Api, infisical: FakeInfisical) -> None:
    """13.2 (as 12.4) names are case-sensitive."""
    infisical.set_secret("Token", "v")
    response = api("GET", "/api/v3/secrets/raw/TOKEN", headers=identity_headers(api), params=raw_query(infisical))
    assert_error(response, 404, "NotFound", "Secret with name 'TOKEN' not found")


ROUTE_404S = [
    pytest.param("GET", "//api/v3/secrets/raw", id="13.2 doubled slash at the start"),
    pytest.param("GET", "/api/v3//secrets/raw", id="13.2 doubled slash inside"),
    pytest.param("PUT", "/api/v3/secrets/raw/EXISTING", id="13.2 PUT on a known path"),
]


@pytest.mark.infisical(allow_unrouted=True)
@pytest.mark.parametrize(("method", "path"), ROUTE_404S)
def test_fastify_route_404(api: Api, infisical: FakeInfisical, method: str, path: str) -> None:
    infisical.set_secret("EXISTING", "v")
    response, target = send_as_is(api, method, path)
    assert_route_404(response, method, target)


def test_v4_routes(api: Api, infisical: FakeInfisical) -> None:
    """13.2 /api/v4/secrets exists (list and single get); /api/v4/secrets/raw is a secret named raw."""
    infisical.set_secret("EXISTING", "v")
    headers = identity_headers(api)
    query = {"projectId": infisical.project.id, "environment": "dev", "secretPath": "/"}
    assert names(api("GET", "/api/v4/secrets", headers=headers, params=query)) == ["EXISTING"]
    single = api("GET", "/api/v4/secrets/EXISTING", headers=headers, params=query)
    assert single.status_code == 200, single.text
    assert single.json()["secret"]["secretValue"] == "v"
    raw = api("GET", "/api/v4/secrets/raw", headers=headers, params=raw_query(infisical))
    assert_error(raw, 422, "ValidationFailure", [zod_issue("projectId")])


# ---- rate limits ----------------------------------------------------------------------------


def test_self_hosted_has_no_rate_limiter(api: Api, infisical: FakeInfisical) -> None:
    """13.2 self-hosted servers have no rate limiter: no x-ratelimit-* headers, no 429 past Cloud's 40/min."""
    headers = identity_headers(api)
    for _ in range(45):
        response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
        assert response.status_code == 200, response.text
        assert not [h for h in response.headers if h.lower().startswith(("x-ratelimit", "ratelimit", "retry-after"))]


def test_rate_limit_renders_clouds_429(api: Api, infisical: FakeInfisical) -> None:
    """13.2 the fake's rate_limit() renders Infisical Cloud's 429 body, with retry-after: 60."""
    headers = identity_headers(api)
    infisical.rate_limit(limit=2)
    for _ in range(2):
        assert api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical)).status_code == 200
    limited = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert_error(limited, 429, "RateLimitExceeded", "Rate limit exceeded. Please try again in 60 seconds")
    assert limited.headers["retry-after"] == "60"


def test_renewed_token_at_max_ttl_keeps_working(api: Api, infisical: FakeInfisical) -> None:
    """13.2 renew at max TTL is allowed and the token stays valid until it expires."""
    identity = infisical.create_machine_identity(access_token_ttl=60, access_token_max_ttl=60)
    token = login(api, identity)
    infisical.clock.advance(30)
    renewed = api("POST", "/api/v1/auth/token/renew", json={"accessToken": token})
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["accessToken"] == token
    assert api("GET", "/api/v3/secrets/raw", headers=bearer(token), params=raw_query(infisical)).status_code == 200


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        pytest.param([("dev", "/")], ["ROOT"], id="13.2 recursive list filtered: scope / does not cover /app"),
        pytest.param([("dev", "/"), ("dev", "/app/**")], ["APP", "NESTED", "ROOT"], id="13.2 recursive list: /app/**"),
    ],
)
def test_recursive_list_filters_sub_folders_by_scope(
    api: Api, infisical: FakeInfisical, project: Any, scopes: Any, expected: list[str]
) -> None:
    """13.2 lists filter by scope: a recursive list leaves out the sub-folders the token may not read."""
    infisical.set_secret("ROOT", "r", path="/", project=project)
    infisical.set_secret("APP", "a", path="/app", project=project)
    infisical.set_secret("NESTED", "n", path="/app/nested", project=project)
    token = infisical.create_service_token(scopes=scopes, permissions=("read",), project=project)
    query = {**raw_query(infisical, project=project), "recursive": "true"}
    assert names(api("GET", "/api/v3/secrets/raw", headers=token.headers, params=query)) == expected
