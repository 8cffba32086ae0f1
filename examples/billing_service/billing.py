"""A billing service: it reads its Stripe API key from Infisical, then charges customers on Stripe.

This is the code under test in this example; it knows nothing about pytest-infisical or
``responses``. It logs in with a machine identity (Universal Auth), reads the key through the raw
secrets API, and calls Stripe's charges API with it.
"""

from __future__ import annotations

from typing import Optional

import attrs
import requests

STRIPE_URL = "https://api.stripe.com"


class BillingError(Exception):
    pass


@attrs.frozen
class Charge:
    id: str
    amount: int
    currency: str


class Billing:
    def __init__(self, infisical_url: str, client_id: str, client_secret: str, project_id: str) -> None:
        self.infisical_url = infisical_url.rstrip("/")
        self.client_id, self.client_secret, self.project_id = client_id, client_secret, project_id
        self.session = requests.Session()
        self._stripe_key: Optional[str] = None

    def _secret(self, name: str, environment: str) -> str:
        login = self.session.post(
            f"{self.infisical_url}/api/v1/auth/universal-auth/login",
            json={"clientId": self.client_id, "clientSecret": self.client_secret},
            timeout=10,
        )
        if login.status_code != 200:
            raise BillingError(f"cannot log in to Infisical ({login.status_code})")
        response = self.session.get(
            f"{self.infisical_url}/api/v3/secrets/raw/{name}",
            params={"workspaceId": self.project_id, "environment": environment},
            headers={"Authorization": f"Bearer {login.json()['accessToken']}"},
            timeout=10,
        )
        if response.status_code != 200:
            raise BillingError(f"cannot read {name} from Infisical ({response.status_code})")
        return str(response.json()["secret"]["secretValue"])

    def stripe_key(self) -> str:
        if self._stripe_key is None:
            self._stripe_key = self._secret("STRIPE_API_KEY", "prod")
        return self._stripe_key

    def charge(self, customer: str, amount: int, currency: str = "eur") -> Charge:
        response = self.session.post(
            f"{STRIPE_URL}/v1/charges",
            data={"customer": customer, "amount": amount, "currency": currency},
            headers={"Authorization": f"Bearer {self.stripe_key()}"},
            timeout=10,
        )
        body = response.json()
        if response.status_code != 200:
            raise BillingError(f"Stripe refused the charge: {body['error']['message']}")
        return Charge(body["id"], body["amount"], body["currency"])
