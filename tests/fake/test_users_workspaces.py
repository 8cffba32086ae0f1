"""The API-key flow: users, organizations, projects, memberships, the user's key copy (§5.4–§5.6, §7.3)."""

from __future__ import annotations

import pytest

from pytest_infisical import crypto
from pytest_infisical.errors import DecryptionError
from pytest_infisical.fake import FakeInfisical

from .conftest import call


@pytest.fixture
def fake() -> FakeInfisical:
    """The era that served API keys (today's server refuses them: see test_auth_matrix.py)."""
    return FakeInfisical(profile="2023")


def test_me_and_my_organizations(fake: FakeInfisical) -> None:
    key = fake.create_api_key()
    me = call(fake, "GET", "/api/v2/users/me", headers=key.headers).json()["user"]
    assert (me["email"], me["publicKey"], me["encryptionVersion"]) == ("tester@example.com", fake.user.public_key, 2)
    assert set(me) >= {
        "_id",
        "email",
        "firstName",
        "lastName",
        "publicKey",
        "encryptedPrivateKey",
        "iv",
        "tag",
        "salt",
        "createdAt",
        "updatedAt",
    }
    assert fake.user.private_key not in str(me)
    orgs = call(fake, "GET", "/api/v2/users/me/organizations", headers=key.headers).json()["organizations"]
    assert [o["_id"] for o in orgs] == [fake.organization.id]


def test_rename_and_mfa(fake: FakeInfisical) -> None:
    key = fake.create_api_key()
    renamed = call(
        fake, "PATCH", "/api/v2/users/me/name", headers=key.headers, body={"firstName": "Ada", "lastName": "L"}
    )
    assert (renamed.json()["user"]["firstName"], fake.user.first_name) == ("Ada", "Ada")
    mfa = call(fake, "PATCH", "/api/v2/users/me/mfa", headers=key.headers, body={"isMfaEnabled": True})
    assert (mfa.json()["user"]["isMfaEnabled"], fake.user.is_mfa_enabled) == (True, True)


def test_projects_of_the_user_and_of_the_organization(fake: FakeInfisical) -> None:
    other = fake.create_project("Second")
    stranger = fake.create_user("stranger@example.com", project_role=None)
    hidden = fake.create_project("Hidden", owner=stranger)
    key = fake.create_api_key()
    mine = call(fake, "GET", "/api/v1/workspace", headers=key.headers).json()["workspaces"]
    assert {w["_id"] for w in mine} == {fake.project.id, other.id}
    in_org = call(fake, "GET", f"/api/v2/organizations/{fake.organization.id}/workspaces", headers=key.headers).json()[
        "workspaces"
    ]
    assert hidden.id not in {w["_id"] for w in in_org}
    first = next(w for w in mine if w["_id"] == fake.project.id)
    assert [e["slug"] for e in first["environments"]] == ["dev", "staging", "prod"]
    assert set(first) >= {"_id", "name", "organization", "environments", "autoCapitalization", "__v"}


def test_organization_roles(fake: FakeInfisical) -> None:
    member = fake.create_user("member@example.com", organization_role="member")
    key = fake.create_api_key(user=member)
    response = call(fake, "GET", f"/api/v2/organizations/{fake.organization.id}/workspaces", headers=key.headers)
    assert (response.status, response.json()["message"]) == (401, "Failed to validate organization membership role")
    unknown = call(fake, "GET", f"/api/v2/organizations/{'0' * 24}/workspaces", headers=key.headers)
    assert unknown.status == 404
    assert (
        call(fake, "GET", f"/api/v2/organizations/{fake.organization.id}/memberships", headers=key.headers).status
        == 200
    )


def test_organization_memberships(fake: FakeInfisical) -> None:
    member = fake.create_user("member@example.com")
    key = fake.create_api_key()
    memberships = call(
        fake, "GET", f"/api/v2/organizations/{fake.organization.id}/memberships", headers=key.headers
    ).json()["memberships"]
    assert {(m["user"]["email"], m["role"], m["status"]) for m in memberships} == {
        ("tester@example.com", "owner", "accepted"),
        ("member@example.com", "member", "accepted"),
    }
    target = fake.organization.members[member.id].id
    promoted = call(
        fake,
        "PATCH",
        f"/api/v2/organizations/{fake.organization.id}/memberships/{target}",
        headers=key.headers,
        body={"role": "admin"},
    )
    assert (promoted.json()["membership"]["role"], fake.organization.members[member.id].role) == ("admin", "admin")
    assert (
        call(
            fake, "DELETE", f"/api/v2/organizations/{fake.organization.id}/memberships/{target}", headers=key.headers
        ).status
        == 200
    )
    assert member.id not in fake.organization.members


def test_project_memberships_need_an_admin_to_change(fake: FakeInfisical) -> None:
    member = fake.create_user("member@example.com")
    target = fake.project.members[member.id].id
    as_member = fake.create_api_key(user=member)
    listed = call(fake, "GET", f"/api/v2/workspace/{fake.project.id}/memberships", headers=as_member.headers)
    assert {m["role"] for m in listed.json()["memberships"]} == {"admin", "member"}
    denied = call(
        fake,
        "PATCH",
        f"/api/v2/workspace/{fake.project.id}/memberships/{target}",
        headers=as_member.headers,
        body={"role": "admin"},
    )
    assert (denied.status, denied.json()["message"]) == (400, "Failed authorization for membership role")
    assert fake.project.members[member.id].role == "member"  # the refusal changed nothing
    admin = fake.create_api_key()
    promoted = call(
        fake,
        "PATCH",
        f"/api/v2/workspace/{fake.project.id}/memberships/{target}",
        headers=admin.headers,
        body={"role": "admin"},
    )
    assert promoted.status == 200
    assert fake.project.members[member.id].role == "admin"
    relisted = call(fake, "GET", f"/api/v2/workspace/{fake.project.id}/memberships", headers=admin.headers)
    assert {(m["user"]["email"], m["role"]) for m in relisted.json()["memberships"]} >= {
        ("member@example.com", "admin")
    }
    assert (
        call(fake, "DELETE", f"/api/v2/workspace/{fake.project.id}/memberships/{target}", headers=admin.headers).status
        == 200
    )
    outsider = call(fake, "GET", f"/api/v2/workspace/{fake.project.id}/memberships", headers=as_member.headers)
    assert (outsider.status, outsider.json()["message"]) == (404, "Failed to find workspace membership")


def test_the_users_key_copy_opens_only_with_the_users_private_key(fake: FakeInfisical) -> None:
    """An API key gets the box, but not the password-protected private key that opens it (§4.4)."""
    key = fake.create_api_key()
    record = call(fake, "GET", f"/api/v2/workspace/{fake.project.id}/encrypted-key", headers=key.headers).json()
    assert record["sender"]["publicKey"] == fake.user.public_key
    assert (
        crypto.decrypt_asymmetric(
            record["encryptedKey"], record["nonce"], record["sender"]["publicKey"], fake.user.private_key
        )
        == fake.project.key
    )
    stranger = crypto.generate_key_pair()
    with pytest.raises(DecryptionError):
        crypto.decrypt_asymmetric(
            record["encryptedKey"], record["nonce"], record["sender"]["publicKey"], stranger.private_key
        )


def test_api_key_reads_ciphertext_only_on_an_e2ee_project() -> None:
    fake = FakeInfisical(profile="2023", e2ee=True)
    fake.set_secret("DB_PASSWORD", "hunter2")
    key = fake.create_api_key()
    query = {"workspaceId": fake.project.id, "environment": "dev"}
    encrypted = call(fake, "GET", "/api/v3/secrets", headers=key.headers, query=query)
    assert encrypted.status == 200 and b"hunter2" not in encrypted.body
    raw = call(fake, "GET", "/api/v3/secrets/raw", headers=key.headers, query=query)
    assert (raw.status, raw.json()["message"]) == (
        400,
        "Failed workspace authorization due to end-to-end encryption not being disabled",
    )


def test_status_needs_no_credentials(fake: FakeInfisical) -> None:
    body = call(fake, "GET", "/api/status").json()
    assert body["message"] == "Ok" and set(body) >= {"date", "emailConfigured", "inviteOnlySignup"}
