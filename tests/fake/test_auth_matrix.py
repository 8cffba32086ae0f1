"""Every route × every credential situation × each profile → the documented status and message.

The expectations are written down from PROTOCOL.md (§3.1 header parsing, §3.3 credential
validation, §3.4 authorization, §3.5 which mode each route accepts, §6.3 the 2023 statuses) and
from today's server (§11.6, §11.7, §13) — not computed by the code under test. Under ``latest``
API keys and service accounts are retired (§13.1): every cell of theirs is the refusal. An accepted
cell checks the success shape the protocol documents (§5, §11.8, §13.3) and the values the seed
and the request determine.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Optional

import attrs
import pytest

from pytest_infisical import crypto
from pytest_infisical.http import Request, Response

from ..fidelity.conftest import RAW_SECRET_KEYS_LATEST
from ..fidelity.test_latest_shapes import SERVICE_TOKEN_KEYS
from .conftest import URL, World, login, make_world
from .test_secrets import LIST_ITEM_KEYS

AK, ST, SA, MI = "api_key", "service_token", "service_account", "machine_identity"
SECRETS = frozenset({AK, ST, SA, MI})
B64 = base64.b64encode(b"\0" * 16).decode()
CIPHER = {f"secret{p}{k}": B64 for p in ("Key", "Value") for k in ("Ciphertext", "IV", "Tag")}
VALUE_CIPHER = {k: v for k, v in CIPHER.items() if k.startswith("secretValue")}


@attrs.frozen
class Route:
    method: str
    path: str
    modes: frozenset[str] = frozenset()  # which of our credential kinds §3.5 lets in
    jwt: bool = True  # whether the route also takes a user session (§3.5 "jwt" column)
    query: Optional[dict[str, Any]] = None
    body: Optional[dict[str, Any]] = None
    action: Optional[str] = None  # today's name of the secrets operation
    permission: Optional[str] = None  # read / write

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _secret_route(method: str, path: str, action: str, permission: str, **params: Any) -> Route:
    return Route(method, path, SECRETS, action=action, permission=permission, **params)


SCOPE_Q = {"workspaceId": "{project}", "environment": "dev"}
SCOPE_B = {"workspaceId": "{project}", "environment": "dev", "type": "shared"}
ROUTES = [
    Route("GET", "/api/v2/service-token", frozenset({ST}), jwt=False),
    Route(
        "POST",
        "/api/v2/service-token",
        frozenset({SA}),
        body={
            "name": "short-lived",
            "workspaceId": "{project}",
            "scopes": [{"environment": "dev", "secretPath": "/"}],
            "encryptedKey": B64,
            "iv": B64,
            "tag": B64,
            "expiresIn": 600,
            "permissions": ["read"],
        },
    ),
    Route("DELETE", "/api/v2/service-token/{token}"),
    Route("GET", "/api/v2/workspace/{project}/service-token-data"),
    # §13.1: the action of a single GET is describeSecret, of a list readValue
    _secret_route("GET", "/api/v3/secrets", "readValue", "read", query=SCOPE_Q),
    _secret_route("GET", "/api/v3/secrets/EXISTING", "describeSecret", "read", query=SCOPE_Q),
    _secret_route("POST", "/api/v3/secrets/NEW_SECRET", "create", "write", body={**SCOPE_B, **CIPHER}),
    _secret_route("PATCH", "/api/v3/secrets/EXISTING", "edit", "write", body={**SCOPE_B, **VALUE_CIPHER}),
    _secret_route("DELETE", "/api/v3/secrets/EXISTING", "delete", "write", body=SCOPE_B),
    _secret_route("GET", "/api/v3/secrets/raw", "readValue", "read", query=SCOPE_Q),
    _secret_route("GET", "/api/v3/secrets/raw/EXISTING", "describeSecret", "read", query=SCOPE_Q),
    _secret_route("POST", "/api/v3/secrets/raw/NEW_SECRET", "create", "write", body={**SCOPE_B, "secretValue": "v"}),
    _secret_route("PATCH", "/api/v3/secrets/raw/EXISTING", "edit", "write", body={**SCOPE_B, "secretValue": "v2"}),
    _secret_route("DELETE", "/api/v3/secrets/raw/EXISTING", "delete", "write", body=SCOPE_B),
    _secret_route(
        "GET", "/api/v4/secrets", "readValue", "read", query={"projectId": "{project}", "environment": "dev"}
    ),
    _secret_route(
        "GET",
        "/api/v4/secrets/EXISTING",
        "describeSecret",
        "read",
        query={"projectId": "{project}", "environment": "dev"},
    ),
    Route("GET", "/api/v2/users/me", frozenset({AK})),
    Route("GET", "/api/v2/users/me/organizations", frozenset({AK})),
    Route("PATCH", "/api/v2/users/me/name", frozenset({AK}), body={"firstName": "Ada", "lastName": "Lovelace"}),
    Route("PATCH", "/api/v2/users/me/mfa", frozenset({AK}), body={"isMfaEnabled": False}),
    Route("GET", "/api/v2/users/me/api-keys"),
    Route("POST", "/api/v2/users/me/api-keys", body={"name": "k", "expiresIn": 60}),
    Route("DELETE", "/api/v2/users/me/api-keys/{api_key}"),
    Route("GET", "/api/v2/users/me/sessions"),
    Route("DELETE", "/api/v2/users/me/sessions"),
    Route("GET", "/api/v2/organizations/{org}/workspaces", frozenset({AK})),
    Route("GET", "/api/v2/organizations/{org}/memberships", frozenset({AK})),
    Route("PATCH", "/api/v2/organizations/{org}/memberships/{org_membership}", frozenset({AK}), body={"role": "admin"}),
    Route("DELETE", "/api/v2/organizations/{org}/memberships/{org_membership}", frozenset({AK})),
    Route("GET", "/api/v2/organizations/{org}/service-accounts"),
    Route("GET", "/api/v1/workspace", frozenset({AK})),
    Route("GET", "/api/v2/workspace/{project}/encrypted-key", frozenset({AK})),
    Route("GET", "/api/v2/workspace/{project}/memberships", frozenset({AK})),
    Route("PATCH", "/api/v2/workspace/{project}/memberships/{membership}", frozenset({AK}), body={"role": "admin"}),
    Route("DELETE", "/api/v2/workspace/{project}/memberships/{membership}", frozenset({AK})),
    Route("GET", "/api/v2/workspace/{project}/environments"),
    Route("POST", "/api/v2/workspace/{project}/environments", body={"environmentName": "QA", "environmentSlug": "qa"}),
    Route("PUT", "/api/v2/workspace/{project}/environments", body={"environmentName": "QA", "environmentSlug": "qa"}),
    Route("DELETE", "/api/v2/workspace/{project}/environments", body={"environmentSlug": "qa"}),
    Route("GET", "/api/v2/service-accounts/me", frozenset({SA}), jwt=False),
    Route("GET", "/api/v2/service-accounts/{sa}/keys", frozenset({SA})),
    Route("POST", "/api/v2/service-accounts", body={"name": "x"}),
    Route("GET", "/api/v2/service-accounts/{sa}"),
    Route("DELETE", "/api/v2/service-accounts/{sa}"),
    Route("PATCH", "/api/v2/service-accounts/{sa}/name", body={"name": "renamed"}),
    Route("GET", "/api/v2/service-accounts/{sa}/permissions/workspace"),
    Route("POST", "/api/v2/service-accounts/{sa}/permissions/workspace", body={"workspaceId": "{project}"}),
    Route("DELETE", "/api/v2/service-accounts/{sa}/permissions/workspace/{token}"),
]
SECRET_ROUTES = [r for r in ROUTES if r.action is not None]
#: the plaintext lists, which today answer an out-of-scope service token with an empty list
FILTERED_LISTS = frozenset(["GET /api/v3/secrets/raw", "GET /api/v4/secrets"])
WRITE_ROUTES = [r for r in SECRET_ROUTES if r.permission == "write"]


# ---- expectations, from the protocol tables ------------------------------------------------

MODE_2023 = (400, "bad_request", "The provided authentication type is not supported.")

MALFORMED = "The provided access token is malformed. Please use a valid token or generate a new one and try again."
#: §13.1: today's server refuses any X-API-KEY, and an sa. bearer is a malformed JWT — whatever the route
RETIRED = {
    AK: (
        400,
        "BadRequest",
        "API key authentication is not supported anymore. Please switch to identity authentication.",
    ),
    SA: (403, "TokenError", MALFORMED),
}
#: what the journal says about such a call, as the test's author reads it
NOTES = {
    AK: "API keys are retired on today's Infisical (profile 'latest'); "
    'pin @pytest.mark.infisical(profile="2023") or "2024-08" (or serve --profile 2023) to test an API-key integration',
    SA: "Service accounts are retired on today's Infisical (profile 'latest'); "
    'pin @pytest.mark.infisical(profile="2023") (or serve --profile 2023) to test a service-account integration',
}


def retired(profile: str, kind: str) -> bool:
    return profile == "latest" and kind in RETIRED


def check_retired(sent: Sent, kind: str) -> None:
    check(sent, RETIRED[kind], "latest")
    assert sent.response.served.note == NOTES[kind]


#: (kind, situation) → {profile: (status, error, message)}; {id} is the credential's id (under
#: ``latest`` an API key or a service account is refused whatever its situation: RETIRED)
FAILURES: dict[tuple[str, str], dict[str, tuple[int, str, str]]] = {
    (ST, "unknown"): {
        "2023": (404, "service_token_data_not_found_error", "Failed to find service token data"),
        "latest": (404, "NotFound", "Service token with ID '{id}' not found"),
    },
    (ST, "wrong secret"): {
        "2023": (401, "unauthorized", "Failed to authenticate service token"),
        "latest": (401, "UnauthorizedError", "Invalid service token"),
    },
    (ST, "expired"): {
        "2023": (401, "unauthorized", "Failed to authenticate expired service token"),
        "latest": (403, "ForbiddenError", "Service token has expired"),
    },
    (AK, "unknown"): {
        "2023": (404, "api_key_data_not_found_error", "Failed to find API key data"),
    },
    (AK, "wrong secret"): {
        "2023": (401, "unauthorized", "Failed to authenticate API key"),
    },
    (AK, "expired"): {
        "2023": (401, "unauthorized", "Failed to authenticate expired API key"),
    },
    (SA, "unknown"): {
        "2023": (404, "service_account_not_found_error", "Failed to find service account"),
    },
    (SA, "wrong secret"): {
        "2023": (401, "unauthorized", "Failed to authenticate service account access key"),
    },
    # a JWT signed by someone else, or tampered with: 2023 let jsonwebtoken's error become a 500
    (MI, "unknown"): {
        "2023": (500, "internal_server_error", "The server encountered an error while processing the request"),
        "latest": (
            403,
            "TokenError",
            "The provided access token is malformed. Please use a valid token or generate a new one and try again.",
        ),
    },
    (MI, "expired"): {
        "2023": (401, "unauthorized", "Token expired"),
        "latest": (403, "TokenError", "Your token has expired. Please re-authenticate."),
    },
    (MI, "revoked"): {
        "2023": (401, "unauthorized", "Failed to authorize revoked access token"),
        "latest": (401, "UnauthorizedError", "Failed to authorize: token has been revoked"),  # §13.1
    },
}
for _kind in (AK, ST, SA):  # a revoked credential is gone: the same as an unknown id
    FAILURES[(_kind, "revoked")] = FAILURES[(_kind, "unknown")]
FAILURES[(MI, "wrong secret")] = FAILURES[(MI, "unknown")]

HEADER_PROBLEMS: dict[str, tuple[dict[str, str], dict[str, tuple[int, str, str]]]] = {
    "no header": (
        {},
        {
            "2023": (400, "bad_request", "Missing Authorization or X-API-KEY in request header."),
            "latest": (401, "UnauthorizedError", "Token missing"),
        },
    ),
    "not bearer": (
        {"Authorization": "Token abc"},
        {
            "2023": (400, "bad_request", "The provided authentication type 'Token' is not supported."),
            "latest": (
                403,
                "TokenError",
                "The provided access token is malformed. Please use a valid token or generate a new one and try again.",
            ),
        },
    ),
    "empty bearer": (
        {"Authorization": "Bearer "},
        {
            "2023": (400, "bad_request", "Missing valid Authorization or X-API-KEY in request header."),
            "latest": (403, "TokenError", "jwt must be provided"),
        },
    ),
}

#: scope situations on the secrets routes: (kind, situation) → 2023 (status, message); today: 403 PermissionDenied
SCOPES_2023 = {
    (ST, "environment out of scope"): "Failed service token authorization for the given workspace environment",
    (ST, "path out of scope"): "Folder Permission Denied",
    (ST, "read-only writing"): "Failed service token authorization for the given workspace environment action: write",
    (SA, "environment out of scope"): "Failed service account authorization for the given workspace environment",
    (SA, "read-only writing"): "Failed permissions authorization for workspace environment action : write",
    (AK, "environment denied"): "Failed permissions authorization for workspace environment action : {permission}",
}


# ---- building the requests ----------------------------------------------------------------


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@attrs.frozen
class Sent:
    response: Response
    target: str  # the path and query as sent: today's "Forbidden access to <url>" names it
    names: dict[str, str]  # the ids it named, taken before it was sent (a DELETE removes one)


def names_of(world: World) -> dict[str, str]:
    """The ids the routes' paths and the expected documents name (a second user, a member, is made once)."""
    fake = world.fake
    other = fake.state.users_by_email.get("member@example.com") or fake.create_user("member@example.com")
    return {
        "project": fake.project.id,
        "org": fake.organization.id,
        "user": fake.user.id,
        "member": other.id,
        "sa": world.service_account.id,
        "sa_public_key": world.service_account.public_key,
        "token": world.service_token.id,
        "api_key": world.api_key.id,
        "membership": fake.project.members[other.id].id,
        "org_membership": fake.organization.members[other.id].id,
    }


def send(world: World, route: Route, headers: dict[str, str], *, environment: str = "dev", path: str = "/") -> Sent:
    fake = world.fake
    names = names_of(world)
    query = _fill(route.query, names)
    body = _fill(route.body, names)
    for params in (query, body):
        if params is not None and "environment" in params:
            params["environment"] = environment
            if path != "/":
                params["secretPath"] = path
    target = _fill(route.path, names)
    if query:
        target += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    all_headers = dict(headers)
    raw = b""
    if body is not None:
        all_headers["Content-Type"] = "application/json"
        raw = json.dumps(body).encode()
    return Sent(fake.handle(Request(route.method, URL + target, all_headers, raw)), target, names)


def check(sent: Sent, expected: tuple[int, str, str], profile: str) -> None:
    status, error, message = expected
    response = sent.response
    body = response.json()
    assert (response.status, body["error"], body["message"]) == (status, error, message), body
    assert body["statusCode"] == status
    if profile == "latest":
        assert body["reqId"].startswith("req-")
    else:
        assert "reqId" not in body


def mode_not_accepted(profile: str, sent: Sent) -> tuple[int, str, str]:
    if profile == "2023":
        return MODE_2023
    return (403, f"Forbidden access to {sent.target}", "You are not allowed to access this resource")


def accepted(route: Route, kind: str) -> bool:
    return kind in route.modes


def detected_accepted(route: Route, kind: str) -> bool:
    """2023 checks the mode from the header alone: a machine identity's JWT looks like a session."""
    return route.jwt if kind == MI else kind in route.modes


# ---- success shapes, from the protocol ----------------------------------------------------

#: §11.8 (and §5.2.0): an encrypted secret as listed; written back (create, update, delete) without
#: secretPath and tags. Today's raw secret object, exactly (§13.3). Transcribed once, beside their tests.
ENCRYPTED_ITEM_KEYS = frozenset(LIST_ITEM_KEYS)
ENCRYPTED_KEYS = ENCRYPTED_ITEM_KEYS - {"secretPath", "tags"}
RAW_KEYS_LATEST = RAW_SECRET_KEYS_LATEST
#: §5.3: the 2023 raw object (at least)
RAW_KEYS_2023 = frozenset(
    ["_id", "version", "workspace", "type", "environment", "secretKey", "secretValue", "secretComment"]
)
#: §5.4, §5.5, §5.6, §5.7 and §4 (the service-token document): at least these keys
USER_KEYS = frozenset(
    [
        "_id",
        "email",
        "firstName",
        "lastName",
        "isMfaEnabled",
        "mfaMethods",
        "salt",
        "publicKey",
        "encryptedPrivateKey",
        "iv",
        "tag",
        "encryptionVersion",
        "protectedKey",
        "protectedKeyIV",
        "protectedKeyTag",
        "createdAt",
        "updatedAt",
        "__v",
    ]
)
ORGANIZATION_KEYS = frozenset(["_id", "name", "createdAt", "updatedAt", "__v"])
WORKSPACE_KEYS = frozenset(["_id", "name", "autoCapitalization", "organization", "environments", "__v"])
ORG_MEMBERSHIP_KEYS = frozenset(["_id", "user", "organization", "role", "status", "createdAt", "updatedAt", "__v"])
PROJECT_MEMBERSHIP_KEYS = frozenset(
    ["_id", "user", "workspace", "role", "deniedPermissions", "createdAt", "updatedAt", "__v"]
)
KEY_COPY_KEYS = frozenset(
    ["_id", "encryptedKey", "nonce", "sender", "receiver", "workspace", "createdAt", "updatedAt", "__v"]
)
SERVICE_ACCOUNT_KEYS = frozenset(
    ["_id", "name", "organization", "user", "publicKey", "lastUsed", "createdAt", "updatedAt", "__v"]
)
SERVICE_ACCOUNT_KEY_KEYS = frozenset(
    ["_id", "encryptedKey", "nonce", "sender", "serviceAccount", "workspace", "createdAt", "updatedAt", "__v"]
)
#: what the legacy Python SDK requires of the token document (§4), and today's exact keys (§11.8 + §13.3)
TOKEN_DOC_KEYS = frozenset(
    [
        "_id",
        "name",
        "workspace",
        "user",
        "encryptedKey",
        "iv",
        "tag",
        "scopes",
        "permissions",
        "createdAt",
        "updatedAt",
        "__v",
    ]
)
TOKEN_DOC_KEYS_LATEST = SERVICE_TOKEN_KEYS

#: the seeded project's environments (the fake's documented default)
ENVIRONMENTS = [
    {"name": "Development", "slug": "dev"},
    {"name": "Staging", "slug": "staging"},
    {"name": "Production", "slug": "prod"},
]
OWNER = {"_id": "{user}", "email": "tester@example.com"}
MEMBER = {"_id": "{member}", "email": "member@example.com"}
PROJECT = {"_id": "{project}", "name": "Example Project", "organization": "{org}", "environments": ENVIRONMENTS}
#: the seeded secret: EXISTING = "old-value" in dev, /
IN_DEV = {"workspace": "{project}", "environment": "dev", "type": "shared"}
B64_CIPHER = {k: B64 for k in CIPHER}


@attrs.frozen
class Shape:
    """A successful answer: the top-level ``wrapper`` key (None: the body is the document), the
    document's keys (at least ``keys``; exactly ``latest_keys`` under ``latest``), and what the seed and
    the request determine: ``values`` held by the document (for a list, one expectation per item, in
    order), and ``plain`` — the (name, value) the encrypted document decrypts to with the project key
    (a None value: only the name)."""

    wrapper: Optional[str]
    keys: frozenset[str]
    values: Any
    latest_keys: Optional[frozenset[str]] = None
    plain: Optional[tuple[str, Optional[str]]] = None
    extra: Optional[dict[str, Any]] = None  # other top-level keys and their values


def _encrypted(values: dict[str, Any], plain: Optional[tuple[str, Optional[str]]], listed: bool = False) -> Shape:
    keys = ENCRYPTED_ITEM_KEYS if listed else ENCRYPTED_KEYS
    if listed:
        return Shape("secrets", keys, [values], plain=plain, extra={"imports": []})
    return Shape("secret", keys, values, plain=plain)


def _raw(values: dict[str, Any], listed: bool = False) -> Shape:
    if listed:
        return Shape("secrets", RAW_KEYS_2023, [values], RAW_KEYS_LATEST, extra={"imports": []})
    return Shape("secret", RAW_KEYS_2023, values, RAW_KEYS_LATEST)


EXISTING = {**IN_DEV, "secretPath": "/", "version": 1}
RAW_EXISTING = {**EXISTING, "secretKey": "EXISTING", "secretValue": "old-value"}
SUCCESS: dict[str, Shape] = {
    "GET /api/v2/service-token": Shape(
        None,
        TOKEN_DOC_KEYS,
        {
            "_id": "{token}",
            "name": "service-token",
            "workspace": "{project}",
            "scopes": [{"environment": "dev", "secretPath": "/"}],
            "permissions": ["read", "write"],
            "user": OWNER,
        },
        TOKEN_DOC_KEYS_LATEST,
    ),
    "POST /api/v2/service-token": Shape(
        "serviceTokenData",
        TOKEN_DOC_KEYS - {"encryptedKey", "iv", "tag"},  # §4: the same document without them, user as an id
        {
            "name": "short-lived",
            "workspace": "{project}",
            "scopes": [{"environment": "dev", "secretPath": "/"}],
            "permissions": ["read"],
            "user": "{user}",
            "serviceAccount": "{sa}",
        },
    ),
    "GET /api/v3/secrets": _encrypted(EXISTING, ("EXISTING", "old-value"), listed=True),
    "GET /api/v3/secrets/EXISTING": _encrypted(EXISTING, ("EXISTING", "old-value")),
    "POST /api/v3/secrets/NEW_SECRET": _encrypted({**IN_DEV, "version": 1, **B64_CIPHER}, None),
    "PATCH /api/v3/secrets/EXISTING": _encrypted({**IN_DEV, "version": 2, **VALUE_CIPHER}, ("EXISTING", None)),
    "DELETE /api/v3/secrets/EXISTING": _encrypted({**IN_DEV, "version": 1}, ("EXISTING", "old-value")),
    "GET /api/v3/secrets/raw": _raw(RAW_EXISTING, listed=True),
    "GET /api/v3/secrets/raw/EXISTING": _raw(RAW_EXISTING),
    "POST /api/v3/secrets/raw/NEW_SECRET": _raw(
        {**IN_DEV, "version": 1, "secretKey": "NEW_SECRET", "secretValue": "v"}
    ),
    "PATCH /api/v3/secrets/raw/EXISTING": _raw({**IN_DEV, "version": 2, "secretKey": "EXISTING", "secretValue": "v2"}),
    "DELETE /api/v3/secrets/raw/EXISTING": _raw(
        {**IN_DEV, "version": 1, "secretKey": "EXISTING", "secretValue": "old-value"}
    ),
    "GET /api/v4/secrets": _raw(RAW_EXISTING, listed=True),
    "GET /api/v4/secrets/EXISTING": _raw(RAW_EXISTING),
    "GET /api/v2/users/me": Shape("user", USER_KEYS, {**OWNER, "firstName": "Test", "lastName": "User"}),
    "GET /api/v2/users/me/organizations": Shape(
        "organizations", ORGANIZATION_KEYS, [{"_id": "{org}", "name": "Example Organization"}]
    ),
    "PATCH /api/v2/users/me/name": Shape("user", USER_KEYS, {**OWNER, "firstName": "Ada", "lastName": "Lovelace"}),
    "PATCH /api/v2/users/me/mfa": Shape("user", USER_KEYS, {**OWNER, "isMfaEnabled": False}),
    "GET /api/v2/organizations/{org}/workspaces": Shape("workspaces", WORKSPACE_KEYS, [PROJECT]),
    "GET /api/v2/organizations/{org}/memberships": Shape(
        "memberships",
        ORG_MEMBERSHIP_KEYS,
        [
            {"user": OWNER, "organization": "{org}", "role": "owner", "status": "accepted"},
            {
                "_id": "{org_membership}",
                "user": MEMBER,
                "organization": "{org}",
                "role": "member",
                "status": "accepted",
            },
        ],
    ),
    "PATCH /api/v2/organizations/{org}/memberships/{org_membership}": Shape(
        "membership", ORG_MEMBERSHIP_KEYS, {"_id": "{org_membership}", "user": MEMBER, "role": "admin"}
    ),
    "DELETE /api/v2/organizations/{org}/memberships/{org_membership}": Shape(
        "membership", ORG_MEMBERSHIP_KEYS, {"_id": "{org_membership}", "user": MEMBER, "role": "member"}
    ),
    "GET /api/v1/workspace": Shape("workspaces", WORKSPACE_KEYS, [PROJECT]),
    "GET /api/v2/workspace/{project}/encrypted-key": Shape(
        None, KEY_COPY_KEYS, {"receiver": "{user}", "workspace": "{project}", "sender": OWNER}
    ),
    "GET /api/v2/workspace/{project}/memberships": Shape(
        "memberships",
        PROJECT_MEMBERSHIP_KEYS,
        [
            {"user": OWNER, "workspace": "{project}", "role": "admin", "deniedPermissions": []},
            {
                "_id": "{membership}",
                "user": MEMBER,
                "workspace": "{project}",
                "role": "member",
                "deniedPermissions": [],
            },
        ],
    ),
    "PATCH /api/v2/workspace/{project}/memberships/{membership}": Shape(
        "membership", PROJECT_MEMBERSHIP_KEYS, {"_id": "{membership}", "user": MEMBER, "role": "admin"}
    ),
    "DELETE /api/v2/workspace/{project}/memberships/{membership}": Shape(
        "membership", PROJECT_MEMBERSHIP_KEYS, {"_id": "{membership}", "user": MEMBER, "role": "member"}
    ),
    "GET /api/v2/service-accounts/me": Shape(
        "serviceAccount",
        SERVICE_ACCOUNT_KEYS,
        {"_id": "{sa}", "organization": "{org}", "user": "{user}", "publicKey": "{sa_public_key}"},
    ),
    "GET /api/v2/service-accounts/{sa}/keys": Shape(
        "serviceAccountKeys", SERVICE_ACCOUNT_KEY_KEYS, [{"serviceAccount": "{sa}", "workspace": "{project}"}]
    ),
}


def _holds(expected: Any, actual: Any, where: str) -> None:
    """``actual`` holds ``expected``: a dict's keys (recursively; others may be present), a list item
    by item (same length), anything else equal."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        for key, value in expected.items():
            assert key in actual, f"{where}: no {key!r} in {sorted(actual)}"
            _holds(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r}"
        for index, (want, got) in enumerate(zip(expected, actual)):
            _holds(want, got, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def check_success(world: World, route: Route, sent: Sent, profile: str) -> None:
    shape = SUCCESS[route.id]
    body = sent.response.json()
    values = _fill(shape.values, sent.names)
    document = body if shape.wrapper is None else body[shape.wrapper]
    if shape.wrapper is not None:
        top = {shape.wrapper, *(shape.extra or {})}
        assert set(body) >= top, sorted(body)
        if profile == "latest":
            assert set(body) == top, sorted(body)
        _holds(shape.extra or {}, body, "body")
    documents = document if isinstance(values, list) else [document]
    for item in documents:
        if profile == "latest" and shape.latest_keys is not None:
            assert set(item) == shape.latest_keys, sorted(set(item) ^ shape.latest_keys)
        assert set(item) >= shape.keys, sorted(shape.keys - set(item))
    _holds(values, document, route.id)
    if shape.plain is not None:  # the encrypted document opens with the project key to the seeded secret
        name, value = shape.plain
        key = world.fake.project.key
        for item in documents:
            assert (
                crypto.decrypt_symmetric(item["secretKeyCiphertext"], item["secretKeyIV"], item["secretKeyTag"], key)
                == name
            )
            if value is not None:
                opened = crypto.decrypt_symmetric(
                    item["secretValueCiphertext"], item["secretValueIV"], item["secretValueTag"], key
                )
                assert opened == value
    if route.id == "POST /api/v2/service-token":  # §4: st.<id>.<32 hex>, the key part stays with the client
        token = body["serviceToken"]
        assert token.startswith(f"st.{document['_id']}.") and len(token.split(".")[2]) == 32
        assert not {"encryptedKey", "iv", "tag"} & set(document)


# ---- the matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [AK, ST, SA, MI])
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_valid_credential(world: World, profile: str, route: Route, kind: str) -> None:
    sent = send(world, route, world.headers(kind))
    if retired(profile, kind):
        check_retired(sent, kind)
    elif accepted(route, kind):
        assert sent.response.status == 200, sent.response.body
        check_success(world, route, sent, profile)
        assert sent.response.served.note is None
    else:
        check(sent, mode_not_accepted(profile, sent), profile)


@pytest.mark.parametrize("problem", list(HEADER_PROBLEMS))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_header_problems(world: World, profile: str, route: Route, problem: str) -> None:
    headers, expected = HEADER_PROBLEMS[problem]
    check(send(world, route, headers), expected[profile], profile)


def _broken(world: World, kind: str, situation: str) -> tuple[dict[str, str], str]:
    """Headers for a credential in ``situation``, and the credential's id."""
    fake = world.fake
    if kind == ST:
        token = fake.create_service_token(expires_in=60)
        if situation == "unknown":
            return {"Authorization": f"Bearer st.{'0' * 24}.{token.secret}"}, "0" * 24
        if situation == "wrong secret":
            return {"Authorization": f"Bearer st.{token.id}.{'f' * 32}"}, token.id
        if situation == "expired":
            fake.clock.advance(61)
        if situation == "revoked":
            fake.revoke(token)
        return token.headers, token.id
    if kind == AK:
        key = fake.create_api_key(expires_in=60)
        if situation == "unknown":
            return {"X-API-KEY": f"ak.{'0' * 24}.{key.secret}"}, "0" * 24
        if situation == "wrong secret":
            return {"X-API-KEY": f"ak.{key.id}.{'f' * 32}"}, key.id
        if situation == "expired":
            fake.clock.advance(61)
        if situation == "revoked":
            fake.revoke(key)
        return key.headers, key.id
    if kind == SA:
        account = fake.create_service_account(expires_in=60)
        world.service_account = account  # the account the routes and the expected documents name
        _, id_part, secret = account.access_key.split(".")
        if situation == "unknown":
            return {"Authorization": f"Bearer sa.{base64.b64encode(bytes(12)).decode()}.{secret}"}, "0" * 24
        if situation == "wrong secret":
            return {"Authorization": f"Bearer sa.{id_part}.{base64.b64encode(bytes(16)).decode()}"}, account.id
        if situation == "expired":
            fake.clock.advance(61)
        if situation == "revoked":
            fake.revoke(account)
        return account.headers, account.id
    identity = fake.create_machine_identity(access_token_ttl=60)
    access_token = login(fake, identity)
    if situation in ("unknown", "wrong secret"):
        header, payload, _ = access_token.split(".")
        return {"Authorization": f"Bearer {header}.{payload}.{'A' * 43}"}, identity.client_id
    if situation == "expired":
        fake.clock.advance(61)
    if situation == "revoked":
        fake.revoke(identity)
    return {"Authorization": f"Bearer {access_token}"}, identity.client_id


@pytest.mark.parametrize("situation", ["unknown", "wrong secret", "expired", "revoked"])
@pytest.mark.parametrize("kind", [AK, ST, SA, MI])
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_broken_credential(profile: str, route: Route, kind: str, situation: str) -> None:
    world = make_world(profile)
    headers, credential_id = _broken(world, kind, situation)
    sent = send(world, route, headers)
    if retired(profile, kind):  # refused before anyone looks at the key or the account
        check_retired(sent, kind)
        return
    if kind == SA and situation == "expired":  # the server never checks a service account's expiry (§3.3)
        if accepted(route, kind):
            assert sent.response.status == 200, sent.response.body
            check_success(world, route, sent, profile)
        else:
            check(sent, mode_not_accepted(profile, sent), profile)
        return
    status, error, message = FAILURES[(kind, situation)][profile]
    if profile == "2023" and not detected_accepted(route, kind):  # 2023 checks the mode first
        check(sent, MODE_2023, profile)
    else:  # today's server verifies the credential first
        check(sent, (status, error, message.format(id=credential_id)), profile)


def _scoped(world: World, kind: str, situation: str) -> tuple[dict[str, str], str, str]:
    """Headers, environment and path for a scope situation."""
    fake = world.fake
    fake.create_folder("/other", "dev")
    if kind == ST:
        permissions = ("read",) if situation == "read-only writing" else ("read", "write")
        token = fake.create_service_token(scopes=[("dev", "/"), ("staging", "/")], permissions=permissions)
        environment = "prod" if situation == "environment out of scope" else "dev"
        return token.headers, environment, "/other" if situation == "path out of scope" else "/"
    if kind == SA:
        write = situation != "read-only writing"
        account = fake.create_service_account(permissions=[("dev", True, write)])
        return account.headers, "prod" if situation == "environment out of scope" else "dev", "/"
    user = fake.user
    key = fake.create_api_key()
    fake.deny(user, "dev", "read")
    fake.deny(user, "dev", "write")
    return key.headers, "dev", "/"


@pytest.mark.parametrize(("kind", "situation"), list(SCOPES_2023), ids=lambda v: str(v))
@pytest.mark.parametrize("route", SECRET_ROUTES, ids=lambda r: r.id)
def test_scope_denials(profile: str, route: Route, kind: str, situation: str) -> None:
    world = make_world(profile)
    headers, environment, path = _scoped(world, kind, situation)
    sent = send(world, route, headers, environment=environment, path=path)
    if retired(profile, kind):
        check_retired(sent, kind)
        return
    if situation == "read-only writing" and route.permission == "read":
        assert sent.response.status == 200, sent.response.body  # reading is what a read-only credential is for
        check_success(world, route, sent, profile)
        return
    if profile == "latest" and kind == ST and route.id in FILTERED_LISTS and situation != "read-only writing":
        # §13.2: a plaintext list outside a token's scope is filtered to nothing, not refused
        assert sent.response.status == 200, sent.response.body
        assert sent.response.json() == {"secrets": [], "imports": []}
        return
    if profile == "2023":
        expected = (401, "unauthorized", SCOPES_2023[(kind, situation)].format(permission=route.permission))
    else:
        expected = (403, "PermissionDenied", f"You are not allowed to {route.action} on secrets")
    check(sent, expected, profile)
    if profile == "latest":  # §13.1: the actor's rules for the action (a token's scopes), none for the others
        has_permission = kind == ST and (route.permission == "read" or situation != "read-only writing")
        scopes = [("dev", "/"), ("staging", "/")] if has_permission else []
        assert sent.response.json()["details"] == [
            {
                "action": route.action,
                "inverted": False,
                "subject": "secrets",
                "conditions": {"secretPath": {"$glob": path}, "environment": environment},
            }
            for environment, path in scopes
        ]


def test_every_route_of_the_fake_is_in_the_matrix() -> None:
    """A route added to the fake without a row here would escape the matrix."""
    from pytest_infisical.fake.api import router

    served = {(r.method, r.pattern) for r in router().routes}
    tested = {(r.method, r.path.replace("{", ":").replace("}", "")) for r in ROUTES}
    untested = {
        (method, path) for method, path in served if not any(method == m and _same_shape(path, p) for m, p in tested)
    }
    # the routes that take no credentials at all are tested in test_identities.py and test_status.py;
    # the dashboard's select-organization step (today's and 2024's servers only, where an API key is
    # ignored) in tests/fidelity (test_latest_statuses.py, test_retired_credentials.py, test_2024_08.py)
    assert untested == {
        ("GET", "/api/status"),
        ("POST", "/api/v1/auth/universal-auth/login"),
        ("POST", "/api/v1/auth/token/renew"),
        ("POST", "/api/v1/auth/token/revoke"),
        ("POST", "/api/v3/auth/select-organization"),
    }, sorted(untested)


def _same_shape(pattern: str, path: str) -> bool:
    a, b = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(a) == len(b) and all(x == y or x.startswith(":") for x, y in zip(a, b))
