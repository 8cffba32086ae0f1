"""A small world for the fake's tests: a fake, one credential of each kind, and a way to call it."""

from __future__ import annotations

import json
from typing import Any, Optional
from urllib.parse import urlencode

import attrs
import pytest

from pytest_infisical.credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Request, Response

URL = "https://app.infisical.com"


def login(fake: FakeInfisical, identity: MachineIdentity) -> str:
    """A machine identity's access token, obtained the way clients do."""
    response = call(fake, "POST", "/api/v1/auth/universal-auth/login", body=identity.login_body)
    assert response.status == 200, response.body
    token = response.json()["accessToken"]
    assert isinstance(token, str)
    return token


def identity_headers(fake: FakeInfisical, role: str = "admin") -> dict[str, str]:
    """The headers of a fresh machine identity of ``role`` on the default project, logged in: the
    credential that works on every profile (API keys and service accounts are retired under ``latest``)."""
    return {"Authorization": f"Bearer {login(fake, fake.create_machine_identity(role=role))}"}


def call(
    fake: FakeInfisical,
    method: str,
    path: str,
    *,
    headers: Optional[dict[str, str]] = None,
    query: Optional[dict[str, str]] = None,
    body: Any = None,
) -> Response:
    url = URL + path + (("?" + urlencode(query)) if query else "")
    raw = b"" if body is None else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})} if body is not None else dict(headers or {})
    return fake.handle(Request(method, url, all_headers, raw))


@attrs.define
class World:
    fake: FakeInfisical
    api_key: ApiKey
    service_token: ServiceToken
    service_account: ServiceAccount
    identity: MachineIdentity
    access_token: str

    def headers(self, kind: str) -> dict[str, str]:
        return {
            "api_key": self.api_key.headers,
            "service_token": self.service_token.headers,
            "service_account": self.service_account.headers,
            "machine_identity": {"Authorization": f"Bearer {self.access_token}"},
        }[kind]


def make_world(profile: str = "latest", **kwargs: Any) -> World:
    fake = FakeInfisical(profile=profile, **kwargs)
    fake.set_secret("EXISTING", "old-value")
    identity = fake.create_machine_identity(role="member")
    return World(
        fake=fake,
        api_key=fake.create_api_key(),
        service_token=fake.create_service_token(),
        service_account=fake.create_service_account(),
        identity=identity,
        access_token=login(fake, identity),
    )


@pytest.fixture(params=["latest", "2023"])
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(profile: str) -> World:
    return make_world(profile)
