"""A broken cassette's error carries the file and the place as attributes, besides its message.

``CassetteFormatError`` (pytest_infisical.errors): ``path`` is the cassette file, ``where`` the
place in it (a JSON line and column), and the message is ``<path>: <where>: <problem>``; docs/cassettes.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infisical.cassettes.format import load
from pytest_infisical.errors import CassetteFormatError


def test_the_file_and_the_place_are_attributes(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{\n  "format_version": 1,\n  "meta": {,\n}')
    with pytest.raises(CassetteFormatError) as info:
        load(path)
    assert (info.value.path, info.value.where) == (str(path), "line 3, column 12")
    assert str(info.value).startswith(f"{path}: line 3, column 12: ")
