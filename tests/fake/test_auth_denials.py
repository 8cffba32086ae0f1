"""Authorization denials and retired credentials, as each era's server words them: the fake's auth
edges left by the mutation run of ``fake/auth.py`` (expected values from PROTOCOL §3.4, §6.3, §13.1
and the journal note documented in docs/fixtures.md)."""

from __future__ import annotations

from typing import Any

from pytest_infisical.fake import FakeInfisical

from .conftest import call, login

#: docs/fixtures.md: how the journal explains a call refused for its API key under ``latest``
API_KEY_NOTE = (
    "API keys are retired on today's Infisical (profile 'latest'); "
    'pin @pytest.mark.infisical(profile="2023") or "2024-08" (or serve --profile 2023) to test an API-key integration'
)


def _where(fake: FakeInfisical, environment: str = "dev", path: str = "/") -> dict[str, str]:
    return {"workspaceId": fake.project.id, "environment": environment, "secretPath": path}


def _error(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status, body["error"], body["message"]


def test_2023_api_key_of_a_user_outside_the_project() -> None:
    """§6.3: a user (or their API key) that is not a project member: 404."""
    fake = FakeInfisical(profile="2023")
    outsider = fake.create_user("outsider@example.com", project_role=None)
    key = fake.create_api_key(user=outsider)
    response = call(fake, "GET", "/api/v3/secrets/raw", headers=key.headers, query=_where(fake))
    assert _error(response) == (404, "workspace_membership_not_found_error", "Failed to find workspace membership")


def test_2023_read_only_token_writing_names_the_permission() -> None:
    """§3.4: a token without ``write`` asked to write: 401 naming the missing permission."""
    fake = FakeInfisical(profile="2023")
    token = fake.create_service_token(scopes=[("dev", "/**")], permissions=["read"])
    response = call(
        fake, "POST", "/api/v3/secrets/raw/NEW", headers=token.headers, body={**_where(fake), "secretValue": "v"}
    )
    assert _error(response) == (
        401,
        "unauthorized",
        "Failed service token authorization for the given workspace environment action: write",
    )


def test_latest_path_denial_lists_the_tokens_rules() -> None:
    """§13.1: outside the token's path the denial names the action and lists the token's rules for it."""
    fake = FakeInfisical()
    fake.set_secret("KEY", "v")
    token = fake.create_service_token(scopes=[("dev", "/app/**")], permissions=["read"])
    response = call(fake, "GET", "/api/v3/secrets/raw/KEY", headers=token.headers, query=_where(fake))
    assert _error(response) == (403, "PermissionDenied", "You are not allowed to describeSecret on secrets")
    assert response.json()["details"] == [
        {
            "action": "describeSecret",
            "inverted": False,
            "subject": "secrets",
            "conditions": {"secretPath": {"$glob": "/app/**"}, "environment": "dev"},
        }
    ]


def test_latest_journal_explains_a_refused_api_key() -> None:
    fake = FakeInfisical()
    key = fake.create_api_key()
    call(fake, "GET", "/api/v3/secrets/raw", headers=key.headers, query=_where(fake))
    assert fake.calls[-1].note == API_KEY_NOTE


def test_2023_member_denied_an_environment_names_the_permission() -> None:
    """§3.4, §6.3: a member whose role denies ``read`` on an environment (deniedPermissions): 401."""
    fake = FakeInfisical(profile="2023")
    member = fake.create_user("member@example.com")
    fake.deny(member, "dev", "read")
    key = fake.create_api_key(user=member)
    response = call(fake, "GET", "/api/v3/secrets/raw", headers=key.headers, query=_where(fake))
    assert _error(response) == (
        401,
        "unauthorized",
        "Failed permissions authorization for workspace environment action : read",
    )


def test_2023_viewer_identity_writing_names_the_permission() -> None:
    """The fake's 2023 wording for an identity's denial (machine identities postdate the measured
    2023 server) follows the era's service-token sentence: it names the permission."""
    fake = FakeInfisical(profile="2023")
    viewer = {"Authorization": f"Bearer {login(fake, fake.create_machine_identity(role='viewer'))}"}
    response = call(fake, "POST", "/api/v3/secrets/raw/NEW", headers=viewer, body={**_where(fake), "secretValue": "v"})
    assert _error(response) == (
        401,
        "unauthorized",
        "Failed identity authorization for the given workspace environment action: write",
    )


def test_2024_08_journals_a_refused_api_key_that_won_over_a_bearer() -> None:
    """§12: that server read ``X-API-KEY`` before ``Authorization``; a refused call carrying both is
    journaled under the API key it read, not the bearer beside it."""
    fake = FakeInfisical(profile="2024-08", rate_limits=False)
    key = fake.create_api_key()
    token = fake.create_service_token()
    wrong = {"X-API-KEY": key.value[:-1] + ("0" if key.value[-1] != "0" else "1"), **token.headers}
    response = call(fake, "GET", "/api/v3/secrets/raw", headers=wrong, query=_where(fake))
    assert response.status == 403
    assert fake.calls[-1].auth_mode == "api_key"


def test_2023_request_without_credentials() -> None:
    """§6.3: no ``Authorization`` and no ``X-API-KEY``: 400."""
    fake = FakeInfisical(profile="2023")
    response = call(fake, "GET", "/api/v3/secrets/raw", query=_where(fake))
    assert _error(response) == (400, "bad_request", "Missing Authorization or X-API-KEY in request header.")


def test_2024_08_unguarded_route_without_credentials_crashes_as_that_server_did() -> None:
    """§12.1: without credentials the encrypted-key route answered 500 (its handler ran first); the
    message is the one tests/fidelity/DECISIONS.md settles on (only the status was recorded)."""
    fake = FakeInfisical(profile="2024-08", rate_limits=False)
    response = call(fake, "GET", f"/api/v2/workspace/{fake.project.id}/encrypted-key")
    assert _error(response) == (500, "Internal Server Error", "Cannot read properties of undefined (reading 'id')")
    # any other route without credentials is the era's plain refusal
    assert _error(call(fake, "GET", "/api/v3/secrets/raw", query=_where(fake))) == (
        403,
        "Unauthorized access",
        "Token missing",
    )


def test_2023_checks_the_mode_before_the_credential() -> None:
    """§6.3: an API key on the service-token route is refused for its mode (400), before the key
    itself is looked up — even a key this server never issued."""
    fake = FakeInfisical(profile="2023")
    unknown = FakeInfisical(profile="2023").create_api_key()
    response = call(fake, "GET", "/api/v2/service-token", headers=unknown.headers)
    assert _error(response) == (400, "bad_request", "The provided authentication type is not supported.")
