"""Small hand-written Infisical clients, one per auth mode, as a downstream project would write them.

They take any session with ``request(method, url, params=, json=, headers=)`` returning an object
with ``status_code`` and ``json()`` — a ``requests.Session`` or an ``httpx.Client`` — so the same
flows run through every transport.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol

from pytest_infisical import crypto
from pytest_infisical.credentials import ApiKey, ServiceAccount, ServiceToken


class _Response(Protocol):
    status_code: int

    def json(self) -> Any: ...


#: a requests.Session or an httpx.Client: anything with ``request(method, url, **kwargs)``
Session = Any


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class _Client:
    def __init__(self, session: Session, base_url: str, headers: dict[str, str]) -> None:
        self.session, self.base_url, self.headers = session, base_url.rstrip("/"), headers

    def call(self, method: str, path: str, *, params: Optional[dict[str, str]] = None, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if params is not None:
            kwargs["params"] = params
        if body is not None:
            kwargs["json"] = body
        response: _Response = self.session.request(method, self.base_url + path, **kwargs)
        payload = response.json() if response.status_code != 304 else None
        if response.status_code != 200:
            raise ApiError(response.status_code, payload)
        return payload


class ServiceTokenClient(_Client):
    """The Infisical-token flow of PROTOCOL.md §7.1: unwrap the project key, then E2EE CRUD."""

    def __init__(self, session: Session, base_url: str, token: ServiceToken) -> None:
        super().__init__(session, base_url, token.headers)
        self.token = token
        document = self.call("GET", "/api/v2/service-token")
        self.workspace_id: str = document["workspace"]
        self.project_key = crypto.unwrap_project_key_for_service_token(document, token)

    def secrets(self, environment: str = "dev", path: str = "/") -> dict[str, str]:
        response = self.call(
            "GET",
            "/api/v3/secrets",
            params={"workspaceId": self.workspace_id, "environment": environment, "secretPath": path},
        )
        return dict(crypto.decrypt_secrets(response, project_key=self.project_key))

    def _body(self, environment: str, path: str, **fields: Any) -> dict[str, Any]:
        return {
            "workspaceId": self.workspace_id,
            "environment": environment,
            "secretPath": path,
            "type": "shared",
            **fields,
        }

    def create(self, name: str, value: str, environment: str = "dev", path: str = "/") -> int:
        fields = crypto.encrypt_secret(name, value, self.project_key).to_dict()
        return int(
            self.call("POST", f"/api/v3/secrets/{name}", body=self._body(environment, path, **fields))["secret"][
                "version"
            ]
        )

    def update(self, name: str, value: str, environment: str = "dev", path: str = "/") -> int:
        sealed = crypto.encrypt_symmetric(value, self.project_key)
        body = self._body(
            environment,
            path,
            secretValueCiphertext=sealed.ciphertext,
            secretValueIV=sealed.iv,
            secretValueTag=sealed.tag,
        )
        return int(self.call("PATCH", f"/api/v3/secrets/{name}", body=body)["secret"]["version"])

    def delete(self, name: str, environment: str = "dev", path: str = "/") -> None:
        self.call("DELETE", f"/api/v3/secrets/{name}", body=self._body(environment, path))


class ServiceAccountClient(ServiceTokenClient):
    """The service-account flow of §7.2: /me → /:id/keys → box open → secrets."""

    def __init__(self, session: Session, base_url: str, account: ServiceAccount, workspace_id: str) -> None:
        _Client.__init__(self, session, base_url, account.headers)
        me = self.call("GET", "/api/v2/service-accounts/me")["serviceAccount"]
        keys = self.call("GET", f"/api/v2/service-accounts/{me['_id']}/keys", params={"workspaceId": workspace_id})
        (record,) = keys["serviceAccountKeys"]
        self.workspace_id = workspace_id
        self.project_key = crypto.unwrap_project_key_for_service_account(
            record, account.public_key, account.private_key
        )


class ApiKeyClient(_Client):
    """The API-key flow of §7.3: users, organizations, projects; plaintext only through raw routes."""

    def __init__(self, session: Session, base_url: str, key: ApiKey) -> None:
        super().__init__(session, base_url, key.headers)

    def me(self) -> dict[str, Any]:
        return dict(self.call("GET", "/api/v2/users/me")["user"])

    def organizations(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/api/v2/users/me/organizations")["organizations"])

    def projects(self, organization_id: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"/api/v2/organizations/{organization_id}/workspaces")["workspaces"])

    def encrypted_secrets(self, workspace_id: str, environment: str = "dev") -> list[dict[str, Any]]:
        return list(
            self.call("GET", "/api/v3/secrets", params={"workspaceId": workspace_id, "environment": environment})[
                "secrets"
            ]
        )

    def raw_secrets(self, workspace_id: str, environment: str = "dev") -> dict[str, str]:
        body = self.call("GET", "/api/v3/secrets/raw", params={"workspaceId": workspace_id, "environment": environment})
        return {s["secretKey"]: s["secretValue"] for s in body["secrets"]}

    def set_raw(self, workspace_id: str, name: str, value: str, environment: str = "dev") -> None:
        self.call(
            "POST",
            f"/api/v3/secrets/raw/{name}",
            body={"workspaceId": workspace_id, "environment": environment, "secretValue": value},
        )
