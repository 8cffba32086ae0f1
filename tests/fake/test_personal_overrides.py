"""Personal overrides (PROTOCOL §5.2, §5.3): a user's own copy of a shared secret, by name.

* a read asks for ``type ?? "personal"``: the caller's override if there is one, else the shared
  secret; ``type=shared`` asks for the shared one only;
* creating one needs the shared secret of the same name ("Failed to create personal secret override
  for no corresponding shared secret") and refuses a second one ("Failed to create secret that
  already exists");
* an update or a delete names the type it acts on, and touches only that secret;
* the document of a personal secret names its user (``user``, §5.2.0; ``userId`` in today's key
  set, §11.8).

API keys act as their user; they are served by the 2023 profile.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infisical.credentials import ApiKey
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import call

pytestmark = pytest.mark.infisical(profile="2023")

RAW = "/api/v3/secrets/raw"


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical(profile="2023")
    fake.set_secret("SHARED_NAME", "team-value")
    return fake


def _scope(fake: FakeInfisical, **more: str) -> dict[str, str]:
    return {"workspaceId": fake.project.id, "environment": "dev", **more}


def _write(fake: FakeInfisical, key: ApiKey, method: str, name: str = "SHARED_NAME", **body: str) -> Response:
    return call(fake, method, f"{RAW}/{name}", headers=key.headers, body=_scope(fake, **body))


def _ok(response: Response) -> dict[str, Any]:
    assert response.status == 200, response.body
    secret = response.json()["secret"]
    assert isinstance(secret, dict)
    return secret


def test_an_override_is_read_first_and_written_alone(fake: FakeInfisical) -> None:
    key = fake.create_api_key()
    created = _ok(_write(fake, key, "POST", type="personal", secretValue="my-value"))
    assert (created["type"], created["secretValue"], created["user"]) == ("personal", "my-value", fake.user.id)
    assert fake.secret("SHARED_NAME").value == "team-value"

    default = _ok(call(fake, "GET", f"{RAW}/SHARED_NAME", headers=key.headers, query=_scope(fake)))
    assert (default["type"], default["secretValue"]) == ("personal", "my-value")
    shared = _ok(call(fake, "GET", f"{RAW}/SHARED_NAME", headers=key.headers, query=_scope(fake, type="shared")))
    assert (shared["type"], shared["secretValue"]) == ("shared", "team-value")

    updated = _ok(_write(fake, key, "PATCH", type="personal", secretValue="my-new-value"))
    assert (updated["type"], updated["secretValue"]) == ("personal", "my-new-value")
    assert fake.secret("SHARED_NAME", type="personal").value == "my-new-value"
    assert fake.secret("SHARED_NAME").value == "team-value"

    deleted = _ok(_write(fake, key, "DELETE", type="personal"))
    assert deleted["type"] == "personal"
    assert fake.secret("SHARED_NAME").value == "team-value"
    with pytest.raises(LookupError):
        fake.secret("SHARED_NAME", type="personal")


def test_a_shared_write_leaves_the_override_alone(fake: FakeInfisical) -> None:
    key = fake.create_api_key()
    fake.set_secret("SHARED_NAME", "my-value", type="personal")
    updated = _ok(_write(fake, key, "PATCH", type="shared", secretValue="team-new"))
    assert (updated["type"], updated["secretValue"]) == ("shared", "team-new")
    assert fake.secret("SHARED_NAME", type="personal").value == "my-value"


def test_an_override_needs_its_shared_secret_and_is_made_once(fake: FakeInfisical) -> None:
    key = fake.create_api_key()
    first = _write(fake, key, "POST", type="personal", secretValue="mine")
    assert first.status == 200, first.body
    again = _write(fake, key, "POST", type="personal", secretValue="mine")
    assert (again.status, again.json()["message"]) == (400, "Failed to create secret that already exists")
    orphan = _write(fake, key, "POST", "NO_SHARED", type="personal", secretValue="mine")
    assert (orphan.status, orphan.json()["message"]) == (
        400,
        "Failed to create personal secret override for no corresponding shared secret",
    )


def test_an_encrypted_personal_document_names_its_user(fake: FakeInfisical) -> None:
    key = fake.create_api_key()
    fake.set_secret("SHARED_NAME", "mine", type="personal")
    listed = call(fake, "GET", "/api/v3/secrets", headers=key.headers, query=_scope(fake))
    assert listed.status == 200, listed.body
    docs = listed.json()["secrets"]
    # §5.2: the caller's personal secrets first, then the shared ones
    assert [doc["type"] for doc in docs] == ["personal", "shared"]
    personal, shared = docs
    assert personal["user"] == fake.user.id
    assert "userId" in personal  # §11.8's key set
    assert "user" not in shared  # §5.2.0: only on type "personal"
    assert personal["__v"] == shared["__v"] == 0  # §5.2.0
