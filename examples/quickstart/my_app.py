"""A stand-in for your application: it logs in with a machine identity (Universal Auth) and loads
its settings from the raw secrets API, waiting as told when it is rate limited."""

from __future__ import annotations

import time
from typing import Any

import requests


def load_settings(url: str, identity: Any, *, project_id: str, environment: str = "dev") -> dict[str, str]:
    session = requests.Session()
    login = session.post(f"{url}/api/v1/auth/universal-auth/login", json=identity.login_body, timeout=10)
    login.raise_for_status()
    session.headers["Authorization"] = f"Bearer {login.json()['accessToken']}"
    query = {"workspaceId": project_id, "environment": environment}
    for _ in range(3):
        response = session.get(f"{url}/api/v3/secrets/raw", params=query, timeout=10)
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After", "1")))
    response.raise_for_status()
    return {secret["secretKey"]: secret["secretValue"] for secret in response.json()["secrets"]}
