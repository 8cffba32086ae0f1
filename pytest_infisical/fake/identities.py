"""Machine identities, Universal Auth: login, renew and revoke access tokens (§9.1, §11.4)."""

from __future__ import annotations

from typing import Any, Optional

from . import apierror as E
from .apierror import ApiError
from .auth import decode_jwt, encode_jwt
from .routing import LOGIN_LIMIT, Arg, Call, RouteTable
from .state import AccessToken, matches

_routes = RouteTable()


def _token_body(call: Call, token: AccessToken, jwt: str) -> dict[str, Any]:
    return {"accessToken": jwt, "expiresIn": token.ttl, "accessTokenMaxTTL": token.max_ttl, "tokenType": "Bearer"}


@_routes.route(
    "POST",
    "/api/v1/auth/universal-auth/login",
    (),
    [Arg("clientId", "body"), Arg("clientSecret", "body")],
    rate_limit=LOGIN_LIMIT,
)
def login(call: Call) -> dict[str, Any]:
    """Exchange a client id and secret for a JWT access token (any Authorization header is ignored)."""
    identity = call.state.identities_by_client_id.get(call.args["clientId"])
    if identity is None or not matches(call.args["clientSecret"], identity.secret_hash):
        raise ApiError(E.IDENTITY_INVALID_CREDENTIALS)
    token = call.state.issue_access_token(identity)
    iat = int(token.issued_at.timestamp())
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


def _lookup(call: Call) -> Optional[AccessToken]:
    """The live access token in the body (None when it was revoked or is unknown); a bad JWT raises."""
    claims = decode_jwt(call.args["accessToken"], call.state.jwt_secret, now=call.state.clock.timestamp())
    token = call.state.access_tokens.get(str(claims.get("identityAccessTokenId")))
    return None if token is None or token.revoked else token


@_routes.route("POST", "/api/v1/auth/token/renew", (), [Arg("accessToken", "body")])
def renew(call: Call) -> dict[str, Any]:
    token = _lookup(call)
    if token is None:
        raise ApiError(E.IDENTITY_RENEW_REVOKED)
    now = call.state.clock.now()
    if token.ttl and (now - token.renewed_at).total_seconds() > token.ttl:
        raise ApiError(E.IDENTITY_RENEW_EXPIRED)
    if token.max_ttl and (now - token.issued_at).total_seconds() > token.max_ttl:
        raise ApiError(E.IDENTITY_RENEW_MAX_TTL)
    if (
        call.profile.renew_refused_past_max_ttl
        and token.max_ttl
        and (now - token.issued_at).total_seconds() + token.ttl >= token.max_ttl
    ):
        call.state.revoke_access_token(token)  # the server deletes it
        raise ApiError(E.IDENTITY_RENEW_PAST_MAX_TTL)
    call.state.renew_access_token(token)
    return _token_body(call, token, call.args["accessToken"])


@_routes.route("POST", "/api/v1/auth/token/revoke", (), [Arg("accessToken", "body")])
def revoke(call: Call) -> dict[str, Any]:
    token = _lookup(call)
    if token is not None:
        call.state.revoke_access_token(token)
    elif not call.profile.revoke_twice_succeeds:
        raise ApiError(E.IDENTITY_TOKEN_REVOKED)
    return {"message": "Successfully revoked access token"}


ROUTES = _routes.freeze()
