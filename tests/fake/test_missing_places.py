"""What today's server answers for a place that does not exist: an unknown environment or a missing
folder (PROTOCOL §13.1), and a missing secret on an update or a delete (§13.1, and §12.1 for the
2024-08 server's blind-index wording).

A list names the place as ``SecretPathNotFound``; a single secret's route names the operation it was
doing (``GetSecretByName``, ``CreateSecret``). The path is shown as the server normalizes it: no
trailing slash (§11.6).
"""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import call, identity_headers, login

pytestmark = pytest.mark.infisical(profile="latest")

RAW = "/api/v3/secrets/raw"


def _error(response: Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status, body["error"], body["message"]


def _list_message(path: str, environment: str) -> str:
    return (
        f"Folder with path '{path}' in environment '{environment}' was not found. "
        "Please ensure the environment slug and secret path is correct."
    )


def _single_message(path: str, environment: str) -> str:
    return f"Folder with path '{path}' in environment with slug '{environment}' not found"


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical(profile="latest")
    fake.set_secret("KNOWN", "value")
    return fake


@pytest.mark.parametrize(
    ("environment", "sent_path", "shown_path"),
    [
        pytest.param("nope", "/app/", "/app", id="unknown environment"),
        pytest.param("dev", "/missing/", "/missing", id="missing folder"),
    ],
)
def test_a_missing_place_is_named_by_the_route_that_looked(
    fake: FakeInfisical, environment: str, sent_path: str, shown_path: str
) -> None:
    headers = identity_headers(fake, "admin")
    scope = {"workspaceId": fake.project.id, "environment": environment, "secretPath": sent_path}

    listed = call(fake, "GET", RAW, headers=headers, query=scope)
    assert _error(listed) == (404, "SecretPathNotFound", _list_message(shown_path, environment))

    single = call(fake, "GET", f"{RAW}/KNOWN", headers=headers, query=scope)
    assert _error(single) == (404, "GetSecretByName", _single_message(shown_path, environment))

    created = call(fake, "POST", f"{RAW}/NEW", headers=headers, body={**scope, "secretValue": "v"})
    assert _error(created) == (404, "CreateSecret", _single_message(shown_path, environment))

    # the encrypted routes look the folder up the same way (§13.1: a get names GetSecretByName)
    encrypted = call(fake, "GET", "/api/v3/secrets/KNOWN", headers=headers, query=scope)
    assert _error(encrypted) == (404, "GetSecretByName", _single_message(shown_path, environment))
    encrypted_list = call(fake, "GET", "/api/v3/secrets", headers=headers, query=scope)
    assert _error(encrypted_list) == (404, "SecretPathNotFound", _list_message(shown_path, environment))
    assert fake.secrets() == {"KNOWN": "value"}


def test_a_missing_secret_on_update_and_delete(fake: FakeInfisical) -> None:
    """§13.1: PATCH ``Secret with name X not found`` (no quotes), DELETE ``Secret not found``."""
    headers = identity_headers(fake, "admin")
    scope = {"workspaceId": fake.project.id, "environment": "dev"}
    patched = call(fake, "PATCH", f"{RAW}/GHOST", headers=headers, body={**scope, "secretValue": "v"})
    assert _error(patched) == (404, "NotFound", "Secret with name GHOST not found")
    deleted = call(fake, "DELETE", f"{RAW}/GHOST", headers=headers, body=scope)
    assert _error(deleted) == (404, "NotFound", "Secret not found")
    got = call(fake, "GET", f"{RAW}/GHOST", headers=headers, query=scope)
    assert _error(got) == (404, "NotFound", "Secret with name 'GHOST' not found")


@pytest.mark.infisical(profile="2024-08")
def test_a_missing_secret_in_a_v1_project_names_its_blind_index_under_2024_08() -> None:
    """§12.1: update/delete of a missing secret in a v1 project: ``Secret not found: blind index NAME``;
    a missing secret otherwise (a GET, or a v3 project's update) is ``Secret not found``."""
    fake = FakeInfisical(profile="2024-08")
    headers = identity_headers(fake, "admin")
    scope = {"workspaceId": fake.project.id, "environment": "dev"}
    for method in ("PATCH", "DELETE"):
        body = {**scope, "secretValue": "v"} if method == "PATCH" else scope
        response = call(fake, method, f"{RAW}/GHOST", headers=headers, body=body)
        assert _error(response) == (400, "BadRequest", "Secret not found: blind index GHOST"), method
    got = call(fake, "GET", f"{RAW}/GHOST", headers=headers, query=scope)
    assert _error(got) == (400, "BadRequest", "Secret not found")
    kms = fake.create_project("kms", version=3)
    kms_headers = {"Authorization": f"Bearer {login(fake, fake.create_machine_identity('admin', project=kms))}"}
    kms_scope = {"workspaceId": kms.id, "environment": "dev"}
    patched = call(fake, "PATCH", f"{RAW}/GHOST", headers=kms_headers, body={**kms_scope, "secretValue": "v"})
    assert _error(patched) == (400, "BadRequest", "Secret not found")
    # §12.1: deleting a missing secret of a v3 (KMS) project crashed that server
    deleted = call(fake, "DELETE", f"{RAW}/GHOST", headers=kms_headers, body=kms_scope)
    assert _error(deleted)[0::2] == (500, "Cannot read properties of undefined (reading 'encryptedValue')")
