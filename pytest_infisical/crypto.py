"""Infisical's end-to-end cryptography, as small typed functions.

* Symmetric: AES-256-GCM whose key is the **UTF-8 bytes of a 32-character hex string** (never
  hex-decoded), a 16-byte random IV and a 16-byte tag kept apart from the ciphertext; every part
  travels as standard base64. Decryption also accepts the 12-byte IVs of the SDKs' helper scheme.
* Asymmetric: NaCl ``crypto_box`` (X25519 + XSalsa20-Poly1305), byte-compatible with tweetnacl's
  ``nacl.box``; keys and nonces are standard base64.
* Key wrapping: a service token's 4th part wraps the project key symmetrically; a service account's
  key pair opens a box whose sender key is its own public key.

All strings in and out are exactly as Infisical sends them. Bad input raises an error from
:mod:`pytest_infisical.errors` naming the field and the expected form; no raw ``binascii.Error``,
``InvalidTag`` or ``nacl`` exception reaches the caller, and no key or plaintext appears in any
message or repr. pytest hides this module's frames from failure output (``__tracebackhide__``), so
a failing call does not show the keys and plaintexts it was given.
"""

from __future__ import annotations

import binascii
import os
import secrets as _secrets
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Optional, Protocol, Union

import attrs
import nacl.exceptions
import nacl.public
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .credential_format import service_token_parts
from .errors import (
    DecryptionError,
    InvalidEncodingError,
    InvalidKeyError,
    InvalidLengthError,
    MalformedObjectError,
    UsageError,
)

__all__ = [
    "CIPHER_FIELDS",
    "AsymmetricCiphertext",
    "DecryptedSecret",
    "EncryptedSecret",
    "KeyPair",
    "PlaintextSecrets",
    "SymmetricCiphertext",
    "cipher_fields",
    "decrypt_asymmetric",
    "decrypt_secret",
    "decrypt_secrets",
    "decrypt_symmetric",
    "encrypt_asymmetric",
    "encrypt_secret",
    "encrypt_symmetric",
    "generate_key_pair",
    "generate_project_key",
    "unwrap_project_key_for_service_account",
    "unwrap_project_key_for_service_token",
    "wrap_project_key_for_service_account",
    "wrap_project_key_for_service_token",
]

IV_BYTES = 16
TAG_BYTES = 16
KEY_BYTES = 32
NONCE_BYTES = 24
_DECRYPT_IV_BYTES = (16, 12)

_B64_EXAMPLE = "standard base64 with '=' padding"

#: pytest leaves this module's frames out of failure output (default, ``-l``, ``--tb=long``):
#: their arguments and locals are keys, private keys and plaintexts.
__tracebackhide__ = True


# --------------------------------------------------------------------------------------------
# value types


@attrs.frozen
class SymmetricCiphertext:
    """One AES-256-GCM encryption as Infisical sends it: three standard-base64 strings."""

    ciphertext: str
    iv: str
    tag: str


@attrs.frozen
class AsymmetricCiphertext:
    """One NaCl box as Infisical sends it: the box (MAC ‖ encrypted message) and its nonce."""

    ciphertext: str
    nonce: str


@attrs.frozen(repr=False)
class KeyPair:
    """A NaCl box key pair, both halves standard base64 of 32 bytes."""

    public_key: str
    private_key: str

    def __repr__(self) -> str:
        return f"KeyPair(public_key={self.public_key!r}, private_key=<redacted>)"


class _HasKeyPair(Protocol):
    @property
    def public_key(self) -> str: ...

    @property
    def private_key(self) -> str: ...


class _HasTokenKey(Protocol):
    """A parsed service token (:class:`~pytest_infisical.credentials.ServiceToken`): its fourth part."""

    @property
    def key(self) -> str: ...


def _token_key(token: object) -> str:
    key = getattr(token, "key", None)
    if not isinstance(key, str):
        raise UsageError(
            f"the service token must be the full 'st.<id>.<secret>.<key>' text or a ServiceToken, got {type(token).__name__}"
        )
    return key


@attrs.frozen
class EncryptedSecret:
    """The nine cipher fields of one Infisical secret (name, value, comment)."""

    secretKeyCiphertext: str
    secretKeyIV: str
    secretKeyTag: str
    secretValueCiphertext: str
    secretValueIV: str
    secretValueTag: str
    secretCommentCiphertext: str
    secretCommentIV: str
    secretCommentTag: str

    def to_dict(self) -> dict[str, str]:
        """The fields as a JSON-ready dict, keyed exactly as Infisical's API expects them."""
        return attrs.asdict(self)


@attrs.frozen(repr=False)
class DecryptedSecret:
    """One secret in plaintext. ``repr()`` never shows the value or the comment."""

    name: str
    value: str
    comment: str = ""
    type: str = "shared"
    id: Optional[str] = None
    version: Optional[int] = None

    def __repr__(self) -> str:
        return (
            f"DecryptedSecret(name={self.name!r}, value=<redacted>, comment=<redacted>, "
            f"type={self.type!r}, id={self.id!r}, version={self.version!r})"
        )


class PlaintextSecrets(Mapping[str, str]):
    """Decrypted secrets as a read-only mapping name → value, with ``comments`` beside it.

    Precedence follows Infisical's clients: imported secrets (a later import over an earlier
    one), then the folder's shared secrets, then the caller's personal overrides.
    ``repr()`` lists the names only.
    """

    __slots__ = ("_values", "comments", "types")

    def __init__(self, values: dict[str, str], comments: dict[str, str], types: dict[str, str]) -> None:
        self._values = values
        #: name → comment (``""`` when the secret has none)
        self.comments: Mapping[str, str] = comments
        #: name → ``"shared"``, ``"personal"`` or ``"imported"``: where each value came from
        self.types: Mapping[str, str] = types

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PlaintextSecrets({sorted(self._values)!r}, values=<redacted>)"


# --------------------------------------------------------------------------------------------
# encoding helpers


def _b64encode(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


if sys.version_info >= (3, 11):

    def _strict_b64decode(value: str) -> bytes:
        return binascii.a2b_base64(value, strict_mode=True)

else:  # pragma: no cover - exercised by the py39/py310 tox envs
    import base64

    def _strict_b64decode(value: str) -> bytes:
        return base64.b64decode(value, validate=True)


def _b64decode(value: object, field: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidEncodingError(
            f"{field} must be a string of {_B64_EXAMPLE}, got {type(value).__name__}", field=field
        )
    try:
        return _strict_b64decode(value)
    except (binascii.Error, ValueError):
        raise InvalidEncodingError(
            f"{field} is not valid {_B64_EXAMPLE} (A-Z a-z 0-9 + /, length a multiple of 4)",
            field=field,
        ) from None


def _utf8_bytes(text: object, field: str) -> bytes:
    """``text`` as UTF-8, or a typed error naming ``field`` (never showing the text)."""
    if not isinstance(text, str):
        raise InvalidEncodingError(f"{field} must be str, got {type(text).__name__}", field=field)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidEncodingError(
            f"{field} is not valid Unicode text: a lone surrogate at index {error.start} has no UTF-8 encoding",
            field=field,
        ) from None


def _utf8(data: bytes, field: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidEncodingError(
            f"{field} decrypted, but the plaintext is not UTF-8 text as Infisical stores it", field=field
        ) from None


# --------------------------------------------------------------------------------------------
# symmetric: AES-256-GCM, key = UTF-8 bytes of a 32-char string, 16-byte IV


def _aesgcm(key: object, field: str) -> AESGCM:
    """The AESGCM object for a key (nothing is cached: no key outlives the call that uses it)."""
    if isinstance(key, str):
        raw = _utf8_bytes(key, field)
        if len(raw) == KEY_BYTES:
            return AESGCM(raw)
        raise InvalidLengthError(
            f"{field} is {len(raw)} bytes as UTF-8; Infisical's AES key is a 32-character hex string "
            "whose 32 UTF-8 bytes are the AES-256 key (generate one with generate_project_key())",
            field=field,
        )
    raise InvalidLengthError(f"{field} must be a 32-character hex string, got {type(key).__name__}", field=field)


def generate_project_key() -> str:
    """A new project key as Infisical's dashboard makes one: 32 lowercase hex characters."""
    return _secrets.token_hex(16)


def encrypt_symmetric(plaintext: str, key: str) -> SymmetricCiphertext:
    """Encrypt ``plaintext`` under ``key`` with a fresh 16-byte IV, as Infisical does."""
    return _encrypt(plaintext, key, "plaintext", "key")


def _encrypt(plaintext: object, key: object, text_field: str, key_field: str) -> SymmetricCiphertext:
    data = _utf8_bytes(plaintext, text_field)
    iv = os.urandom(IV_BYTES)
    sealed = _aesgcm(key, key_field).encrypt(iv, data, None)
    return SymmetricCiphertext(
        ciphertext=_b64encode(sealed[:-TAG_BYTES]), iv=_b64encode(iv), tag=_b64encode(sealed[-TAG_BYTES:])
    )


def _decrypt(
    ciphertext: object,
    iv: object,
    tag: object,
    key: object,
    what: str,
    names: tuple[str, str, str],
    key_field: str = "key",
) -> str:
    aes = key if isinstance(key, AESGCM) else _aesgcm(key, key_field)
    try:  # fast path: all three decode; on any failure, decode again one by one to name the field
        ct, iv_bytes, tag_bytes = _strict_b64decode(ciphertext), _strict_b64decode(iv), _strict_b64decode(tag)  # type: ignore[arg-type]
    except (binascii.Error, ValueError, TypeError):
        ct, iv_bytes, tag_bytes = _b64decode(ciphertext, names[0]), _b64decode(iv, names[1]), _b64decode(tag, names[2])
    if len(iv_bytes) not in _DECRYPT_IV_BYTES:
        raise InvalidLengthError(
            f"{names[1]} decodes to {len(iv_bytes)} bytes; Infisical IVs are 16 bytes (12-byte IVs are accepted too)",
            field=names[1],
        )
    if len(tag_bytes) != TAG_BYTES:
        raise DecryptionError(
            f"could not decrypt {what}: {names[2]} decodes to {len(tag_bytes)} bytes, "
            f"an AES-GCM tag is {TAG_BYTES} bytes (was it truncated?)",
            field=names[2],
        )
    try:
        return aes.decrypt(iv_bytes, ct + tag_bytes, None).decode("utf-8")
    except InvalidTag:
        raise DecryptionError(
            f"could not decrypt {what}: authentication failed - the key is wrong, or "
            f"{names[0]}, {names[1]} or {names[2]} was altered",
            field=what,
        ) from None
    except UnicodeDecodeError:
        raise InvalidEncodingError(
            f"{what} decrypted, but the plaintext is not UTF-8 text as Infisical stores it", field=what
        ) from None


_PLAIN_NAMES = ("ciphertext", "iv", "tag")


def decrypt_symmetric(ciphertext: str, iv: str, tag: str, key: str) -> str:
    """Decrypt one AES-256-GCM triplet (12- or 16-byte IV) and return the UTF-8 plaintext."""
    return _decrypt(ciphertext, iv, tag, key, "ciphertext", _PLAIN_NAMES)


# --------------------------------------------------------------------------------------------
# asymmetric: NaCl box


def _key32(value: object, field: str) -> bytes:
    raw = _b64decode(value, field)
    if len(raw) != KEY_BYTES:
        raise InvalidLengthError(
            f"{field} decodes to {len(raw)} bytes; a NaCl box key is 32 bytes as standard base64 "
            "(44 characters ending in '=')",
            field=field,
        )
    return raw


def _box(public_key: str, private_key: str) -> nacl.public.Box:
    return nacl.public.Box(
        nacl.public.PrivateKey(_key32(private_key, "private_key")),
        nacl.public.PublicKey(_key32(public_key, "public_key")),
    )


def generate_key_pair() -> KeyPair:
    """A new NaCl box key pair, as ``nacl.box.keyPair()`` makes one in Infisical's dashboard."""
    private = nacl.public.PrivateKey.generate()
    return KeyPair(public_key=_b64encode(bytes(private.public_key)), private_key=_b64encode(bytes(private)))


def _key_pair_box(public_key: object, private_key: object) -> nacl.public.Box:
    """The box of a key pair, or a typed error naming the key that cannot be used."""
    for value, field in ((public_key, "public_key"), (private_key, "private_key")):
        if not isinstance(value, str):
            raise InvalidEncodingError(
                f"{field} must be a string of {_B64_EXAMPLE}, got {type(value).__name__}", field=field
            )
    try:
        return _box(public_key, private_key)  # type: ignore[arg-type]  # both checked to be str above
    except nacl.exceptions.RuntimeError:  # libsodium refuses a shared secret of all zeros
        raise InvalidKeyError(
            "public_key is a low-order point of Curve25519: no private key can share a secret with it "
            "(use a public key from generate_key_pair())",
            field="public_key",
        ) from None


def encrypt_asymmetric(plaintext: str, public_key: str, private_key: str) -> AsymmetricCiphertext:
    """``nacl.box(plaintext, nonce, public_key, private_key)`` with a fresh 24-byte nonce."""
    return _encrypt_box(plaintext, public_key, private_key, "plaintext")


def _encrypt_box(plaintext: object, public_key: object, private_key: object, text_field: str) -> AsymmetricCiphertext:
    data = _utf8_bytes(plaintext, text_field)
    nonce = os.urandom(NONCE_BYTES)
    sealed = _key_pair_box(public_key, private_key).encrypt(data, nonce)
    return AsymmetricCiphertext(ciphertext=_b64encode(sealed.ciphertext), nonce=_b64encode(nonce))


def _decrypt_box(
    ciphertext: object, nonce: object, public_key: object, private_key: object, what: str, names: tuple[str, str]
) -> str:
    box = _key_pair_box(public_key, private_key)
    ct = _b64decode(ciphertext, names[0])
    nonce_bytes = _b64decode(nonce, names[1])
    if len(nonce_bytes) != NONCE_BYTES:
        raise InvalidLengthError(
            f"{names[1]} decodes to {len(nonce_bytes)} bytes; a NaCl box nonce is 24 bytes (32 base64 characters)",
            field=names[1],
        )
    try:
        plaintext = box.decrypt(ct, nonce_bytes)
    except nacl.exceptions.CryptoError:
        raise DecryptionError(
            f"could not decrypt {what}: the box did not open - the key pair is wrong, or "
            f"{names[0]} or {names[1]} was altered",
            field=what,
        ) from None
    return _utf8(plaintext, what)


def decrypt_asymmetric(ciphertext: str, nonce: str, public_key: str, private_key: str) -> str:
    """``nacl.box.open(ciphertext, nonce, public_key, private_key)`` as UTF-8 text."""
    return _decrypt_box(ciphertext, nonce, public_key, private_key, "ciphertext", ("ciphertext", "nonce"))


# --------------------------------------------------------------------------------------------
# key wrapping


def wrap_project_key_for_service_token(project_key: str, token_key: str) -> SymmetricCiphertext:
    """Encrypt the project key under a service token's 4th part, as the dashboard does (§4.3).

    The result is the token document's ``encryptedKey`` (``ciphertext``), ``iv`` and ``tag``.
    """
    return _encrypt(project_key, token_key, "project_key", "token_key")


def _field(obj: Mapping[str, Any], name: str, what: str) -> Any:
    try:
        return obj[name]
    except KeyError:
        raise MalformedObjectError(f"{what} has no {name!r} field") from None
    except TypeError:
        raise MalformedObjectError(f"{what} must be a JSON object (a mapping), got {type(obj).__name__}") from None


def unwrap_project_key_for_service_token(service_token_data: Mapping[str, Any], token: Union[str, _HasTokenKey]) -> str:
    """The project key, from a ``GET /api/v2/service-token`` document and the full token.

    ``token`` is the full ``st.<id>.<secret>.<key>`` token (or a :class:`ServiceToken`): its last
    part is the AES key that wraps the project key.
    """
    token_key = service_token_parts(token)[2] if isinstance(token, str) else _token_key(token)
    what = "the service-token document"
    return _decrypt(
        _field(service_token_data, "encryptedKey", what),
        _field(service_token_data, "iv", what),
        _field(service_token_data, "tag", what),
        token_key,
        "the project key (encryptedKey)",
        ("encryptedKey", "iv", "tag"),
    )


def wrap_project_key_for_service_account(project_key: str, public_key: str, private_key: str) -> AsymmetricCiphertext:
    """Box the project key for a service account with its own key pair (§4.4).

    The dashboard encrypts with the service account's public key *and* its private key, so the
    account opens the box with its own public key as the sender key.
    """
    return _encrypt_box(project_key, public_key, private_key, "project_key")


def unwrap_project_key_for_service_account(key_record: Mapping[str, Any], public_key: str, private_key: str) -> str:
    """The project key, from a ``GET /api/v2/service-accounts/:id/keys`` record and the key pair."""
    what = "the service-account key record"
    return _decrypt_box(
        _field(key_record, "encryptedKey", what),
        _field(key_record, "nonce", what),
        public_key,
        private_key,
        "the project key (encryptedKey)",
        ("encryptedKey", "nonce"),
    )


# --------------------------------------------------------------------------------------------
# secrets


def encrypt_secret(name: str, value: str, project_key: str, comment: str = "") -> EncryptedSecret:
    """The nine cipher fields of a secret, each part under its own 16-byte IV."""
    k = _encrypt(name, project_key, "name", "project_key")
    v = _encrypt(value, project_key, "value", "project_key")
    c = _encrypt(comment, project_key, "comment", "project_key")
    return EncryptedSecret(
        secretKeyCiphertext=k.ciphertext,
        secretKeyIV=k.iv,
        secretKeyTag=k.tag,
        secretValueCiphertext=v.ciphertext,
        secretValueIV=v.iv,
        secretValueTag=v.tag,
        secretCommentCiphertext=c.ciphertext,
        secretCommentIV=c.iv,
        secretCommentTag=c.tag,
    )


#: the one home of the cipher field names: each encrypted part of a secret → its (ciphertext, IV, tag) fields
CIPHER_FIELDS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        prefix: (f"{prefix}Ciphertext", f"{prefix}IV", f"{prefix}Tag")
        for prefix in ("secretKey", "secretValue", "secretComment")
    }
)


def cipher_fields(prefix: str, sealed: SymmetricCiphertext) -> dict[str, str]:
    """One sealed part of a secret as its three fields: ``cipher_fields("secretValue", sealed)``."""
    names = CIPHER_FIELDS[prefix]
    return {names[0]: sealed.ciphertext, names[1]: sealed.iv, names[2]: sealed.tag}


_SECRET_OBJECT = "the secret object"


def _secret_part(secret: Mapping[str, Any], prefix: str, key: Union[str, AESGCM]) -> str:
    names = CIPHER_FIELDS[prefix]
    try:
        ct, iv, tag = secret[names[0]], secret[names[1]], secret[names[2]]
    except KeyError as missing:
        hint = ""
        if "secretValue" in secret or "secretKey" in secret:
            hint = " (it looks like a raw secret from /api/v3/secrets/raw: its secretValue is already plaintext)"
        raise MalformedObjectError(f"{_SECRET_OBJECT} has no {missing.args[0]!r} field{hint}") from None
    except TypeError:
        raise MalformedObjectError(
            f"{_SECRET_OBJECT} must be a JSON object (a mapping), got {type(secret).__name__}"
        ) from None
    return _decrypt(ct, iv, tag, key, prefix, names, "project_key")


def _comment(secret: Mapping[str, Any], key: Union[str, AESGCM]) -> str:
    if not secret.get("secretCommentIV") and not secret.get("secretCommentCiphertext"):
        return ""
    return _secret_part(secret, "secretComment", key)


def decrypt_secret(secret: Mapping[str, Any], project_key: str) -> DecryptedSecret:
    """Decrypt one encrypted secret object (as ``GET /api/v3/secrets`` returns them)."""
    version = secret.get("version") if isinstance(secret, Mapping) else None
    return DecryptedSecret(
        name=_secret_part(secret, "secretKey", project_key),
        value=_secret_part(secret, "secretValue", project_key),
        comment=_comment(secret, project_key),
        type=str(secret.get("type", "shared")),
        id=secret.get("id") or secret.get("_id"),
        version=version if isinstance(version, int) else None,
    )


def _secret_list(obj: Any, what: str) -> Sequence[Mapping[str, Any]]:
    if isinstance(obj, (list, tuple)):
        return obj
    raise MalformedObjectError(f"{what} must be a JSON array of secret objects, got {type(obj).__name__}")


def _resolve_key(
    project_key: Optional[str],
    service_token: Union[str, _HasTokenKey, None],
    service_token_data: Optional[Mapping[str, Any]],
    service_account: Optional[_HasKeyPair],
    key_record: Optional[Mapping[str, Any]],
) -> str:
    ways = [
        project_key is not None,
        service_token is not None or service_token_data is not None,
        service_account is not None or key_record is not None,
    ]
    if sum(ways) != 1:
        raise UsageError(
            "decrypt_secrets() needs exactly one way to get the project key: project_key=, "
            "or service_token= with service_token_data=, or service_account= with key_record="
        )
    if project_key is not None:
        return project_key
    if service_token is not None or service_token_data is not None:
        if service_token is None or service_token_data is None:
            raise UsageError("service_token= and service_token_data= go together")
        return unwrap_project_key_for_service_token(service_token_data, service_token)
    if service_account is None or key_record is None:
        raise UsageError("service_account= and key_record= go together")
    public_key = getattr(service_account, "public_key", None)
    private_key = getattr(service_account, "private_key", None)
    if public_key is None or private_key is None:
        raise MalformedObjectError(
            "service_account= must have public_key and private_key attributes (a ServiceAccount or a KeyPair), "
            f"got {type(service_account).__name__}"
        )
    return unwrap_project_key_for_service_account(key_record, public_key, private_key)


def _parse_json(text: Union[str, bytes]) -> Any:
    import json

    try:
        return json.loads(text)
    except RecursionError:
        raise MalformedObjectError(
            "the secrets response nests arrays or objects too deeply to parse (an API response is a few levels deep)"
        ) from None
    except ValueError as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise MalformedObjectError(
            f"the secrets response is not valid JSON{where}: {getattr(error, 'msg', error)}"
        ) from None


def decrypt_secrets(
    response: Union[Mapping[str, Any], Sequence[Mapping[str, Any]], str, bytes],
    *,
    project_key: Optional[str] = None,
    service_token: Union[str, _HasTokenKey, None] = None,
    service_token_data: Optional[Mapping[str, Any]] = None,
    service_account: Optional[_HasKeyPair] = None,
    key_record: Optional[Mapping[str, Any]] = None,
) -> PlaintextSecrets:
    """Decrypt a whole ``GET /api/v3/secrets`` response (parsed, or its JSON text; or a list of secret objects).

    Give the project key directly, or a full service token with its ``GET /api/v2/service-token``
    document, or a service account (anything with ``public_key``/``private_key``) with its
    ``GET /api/v2/service-accounts/:id/keys`` record.
    """
    key = _resolve_key(project_key, service_token, service_token_data, service_account, key_record)
    if isinstance(response, (str, bytes)):
        response = _parse_json(response)
    if isinstance(response, Mapping):
        own = _secret_list(_field(response, "secrets", "the secrets response"), "'secrets'")
        imports = response.get("imports") or []
    else:
        own, imports = _secret_list(response, "the secrets"), []
    values: dict[str, str] = {}
    comments: dict[str, str] = {}
    types: dict[str, str] = {}
    decrypt = _secret_part
    # the cipher is set up once for this call (and only when there is something to decrypt); nothing keeps it
    aes: Union[str, AESGCM] = _aesgcm(key, "project_key") if own or imports else key

    def add(batch: Iterable[Mapping[str, Any]], kind: str) -> None:
        for secret in batch:
            name = decrypt(secret, "secretKey", aes)
            values[name] = decrypt(secret, "secretValue", aes)
            comments[name] = _comment(secret, aes)
            types[name] = kind

    for imported in _secret_list(imports, "'imports'"):
        add(_secret_list(_field(imported, "secrets", "an 'imports' entry"), "an import's 'secrets'"), "imported")
    personal = [s for s in own if isinstance(s, Mapping) and s.get("type") == "personal"]
    add((s for s in own if not (isinstance(s, Mapping) and s.get("type") == "personal")), "shared")
    add(personal, "personal")
    return PlaintextSecrets(values, comments, types)
