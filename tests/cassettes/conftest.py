"""An upstream "real" Infisical for the recording tests: our own fake, served over real HTTP,
with credentials created in it standing in for real ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable

import attrs

from pytest_infisical.cassettes.player import CassettePlayer
from pytest_infisical.cassettes.rekey import RealCredentials
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.transports.server import LiveServer

from . import flows

MODES = ("service_token", "service_account", "machine_identity", "api_key")


@attrs.define
class Upstream:
    fake: FakeInfisical
    url: str
    mode: str
    credential: Any
    real: RealCredentials

    @property
    def workspace(self) -> str:
        return str(self.fake.project.id)

    @property
    def flow(self) -> Callable[..., dict[str, Any]]:
        return getattr(flows, self.mode)  # type: ignore[no-any-return]

    def material(self) -> list[str]:
        """Every real secret part of the credential, and the real project key."""
        c = self.credential
        parts = {
            "service_token": lambda: [c.token, c.secret, c.key],
            "service_account": lambda: [c.access_key, c.secret, c.private_key],
            "machine_identity": lambda: [c.client_id, c.client_secret],
            "api_key": lambda: [c.value, c.secret],
        }[self.mode]()
        return [*parts, self.fake.project.key]


def make_fake(mode: str, secrets: dict[str, tuple[str, str]]) -> tuple[FakeInfisical, Any, RealCredentials]:
    """A fake for ``mode`` (E2EE for tokens and accounts; the 2023 profile for API keys and accounts)."""
    e2ee = mode in ("service_token", "service_account")
    profile = "2023" if mode in ("api_key", "service_account") else "latest"
    fake = FakeInfisical(profile=profile, e2ee=e2ee)
    for name, (value, comment) in secrets.items():
        fake.set_secret(name, value, comment=comment)
    if mode == "service_token":
        token = fake.create_service_token()
        return fake, token, RealCredentials(service_token=token)
    if mode == "service_account":
        account = fake.create_service_account()
        return fake, account, RealCredentials(service_account=account)
    if mode == "machine_identity":
        identity = fake.create_machine_identity()
        return fake, identity, RealCredentials(machine_identity=identity)
    key = fake.create_api_key()
    return fake, key, RealCredentials(api_key=key)


@contextmanager
def upstream(mode: str, secrets: dict[str, tuple[str, str]]) -> Iterator[Upstream]:
    fake, credential, real = make_fake(mode, secrets)
    with LiveServer(fake) as server:
        yield Upstream(fake, server.url, mode, credential, real)


def fixture_credential(player: CassettePlayer, mode: str) -> Any:
    """What the credential fixture hands out on replay: the cassette's own fixture credential."""
    return getattr(player, mode)
