"""An application's feature flags, kept as Infisical secrets and read with the official Python SDK
(PyPI ``infisicalsdk``): a machine identity logs in, flags are the ``FLAG_*`` secrets of one
environment. This is the code under test; it knows nothing about pytest-infisical.
"""

from __future__ import annotations

from infisical_sdk import InfisicalSDKClient
from infisical_sdk.infisical_requests import APIError

PREFIX = "FLAG_"


class FlagError(Exception):
    pass


class FeatureFlags:
    def __init__(self, host: str, client_id: str, client_secret: str, project_id: str, environment: str) -> None:
        self.client = InfisicalSDKClient(host=host, cache_ttl=None)
        try:
            self.client.auth.universal_auth.login(client_id=client_id, client_secret=client_secret)
        except APIError as error:
            raise FlagError(f"cannot log in to Infisical: {error}") from None
        self.project_id, self.environment = project_id, environment

    def all(self) -> dict[str, bool]:
        listed = self.client.secrets.list_secrets(
            environment_slug=self.environment, secret_path="/", project_id=self.project_id
        )
        return {
            s.secretKey[len(PREFIX) :].lower(): s.secretValue == "on"
            for s in listed.secrets
            if s.secretKey.startswith(PREFIX)
        }

    def set(self, name: str, on: bool) -> None:
        try:
            self.client.secrets.update_secret_by_name(
                current_secret_name=PREFIX + name.upper(),
                secret_path="/",
                environment_slug=self.environment,
                project_id=self.project_id,
                secret_value="on" if on else "off",
            )
        except APIError as error:
            raise FlagError(f"cannot set flag {name!r}: {error}") from None
