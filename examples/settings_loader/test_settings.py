"""Tests of the settings loader against the fake, with end-to-end encryption on."""

import pytest
from settings import SettingsError, SettingsLoader

from pytest_infisical.assertions import assert_service_token_header

pytestmark = pytest.mark.infisical(e2ee=True, secrets={"dev": {"/": {"DB_URL": "postgres://dev", "DEBUG": "1"}}})


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def loader(infisical, infisical_service_token, sleeps):
    def sleep(seconds):  # the loader's waits move the fake's clock; the test never sleeps
        sleeps.append(seconds)
        infisical.clock.advance(seconds)

    return SettingsLoader(infisical_service_token.token, site_url=infisical.url, sleep=sleep)


def test_loads_and_decrypts_the_settings(infisical, infisical_service_token, loader):
    assert loader.load("dev") == {"DB_URL": "postgres://dev", "DEBUG": "1"}
    assert [call.path for call in infisical.calls] == ["/api/v2/service-token", "/api/v3/secrets"]
    for call in infisical.calls:
        # only ciphertext crossed the wire, and the token's key part never left the client
        assert b"postgres://dev" not in call.response.body
        assert_service_token_header(call, token=infisical_service_token, parts=3)


def test_an_expired_token_is_an_error_that_says_so(infisical):
    token = infisical.create_service_token(expires_in=3600)
    infisical.clock.advance(3601)
    with pytest.raises(SettingsError, match=r"^Infisical answered 403: Service token has expired$"):
        SettingsLoader(token.token, site_url=infisical.url).load("dev")


def test_an_environment_outside_the_tokens_scope_is_refused_before_any_secret_is_read(infisical, loader):
    with pytest.raises(SettingsError, match="this token cannot read environment 'prod'"):
        loader.load("prod")
    infisical.assert_not_called("GET", "/api/v3/secrets")


def test_a_429_is_retried_after_the_servers_retry_after(infisical, loader, sleeps):
    infisical.fail_next("GET", "/api/v3/secrets", status=429, retry_after=7)
    assert loader.load("dev") == {"DB_URL": "postgres://dev", "DEBUG": "1"}
    assert sleeps == [7.0]
    assert [call.status for call in infisical.calls] == [200, 429, 200]


def test_gives_up_after_three_429s(infisical, loader, sleeps):
    infisical.fail_next("GET", "/api/v3/secrets", status=429, retry_after=2, times=3)
    with pytest.raises(SettingsError, match=r"^Infisical answered 429: "):
        loader.load("dev")
    assert sleeps == [2.0, 2.0, 2.0]
