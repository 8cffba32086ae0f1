"""Tests of the admin script, against a server of the era that served API keys, and today's."""

import infisical_admin
import pytest

from pytest_infisical.assertions import assert_api_key_header, assert_auth_mode

# A self-hosted server of 2023 served API keys (so did the 2024-08 one; today's refuses them).
pytestmark = pytest.mark.infisical(profile="2023")


@pytest.fixture
def admin(infisical, infisical_api_key, monkeypatch):
    monkeypatch.setenv("INFISICAL_API_KEY", infisical_api_key.value)
    monkeypatch.setattr(infisical_admin, "SITE_URL", infisical.url)
    return infisical_admin.main


def test_lists_the_projects_of_the_keys_user(infisical, infisical_api_key, admin, capsys):
    other = infisical.create_project("billing")
    infisical.create_project("not-mine", owner=infisical.create_user("someone@example.com"))
    assert admin(["projects"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{infisical.project.id}  {infisical.project.name}",
        f"{other.id}  billing",
    ]
    call = infisical.assert_called("GET", "/api/v1/workspace", times=1)[0]
    assert_api_key_header(call, key=infisical_api_key)  # X-API-KEY, and no Authorization header beside it
    assert_auth_mode(call, "api_key")


@pytest.mark.infisical(secrets={"prod": {"/": {"DB_PASSWORD": "old-password"}}})
def test_rotates_a_secret_without_printing_it(infisical, infisical_api_key, admin, capsys):
    assert admin(["rotate", "DB_PASSWORD", "--project", infisical.project.id, "--env", "prod"]) == 0
    secret = infisical.secret("DB_PASSWORD", environment="prod")
    assert secret.version == 2 and secret.value != "old-password" and len(secret.value) == 32
    output = capsys.readouterr()
    assert output.out == "DB_PASSWORD rotated in prod: now version 2\n"
    assert secret.value not in output.out + output.err
    assert_api_key_header(infisical.assert_called("PATCH", "/api/v3/secrets/raw/DB_PASSWORD")[0], key=infisical_api_key)


def test_a_missing_secret_is_reported(infisical, admin, capsys):
    assert admin(["rotate", "NOPE", "--project", infisical.project.id]) == 1
    assert capsys.readouterr().err == "error: Infisical answered 404: The requested secret was not found\n"


def test_a_revoked_key_is_reported(infisical, infisical_api_key, admin, capsys):
    infisical.revoke(infisical_api_key)
    assert admin(["projects"]) == 1
    # in 2023 a revoked key was deleted, so the server no longer knows it
    assert capsys.readouterr().err == "error: Infisical answered 404: Failed to find API key data\n"
