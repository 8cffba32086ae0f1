"""One encrypted secret read back: the PROTOCOL.md §4.6 vectors, its id, version and comment, a
comment that is absent or half there, and the hint a raw secret gets.

Expectations: PROTOCOL.md §4.6 (``DB_PASSWORD`` = ``hunter2`` under the project key), §5.2.0 (a
secret object carries ``_id`` and ``version``; the comment's three fields only if set), and
docs/crypto.md (``decrypt_secret`` → ``DecryptedSecret(name, value, comment, type, id, version)``;
a missing field raises ``MalformedObjectError``).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infisical import crypto
from pytest_infisical.errors import MalformedObjectError

from .test_crypto import EMPTY, NAME, PROJECT_KEY, VALUE

EMPTY_COMMENT = {  # the empty string under the project key, §4.6, as a comment
    "secretCommentCiphertext": EMPTY["ciphertext"],
    "secretCommentIV": EMPTY["iv"],
    "secretCommentTag": EMPTY["tag"],
}
SECRET_ID = "64c7a1b2c3d4e5f6a7b8c9d0"


def test_the_protocol_vectors_decrypt_with_their_id_and_version() -> None:
    plain = crypto.decrypt_secret({"_id": SECRET_ID, "version": 4, "type": "shared", **NAME, **VALUE}, PROJECT_KEY)
    assert (plain.name, plain.value, plain.comment, plain.type, plain.id, plain.version) == (
        "DB_PASSWORD",
        "hunter2",
        "",
        "shared",
        SECRET_ID,
        4,
    )


def test_the_id_is_read_from_id_or_from_the_legacy_underscore_id() -> None:
    assert crypto.decrypt_secret({"id": SECRET_ID, **NAME, **VALUE}, PROJECT_KEY).id == SECRET_ID
    assert crypto.decrypt_secret({**NAME, **VALUE}, PROJECT_KEY).id is None


@pytest.mark.parametrize("version", [None, "4", 4.0])
def test_a_version_that_is_not_an_integer_is_none(version: Any) -> None:
    assert crypto.decrypt_secret({"version": version, **NAME, **VALUE}, PROJECT_KEY).version is None


def test_the_comment_is_decrypted() -> None:
    fields = crypto.encrypt_secret("DB_PASSWORD", "hunter2", PROJECT_KEY, comment="rotated monthly").to_dict()
    assert crypto.decrypt_secret(fields, PROJECT_KEY).comment == "rotated monthly"
    assert crypto.decrypt_secret({**NAME, **VALUE, **EMPTY_COMMENT}, PROJECT_KEY).comment == ""


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        (
            {"secretCommentCiphertext": "FlFXEEnZWQ==", "secretCommentTag": "EZ/OLTWVi/2r50IGxH3YBA=="},
            "secretCommentIV",
        ),
        (
            {"secretCommentIV": "ICEiIyQlJicoKSorLC0uLw==", "secretCommentTag": "EZ/OLTWVi/2r50IGxH3YBA=="},
            "secretCommentCiphertext",
        ),
    ],
)
def test_half_a_comment_is_a_missing_field(present: dict[str, str], missing: str) -> None:
    with pytest.raises(MalformedObjectError) as info:
        crypto.decrypt_secret({**NAME, **VALUE, **present}, PROJECT_KEY)
    assert str(info.value) == f"the secret object has no {missing!r} field"


@pytest.mark.parametrize("raw", [{"secretKey": "DB_PASSWORD"}, {"secretValue": "hunter2"}])
def test_a_raw_secret_gets_a_hint_from_either_of_its_plaintext_fields(raw: dict[str, str]) -> None:
    with pytest.raises(MalformedObjectError) as info:
        crypto.decrypt_secret(raw, PROJECT_KEY)
    assert str(info.value) == (
        "the secret object has no 'secretKeyCiphertext' field (it looks like a raw secret from "
        "/api/v3/secrets/raw: its secretValue is already plaintext)"
    )
