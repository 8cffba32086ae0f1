"""pytest-infisical: test your Infisical integration without a live Infisical.

The public names are re-exported here lazily, so ``import pytest_infisical`` (which pytest does
for every run of a project that installed the plugin) imports no cryptography library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    # credentials
    "ApiKey": "credentials",
    "MachineIdentity": "credentials",
    "ServiceAccount": "credentials",
    "ServiceToken": "credentials",
    # errors
    "CredentialFormatError": "errors",
    "CryptoError": "errors",
    "DecryptionError": "errors",
    "InfisicalTestingError": "errors",
    "InvalidEncodingError": "errors",
    "InvalidKeyError": "errors",
    "InvalidLengthError": "errors",
    "MalformedObjectError": "errors",
    "UsageError": "errors",
    # redaction
    "fingerprint": "redact",
    "redact": "redact",
    "redact_url": "redact",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from .credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
    from .errors import (
        CredentialFormatError,
        CryptoError,
        DecryptionError,
        InfisicalTestingError,
        InvalidEncodingError,
        InvalidKeyError,
        InvalidLengthError,
        MalformedObjectError,
        UsageError,
    )
    from .redact import fingerprint, redact, redact_url


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_infisical' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
