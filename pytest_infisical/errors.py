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
    "CassetteError",
    "CassetteFormatError",
    "CassetteLeakError",
    "CassetteMismatchError",
    "CassetteNotFoundError",
    "CassetteUsageError",
    "CredentialFormatError",
    "CryptoError",
    "DecryptionError",
    "InfisicalTestingError",
    "InvalidEncodingError",
    "InvalidKeyError",
    "InvalidLengthError",
    "MalformedObjectError",
    "UndecryptableSecretError",
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


class UndecryptableSecretError(DecryptionError):
    """A secret the fake holds cannot be decrypted under its project's key: a client wrote it under
    another key. Infisical's own server fails on it too (its bot cannot decrypt it either)."""


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


class CassetteError(InfisicalTestingError):
    """Base class of the errors about recorded cassettes."""


class CassetteFormatError(CassetteError, ValueError):
    """A cassette file is not valid: broken JSON, a missing or mistyped field, an unknown version.

    The message names the file and the place: a JSON line and column, or the interaction and field.
    """

    def __init__(self, message: str, *, path: str, where: str) -> None:
        super().__init__(f"{path}: {where}: {message}")
        #: the cassette file
        self.path = path
        #: where in the file: ``line 3, column 7`` or ``interactions[2].response.status``
        self.where = where


class CassetteNotFoundError(CassetteError, FileNotFoundError):
    """A test replays a cassette that was never recorded."""


class CassetteLeakError(CassetteError):
    """A cassette holds real material (a credential, a project key, a secret value): it was not written.

    ``findings`` lists what was found and where, each in redacted form only.
    """

    def __init__(self, message: str, findings: list[str]) -> None:
        super().__init__(message)
        self.findings = findings


class CassetteMismatchError(CassetteError):
    """A request that no recorded interaction matches (or whose matches were all played)."""


class CassetteUsageError(CassetteError, TypeError):
    """A test replaying or recording a cassette called what only the fake has (its seeding API)."""
