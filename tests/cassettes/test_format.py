"""The cassette file: stable text, round trips, atomic writes, errors that name the file and place."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from pytest_infisical.cassettes.format import (
    Body,
    Cassette,
    Fixture,
    Interaction,
    Meta,
    RecordedRequest,
    RecordedResponse,
    dumps,
    load,
    loads,
    save,
)
from pytest_infisical.errors import CassetteFormatError, CassetteNotFoundError


def sample(n: int = 2) -> Cassette:
    interactions = [
        Interaction(
            RecordedRequest(
                "GET", f"https://app.infisical.com/api/v3/secrets/raw/S{i}?environment=dev", {"X-API-KEY": "ak.x"}
            ),
            RecordedResponse(
                200, {"Content-Type": "application/json"}, Body("json", {"secret": {"secretKey": f"S{i}"}})
            ),
        )
        for i in range(n)
    ]
    interactions.append(
        Interaction(
            RecordedRequest("POST", "https://app.infisical.com/x", {}, Body("text", "not json")),
            RecordedResponse(500, {}, Body("base64", "AAEC")),
        )
    )
    return Cassette(
        interactions,
        Fixture({"api_key": "ak.x"}, ["st.a.b"], ["k"]),
        Meta("2026-01-01T00:00:00+00:00", "0.1.0", None, ["api_key"], "https://app.infisical.com"),
    )


def test_round_trip_keeps_everything() -> None:
    cassette = sample()
    again = loads(dumps(cassette))
    assert again == cassette
    assert dumps(again) == dumps(cassette)


def test_text_has_a_fixed_layout_for_reviewable_diffs() -> None:
    text = dumps(sample(1))
    obj = json.loads(text)
    assert list(obj) == ["format_version", "meta", "fixture", "interactions"]
    assert list(obj["interactions"][0]) == ["request", "response"]
    assert list(obj["interactions"][0]["request"]) == ["method", "url", "headers", "body"]
    assert text.startswith('{\n  "format_version": 1,\n  "meta": {\n    "recorded_at"')
    assert text.endswith("}\n")


def test_json_bodies_are_stored_as_structure_others_as_text_or_base64() -> None:
    assert Body.from_bytes(b'{"a": [1, "\xc3\xa9"]}') == Body("json", {"a": [1, "é"]})
    assert Body.from_bytes(b"<html>") == Body("text", "<html>")
    assert Body.from_bytes(b"\xff\x00") == Body("base64", "/wA=")
    assert Body.from_bytes(b"") == Body("empty")
    assert Body("json", {"a": "é"}).to_bytes() == '{"a":"é"}'.encode()
    assert Body("base64", "/wA=").to_bytes() == b"\xff\x00"


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "c.json"
    save(sample(), path)
    assert load(path) == sample()
    assert os.listdir(path.parent) == ["c.json"]


def test_concurrent_writers_never_leave_a_half_written_file(tmp_path: Path) -> None:
    """As pytest-xdist workers would: many writers of one file, readers always see a whole one."""
    path = tmp_path / "c.json"
    save(sample(1), path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for _ in range(20):
                save(sample(n), path)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def read() -> None:
        try:
            for _ in range(60):
                assert len(load(path).interactions) in (2, 4, 6)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 3, 5)] + [threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(os.listdir(tmp_path)) == ["c.json"]


def test_a_missing_cassette_is_its_own_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteNotFoundError) as info:
        load(tmp_path / "nope.json")
    assert str(info.value) == (
        f"no cassette at {tmp_path / 'nope.json'}: record it first, against a live Infisical with real "
        "credentials (see docs/cassettes.md)"
    )


def test_broken_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{\n  "format_version": 1,\n  "meta": {,\n}')
    with pytest.raises(CassetteFormatError) as info:
        load(path)
    assert (
        str(info.value)
        == f"{path}: line 3, column 12: not valid JSON: Expecting property name enclosed in double quotes"
    )
    assert info.value.where == "line 3, column 12"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda o: o.update(format_version=99),
            "format_version: this version of pytest-infisical reads cassette format 1, found 99; record the cassette again",
        ),
        (lambda o: o.pop("interactions"), "top level: the field 'interactions' is missing"),
        (
            lambda o: o["interactions"][1]["response"].update(status="200"),
            "interactions[1].response.status: expected an integer, found a string",
        ),
        (
            lambda o: o["interactions"][0]["response"].update(status=700),
            "interactions[0].response.status: expected an HTTP status (100-599), found 700",
        ),
        (
            lambda o: o["interactions"][0]["request"].pop("method"),
            "interactions[0].request: the field 'method' is missing",
        ),
        (
            lambda o: o["interactions"][0]["request"]["headers"].update(A=1),
            "interactions[0].request.headers['A']: expected a string, found a number",
        ),
        (
            lambda o: o["interactions"][0]["request"].update(body={"xml": "<a/>"}),
            'interactions[0].request.body: expected null, {"json": …}, {"text": "…"} or {"base64": "…"}',
        ),
        (
            lambda o: o["interactions"][2]["response"].update(body={"base64": "!!"}),
            "interactions[2].response.body.base64: not valid base64",
        ),
        (lambda o: o["interactions"].__setitem__(0, []), "interactions[0]: expected an object, found an array"),
        (lambda o: o["fixture"]["issued"].append(3), "fixture.issued[1]: expected a string, found a number"),
        (lambda o: o["meta"].update(recorded_at=None), "meta.recorded_at: expected a string, found null"),
    ],
)
def test_a_hand_edited_cassette_names_the_interaction_and_field(edit: object, message: str) -> None:
    obj = json.loads(dumps(sample()))
    edit(obj)  # type: ignore[operator]
    with pytest.raises(CassetteFormatError) as info:
        loads(json.dumps(obj), "c.json")
    assert str(info.value) == f"c.json: {message}"


def test_not_an_object_at_all() -> None:
    with pytest.raises(CassetteFormatError, match=r"^x.json: top level: expected a JSON object, found an array$"):
        loads("[]", "x.json")
    with pytest.raises(CassetteFormatError, match=r"^x.json: top level: not UTF-8 text$"):
        loads(b'{"a": "\xff"}', "x.json")
