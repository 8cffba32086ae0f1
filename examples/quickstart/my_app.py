"""A stand-in for your application: it writes one setting through the raw secrets API."""

from __future__ import annotations

import requests

SITE_URL = "https://app.infisical.com"


def save_setting(name: str, value: str, *, api_key: str, workspace_id: str, environment: str = "dev") -> None:
    response = requests.post(
        f"{SITE_URL}/api/v3/secrets/raw/{name}",
        headers={"X-API-KEY": api_key},
        json={"workspaceId": workspace_id, "environment": environment, "secretValue": value},
        timeout=10,
    )
    response.raise_for_status()
