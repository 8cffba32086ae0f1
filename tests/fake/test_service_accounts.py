"""Service accounts: ``/me`` → ``/:id/keys`` → box open → secrets (PROTOCOL.md §5.7, §7.2).

On the 2023 profile: today's server no longer knows service accounts (see test_auth_matrix.py).
"""

from __future__ import annotations

from pytest_infisical import crypto
from pytest_infisical.fake import FakeInfisical

from .conftest import call


def test_the_account_flow_decrypts_secrets() -> None:
    fake = FakeInfisical(profile="2023")
    fake.set_secret("DB_PASSWORD", "hunter2")
    account = fake.create_service_account()
    me = call(fake, "GET", "/api/v2/service-accounts/me", headers=account.headers).json()["serviceAccount"]
    assert me["_id"] == account.id and me["publicKey"] == account.public_key
    assert set(me) >= {"_id", "name", "organization", "user", "publicKey", "lastUsed", "createdAt", "updatedAt", "__v"}
    keys = call(fake, "GET", f"/api/v2/service-accounts/{account.id}/keys", headers=account.headers).json()[
        "serviceAccountKeys"
    ]
    (record,) = [k for k in keys if k["workspace"] == fake.project.id]
    secrets = call(
        fake,
        "GET",
        "/api/v3/secrets",
        headers=account.headers,
        query={"workspaceId": fake.project.id, "environment": "dev"},
    ).json()
    plain = crypto.decrypt_secrets(secrets, service_account=account, key_record=record)
    assert dict(plain) == {"DB_PASSWORD": "hunter2"}


def test_keys_filter_by_workspace_and_one_key_per_project() -> None:
    fake = FakeInfisical(profile="2023")
    other = fake.create_project("Other")
    account = fake.create_service_account(permissions=[("dev", True, True), ("prod", True, False)])
    fake.grant(account, "dev", project=other)
    keys = call(fake, "GET", f"/api/v2/service-accounts/{account.id}/keys", headers=account.headers).json()[
        "serviceAccountKeys"
    ]
    assert sorted(k["workspace"] for k in keys) == sorted([fake.project.id, other.id])
    only = call(
        fake,
        "GET",
        f"/api/v2/service-accounts/{account.id}/keys",
        headers=account.headers,
        query={"workspaceId": other.id},
    )
    assert [k["workspace"] for k in only.json()["serviceAccountKeys"]] == [other.id]
    record = only.json()["serviceAccountKeys"][0]
    assert crypto.unwrap_project_key_for_service_account(record, account.public_key, account.private_key) == other.key


def test_another_accounts_keys_only_within_the_organization() -> None:
    fake = FakeInfisical(profile="2023")
    first, second = fake.create_service_account(), fake.create_service_account()
    assert call(fake, "GET", f"/api/v2/service-accounts/{second.id}/keys", headers=first.headers).status == 200
    unknown = call(fake, "GET", f"/api/v2/service-accounts/{'0' * 24}/keys", headers=first.headers)
    assert (unknown.status, unknown.json()["message"]) == (404, "Failed to find service account")
    outsider_org = fake.state.create_organization("Elsewhere")
    _, outsider = fake.state.create_service_account(outsider_org, fake.user)
    refused = call(fake, "GET", f"/api/v2/service-accounts/{outsider.id}/keys", headers=first.headers)
    assert (refused.status, refused.json()["error"]) == (401, "unauthorized")  # 2023: denials are 401 (§3.4)


def test_read_only_account_cannot_write() -> None:
    fake = FakeInfisical(profile="2023")
    account = fake.create_service_account(permissions=[("dev", True, False)])
    fields = crypto.encrypt_secret("A", "1", fake.project.key).to_dict()
    response = call(
        fake,
        "POST",
        "/api/v3/secrets/A",
        headers=account.headers,
        body={"workspaceId": fake.project.id, "environment": "dev", "type": "shared", **fields},
    )
    assert (response.status, response.json()["message"]) == (
        401,
        "Failed permissions authorization for workspace environment action : write",
    )
