"""Where a reference points, and which reads expand (the package's docs, protocol.md and
profiles.md; PROTOCOL §12.4).

* ``${env.folder.sub.KEY}`` names a secret two folders deep; a reference to a secret that is not
  there (its folder missing too) stays as written, and does not stop the references after it;
* the 2024-08 server expands in lists, and in single GETs of a version 3 project only;
* ``viewSecretValue=false`` hides a single GET's value (§11.3), expanded or not.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import call, login

RAW = "/api/v3/secrets/raw"
HIDDEN = "<hidden-by-infisical>"


def _headers(fake: FakeInfisical, project: Any = None) -> dict[str, str]:
    identity = fake.create_machine_identity("admin", project=project)
    return {"Authorization": f"Bearer {login(fake, identity)}"}


def _secret(response: Response) -> dict[str, Any]:
    assert response.status == 200, response.body
    secret = response.json()["secret"]
    assert isinstance(secret, dict)
    return secret


@pytest.mark.infisical(profile="latest")
def test_a_reference_reaches_two_folders_deep_and_a_missing_one_stays() -> None:
    fake = FakeInfisical(profile="latest")
    fake.set_secret("DEEP", "deep-value", environment="prod", path="/app/nested")
    fake.set_secret("NEXT", "next-value")
    fake.set_secret("DSN", "${prod.app.nested.DEEP}|${prod.nowhere.GONE}|${@other.dev.X}|${NEXT}")
    query = {"workspaceId": fake.project.id, "environment": "dev", "expandSecretReferences": "true"}
    secret = _secret(call(fake, "GET", f"{RAW}/DSN", headers=_headers(fake), query=query))
    value = secret["secretValue"]
    head, missing, _, tail = value.split("|")
    assert (head, missing, tail) == ("deep-value", "${prod.nowhere.GONE}", "next-value")


@pytest.mark.infisical(profile="2024-08")
@pytest.mark.parametrize(("version", "expanded"), [(1, False), (3, True)])
def test_the_2024_08_server_expands_a_single_get_of_a_v3_project_only(version: int, expanded: bool) -> None:
    fake = FakeInfisical(profile="2024-08")
    project = fake.create_project("p", version=version)
    fake.set_secret("HOST", "db.internal", project=project)
    fake.set_secret("DSN", "postgres://${HOST}", project=project)
    headers = _headers(fake, project)
    query = {"workspaceId": project.id, "environment": "dev", "expandSecretReferences": "true"}
    single = _secret(call(fake, "GET", f"{RAW}/DSN", headers=headers, query=query))
    assert single["secretValue"] == ("postgres://db.internal" if expanded else "postgres://${HOST}")
    listed = call(fake, "GET", RAW, headers=headers, query=query)
    assert listed.status == 200, listed.body
    assert {s["secretKey"]: s["secretValue"] for s in listed.json()["secrets"]}["DSN"] == "postgres://db.internal"


@pytest.mark.infisical(profile="latest")
@pytest.mark.parametrize("expand", ["true", "false"])
def test_a_single_get_hides_the_value_when_asked(expand: str) -> None:
    fake = FakeInfisical(profile="latest")
    fake.set_secret("HOST", "db.internal")
    fake.set_secret("DSN", "postgres://${HOST}")
    query = {
        "workspaceId": fake.project.id,
        "environment": "dev",
        "expandSecretReferences": expand,
        "viewSecretValue": "false",
    }
    secret = _secret(call(fake, "GET", f"{RAW}/DSN", headers=_headers(fake), query=query))
    assert (secret["secretValue"], secret["secretValueHidden"]) == (HIDDEN, True)
