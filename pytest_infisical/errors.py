"""The exceptions pytest-infisical raises, each with a message a person can act on.

Every error a user can meet derives from :class:`InfisicalTestingError`. Input errors also
derive from :class:`ValueError`, so code that already catches ``ValueError`` keeps working; a
call with arguments that do not go together raises :class:`UsageError`, also a ``TypeError``.
No message ever contains a credential, a project key or a secret value: where a value must be
named, it is shown in its redacted form (see :mod:`pytest_infisical.redact`).
"""

from __future__ import annotations

__all__ = [
    "AdminRequestError",
    "CredentialFormatError",
    "CryptoError",
    "DecryptionError",
    "InfisicalTestingError",
    "InvalidEncodingError",
    "InvalidKeyError",
    "InvalidLengthError",
    "MalformedObjectError",
    "UsageError",
]


class InfisicalTestingError(Exception):
    """Base class of every error raised by pytest-infisical."""


class CryptoError(InfisicalTestingError, ValueError):
    """An input to Infisical's cryptography was unusable."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        #: The name of the input that was wrong, as Infisical names it (``secretValueIV``, ``key`` …).
        self.field = field


class InvalidEncodingError(CryptoError):
    """A field is not valid standard base64, or a decrypted text is not UTF-8."""


class InvalidLengthError(CryptoError):
    """A key, IV or nonce has the wrong number of bytes."""


class InvalidKeyError(CryptoError):
    """A key has the right form but cannot be used (a NaCl public key that is a low-order point)."""


class DecryptionError(CryptoError):
    """Authenticated decryption failed: wrong key, or the ciphertext, IV or tag was altered."""


class MalformedObjectError(InfisicalTestingError, ValueError):
    """An Infisical API object (a secret, a service-token document, a key record) lacks a field
    or has one of the wrong type."""


class CredentialFormatError(InfisicalTestingError, ValueError):
    """A credential (API key, service token, service-account access key) is not well formed."""


class AdminRequestError(InfisicalTestingError, ValueError):
    """A call to ``serve``'s admin API (``/_fake/…``) with input it cannot use; answered with a 400."""


class UsageError(InfisicalTestingError, TypeError):
    """A function was called with arguments that do not go together (``decrypt_secrets()`` with
    two ways to get the project key, or a service token without its document)."""
