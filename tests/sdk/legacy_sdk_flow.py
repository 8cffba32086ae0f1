"""The legacy official Python SDK (PyPI ``infisical==1.6.0``) against the fake, in-process.

This module runs in a virtual environment of its own (the SDK pins ``requests==2.31.0`` and
``pydantic<2``): ``tests/test_legacy_sdk.py`` builds it and runs this file there, and
``tox -e sdk-legacy`` does the same. The SDK swallows every HTTP error and falls back to
environment variables, so each call checks ``is_fallback`` is false.
"""

from __future__ import annotations

import pytest
from infisical import InfisicalClient  # type: ignore[import-not-found]

from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical


@pytest.mark.infisical(secrets={"dev": {"/": {"DB_PASSWORD": "hunter2"}, "/backend": {"QUEUE_URL": "amqp://queue"}}})
def test_legacy_sdk_crud(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    client = InfisicalClient(token=infisical_service_token.token, site_url=infisical.url)

    listed = client.get_all_secrets(environment="dev")
    assert [(s.secret_name, s.secret_value, s.is_fallback) for s in listed] == [("DB_PASSWORD", "hunter2", False)]

    got = client.get_secret("DB_PASSWORD", environment="dev")  # type "personal" falls back to shared
    assert (got.secret_value, got.type, got.is_fallback) == ("hunter2", "shared", False)

    created = client.create_secret("API_URL", "https://one", environment="dev")
    assert (created.version, created.is_fallback) == (1, False)
    updated = client.update_secret("API_URL", "https://two", environment="dev")
    assert (updated.version, updated.secret_value, updated.is_fallback) == (2, "https://two", False)
    assert infisical.secrets() == {"DB_PASSWORD": "hunter2", "API_URL": "https://two"}

    deleted = client.delete_secret("API_URL", environment="dev")
    assert (deleted.secret_value, deleted.is_fallback) == ("https://two", False)
    assert infisical.secrets() == {"DB_PASSWORD": "hunter2"}


@pytest.mark.infisical(secrets={"prod": {"/shared": {"SHARED_URL": "https://shared"}}, "dev": {"/": {"LOCAL": "1"}}})
def test_legacy_sdk_reads_imports(infisical: FakeInfisical) -> None:
    infisical.add_import("prod", "/shared", environment="dev", path="/")
    token = infisical.create_service_token(scopes=[("dev", "/"), ("prod", "/shared")], permissions=("read",))
    client = InfisicalClient(token=token.token, site_url=infisical.url)
    secrets = {s.secret_name: s.secret_value for s in client.get_all_secrets(environment="dev", include_imports=True)}
    assert secrets == {"LOCAL": "1", "SHARED_URL": "https://shared"}


@pytest.mark.infisical(secrets={"DB_PASSWORD": "hunter2"})
def test_legacy_sdk_retries_through_a_503(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    """The SDK's urllib3 Retry(status_forcelist=[429, 500, 502, 503, 504]) recovers from [503, 200]."""
    infisical.fail_next("GET", "/api/v3/secrets", sequence=[503, 200])
    client = InfisicalClient(token=infisical_service_token.token, site_url=infisical.url)
    listed = client.get_all_secrets(environment="dev")
    assert [(s.secret_name, s.secret_value, s.is_fallback) for s in listed] == [("DB_PASSWORD", "hunter2", False)]
    assert [c.status for c in infisical.calls.filter("GET", "/api/v3/secrets")] == [503, 200]
    infisical.assert_all_calls_used(auth="service_token")
