"""Secret imports in raw lists and single GETs, era by era.

* every era: a list carries ``imports``, empty unless imports exist and are asked for
  (``include_imports=true``); ``viewSecretValue=false`` hides imported values too (PROTOCOL §11.3);
* 2024-08 (§12.4): a v3 project's list carries only ``secrets`` unless imports are asked for, and its
  imported secrets have ``workspace: ""`` and no comment or reminder fields; the source's scope is not
  checked; a single GET finds a name that exists only in an import (value in v1, ``""`` in v3), and
  a single GET's document has no ``secretPath`` (§11.8);
* 2023 (the package's docs, profiles.md): an imported folder the caller may not read is left out.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from ..fidelity.conftest import RAW_SECRET_KEYS_LATEST
from .conftest import call, identity_headers, login

RAW = "/api/v3/secrets/raw"
HIDDEN = "<hidden-by-infisical>"
BARE_DROPPED = {"secretComment", "secretReminderNote", "secretReminderRepeatDays"}


def _json(response: Response) -> dict[str, Any]:
    assert response.status == 200, response.body
    body = response.json()
    assert isinstance(body, dict)
    return body


def _seed(fake: FakeInfisical, project: Any = None) -> None:
    fake.set_secret("IMPORTED", "from-staging", environment="staging", comment="a note", project=project)
    fake.set_secret("LOCAL", "in-dev", project=project)
    fake.add_import("staging", "/", project=project)


def _headers(fake: FakeInfisical, project: Any = None) -> dict[str, str]:
    identity = fake.create_machine_identity("admin", project=project)
    return {"Authorization": f"Bearer {login(fake, identity)}"}


def _today() -> tuple[FakeInfisical, dict[str, str], dict[str, str]]:
    """A ``latest`` fake with an import, an admin identity's headers and the query of ``dev:/``."""
    fake = FakeInfisical(profile="latest")
    _seed(fake)
    return fake, identity_headers(fake, "admin"), {"workspaceId": fake.project.id, "environment": "dev"}


@pytest.mark.infisical(profile="latest")
def test_imports_are_listed_when_asked_and_hidden_with_the_values() -> None:
    fake, headers, query = _today()
    assert _json(call(fake, "GET", RAW, headers=headers, query=query))["imports"] == []
    hidden = _json(
        call(fake, "GET", RAW, headers=headers, query={**query, "include_imports": "true", "viewSecretValue": "false"})
    )
    assert [(s["secretKey"], s["secretValue"], s["secretValueHidden"]) for s in hidden["secrets"]] == [
        ("LOCAL", HIDDEN, True)
    ]
    (entry,) = hidden["imports"]
    assert [(s["secretKey"], s["secretValue"], s["secretValueHidden"]) for s in entry["secrets"]] == [
        ("IMPORTED", HIDDEN, True)
    ]
    # an imported secret is today's raw secret object (§13.3), whose `metadata` is gone
    assert set(entry["secrets"][0]) <= RAW_SECRET_KEYS_LATEST


@pytest.mark.infisical(profile="2024-08")
@pytest.mark.parametrize("version", [1, 3])
def test_the_2024_08_server_lists_imports_by_project_version(version: int) -> None:
    fake = FakeInfisical(profile="2024-08")
    project = fake.create_project("p", version=version)
    _seed(fake, project)
    headers = _headers(fake, project)
    query = {"workspaceId": project.id, "environment": "dev"}
    unasked = _json(call(fake, "GET", RAW, headers=headers, query=query))
    assert set(unasked) == ({"secrets"} if version == 3 else {"secrets", "imports"})
    asked = _json(call(fake, "GET", RAW, headers=headers, query={**query, "include_imports": "true"}))
    assert set(asked) == {"secrets", "imports"}
    (entry,) = asked["imports"]
    (imported,) = entry["secrets"]
    assert imported["secretKey"] == "IMPORTED"
    if version == 3:
        assert imported["workspace"] == ""
        assert not BARE_DROPPED & set(imported)
    else:
        assert (imported["workspace"], imported["secretValue"]) == (project.id, "from-staging")
        assert imported["secretComment"] == "a note"
        assert set(imported) >= BARE_DROPPED


@pytest.mark.infisical(profile="2024-08")
@pytest.mark.parametrize(("version", "value"), [(1, "from-staging"), (3, "")])
def test_the_2024_08_server_finds_a_single_secret_through_an_import(version: int, value: str) -> None:
    fake = FakeInfisical(profile="2024-08")
    project = fake.create_project("p", version=version)
    _seed(fake, project)
    headers = _headers(fake, project)
    query = {"workspaceId": project.id, "environment": "dev"}
    unasked = call(fake, "GET", f"{RAW}/IMPORTED", headers=headers, query=query)
    assert (unasked.status, unasked.json()["message"]) == (400, "Secret not found")
    found = _json(call(fake, "GET", f"{RAW}/IMPORTED", headers=headers, query={**query, "include_imports": "true"}))
    secret = found["secret"]
    assert (secret["secretKey"], secret["secretValue"]) == ("IMPORTED", value)
    assert "secretPath" not in secret
    if version == 3:
        assert secret["workspace"] == ""
        assert not BARE_DROPPED & set(secret)


@pytest.mark.infisical(profile="latest")
def test_a_name_only_in_an_import_is_not_found_unless_imports_are_asked() -> None:
    """§12.4/§13.2: with ``include_imports=false`` the single GET does not look in imports."""
    fake, headers, query = _today()
    unasked = call(fake, "GET", f"{RAW}/IMPORTED", headers=headers, query=query)
    assert (unasked.status, unasked.json()["message"]) == (404, "Secret with name 'IMPORTED' not found")
    asked = _json(call(fake, "GET", f"{RAW}/IMPORTED", headers=headers, query={**query, "include_imports": "true"}))
    assert asked["secret"]["secretValue"] == "from-staging"


@pytest.mark.parametrize(
    ("profile", "scopes", "listed"),
    [
        # 2024-08 (§12.4): the source's scope is not checked, every import is listed with its secrets
        pytest.param(
            "2024-08",
            [("dev", "/**")],
            [("staging", ["FROM_STAGING"]), ("prod", ["FROM_PROD"])],
            id="2024-08 lists every import",
        ),
        # 2023 (profiles.md): an import the caller may not read is left out, the next one kept
        pytest.param("2023", [("dev", "/"), ("prod", "/")], [("prod", ["FROM_PROD"])], id="2023 leaves out staging"),
    ],
)
def test_imports_and_the_callers_scope(profile: str, scopes: list[tuple[str, str]], listed: list[Any]) -> None:
    fake = FakeInfisical(profile=profile)
    fake.set_secret("FROM_STAGING", "s", environment="staging")
    fake.set_secret("FROM_PROD", "p", environment="prod")
    fake.add_import("staging", "/")
    fake.add_import("prod", "/")
    token = fake.create_service_token(scopes=scopes, permissions=["read"])
    query = {"workspaceId": fake.project.id, "environment": "dev", "include_imports": "true"}
    body = _json(call(fake, "GET", RAW, headers=token.headers, query=query))
    assert [(i["environment"], [s["secretKey"] for s in i["secrets"]]) for i in body["imports"]] == listed


@pytest.mark.infisical(profile="latest")
def test_an_import_of_a_missing_folder_does_not_hide_the_next() -> None:
    fake = FakeInfisical(profile="latest")
    fake.set_secret("FROM_PROD", "p", environment="prod")
    fake.add_import("staging", "/not-there")
    fake.add_import("prod", "/")
    headers = identity_headers(fake, "admin")
    query = {"workspaceId": fake.project.id, "environment": "dev", "include_imports": "true"}
    for route in (RAW, "/api/v3/secrets"):
        listed = _json(call(fake, "GET", route, headers=headers, query=query))
        assert ("prod", "/") in [(i["environment"], i["secretPath"]) for i in listed["imports"]], route
