"""A raw PATCH with ``newSecretName: ""`` keeps the secret's name, as every Infisical era does
(the server renames only ``if (newSecretName)``, and an empty string is falsy). The fake used to
keep the secret under its old name but answer and list it with an empty ``secretKey``."""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical

from .conftest import call, identity_headers


@pytest.mark.parametrize("profile", ["latest", "2024-08", "2023"])
def test_an_empty_new_name_keeps_the_name(profile: str) -> None:
    fake = FakeInfisical(profile=profile)
    fake.set_secret("DB_PASSWORD", "old")
    headers = identity_headers(fake, role="admin")
    scope = {"workspaceId": fake.project.id, "environment": "dev"}
    body = {**scope, "secretValue": "new", "newSecretName": ""}
    patched = call(fake, "PATCH", "/api/v3/secrets/raw/DB_PASSWORD", headers=headers, body=body)
    assert patched.status == 200, patched.body
    assert patched.json()["secret"]["secretKey"] == "DB_PASSWORD"
    read = call(fake, "GET", "/api/v3/secrets/raw/DB_PASSWORD", headers=headers, query=scope)
    assert read.status == 200, read.body
    assert (read.json()["secret"]["secretKey"], read.json()["secret"]["secretValue"]) == ("DB_PASSWORD", "new")
    listed = call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=scope)
    assert [s["secretKey"] for s in listed.json()["secrets"]] == ["DB_PASSWORD"]
