"""Seed data (seed.py): JSON and YAML seed files, and every error a bad seed gets, in process."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pytest_infisical.seed import DEMO_SEED, SeedError, build_fake, build_seeded, load_seed, normalize_secrets

YAML_SEED = """\
projects:
  - name: shop
    e2ee: false
    environments: [dev, prod]
    secrets:
      dev:
        /:
          DB_PASSWORD: hunter2
        /backend:
          QUEUE_URL: "amqp://queue"
      prod:
        /:
          DB_PASSWORD: s3cret
  - name: billing
    e2ee: true
    secrets:
      STRIPE_KEY: sk_test_1
"""


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_a_yaml_seed_file_builds_the_projects_it_lists(tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / f"seed{suffix}"
    seed.write_text(YAML_SEED, encoding="utf-8")
    fake, projects = build_seeded(load_seed(seed))
    assert [p.name for p in projects] == ["shop", "billing"]
    assert fake.project is projects[0]
    assert list(projects[0].environments) == ["dev", "prod"]
    assert list(projects[1].environments) == ["dev", "staging", "prod"]
    assert (projects[0].e2ee, projects[1].e2ee) == (False, True)
    assert fake.secrets("dev") == {"DB_PASSWORD": "hunter2"}
    assert fake.secrets("dev", "/backend") == {"QUEUE_URL": "amqp://queue"}
    assert fake.secrets("prod") == {"DB_PASSWORD": "s3cret"}
    assert fake.secrets("dev", project=projects[1]) == {"STRIPE_KEY": "sk_test_1"}


def test_a_json_seed_file_and_the_default_project_name(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"projects": [{}, {"environments": ["qa"]}]}', encoding="utf-8")
    _, projects = build_seeded(load_seed(seed))
    assert [p.name for p in projects] == ["project-1", "project-2"]
    assert list(projects[1].environments) == ["qa"]


def test_the_demo_seed() -> None:
    fake = build_fake(DEMO_SEED)
    assert fake.project.name == "demo"
    assert fake.secrets("prod") == {"DB_PASSWORD": "s3cret"}


def test_normalize_secrets_accepts_both_shapes() -> None:
    assert normalize_secrets(None) == {}
    assert normalize_secrets({}) == {"dev": {"/": {}}}
    assert normalize_secrets({"A": "1", "B": "2"}) == {"dev": {"/": {"A": "1", "B": "2"}}}
    assert normalize_secrets({"prod": {"/": {"A": "1"}, "/x": {"B": "2"}}}) == {
        "prod": {"/": {"A": "1"}, "/x": {"B": "2"}}
    }


def test_a_seed_file_that_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(
        SeedError, match=rf"^{re.escape(str(missing))}: cannot read the seed file \(No such file or directory\)$"
    ):
        load_seed(missing)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "line 1, column 2: not valid JSON: Expecting property name enclosed in double quotes"),
        ("[]", 'expected an object with a non-empty "projects" list'),
        ('{"projects": {}}', 'expected an object with a non-empty "projects" list'),
        ('{"projects": []}', 'expected an object with a non-empty "projects" list'),
        ('{"a": 1, "a": 2}', "the key 'a' appears twice in one object; only one can be used"),
    ],
)
def test_a_bad_json_seed_file(tmp_path: Path, content: str, message: str) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(content, encoding="utf-8")
    with pytest.raises(SeedError) as info:
        load_seed(seed)
    assert str(info.value) == f"{seed}: {message}"


def test_a_bad_yaml_seed_file(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yml"
    seed.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(SeedError) as info:
        load_seed(seed)
    assert str(info.value) == f'{seed}: expected an object with a non-empty "projects" list'


def test_a_yaml_seed_without_pyyaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "yaml", None)
    seed = tmp_path / "seed.yaml"
    seed.write_text(YAML_SEED, encoding="utf-8")
    with pytest.raises(SeedError) as info:
        load_seed(seed)
    assert str(info.value) == f"{seed}: a YAML seed file needs PyYAML (pip install pyyaml), or use JSON"


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ("shop", "projects[0]: expected an object, got str"),
        (
            {"name": "x", "colour": "red", "id": 1},
            "projects[0]: unknown key(s) ['colour', 'id']; a project has ['e2ee', 'environments', 'name', 'secrets', 'version']",
        ),
        ({"name": ""}, "projects[0].name: expected a non-empty string, got ''"),
        ({"name": 7}, "projects[0].name: expected a non-empty string, got 7"),
        ({"e2ee": "yes"}, "projects[0].e2ee: expected true or false, got 'yes'"),
        ({"e2ee": 1}, "projects[0].e2ee: expected true or false, got 1"),
        ({"environments": []}, "projects[0].environments: expected a non-empty list of environment slugs"),
        ({"environments": "dev"}, "projects[0].environments: expected a non-empty list of environment slugs"),
        ({"environments": ["dev", ""]}, "projects[0].environments: expected a non-empty list of environment slugs"),
        ({"environments": ["dev", 3]}, "projects[0].environments: expected a non-empty list of environment slugs"),
        ({"environments": ["dev", "qa", "qa"]}, "projects[0].environments[2]: 'qa' is listed twice"),
        (
            {"environments": ["dev", "\ud800"]},
            "projects[0].environments[1]: not valid Unicode text: a lone surrogate at index 0 has no UTF-8 encoding",
        ),
        ({"secrets": ["A"]}, "projects[0].secrets: expected a mapping of secrets, got list"),
        ({"secrets": {"": "x"}}, "projects[0].secrets.: a secret name must be a non-empty string, got ''"),
        (
            {"secrets": {"dev": {"/": {"": "x"}}}},
            "projects[0].secrets.dev./.: a secret name must be a non-empty string, got ''",
        ),
        (
            {"secrets": {"dev": {"/": {"A": 1}}}},
            "projects[0].secrets.dev./.A: a secret value must be a string, got int",
        ),
        (
            {"secrets": {"dev": {"/": {"A": None}}}},
            "projects[0].secrets.dev./.A: a secret value must be a string, got NoneType",
        ),
        (
            {"secrets": {"dev": "x", "prod": {}}},
            'projects[0].secrets.dev: expected a mapping of folder path → secrets (e.g. {"/": {"NAME": "value"}}), got str',
        ),
        (
            {"secrets": {"dev": {"backend": {"A": "1"}}}},
            "projects[0].secrets.dev.backend: a folder path starts with '/', got 'backend'",
        ),
        ({"secrets": {"dev": {"/": ["A"]}}}, "projects[0].secrets.dev./: expected a mapping of name → value, got list"),
        (
            {"secrets": {"dev": {"/\udc80": {}}}},
            "projects[0].secrets.dev./\udc80: not valid Unicode text: a lone surrogate at index 1 has no UTF-8 encoding",
        ),
        (
            {"secrets": {"\ud800": {"/": {}}}},
            "projects[0].secrets.\ud800: not valid Unicode text: a lone surrogate at index 0 has no UTF-8 encoding",
        ),
        (
            {"secrets": {"qa": {"/": {"A": "1"}}}},
            "projects[0].secrets.qa: project 'project-1' has no environment 'qa' (it has dev, staging, prod)",
        ),
    ],
)
def test_every_seed_validation_error(project: Any, message: str) -> None:
    with pytest.raises(SeedError) as info:
        build_fake({"projects": [project]})
    assert str(info.value) == message
    with pytest.raises(SeedError) as sourced:
        build_fake({"projects": [project]}, source="seed.json")
    assert str(sourced.value) == f"seed.json: {message}"


def test_errors_name_the_project_by_its_index() -> None:
    with pytest.raises(SeedError) as info:
        build_fake({"projects": [{"name": "a"}, {"name": "b", "e2ee": None}]})
    assert str(info.value) == "projects[1].e2ee: expected true or false, got None"


def test_seed_errors_are_value_errors() -> None:
    from pytest_infisical.errors import InfisicalTestingError

    assert issubclass(SeedError, ValueError)
    assert issubclass(SeedError, InfisicalTestingError)
