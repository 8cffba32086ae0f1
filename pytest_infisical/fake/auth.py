"""Request headers → an authenticated principal; and the permission checks on secrets.

Which credential a request presents is read by :mod:`pytest_infisical.credential_headers` (the
same reading the journal and the header assertions use), with the profile's header precedence;
this module verifies it against the fake's state and checks that the route accepts its mode. The
order of the steps that differs between server eras (which header wins, whether the credential is
verified before the route checks its mode) is declared by the profile. What it read is kept on the
call (``presented``, ``principal``) so the handler can report it to the journal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Callable, Optional

import attrs

from ..credential_headers import read_credentials, service_account_id
from ..http import api_path
from ..redact import redact
from . import apierror as E
from .apierror import ApiError
from .profiles import PROFILES, Profile
from .routing import API_KEY, JWT, MACHINE_IDENTITY, SERVICE_ACCOUNT, SERVICE_TOKEN, Call, RouteSpec
from .state import (
    AccessToken,
    IdentityRecord,
    Project,
    ServiceAccountRecord,
    ServiceTokenRecord,
    State,
    User,
    matches,
    path_in_scope,
)

__all__ = ["Principal", "authenticate", "authorize_secrets", "decode_jwt", "encode_jwt", "retired_note"]

_HEX24 = frozenset("0123456789abcdef")


@attrs.frozen
class Principal:
    """Who made the request: the auth mode, the credential's id, and the records behind it."""

    mode: str
    credential_id: str
    user: Optional[User] = None  # the acting user (API key) or the creator (service token/account)
    service_token: Optional[ServiceTokenRecord] = None
    service_account: Optional[ServiceAccountRecord] = None
    identity: Optional[IdentityRecord] = None


_PROBLEMS = {"missing": E.MISSING_CREDENTIALS, "empty": E.EMPTY_CREDENTIALS}


def _detect(call: Call, api_key_wins: bool) -> tuple[str, str]:
    """(mode, credential) from the headers, per the profile's header precedence; raises for header problems."""
    presented = read_credentials(call.request.headers, api_key_wins=api_key_wins)
    call.presented = presented
    if call.profile.bearer_sliced:
        return _detect_sliced(call)
    if presented.kind is None:
        if presented.problem == "scheme":
            scheme = str(presented.scheme)
            raise ApiError(
                E.UNSUPPORTED_SCHEME, scheme=scheme if scheme.isalpha() and len(scheme) <= 16 else redact(scheme)
            )
        raise ApiError(_PROBLEMS[str(presented.problem)])
    return presented.kind, presented.value


def _detect_sliced(call: Call) -> tuple[str, str]:
    """Today's reading: ``Authorization`` minus its first 7 characters, whatever the scheme; ``st.…``
    is a service token and anything else goes to the JWT verifier (an ``X-API-KEY`` was refused
    before, see :func:`refuse_retired_api_key`, or is ignored under ``/api/v3/auth/``)."""
    headers, retired = call.request.headers, call.profile.retired_modes
    api_key = headers.get("x-api-key")
    if api_key and API_KEY not in retired:
        return API_KEY, api_key
    authorization = headers.get("authorization")
    if not authorization:
        raise ApiError(E.MISSING_CREDENTIALS)
    value = authorization[7:]
    if value.startswith("st."):
        return SERVICE_TOKEN, value
    if value.startswith("sa."):
        if SERVICE_ACCOUNT not in retired:
            return SERVICE_ACCOUNT, value
        call.retired = SERVICE_ACCOUNT
        raise ApiError(E.INVALID_JWT)  # measured: the "malformed" sentence, not jsonwebtoken's "invalid token"
    if not value:
        raise ApiError(E.EMPTY_CREDENTIALS)
    return JWT, value


def refuse_retired_api_key(call: Call) -> None:
    """Today's server refuses any non-empty ``X-API-KEY`` on every route outside ``/api/v3/auth/``,
    before the route looks at the request (API keys are retired)."""
    if (
        API_KEY in call.profile.retired_modes
        and call.request.headers.get("x-api-key")
        and not api_path(call.request.path).startswith("/api/v3/auth/")
    ):
        call.retired = API_KEY
        raise ApiError(E.API_KEY_RETIRED)


_RETIRED_NAMES = {API_KEY: ("API keys", "an API-key"), SERVICE_ACCOUNT: ("Service accounts", "a service-account")}


def retired_note(mode: str, profile: Profile) -> str:
    """Why a request in ``mode`` was refused, for the test's author: the mode is retired on
    ``profile``'s server, and the profiles whose servers still serve it."""
    plural, integration = _RETIRED_NAMES[mode]
    serving = [name for name in sorted(PROFILES) if mode not in PROFILES[name].retired_modes]
    first, *others = [f'"{name}"' for name in serving]
    return (
        f"{plural} are retired on {profile.server} (profile '{profile.name}'); "
        f"pin @pytest.mark.infisical(profile={' or '.join([first + ')', *others])} "
        f"(or serve --profile {serving[0]}) to test {integration} integration"
    )


def _check_mode(mode: str, spec: RouteSpec, call: Call) -> None:
    accepted = spec.modes
    if mode == JWT:  # a bearer JWT is a user session or a machine identity token
        ok = JWT in accepted or MACHINE_IDENTITY in accepted
    else:
        ok = mode in accepted
    if not ok:
        raise ApiError(E.MODE_NOT_ACCEPTED, mode=mode, url=call.raw_path)


def authenticate(call: Call, spec: RouteSpec) -> Principal:
    """The principal behind the request's credentials, or an ``ApiError``."""
    profile = call.profile
    try:
        mode, value = _detect(call, api_key_wins=profile.api_key_wins)
    except ApiError as error:
        if error.reason is E.MISSING_CREDENTIALS and spec.template in profile.unguarded_routes:
            # the era's handler ran first and crashed reading the caller it was not given
            raise ApiError(E.UNHANDLED, message="Cannot read properties of undefined (reading 'id')") from None
        raise
    if not profile.authenticate_before_mode_check:
        _check_mode(mode, spec, call)
    principal = _VALIDATORS[mode](call.state, value)
    if principal.mode != mode or profile.authenticate_before_mode_check:
        _check_mode(principal.mode, spec, call)
    return principal


def _split3(value: str) -> list[str]:
    """JavaScript's ``value.split(".", 3)``: at most 3 parts, the rest dropped (a 4th token part is ignored)."""
    return value.split(".")[:3]


def _hex_id_credential(
    store: Mapping[str, Any],
    delete: Callable[[str], None],
    value: str,
    reasons: tuple[E.Reason, E.Reason, E.Reason, E.Reason, E.Reason],
    state: State,
) -> Any:
    """``<prefix>.<24 hex id>.<secret>`` credentials (service tokens, API keys): malformed → unknown
    → expired (the record is deleted on that use, as the server does) → no secret part → wrong secret."""
    malformed, unknown, expired, missing, wrong = reasons
    parts = _split3(value)
    record_id = parts[1] if len(parts) > 1 else ""
    secret = parts[2] if len(parts) > 2 else ""
    if len(record_id) != 24 or not _HEX24.issuperset(record_id):
        raise ApiError(malformed, id=record_id)
    record = store.get(record_id)
    if record is None:
        raise ApiError(unknown, id=record_id)
    now = state.clock.now()
    if record.expires_at is not None and record.expires_at < now:
        delete(record_id)
        raise ApiError(expired, id=record_id)
    if len(parts) < 3:
        raise ApiError(missing, id=record_id)
    if not matches(secret, record.secret_hash):
        raise ApiError(wrong, id=record_id)
    state.mark_used(record)
    return record


_TOKEN_REASONS = (
    E.SERVICE_TOKEN_MALFORMED,
    E.SERVICE_TOKEN_UNKNOWN,
    E.SERVICE_TOKEN_EXPIRED,
    E.SERVICE_TOKEN_SECRET_MISSING,
    E.SERVICE_TOKEN_WRONG_SECRET,
)
_KEY_REASONS = (
    E.API_KEY_MALFORMED,
    E.API_KEY_UNKNOWN,
    E.API_KEY_EXPIRED,
    E.API_KEY_SECRET_MISSING,
    E.API_KEY_WRONG_SECRET,
)


def _service_token(state: State, value: str) -> Principal:
    record: ServiceTokenRecord = _hex_id_credential(
        state.service_tokens, state.delete_service_token, value, _TOKEN_REASONS, state
    )
    return Principal(mode=SERVICE_TOKEN, credential_id=record.id, user=record.user, service_token=record)


def _api_key(state: State, value: str) -> Principal:
    record = _hex_id_credential(state.api_keys, state.delete_api_key, value, _KEY_REASONS, state)
    return Principal(mode=API_KEY, credential_id=record.id, user=record.user)


def _service_account(state: State, value: str) -> Principal:
    parts = _split3(value)
    secret = parts[2] if len(parts) > 2 else ""
    account_id = service_account_id(value)
    if account_id is None:
        raise ApiError(E.SERVICE_ACCOUNT_MALFORMED)
    record = state.service_accounts.get(account_id)
    if record is None:
        raise ApiError(E.SERVICE_ACCOUNT_UNKNOWN, id=account_id)
    if not matches(secret, record.secret_hash):  # note: no expiry check, as on the real server
        raise ApiError(E.SERVICE_ACCOUNT_WRONG_SECRET, id=account_id)
    state.mark_used(record)
    return Principal(mode=SERVICE_ACCOUNT, credential_id=account_id, user=record.user, service_account=record)


def _jwt(state: State, value: str) -> Principal:
    claims = decode_jwt(value, state.jwt_secret, now=state.clock.timestamp())
    if claims.get("authTokenType") != "identityAccessToken":
        raise ApiError(E.INVALID_JWT)
    token = state.access_tokens.get(str(claims.get("identityAccessTokenId")))
    if token is None or token.revoked:
        raise ApiError(E.IDENTITY_TOKEN_REVOKED)
    if _access_token_expired(state, token):
        raise ApiError(E.IDENTITY_TOKEN_EXPIRED)
    return Principal(mode=MACHINE_IDENTITY, credential_id=token.identity.id, identity=token.identity)


def _access_token_expired(state: State, token: AccessToken) -> bool:
    now = state.clock.now()
    if token.max_ttl and (now - token.issued_at).total_seconds() > token.max_ttl:
        return True
    return bool(token.ttl) and (now - token.renewed_at).total_seconds() > token.ttl


_VALIDATORS = {SERVICE_TOKEN: _service_token, API_KEY: _api_key, SERVICE_ACCOUNT: _service_account, JWT: _jwt}


# --------------------------------------------------------------------------------------------
# JWT (HS256), just enough for machine-identity access tokens


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_jwt(claims: dict[str, Any], secret: bytes) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def decode_jwt(token: str, secret: bytes, now: float) -> dict[str, Any]:
    """Verify an HS256 JWT and return its claims; ``INVALID_JWT`` or ``EXPIRED_JWT`` otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ApiError(E.INVALID_JWT)
    try:
        header = json.loads(_b64url_decode(parts[0]))
    except (ValueError, binascii.Error):
        header = None
    if not isinstance(header, dict):
        raise ApiError(E.JWT_INVALID_TOKEN)
    try:
        expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64url_decode(parts[2])):
            raise ApiError(E.INVALID_JWT)
        claims = json.loads(_b64url_decode(parts[1]))
    except (ValueError, binascii.Error):
        raise ApiError(E.INVALID_JWT) from None
    if not isinstance(claims, dict):
        raise ApiError(E.INVALID_JWT)
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and now >= exp:
        raise ApiError(E.EXPIRED_JWT)
    return claims


# --------------------------------------------------------------------------------------------
# authorization


def authorize_secrets(
    principal: Principal, project: Project, environment: str, path: str, permission: str, action: str
) -> None:
    """May this principal ``permission`` (``read``/``write``) secrets at ``environment``:``path``?

    ``action`` is today's name for the operation (``describeSecret``, ``readValue``, ``create``,
    ``edit``, ``delete``), used in today's "You are not allowed to <action> on secrets".
    """
    if principal.mode == SERVICE_TOKEN:
        token = principal.service_token
        assert token is not None
        if token.project is not project:
            raise ApiError(E.TOKEN_WRONG_PROJECT, project_id=project.id, action=action)
        if not any(scope.environment == environment for scope in token.scopes):
            raise ApiError(
                E.TOKEN_ENVIRONMENT_DENIED, action=action, environment=environment, rules=_token_rules(token, action)
            )
        if permission not in token.permissions:
            raise ApiError(
                E.TOKEN_PERMISSION_DENIED, permission=permission, action=action, rules=_token_rules(token, action)
            )
        if not any(s.environment == environment and path_in_scope(path, s.secret_path) for s in token.scopes):
            raise ApiError(E.TOKEN_PATH_DENIED, action=action, path=path, rules=_token_rules(token, action))
    elif principal.mode == SERVICE_ACCOUNT:
        account = principal.service_account
        assert account is not None
        grant = account.permissions.get((project.id, environment))
        if grant is None:
            raise ApiError(E.ACCOUNT_ENVIRONMENT_DENIED, action=action, permission=permission, rules=[])
        if not (grant.read if permission == "read" else grant.write):
            raise ApiError(E.ACCOUNT_PERMISSION_DENIED, permission=permission, action=action, rules=[])
    elif principal.mode == API_KEY:
        user = principal.user
        assert user is not None
        membership = project.members.get(user.id)
        if membership is None:
            raise ApiError(E.MEMBER_NOT_IN_PROJECT, project_id=project.id, action=action)
        if (environment, permission) in membership.denied:
            raise ApiError(E.MEMBER_ENVIRONMENT_DENIED, permission=permission, action=action, rules=[])
    elif principal.mode == MACHINE_IDENTITY:
        identity = principal.identity
        assert identity is not None
        role = identity.projects.get(project.id)
        if role is None:
            raise ApiError(E.IDENTITY_NOT_IN_PROJECT, project_id=project.id, action=action)
        if role == "viewer" and permission == "write":
            raise ApiError(E.IDENTITY_ROLE_DENIED, permission=permission, action=action, rules=[])


#: today's CASL actions on secrets, per the fake's read/write permission
_ACTIONS = {"read": ("describeSecret", "readValue"), "write": ("create", "edit", "delete")}


def _token_rules(token: ServiceTokenRecord, action: str) -> list[dict[str, Any]]:
    """A service token's permission rules for ``action``, as today's server lists them in ``details``."""
    if not any(action in _ACTIONS.get(permission, ()) for permission in token.permissions):
        return []
    return [
        {
            "action": action,
            "inverted": False,
            "subject": "secrets",
            "conditions": {"secretPath": {"$glob": scope.secret_path}, "environment": scope.environment},
        }
        for scope in token.scopes
    ]
