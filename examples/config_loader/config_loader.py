"""An application's configuration loader: Infisical machine identity → plaintext settings.

This is the code under test in this example; it knows nothing about pytest-infisical.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Optional

import requests


class ConfigError(Exception):
    pass


class ConfigLoader:
    def __init__(self, site_url: str, client_id: str, client_secret: str, project_id: str, *, clock=time.time) -> None:
        self.site_url = site_url.rstrip("/")
        self.client_id, self.client_secret, self.project_id = client_id, client_secret, project_id
        self.session = requests.Session()
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._clock = clock

    def _login(self) -> None:
        response = self.session.post(
            f"{self.site_url}/api/v1/auth/universal-auth/login",
            json={"clientId": self.client_id, "clientSecret": self.client_secret},
            timeout=10,
        )
        if response.status_code != 200:
            raise ConfigError(f"login failed: {response.json().get('message')}")
        body = response.json()
        self._token = body["accessToken"]
        self._expires_at = self._clock() + body["expiresIn"]

    def _claims(self) -> dict:
        payload = (self._token or "").split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def load(self, environment: str = "dev", path: str = "/") -> dict[str, str]:
        if self._token is None or self._clock() >= self._expires_at:
            self._login()
        response = self._get(environment, path)
        if response.status_code in (401, 403):  # expired or revoked: log in again once
            self._login()
            response = self._get(environment, path)
        if response.status_code != 200:
            raise ConfigError(f"cannot load {environment}:{path}: {response.json().get('message')}")
        return {s["secretKey"]: s["secretValue"] for s in response.json()["secrets"]}

    def _get(self, environment: str, path: str) -> requests.Response:
        return self.session.get(
            f"{self.site_url}/api/v3/secrets/raw",
            params={"workspaceId": self.project_id, "environment": environment, "secretPath": path},
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=10,
        )
