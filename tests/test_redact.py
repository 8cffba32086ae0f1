"""Redacted forms: credentials, short values, URLs and request targets."""

from __future__ import annotations

import pytest

from pytest_infisical.redact import redact, redact_url

TOKEN = "st.64a0c3e2f1b4a5d6e7f80912.5ec7e75ec7e75ec7e75ec7e75ec7e75e.fedcba9876543210fedcba9876543210"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (f"Bearer {TOKEN}", "Bearer st.64a0…(redacted)"),
        (TOKEN, "st.64a0…(redacted)"),
        ("hunter2", "…(redacted)"),  # short: none of it is shown
        ("Basic dXNlcjpwYXNz", "Basic …(redacted)"),
        ("st.64a0", "st.…(redacted)"),
        ("", "(empty)"),
        (None, "(empty)"),
        (12345, "…(redacted)"),
    ],
)
def test_redact(value: object, shown: str) -> None:
    assert redact(value) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"/api/v3/secrets/raw?workspaceId=64a0&environment=dev&secretPath=%2Fbackend&token={TOKEN}",
            "/api/v3/secrets/raw?workspaceId=64a0&environment=dev&secretPath=%2Fbackend&token=st.64a0…(redacted)",
        ),
        (
            "https://ops:hunter2@vault.example.com/v1/kv?key=0123456789abcdef0123456789abcdef",
            "https://…(redacted)@vault.example.com/v1/kv?key=0123…(redacted)",
        ),
        ("/api/v3/secrets?flag&environment=", "/api/v3/secrets?flag&environment="),
        ("/api/status", "/api/status"),
        ("https://[::1/x?token=abc", "http…(redacted)"),
    ],
)
def test_redact_url_keeps_what_addresses_data_and_hides_the_rest(url: str, shown: str) -> None:
    assert redact_url(url) == shown
