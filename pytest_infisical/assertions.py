"""Header assertions: did a request carry the right credential, in the right header, in the right form?

Each function takes a recorded :class:`~pytest_infisical.journal.Call`, a
:class:`~pytest_infisical.http.Request`, a ``requests.PreparedRequest`` or an ``httpx.Request``
(anything with ``headers``). A failure says what was expected and what was found, with every
credential redacted (``Bearer st.64a0…(redacted)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from .credential_headers import AUTH_MODES, detect_auth_mode, jwt_claims
from .credential_headers import bearer as read_bearer
from .credentials import ApiKey, ServiceAccount, ServiceToken
from .http import Headers
from .redact import redact

__all__ = [
    "assert_api_key_header",
    "assert_auth_mode",
    "assert_machine_identity_header",
    "assert_service_account_header",
    "assert_service_token_header",
]


def _headers(request: Any) -> Headers:
    target = getattr(request, "request", request)  # a journal Call wraps its request
    headers = getattr(target, "headers", None)
    if headers is None:
        raise TypeError(f"expected a request (with .headers), got {type(request).__name__}")
    if isinstance(headers, Headers):
        return headers
    if isinstance(headers, Mapping):
        return Headers(list(headers.items()))
    return Headers(list(headers.items()))  # httpx.Headers and friends


def _shown(headers: Headers) -> str:
    found = [f"{name}: {redact(headers[name])}" for name in ("Authorization", "X-API-KEY") if name in headers]
    return ", ".join(found) if found else "no Authorization or X-API-KEY header"


def assert_auth_mode(request: Any, mode: str) -> None:
    """The request used auth mode ``mode`` (``api_key``, ``service_token``, ``service_account``,
    ``machine_identity``), as the server would read it from the headers."""
    __tracebackhide__ = True
    if mode not in AUTH_MODES:
        raise ValueError(f"mode must be one of {', '.join(AUTH_MODES)}, not {mode!r}")
    headers = _headers(request)
    found = detect_auth_mode(headers)
    if found != mode:
        raise AssertionError(f"Expected a request using auth {mode}, but it used {found or 'none'} ({_shown(headers)})")


def assert_api_key_header(request: Any, key: Optional[ApiKey] = None) -> None:
    """``X-API-KEY`` is present (and is ``key``, if given), with no ``Authorization`` header that
    would win over it on the 2023 server."""
    __tracebackhide__ = True
    headers = _headers(request)
    value = headers.get("x-api-key")
    if not value:
        raise AssertionError(f"Expected an X-API-KEY header, found {_shown(headers)}")
    if not value.startswith("ak."):
        raise AssertionError(f"Expected X-API-KEY to hold an API key (ak.…), found X-API-KEY: {redact(value)}")
    if key is not None and value != key.value:
        raise AssertionError(f"Expected X-API-KEY: {redact(key.value)}, found X-API-KEY: {redact(value)} (another key)")
    if "authorization" in headers:
        raise AssertionError(
            f"Expected X-API-KEY alone, but the request also sends Authorization: {redact(headers['authorization'])}; "
            "the 2023 server reads Authorization first and ignores the API key"
        )


def assert_service_token_header(
    request: Any, token: Optional[ServiceToken] = None, *, parts: Optional[int] = None
) -> None:
    """``Authorization: Bearer st.<id>.<secret>`` (3 parts, as legacy clients send it) or the full
    4-part token (as current SDKs do); ``parts=3`` or ``parts=4`` requires one form exactly."""
    __tracebackhide__ = True
    if parts not in (None, 3, 4):
        raise ValueError(f"parts must be 3, 4 or None, not {parts!r}")
    headers = _headers(request)
    bearer = read_bearer(headers)
    if bearer is None or not bearer.startswith("st."):
        raise AssertionError(f"Expected Authorization: Bearer st.…, found {_shown(headers)}")
    count = bearer.count(".") + 1
    allowed = (3, 4) if parts is None else (parts,)
    if count not in allowed:
        raise AssertionError(
            f"Expected a {' or '.join(map(str, allowed))}-part service-token bearer, found {count} parts "
            f"(Authorization: {redact('Bearer ' + bearer)})"
        )
    if token is not None:
        sent = bearer.split(".")
        if sent[1] != token.id:
            raise AssertionError(
                f"Expected the bearer of service token {token.id}, found Authorization: {redact('Bearer ' + bearer)}"
            )
        if sent[2] != token.secret or (count == 4 and sent[3] != token.key):
            raise AssertionError(
                f"Expected the secret of service token {token.id}, but the bearer's secret part differs"
            )


def assert_service_account_header(request: Any, account: Optional[ServiceAccount] = None) -> None:
    """``Authorization: Bearer sa.…`` (and the access key of ``account``, if given)."""
    __tracebackhide__ = True
    headers = _headers(request)
    bearer = read_bearer(headers)
    if bearer is None or not bearer.startswith("sa."):
        raise AssertionError(f"Expected Authorization: Bearer sa.…, found {_shown(headers)}")
    if account is not None and bearer != account.access_key:
        raise AssertionError(
            f"Expected the access key of service account {account.id}, found Authorization: {redact('Bearer ' + bearer)}"
        )


def assert_machine_identity_header(request: Any, access_token: Optional[str] = None) -> None:
    """``Authorization: Bearer <JWT>`` holding a machine-identity access token (and ``access_token``, if given)."""
    __tracebackhide__ = True
    headers = _headers(request)
    bearer = read_bearer(headers)
    claims = jwt_claims(bearer) if bearer else None
    if bearer is None or claims is None or claims.get("authTokenType") != "identityAccessToken":
        raise AssertionError(f"Expected Authorization: Bearer <machine-identity access token>, found {_shown(headers)}")
    if access_token is not None and bearer != access_token:
        raise AssertionError(
            f"Expected the access token {redact(access_token)}, found Authorization: {redact('Bearer ' + bearer)}"
        )
