"""A 2023-era service-account client: unwrap the project key from the account's key pair, then
read and decrypt a project's secrets.

Infisical boxed the project key for the account with NaCl (``crypto_box``) using the account's
own public key as the sender's key, so the account opens it with its public and private key. This
is the code under test; it knows nothing about pytest-infisical.
"""

from __future__ import annotations

import base64

import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.public import Box, PrivateKey, PublicKey

SITE_URL = "https://app.infisical.com"


class ServiceAccountError(Exception):
    pass


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _aes(ciphertext: str, iv: str, tag: str, key: str) -> str:
    return AESGCM(key.encode()).decrypt(_b64(iv), _b64(ciphertext) + _b64(tag), None).decode()


class ServiceAccountClient:
    def __init__(self, access_key: str, public_key: str, private_key: str, *, site_url: str = SITE_URL) -> None:
        self.site_url = site_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {access_key}"
        self._box = Box(PrivateKey(_b64(private_key)), PublicKey(_b64(public_key)))

    def _get(self, path: str, **params: str) -> dict:
        response = self.session.get(f"{self.site_url}{path}", params=params, timeout=10)
        if response.status_code != 200:
            raise ServiceAccountError(f"Infisical answered {response.status_code} on {path}")
        return response.json()

    def project_key(self, project_id: str) -> str:
        account_id = self._get("/api/v2/service-accounts/me")["serviceAccount"]["_id"]
        for record in self._get(f"/api/v2/service-accounts/{account_id}/keys")["serviceAccountKeys"]:
            if record["workspace"] == project_id:
                return self._box.decrypt(_b64(record["encryptedKey"]), _b64(record["nonce"])).decode()
        raise ServiceAccountError(f"this service account has no key for project {project_id}")

    def secrets(self, project_id: str, environment: str) -> dict[str, str]:
        key = self.project_key(project_id)
        body = self._get("/api/v3/secrets", workspaceId=project_id, environment=environment)
        return {
            _aes(s["secretKeyCiphertext"], s["secretKeyIV"], s["secretKeyTag"], key): _aes(
                s["secretValueCiphertext"], s["secretValueIV"], s["secretValueTag"], key
            )
            for s in body["secrets"]
        }
