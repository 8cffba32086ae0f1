"""What a raw PATCH changes and keeps: renames, ``skipMultilineEncoding``, and the ``tags`` list.

Written from the server's ``updateSecret`` (PROTOCOL §9.2, §12.4, §13.2): ``newSecretName`` is
refused when a shared secret of that name exists in the folder — the renamed secret itself
included, so renaming to the same name is refused too — and a personal secret cannot be renamed;
``skipMultilineEncoding`` is written when sent (``false`` resets it) and kept when left out;
``tags`` is always a list.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import call


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical()
    fake.set_secret("API_URL", "https://api")
    fake.set_secret("TAKEN", "keep-me")
    return fake


def _scope(fake: FakeInfisical) -> dict[str, str]:
    return {"workspaceId": fake.project.id, "environment": "dev"}


def _patch(fake: FakeInfisical, headers: dict[str, str], name: str, **body: Any) -> Response:
    return call(fake, "PATCH", f"/api/v3/secrets/raw/{name}", headers=headers, body={**_scope(fake), **body})


def _error(response: Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status, body["error"], body["message"]


@pytest.mark.parametrize("new_name", ["API_URL", "TAKEN"], ids=["same-name", "existing-name"])
def test_a_rename_onto_a_taken_name_is_refused_and_changes_nothing(fake: FakeInfisical, new_name: str) -> None:
    token = fake.create_service_token()
    response = _patch(fake, token.headers, "API_URL", secretValue="changed", newSecretName=new_name)
    assert _error(response) == (400, "BadRequest", "Secret with the new name already exists")
    assert fake.secrets() == {"API_URL": "https://api", "TAKEN": "keep-me"}


def test_a_rename_onto_a_free_name_moves_the_secret(fake: FakeInfisical) -> None:
    token = fake.create_service_token()
    response = _patch(fake, token.headers, "API_URL", secretValue="https://api", newSecretName="BASE_URL")
    assert response.status == 200, response.body
    assert response.json()["secret"]["secretKey"] == "BASE_URL"
    assert fake.secrets() == {"BASE_URL": "https://api", "TAKEN": "keep-me"}
    missing = call(fake, "GET", "/api/v3/secrets/raw/API_URL", headers=token.headers, query=_scope(fake))
    assert _error(missing) == (404, "NotFound", "Secret with name 'API_URL' not found")


def test_a_personal_secret_cannot_be_renamed(fake: FakeInfisical) -> None:
    from .conftest import login

    identity = {"Authorization": f"Bearer {login(fake, fake.create_machine_identity())}"}
    response = _patch(fake, identity, "API_URL", type="personal", secretValue="x", newSecretName="OTHER")
    assert _error(response) == (400, "BadRequest", "Personal secret cannot change the key name")
    assert fake.secrets() == {"API_URL": "https://api", "TAKEN": "keep-me"}


def _skip(fake: FakeInfisical, headers: dict[str, str]) -> Optional[bool]:
    response = call(fake, "GET", "/api/v3/secrets/raw/PEM", headers=headers, query=_scope(fake))
    assert response.status == 200, response.body
    value = response.json()["secret"]["skipMultilineEncoding"]
    assert value is None or isinstance(value, bool)
    return value


def test_skip_multiline_encoding_is_set_kept_and_reset(fake: FakeInfisical) -> None:
    token = fake.create_service_token()
    body = {**_scope(fake), "secretValue": "a\nb", "skipMultilineEncoding": True}
    created = call(fake, "POST", "/api/v3/secrets/raw/PEM", headers=token.headers, body=body)
    assert (created.status, created.json()["secret"]["skipMultilineEncoding"]) == (200, True)
    assert _skip(fake, token.headers) is True
    kept = _patch(fake, token.headers, "PEM", secretValue="c\nd")
    assert (kept.status, kept.json()["secret"]["skipMultilineEncoding"]) == (200, True)
    assert _skip(fake, token.headers) is True
    reset = _patch(fake, token.headers, "PEM", secretValue="c\nd", skipMultilineEncoding=False)
    assert (reset.status, reset.json()["secret"]["skipMultilineEncoding"]) == (200, False)
    assert _skip(fake, token.headers) is False
    again = _patch(fake, token.headers, "PEM", skipMultilineEncoding=True)
    assert (again.status, _skip(fake, token.headers)) == (200, True)


def test_tags_are_a_list_in_every_document(fake: FakeInfisical) -> None:
    token = fake.create_service_token()
    scope = _scope(fake)
    documents = []
    documents += call(fake, "GET", "/api/v3/secrets/raw", headers=token.headers, query=scope).json()["secrets"]
    documents.append(
        call(fake, "GET", "/api/v3/secrets/raw/TAKEN", headers=token.headers, query=scope).json()["secret"]
    )
    body = {**scope, "secretValue": "v"}
    documents.append(call(fake, "POST", "/api/v3/secrets/raw/NEW", headers=token.headers, body=body).json()["secret"])
    documents.append(_patch(fake, token.headers, "NEW", secretValue="w").json()["secret"])
    documents.append(
        call(fake, "DELETE", "/api/v3/secrets/raw/NEW", headers=token.headers, body=scope).json()["secret"]
    )
    v4 = {"projectId": fake.project.id, "environment": "dev"}
    documents += call(fake, "GET", "/api/v4/secrets", headers=token.headers, query=v4).json()["secrets"]
    assert len(documents) == 8
    assert [doc["tags"] for doc in documents] == [[]] * 8
