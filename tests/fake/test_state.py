"""State helpers: secret paths, glob scopes, the clock."""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.fake.state import has_glob, iso, normalize_secret_path, path_in_scope


@pytest.mark.parametrize(("raw", "normal"), [("/", "/"), ("", "/"), ("/a/", "/a"), ("a//b", "/a/b")])
def test_normalize_secret_path(raw: str, normal: str) -> None:
    assert normalize_secret_path(raw) == normal


@pytest.mark.parametrize(
    ("path", "pattern", "inside"),
    [
        ("/", "/", True),
        ("/a", "/", False),
        ("/a", "/*", True),
        ("/a/b", "/*", False),
        ("/a/b", "/**", True),
        ("/", "/**", True),
        ("/apps/api", "/apps/*", True),
        ("/apps/", "/apps", True),  # strictSlashes: false
        ("/apps/api/v1", "/apps/**", True),
        ("/apps", "/apps/**", True),
        ("/x/api", "/{x,y}/api", True),
        ("/z/api", "/{x,y}/api", False),
        ("/a1", "/a?", True),
    ],
)
def test_scope_globs(path: str, pattern: str, inside: bool) -> None:
    assert path_in_scope(path, pattern) is inside


def test_has_glob() -> None:
    assert has_glob("/apps/*") and has_glob("/{a,b}") and not has_glob("/apps/api")


def test_clock_advance_and_freeze() -> None:
    fake = FakeInfisical()
    before = fake.clock.now()
    fake.clock.advance(3600)
    assert (fake.clock.now() - before).total_seconds() >= 3600
    fake.clock.freeze()
    frozen = fake.clock.now()
    assert fake.clock.now() == frozen
    fake.clock.advance(1)
    assert (fake.clock.now() - frozen).total_seconds() == 1
    assert iso(frozen).endswith("Z") and len(iso(frozen)) == 24
    fake.clock.unfreeze()


def test_reprs_hide_keys() -> None:
    fake = FakeInfisical()
    assert fake.project.key not in repr(fake.project)
    assert "key=<redacted>" in repr(fake.project)
    secret = fake.set_secret("A", "hunter2")
    assert "hunter2" not in repr(secret)
