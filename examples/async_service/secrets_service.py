"""An asyncio service's secrets client: an Infisical machine identity (Universal Auth) over httpx.

It logs in once, renews its access token shortly before the token's TTL runs out, logs in again
when the token reaches its maximum TTL or a renewal is refused, and reads plaintext ("raw")
secrets. This is the code under test; it knows nothing about pytest-infisical.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

import httpx

RENEW_MARGIN = 10.0  # seconds before expiry at which the token is renewed


class SecretsError(Exception):
    pass


class SecretsService:
    def __init__(
        self,
        client: httpx.AsyncClient,
        client_id: str,
        client_secret: str,
        project_id: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._login_body = {"clientId": client_id, "clientSecret": client_secret}
        self.project_id = project_id
        self._clock = clock
        self._token: Optional[str] = None
        self._expires_at = self._max_expires_at = 0.0

    async def _authenticate(self, path: str, body: dict[str, str]) -> bool:
        response = await self._client.post(path, json=body)
        if response.status_code != 200:
            return False
        grant = response.json()
        now = self._clock()
        if path.endswith("/login"):
            self._max_expires_at = now + grant["accessTokenMaxTTL"] if grant["accessTokenMaxTTL"] else float("inf")
        self._token, self._expires_at = grant["accessToken"], now + grant["expiresIn"]
        return True

    async def _login(self) -> None:
        if not await self._authenticate("/api/v1/auth/universal-auth/login", self._login_body):
            raise SecretsError("machine identity login failed")

    async def _ensure_token(self) -> None:
        now = self._clock()
        if self._token is None or now >= self._expires_at or now >= self._max_expires_at - RENEW_MARGIN:
            await self._login()
        elif now >= self._expires_at - RENEW_MARGIN and not await self._authenticate(
            "/api/v1/auth/token/renew", {"accessToken": self._token}
        ):
            await self._login()  # the renewal was refused

    async def secrets(self, environment: str, path: str = "/") -> dict[str, str]:
        await self._ensure_token()
        response = await self._client.get(
            "/api/v3/secrets/raw",
            params={"workspaceId": self.project_id, "environment": environment, "secretPath": path},
            headers={"Authorization": f"Bearer {self._token}"},
        )
        if response.status_code != 200:
            raise SecretsError(f"cannot read {environment}:{path}: {response.json()['message']}")
        return {s["secretKey"]: s["secretValue"] for s in response.json()["secrets"]}
