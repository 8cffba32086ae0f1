"""The leak scan at its edges: each encoding found exactly where it starts and never when cut
short, the shortest values looked for, the first line and column, credential parts from the
environment, fixture material, unreadable files, and reports of many findings.

Expectations from docs/cassettes.md (values in raw, JSON-escaped, URL-encoded, hex and base64
form at every byte alignment; values shorter than 4 characters are not looked for; a finding says
what and where, never the value; the environment's credentials and their secret parts are looked
for; each cassette's own fixture material is allowed) and ``pytest_infisical.cassettes.scan``'s
documentation (JSON-escaped once, and twice for JSON inside a JSON string; hex; a finding's place
is a line and a column).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from pytest_infisical.cassettes.scan import check, scan_paths, scan_text, values_from_env
from pytest_infisical.credentials import ApiKey, ServiceToken
from pytest_infisical.errors import CassetteLeakError

#: starts and ends with a plain letter; holds what JSON escapes (a quote, a backslash), a
#: character outside ASCII, and a '/' with characters URL-encoding changes
VALUE = 'pä"s\\s/wörd'
BEFORE = '{"note": "'


def _twice(value: str, ascii_only: bool) -> str:
    return json.dumps(json.dumps(value, ensure_ascii=ascii_only)[1:-1], ensure_ascii=ascii_only)[1:-1]


FORMS = [
    ("JSON-escaped", json.dumps(VALUE, ensure_ascii=False)[1:-1]),
    ("JSON-escaped", json.dumps(VALUE)[1:-1]),
    ("JSON-escaped twice", _twice(VALUE, ascii_only=False)),
    ("JSON-escaped twice", _twice(VALUE, ascii_only=True)),
    ("URL-encoded", quote(VALUE, safe="")),
    ("URL-encoded", quote(VALUE, safe="/")),
    ("hex", VALUE.encode().hex()),
    ("hex", VALUE.encode().hex().upper()),
]


@pytest.mark.parametrize(("encoding", "planted"), FORMS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FORMS)])
def test_each_form_is_found_where_it_starts(encoding: str, planted: str) -> None:
    assert len({form for _, form in FORMS}) == len(FORMS)  # eight different texts
    (finding,) = scan_text(BEFORE + planted + '"}', [("the value", VALUE)], source="c.json")
    assert (finding.encoding, finding.where) == (encoding, f"c.json: line 1, column {len(BEFORE) + 1}")


@pytest.mark.parametrize(("encoding", "planted"), FORMS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FORMS)])
def test_a_form_cut_short_is_not_the_value(encoding: str, planted: str) -> None:
    for cut in (planted[1:], planted[:-1]):
        assert scan_text(f"{BEFORE}{cut}\u2603", [("the value", VALUE)]) == [], encoding


def test_base64_of_part_of_the_value_is_not_the_value() -> None:
    value = "abcdefghijklmnopqrstuvwx"  # 24 bytes: 32 base64 characters at the first alignment
    data = value.encode()
    for part in (data[:18], data[3:], data[:-3]):
        assert scan_text(base64.b64encode(part).decode(), [("v", value)]) == [], part
    (finding,) = scan_text(base64.b64encode(data).decode(), [("v", value)])
    assert finding.encoding == "base64"


def test_the_shortest_values_are_looked_for_in_every_encoding() -> None:
    assert [f.encoding for f in scan_text("x 'abcd' x", [("v", "abcd")])] == ["raw"]  # 4 characters
    assert [f.encoding for f in scan_text("x 61626364 x", [("v", "abcd")])] == ["hex"]  # 8 hex characters
    assert [f.encoding for f in scan_text("x YWJjZGVm x", [("v", "abcdef")])] == ["base64"]  # 8 base64 characters
    assert scan_text("x abc x", [("v", "abc")]) == []  # 3 characters: not looked for


def test_a_value_too_short_to_look_for_does_not_stop_the_others() -> None:
    found = scan_text("-- hunter2 --", [("short", "ab"), ("long", "hunter2")])
    assert [f.what for f in found] == ["long"]


def test_the_first_character_is_line_1_column_1() -> None:
    (finding,) = scan_text("hunter2 and more", [("v", "hunter2")])
    assert finding.where == "<text>: line 1, column 1"


def test_a_leading_newline_counts_as_a_line() -> None:
    (finding,) = scan_text("\nab hunter2", [("v", "hunter2")])
    assert finding.where == "<text>: line 2, column 4"
    (second,) = scan_text("\n\nhunter2", [("v", "hunter2")])
    assert second.where == "<text>: line 3, column 1"


def test_only_a_service_tokens_full_form_allows_its_bearer_form() -> None:
    token, key = ServiceToken.generate(), ApiKey.generate()
    assert scan_text(f'"{token.bearer}"', allowed=[token.token]) == []
    # an API key followed by more text is not the API key's fixture form
    found = scan_text(f'"{key.value}"', allowed=[f"{key.value}.extra"])
    assert [f.what for f in found] == ["a api key that is not fixture material"]


def test_check_allows_fixture_material() -> None:
    token = ServiceToken.generate()
    check(f'"{token.bearer}"', [], allowed=[token.token], source="c.json")  # no error
    with pytest.raises(CassetteLeakError):
        check(f'"{token.bearer}"', [], allowed=[], source="c.json")


@pytest.mark.parametrize("count", [1, 49, 50, 51, 60])
def test_a_report_accounts_for_every_finding(count: int) -> None:
    text = " ".join(f"value-{n:03d}" for n in range(count))
    values = [(f"v{n:03d}", f"value-{n:03d}") for n in range(count)]
    with pytest.raises(CassetteLeakError) as info:
        check(text, values, allowed=[], source="c.json")
    head, *lines = str(info.value).split("\n")
    assert head == "refusing to write c.json: it would hold real material"
    assert len(info.value.findings) == count
    shown = [line for line in lines if not line.startswith("  … and ")]
    assert shown == [f"  {finding}" for finding in info.value.findings[: len(shown)]]
    rest = lines[len(shown) :]
    if len(shown) == count:
        assert rest == []
    else:
        assert rest == [f"  … and {count - len(shown)} more"]


def test_no_variable_set_is_no_value() -> None:
    assert values_from_env({}) == []
    assert values_from_env({"INFISICAL_TOKEN": "  "}) == []


def test_a_public_key_is_not_a_credential_and_what_follows_it_is_read() -> None:
    env = {"INFISICAL_SERVICE_ACCOUNT_PUBLIC_KEY": "B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw="}
    assert values_from_env(env) == []
    private = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
    env["INFISICAL_SERVICE_ACCOUNT_PRIVATE_KEY"] = private
    assert values_from_env(env) == [("$INFISICAL_SERVICE_ACCOUNT_PRIVATE_KEY", private)]


def test_every_secret_part_of_a_credential_is_looked_for() -> None:
    token, key = ServiceToken.generate(), ApiKey.generate()
    access_key = "sa.ZMfAbCdEfGh1AAAA.c2VjcmV0c2VjcmV0c2VjcmV0AA=="
    env = {
        "INFISICAL_TOKEN": token.token,
        "INFISICAL_API_KEY": key.value,
        "INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY": access_key,
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": "not.a.credential",
    }
    _, token_id, token_secret, token_key = token.token.split(".")
    assert values_from_env(env) == [
        ("$INFISICAL_TOKEN", token.token),
        ("a secret part of $INFISICAL_TOKEN", token_secret),
        ("a secret part of $INFISICAL_TOKEN", token_key),
        ("$INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", "not.a.credential"),
        ("$INFISICAL_API_KEY", key.value),
        ("a secret part of $INFISICAL_API_KEY", key.value.split(".")[2]),
        ("$INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY", access_key),
        ("a secret part of $INFISICAL_SERVICE_ACCOUNT_ACCESS_KEY", "c2VjcmV0c2VjcmV0c2VjcmV0AA=="),
    ]
    assert token_id not in [value for _, value in values_from_env(env)]  # an id is not secret


def test_a_file_that_is_not_utf8_is_reported_and_the_next_one_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b'{"v": "caf\xe9"}')
    (tmp_path / "b.json").write_text('{"v": "hunter2-real"}', encoding="utf-8")
    found = [str(f) for f in scan_paths([tmp_path], ["hunter2-real"], environ={})]
    assert found[0] == f"{tmp_path / 'a.json'}: cannot read the file (not UTF-8 text) (-)"
    assert found[1].startswith(f"{tmp_path / 'b.json'}: line 1, column 8: --value #1 (sha256:")
    assert len(found) == 2
