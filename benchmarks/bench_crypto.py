"""Decrypt 10,000 secrets through our helpers vs a bare ``cryptography`` AESGCM loop.

Both sides decrypt the same 10,000 encrypted secret objects (name, value and comment, each an
AES-256-GCM triplet in base64) into plaintext, alternately (A, B, A, B …), each side keeping its
best run, so that a busy machine's drift hits both alike. Target: ours <= 1.3x the bare loop.

    python -m benchmarks.bench_crypto
"""

from __future__ import annotations

import base64
import sys
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks._timing import alternate, report
from pytest_infisical import crypto

COUNT = 10_000
TARGET = 1.3


def make_secrets(key: str) -> list[dict[str, Any]]:
    return [
        {
            "_id": f"{i:024x}",
            "type": "shared",
            "version": 1,
            **crypto.encrypt_secret(f"SECRET_{i}", f"value-{i}-" + "x" * 24, key, comment="").to_dict(),
        }
        for i in range(COUNT)
    ]


def bare_loop(secrets: list[dict[str, Any]], key: str) -> dict[str, str]:
    aes = AESGCM(key.encode("utf-8"))
    b64d = base64.b64decode
    out: dict[str, str] = {}
    comments: dict[str, str] = {}
    for s in secrets:
        name = aes.decrypt(
            b64d(s["secretKeyIV"]), b64d(s["secretKeyCiphertext"]) + b64d(s["secretKeyTag"]), None
        ).decode()
        out[name] = aes.decrypt(
            b64d(s["secretValueIV"]), b64d(s["secretValueCiphertext"]) + b64d(s["secretValueTag"]), None
        ).decode()
        comments[name] = aes.decrypt(
            b64d(s["secretCommentIV"]), b64d(s["secretCommentCiphertext"]) + b64d(s["secretCommentTag"]), None
        ).decode()
    return out


def main() -> int:
    key = crypto.generate_project_key()
    secrets = make_secrets(key)
    assert dict(crypto.decrypt_secrets(secrets, project_key=key)) == bare_loop(secrets, key)
    ours, anchor = alternate(
        [lambda: crypto.decrypt_secrets(secrets, project_key=key), lambda: bare_loop(secrets, key)], [1, 1], rounds=9
    )
    ok = report(f"decrypt {COUNT:,} secrets (name, value, comment)", ours, anchor, "bare", TARGET)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
