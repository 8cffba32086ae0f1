"""Which credential a request carries: the one place that reads ``X-API-KEY`` and ``Authorization``.

Infisical reads a credential from one of two headers (``X-API-KEY: ak.…`` or ``Authorization:
Bearer st.…|sa.…|<JWT>``). Which one wins when a request sends both depends on the server's era:
the 2023 server looked at the bearer first, today's server looks at a non-empty ``X-API-KEY``
first. :func:`read_credentials` applies either rule and says what the request presents; the
functions beside it name its auth mode, its credential id (the token, key, account or identity
id) and a redacted form of the header.

Three places use this module and no other reads these headers: the fake's authentication (which
then verifies the credential), the request journal (for calls no handler read the credentials
of), and the header assertions.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, Final, Literal, Optional

import attrs

from .http import Headers
from .redact import redact

__all__ = [
    "API_KEY",
    "AUTH_MODES",
    "MACHINE_IDENTITY",
    "SERVICE_ACCOUNT",
    "SERVICE_TOKEN",
    "AuthMode",
    "Presented",
    "bearer",
    "credential_id",
    "detect_auth_mode",
    "jwt_claims",
    "read_credentials",
    "service_account_id",
    "shown_credential",
]

#: the auth modes a request can use, as the journal, the assertions and the fake's routes name them
AuthMode = Literal["api_key", "service_token", "service_account", "machine_identity"]
API_KEY: Final = "api_key"  # Infisical's apiKey
SERVICE_TOKEN: Final = "service_token"  # serviceToken
SERVICE_ACCOUNT: Final = "service_account"  # serviceAccount
MACHINE_IDENTITY: Final = "machine_identity"  # identityAccessToken
AUTH_MODES: tuple[AuthMode, ...] = (API_KEY, SERVICE_TOKEN, SERVICE_ACCOUNT, MACHINE_IDENTITY)

#: what a credential looks like before it is verified: a bearer JWT may be a user session or a
#: machine identity's access token, which only its claims tell apart
Kind = Literal["api_key", "service_token", "service_account", "jwt"]
#: why a request presents no credential: no header, an empty one, or a scheme other than Bearer
Problem = Literal["missing", "empty", "scheme"]


@attrs.frozen(repr=False)
class Presented:
    """The credential a request presents under one header-precedence rule, or why it presents none."""

    kind: Optional[Kind] = None
    #: the credential itself: the ``X-API-KEY`` value, or the bearer without its scheme
    value: str = ""
    problem: Optional[Problem] = None
    #: the ``Authorization`` scheme, when ``problem`` is ``"scheme"``
    scheme: str = ""
    #: the raw header looked at, for a redacted display when there is a problem
    raw: str = ""

    def __repr__(self) -> str:
        return f"<Presented {self.kind or self.problem} {redact(self.value) if self.value else ''}>"


def _as_headers(headers: Mapping[str, str]) -> Headers:
    return headers if isinstance(headers, Headers) else Headers(headers)


def read_credentials(headers: Mapping[str, str], *, api_key_wins: bool) -> Presented:
    """What the request presents. ``api_key_wins``: a non-empty ``X-API-KEY`` is read before any
    ``Authorization`` header (today's server); otherwise a present ``Authorization`` wins (2023)."""
    headers = _as_headers(headers)
    api_key = headers.get("x-api-key")
    authorization = headers.get("authorization")
    if api_key_wins:
        if api_key:
            return Presented("api_key", api_key)
        if not authorization:
            return Presented(problem="missing", raw=authorization or "")
    elif api_key is None and authorization is None:
        return Presented(problem="missing")
    if authorization is None:
        if not api_key:
            return Presented(problem="empty")
        return Presented("api_key", api_key)
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return Presented(problem="scheme", scheme=scheme, raw=authorization)
    value = value.strip()
    if not value:
        return Presented(problem="empty", raw=authorization)
    prefix = value.split(".", 1)[0]
    if prefix == "st":
        return Presented("service_token", value)
    if prefix == "sa":
        return Presented("service_account", value)
    return Presented("jwt", value)


def jwt_claims(token: str) -> Optional[dict[str, Any]]:
    """A JWT's claims, unverified (None when it is not a JWT)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def service_account_id(access_key: str) -> Optional[str]:
    """The account id of an ``sa.<base64 of the 12-byte id>.<secret>`` access key, as hex (None when malformed)."""
    parts = access_key.split(".")
    part = parts[1] if len(parts) > 1 else ""
    try:
        raw = base64.b64decode(part + "=" * (-len(part) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 12 else None


def auth_mode(presented: Presented) -> Optional[AuthMode]:
    """The auth mode of what a request presents (a JWT counts only as a machine identity's token)."""
    kind = presented.kind
    if kind is None:
        return None
    if kind == "jwt":
        claims = jwt_claims(presented.value)
        return (
            "machine_identity" if claims is not None and claims.get("authTokenType") == "identityAccessToken" else None
        )
    return kind


def credential_id(presented: Presented) -> Optional[str]:
    """The id of the presented credential, as far as the header tells (no verification)."""
    kind = presented.kind
    if kind in ("api_key", "service_token"):
        parts = presented.value.split(".")
        return parts[1] if len(parts) > 1 else None
    if kind == "service_account":
        return service_account_id(presented.value)
    if kind == "jwt" and auth_mode(presented) == "machine_identity":
        identity = (jwt_claims(presented.value) or {}).get("identityId")
        return str(identity) if identity is not None else None
    return None


def shown_credential(presented: Presented, headers: Mapping[str, str]) -> Optional[str]:
    """The header that carried the credential, redacted: ``Bearer st.64a0…(redacted)``, ``ak.5f1e…(redacted)``."""
    if presented.kind == "api_key":
        return redact(presented.value)
    if presented.kind is not None:
        return redact(f"Bearer {presented.value}")
    headers = _as_headers(headers)
    raw = presented.raw or headers.get("authorization") or headers.get("x-api-key")
    return redact(raw) if raw else None


def bearer(headers: Mapping[str, str]) -> Optional[str]:
    """The bearer credential of an ``Authorization: Bearer …`` header, if there is one."""
    authorization = _as_headers(headers).get("authorization")
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def detect_auth_mode(headers: Mapping[str, str], *, api_key_wins: bool = False) -> Optional[AuthMode]:
    """The auth mode a request presents, from its headers alone: ``api_key``, ``service_token``,
    ``service_account``, ``machine_identity``, or None. By default a bearer wins over ``X-API-KEY``
    (the 2023 rule); ``api_key_wins=True`` reads as today's server does."""
    return auth_mode(read_credentials(headers, api_key_wins=api_key_wins))
