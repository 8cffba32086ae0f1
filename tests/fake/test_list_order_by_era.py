"""The order of a raw list, and what a recursive list walks, era by era.

* creation order today (PROTOCOL §13.2); the 2024-08 server lists a v1 project newest first and a v3
  project in creation order (§12.4);
* a recursive list puts sub-folders first today (§13.2), the folder first under 2024-08 (the
  package's docs, profiles.md), and walks the folder's own sub-folders only (a folder is a path
  segment: ``/appX`` is not below ``/app``).
"""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical

from .conftest import call, login

RAW = "/api/v3/secrets/raw"


def _listed(fake: FakeInfisical, project_id: str, headers: dict[str, str], **query: str) -> list[tuple[str, str]]:
    full = {"workspaceId": project_id, "environment": "dev", **query}
    response = call(fake, "GET", RAW, headers=headers, query=full)
    assert response.status == 200, response.body
    return [(s["secretPath"], s["secretKey"]) for s in response.json()["secrets"]]


@pytest.mark.parametrize(
    ("profile", "version", "newest_first"),
    [
        pytest.param("2024-08", 1, True, id="2024-08 v1"),
        pytest.param("2024-08", 3, False, id="2024-08 v3"),
        pytest.param("latest", 1, False, id="latest v1"),
        pytest.param("latest", 3, False, id="latest v3"),
    ],
)
def test_list_order(profile: str, version: int, newest_first: bool) -> None:
    fake = FakeInfisical(profile=profile)
    project = fake.create_project("p", version=version)
    for name in ("FIRST", "SECOND", "THIRD"):
        fake.set_secret(name, "v", project=project)
    headers = {"Authorization": f"Bearer {login(fake, fake.create_machine_identity('admin', project=project))}"}
    created = [("/", "FIRST"), ("/", "SECOND"), ("/", "THIRD")]
    assert _listed(fake, project.id, headers) == (created[::-1] if newest_first else created)


@pytest.mark.parametrize(("profile", "subfolders_first"), [("latest", True), ("2024-08", False)])
def test_a_recursive_list_walks_the_folders_below(profile: str, subfolders_first: bool) -> None:
    fake = FakeInfisical(profile=profile)
    project = fake.create_project("p", version=3)
    fake.set_secret("AT_APP", "v", path="/app", project=project)
    fake.set_secret("AT_APP_NESTED", "v", path="/app/nested", project=project)
    fake.set_secret("AT_APPX", "v", path="/appX", project=project)
    fake.set_secret("AT_ROOT", "v", project=project)
    headers = {"Authorization": f"Bearer {login(fake, fake.create_machine_identity('admin', project=project))}"}
    below = [("/app/nested", "AT_APP_NESTED")]
    own = [("/app", "AT_APP")]
    assert _listed(fake, project.id, headers, secretPath="/app", recursive="true") == (
        below + own if subfolders_first else own + below
    )
    assert _listed(fake, project.id, headers, secretPath="/appX", recursive="true") == [("/appX", "AT_APPX")]
