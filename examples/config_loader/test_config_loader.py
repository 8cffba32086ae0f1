"""Tests of the example application's configuration loader, against the fake."""

import pytest
from config_loader import ConfigError, ConfigLoader


@pytest.fixture
def loader(infisical, infisical_machine_identity):
    return ConfigLoader(
        infisical.url,
        infisical_machine_identity.client_id,
        infisical_machine_identity.client_secret,
        infisical.project.id,
        clock=infisical.clock.timestamp,  # the loader's notion of time follows the fake's
    )


@pytest.mark.infisical(
    secrets={"dev": {"/": {"DB_URL": "postgres://dev"}}, "prod": {"/": {"DB_URL": "postgres://prod"}}}
)
def test_loads_each_environment(loader):
    assert loader.load("dev") == {"DB_URL": "postgres://dev"}
    assert loader.load("prod") == {"DB_URL": "postgres://prod"}


@pytest.mark.infisical(secrets={"A": "1"})
def test_logs_in_again_when_the_token_expires(infisical, loader):
    assert loader.load() == {"A": "1"}
    infisical.clock.advance(30 * 24 * 3600 + 1)  # past the access token's TTL
    infisical.set_secret("A", "2")
    assert loader.load() == {"A": "2"}


def test_a_revoked_identity_is_an_error_that_says_so(infisical, infisical_machine_identity, loader):
    infisical.revoke(infisical_machine_identity)
    with pytest.raises(ConfigError, match="login failed: Invalid credentials"):
        loader.load()


def test_a_missing_folder(loader):
    with pytest.raises(
        ConfigError, match="cannot load dev:/nope: Folder with path '/nope' in environment 'dev' was not found"
    ):
        loader.load("dev", "/nope")
