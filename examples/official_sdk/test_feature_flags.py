"""Tests of code that uses the official Python SDK, against the fake, in-process (no network)."""

import pytest

pytest.importorskip(
    "infisical_sdk", reason="the official SDK is not installed: pip install infisicalsdk (or '.[examples]')"
)

from feature_flags import FeatureFlags, FlagError

from pytest_infisical.assertions import assert_machine_identity_header

pytestmark = pytest.mark.infisical(
    secrets={"prod": {"/": {"FLAG_NEW_CHECKOUT": "on", "FLAG_DARK_MODE": "off", "DB_URL": "postgres://prod"}}}
)


@pytest.fixture
def flags(infisical, infisical_machine_identity):
    identity = infisical_machine_identity
    return FeatureFlags(infisical.url, identity.client_id, identity.client_secret, infisical.project.id, "prod")


def test_reads_the_flags_and_nothing_else(infisical, flags):
    assert flags.all() == {"new_checkout": True, "dark_mode": False}
    call = infisical.assert_called("GET", "/api/v3/secrets/raw", auth="machine_identity", times=1)[0]
    assert_machine_identity_header(call)
    assert call.request.query["environment"] == "prod"


def test_turns_a_flag_on(infisical, flags):
    flags.set("dark_mode", True)
    assert infisical.secret("FLAG_DARK_MODE", environment="prod").value == "on"
    assert flags.all()["dark_mode"] is True


def test_a_missing_flag_reports_the_servers_message(flags):
    with pytest.raises(FlagError, match=r"cannot set flag 'beta': Secret with name '?FLAG_BETA'? not found"):
        flags.set("beta", True)


def test_a_viewer_cannot_set_a_flag(infisical):
    viewer = infisical.create_machine_identity(role="viewer")
    flags = FeatureFlags(infisical.url, viewer.client_id, viewer.client_secret, infisical.project.id, "prod")
    with pytest.raises(FlagError, match="cannot set flag 'dark_mode': You are not allowed to edit on secrets"):
        flags.set("dark_mode", True)


def test_a_revoked_identity_cannot_log_in(infisical, infisical_machine_identity):
    infisical.revoke(infisical_machine_identity)
    with pytest.raises(FlagError, match="cannot log in to Infisical: Invalid credentials"):
        FeatureFlags(
            infisical.url,
            infisical_machine_identity.client_id,
            infisical_machine_identity.client_secret,
            infisical.project.id,
            "prod",
        )
