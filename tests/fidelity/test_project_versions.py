"""Project versions: v1 (legacy E2EE with a project key, with or without the server-side bot) and
v3 (KMS: the server encrypts), on the encrypted and the raw routes, under `latest` and `2024-08`."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pytest_infisical import crypto
from pytest_infisical.fake import FakeInfisical

from .conftest import Api, assert_error, assert_error_2024, create_project, identity_headers, raw_query

PROFILES = [pytest.param(p, marks=pytest.mark.infisical(profile=p), id=p) for p in ("latest", "2024-08")]
LATEST = pytest.mark.infisical(profile="latest")
AUGUST = pytest.mark.infisical(profile="2024-08")

CIPHER_BODY = crypto.encrypt_secret("NEW", "value", crypto.generate_project_key()).to_dict()


def _encrypted_list(api: Api, fake: FakeInfisical, project: Any, token: Any) -> requests.Response:
    query = {"workspaceId": project.id, "environment": "dev"}
    return api("GET", "/api/v3/secrets", headers=token.headers, params=query)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("how", ["default project", "version=1"])
def test_v1_with_the_bot_serves_both_route_families(api: Api, infisical: FakeInfisical, profile: str, how: str) -> None:
    """The default project is v1 with the bot: the legacy SDKs read it encrypted, current ones raw."""
    project = infisical.project if how == "default project" else create_project(infisical, "legacy", version=1)
    infisical.set_secret("EXISTING", "v", project=project)
    token = infisical.create_service_token(project=project, permissions=("read",))
    token_doc = api("GET", "/api/v2/service-token", headers=token.headers).json()
    encrypted = _encrypted_list(api, infisical, project, token)
    assert encrypted.status_code == 200, encrypted.text
    assert dict(crypto.decrypt_secrets(encrypted.json(), service_token=token, service_token_data=token_doc)) == {
        "EXISTING": "v"
    }
    raw = api(
        "GET",
        "/api/v3/secrets/raw",
        headers=identity_headers(api, project=project),
        params=raw_query(infisical, project=project),
    )
    assert raw.status_code == 200, raw.text
    assert [(s["secretKey"], s["secretValue"]) for s in raw.json()["secrets"]] == [("EXISTING", "v")]


@pytest.mark.parametrize("profile", PROFILES)
def test_v1_without_the_bot_serves_the_encrypted_routes(api: Api, infisical: FakeInfisical, profile: str) -> None:
    project = create_project(infisical, "e2ee", version=1, e2ee=True)
    infisical.set_secret("EXISTING", "v", project=project)
    token = infisical.create_service_token(project=project, permissions=("read",))
    token_doc = api("GET", "/api/v2/service-token", headers=token.headers).json()
    encrypted = _encrypted_list(api, infisical, project, token)
    assert dict(crypto.decrypt_secrets(encrypted.json(), service_token=token, service_token_data=token_doc)) == {
        "EXISTING": "v"
    }


@LATEST
def test_v1_without_the_bot_refuses_the_raw_routes_latest(api: Api, infisical: FakeInfisical) -> None:
    """Today's server: no bot and no server-readable key to make one → 404."""
    project = create_project(infisical, "e2ee", version=1, e2ee=True)
    headers = identity_headers(api, project=project)
    response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical, project=project))
    assert_error(
        response,
        404,
        "NotFound",
        f"Project bot not found for project with ID '{project.id}'. "
        "Please ask an administrator to log-in to the Infisical Console.",
    )


@AUGUST
def test_v1_without_the_bot_refuses_the_raw_routes_2024(api: Api, infisical: FakeInfisical) -> None:
    project = create_project(infisical, "e2ee", version=1, e2ee=True)
    headers = identity_headers(api, project=project)
    response = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical, project=project))
    assert_error_2024(response, 400, "bot_not_found_error", "Failed to find bot key")


@pytest.mark.parametrize("profile", PROFILES)
def test_v3_serves_the_raw_routes(api: Api, infisical: FakeInfisical, profile: str) -> None:
    project = create_project(infisical, "kms", version=3)
    headers = identity_headers(api, project=project)
    body = {**raw_query(infisical, project=project), "secretValue": "created"}
    created = api("POST", "/api/v3/secrets/raw/NEW", headers=headers, json=body)
    assert created.status_code == 200, created.text
    assert infisical.secrets("dev", "/", project=project) == {"NEW": "created"}
    read = api("GET", "/api/v3/secrets/raw/NEW", headers=headers, params=raw_query(infisical, project=project))
    assert read.json()["secret"]["secretValue"] == "created"


@LATEST
@pytest.mark.parametrize("include_imports", [None, "true"])
def test_v3_encrypted_list_is_empty_latest(api: Api, infisical: FakeInfisical, include_imports: Any) -> None:
    """13.1 the encrypted list of a v3 project answers 200 {"secrets": []} (+ imports when asked)."""
    project = create_project(infisical, "kms", version=3)
    infisical.set_secret("EXISTING", "v", project=project)
    query = {"workspaceId": project.id, "environment": "dev"}
    expected: dict[str, Any] = {"secrets": []}
    if include_imports:
        query["include_imports"] = include_imports
        expected["imports"] = []
    response = api("GET", "/api/v3/secrets", headers=identity_headers(api, project=project), params=query)
    assert response.status_code == 200, response.text
    assert response.json() == expected


ENCRYPTED_ON_V3 = [
    pytest.param("GET", None, "CreateSecret", id="13.1 encrypted on v3: GET"),
    pytest.param("POST", CIPHER_BODY, "CreateSecret", id="13.1 encrypted on v3: POST"),
    pytest.param(
        "PATCH",
        {k: v for k, v in CIPHER_BODY.items() if k.startswith("secretValue")},
        "CreateSecret",
        id="13.1 encrypted on v3: PATCH",
    ),
    pytest.param("DELETE", {}, "DeleteSecret", id="13.1 encrypted on v3: DELETE"),
]


@LATEST
@pytest.mark.parametrize(("method", "body", "error"), ENCRYPTED_ON_V3)
def test_v3_encrypted_single_routes_latest(
    api: Api, infisical: FakeInfisical, method: str, body: Any, error: str
) -> None:
    project = create_project(infisical, "kms", version=3)
    infisical.set_secret("EXISTING", "v", project=project)
    where = {"workspaceId": project.id, "environment": "dev", "type": "shared"}
    name = "NEW" if method == "POST" else "EXISTING"
    headers = identity_headers(api, project=project)
    if body is None:
        response = api(method, f"/api/v3/secrets/{name}", headers=headers, params=where)
    else:
        response = api(method, f"/api/v3/secrets/{name}", headers=headers, json={**where, **body})
    assert_error(response, 404, error, f"Blind index for project with ID '{project.id}' not found")


@AUGUST
def test_v3_encrypted_list_is_empty_2024(api: Api, infisical: FakeInfisical) -> None:
    """12.4 the encrypted v3 routes list []."""
    project = create_project(infisical, "kms", version=3)
    infisical.set_secret("EXISTING", "v", project=project)
    query = {"workspaceId": project.id, "environment": "dev"}
    response = api("GET", "/api/v3/secrets", headers=identity_headers(api, project=project), params=query)
    assert response.status_code == 200, response.text
    assert response.json()["secrets"] == []


@AUGUST
@pytest.mark.parametrize(
    ("method", "body"),
    [
        pytest.param("POST", CIPHER_BODY, id="12.4 encrypted write on v3: POST"),
        pytest.param(
            "PATCH",
            {k: v for k, v in CIPHER_BODY.items() if k.startswith("secretValue")},
            id="12.4 encrypted write on v3: PATCH",
        ),
        pytest.param("DELETE", {}, id="12.4 encrypted write on v3: DELETE"),
    ],
)
def test_v3_encrypted_writes_2024(api: Api, infisical: FakeInfisical, method: str, body: Any) -> None:
    project = create_project(infisical, "kms", version=3)
    infisical.set_secret("EXISTING", "v", project=project)
    where = {"workspaceId": project.id, "environment": "dev", "type": "shared"}
    name = "NEW" if method == "POST" else "EXISTING"
    response = api(
        method, f"/api/v3/secrets/{name}", headers=identity_headers(api, project=project), json={**where, **body}
    )
    assert_error_2024(response, 400, "CreateSecret", "Blind index not found")


def test_version_must_be_1_or_3(infisical: FakeInfisical) -> None:
    with pytest.raises(ValueError, match="version"):
        create_project(infisical, "p", version=2)


def test_a_seed_file_chooses_a_projects_version() -> None:
    """The seed key ``"version"``: the first project (the default one) and any other take it."""
    from pytest_infisical.seed import build_seeded

    fake, projects = build_seeded({"projects": [{"name": "kms", "version": 3}, {"name": "legacy"}]})
    assert [p.version for p in projects] == [3, 1]
    assert fake.project is projects[0]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"version": 2}, "seed.json: projects[0].version: expected 1 (legacy E2EE) or 3 (KMS), got 2"),
        ({"version": True}, "seed.json: projects[0].version: expected 1 (legacy E2EE) or 3 (KMS), got True"),
        ({"version": 3, "e2ee": True}, "seed.json: projects[0].e2ee: a version 3 (KMS) project has no end-to-end"),
    ],
)
def test_a_bad_version_in_a_seed_file_is_named(spec: dict[str, Any], message: str) -> None:
    from pytest_infisical.seed import SeedError, build_seeded

    with pytest.raises(SeedError) as raised:
        build_seeded({"projects": [spec]}, source="seed.json")
    assert str(raised.value).startswith(message), str(raised.value)
