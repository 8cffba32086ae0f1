"""The README's quick start."""

import my_app
import pytest
import requests

from pytest_infisical import crypto


@pytest.mark.infisical(secrets={"DB_PASSWORD": "hunter2"})
def test_my_client_reads_secrets(infisical, infisical_service_token):
    session = requests.Session()
    session.headers.update(infisical_service_token.headers)  # Authorization: Bearer st.<id>.<secret>
    token_doc = session.get(f"{infisical.url}/api/v2/service-token").json()
    response = session.get(
        f"{infisical.url}/api/v3/secrets",
        params={"workspaceId": token_doc["workspace"], "environment": "dev"},
    )
    plain = crypto.decrypt_secrets(response.json(), service_token=infisical_service_token, service_token_data=token_doc)
    assert plain == {"DB_PASSWORD": "hunter2"}


def test_my_client_writes(infisical, infisical_api_key):
    my_app.save_setting(
        "API_URL", "https://example.org", api_key=infisical_api_key.value, workspace_id=infisical.project.id
    )
    assert infisical.secrets("dev") == {"API_URL": "https://example.org"}
