"""The leak scan: real material in a cassette, in any encoding, and credentials that are not fixtures.

:func:`scan_text` looks for each given value as written, JSON-escaped (ASCII and not; once, and
twice for JSON inside a JSON string),
URL-encoded, hex and base64 (standard and URL-safe, at each of the three byte alignments, so a
value inside a larger encoded blob is found too), and for anything shaped like an Infisical
credential (``st.``/``ak.``/``sa.`` tokens, JWTs) that is not the cassette's own fixture material.
A finding names the kind of value and the place (line and column), never the value itself.

Values shorter than :data:`MIN_LENGTH` characters cannot be told apart from ordinary text: they
are still replaced by the re-keying, but not looked for.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Optional, Union
from urllib.parse import quote, quote_plus

import attrs

from ..errors import CassetteLeakError
from ..redact import fingerprint
from .shapes import CREDENTIAL, kind_of

__all__ = ["MIN_LENGTH", "Finding", "check", "encodings", "scan_paths", "scan_text", "values_from_env"]

MIN_LENGTH = 4
_MIN_ENCODED = 8


@attrs.frozen
class Finding:
    """One hit: what (a label), how it was encoded, and where (``file:line:column``)."""

    what: str
    encoding: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} ({self.encoding})"


def _base64_cores(data: bytes) -> Iterator[tuple[str, str]]:
    for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
        for shift in range(3):
            part = data[shift:]
            whole = len(part) // 3 * 4
            core = encode(part).decode("ascii")[:whole]
            if len(core) >= _MIN_ENCODED:
                yield name, core


def encodings(value: str) -> list[tuple[str, str]]:
    """``(encoding name, needle)`` for every form of ``value`` the scan looks for."""
    data = value.encode("utf-8")
    forms = [
        ("raw", value),
        ("JSON-escaped", json.dumps(value, ensure_ascii=False)[1:-1]),
        ("JSON-escaped", json.dumps(value, ensure_ascii=True)[1:-1]),
        ("JSON-escaped twice", json.dumps(json.dumps(value, ensure_ascii=False)[1:-1], ensure_ascii=False)[1:-1]),
        ("JSON-escaped twice", json.dumps(json.dumps(value)[1:-1])[1:-1]),
        ("URL-encoded", quote(value, safe="")),
        ("URL-encoded", quote_plus(value, safe="")),
        ("URL-encoded", quote(value, safe="/")),
    ]
    if len(data) * 2 >= _MIN_ENCODED:
        forms += [("hex", data.hex()), ("hex", data.hex().upper())]
    forms += list(_base64_cores(data))
    seen: set[str] = set()
    unique = []
    for name, needle in forms:
        if needle not in seen:
            seen.add(needle)
            unique.append((name, needle))
    return unique


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def scan_text(
    text: str,
    values: Iterable[tuple[str, str]] = (),
    *,
    allowed: Iterable[str] = (),
    source: str = "<text>",
) -> list[Finding]:
    """Every finding in ``text``: the labelled ``values`` in any encoding, and credential shapes
    not in ``allowed`` (the fixture material)."""
    findings: list[Finding] = []
    for label, value in values:
        if len(value) < MIN_LENGTH:
            continue
        for encoding, needle in encodings(value):
            at = text.find(needle)
            if at >= 0:
                findings.append(Finding(label, encoding, f"{source}: {_position(text, at)}"))
                break
    allowed_set = set(allowed)
    allowed_set |= {a.rsplit(".", 1)[0] for a in list(allowed_set) if a.startswith("st.") and a.count(".") == 3}
    for match in CREDENTIAL.finditer(text):
        if match.group(0) not in allowed_set:
            what = f"a {kind_of(match.group(0)).replace('_', ' ')} that is not fixture material"
            findings.append(Finding(what, "credential shape", f"{source}: {_position(text, match.start())}"))
    return findings


def check(text: str, values: Iterable[tuple[str, str]], *, allowed: Iterable[str], source: str) -> None:
    """Raise :class:`CassetteLeakError` (with a redacted report) when :func:`scan_text` finds anything."""
    findings = scan_text(text, values, allowed=allowed, source=source)
    if findings:
        raise CassetteLeakError(
            _report(findings, f"refusing to write {source}: it would hold real material"), [str(f) for f in findings]
        )


def _report(findings: Sequence[Finding], head: str) -> str:
    lines = [head, *(f"  {finding}" for finding in findings[:50])]
    if len(findings) > 50:
        lines.append(f"  … and {len(findings) - 50} more")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# scanning files: ``python -m pytest_infisical scan``


def values_from_env(environ: Optional[Mapping[str, str]] = None) -> list[tuple[str, str]]:
    """Every credential (and credential part) found in the environment names Infisical's tools use."""
    from .rekey import ENV_NAMES

    env = os.environ if environ is None else environ
    found: list[tuple[str, str]] = []
    for name in ENV_NAMES:
        value = env.get(name, "").strip()
        if not value:
            continue
        if name == "INFISICAL_SERVICE_ACCOUNT_PUBLIC_KEY":
            continue  # public by design; re-keyed anyway
        found.append((f"${name}", value))
        parts = value.split(".")
        if len(parts) >= 3 and parts[0] in ("st", "ak", "sa"):
            found.extend((f"a secret part of ${name}", part) for part in parts[2:])
    return found


def _files(paths: Iterable[Union[str, os.PathLike[str]]]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.json") if p.is_file())
        else:
            yield path


def _allowed_in(text: str) -> list[str]:
    from .format import loads

    try:
        return loads(text).fixture.material()
    except (ValueError, TypeError):
        return []


def scan_paths(
    paths: Iterable[Union[str, os.PathLike[str]]],
    values: Iterable[str] = (),
    *,
    environ: Optional[Mapping[str, str]] = None,
) -> list[Finding]:
    """Scan cassette files (directories: every ``*.json`` below) for the given values, the
    credentials in the environment, and credential shapes that are not each file's own fixtures."""
    labelled = [(f"--value #{n} ({fingerprint(v)})", v) for n, v in enumerate(values, 1)]
    labelled += values_from_env(environ)
    findings: list[Finding] = []
    for path in _files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
            findings.append(Finding(f"cannot read the file ({reason})", "-", str(path)))
            continue
        findings.extend(scan_text(text, labelled, allowed=_allowed_in(text), source=str(path)))
    return findings
