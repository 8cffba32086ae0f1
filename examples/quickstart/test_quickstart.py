"""The README's quick start."""

import my_app
import pytest


@pytest.mark.infisical(secrets={"DB_PASSWORD": "hunter2"})
def test_my_app_loads_its_settings(infisical, infisical_machine_identity):
    settings = my_app.load_settings(infisical.url, infisical_machine_identity, project_id=infisical.project.id)
    assert settings == {"DB_PASSWORD": "hunter2"}
    infisical.assert_called("GET", "/api/v3/secrets/raw", auth="machine_identity", times=1)


def test_my_app_waits_when_rate_limited(infisical, infisical_machine_identity):
    infisical.set_secret("DB_PASSWORD", "hunter2")
    infisical.fail_next("GET", "/api/v3/secrets/raw", status=429, retry_after=0)
    settings = my_app.load_settings(infisical.url, infisical_machine_identity, project_id=infisical.project.id)
    assert settings == {"DB_PASSWORD": "hunter2"}
    assert [call.status for call in infisical.calls.filter("GET", "/api/v3/secrets/raw")] == [429, 200]
