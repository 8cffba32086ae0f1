"""The leak scan: every encoding of a value, credential shapes that are not fixtures, files and the CLI."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Optional

import pytest

from pytest_infisical.__main__ import main
from pytest_infisical.cassettes.format import Cassette, Fixture, dumps, save
from pytest_infisical.cassettes.scan import check, encodings, scan_paths, scan_text, values_from_env
from pytest_infisical.credentials import ApiKey, ServiceToken
from pytest_infisical.errors import CassetteLeakError

VALUE = 'pä$$/wörd "quoted" + more'
URL_VALUE = "??>>~~ pass?word>>"


@pytest.mark.parametrize(
    ("name", "planted"),
    [
        ("raw", VALUE),
        ("JSON-escaped", json.dumps(VALUE)[1:-1]),
        ("JSON-escaped", json.dumps(VALUE, ensure_ascii=False)[1:-1]),
        ("URL-encoded", urllib.parse.quote(VALUE, safe="")),
        ("URL-encoded", urllib.parse.quote_plus(VALUE)),
        ("hex", VALUE.encode().hex()),
        ("base64", base64.b64encode(VALUE.encode()).decode()),
        ("base64", base64.b64encode(b"x" + VALUE.encode() + b"yz").decode()),
        ("base64", base64.b64encode(b"xy" + VALUE.encode()).decode()),
        # VALUE's base64 has no '+' or '/' at any alignment: base64url needs a value whose has
        ("base64url", base64.urlsafe_b64encode(b"{" + URL_VALUE.encode()).decode().rstrip("=")),
    ],
)
def test_a_value_is_found_in_every_encoding_even_inside_other_text(name: str, planted: str) -> None:
    value = URL_VALUE if name == "base64url" else VALUE
    assert name != "base64url" or base64.b64encode(b"{" + value.encode()).decode() not in planted
    text = f'{{"note": "before{planted}after"}}'
    findings = scan_text(text, [("the value", value)], source="c.json")
    assert len(findings) == 1
    assert findings[0].what == "the value"
    where, _, column = findings[0].where.rpartition(" ")
    assert where == "c.json: line 1, column"
    start = len('{"note": "before') + 1  # the planted text's first column
    assert start <= int(column) < start + len(planted)  # inside the planted text
    assert str(findings[0]) == f"{findings[0].where}: the value ({name})"
    assert scan_text(text.replace(planted, planted[:3]), [("the value", value)]) == []


def test_findings_never_show_the_value_and_give_line_and_column() -> None:
    text = '{\n  "a": "x",\n  "b": "--hunter2--"\n}'
    (finding,) = scan_text(text, [("the DB password", "hunter2")], source="c.json")
    assert str(finding) == "c.json: line 3, column 11: the DB password (raw)"


def test_short_values_are_not_looked_for() -> None:
    assert scan_text('{"version": 1, "a": "abc"}', [("short", "abc"), ("one", "1")]) == []


def test_credential_shapes_that_are_not_fixtures_are_findings() -> None:
    token, key = ServiceToken.generate(), ApiKey.generate()
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    text = f'"{token.bearer}" "{key.value}" "{jwt}" "sa.ZMfAbCdEfGh1AAAA.c2VjcmV0c2VjcmV0c2VjcmV0AA=="'
    found = [f.what for f in scan_text(text)]
    assert found == [
        "a service token that is not fixture material",
        "an api key that is not fixture material".replace("an api", "a api"),
        "a jwt that is not fixture material",
        "a service account that is not fixture material",
    ]
    assert (
        scan_text(text, allowed=[token.token, key.value, jwt, "sa.ZMfAbCdEfGh1AAAA.c2VjcmV0c2VjcmV0c2VjcmV0AA=="]) == []
    )


def test_check_raises_a_redacted_report(tmp_path: Path) -> None:
    with pytest.raises(CassetteLeakError) as info:
        check('{"v": "hunter2-real"}', [("the value of secret 'DB'", "hunter2-real")], allowed=[], source="c.json")
    assert str(info.value) == (
        "refusing to write c.json: it would hold real material\n  c.json: line 1, column 8: the value of secret 'DB' (raw)"
    )
    assert info.value.findings == ["c.json: line 1, column 8: the value of secret 'DB' (raw)"]
    assert "hunter2" not in str(info.value).replace("'DB'", "")


def test_encodings_are_distinct_and_include_the_raw_form() -> None:
    forms = encodings("abcdefgh")
    assert ("raw", "abcdefgh") in forms
    assert len({needle for _, needle in forms}) == len(forms)


def cassette_with(text_inside: str, fixture: Optional[Fixture] = None) -> Cassette:
    from pytest_infisical.cassettes.format import Body, Interaction, RecordedRequest, RecordedResponse

    return Cassette(
        [
            Interaction(
                RecordedRequest("GET", "https://h/x", {}), RecordedResponse(200, {}, Body("json", {"v": text_inside}))
            )
        ],
        fixture or Fixture(),
    )


def test_scan_paths_allows_each_cassettes_own_fixture_material(tmp_path: Path) -> None:
    own = ServiceToken.generate()
    save(cassette_with(own.bearer, Fixture({"service_token": own.token})), tmp_path / "a" / "own.json")
    assert scan_paths([tmp_path], environ={}) == []
    save(cassette_with(ServiceToken.generate().bearer), tmp_path / "b.json")
    found = scan_paths([tmp_path], environ={})
    assert [str(f) for f in found] == [
        f"{tmp_path / 'b.json'}: line 28, column 19: a service token that is not fixture material (credential shape)"
    ]


def test_scan_paths_reads_credentials_from_the_environment(tmp_path: Path) -> None:
    token = ServiceToken.generate()
    save(cassette_with(f"key part {token.key} here"), tmp_path / "c.json")
    env = {"INFISICAL_TOKEN": token.token}
    assert [f.what for f in scan_paths([tmp_path / "c.json"], environ=env)] == ["a secret part of $INFISICAL_TOKEN"]
    assert ("$INFISICAL_TOKEN", token.token) in values_from_env(env)


def test_cli_exits_1_with_a_redacted_report_and_0_when_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("INFISICAL_TOKEN", "INFISICAL_API_KEY", "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "c.json"
    save(cassette_with("the real value is correct-horse-battery"), path)
    assert main(["scan", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
    assert main(["scan", str(path), "--value", "correct-horse-battery"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "1 finding(s): these cassettes hold real material",
        f"  {path}: line 28, column 37: --value #1 (sha256:{__import__('hashlib').sha256(b'correct-horse-battery').hexdigest()[:8]}…) (raw)",
    ]
    assert "correct-horse" not in err
    monkeypatch.setenv("INFISICAL_API_KEY", "correct-horse-battery")
    assert main(["scan", str(path)]) == 1
    assert "$INFISICAL_API_KEY (raw)" in capsys.readouterr().err


def test_cli_reports_an_unreadable_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "missing.json")]) == 1
    assert (
        f"{tmp_path / 'missing.json'}: cannot read the file (No such file or directory) (-)" in capsys.readouterr().err
    )


def test_dumps_of_a_clean_cassette_has_no_findings() -> None:
    assert scan_text(dumps(cassette_with("nothing to see"))) == []
