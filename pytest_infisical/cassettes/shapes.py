"""What an Infisical credential looks like on the wire, and the E2EE field groups.

One home for the patterns the re-keying, the matching and the scan all use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

__all__ = ["CIPHER_PREFIXES", "CREDENTIAL", "kind_of", "wrapped_key_kind"]

#: a service token (3 or 4 parts), an API key, a service-account access key, or a JWT
CREDENTIAL = re.compile(
    r"st\.[0-9a-f-]{8,}\.[0-9a-f]{16,}(?:\.[0-9a-f]{16,})?"
    r"|ak\.[0-9a-f]{8,}\.[0-9a-f]{16,}"
    r"|sa\.[A-Za-z0-9+/]{8,}={0,2}\.[A-Za-z0-9+/]{8,}={0,2}"
    r"|eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}"
)

#: the prefixes of Infisical's cipher triples: ``<prefix>Ciphertext``, ``<prefix>IV``, ``<prefix>Tag``
CIPHER_PREFIXES = ("secretKey", "secretValue", "secretComment")


def kind_of(credential: str) -> str:
    """``service_token``, ``api_key``, ``service_account`` or ``jwt`` for a :data:`CREDENTIAL` match."""
    return {"st.": "service_token", "ak.": "api_key", "sa.": "service_account"}.get(credential[:3], "jwt")


def wrapped_key_kind(obj: Mapping[str, Any]) -> Optional[str]:
    """``symmetric`` (encryptedKey, iv, tag) or ``box`` (encryptedKey, nonce): a wrapped project key."""
    if not isinstance(obj.get("encryptedKey"), str):
        return None
    if isinstance(obj.get("iv"), str) and isinstance(obj.get("tag"), str):
        return "symmetric"
    if isinstance(obj.get("nonce"), str):
        return "box"
    return None
