"""Request validation: types, enums and bodies, rendered per profile (today: 422 with zod-style issues)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from pytest_infisical.fake import FakeInfisical, get_profile
from pytest_infisical.http import Request

from .conftest import URL, call, identity_headers


@pytest.fixture
def fake() -> FakeInfisical:
    return FakeInfisical()


def _issues(fake: FakeInfisical, method: str, path: str, body: Any) -> list[dict[str, Any]]:
    response = call(fake, method, path, headers=identity_headers(fake), body=body)
    assert (response.status, response.json()["error"]) == (422, "ValidationFailure"), response.body
    issues: list[dict[str, Any]] = response.json()["message"]
    return issues


def test_wrong_types(fake: FakeInfisical) -> None:
    body = {"workspaceId": fake.project.id, "environment": "dev", "secretValue": 5, "skipMultilineEncoding": "yes"}
    assert _issues(fake, "POST", "/api/v3/secrets/raw/A", body) == [
        {
            "code": "invalid_type",
            "path": ["secretValue"],
            "message": "Expected string, received number",
            "expected": "string",
            "received": "number",
        },
        {
            "code": "invalid_type",
            "path": ["skipMultilineEncoding"],
            "message": "Expected boolean, received string",
            "expected": "boolean",
            "received": "string",
        },
    ]


def test_enums(fake: FakeInfisical) -> None:
    body = {"workspaceId": fake.project.id, "environment": "dev", "secretValue": "v", "type": "global"}
    assert _issues(fake, "POST", "/api/v3/secrets/raw/A", body) == [
        {
            "code": "invalid_enum_value",
            "path": ["type"],
            "message": "Invalid enum value. Expected 'shared' | 'personal', received 'global'",
            "options": ["shared", "personal"],
            "received": "global",
        }
    ]


def test_numbers_from_json_and_query() -> None:
    """On the one route that reads a number from its body, which only a service account can call:
    zod's messages, under a profile that is today's server still serving service accounts."""
    fake = FakeInfisical(profile=attrs.evolve(get_profile("latest"), retired_modes=frozenset()))
    account = fake.create_service_account()
    body: dict[str, Any] = {
        "name": "t",
        "workspaceId": fake.project.id,
        "scopes": [{"environment": "dev", "secretPath": "/"}],
        "encryptedKey": "",
        "iv": "",
        "tag": "",
        "expiresIn": "soon",
    }
    response = call(fake, "POST", "/api/v2/service-token", headers=account.headers, body=body)
    assert response.json()["message"][0]["message"] == "Expected number, received string"
    body["expiresIn"] = 60
    assert call(fake, "POST", "/api/v2/service-token", headers=account.headers, body=body).status == 200
    body["scopes"] = ["dev"]
    assert call(fake, "POST", "/api/v2/service-token", headers=account.headers, body=body).json()["message"][0][
        "path"
    ] == ["scopes", 0]


def test_a_body_that_is_not_an_object(fake: FakeInfisical) -> None:
    assert _issues(fake, "POST", "/api/v3/secrets/raw/A", ["not", "an", "object"])[0]["expected"] == "object"


def test_form_encoded_bodies_are_read(fake: FakeInfisical) -> None:
    """Express also parsed URL-encoded bodies (PROTOCOL.md §2)."""
    headers = {**identity_headers(fake), "Content-Type": "application/x-www-form-urlencoded"}
    body = f"workspaceId={fake.project.id}&environment=dev&secretValue=from+a+form".encode()
    response = fake.handle(Request("POST", URL + "/api/v3/secrets/raw/FORM", headers, body))
    assert response.status == 200
    assert fake.secrets() == {"FORM": "from a form"}


def test_2023_validation_names_the_parameters() -> None:
    fake = FakeInfisical(profile="2023")
    response = call(
        fake,
        "POST",
        "/api/v3/secrets/raw/A",
        headers=fake.create_api_key().headers,
        body={"environment": "dev", "type": "x"},
    )
    body = response.json()
    assert (response.status, body["error"], body["message"]) == (
        400,
        "validation_error",
        "The request failed validation",
    )
    assert body["context"]["errors"].startswith("One or more of your parameters are invalid [error(s)=")
