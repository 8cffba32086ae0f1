"""Today's Infisical no longer accepts API keys: the script must tell the operator so."""

import infisical_admin
import pytest

REFUSAL = "API key authentication is not supported anymore. Please switch to identity authentication."


@pytest.mark.infisical(profile="latest")
def test_todays_server_refuses_an_api_key(infisical, infisical_api_key, monkeypatch, capsys):
    monkeypatch.setenv("INFISICAL_API_KEY", infisical_api_key.value)
    monkeypatch.setattr(infisical_admin, "SITE_URL", infisical.url)
    assert infisical_admin.main(["projects"]) == 1
    assert capsys.readouterr().err == f"error: Infisical answered 400: {REFUSAL}\n"
    assert [call.status for call in infisical.calls] == [400]
