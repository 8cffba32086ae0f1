"""Tests of the async secrets service against the fake (httpx in-process, no network)."""

import asyncio

import httpx
import pytest
from secrets_service import SecretsError, SecretsService

from pytest_infisical.assertions import assert_machine_identity_header

pytestmark = pytest.mark.infisical(secrets={"QUEUE_URL": "amqp://queue", "WORKERS": "4"})

EXPECTED = {"QUEUE_URL": "amqp://queue", "WORKERS": "4"}
LOGIN, RENEW, SECRETS = "/api/v1/auth/universal-auth/login", "/api/v1/auth/token/renew", "/api/v3/secrets/raw"


def run(infisical, identity, scenario):
    """Run ``scenario(service)`` in an event loop, with a service whose clock is the fake's."""

    async def main():
        async with httpx.AsyncClient(base_url=infisical.url) as client:
            service = SecretsService(
                client,
                identity.client_id,
                identity.client_secret,
                infisical.project.id,
                clock=infisical.clock.timestamp,
            )
            return await scenario(service)

    return asyncio.run(main())


def paths(infisical):
    return [call.path for call in infisical.calls]


def test_reads_raw_secrets_with_a_machine_identity(infisical, infisical_machine_identity):
    async def scenario(service):
        return await asyncio.gather(service.secrets("dev"), service.secrets("dev"))

    first, second = run(infisical, infisical_machine_identity, scenario)
    assert first == second == EXPECTED
    assert paths(infisical)[-1] == SECRETS
    assert_machine_identity_header(infisical.calls[-1])


def test_renews_the_token_before_it_expires(infisical):
    identity = infisical.create_machine_identity(access_token_ttl=60, access_token_max_ttl=3600)

    async def scenario(service):
        await service.secrets("dev")
        infisical.clock.advance(55)  # within 10 s of the TTL: renew first
        await service.secrets("dev")
        infisical.clock.advance(55)  # the renewal restarted the TTL
        return await service.secrets("dev")

    assert run(infisical, identity, scenario) == EXPECTED
    assert paths(infisical) == [LOGIN, SECRETS, RENEW, SECRETS, RENEW, SECRETS]
    assert infisical.calls[2].response.json()["expiresIn"] == 60


def test_logs_in_again_at_the_maximum_ttl(infisical):
    identity = infisical.create_machine_identity(access_token_ttl=60, access_token_max_ttl=100)

    async def scenario(service):
        await service.secrets("dev")
        infisical.clock.advance(55)
        await service.secrets("dev")
        infisical.clock.advance(40)  # 95 s: renewing cannot go past the maximum TTL
        return await service.secrets("dev")

    assert run(infisical, identity, scenario) == EXPECTED
    assert paths(infisical) == [LOGIN, SECRETS, RENEW, SECRETS, LOGIN, SECRETS]


def test_a_refused_renewal_falls_back_to_a_new_login(infisical):
    identity = infisical.create_machine_identity(access_token_ttl=60)

    async def scenario(service):
        await service.secrets("dev")
        infisical.fail_next("POST", RENEW, status=401)
        infisical.clock.advance(55)
        return await service.secrets("dev")

    assert run(infisical, identity, scenario) == EXPECTED
    assert [(call.path, call.status) for call in infisical.calls][2:] == [(RENEW, 401), (LOGIN, 200), (SECRETS, 200)]


def test_a_revoked_identity_cannot_log_in(infisical, infisical_machine_identity):
    infisical.revoke(infisical_machine_identity)

    async def scenario(service):
        with pytest.raises(SecretsError, match="machine identity login failed"):
            await service.secrets("dev")

    run(infisical, infisical_machine_identity, scenario)


def test_an_unknown_environment_is_an_error(infisical, infisical_machine_identity):
    async def scenario(service):
        with pytest.raises(SecretsError, match=r"^cannot read qa:/: "):
            await service.secrets("qa")

    run(infisical, infisical_machine_identity, scenario)
