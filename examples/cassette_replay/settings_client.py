"""A small application module: load a service's settings from Infisical with a service token.

It reads the token's own document to learn its project and environment, then the plaintext
secrets of that scope (a project without end-to-end encryption).
"""

from __future__ import annotations

import requests


def load_settings(base_url: str, token: str, *, timeout: float = 10.0) -> dict[str, str]:
    """The secrets of the token's scope, by name. ``token`` is the full service token."""
    headers = {"Authorization": "Bearer " + ".".join(token.split(".")[:3])}
    with requests.Session() as session:
        answer = session.get(f"{base_url}/api/v2/service-token", headers=headers, timeout=timeout)
        answer.raise_for_status()
        document = answer.json()
        scope = document["scopes"][0]
        answer = session.get(
            f"{base_url}/api/v3/secrets/raw",
            params={"workspaceId": document["workspace"], "environment": scope["environment"], "secretPath": "/"},
            headers=headers,
            timeout=timeout,
        )
        answer.raise_for_status()
        return {secret["secretKey"]: secret["secretValue"] for secret in answer.json()["secrets"]}
