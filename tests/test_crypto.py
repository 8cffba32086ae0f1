"""Infisical's cryptography: the PROTOCOL.md §4.6 test vectors, round trips and every bad input."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_infisical import crypto
from pytest_infisical.credentials import ServiceAccount, ServiceToken
from pytest_infisical.errors import (
    CryptoError,
    DecryptionError,
    InvalidEncodingError,
    InvalidKeyError,
    InvalidLengthError,
    MalformedObjectError,
    UsageError,
)

# ---- PROTOCOL.md §4.6 -----------------------------------------------------------------------
PROJECT_KEY = "0123456789abcdef0123456789abcdef"
TOKEN_KEY = "fedcba9876543210fedcba9876543210"
WRAPPED = {
    "encryptedKey": "6xd2SOrC501dZeeeHKboRIy6RzOMNs9J2EZmAdSBdeg=",
    "iv": "AAECAwQFBgcICQoLDA0ODw==",
    "tag": "6UAcg1n2hrhyPU1DJRTFvw==",
}
NAME = {
    "secretKeyCiphertext": "6FW3SIXQ4NUYmy4=",
    "secretKeyIV": "EBESExQVFhcYGRobHB0eHw==",
    "secretKeyTag": "TvWbCVWL1XbvvJLLwwnETw==",
}
VALUE = {
    "secretValueCiphertext": "FlFXEEnZWQ==",
    "secretValueIV": "ICEiIyQlJicoKSorLC0uLw==",
    "secretValueTag": "EZ/OLTWVi/2r50IGxH3YBA==",
}
EMPTY = {"ciphertext": "", "iv": "MDEyMzQ1Njc4OTo7PD0+Pw==", "tag": "TU4uvZ1WJ/+svOhwtsYluw=="}
SA_PUBLIC = "B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw="
SA_PRIVATE = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
SA_NONCE = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"
SA_BOX = "5aCM2Pa5KyFUMDfFVLBcEEXI5SbYbAGfH00Q6n0rQjWOC4zfnO4XjdEFIilAxBrc"
FULL_TOKEN = f"st.{'64a0' * 6}.{'ab' * 16}.{TOKEN_KEY}"


def _fixed_urandom(monkeypatch: pytest.MonkeyPatch, *chunks: bytes) -> None:
    pending = list(chunks)
    monkeypatch.setattr("pytest_infisical.crypto.os.urandom", lambda n: pending.pop(0))


def test_vector_project_key_wrapped_under_token_key_decrypts() -> None:
    assert crypto.decrypt_symmetric(WRAPPED["encryptedKey"], WRAPPED["iv"], WRAPPED["tag"], TOKEN_KEY) == PROJECT_KEY


def test_vector_project_key_wrapping_is_byte_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    _fixed_urandom(monkeypatch, bytes(range(16)))
    wrapped = crypto.wrap_project_key_for_service_token(PROJECT_KEY, TOKEN_KEY)
    assert (wrapped.ciphertext, wrapped.iv, wrapped.tag) == (WRAPPED["encryptedKey"], WRAPPED["iv"], WRAPPED["tag"])


def test_vector_secret_name_value_and_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    _fixed_urandom(monkeypatch, bytes(range(0x10, 0x20)), bytes(range(0x20, 0x30)), bytes(range(0x30, 0x40)))
    fields = crypto.encrypt_secret("DB_PASSWORD", "hunter2", PROJECT_KEY).to_dict()
    assert {k: fields[k] for k in NAME} == NAME
    assert {k: fields[k] for k in VALUE} == VALUE
    assert (fields["secretCommentCiphertext"], fields["secretCommentIV"], fields["secretCommentTag"]) == (
        EMPTY["ciphertext"],
        EMPTY["iv"],
        EMPTY["tag"],
    )


def test_vector_empty_plaintext_decrypts_to_empty_string() -> None:
    assert crypto.decrypt_symmetric(EMPTY["ciphertext"], EMPTY["iv"], EMPTY["tag"], PROJECT_KEY) == ""


def test_vector_nacl_box_is_tweetnacl_compatible(monkeypatch: pytest.MonkeyPatch) -> None:
    assert crypto.decrypt_asymmetric(SA_BOX, SA_NONCE, SA_PUBLIC, SA_PRIVATE) == PROJECT_KEY
    _fixed_urandom(monkeypatch, bytes(range(24)))
    boxed = crypto.wrap_project_key_for_service_account(PROJECT_KEY, SA_PUBLIC, SA_PRIVATE)
    assert (boxed.ciphertext, boxed.nonce) == (SA_BOX, SA_NONCE)
    assert len(base64.b64decode(boxed.ciphertext)) == 48


def test_unwrap_for_service_token_uses_the_fourth_part() -> None:
    document = {**WRAPPED, "_id": "64a0" * 6, "name": "ci"}
    assert crypto.unwrap_project_key_for_service_token(document, FULL_TOKEN) == PROJECT_KEY
    assert crypto.unwrap_project_key_for_service_token(document, ServiceToken.parse(FULL_TOKEN)) == PROJECT_KEY


def test_unwrap_for_service_account_opens_its_own_box() -> None:
    record = {"encryptedKey": SA_BOX, "nonce": SA_NONCE, "workspace": "64a0" * 6}
    assert crypto.unwrap_project_key_for_service_account(record, SA_PUBLIC, SA_PRIVATE) == PROJECT_KEY


def test_a_12_byte_iv_is_accepted_on_decrypt() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    iv = bytes(12)
    sealed = AESGCM(PROJECT_KEY.encode()).encrypt(iv, b"twelve", None)
    b64 = base64.b64encode
    assert (
        crypto.decrypt_symmetric(b64(sealed[:-16]).decode(), b64(iv).decode(), b64(sealed[-16:]).decode(), PROJECT_KEY)
        == "twelve"
    )


def test_generated_project_key_is_32_lowercase_hex() -> None:
    keys = {crypto.generate_project_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys)


def test_generated_key_pair_works_as_a_box_pair_and_hides_the_private_half() -> None:
    pair = crypto.generate_key_pair()
    assert len(base64.b64decode(pair.public_key)) == len(base64.b64decode(pair.private_key)) == 32
    boxed = crypto.encrypt_asymmetric("x", pair.public_key, pair.private_key)
    assert crypto.decrypt_asymmetric(boxed.ciphertext, boxed.nonce, pair.public_key, pair.private_key) == "x"
    assert pair.private_key not in repr(pair)
    assert pair.public_key in repr(pair)


def test_each_encryption_uses_a_fresh_16_byte_iv() -> None:
    first, second = (crypto.encrypt_symmetric("same", PROJECT_KEY) for _ in range(2))
    assert first.iv != second.iv
    assert len(base64.b64decode(first.iv)) == 16 and len(base64.b64decode(first.tag)) == 16


# ---- round trips ----------------------------------------------------------------------------
texts = st.one_of(st.just(""), st.text(), st.text(min_size=2000, max_size=5000))


@given(texts)
@settings(max_examples=60, deadline=None)
def test_symmetric_round_trip(text: str) -> None:
    sealed = crypto.encrypt_symmetric(text, PROJECT_KEY)
    assert crypto.decrypt_symmetric(sealed.ciphertext, sealed.iv, sealed.tag, PROJECT_KEY) == text


@given(texts)
@settings(max_examples=40, deadline=None)
def test_asymmetric_round_trip(text: str) -> None:
    sealed = crypto.encrypt_asymmetric(text, SA_PUBLIC, SA_PRIVATE)
    assert crypto.decrypt_asymmetric(sealed.ciphertext, sealed.nonce, SA_PUBLIC, SA_PRIVATE) == text


@given(st.text(min_size=1), texts, texts)
@settings(max_examples=40, deadline=None)
def test_secret_round_trip(name: str, value: str, comment: str) -> None:
    fields = crypto.encrypt_secret(name, value, PROJECT_KEY, comment=comment).to_dict()
    plain = crypto.decrypt_secret({**fields, "type": "shared", "_id": "x", "version": 3}, PROJECT_KEY)
    assert (plain.name, plain.value, plain.comment, plain.version, plain.id) == (name, value, comment, 3, "x")


# ---- whole responses --------------------------------------------------------------------------
def _secret(name: str, value: str, type_: str = "shared", comment: str = "") -> dict[str, Any]:
    return {
        "_id": name,
        "type": type_,
        "version": 1,
        **crypto.encrypt_secret(name, value, PROJECT_KEY, comment).to_dict(),
    }


def test_decrypt_secrets_applies_imports_then_shared_then_personal() -> None:
    response = {
        "secrets": [
            _secret("A", "personal-a", "personal"),
            _secret("A", "shared-a", comment="note"),
            _secret("B", "b"),
        ],
        "imports": [
            {
                "secretPath": "/x",
                "environment": "prod",
                "folderId": "root",
                "secrets": [_secret("C", "first"), _secret("B", "imported-b")],
            },
            {"secretPath": "/y", "environment": "prod", "folderId": "f", "secrets": [_secret("C", "second")]},
        ],
    }
    plain = crypto.decrypt_secrets(response, project_key=PROJECT_KEY)
    assert dict(plain) == {"A": "personal-a", "B": "b", "C": "second"}
    assert plain.types == {"A": "personal", "B": "shared", "C": "imported"}
    assert plain.comments["B"] == ""
    assert "personal-a" not in repr(plain) and "'A'" in repr(plain)


def test_decrypt_secrets_with_a_service_token_and_its_document() -> None:
    project_secret = _secret("DB_PASSWORD", "hunter2")
    plain = crypto.decrypt_secrets([project_secret], service_token=FULL_TOKEN, service_token_data=WRAPPED)
    assert dict(plain) == {"DB_PASSWORD": "hunter2"}


def test_decrypt_secrets_with_a_service_account_and_its_key_record() -> None:
    account = ServiceAccount.generate(public_key=SA_PUBLIC, private_key=SA_PRIVATE)
    plain = crypto.decrypt_secrets(
        {"secrets": [_secret("K", "v")]},
        service_account=account,
        key_record={"encryptedKey": SA_BOX, "nonce": SA_NONCE},
    )
    assert dict(plain) == {"K": "v"}


_ONE_WAY = (
    "decrypt_secrets() needs exactly one way to get the project key: project_key=, "
    "or service_token= with service_token_data=, or service_account= with key_record="
)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, _ONE_WAY),
        ({"project_key": PROJECT_KEY, "service_token": FULL_TOKEN}, _ONE_WAY),
        ({"service_token": FULL_TOKEN}, "service_token= and service_token_data= go together"),
        ({"key_record": {}}, "service_account= and key_record= go together"),
    ],
)
def test_decrypt_secrets_needs_exactly_one_key_source(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as info:
        crypto.decrypt_secrets([], **kwargs)
    assert str(info.value) == message
    assert isinstance(info.value, TypeError)  # what it raised before UsageError existed


# ---- bad input: typed errors naming the field, never leaking ------------------------------------
def _flip(b64: str, index: int = 0) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"secretValueCiphertext": _flip(VALUE["secretValueCiphertext"])}, "secretValue"),
        ({"secretValueIV": _flip(VALUE["secretValueIV"])}, "secretValue"),
        ({"secretValueTag": _flip(VALUE["secretValueTag"], 15)}, "secretValue"),
        ({"secretKeyCiphertext": _flip(NAME["secretKeyCiphertext"], 3)}, "secretKey"),
        (
            {"secretValueTag": base64.b64encode(base64.b64decode(VALUE["secretValueTag"])[:15]).decode()},
            "secretValueTag",
        ),
    ],
)
def test_tampering_raises_decryption_error_naming_the_field(change: dict[str, str], field: str) -> None:
    secret = {**NAME, **VALUE, **change}
    with pytest.raises(DecryptionError) as info:
        crypto.decrypt_secret(secret, PROJECT_KEY)
    assert info.value.field == field
    assert field in str(info.value)
    # no raw InvalidTag in the traceback the user sees
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_truncated_tag_message() -> None:
    short = base64.b64encode(b"\0" * 15).decode()
    with pytest.raises(
        DecryptionError,
        match=r"^could not decrypt ciphertext: tag decodes to 15 bytes, an AES-GCM tag is 16 bytes \(was it truncated\?\)$",
    ):
        crypto.decrypt_symmetric(EMPTY["ciphertext"], EMPTY["iv"], short, PROJECT_KEY)


def test_wrong_key_message_does_not_echo_the_key() -> None:
    wrong = "f" * 32
    with pytest.raises(DecryptionError) as info:
        crypto.decrypt_symmetric(VALUE["secretValueCiphertext"], VALUE["secretValueIV"], VALUE["secretValueTag"], wrong)
    assert str(info.value) == (
        "could not decrypt ciphertext: authentication failed - the key is wrong, or ciphertext, iv or tag was altered"
    )
    assert wrong not in str(info.value)


def test_wrong_token_key_names_the_project_key() -> None:
    other = f"st.{'64a0' * 6}.{'ab' * 16}.{'0' * 32}"
    with pytest.raises(DecryptionError, match=r"could not decrypt the project key \(encryptedKey\)"):
        crypto.unwrap_project_key_for_service_token(WRAPPED, other)


def test_wrong_key_pair_cannot_open_the_box() -> None:
    other = crypto.generate_key_pair()
    with pytest.raises(DecryptionError, match="the box did not open - the key pair is wrong"):
        crypto.decrypt_asymmetric(SA_BOX, SA_NONCE, other.public_key, other.private_key)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            ("!!!!", EMPTY["iv"], EMPTY["tag"], PROJECT_KEY),
            InvalidEncodingError,
            "ciphertext is not valid standard base64 with '=' padding (A-Z a-z 0-9 + /, length a multiple of 4)",
        ),
        (
            ("", "AAEC", EMPTY["tag"], PROJECT_KEY),
            InvalidLengthError,
            "iv decodes to 3 bytes; Infisical IVs are 16 bytes (12-byte IVs are accepted too)",
        ),
        (
            ("", EMPTY["iv"], "6UAcg1n2hrhyPU1DJRTFvw", PROJECT_KEY),
            InvalidEncodingError,
            "tag is not valid standard base64 with '=' padding (A-Z a-z 0-9 + /, length a multiple of 4)",
        ),
        (
            ("", EMPTY["iv"], EMPTY["tag"], "short"),
            InvalidLengthError,
            "key is 5 bytes as UTF-8; Infisical's AES key is a 32-character hex string whose 32 UTF-8 bytes "
            "are the AES-256 key (generate one with generate_project_key())",
        ),
        (
            (None, EMPTY["iv"], EMPTY["tag"], PROJECT_KEY),
            InvalidEncodingError,
            "ciphertext must be a string of standard base64 with '=' padding, got NoneType",
        ),
        (
            ("", EMPTY["iv"], EMPTY["tag"], 1234),
            InvalidLengthError,
            "key must be a 32-character hex string, got int",
        ),
    ],
)
def test_bad_symmetric_input_gets_a_typed_error(args: tuple[Any, ...], error: type[CryptoError], message: str) -> None:
    with pytest.raises(CryptoError) as info:
        crypto.decrypt_symmetric(*args)
    assert type(info.value) is error
    assert str(info.value) == message


def test_a_key_of_32_utf8_bytes_is_a_valid_aes_key_just_not_this_one() -> None:
    key = "é" * 16  # 16 characters, 32 UTF-8 bytes: the length rule counts bytes
    with pytest.raises(DecryptionError) as info:
        crypto.decrypt_symmetric(EMPTY["ciphertext"], EMPTY["iv"], EMPTY["tag"], key)
    assert str(info.value) == (
        "could not decrypt ciphertext: authentication failed - the key is wrong, or ciphertext, iv or tag was altered"
    )
    sealed = crypto.encrypt_symmetric("x", key)
    assert crypto.decrypt_symmetric(sealed.ciphertext, sealed.iv, sealed.tag, key) == "x"


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ((SA_BOX, "AAEC", SA_PUBLIC, SA_PRIVATE), "nonce", r"^nonce decodes to 3 bytes; a NaCl box nonce is 24 bytes"),
        (
            (SA_BOX, SA_NONCE, "AAEC", SA_PRIVATE),
            "public_key",
            r"^public_key decodes to 3 bytes; a NaCl box key is 32 bytes",
        ),
        ((SA_BOX, SA_NONCE, SA_PUBLIC, "not base64!"), "private_key", r"^private_key is not valid standard base64"),
        (("%%%%", SA_NONCE, SA_PUBLIC, SA_PRIVATE), "ciphertext", r"^ciphertext is not valid standard base64"),
    ],
)
def test_bad_asymmetric_input_names_the_field(args: tuple[str, ...], field: str, message: str) -> None:
    with pytest.raises(CryptoError, match=message) as info:
        crypto.decrypt_asymmetric(*args)
    assert info.value.field == field


def test_missing_fields_are_named() -> None:
    with pytest.raises(MalformedObjectError, match=r"^the secret object has no 'secretValueIV' field$"):
        crypto.decrypt_secret({**NAME, "secretValueCiphertext": "", "secretValueTag": ""}, PROJECT_KEY)
    with pytest.raises(MalformedObjectError, match="looks like a raw secret"):
        crypto.decrypt_secret({"secretKey": "A", "secretValue": "plain"}, PROJECT_KEY)
    with pytest.raises(MalformedObjectError, match=r"^the service-token document has no 'tag' field$"):
        crypto.unwrap_project_key_for_service_token({"encryptedKey": "", "iv": ""}, FULL_TOKEN)
    with pytest.raises(MalformedObjectError, match=r"^the secrets response has no 'secrets' field$"):
        crypto.decrypt_secrets({"secret": {}}, project_key=PROJECT_KEY)
    with pytest.raises(MalformedObjectError, match="must be a JSON array"):
        crypto.decrypt_secrets({"secrets": "nope"}, project_key=PROJECT_KEY)


def test_non_utf8_plaintext_is_a_typed_error() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    iv = bytes(16)
    sealed = AESGCM(PROJECT_KEY.encode()).encrypt(iv, b"\xff\xfe", None)
    b64 = base64.b64encode
    with pytest.raises(InvalidEncodingError, match="not UTF-8"):
        crypto.decrypt_symmetric(b64(sealed[:-16]).decode(), b64(iv).decode(), b64(sealed[-16:]).decode(), PROJECT_KEY)


def test_non_utf8_box_plaintext_is_a_typed_error_naming_the_ciphertext() -> None:
    import nacl.public

    sender, recipient = crypto.generate_key_pair(), crypto.generate_key_pair()
    box = nacl.public.Box(
        nacl.public.PrivateKey(base64.b64decode(sender.private_key)),
        nacl.public.PublicKey(base64.b64decode(recipient.public_key)),
    )
    nonce = bytes(24)
    sealed = box.encrypt(b"\xff\xfe", nonce).ciphertext
    with pytest.raises(InvalidEncodingError) as info:
        crypto.decrypt_asymmetric(
            base64.b64encode(sealed).decode(),
            base64.b64encode(nonce).decode(),
            sender.public_key,
            recipient.private_key,
        )
    assert str(info.value) == "ciphertext decrypted, but the plaintext is not UTF-8 text as Infisical stores it"
    assert info.value.field == "ciphertext"


def test_errors_are_value_errors_for_existing_handlers() -> None:
    with pytest.raises(ValueError, match="not valid standard base64"):
        crypto.decrypt_symmetric("@", EMPTY["iv"], EMPTY["tag"], PROJECT_KEY)


def test_decrypted_secret_repr_hides_value_and_comment() -> None:
    plain = crypto.decrypt_secret({**_secret("NAME", "hunter2", comment="the db password")}, PROJECT_KEY)
    assert "hunter2" not in repr(plain) and "db password" not in repr(plain)
    assert "NAME" in repr(plain)


def test_decrypt_secrets_takes_json_text_and_explains_broken_json() -> None:
    import json

    body = json.dumps({"secrets": [_secret("A", "1")], "imports": []})
    assert dict(crypto.decrypt_secrets(body, project_key=PROJECT_KEY)) == {"A": "1"}
    assert dict(crypto.decrypt_secrets(body.encode(), project_key=PROJECT_KEY)) == {"A": "1"}
    with pytest.raises(
        MalformedObjectError, match=r"^the secrets response is not valid JSON \(line 1, column 13\): Expecting value$"
    ):
        crypto.decrypt_secrets('{"secrets": ', project_key=PROJECT_KEY)


# ---- inputs the fuzzing found: each a typed error naming the field ------------------------------
_SURROGATE = "x\ud800y"


@pytest.mark.parametrize(
    ("call", "error", "field", "message"),
    [
        (
            lambda: crypto.encrypt_symmetric(_SURROGATE, PROJECT_KEY),
            InvalidEncodingError,
            "plaintext",
            "plaintext is not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        (
            lambda: crypto.decrypt_symmetric(EMPTY["ciphertext"], EMPTY["iv"], EMPTY["tag"], "\udc00" * 32),
            InvalidEncodingError,
            "key",
            "key is not valid Unicode text: a lone surrogate at index 0 has no UTF-8 encoding",
        ),
        (
            lambda: crypto.encrypt_secret("NAME", _SURROGATE, PROJECT_KEY),
            InvalidEncodingError,
            "value",
            "value is not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        (
            lambda: crypto.encrypt_secret("NAME", "v", PROJECT_KEY, comment=_SURROGATE),
            InvalidEncodingError,
            "comment",
            "comment is not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        (
            lambda: crypto.encrypt_asymmetric(_SURROGATE, SA_PUBLIC, SA_PRIVATE),
            InvalidEncodingError,
            "plaintext",
            "plaintext is not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        (
            lambda: crypto.wrap_project_key_for_service_token(PROJECT_KEY, "short"),
            InvalidLengthError,
            "token_key",
            "token_key is 5 bytes as UTF-8; Infisical's AES key is a 32-character hex string whose 32 UTF-8 "
            "bytes are the AES-256 key (generate one with generate_project_key())",
        ),
        (
            lambda: crypto.decrypt_secrets({"secrets": [_secret("A", "1")]}, project_key=7),  # type: ignore[arg-type]
            InvalidLengthError,
            "project_key",
            "project_key must be a 32-character hex string, got int",
        ),
        (
            lambda: crypto.decrypt_asymmetric(SA_BOX, SA_NONCE, [SA_PUBLIC], SA_PRIVATE),  # type: ignore[arg-type]
            InvalidEncodingError,
            "public_key",
            "public_key must be a string of standard base64 with '=' padding, got list",
        ),
        (
            lambda: crypto.decrypt_asymmetric(SA_BOX, SA_NONCE, SA_PUBLIC, None),  # type: ignore[arg-type]
            InvalidEncodingError,
            "private_key",
            "private_key must be a string of standard base64 with '=' padding, got NoneType",
        ),
        (
            lambda: crypto.decrypt_asymmetric(SA_BOX, SA_NONCE, base64.b64encode(bytes(32)).decode(), SA_PRIVATE),
            InvalidKeyError,
            "public_key",
            "public_key is a low-order point of Curve25519: no private key can share a secret with it "
            "(use a public key from generate_key_pair())",
        ),
    ],
)
def test_inputs_the_fuzzing_found(call: Any, error: type[CryptoError], field: str, message: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
    assert info.value.field == field


def test_deeply_nested_json_text_is_a_typed_error() -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"secrets": ' * 50_000):
        with pytest.raises(MalformedObjectError) as info:
            crypto.decrypt_secrets(text, project_key=PROJECT_KEY)
        assert str(info.value) == (
            "the secrets response nests arrays or objects too deeply to parse (an API response is a few levels deep)"
        )


def test_a_service_account_argument_needs_a_key_pair() -> None:
    with pytest.raises(MalformedObjectError) as info:
        crypto.decrypt_secrets([], service_account={"public_key": SA_PUBLIC}, key_record={})  # type: ignore[arg-type]
    assert str(info.value) == (
        "service_account= must have public_key and private_key attributes (a ServiceAccount or a KeyPair), got dict"
    )


def test_crypto_does_not_import_the_credential_types() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pytest_infisical import crypto\n"
        f"print(crypto.unwrap_project_key_for_service_token({WRAPPED!r}, {FULL_TOKEN!r}))\n"
        "print('pytest_infisical.credentials' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [PROJECT_KEY, "False"]


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (
            f"st.{'64a0' * 6}.{'ab' * 16}",
            "service token has 3 dot-separated parts; expected 4 ('st.<24 hex id>.<32 hex secret>.<32 hex key>'): "
            "the last part, the key, is missing - an Authorization header carries only 'st.<id>.<secret>', but the "
            "full token from the dashboard ends with the key that decrypts the project key",
        ),
        (
            f"st.{'64a0' * 6}.{'ab' * 16}.{TOKEN_KEY}0",
            "service token: the key part is 33 characters; expected 32 lowercase hex characters",
        ),
        (
            f"st.{'64a0' * 6}.{'ab' * 16}.{TOKEN_KEY.upper()}",
            "service token: the key part has upper-case letters; Infisical issues lowercase hex and its SDKs reject "
            "upper case",
        ),
    ],
)
def test_a_malformed_token_string_is_a_credential_format_error(token: str, message: str) -> None:
    from pytest_infisical.errors import CredentialFormatError

    with pytest.raises(CredentialFormatError) as info:
        crypto.unwrap_project_key_for_service_token(WRAPPED, token)
    assert str(info.value) == message
    with pytest.raises(CredentialFormatError) as via_secrets:
        crypto.decrypt_secrets({"secrets": []}, service_token=token, service_token_data=WRAPPED)
    assert str(via_secrets.value) == message


def test_a_token_that_is_neither_text_nor_a_service_token_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        crypto.unwrap_project_key_for_service_token(WRAPPED, 1234)  # type: ignore[arg-type]
    assert str(info.value) == (
        "the service token must be the full 'st.<id>.<secret>.<key>' text or a ServiceToken, got int"
    )


def test_anything_with_the_token_key_unwraps() -> None:
    class Parsed:
        key = TOKEN_KEY

    assert crypto.unwrap_project_key_for_service_token(WRAPPED, Parsed()) == PROJECT_KEY


_ALTERED_NONCE = base64.b64encode(bytes(24)).decode()
_TOKEN_KEY_FAILED = (
    "could not decrypt the project key (encryptedKey): authentication failed - the key is wrong, "
    "or encryptedKey, iv or tag was altered"
)
_BOX_FAILED = (
    "could not decrypt the project key (encryptedKey): the box did not open - the key pair is wrong, "
    "or encryptedKey or nonce was altered"
)


@pytest.mark.parametrize(
    ("call", "error", "field", "message"),
    [
        (
            lambda: crypto.unwrap_project_key_for_service_token({**WRAPPED, "tag": EMPTY["tag"]}, FULL_TOKEN),
            DecryptionError,
            "the project key (encryptedKey)",
            _TOKEN_KEY_FAILED,
        ),
        (
            lambda: crypto.unwrap_project_key_for_service_token({"iv": "", "tag": ""}, FULL_TOKEN),
            MalformedObjectError,
            None,
            "the service-token document has no 'encryptedKey' field",
        ),
        (
            lambda: crypto.unwrap_project_key_for_service_token({"encryptedKey": "", "tag": ""}, FULL_TOKEN),
            MalformedObjectError,
            None,
            "the service-token document has no 'iv' field",
        ),
        (
            lambda: crypto.unwrap_project_key_for_service_token("encryptedKey", FULL_TOKEN),  # type: ignore[arg-type]
            MalformedObjectError,
            None,
            "the service-token document must be a JSON object (a mapping), got str",
        ),
        (
            lambda: crypto.unwrap_project_key_for_service_account(
                {"encryptedKey": SA_BOX, "nonce": _ALTERED_NONCE}, SA_PUBLIC, SA_PRIVATE
            ),
            DecryptionError,
            "the project key (encryptedKey)",
            _BOX_FAILED,
        ),
        (
            lambda: crypto.unwrap_project_key_for_service_account({"nonce": SA_NONCE}, SA_PUBLIC, SA_PRIVATE),
            MalformedObjectError,
            None,
            "the service-account key record has no 'encryptedKey' field",
        ),
        (
            lambda: crypto.unwrap_project_key_for_service_account({"encryptedKey": SA_BOX}, SA_PUBLIC, SA_PRIVATE),
            MalformedObjectError,
            None,
            "the service-account key record has no 'nonce' field",
        ),
        (
            lambda: crypto.decrypt_asymmetric(SA_BOX, _ALTERED_NONCE, SA_PUBLIC, SA_PRIVATE),
            DecryptionError,
            "ciphertext",
            "could not decrypt ciphertext: the box did not open - the key pair is wrong, or ciphertext or nonce was altered",
        ),
    ],
)
def test_key_unwrapping_errors_name_the_document_and_field(
    call: Any, error: type[CryptoError], field: str | None, message: str
) -> None:
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
    assert getattr(info.value, "field", None) == field  # a malformed document has no one field to name


def test_a_nonce_that_is_not_base64_is_named() -> None:
    with pytest.raises(InvalidEncodingError) as info:
        crypto.decrypt_asymmetric(SA_BOX, "@@@@", SA_PUBLIC, SA_PRIVATE)
    assert info.value.field == "nonce"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda: crypto.wrap_project_key_for_service_token(b"0123", TOKEN_KEY),  # type: ignore[arg-type]
        lambda: crypto.wrap_project_key_for_service_account(b"0123", SA_PUBLIC, SA_PRIVATE),  # type: ignore[arg-type]
    ],
)
def test_a_project_key_that_is_not_text_is_named(wrap: Any) -> None:
    with pytest.raises(CryptoError) as info:
        wrap()
    assert info.value.field == "project_key"


def test_decrypt_secret_reports_its_type_and_id() -> None:
    fields = {k: v for k, v in crypto.encrypt_secret("A", "b", PROJECT_KEY).to_dict().items() if k != "type"}
    personal = crypto.decrypt_secret({**fields, "type": "personal", "id": "s1"}, PROJECT_KEY)
    assert (personal.type, personal.id) == ("personal", "s1")
    assert crypto.decrypt_secret({**fields, "_id": "s2"}, PROJECT_KEY).type == "shared"
    assert (
        crypto.decrypt_secret({**fields, "version": "3"}, PROJECT_KEY).version is None
    )  # only an integer is a version


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({"secrets": "nope"}, "'secrets' must be a JSON array of secret objects, got str"),
        (5, "the secrets must be a JSON array of secret objects, got int"),
        ({"secrets": [], "imports": "nope"}, "'imports' must be a JSON array of secret objects, got str"),
        ({"secrets": [], "imports": [{}]}, "an 'imports' entry has no 'secrets' field"),
        (
            {"secrets": [], "imports": [{"secrets": 1}]},
            "an import's 'secrets' must be a JSON array of secret objects, got int",
        ),
    ],
)
def test_a_secrets_response_of_the_wrong_shape_names_the_part(response: Any, message: str) -> None:
    with pytest.raises(MalformedObjectError) as info:
        crypto.decrypt_secrets(response, project_key=PROJECT_KEY)
    assert str(info.value) == message


def test_nothing_to_decrypt_needs_no_valid_project_key() -> None:
    assert dict(crypto.decrypt_secrets({"secrets": []}, project_key="not a key")) == {}


def test_half_a_key_pair_is_not_a_service_account() -> None:
    from types import SimpleNamespace

    with pytest.raises(MalformedObjectError) as info:
        crypto.decrypt_secrets([], service_account=SimpleNamespace(public_key=SA_PUBLIC), key_record={})
    assert str(info.value) == (
        "service_account= must have public_key and private_key attributes (a ServiceAccount or a KeyPair), "
        "got SimpleNamespace"
    )


def test_response_bytes_that_are_not_utf8_are_named_without_a_position() -> None:
    with pytest.raises(MalformedObjectError) as info:
        crypto.decrypt_secrets(b'"\xff"', project_key=PROJECT_KEY)
    assert str(info.value) == (
        "the secrets response is not valid JSON: 'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
    )


def test_a_secret_that_is_not_an_object_is_a_typed_error() -> None:
    with pytest.raises(MalformedObjectError) as info:
        crypto.decrypt_secret("nope", PROJECT_KEY)  # type: ignore[arg-type]
    assert str(info.value) == "the secret object must be a JSON object (a mapping), got str"
