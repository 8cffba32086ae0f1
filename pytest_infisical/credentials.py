"""Infisical credentials as typed values: parse, format, and the headers each one sends.

* :class:`ApiKey` ``ak.<24 hex id>.<32 hex secret>`` → ``X-API-KEY: ak.…``
* :class:`ServiceToken` ``st.<24 hex id>.<32 hex secret>.<32 hex key>`` →
  ``Authorization: Bearer st.<id>.<secret>`` (the key part never leaves the client)
* :class:`ServiceAccount` ``sa.<base64 id>.<base64 secret>`` plus a NaCl key pair →
  ``Authorization: Bearer sa.…``
* :class:`MachineIdentity` client id and client secret → a JWT from Universal Auth login →
  ``Authorization: Bearer <JWT>``

``repr()`` and ``str()`` never show a secret part; use the explicit attributes
(``.token``, ``.value``, ``.access_key`` …) to get the real value. A malformed credential raises
:class:`~pytest_infisical.errors.CredentialFormatError` saying exactly what is wrong, without
echoing any secret part. pytest hides this module's frames from failure output
(``__tracebackhide__``), so a failing parse does not show the text it was given.

This module imports no cryptography library, so the plugin can load it cheaply.
"""

from __future__ import annotations

import binascii
import secrets as _secrets
from typing import Optional

import attrs

from .credential_format import (
    BASE64,
    ID_HEX_CHARS,
    SECRET_HEX_CHARS,
    check_hex,
    check_prefix,
    check_service_token,
    check_text,
    service_token_parts,
    split_parts,
)
from .errors import CredentialFormatError
from .redact import redact

__all__ = ["ApiKey", "MachineIdentity", "ServiceAccount", "ServiceToken"]

#: pytest leaves this module's frames out of failure output: their arguments are credentials.
#: Each class validates in its own ``__init__`` (defined here, so hidden too) before attrs'
#: generated ``__attrs_init__`` runs, so no frame that pytest shows holds a secret part.
__tracebackhide__ = True

# --------------------------------------------------------------------------------------------


_API_KEY = "API key"
_API_KEY_FORM = "'ak.<24 hex id>.<32 hex secret>'"


@attrs.frozen(repr=False, str=False, init=False)
class ApiKey:
    """An Infisical API key: ``ak.<id>.<secret>``, sent as ``X-API-KEY``.

    It acts with the full rights of the user who made it, but cannot decrypt end-to-end
    encrypted secrets (the user's private key is protected by the password).
    """

    id: str
    secret: str

    def __init__(self, id: str, secret: str) -> None:
        self.__attrs_init__(
            check_hex(id, f"{_API_KEY}: the id part", ID_HEX_CHARS),
            check_hex(secret, f"{_API_KEY}: the secret part", SECRET_HEX_CHARS),
        )

    @classmethod
    def parse(cls, text: str) -> ApiKey:
        """Parse ``ak.<id>.<secret>``; raises :class:`CredentialFormatError` saying what is wrong."""
        text = check_text(text, _API_KEY)
        check_prefix(text, "ak.", _API_KEY, _API_KEY_FORM)
        _, id_, secret = split_parts(text, 3, _API_KEY, _API_KEY_FORM, "a part is missing")
        return cls(id=id_, secret=secret)

    @classmethod
    def generate(cls, id: Optional[str] = None) -> ApiKey:
        """A new API key with a random secret (and a random id unless given)."""
        return cls(id=id or _secrets.token_hex(12), secret=_secrets.token_hex(16))

    @property
    def value(self) -> str:
        """The whole key, as sent in the ``X-API-KEY`` header."""
        return f"ak.{self.id}.{self.secret}"

    @property
    def headers(self) -> dict[str, str]:
        """The request headers for this key: ``{"X-API-KEY": "ak.…"}``."""
        return {"X-API-KEY": self.value}

    def __str__(self) -> str:
        return redact(self.value)

    def __repr__(self) -> str:
        return f"ApiKey(id={self.id!r}, secret=<redacted>)"


@attrs.frozen(repr=False, str=False, init=False)
class ServiceToken:
    """An Infisical (service) token ``st.<id>.<secret>.<key>``.

    Only ``st.<id>.<secret>`` (:attr:`bearer`) goes on the wire; the last part (:attr:`key`) is
    the AES key that unwraps the project key from ``GET /api/v2/service-token``.
    """

    id: str
    secret: str
    key: str

    def __init__(self, id: str, secret: str, key: str) -> None:
        self.__attrs_init__(*check_service_token(id, secret, key))

    @classmethod
    def parse(cls, text: str) -> ServiceToken:
        """Parse the full four-part token; raises :class:`CredentialFormatError` saying what is wrong."""
        id_, secret, key = service_token_parts(text)
        return cls(id=id_, secret=secret, key=key)

    @classmethod
    def generate(cls, id: Optional[str] = None, key: Optional[str] = None) -> ServiceToken:
        """A new token with a random secret (and random id and key unless given)."""
        return cls(id=id or _secrets.token_hex(12), secret=_secrets.token_hex(16), key=key or _secrets.token_hex(16))

    @property
    def token(self) -> str:
        """The full token, all four parts, as the dashboard shows it."""
        return f"st.{self.id}.{self.secret}.{self.key}"

    @property
    def bearer(self) -> str:
        """The first three parts, ``st.<id>.<secret>``: what goes after ``Bearer``."""
        return f"st.{self.id}.{self.secret}"

    @property
    def headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer st.<id>.<secret>"}``."""
        return {"Authorization": f"Bearer {self.bearer}"}

    def __str__(self) -> str:
        return redact(self.token)

    def __repr__(self) -> str:
        return f"ServiceToken(id={self.id!r}, secret=<redacted>, key=<redacted>)"


_SA = "service-account access key"
_SA_FORM = "'sa.<base64 id>.<base64 secret>'"
_SA_ID_BYTES = 12
_SA_SECRET_BYTES = 16


_NACL_KEY_BYTES = 32
_NACL_KEY_FORM = "a NaCl box key: 32 bytes as standard base64, 44 characters ending in '='"


def _b64_bytes(part: str, what: str, size: int, form: str) -> bytes:
    """``part`` decoded from standard base64 (padding optional), ``size`` bytes long."""
    if not part:
        raise CredentialFormatError(f"{what} is empty")
    if BASE64.fullmatch(part) is None:
        raise CredentialFormatError(f"{what} is not standard base64")
    try:
        raw = binascii.a2b_base64(part + "=" * (-len(part) % 4))
    except binascii.Error:
        raise CredentialFormatError(f"{what} is not standard base64") from None
    if len(raw) != size:
        raise CredentialFormatError(f"{what} decodes to {len(raw)} bytes; expected {size} ({form})")
    return raw


def _b64_part(part: str, label: str, size: int) -> bytes:
    return _b64_bytes(part, f"{_SA}: the {label} part", size, _SA_FORM)


def _check_access_key(value: object) -> str:
    text = check_text(value, _SA)
    check_prefix(text, "sa.", _SA, _SA_FORM)
    _, id_part, secret_part = split_parts(text, 3, _SA, _SA_FORM, "a part is missing")
    _b64_part(id_part, "id", _SA_ID_BYTES)
    _b64_part(secret_part, "secret", _SA_SECRET_BYTES)
    return text


def _check_nacl_key(value: object, name: str) -> str:
    what = f"service account: the {name}"
    if not isinstance(value, str):
        raise CredentialFormatError(f"{what} must be a str, got {type(value).__name__}")
    _b64_bytes(value, what, _NACL_KEY_BYTES, _NACL_KEY_FORM)
    return value


def _b64_text(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


@attrs.frozen(repr=False, str=False, init=False)
class ServiceAccount:
    """A service account: its access key (``Authorization: Bearer sa.…``) and its NaCl key pair.

    The key pair never goes on the wire; it opens the boxed project keys of
    ``GET /api/v2/service-accounts/:id/keys``.
    """

    access_key: str
    public_key: str
    private_key: str

    def __init__(self, access_key: str, public_key: str, private_key: str) -> None:
        self.__attrs_init__(
            _check_access_key(access_key),
            _check_nacl_key(public_key, "public_key"),
            _check_nacl_key(private_key, "private_key"),
        )

    @classmethod
    def generate(cls, public_key: str, private_key: str, id: Optional[str] = None) -> ServiceAccount:
        """A new access key (random secret; random 24-hex id unless given) for a key pair."""
        if id:
            raw_id = bytes.fromhex(check_hex(id, "service account: the id", ID_HEX_CHARS))
        else:
            raw_id = _secrets.token_bytes(_SA_ID_BYTES)
        access_key = f"sa.{_b64_text(raw_id)}.{_b64_text(_secrets.token_bytes(_SA_SECRET_BYTES))}"
        return cls(access_key=access_key, public_key=public_key, private_key=private_key)

    @property
    def id(self) -> str:
        """The service account's id as 24 lowercase hex (the access key carries it in base64)."""
        return _b64_part(self.access_key.split(".")[1], "id", _SA_ID_BYTES).hex()

    @property
    def secret(self) -> str:
        """The secret part of the access key (base64)."""
        return self.access_key.split(".")[2]

    @property
    def headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer sa.…"}``."""
        return {"Authorization": f"Bearer {self.access_key}"}

    def __str__(self) -> str:
        return redact(self.access_key)

    def __repr__(self) -> str:
        return (
            f"ServiceAccount(id={self.id!r}, access_key=<redacted>, public_key={self.public_key!r}, "
            "private_key=<redacted>)"
        )


@attrs.frozen(repr=False, str=False, init=False)
class MachineIdentity:
    """A machine identity's Universal Auth credentials.

    ``POST /api/v1/auth/universal-auth/login`` with :attr:`login_body` returns an access token
    (a JWT) that then goes in ``Authorization: Bearer <accessToken>``.
    """

    client_id: str
    client_secret: str
    identity_id: Optional[str] = None

    def __init__(self, client_id: str, client_secret: str, identity_id: Optional[str] = None) -> None:
        if identity_id is not None and not isinstance(identity_id, str):
            raise CredentialFormatError(
                f"machine identity identity_id must be a str or None, got {type(identity_id).__name__}"
            )
        self.__attrs_init__(
            check_text(client_id, "machine identity client_id"),
            check_text(client_secret, "machine identity client_secret"),
            identity_id,
        )

    @property
    def login_body(self) -> dict[str, str]:
        """The JSON body of the Universal Auth login call."""
        return {"clientId": self.client_id, "clientSecret": self.client_secret}

    def __str__(self) -> str:
        return f"MachineIdentity({self.client_id})"

    def __repr__(self) -> str:
        return (
            f"MachineIdentity(client_id={self.client_id!r}, client_secret=<redacted>, identity_id={self.identity_id!r})"
        )
