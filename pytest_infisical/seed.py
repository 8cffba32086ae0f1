"""Seeding a fake from plain data: the marker's ``secrets=`` and the ``serve --seed`` file.

Two shapes are accepted for one project's secrets:

* flat, for the dev environment's root folder: ``{"DB_PASSWORD": "hunter2"}``
* by environment and folder path: ``{"dev": {"/": {"DB_PASSWORD": "hunter2"}, "/backend": {...}}}``

A seed file (JSON, or YAML when PyYAML is installed) lists projects::

    {"projects": [{"name": "demo", "e2ee": false, "environments": ["dev", "staging", "prod"],
                   "secrets": {"dev": {"/": {"DB_PASSWORD": "hunter2"}}}}]}

Every problem is reported as a :class:`SeedError` naming the place (``projects[0].secrets.dev``)
and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import InfisicalTestingError

if TYPE_CHECKING:
    from .fake import FakeInfisical
    from .fake.state import Project

__all__ = ["DEMO_SEED", "SeedError", "apply_secrets", "build_fake", "load_seed"]


class SeedError(InfisicalTestingError, ValueError):
    """Seed data that cannot be used; the message names the place and the problem."""


def _where(place: str, source: Optional[str]) -> str:
    return f"{source}: {place}" if source else place


def _check_name(name: Any, place: str, source: Optional[str]) -> str:
    if not isinstance(name, str) or not name:
        raise SeedError(f"{_where(place, source)}: a secret name must be a non-empty string, got {name!r}")
    return name


def normalize_secrets(
    spec: Any, place: str = "secrets", source: Optional[str] = None
) -> dict[str, dict[str, dict[str, str]]]:
    """Either accepted shape → ``{environment: {path: {name: value}}}``."""
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise SeedError(f"{_where(place, source)}: expected a mapping of secrets, got {type(spec).__name__}")
    if all(isinstance(v, str) for v in spec.values()):
        return {"dev": {"/": {_check_name(k, f"{place}.{k}", source): v for k, v in spec.items()}}}
    out: dict[str, dict[str, dict[str, str]]] = {}
    for env, folders in spec.items():
        env_place = f"{place}.{env}"
        if not isinstance(folders, Mapping):
            raise SeedError(
                f"{_where(env_place, source)}: expected a mapping of folder path → secrets "
                f'(e.g. {{"/": {{"NAME": "value"}}}}), got {type(folders).__name__}'
            )
        for path, secrets in folders.items():
            path_place = f"{env_place}.{path}"
            if not isinstance(path, str) or not path.startswith("/"):
                raise SeedError(f"{_where(path_place, source)}: a folder path starts with '/', got {path!r}")
            if not isinstance(secrets, Mapping):
                raise SeedError(
                    f"{_where(path_place, source)}: expected a mapping of name → value, got {type(secrets).__name__}"
                )
            for name, value in secrets.items():
                _check_name(name, f"{path_place}.{name}", source)
                if not isinstance(value, str):
                    raise SeedError(
                        f"{_where(f'{path_place}.{name}', source)}: a secret value must be a string, got {type(value).__name__}"
                    )
            out.setdefault(str(env), {})[path] = dict(secrets)
    return out


def apply_secrets(
    fake: FakeInfisical,
    spec: Any,
    project: Optional[Project] = None,
    place: str = "secrets",
    source: Optional[str] = None,
) -> None:
    """Store the secrets of ``spec`` (either shape) in ``project`` (default: the fake's project)."""
    target = project or fake.project
    for env, folders in normalize_secrets(spec, place, source).items():
        if env not in target.environments_by_slug:
            raise SeedError(
                f"{_where(f'{place}.{env}', source)}: project {target.name!r} has no environment {env!r} "
                f"(it has {', '.join(target.environments)})"
            )
        for path, secrets in folders.items():
            for name, value in secrets.items():
                fake.set_secret(name, value, environment=env, path=path, project=target)


def load_seed(path: str | Path) -> dict[str, Any]:
    """Read a seed file (JSON; YAML if the name ends in .yaml/.yml and PyYAML is installed)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise SeedError(f"{file}: cannot read the seed file ({error.strerror})") from None
    if file.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError:
            raise SeedError(f"{file}: a YAML seed file needs PyYAML (pip install pyyaml), or use JSON") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise SeedError(f"{file}: not valid YAML: {error}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SeedError(f"{file}: line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("projects"), list) or not data["projects"]:
        raise SeedError(f'{file}: expected an object with a non-empty "projects" list')
    return dict(data)


_PROJECT_KEYS = {"name", "e2ee", "environments", "secrets"}


def _project_spec(spec: Any, index: int, source: Optional[str]) -> tuple[str, bool, list[str]]:
    place = f"projects[{index}]"
    if not isinstance(spec, Mapping):
        raise SeedError(f"{_where(place, source)}: expected an object, got {type(spec).__name__}")
    unknown = sorted(set(spec) - _PROJECT_KEYS)
    if unknown:
        raise SeedError(f"{_where(place, source)}: unknown key(s) {unknown}; a project has {sorted(_PROJECT_KEYS)}")
    name = spec.get("name", f"project-{index + 1}")
    if not isinstance(name, str) or not name:
        raise SeedError(f"{_where(place + '.name', source)}: expected a non-empty string, got {name!r}")
    e2ee = spec.get("e2ee", False)
    if not isinstance(e2ee, bool):
        raise SeedError(f"{_where(place + '.e2ee', source)}: expected true or false, got {e2ee!r}")
    environments = spec.get("environments", ["dev", "staging", "prod"])
    if (
        not isinstance(environments, list)
        or not environments
        or not all(isinstance(e, str) and e for e in environments)
    ):
        raise SeedError(f"{_where(place + '.environments', source)}: expected a non-empty list of environment slugs")
    return name, e2ee, environments


def build_fake(
    data: Mapping[str, Any],
    profile: str = "latest",
    source: Optional[str] = None,
    *,
    sleep: Optional[Callable[[float], None]] = None,
) -> FakeInfisical:
    """A fake holding the seed's projects; the first is its default project (``fake.project``).
    ``sleep`` is how its delay faults pass (None: simulated)."""
    from .fake import FakeInfisical

    specs = data["projects"]
    checked = [_project_spec(spec, i, source) for i, spec in enumerate(specs)]
    name, e2ee, environments = checked[0]
    fake = FakeInfisical(profile=profile, e2ee=e2ee, environments=environments, project_name=name, sleep=sleep)
    projects = [fake.project]
    for name, e2ee, environments in checked[1:]:
        projects.append(fake.create_project(name, e2ee=e2ee, environments=environments))
    for index, (spec, project) in enumerate(zip(specs, projects)):
        apply_secrets(fake, spec.get("secrets"), project, place=f"projects[{index}].secrets", source=source)
    return fake


#: what ``serve`` seeds without a seed file
DEMO_SEED: dict[str, Any] = {
    "projects": [
        {
            "name": "demo",
            "e2ee": False,
            "environments": ["dev", "staging", "prod"],
            "secrets": {
                "dev": {"/": {"DB_PASSWORD": "hunter2"}, "/backend": {"QUEUE_URL": "amqp://queue"}},
                "prod": {"/": {"DB_PASSWORD": "s3cret"}},
            },
        }
    ]
}
