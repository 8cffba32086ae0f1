"""End to end: a hand-written ``requests`` client per auth mode against the ``infisical`` fixture."""

from __future__ import annotations

import pytest
import requests

from pytest_infisical import crypto
from pytest_infisical.credentials import ApiKey, ServiceAccount, ServiceToken
from pytest_infisical.errors import DecryptionError
from pytest_infisical.fake import FakeInfisical

from .clients import ApiError, ApiKeyClient, ServiceAccountClient, ServiceTokenClient

URL = "https://app.infisical.com"


@pytest.fixture
def session() -> requests.Session:
    return requests.Session()


@pytest.mark.infisical(secrets={"dev": {"/": {"DB_PASSWORD": "hunter2"}, "/backend": {"QUEUE_URL": "amqp://queue"}}})
def test_service_token_flow(
    infisical: FakeInfisical, infisical_service_token: ServiceToken, session: requests.Session
) -> None:
    client = ServiceTokenClient(session, URL, infisical_service_token)
    assert client.project_key == infisical.project.key
    assert client.secrets() == {"DB_PASSWORD": "hunter2"}
    assert client.create("API_URL", "https://one") == 1
    assert client.update("API_URL", "https://two") == 2
    assert infisical.secrets() == {"DB_PASSWORD": "hunter2", "API_URL": "https://two"}
    client.delete("API_URL")
    assert infisical.secrets() == {"DB_PASSWORD": "hunter2"}
    with pytest.raises(ApiError) as denied:  # the token's scope is dev:/ only
        client.secrets(path="/backend")
    assert denied.value.status == 403


@pytest.mark.infisical(profile="2023", secrets={"A": "1"})
def test_service_account_flow(
    infisical: FakeInfisical, infisical_service_account: ServiceAccount, session: requests.Session
) -> None:
    client = ServiceAccountClient(session, URL, infisical_service_account, infisical.project.id)
    assert client.secrets() == {"A": "1"}
    client.create("B", "2")
    assert infisical.secrets() == {"A": "1", "B": "2"}
    with pytest.raises(ApiError) as denied:
        client.secrets(environment="prod")
    assert denied.value.status == 401  # the era's denials are 401


@pytest.mark.infisical(profile="2023", secrets={"DB_PASSWORD": "hunter2"})
def test_api_key_flow_plaintext_through_raw_routes(
    infisical: FakeInfisical, infisical_api_key: ApiKey, session: requests.Session
) -> None:
    client = ApiKeyClient(session, URL, infisical_api_key)
    assert client.me()["email"] == infisical.user.email
    (org,) = client.organizations()
    (project,) = client.projects(org["_id"])
    assert project["_id"] == infisical.project.id
    assert client.raw_secrets(project["_id"]) == {"DB_PASSWORD": "hunter2"}
    client.set_raw(project["_id"], "NEW", "value")
    assert infisical.secrets() == {"DB_PASSWORD": "hunter2", "NEW": "value"}


@pytest.mark.infisical(profile="2023", e2ee=True, secrets={"DB_PASSWORD": "hunter2"})
def test_api_key_flow_cannot_decrypt_an_e2ee_project(
    infisical: FakeInfisical, infisical_api_key: ApiKey, session: requests.Session
) -> None:
    client = ApiKeyClient(session, URL, infisical_api_key)
    (secret,) = client.encrypted_secrets(infisical.project.id)
    with pytest.raises(DecryptionError):  # the API key holds no key that opens it
        crypto.decrypt_secret(secret, crypto.generate_project_key())
    with pytest.raises(ApiError) as refused:
        client.raw_secrets(infisical.project.id)
    assert refused.value.status == 400  # "…end-to-end encryption not being disabled"
