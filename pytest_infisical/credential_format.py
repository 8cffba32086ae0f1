"""The text rules of Infisical's credential formats: the checks :mod:`credentials` builds its
types from, and the one parse :mod:`crypto` needs (a full service token's parts) without
depending on the credential types.

Every check raises :class:`~pytest_infisical.errors.CredentialFormatError` saying what is wrong
without echoing the text; pytest hides this module's frames from failure output
(``__tracebackhide__``), as their arguments are credentials.
"""

from __future__ import annotations

import re

from .errors import CredentialFormatError

__all__ = [
    "BASE64",
    "ID_HEX_CHARS",
    "SECRET_HEX_CHARS",
    "SERVICE_TOKEN",
    "SERVICE_TOKEN_FORM",
    "check_hex",
    "check_prefix",
    "check_service_token",
    "check_text",
    "service_token_parts",
    "split_parts",
]

__tracebackhide__ = True

ID_HEX_CHARS = 24
SECRET_HEX_CHARS = 32

_HEX = re.compile(r"[0-9a-f]*")
_HEX_ANY_CASE = re.compile(r"[0-9a-fA-F]*")
_WHITESPACE = re.compile(r"\s")
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def check_text(text: object, kind: str) -> str:
    if not isinstance(text, str):
        raise CredentialFormatError(f"{kind} must be a str, got {type(text).__name__}")
    if not text:
        raise CredentialFormatError(f"{kind} is empty")
    if _WHITESPACE.search(text):
        raise CredentialFormatError(
            f"{kind} contains whitespace (a trailing newline from a file or an environment variable?); "
            "strip it before use"
        )
    return text


def check_prefix(text: str, prefix: str, kind: str, form: str) -> None:
    if text.startswith(prefix):
        return
    head = text.split(".", 1)[0]
    found = f"'{head}.'" if "." in text and len(head) <= 3 else "something else"
    others = {"st": "a service token", "ak": "an API key", "sa": "a service-account access key"}
    hint = f" - that is {others[head]}" if head in others and head != prefix[:-1] else ""
    raise CredentialFormatError(f"{kind} must start with {prefix!r} ({form}); it starts with {found}{hint}")


def check_hex(part: object, what: str, length: int) -> str:
    """``part`` as ``length`` lowercase hex characters; ``what`` names it (``"API key: the id part"``)."""
    if not isinstance(part, str):
        raise CredentialFormatError(f"{what} must be a str, got {type(part).__name__}")
    if not part:
        raise CredentialFormatError(f"{what} is empty")
    if _HEX.fullmatch(part) is None:
        if _HEX_ANY_CASE.fullmatch(part) is not None:
            raise CredentialFormatError(
                f"{what} has upper-case letters; Infisical issues lowercase hex and its SDKs reject upper case"
            )
        raise CredentialFormatError(f"{what} must be {length} lowercase hex characters; it has other characters")
    if len(part) != length:
        raise CredentialFormatError(f"{what} is {len(part)} characters; expected {length} lowercase hex characters")
    return part


def split_parts(text: str, count: int, kind: str, form: str, missing: str) -> list[str]:
    parts = text.split(".")
    if len(parts) == count:
        return parts
    if len(parts) < count:
        raise CredentialFormatError(
            f"{kind} has {len(parts)} dot-separated parts; expected {count} ({form}): {missing}"
        )
    raise CredentialFormatError(f"{kind} has {len(parts)} dot-separated parts; expected {count} ({form})")


SERVICE_TOKEN = "service token"
SERVICE_TOKEN_FORM = "'st.<24 hex id>.<32 hex secret>.<32 hex key>'"


def service_token_parts(text: object) -> tuple[str, str, str]:
    """The id, secret and key of a full ``st.<id>.<secret>.<key>`` token, each checked."""
    text = check_text(text, SERVICE_TOKEN)
    check_prefix(text, "st.", SERVICE_TOKEN, SERVICE_TOKEN_FORM)
    _, id_, secret, key = split_parts(
        text,
        4,
        SERVICE_TOKEN,
        SERVICE_TOKEN_FORM,
        "the last part, the key, is missing - an Authorization header carries only "
        "'st.<id>.<secret>', but the full token from the dashboard ends with the key that "
        "decrypts the project key",
    )
    return check_service_token(id_, secret, key)


def check_service_token(id: object, secret: object, key: object) -> tuple[str, str, str]:
    """A service token's three parts after ``st.``, each as lowercase hex of its exact length."""
    return (
        check_hex(id, f"{SERVICE_TOKEN}: the id part", ID_HEX_CHARS),
        check_hex(secret, f"{SERVICE_TOKEN}: the secret part", SECRET_HEX_CHARS),
        check_hex(key, f"{SERVICE_TOKEN}: the key part", SECRET_HEX_CHARS),
    )
