"""What a redacted form may show, at its edges: the 16-character threshold, a header's scheme,
a value that is not text, a password holding '@', and the fingerprint of a secret value.

Expectations from the rules in ``pytest_infisical.redact``'s documentation and docs/limits.md: a
credential keeps its kind prefix and its first 4 characters when it has at least 16, a value
shorter than 16 characters shows none of them, a URL's ``user:password@`` is redacted, and a
secret value is shown only as ``sha256:`` and the first 8 hex characters of its SHA-256.
"""

from __future__ import annotations

import hashlib

import pytest

from pytest_infisical.credentials import ServiceToken
from pytest_infisical.redact import fingerprint, redact, redact_url


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0123456789abcde", "…(redacted)"),  # 15 characters: none shown
        ("0123456789abcdef", "0123…(redacted)"),  # 16: the first 4
        ("st.0123456789abcde", "st.…(redacted)"),  # the prefix does not count
        ("st.0123456789abcdef", "st.0123…(redacted)"),
        ("ak.0123456789abcdef", "ak.0123…(redacted)"),
        ("sa.0123456789abcdef", "sa.0123…(redacted)"),
    ],
)
def test_sixteen_characters_after_the_prefix_show_four(value: str, shown: str) -> None:
    assert redact(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        # a first word that is not an alphabetic scheme is part of the value: it is not shown
        ("p4ss word-that-is-long", "p4ss…(redacted)"),
        ("st.64a0c3e2f1b4a5d6e7f80912.secret more", "st.64a0…(redacted)"),
        ("hunter2 hunter2", "…(redacted)"),
        # a scheme with nothing after it is not a scheme
        ("Bearer ", "…(redacted)"),
        # the scheme is the first word: a credential after two spaces keeps its kind and id start
        ("Bearer  st.64a0c3e2f1b4a5d6e7f80912.5ec7e75e", "Bearer st.64a0…(redacted)"),
    ],
)
def test_only_an_alphabetic_scheme_before_the_credential_is_shown(value: str, shown: str) -> None:
    assert redact(value) == shown


def test_a_value_that_is_not_text_is_redacted_as_its_str() -> None:
    assert redact(12345678901234567890) == "1234…(redacted)"
    token = ServiceToken.generate()
    assert redact(token) == redact(str(token))
    assert redact(token).startswith("st.")
    assert token.secret not in redact(token)


@pytest.mark.parametrize(
    "url",
    [
        "https://ops:p@ss@vault.example.com/v1/kv",
        "https://ops:p@ss@w@rd@vault.example.com/v1/kv",
    ],
)
def test_a_password_holding_at_signs_is_redacted_whole(url: str) -> None:
    assert redact_url(url) == "https://…(redacted)@vault.example.com/v1/kv"


def test_an_empty_query_adds_nothing() -> None:
    assert redact_url("/api/status?") == "/api/status"


def test_a_fingerprint_is_sha256_of_the_utf8_text_cut_to_8_hex_characters() -> None:
    assert fingerprint("hunter2") == "sha256:f52fbd32…"  # sha256("hunter2") = f52fbd32b2b3b86f…
    assert fingerprint("pä$$") == "sha256:" + hashlib.sha256(b"p\xc3\xa4$$").hexdigest()[:8] + "…"
    assert fingerprint(b"\x00\xff") == "sha256:" + hashlib.sha256(b"\x00\xff").hexdigest()[:8] + "…"
    assert fingerprint("") == "sha256:e3b0c442…"  # the SHA-256 of nothing


def test_a_lone_surrogate_is_fingerprinted_as_its_code_point() -> None:
    # U+D800 written as its three-byte form ED A0 80, as UTF-8 would write any code point
    assert fingerprint("a\ud800") == "sha256:" + hashlib.sha256(b"a\xed\xa0\x80").hexdigest()[:8] + "…"
    assert fingerprint("a\ud800") != fingerprint("a\udc00")
