"""Every crypto error names the field that was wrong, as the caller named it, and its expected form.

docs/crypto.md: bad input raises a typed error from ``pytest_infisical.errors`` that names the
field and the expected form (``error.field``); the AES key is a 32-character hex string, IVs are
16 bytes (12 accepted), a NaCl key is 32 bytes as standard base64 (PROTOCOL.md §4.2, §4.4).
"""

from __future__ import annotations

import base64
from typing import Any, Callable

import pytest

from pytest_infisical import crypto
from pytest_infisical.errors import CryptoError, InvalidEncodingError, InvalidLengthError

from .test_crypto import EMPTY, PROJECT_KEY, SA_PRIVATE

_AES_KEY_FORM = (
    "Infisical's AES key is a 32-character hex string whose 32 UTF-8 bytes are the AES-256 key "
    "(generate one with generate_project_key())"
)


def _raised(call: Callable[[], Any]) -> CryptoError:
    with pytest.raises(CryptoError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    ("call", "error", "field", "message"),
    [
        (
            lambda: crypto.encrypt_symmetric("x", "short"),
            InvalidLengthError,
            "key",
            f"key is 5 bytes as UTF-8; {_AES_KEY_FORM}",
        ),
        (
            lambda: crypto.encrypt_symmetric(123, PROJECT_KEY),  # type: ignore[arg-type]
            InvalidEncodingError,
            "plaintext",
            "plaintext must be str, got int",
        ),
        (
            lambda: crypto.encrypt_secret(b"DB", "v", PROJECT_KEY),  # type: ignore[arg-type]
            InvalidEncodingError,
            "name",
            "name must be str, got bytes",
        ),
        (
            lambda: crypto.encrypt_secret("DB", "v", "short"),
            InvalidLengthError,
            "project_key",
            f"project_key is 5 bytes as UTF-8; {_AES_KEY_FORM}",
        ),
        (
            lambda: crypto.decrypt_secret({"secretKeyCiphertext": "", "secretKeyIV": "", "secretKeyTag": ""}, "short"),
            InvalidLengthError,
            "project_key",
            f"project_key is 5 bytes as UTF-8; {_AES_KEY_FORM}",
        ),
        (
            lambda: crypto.decrypt_symmetric(42, EMPTY["iv"], EMPTY["tag"], PROJECT_KEY),  # type: ignore[arg-type]
            InvalidEncodingError,
            "ciphertext",
            "ciphertext must be a string of standard base64 with '=' padding, got int",
        ),
        (
            lambda: crypto.decrypt_symmetric("", "not base64!", EMPTY["tag"], PROJECT_KEY),
            InvalidEncodingError,
            "iv",
            "iv is not valid standard base64 with '=' padding (A-Z a-z 0-9 + /, length a multiple of 4)",
        ),
        (
            lambda: crypto.decrypt_symmetric("", "AAEC", EMPTY["tag"], PROJECT_KEY),
            InvalidLengthError,
            "iv",
            "iv decodes to 3 bytes; Infisical IVs are 16 bytes (12-byte IVs are accepted too)",
        ),
        (
            lambda: crypto.decrypt_asymmetric("", "AAEC", "AAEC", SA_PRIVATE),
            InvalidLengthError,
            "public_key",
            "public_key decodes to 3 bytes; a NaCl box key is 32 bytes as standard base64 (44 characters ending in '=')",
        ),
    ],
)
def test_the_error_names_the_field_and_its_form(
    call: Callable[[], Any], error: type[CryptoError], field: str, message: str
) -> None:
    raised = _raised(call)
    assert (type(raised), raised.field, str(raised)) == (error, field, message)


def test_a_plaintext_that_is_not_utf8_is_named_by_the_part_that_held_it() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    iv = bytes(range(16))
    sealed = AESGCM(PROJECT_KEY.encode()).encrypt(iv, b"\xff\xfe", None)
    b64 = base64.b64encode
    raised = _raised(
        lambda: crypto.decrypt_symmetric(
            b64(sealed[:-16]).decode(), b64(iv).decode(), b64(sealed[-16:]).decode(), PROJECT_KEY
        )
    )
    assert (type(raised), raised.field, str(raised)) == (
        InvalidEncodingError,
        "ciphertext",
        "ciphertext decrypted, but the plaintext is not UTF-8 text as Infisical stores it",
    )
