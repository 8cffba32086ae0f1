"""The end-to-end-encryption assertion: what the client sent, checked against what the fake knows.

Generic HTTP mocks cannot tell a ciphertext from a plaintext; the fake can, because it holds the
project keys. A client doing Infisical's E2EE right never sends a secret value or a project key,
and every cipher triplet it writes decrypts under the project key to the name in the URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import InfisicalTestingError
from ..journal import Call
from ..redact import fingerprint
from .secrets import CIPHER_FIELDS, COMMENT_FIELDS

if TYPE_CHECKING:
    from .core import FakeInfisical
    from .state import Project

_WRITES = ("POST /api/v3/secrets/:secretName", "PATCH /api/v3/secrets/:secretName")
_RAW_WRITES = ("POST /api/v3/secrets/raw/:secretName", "PATCH /api/v3/secrets/raw/:secretName")


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value, with where it sits (``body.secretValue``)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def _sent(call: Call) -> Iterator[tuple[str, str]]:
    for name, value in call.request.query_items:
        yield f"query {name}", value
    for name, value in call.request.headers.raw_items():
        if name.lower() not in ("authorization", "x-api-key"):
            yield f"header {name}", value
    if call.request.body:
        try:
            body = json.loads(call.request.body)
        except ValueError:
            body = call.request.body.decode("utf-8", "replace")
        yield from _strings(body, "body")


def _label(call: Call) -> str:
    # the path only: a leaky client may have put the secret in the query string
    return f"call {call.index} ({call.method} {call.request.path})"


def _plaintexts(fake: FakeInfisical, expected: dict[str, str]) -> dict[str, str]:
    """value → the name it belongs to, for every secret the fake holds and every expected one."""
    from ..crypto import decrypt_secret

    values = {value: name for name, value in expected.items() if value}
    for secret in fake.state.secrets_by_id.values():
        try:
            plain = decrypt_secret(secret.cipher, secret.project.key)
        except InfisicalTestingError:
            continue
        if plain.value:
            values.setdefault(plain.value, plain.name)
    return values


def end_to_end_problems(fake: FakeInfisical, expected: dict[str, str]) -> list[str]:
    from ..crypto import decrypt_symmetric

    problems: list[str] = []
    values = _plaintexts(fake, expected)
    keys = {p.key: p for p in fake.state.projects.values()}
    written: dict[str, str] = {}
    for call in fake.calls:
        if call.route in _RAW_WRITES:
            problems.append(f"{_label(call)} wrote a secret through the raw (plaintext) API")
        raw = " ".join(
            [
                call.request.url,
                call.request.body.decode("utf-8", "replace"),
                *(v for _, v in call.request.headers.raw_items()),
            ]
        )
        for key, owner in keys.items():
            if key in raw:
                problems.append(f"{_label(call)} sent the project key of project {owner.name!r}")
        for where, text in _sent(call):
            if text in values and not (call.route in _RAW_WRITES and where == "body.secretValue"):
                problems.append(
                    f"{_label(call)} sent the plaintext value of {values[text]} ({fingerprint(text)}) in {where}"
                )
        if call.route not in _WRITES or not call.request.body:
            continue
        try:
            body = call.json()
        except ValueError:
            continue
        project: Project | None = fake.state.projects.get(str(body.get("workspaceId")))
        if project is None:
            continue
        name = call.request.path.rstrip("/").rsplit("/", 1)[-1]
        for prefix, fields in (
            ("secretKey", CIPHER_FIELDS[:3]),
            ("secretValue", CIPHER_FIELDS[3:]),
            ("secretComment", COMMENT_FIELDS),
        ):
            if not all(isinstance(body.get(f), str) for f in fields):
                continue
            try:
                plain = decrypt_symmetric(body[fields[0]], body[fields[1]], body[fields[2]], project.key)
            except InfisicalTestingError:
                problems.append(f"{_label(call)}: {prefix} does not decrypt under the project key of {project.name!r}")
                continue
            if prefix == "secretKey" and plain != name:
                problems.append(f"{_label(call)}: secretKey decrypts to another name than the URL's {name!r}")
            if prefix == "secretValue":
                written[name] = plain
    for name, value in expected.items():
        if name not in written:
            problems.append(f"{name} was never written through the encrypted API")
        elif written[name] != value:
            problems.append(
                f"{name} was written as {fingerprint(written[name])}, but the test expects {fingerprint(value)}"
            )
    return problems
