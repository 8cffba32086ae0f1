"""Redacted forms of credentials and secret values, for reprs, logs and failure messages.

A credential keeps its kind prefix and the first characters of its (non-secret) id, so that a
person can tell two credentials apart: ``st.64a0…(redacted)``, ``Bearer sa.ZMfA…(redacted)``.
A secret value is shown only as a short SHA-256 fingerprint: ``sha256:1c2e5a7b…``.
"""

from __future__ import annotations

import hashlib

__all__ = ["fingerprint", "redact"]

_SHOWN = 4
_PREFIXES = ("st.", "ak.", "sa.")


def redact(value: str) -> str:
    """Return a form of a credential or header value that is safe to print.

    >>> redact("Bearer st.64a0c3e2f1b4a5d6e7f80912.0123456789abcdef0123456789abcdef")
    'Bearer st.64a0…(redacted)'
    """
    if not value:
        return "(empty)"
    scheme, sep, rest = value.partition(" ")
    if sep and scheme.isalpha() and rest:
        return f"{scheme} {redact(rest.strip())}"
    for prefix in _PREFIXES:
        if value.startswith(prefix):
            return f"{prefix}{value[len(prefix) : len(prefix) + _SHOWN]}…(redacted)"
    return f"{value[:_SHOWN]}…(redacted)"


def fingerprint(value: str | bytes) -> str:
    """A short, stable, non-reversible name for a secret value: ``sha256:`` and 8 hex chars."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return f"sha256:{hashlib.sha256(data).hexdigest()[:8]}…"
