"""Replayed offline from cassettes/test_settings_client/test_loads_settings.json.

The same test records the cassette against a real Infisical:

    INFISICAL_API_URL=https://infisical.example.com INFISICAL_TOKEN=st.… \
        pytest --infisical-record-mode=all

Values read from the server are placeholders in the cassette, except those kept by name.
"""

import pytest
from settings_client import load_settings


@pytest.mark.infisical_cassette(keep=["LOG_LEVEL"])
def test_loads_settings(infisical, infisical_service_token):
    settings = load_settings(infisical.url, infisical_service_token.token)

    assert settings["LOG_LEVEL"] == "debug"  # kept: the same live and on replay
    assert set(settings) == {"LOG_LEVEL", "DATABASE_URL"}  # the database URL is a placeholder on replay
    infisical.assert_called("GET", "/api/v3/secrets/raw", auth="service_token", times=1)
