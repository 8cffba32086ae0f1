"""An application's settings loader: an Infisical service token → decrypted settings.

The project has end-to-end encryption on, so the server only ever sees ciphertext: the loader
unwraps the project key with the token's fourth part, then decrypts each secret itself. It
retries a 429 after the server's ``Retry-After``. This is the code under test; it knows nothing
about pytest-infisical.
"""

from __future__ import annotations

import base64
import time
from typing import Callable

import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SITE_URL = "https://app.infisical.com"


class SettingsError(Exception):
    pass


def _decrypt(ciphertext: str, iv: str, tag: str, key: str) -> str:
    # Infisical's scheme: AES-256-GCM, the 32-hex-character key used as UTF-8 bytes, 16-byte IV, tag apart
    sealed = base64.b64decode(ciphertext) + base64.b64decode(tag)
    return AESGCM(key.encode()).decrypt(base64.b64decode(iv), sealed, None).decode()


class SettingsLoader:
    def __init__(
        self,
        token: str,
        *,
        site_url: str = SITE_URL,
        max_attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        bearer, _, self._token_key = token.rpartition(".")  # st.<id>.<secret> is sent; the key never leaves
        self.site_url = site_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {bearer}"
        self.max_attempts = max_attempts
        self._sleep = sleep

    def _get(self, path: str, **params: str) -> dict:
        for _ in range(self.max_attempts):
            response = self.session.get(f"{self.site_url}{path}", params=params, timeout=10)
            if response.status_code != 429:
                break
            self._sleep(float(response.headers.get("Retry-After", "1")))
        if response.status_code != 200:
            try:
                message = response.json().get("message")
            except ValueError:
                message = response.text
            raise SettingsError(f"Infisical answered {response.status_code}: {message}")
        return response.json()

    def load(self, environment: str, path: str = "/") -> dict[str, str]:
        token_doc = self._get("/api/v2/service-token")
        if environment not in {scope["environment"] for scope in token_doc["scopes"]}:
            raise SettingsError(f"this token cannot read environment {environment!r}")
        project_key = _decrypt(token_doc["encryptedKey"], token_doc["iv"], token_doc["tag"], self._token_key)
        body = self._get(
            "/api/v3/secrets", workspaceId=token_doc["workspace"], environment=environment, secretPath=path
        )
        settings = {}
        for secret in body["secrets"]:
            name = _decrypt(secret["secretKeyCiphertext"], secret["secretKeyIV"], secret["secretKeyTag"], project_key)
            settings[name] = _decrypt(
                secret["secretValueCiphertext"], secret["secretValueIV"], secret["secretValueTag"], project_key
            )
        return settings
