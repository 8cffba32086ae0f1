"""Every expiry and window at its exact boundary: one second before, the instant itself, one after.

The fake's clock is frozen at a whole second, so each step lands exactly where it says. Expected
behaviour, from the protocol and the server's source: a service token is expired when
``expiresAt < now`` (§3.3), so it still works at ``expiresAt``; an identity access token outlives
its TTL until ``now > renewedAt + TTL`` (the server's ``currentDate > expirationDate``), while its
JWT carries ``exp = iat + max TTL`` and jsonwebtoken refuses it from ``now >= exp`` (§9.1, §11.7);
a fault hands out exactly ``times`` outcomes; a rate-limit window of 60 s opens again at 60 s.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import URL, call, login

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
TOKEN_EXPIRED = "Your token has expired. Please re-authenticate."


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical()
    fake.clock.freeze(START)
    fake.set_secret("A", "1")
    return fake


def _list(fake: FakeInfisical, headers: dict[str, str]) -> Response:
    query = {"workspaceId": fake.project.id, "environment": "dev"}
    return call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=query)


def _renew(fake: FakeInfisical, token: str) -> Response:
    return call(fake, "POST", "/api/v1/auth/token/renew", body={"accessToken": token})


def _error(response: Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status, body["error"], body["message"]


def _at(fake: FakeInfisical, seconds: int) -> None:
    """Move the frozen clock to ``START + seconds``."""
    fake.clock.freeze(START)
    fake.clock.advance(seconds)
    assert fake.clock.now().timestamp() == START.timestamp() + seconds


def test_a_service_token_works_up_to_and_at_its_expiry(fake: FakeInfisical) -> None:
    token = fake.create_service_token(expires_in=3600)
    document = call(fake, "GET", "/api/v2/service-token", headers=token.headers).json()
    assert document["expiresAt"] == "2026-03-01T13:00:00.000Z"
    _at(fake, 3599)
    assert _list(fake, token.headers).status == 200
    _at(fake, 3600)
    assert _list(fake, token.headers).status == 200
    _at(fake, 3601)
    assert _error(_list(fake, token.headers)) == (403, "ForbiddenError", "Service token has expired")
    assert _list(fake, token.headers).status == 404  # deleted on that first use


def test_an_access_token_works_up_to_and_at_its_ttl(fake: FakeInfisical) -> None:
    token = login(fake, fake.create_machine_identity(access_token_ttl=60, access_token_max_ttl=0))
    headers = {"Authorization": f"Bearer {token}"}
    _at(fake, 60)
    assert _list(fake, headers).status == 200
    _at(fake, 61)
    assert _error(_list(fake, headers)) == (403, "TokenError", TOKEN_EXPIRED)


def test_renew_at_the_ttl_instant_extends_it_one_second_later_is_refused(fake: FakeInfisical) -> None:
    identity = fake.create_machine_identity(access_token_ttl=60, access_token_max_ttl=0)
    token = login(fake, identity)
    _at(fake, 60)
    renewed = _renew(fake, token)
    assert (renewed.status, renewed.json()["expiresIn"]) == (200, 60)
    _at(fake, 120)  # 60 s after the renewal: still valid
    assert _list(fake, {"Authorization": f"Bearer {token}"}).status == 200
    late = login(fake, identity)  # issued at 120
    _at(fake, 181)
    assert _error(_renew(fake, late)) == (
        401,
        "UnauthorizedError",
        "Failed to renew MI access token due to TTL expiration",
    )


def test_the_max_ttl_ends_the_token_at_its_exact_instant(fake: FakeInfisical) -> None:
    token = login(fake, fake.create_machine_identity(access_token_ttl=60, access_token_max_ttl=150))
    headers = {"Authorization": f"Bearer {token}"}
    for second in (50, 100):
        _at(fake, second)
        assert _renew(fake, token).status == 200
    _at(fake, 149)
    assert _list(fake, headers).status == 200
    renewed = _renew(fake, token)  # one second before the max TTL a renewal still answers
    assert (renewed.status, renewed.json()["accessToken"]) == (200, token)
    _at(fake, 150)  # exp = iat + 150: jsonwebtoken refuses from exp on
    assert _error(_list(fake, headers)) == (403, "TokenError", TOKEN_EXPIRED)
    assert _error(_renew(fake, token)) == (403, "TokenError", TOKEN_EXPIRED)


def test_renew_when_the_ttl_equals_the_max_ttl_answers_the_same_token(fake: FakeInfisical) -> None:
    """§13.1: today a renewal with TTL == max TTL is 200 and the token stays valid."""
    token = login(fake, fake.create_machine_identity(access_token_ttl=100, access_token_max_ttl=100))
    _at(fake, 99)
    renewed = _renew(fake, token)
    assert (renewed.status, renewed.json()) == (
        200,
        {"accessToken": token, "expiresIn": 100, "accessTokenMaxTTL": 100, "tokenType": "Bearer"},
    )
    assert _list(fake, {"Authorization": f"Bearer {token}"}).status == 200


def test_a_fault_hands_out_exactly_its_count(fake: FakeInfisical) -> None:
    token = fake.create_service_token()
    fault = fake.fail_next("GET", "/api/v3/secrets/raw", status=503, times=2)
    assert (fault.hits, fault.remaining) == (0, 2)
    assert _list(fake, token.headers).status == 503
    assert (fault.hits, fault.remaining, len(fault.requests)) == (1, 1, 1)
    assert _list(fake, token.headers).status == 503
    assert (fault.hits, fault.remaining, len(fault.requests)) == (2, 0, 2)
    assert _list(fake, token.headers).status == 200
    assert (fault.hits, fault.remaining, len(fault.requests)) == (2, 0, 2)


def test_a_sequence_counts_only_its_faults_as_hits(fake: FakeInfisical) -> None:
    token = fake.create_service_token()
    fault = fake.fail_next("GET", "/api/v3/secrets/raw", sequence=[429, 200, 500])
    assert [_list(fake, token.headers).status for _ in range(4)] == [429, 200, 500, 200]
    assert (fault.hits, fault.remaining, len(fault.requests)) == (2, 0, 3)


def test_the_rate_limit_window_opens_again_at_its_exact_end(fake: FakeInfisical) -> None:
    token = fake.create_service_token()
    fake.rate_limit(limit=2, window=60)
    statuses = [_list(fake, token.headers) for _ in range(3)]
    assert [r.status for r in statuses] == [200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "60"
    _at(fake, 59)
    limited = _list(fake, token.headers)
    assert (limited.status, limited.headers["RateLimit-Reset"], limited.headers["Retry-After"]) == (429, "1", "1")
    _at(fake, 60)
    reopened = _list(fake, token.headers)
    assert (reopened.status, reopened.headers["RateLimit-Remaining"]) == (200, "1")
    assert _list(fake, token.headers).status == 200
    assert _list(fake, token.headers).status == 429


def test_an_api_key_works_up_to_and_at_its_expiry_in_2023() -> None:
    """§3.3: expired when ``expiresAt < now``; the first use after it deletes the key (then 404)."""
    fake = FakeInfisical(profile="2023")
    fake.clock.freeze(START)
    key = fake.create_api_key(expires_in=600)
    _at(fake, 600)
    assert call(fake, "GET", "/api/v2/users/me", headers=key.headers).status == 200
    _at(fake, 601)
    assert _error(call(fake, "GET", "/api/v2/users/me", headers=key.headers)) == (
        401,
        "unauthorized",
        "Failed to authenticate expired API key",
    )
    gone = call(fake, "GET", "/api/v2/users/me", headers=key.headers)
    assert _error(gone) == (404, "api_key_data_not_found_error", "Failed to find API key data")


def test_a_service_account_is_never_expired_in_2023() -> None:
    """§3.3: the 2023 server stored ``expiresAt`` for service accounts but never checked it."""
    fake = FakeInfisical(profile="2023")
    fake.clock.freeze(START)
    fake.set_secret("A", "1")
    account = fake.create_service_account(expires_in=600)
    _at(fake, 601)
    assert call(fake, "GET", "/api/v2/service-accounts/me", headers=account.headers).status == 200
    assert _list(fake, account.headers).status == 200


@pytest.mark.parametrize(("timeout", "times_out"), [(2.4, True), (2.5, False), (None, False)])
def test_a_delay_times_out_only_a_client_whose_timeout_is_shorter(
    fake: FakeInfisical, timeout: Optional[float], times_out: bool
) -> None:
    from pytest_infisical.http import Request, TransportFault

    token = fake.create_service_token()
    fake.fail_next("GET", "/api/v2/service-token", delay=2.5)
    request = Request("GET", URL + "/api/v2/service-token", token.headers, timeout=timeout)
    if times_out:
        with pytest.raises(TransportFault, match=r"took 2\.5 s \(simulated\), longer than the client's 2\.4 s timeout"):
            fake.handle(request)
    else:
        assert fake.handle(request).status == 200
    assert fake.clock.now().timestamp() == START.timestamp() + 2.5  # the simulated delay passed
