"""Redacted forms of credentials and secret values, for reprs, logs and failure messages.

A credential keeps its kind prefix and the first characters of its (non-secret) id, so that a
person can tell two credentials apart: ``st.64a0…(redacted)``, ``Bearer sa.ZMfA…(redacted)``.
A value shorter than 16 characters shows none of them: ``…(redacted)``.
A URL keeps its path and the query parameters Infisical's API uses to address secrets
(``workspaceId``, ``environment``, ``secretPath`` …); other query values and a ``user:password@``
are redacted: ``/api/v3/secrets?environment=dev&token=st.64a0…(redacted)``.
A secret value is shown only as a short SHA-256 fingerprint: ``sha256:1c2e5a7b…``.
"""

from __future__ import annotations

import hashlib
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["fingerprint", "redact", "redact_url"]

_SHOWN = 4
_SHOWN_FROM = 16  # characters a value needs before its first _SHOWN are shown
_PREFIXES = ("st.", "ak.", "sa.")


def redact(value: object) -> str:
    """Return a form of a credential or header value that is safe to print.

    >>> redact("Bearer st.64a0c3e2f1b4a5d6e7f80912.0123456789abcdef0123456789abcdef")
    'Bearer st.64a0…(redacted)'

    It never fails: it is used on error paths. A value that is not a str is redacted as ``str(value)``
    (a credential object's ``str()`` is already redacted).
    """
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    if not value:
        return "(empty)"
    scheme, sep, rest = value.partition(" ")
    if sep and scheme.isalpha() and rest:
        return f"{scheme} {redact(rest.strip())}"
    prefix = next((p for p in _PREFIXES if value.startswith(p)), "")
    rest = value[len(prefix) :]
    shown = rest[:_SHOWN] if len(rest) >= _SHOWN_FROM else ""  # a short value would be mostly shown
    return f"{prefix}{shown}…(redacted)"


def fingerprint(value: str | bytes) -> str:
    """A short, stable, non-reversible name for a secret value: ``sha256:`` and 8 hex chars.

    Text is hashed as UTF-8; a lone surrogate (which UTF-8 cannot encode) is hashed as its code point.
    """
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return f"sha256:{hashlib.sha256(data).hexdigest()[:8]}…"


#: query parameters of Infisical's API that address data and never carry a credential or a value
_PLAIN_QUERY = frozenset(
    {
        "environment",
        "expandSecretReferences",
        "include_imports",
        "projectId",
        "projectSlug",
        "recursive",
        "secretPath",
        "tagSlugs",
        "type",
        "version",
        "viewSecretValue",
        "workspaceId",
        "workspaceSlug",
    }
)


def redact_url(url: str) -> str:
    """A URL (or a request target, ``/path?query``) that is safe to print.

    >>> redact_url("https://ops:hunter2@app.infisical.com/api/v3/secrets?environment=dev&token=st.64a0c3e2f1b4a5d6e7f80912.x")
    'https://…(redacted)@app.infisical.com/api/v3/secrets?environment=dev&token=st.64a0…(redacted)'
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # an unparsable host ("http://[::1"): nothing of it is shown
        return redact(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "…(redacted)@" + netloc.rsplit("@", 1)[1]
    pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        key, sep, value = pair.partition("=")
        pairs.append(f"{key}{sep}{value if unquote(key) in _PLAIN_QUERY or not value else redact(unquote(value))}")
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pairs), ""))
