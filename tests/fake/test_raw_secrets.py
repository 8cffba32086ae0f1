"""``/api/v3/secrets/raw`` and ``/api/v4/secrets``: plaintext, server-side encryption (§5.3, §9.2, §11.3, §11.5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from pytest_infisical import crypto
from pytest_infisical.fake import FakeInfisical

from ..fidelity.conftest import RAW_SECRET_KEYS_LATEST
from .conftest import call, identity_headers

#: today's raw list item, exactly (`metadata` is gone): transcribed once, beside the fidelity tests
RAW_KEYS = RAW_SECRET_KEYS_LATEST


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical()
    fake.set_secret("DB_PASSWORD", "hunter2", comment="primary")
    return fake


def _raw(fake: FakeInfisical, headers: dict[str, str], path: str = "/api/v3/secrets/raw", **query: str) -> Any:
    response = call(fake, "GET", path, headers=headers, query=query)
    assert response.status == 200, response.body
    return response.json()


def test_list_in_plaintext_with_every_documented_key(fake: FakeInfisical) -> None:
    body = _raw(fake, identity_headers(fake), workspaceId=fake.project.id, environment="dev")
    (item,) = body["secrets"]
    assert set(item) == RAW_KEYS
    assert (item["secretKey"], item["secretValue"], item["secretComment"]) == ("DB_PASSWORD", "hunter2", "primary")
    assert item["id"] == item["_id"]
    assert body["imports"] == []


def test_e2ee_projects_are_refused(profile: str) -> None:
    fake = FakeInfisical(profile=profile, e2ee=True)
    fake.set_secret("A", "1")
    response = call(
        fake,
        "GET",
        "/api/v3/secrets/raw",
        headers=identity_headers(fake),
        query={"workspaceId": fake.project.id, "environment": "dev"},
    )
    expected = {
        "2023": (400, "Failed workspace authorization due to end-to-end encryption not being disabled"),
        "latest": (
            404,
            f"Project bot not found for project with ID '{fake.project.id}'. "
            "Please ask an administrator to log-in to the Infisical Console.",
        ),
    }[profile]
    assert (response.status, response.json()["message"]) == expected
    # the encrypted routes still serve it: ciphertext only
    encrypted = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=identity_headers(fake),
        query={"workspaceId": fake.project.id, "environment": "dev"},
    )
    assert encrypted.status == 200 and b'"1"' not in encrypted.body


def test_single_scope_token_is_auto_scoped(fake: FakeInfisical) -> None:
    """A one-scope, glob-free token's scope replaces workspaceId, environment and secretPath (§11.3)."""
    fake.set_secret("PROD_ONLY", "p", environment="prod", path="/svc")
    token = fake.create_service_token(scopes=[("prod", "/svc")], permissions=("read",))
    body = _raw(fake, token.headers)  # no parameters at all
    assert [s["secretKey"] for s in body["secrets"]] == ["PROD_ONLY"]
    body = _raw(fake, token.headers, workspaceId="x" * 24, environment="dev", secretPath="/")
    assert [s["secretKey"] for s in body["secrets"]] == ["PROD_ONLY"]


def test_multi_scope_token_must_name_the_scope(fake: FakeInfisical) -> None:
    token = fake.create_service_token(scopes=[("dev", "/"), ("prod", "/")])
    response = call(fake, "GET", "/api/v3/secrets/raw", headers=token.headers)
    assert (response.status, response.json()["message"]) == (400, "Missing project id or environment")  # §13.1
    body = _raw(fake, token.headers, workspaceId=fake.project.id, environment="dev")
    assert [s["secretKey"] for s in body["secrets"]] == ["DB_PASSWORD"]


def test_crud_in_plaintext(fake: FakeInfisical) -> None:
    headers = identity_headers(fake)
    scope = {"workspaceId": fake.project.id, "environment": "dev"}
    created = call(
        fake,
        "POST",
        "/api/v3/secrets/raw/API_URL",
        headers=headers,
        body={**scope, "secretValue": "https://one", "secretComment": "c"},
    )
    assert created.status == 200
    assert created.json()["secret"]["secretValue"] == "https://one"
    # stored encrypted, like every secret
    stored = fake.project.folders[("dev", "/")].shared["API_URL"].cipher
    assert crypto.decrypt_secret(stored, fake.project.key).value == "https://one"
    assert "https://one" not in str(stored)

    got = call(fake, "GET", "/api/v3/secrets/raw/API_URL", headers=headers, query=scope).json()["secret"]
    assert (got["secretValue"], got["secretComment"], got["version"]) == ("https://one", "c", 1)

    updated = call(
        fake, "PATCH", "/api/v3/secrets/raw/API_URL", headers=headers, body={**scope, "secretValue": "https://two"}
    )
    assert (updated.json()["secret"]["secretValue"], updated.json()["secret"]["version"]) == ("https://two", 2)
    # §13.2: without secretComment the answer shows "" while the stored comment is kept
    assert updated.json()["secret"]["secretComment"] == ""
    assert fake.secret("API_URL").comment == "c"

    renamed = call(
        fake, "PATCH", "/api/v3/secrets/raw/API_URL", headers=headers, body={**scope, "newSecretName": "BASE_URL"}
    )
    assert renamed.json()["secret"]["secretKey"] == "BASE_URL"
    assert fake.secrets() == {"DB_PASSWORD": "hunter2", "BASE_URL": "https://two"}

    deleted = call(fake, "DELETE", "/api/v3/secrets/raw/BASE_URL", headers=headers, body=scope)
    assert deleted.json()["secret"]["secretValue"] == "https://two"
    assert fake.secrets() == {"DB_PASSWORD": "hunter2"}


def test_view_secret_value_false_masks_values(fake: FakeInfisical) -> None:
    body = _raw(fake, identity_headers(fake), workspaceId=fake.project.id, environment="dev", viewSecretValue="false")
    (item,) = body["secrets"]
    assert (item["secretValue"], item["secretValueHidden"]) == ("<hidden-by-infisical>", True)


def test_references_expand_on_request(fake: FakeInfisical) -> None:
    fake.set_secret("HOST", "db.internal")
    fake.set_secret("PROD_HOST", "db.prod", environment="prod", path="/net")
    fake.set_secret("DSN", "postgres://${HOST}/app ${prod.net.PROD_HOST} ${MISSING}")
    headers = identity_headers(fake)
    scope = {"workspaceId": fake.project.id, "environment": "dev"}
    plain = {s["secretKey"]: s["secretValue"] for s in _raw(fake, headers, **scope)["secrets"]}
    assert plain["DSN"] == "postgres://${HOST}/app ${prod.net.PROD_HOST} ${MISSING}"
    expanded = {
        s["secretKey"]: s["secretValue"] for s in _raw(fake, headers, **scope, expandSecretReferences="true")["secrets"]
    }
    assert expanded["DSN"] == "postgres://db.internal/app db.prod ${MISSING}"


def test_recursive_lists_subfolders(fake: FakeInfisical) -> None:
    fake.set_secret("DEEP", "d", path="/a/b")
    headers = identity_headers(fake)
    flat = _raw(fake, headers, workspaceId=fake.project.id, environment="dev")
    deep = _raw(fake, headers, workspaceId=fake.project.id, environment="dev", recursive="true")
    assert [s["secretKey"] for s in flat["secrets"]] == ["DB_PASSWORD"]
    assert {(s["secretKey"], s["secretPath"]) for s in deep["secrets"]} == {("DB_PASSWORD", "/"), ("DEEP", "/a/b")}


def test_v4_list_for_the_current_cli(fake: FakeInfisical) -> None:
    fake.set_secret("IMPORTED", "i", environment="prod")
    fake.add_import("prod", "/", environment="dev")
    headers = identity_headers(fake)
    body = _raw(fake, headers, "/api/v4/secrets", projectId=fake.project.id, environment="dev", includeImports="true")
    assert [s["secretKey"] for s in body["secrets"]] == ["DB_PASSWORD"]
    assert [s["secretKey"] for s in body["imports"][0]["secrets"]] == ["IMPORTED"]
    response = call(
        fake, "GET", "/api/v4/secrets", headers=headers, query={"projectId": fake.project.id, "environment": "dev"}
    )
    assert re.fullmatch(r'"[A-Za-z0-9_-]{43}"', response.headers["ETag"])  # §13.3: a raw list's strong etag


def test_tag_filters_match_nothing_because_no_secret_is_tagged(fake: FakeInfisical) -> None:
    body = _raw(fake, identity_headers(fake), workspaceId=fake.project.id, environment="dev", tagSlugs="backend")
    assert body["secrets"] == []


def test_machine_identity_roles(fake: FakeInfisical) -> None:
    from .conftest import login

    viewer = fake.create_machine_identity(role="viewer")
    headers = {"Authorization": f"Bearer {login(fake, viewer)}"}
    scope = {"workspaceId": fake.project.id, "environment": "dev"}
    assert call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=scope).status == 200
    denied = call(fake, "POST", "/api/v3/secrets/raw/X", headers=headers, body={**scope, "secretValue": "v"})
    assert (denied.status, denied.json()["message"]) == (403, "You are not allowed to create on secrets")
    other = fake.create_project("Other")
    outside = call(
        fake, "GET", "/api/v3/secrets/raw", headers=headers, query={"workspaceId": other.id, "environment": "dev"}
    )
    assert outside.status == 403


def test_a_secret_written_under_another_key_does_not_poison_its_folder(infisical: FakeInfisical) -> None:
    """The server's bot cannot decrypt it: its 500, journaled like any answer (not a fake bug), the
    other folders still served, and the Python API names the secret."""
    from pytest_infisical.errors import DecryptionError, UndecryptableSecretError

    headers = identity_headers(infisical)
    scope = {"workspaceId": infisical.project.id, "environment": "dev"}
    wrong = crypto.generate_project_key()
    body: dict[str, str] = {**scope, "type": "shared"}
    for part, text in (("Key", "BROKEN"), ("Value", "v")):
        sealed = crypto.encrypt_symmetric(text, wrong)
        body[f"secret{part}Ciphertext"], body[f"secret{part}IV"], body[f"secret{part}Tag"] = (
            sealed.ciphertext,
            sealed.iv,
            sealed.tag,
        )
    url = f"{infisical.url}/api/v3/secrets"
    assert requests.post(f"{url}/BROKEN", json=body, headers=headers).status_code == 200
    infisical.set_secret("FINE", "1", environment="prod")

    listed = requests.get(f"{url}/raw", params=scope, headers=headers)
    assert listed.status_code == 500
    assert {k: v for k, v in listed.json().items() if k != "reqId"} == {
        "statusCode": 500,
        "message": "Something went wrong",
        "error": "InternalServerError",
    }
    other = requests.get(f"{url}/raw", params={**scope, "environment": "prod"}, headers=headers)
    assert [s["secretKey"] for s in other.json()["secrets"]] == ["FINE"]
    last = infisical.calls.filter("GET", "/api/v3/secrets/raw", status=500)
    assert len(last) == 1 and last[0].exception is None  # an answer the server gives, not a crash of the fake

    folder = infisical.project.folder("dev", "/")
    assert folder is not None
    secret_id = folder.shared["BROKEN"].id
    expected = (
        f"the shared secret 'BROKEN' at dev:/ (id {secret_id}) cannot be decrypted under its project's key: "
        "a client wrote it under another key (DecryptionError). Infisical fails on it too; delete or rewrite it."
    )
    with pytest.raises(UndecryptableSecretError) as raised:
        infisical.secrets("dev")
    assert str(raised.value) == expected
    with pytest.raises(DecryptionError) as single:  # the same typed error, for one secret
        infisical.secret("BROKEN")
    assert str(single.value) == expected
    assert infisical.secrets("prod") == {"FINE": "1"}
