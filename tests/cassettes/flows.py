"""Client flows, one per auth mode, written as a downstream client would: each takes something
with ``get``/``post`` (a requests session or an httpx client), the base URL, the credential, the
project id, and a value to write; it returns what the client saw."""

from __future__ import annotations

from typing import Any

from pytest_infisical import crypto
from pytest_infisical.credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken

WRITTEN_NAME = "WRITTEN"


def _ok(response: Any) -> Any:
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()


def _e2ee(client: Any, url: str, headers: dict[str, str], key: str, workspace: str, written: str) -> dict[str, Any]:
    query = {"workspaceId": workspace, "environment": "dev", "secretPath": "/"}
    before = crypto.decrypt_secrets(
        _ok(client.get(f"{url}/api/v3/secrets", params=query, headers=headers)), project_key=key
    )
    body = {**query, "type": "shared", **crypto.encrypt_secret(WRITTEN_NAME, written, key, "a comment").to_dict()}
    _ok(client.post(f"{url}/api/v3/secrets/{WRITTEN_NAME}", json=body, headers=headers))
    after = crypto.decrypt_secrets(
        _ok(client.get(f"{url}/api/v3/secrets", params=query, headers=headers)), project_key=key
    )
    return {"before": dict(before), "after": dict(after), "comments": {n: after.comments[n] for n in after}}


def _raw(client: Any, url: str, headers: dict[str, str], workspace: str, written: str) -> dict[str, Any]:
    query = {"workspaceId": workspace, "environment": "dev", "secretPath": "/"}
    listed = _ok(client.get(f"{url}/api/v3/secrets/raw", params=query, headers=headers))["secrets"]
    body = {**query, "type": "shared", "secretValue": written, "secretComment": ""}
    _ok(client.post(f"{url}/api/v3/secrets/raw/{WRITTEN_NAME}", json=body, headers=headers))
    single = _ok(client.get(f"{url}/api/v3/secrets/raw/{WRITTEN_NAME}", params=query, headers=headers))["secret"]
    return {
        "before": {s["secretKey"]: s["secretValue"] for s in listed},
        "comments": {s["secretKey"]: s["secretComment"] for s in listed},
        "written": single["secretValue"],
    }


def service_token(client: Any, url: str, token: ServiceToken, workspace: str, written: str) -> dict[str, Any]:
    """Unwrap the project key with the token's 4th part, read, write encrypted, read again."""
    doc = _ok(client.get(f"{url}/api/v2/service-token", headers=token.headers))
    assert doc["workspace"] == workspace
    key = crypto.unwrap_project_key_for_service_token(doc, token)
    return _e2ee(client, url, token.headers, key, workspace, written)


def service_account(client: Any, url: str, account: ServiceAccount, workspace: str, written: str) -> dict[str, Any]:
    """me → keys → open the box with the key pair → read, write encrypted, read again."""
    me = _ok(client.get(f"{url}/api/v2/service-accounts/me", headers=account.headers))["serviceAccount"]
    keys = _ok(client.get(f"{url}/api/v2/service-accounts/{me['_id']}/keys", headers=account.headers))
    record = next(k for k in keys["serviceAccountKeys"] if k["workspace"] == workspace)
    key = crypto.unwrap_project_key_for_service_account(record, account.public_key, account.private_key)
    return _e2ee(client, url, account.headers, key, workspace, written)


def machine_identity(client: Any, url: str, identity: MachineIdentity, workspace: str, written: str) -> dict[str, Any]:
    """Universal Auth login, then the raw routes with the access token."""
    login = _ok(client.post(f"{url}/api/v1/auth/universal-auth/login", json=identity.login_body))
    return _raw(client, url, {"Authorization": f"Bearer {login['accessToken']}"}, workspace, written)


def api_key(client: Any, url: str, key: ApiKey, workspace: str, written: str) -> dict[str, Any]:
    """Who am I, then the raw routes with X-API-KEY."""
    me = _ok(client.get(f"{url}/api/v2/users/me", headers=key.headers))["user"]
    return {"email": me["email"], **_raw(client, url, key.headers, workspace, written)}
