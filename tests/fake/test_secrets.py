"""``/api/v3/secrets``: encrypted CRUD, folders, imports, personal overrides (PROTOCOL.md §5.2, §11.3)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_infisical import crypto
from pytest_infisical.fake import FakeInfisical

from .conftest import call, identity_headers

#: keys today's server returns on a list item (PROTOCOL.md §11.8), plus the 2023 ones (§5.2.0)
LIST_ITEM_KEYS = set(
    [
        "_id",
        "algorithm",
        "createdAt",
        "environment",
        "folderId",
        "id",
        "keyEncoding",
        "metadata",
        "secretCommentCiphertext",
        "secretCommentIV",
        "secretCommentTag",
        "secretKeyCiphertext",
        "secretKeyIV",
        "secretKeyTag",
        "secretPath",
        "secretReminderNote",
        "secretReminderRepeatDays",
        "secretValueCiphertext",
        "secretValueIV",
        "secretValueTag",
        "skipMultilineEncoding",
        "tags",
        "type",
        "updatedAt",
        "userId",
        "version",
        "workspace",
    ]
) | {"__v", "folder"}


@pytest.fixture
def fake() -> FakeInfisical:
    return FakeInfisical()


@pytest.fixture
def user_fake() -> FakeInfisical:
    """Personal secrets belong to a user, who called with an API key: a mode today's server no
    longer serves (nor does the fake serve user sessions), so these tests run on the 2023 profile."""
    return FakeInfisical(profile="2023")


def _list(fake: FakeInfisical, headers: dict[str, str], **query: str) -> Any:
    response = call(fake, "GET", "/api/v3/secrets", headers=headers, query={"workspaceId": fake.project.id, **query})
    assert response.status == 200, response.body
    return response.json()


def _write(fake: FakeInfisical, method: str, name: str, headers: dict[str, str], **body: Any) -> Any:
    payload = {"workspaceId": fake.project.id, "environment": "dev", "type": "shared", **body}
    return call(fake, method, f"/api/v3/secrets/{name}", headers=headers, body=payload)


def test_list_returns_every_documented_key_and_decrypts_with_the_project_key(fake: FakeInfisical) -> None:
    fake.set_secret("DB_PASSWORD", "hunter2", comment="primary db")
    token = fake.create_service_token()
    body = _list(fake, token.headers, environment="dev")
    (item,) = body["secrets"]
    assert set(item) >= LIST_ITEM_KEYS
    assert item["id"] == item["_id"] and item["workspace"] == fake.project.id
    assert (item["algorithm"], item["keyEncoding"], item["type"], item["version"]) == (
        "aes-256-gcm",
        "utf8",
        "shared",
        1,
    )
    assert item["secretReminderNote"] is None and item["metadata"] is None
    assert body["imports"] == []  # always present (§11.3)
    plain = crypto.decrypt_secret(item, fake.project.key)
    assert (plain.name, plain.value, plain.comment) == ("DB_PASSWORD", "hunter2", "primary db")


def test_no_plaintext_on_the_wire(fake: FakeInfisical) -> None:
    fake.set_secret("DB_PASSWORD", "hunter2")
    response = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=identity_headers(fake),
        query={"workspaceId": fake.project.id, "environment": "dev"},
    )
    assert response.status == 200, response.body  # an error body would pass the checks below
    (item,) = response.json()["secrets"]
    assert crypto.decrypt_secret(item, fake.project.key).value == "hunter2"
    assert b"hunter2" not in response.body and b"DB_PASSWORD" not in response.body
    assert fake.project.key.encode() not in response.body


def test_create_update_delete_round_trip_with_versions(fake: FakeInfisical) -> None:
    token = fake.create_service_token()
    key = fake.project.key
    fields = crypto.encrypt_secret("API_URL", "https://one", key).to_dict()
    created = _write(fake, "POST", "API_URL", token.headers, **fields)
    assert created.status == 200
    assert created.json()["secret"]["version"] == 1
    assert fake.secrets() == {"API_URL": "https://one"}

    update = crypto.encrypt_symmetric("https://two", key)
    patched = _write(
        fake,
        "PATCH",
        "API_URL",
        token.headers,
        secretValueCiphertext=update.ciphertext,
        secretValueIV=update.iv,
        secretValueTag=update.tag,
    )
    assert patched.json()["secret"]["version"] == 2
    assert fake.secret("API_URL").value == "https://two"
    assert fake.secret("API_URL").version == 2

    deleted = _write(fake, "DELETE", "API_URL", token.headers)
    assert deleted.status == 200
    assert crypto.decrypt_secret(deleted.json()["secret"], key).value == "https://two"
    assert fake.secrets() == {}


def test_create_stores_the_ciphertext_exactly_as_sent(fake: FakeInfisical) -> None:
    fields = crypto.encrypt_secret("A", "b", fake.project.key, comment="c").to_dict()
    _write(fake, "POST", "A", identity_headers(fake), **fields)
    stored = fake.project.folders[("dev", "/")].shared["A"].cipher
    assert stored == fields


def test_a_secret_created_without_comment_still_carries_an_encrypted_empty_comment(fake: FakeInfisical) -> None:
    fields = crypto.encrypt_secret("A", "b", fake.project.key).to_dict()
    for name in ("secretCommentCiphertext", "secretCommentIV", "secretCommentTag"):
        del fields[name]
    doc = _write(fake, "POST", "A", identity_headers(fake), **fields).json()["secret"]
    assert doc["secretCommentCiphertext"] == ""
    assert crypto.decrypt_secret(doc, fake.project.key).comment == ""


def test_duplicate_create_is_refused(profile: str) -> None:
    fake = FakeInfisical(profile=profile)
    fake.set_secret("A", "1")
    fields = crypto.encrypt_secret("A", "2", fake.project.key).to_dict()
    response = _write(fake, "POST", "A", identity_headers(fake), **fields)
    expected = {"latest": "Secret already exists", "2023": "Failed to create secret that already exists"}[profile]
    assert (response.status, response.json()["message"]) == (400, expected)
    assert fake.secrets() == {"A": "1"}


def test_single_get_falls_back_from_personal_to_shared(user_fake: FakeInfisical) -> None:
    fake = user_fake
    fake.set_secret("A", "shared-a")
    fake.set_secret("B", "shared-b")
    fake.set_secret("B", "personal-b", type="personal")
    headers = fake.create_api_key().headers
    query = {"workspaceId": fake.project.id, "environment": "dev"}
    for name, expected in (("A", "shared-a"), ("B", "personal-b")):
        doc = call(fake, "GET", f"/api/v3/secrets/{name}", headers=headers, query=query).json()["secret"]
        assert crypto.decrypt_secret(doc, fake.project.key).value == expected
    shared = call(fake, "GET", "/api/v3/secrets/B", headers=headers, query={**query, "type": "shared"}).json()["secret"]
    assert crypto.decrypt_secret(shared, fake.project.key).value == "shared-b"
    today = FakeInfisical()  # today's answer for a name with neither, to an identity
    query = {"workspaceId": today.project.id, "environment": "dev"}
    missing = call(today, "GET", "/api/v3/secrets/NOPE", headers=identity_headers(today), query=query)
    assert (missing.status, missing.json()["message"]) == (404, "Secret with name 'NOPE' not found")


def test_list_puts_the_callers_personal_secrets_first(user_fake: FakeInfisical) -> None:
    fake = user_fake
    fake.set_secret("B", "shared-b")
    fake.set_secret("B", "personal-b", type="personal")
    other = fake.create_user("other@example.com")
    fake.set_secret("B", "someone-elses", type="personal", user=other)
    body = _list(fake, fake.create_api_key().headers, environment="dev")
    types = [s["type"] for s in body["secrets"]]
    assert types == ["personal", "shared"]
    assert body["secrets"][0]["user"] == fake.user.id
    assert dict(crypto.decrypt_secrets(body, project_key=fake.project.key)) == {"B": "personal-b"}


def test_personal_override_needs_a_shared_secret(user_fake: FakeInfisical) -> None:
    fake = user_fake
    fields = crypto.encrypt_secret("A", "mine", fake.project.key).to_dict()
    response = _write(fake, "POST", "A", fake.create_api_key().headers, type="personal", **fields)
    assert (response.status, response.json()["message"]) == (
        400,
        "Failed to create personal secret override for no corresponding shared secret",
    )


def test_deleting_a_shared_secret_deletes_its_personal_overrides(user_fake: FakeInfisical) -> None:
    fake = user_fake
    fake.set_secret("A", "shared")
    fake.set_secret("A", "personal", type="personal")
    assert _write(fake, "DELETE", "A", fake.create_api_key().headers).status == 200
    with pytest.raises(LookupError, match=r"no personal secret 'A' at dev:/"):
        fake.secret("A", type="personal")


def test_folders_by_path_and_unknown_folders(profile: str) -> None:
    fake = FakeInfisical(profile=profile)
    fake.set_secret("QUEUE_URL", "amqp://queue", path="/backend/workers")
    headers = identity_headers(fake)
    body = _list(fake, headers, environment="dev", secretPath="/backend/workers")
    assert dict(crypto.decrypt_secrets(body, project_key=fake.project.key)) == {"QUEUE_URL": "amqp://queue"}
    assert body["secrets"][0]["secretPath"] == "/backend/workers"
    assert _list(fake, headers, environment="dev", secretPath="/backend")["secrets"] == []
    missing = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=headers,
        query={"workspaceId": fake.project.id, "environment": "dev", "secretPath": "/nope"},
    )
    expected = {
        "latest": (
            404,
            "Folder with path '/nope' in environment 'dev' was not found. "
            "Please ensure the environment slug and secret path is correct.",
        ),
        "2023": (500, "Folder not found"),
    }[profile]
    assert (missing.status, missing.json()["message"]) == expected


def test_secret_path_forms_are_tolerated(fake: FakeInfisical) -> None:
    """``%2F``, a trailing slash and a missing secretPath all mean the same folder (§11.6)."""
    fake.set_secret("A", "1", path="/x")
    headers = identity_headers(fake)
    base = f"/api/v3/secrets?workspaceId={fake.project.id}&environment=dev"
    for query in ("&secretPath=%2Fx", "&secretPath=/x/", "&secretPath=/x"):
        response = call(fake, "GET", base + query, headers=headers)
        assert len(response.json()["secrets"]) == 1, query
    assert call(fake, "GET", base, headers=headers).json()["secrets"] == []


def test_imports_only_with_include_imports_true(fake: FakeInfisical) -> None:
    fake.set_secret("SHARED_URL", "https://shared", environment="prod", path="/shared")
    fake.set_secret("LOCAL", "1")
    fake.add_import("prod", "/shared", environment="dev", path="/")
    token = fake.create_service_token(scopes=[("dev", "/"), ("prod", "/shared")])
    without = _list(fake, token.headers, environment="dev")
    assert without["imports"] == []
    with_imports = _list(fake, token.headers, environment="dev", include_imports="true")
    (imported,) = with_imports["imports"]
    assert set(imported) == {"environment", "folderId", "secretPath", "secrets"}
    assert (imported["environment"], imported["secretPath"]) == ("prod", "/shared")
    assert dict(crypto.decrypt_secrets(with_imports, project_key=fake.project.key)) == {
        "SHARED_URL": "https://shared",
        "LOCAL": "1",
    }
    # camelCase includeImports is not the parameter's name: the server ignores it (§11.3)
    assert _list(fake, token.headers, environment="dev", includeImports="true")["imports"] == []


@pytest.mark.parametrize(
    ("profile", "imports"),
    [
        ("2023", []),  # left out
        ("latest", [{"secretPath": "/", "environment": "prod", "folderId": "root", "secrets": []}]),  # §13.2: hidden
    ],
)
def test_imports_the_caller_may_not_read_are_hidden(profile: str, imports: list[dict[str, Any]]) -> None:
    fake = FakeInfisical(profile=profile)
    fake.set_secret("PROD_ONLY", "x", environment="prod")
    fake.add_import("prod", "/", environment="dev")
    token = fake.create_service_token(scopes=[("dev", "/")])
    assert _list(fake, token.headers, environment="dev", include_imports="true")["imports"] == imports


def test_glob_scopes(fake: FakeInfisical) -> None:
    fake.set_secret("A", "1", path="/apps/api")
    fake.set_secret("B", "2", path="/apps/web/deep")
    fake.set_secret("C", "3", path="/other")
    token = fake.create_service_token(scopes=[("dev", "/apps/**")], permissions=("read",))
    headers = token.headers
    assert len(_list(fake, headers, environment="dev", secretPath="/apps/api")["secrets"]) == 1
    assert len(_list(fake, headers, environment="dev", secretPath="/apps/web/deep")["secrets"]) == 1
    denied = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=headers,
        query={"workspaceId": fake.project.id, "environment": "dev", "secretPath": "/other"},
    )
    assert denied.status == 403
    one_level = fake.create_service_token(scopes=[("dev", "/apps/*")])
    assert len(_list(fake, one_level.headers, environment="dev", secretPath="/apps/api")["secrets"]) == 1
    deep = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=one_level.headers,
        query={"workspaceId": fake.project.id, "environment": "dev", "secretPath": "/apps/web/deep"},
    )
    assert deep.status == 403


def test_missing_parameters_are_a_validation_error(profile: str) -> None:
    fake = FakeInfisical(profile=profile)
    response = call(fake, "GET", "/api/v3/secrets", headers=identity_headers(fake), query={"environment": "dev"})
    body = response.json()
    if profile == "latest":
        assert (response.status, body["error"]) == (422, "ValidationFailure")
        assert body["message"] == [
            {
                "code": "invalid_type",
                "path": ["workspaceId"],
                "message": "Required",
                "expected": "string",
                "received": "undefined",
            }
        ]
    else:
        assert (response.status, body["error"], body["message"]) == (
            400,
            "validation_error",
            "The request failed validation",
        )


def test_2023_validated_v3_secrets_requests_before_authenticating() -> None:
    """Express-validator ran before requireAuth on the v3 secrets routes in 2023 (§3.1)."""
    old, new = FakeInfisical(profile="2023"), FakeInfisical(profile="latest")
    assert call(old, "GET", "/api/v3/secrets", query={"environment": "dev"}).status == 400
    assert call(old, "GET", "/api/v3/secrets", query={"environment": "dev"}).json()["error"] == "validation_error"
    assert call(new, "GET", "/api/v3/secrets", query={"environment": "dev"}).status == 401


def test_unknown_project(profile: str) -> None:
    fake = FakeInfisical(profile=profile)
    response = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=identity_headers(fake),
        query={"workspaceId": "f" * 24, "environment": "dev"},
    )
    expected = {
        "latest": (
            404,
            f"Project with ID '{'f' * 24}' not found during bot lookup. "
            "Are you sure you are using the correct project ID?",
        ),
        "2023": (404, "Failed to find workspace"),
    }[profile]
    assert (response.status, response.json()["message"]) == expected


def test_a_get_with_a_json_body_is_served(fake: FakeInfisical) -> None:
    """Some clients send a copy of the query as a JSON body on GET (§11.6); even a broken one is drained."""
    fake.set_secret("A", "1")
    headers = identity_headers(fake)
    query = {"workspaceId": fake.project.id, "environment": "dev"}
    assert call(fake, "GET", "/api/v3/secrets", headers=headers, query=query, body=query).status == 200
    from pytest_infisical.http import Request

    broken = Request(
        "GET",
        f"https://app.infisical.com/api/v3/secrets?workspaceId={fake.project.id}&environment=dev",
        headers,
        b"{not json",
    )
    assert fake.handle(broken).status == 200


def test_a_broken_json_body_on_a_write(profile: str) -> None:
    from pytest_infisical.http import Request

    fake = FakeInfisical(profile=profile)
    headers = {**identity_headers(fake), "Content-Type": "application/json"}
    response = fake.handle(Request("POST", "https://app.infisical.com/api/v3/secrets/A", headers, b'{"workspaceId": '))
    assert response.status == 500


def test_etag_and_304(fake: FakeInfisical) -> None:
    """The Kubernetes operator sends If-None-Match and treats 304 as 'not modified' (§2)."""
    fake.set_secret("A", "1")
    headers = fake.create_service_token().headers
    query = {"workspaceId": fake.project.id, "environment": "dev"}
    first = call(fake, "GET", "/api/v3/secrets", headers=headers, query=query)
    tag = first.headers["ETag"]
    assert re.fullmatch(r'"[A-Za-z0-9+/]{27}"', tag)  # §13.3: a strong SHA-1 etag
    again = call(fake, "GET", "/api/v3/secrets", headers={**headers, "If-None-Match": tag}, query=query)
    assert (again.status, again.body) == (304, b"")
    fake.set_secret("A", "2")
    changed = call(fake, "GET", "/api/v3/secrets", headers={**headers, "If-None-Match": tag}, query=query)
    assert changed.status == 200
