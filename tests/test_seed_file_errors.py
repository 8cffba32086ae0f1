"""Every seed-file error, read in process: its exact text, the place it names, never the file's text.

The texts are the ones docs/server.md documents (``line 3, column 14: not UTF-8 text``, the file,
the place in it and what is wrong) and the ones ``serve`` prints (tests/test_serve_errors.py pins
them through a subprocess, from the same list of YAML cases); the YAML problems and contexts are PyYAML's own words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.seed import SeedError, apply_secrets, build_fake, load_seed, normalize_secrets

from .test_serve_errors import YAML_ERROR_IDS, YAML_ERRORS


def _error_of(path: Path) -> str:
    with pytest.raises(SeedError) as info:
        load_seed(path)
    return str(info.value)


def test_a_byte_that_is_not_utf8_is_named_by_line_and_column(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_bytes(b'{"projects": [\n  {"name": "x",\n   "secrets": {"A": "caf\xe9"}}\n]}')
    assert _error_of(seed) == (
        f"{seed}: line 3, column 25: not UTF-8 text (a Latin-1 or other 8-bit encoding?); save the seed file as UTF-8"
    )


def test_the_first_byte_of_a_line_is_column_1(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_bytes(b'{"projects": [{}],\n\xff}')
    assert _error_of(seed) == (
        f"{seed}: line 2, column 1: not UTF-8 text (a Latin-1 or other 8-bit encoding?); save the seed file as UTF-8"
    )


def test_json_nested_too_deep_to_read(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text("[" * 100_000, encoding="utf-8")
    assert _error_of(seed) == f"{seed}: nests lists or objects too deeply to read (a seed is a few levels deep)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        *YAML_ERRORS,
        (
            "projects:\n  - name: shop\n    secrets:\n      1: hunter2-yaml-secret\n      1: other\n",
            "line 5, column 7: the key 1 appears twice in one mapping; only one can be used",
        ),
        (
            "projects: [a\n",
            "line 2, column 1: not valid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow "
            "sequence at line 1, column 11)",
        ),
    ],
    ids=[*YAML_ERROR_IDS, "duplicate-int-key", "open-flow"],
)
def test_a_yaml_error_gives_the_position_never_the_line(tmp_path: Path, content: str, message: str) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yaml"
    seed.write_text(content, encoding="utf-8")
    error = _error_of(seed)
    assert error == f"{seed}: {message}"
    assert "hunter2" not in error


def test_keys_of_nested_mappings_are_checked_too(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yml"
    seed.write_text(
        "projects:\n  - secrets:\n      dev:\n        /:\n          A: x\n          A: y\n", encoding="utf-8"
    )
    assert (
        _error_of(seed) == f"{seed}: line 6, column 11: the key 'A' appears twice in one mapping; only one can be used"
    )


def test_the_same_key_in_two_mappings_is_no_error(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yml"
    seed.write_text("projects:\n  - name: a\n  - name: b\n", encoding="utf-8")
    assert [p["name"] for p in load_seed(seed)["projects"]] == ["a", "b"]


@pytest.mark.parametrize(
    ("project", "message"),
    [
        # the flat shape: dev, '/'
        (
            {"secrets": {"A\ud800": "x"}},
            "projects[0].secrets.A\ud800: not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        (
            {"secrets": {"A": "x\udfff"}},
            "projects[0].secrets.A: not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        # by environment and folder
        (
            {"secrets": {"dev": {"/": {"\udc80B": "x"}}}},
            "projects[0].secrets.dev./.\udc80B: not valid Unicode text: a lone surrogate at index 0 has no UTF-8 encoding",
        ),
        (
            {"name": "x\ud83d"},
            "projects[0].name: not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        # versions: 1 (legacy E2EE) or 3 (KMS)
        ({"version": 2}, "projects[0].version: expected 1 (legacy E2EE) or 3 (KMS), got 2"),
        ({"version": "3"}, "projects[0].version: expected 1 (legacy E2EE) or 3 (KMS), got '3'"),
        ({"version": True}, "projects[0].version: expected 1 (legacy E2EE) or 3 (KMS), got True"),
        ({"version": 3, "e2ee": True}, "projects[0].e2ee: a version 3 (KMS) project has no end-to-end encryption"),
    ],
)
def test_every_place_is_named_with_its_source(project: Any, message: str) -> None:
    with pytest.raises(SeedError) as info:
        build_fake({"projects": [project]}, source="seed.json")
    assert str(info.value) == f"seed.json: {message}"


def test_secrets_alone_are_named_from_secrets() -> None:
    with pytest.raises(SeedError) as info:
        normalize_secrets({"A": "x", "B": "y\ud800"})
    assert str(info.value) == "secrets.B: not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding"
    fake = FakeInfisical()
    with pytest.raises(SeedError) as applied:
        apply_secrets(fake, {"qa": {"/": {"A": "1"}}})
    assert str(applied.value) == (
        f"secrets.qa: project {fake.project.name!r} has no environment 'qa' (it has dev, staging, prod)"
    )


def test_a_leading_newline_is_a_line(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.json"
    seed.write_bytes(b'\n{"projects": [{"name": "caf\xe9"}]}')
    assert _error_of(seed) == (
        f"{seed}: line 2, column 28: not UTF-8 text (a Latin-1 or other 8-bit encoding?); save the seed file as UTF-8"
    )
    yaml_seed = tmp_path / "seed.yaml"
    yaml_seed.write_text("\nprojects:\n  - name: \x01x\n", encoding="utf-8")
    assert (
        _error_of(yaml_seed)
        == f"{yaml_seed}: line 3, column 11: not valid YAML: a control character YAML does not accept"
    )


def test_an_undefined_alias_is_a_yaml_error_without_context(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yaml"
    seed.write_text("projects:\n  - name: *nowhere\n", encoding="utf-8")
    assert _error_of(seed) == f"{seed}: line 2, column 11: not valid YAML: found undefined alias 'nowhere'"


def test_a_yaml_seed_may_use_anchors_and_aliases_even_to_itself(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "projects:\n"
        "  - name: shop\n"
        "    secrets:\n"
        "      dev: &same {/: {A: '1'}}\n"
        "      prod: *same\n"
        "    note: &loop {again: *loop}\n",
        encoding="utf-8",
    )
    (project,) = load_seed(seed)["projects"]
    assert project["secrets"]["prod"] == {"/": {"A": "1"}}
    assert project["note"]["again"] is project["note"]


def test_a_yaml_context_without_a_position_is_named_alone(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yaml"
    seed.write_text("projects:\n  - name: @hunter2\n", encoding="utf-8")
    assert _error_of(seed) == (
        f"{seed}: line 2, column 11: not valid YAML: found character '@' that cannot start any token "
        "(while scanning for the next token)"
    )
