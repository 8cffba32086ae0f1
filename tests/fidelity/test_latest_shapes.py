"""`latest` documents have the recent measured server's keys (§13.3), exactly."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical

from .conftest import RAW_SECRET_KEYS_LATEST, Api, identity_headers, raw_query

pytestmark = pytest.mark.infisical(profile="latest")

#: the 2023 keys, the ones a 2024 server added, and expiryNotificationSent (the bcrypt secretHash left out)
SERVICE_TOKEN_KEYS = frozenset(
    [
        "__v",
        "_id",
        "createdAt",
        "createdBy",
        "encryptedKey",
        "expiresAt",
        "id",
        "iv",
        "lastUsed",
        "name",
        "permissions",
        "projectId",
        "scopes",
        "tag",
        "updatedAt",
        "user",
        "workspace",
        "expiryNotificationSent",
    ]
)
SERVICE_TOKEN_USER_KEYS = frozenset(
    [
        "__v",
        "_id",
        "authMethods",
        "createdAt",
        "devices",
        "email",
        "firstName",
        "id",
        "lastName",
        "mfaMethods",
        "updatedAt",
    ]
)
STATUS_KEYS = frozenset(
    [
        "date",
        "message",
        "emailConfigured",
        "inviteOnlySignup",
        "redisConfigured",
        "secretScanningConfigured",
        "auditLogStorageDisabled",
        "maxIdentityAccessTokenTTL",
    ]
)


@pytest.mark.parametrize("where", ["list", "single"])
def test_raw_secret_object_keys(api: Api, infisical: FakeInfisical, project: Any, where: str) -> None:
    """13.3 raw secret object (list item and single get): exactly these keys; `metadata` is gone."""
    infisical.set_secret("EXISTING", "v", project=project)
    headers = identity_headers(api, project=project)
    query = raw_query(infisical, project=project)
    if where == "list":
        response = api("GET", "/api/v3/secrets/raw", headers=headers, params=query)
        secret = response.json()["secrets"][0]
    else:
        response = api("GET", "/api/v3/secrets/raw/EXISTING", headers=headers, params=query)
        secret = response.json()["secret"]
    assert response.status_code == 200, response.text
    assert set(secret) == RAW_SECRET_KEYS_LATEST
    assert (secret["secretKey"], secret["secretValue"], secret["secretValueHidden"]) == ("EXISTING", "v", False)
    assert (secret["secretReminderNote"], secret["secretReminderRepeatDays"]) == (None, None)
    assert (secret["isRotatedSecret"], secret["rotationId"], secret["secretMetadata"]) == (False, None, [])
    assert secret["id"] == secret["_id"]


def test_service_token_document(api: Api, infisical_service_token: ServiceToken) -> None:
    """13.3 GET /api/v2/service-token: the 2024 keys plus expiryNotificationSent."""
    response = api("GET", "/api/v2/service-token", headers=infisical_service_token.headers)
    assert response.status_code == 200, response.text
    document = response.json()
    assert set(document) == SERVICE_TOKEN_KEYS
    assert set(document["user"]) >= SERVICE_TOKEN_USER_KEYS
    assert document["expiryNotificationSent"] is False
    assert document["expiresAt"] is None
    assert document["workspace"] == document["projectId"]
    assert [{k: scope[k] for k in ("environment", "secretPath")} for scope in document["scopes"]] == [
        {"environment": "dev", "secretPath": "/"}
    ]


def test_status_keys(api: Api) -> None:
    """13.3 GET /api/status."""
    response = api("GET", "/api/status")
    assert response.status_code == 200, response.text
    assert set(response.json()) == STATUS_KEYS


def _etag(value: str) -> str:
    match = re.fullmatch(r'"([^"]+)"', value)  # a strong validator: quoted, no W/
    assert match, value
    return match.group(1)


def test_headers(api: Api, infisical: FakeInfisical) -> None:
    """13.3 HSTS for a year; raw lists carry a 43-character base64url etag, others a 27-character one."""
    headers = identity_headers(api)
    listed = api("GET", "/api/v3/secrets/raw", headers=headers, params=raw_query(infisical))
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", _etag(listed.headers["etag"])), listed.headers["etag"]
    status = api("GET", "/api/status")
    assert re.fullmatch(r"[A-Za-z0-9+/_-]{27}", _etag(status.headers["etag"])), status.headers["etag"]
    for response in (listed, status):
        assert response.headers["strict-transport-security"].startswith("max-age=31536000"), response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert "Origin" in response.headers["vary"]
        assert response.headers["access-control-allow-credentials"] == "true"
