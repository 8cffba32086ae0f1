"""Machine identities, Universal Auth: login, renew and revoke access tokens (§9.1, §11.4)."""

from __future__ import annotations

from typing import Any

from . import apierror as E
from .apierror import ApiError
from .auth import decode_jwt, encode_jwt
from .routing import Arg, Call, route
from .state import AccessToken, matches, new_id


def _token_body(call: Call, token: AccessToken, jwt: str) -> dict[str, Any]:
    return {"accessToken": jwt, "expiresIn": token.ttl, "accessTokenMaxTTL": token.max_ttl, "tokenType": "Bearer"}


@route("POST", "/api/v1/auth/universal-auth/login", (), [Arg("clientId", "body"), Arg("clientSecret", "body")])
def login(call: Call) -> dict[str, Any]:
    """Exchange a client id and secret for a JWT access token (any Authorization header is ignored)."""
    identity = call.state.identities_by_client_id.get(call.args["clientId"])
    if identity is None or not matches(call.args["clientSecret"], identity.secret_hash):
        raise ApiError(E.IDENTITY_INVALID_CREDENTIALS)
    now = call.state.clock.now()
    token = AccessToken(
        id=new_id(),
        identity=identity,
        issued_at=now,
        renewed_at=now,
        ttl=identity.access_token_ttl,
        max_ttl=identity.access_token_max_ttl,
    )
    call.state.access_tokens[token.id] = token
    iat = int(now.timestamp())
    claims: dict[str, Any] = {
        "identityId": identity.id,
        "clientSecretId": identity.client_id,
        "identityAccessTokenId": token.id,
        "authTokenType": "identityAccessToken",
        "iat": iat,
    }
    if token.max_ttl:
        claims["exp"] = iat + token.max_ttl
    return _token_body(call, token, encode_jwt(claims, call.state.jwt_secret))


def _token(call: Call) -> AccessToken:
    claims = decode_jwt(call.args["accessToken"], call.state.jwt_secret, now=call.state.clock.timestamp())
    token = call.state.access_tokens.get(str(claims.get("identityAccessTokenId")))
    if token is None or token.revoked:
        raise ApiError(E.IDENTITY_TOKEN_REVOKED)
    return token


@route("POST", "/api/v1/auth/token/renew", (), [Arg("accessToken", "body")])
def renew(call: Call) -> dict[str, Any]:
    token = _token(call)
    now = call.state.clock.now()
    if token.ttl and (now - token.renewed_at).total_seconds() > token.ttl:
        raise ApiError(E.IDENTITY_RENEW_EXPIRED)
    if token.max_ttl and (now - token.issued_at).total_seconds() > token.max_ttl:
        raise ApiError(E.IDENTITY_RENEW_MAX_TTL)
    token.renewed_at = now
    return _token_body(call, token, call.args["accessToken"])


@route("POST", "/api/v1/auth/token/revoke", (), [Arg("accessToken", "body")])
def revoke(call: Call) -> dict[str, Any]:
    _token(call).revoked = True
    return {"message": "Successfully revoked access token"}
