"""The current official Python SDK (PyPI ``infisicalsdk``) against the fake, in-process.

Runs in a virtual environment of its own (see ``tests/test_official_sdks.py``): machine-identity
login, then the raw secrets API — list, get, create, update, delete — and its error reporting,
which surfaces the ``message`` of today's error bodies.
"""

from __future__ import annotations

import pytest
from infisical_sdk import InfisicalSDKClient  # type: ignore[import-not-found,import-untyped,unused-ignore]
from infisical_sdk.infisical_requests import APIError  # type: ignore[import-not-found,import-untyped,unused-ignore]

from pytest_infisical.credentials import MachineIdentity
from pytest_infisical.fake import FakeInfisical


def _client(infisical: FakeInfisical, identity: MachineIdentity) -> InfisicalSDKClient:
    client = InfisicalSDKClient(host=infisical.url, cache_ttl=None)
    login = client.auth.universal_auth.login(client_id=identity.client_id, client_secret=identity.client_secret)
    assert (login.tokenType, login.expiresIn) == ("Bearer", 2592000)
    return client


@pytest.mark.infisical(
    secrets={
        "dev": {
            "/": {"HOST": "db.internal", "DSN": "postgres://${HOST}/app"},
            "/backend": {"QUEUE_URL": "amqp://queue"},
        }
    }
)
def test_current_sdk_crud(infisical: FakeInfisical, infisical_machine_identity: MachineIdentity) -> None:
    client = _client(infisical, infisical_machine_identity)
    project = infisical.project.id

    listed = client.secrets.list_secrets(environment_slug="dev", secret_path="/", project_id=project)
    assert {s.secretKey: s.secretValue for s in listed.secrets} == {
        "HOST": "db.internal",
        "DSN": "postgres://db.internal/app",
    }

    deep = client.secrets.list_secrets(environment_slug="dev", secret_path="/", project_id=project, recursive=True)
    assert {s.secretKey for s in deep.secrets} == {"HOST", "DSN", "QUEUE_URL"}

    got = client.secrets.get_secret_by_name(
        secret_name="HOST", environment_slug="dev", secret_path="/", project_id=project
    )
    assert (got.secretKey, got.secretValue, got.version) == ("HOST", "db.internal", 1)

    created = client.secrets.create_secret_by_name(
        secret_name="API_URL",
        secret_path="/",
        environment_slug="dev",
        project_id=project,
        secret_value="https://one",
        secret_comment="c",
    )
    assert (created.secretValue, created.secretComment, created.version) == ("https://one", "c", 1)

    updated = client.secrets.update_secret_by_name(
        current_secret_name="API_URL",
        secret_path="/",
        environment_slug="dev",
        project_id=project,
        secret_value="https://two",
    )
    assert (updated.secretValue, updated.version) == ("https://two", 2)
    renamed = client.secrets.update_secret_by_name(
        current_secret_name="API_URL",
        secret_path="/",
        environment_slug="dev",
        project_id=project,
        new_secret_name="BASE_URL",
    )
    assert renamed.secretKey == "BASE_URL"

    deleted = client.secrets.delete_secret_by_name(
        secret_name="BASE_URL", secret_path="/", environment_slug="dev", project_id=project
    )
    assert deleted.secretValue == "https://two"
    assert infisical.secrets() == {"HOST": "db.internal", "DSN": "postgres://${HOST}/app"}
    infisical.assert_all_calls_used(auth="machine_identity")


def test_current_sdk_surfaces_error_messages(
    infisical: FakeInfisical, infisical_machine_identity: MachineIdentity
) -> None:
    client = _client(infisical, infisical_machine_identity)
    with pytest.raises(APIError) as missing:
        client.secrets.get_secret_by_name(
            secret_name="NOPE", environment_slug="dev", secret_path="/", project_id=infisical.project.id
        )
    assert missing.value.status_code == 404
    assert str(missing.value) == "Secret with name 'NOPE' not found (Status: 404)"
    with pytest.raises(APIError) as unknown:
        client.secrets.list_secrets(environment_slug="dev", secret_path="/", project_id="0" * 24)
    assert str(unknown.value) == (
        f"Project with ID '{'0' * 24}' not found during bot lookup. "
        "Are you sure you are using the correct project ID? (Status: 404)"
    )


def test_current_sdk_wrong_secret(infisical: FakeInfisical, infisical_machine_identity: MachineIdentity) -> None:
    client = InfisicalSDKClient(host=infisical.url, cache_ttl=None)
    with pytest.raises(APIError) as failed:
        client.auth.universal_auth.login(client_id=infisical_machine_identity.client_id, client_secret="wrong")
    assert str(failed.value) == "Invalid credentials (Status: 401)"


@pytest.mark.infisical(secrets={"A": "1"})
def test_current_sdk_with_a_viewer_identity(infisical: FakeInfisical) -> None:
    viewer = infisical.create_machine_identity(role="viewer")
    client = _client(infisical, viewer)
    assert [
        s.secretKey
        for s in client.secrets.list_secrets(
            environment_slug="dev", secret_path="/", project_id=infisical.project.id
        ).secrets
    ] == ["A"]
    with pytest.raises(APIError) as denied:
        client.secrets.create_secret_by_name(
            secret_name="B", secret_path="/", environment_slug="dev", project_id=infisical.project.id, secret_value="2"
        )
    assert str(denied.value) == "You are not allowed to create on secrets (Status: 403)"
