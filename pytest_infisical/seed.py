"""Seeding a fake from plain data: the marker's ``secrets=`` and the ``serve --seed`` file.

Two shapes are accepted for one project's secrets:

* flat, for the dev environment's root folder: ``{"DB_PASSWORD": "hunter2"}``
* by environment and folder path: ``{"dev": {"/": {"DB_PASSWORD": "hunter2"}, "/backend": {...}}}``

A seed file (JSON, or YAML when PyYAML is installed) lists projects::

    {"projects": [{"name": "demo", "e2ee": false, "environments": ["dev", "staging", "prod"],
                   "secrets": {"dev": {"/": {"DB_PASSWORD": "hunter2"}}}}]}

Every problem is reported as a :class:`SeedError` naming the place (``projects[0].secrets.dev``,
or a line and column of the file) and what is wrong, never quoting the file's text: a seed holds
secret values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import InfisicalTestingError

if TYPE_CHECKING:
    from .fake import FakeInfisical
    from .fake.state import Project

__all__ = ["DEMO_SEED", "SeedError", "apply_secrets", "build_fake", "build_seeded", "load_seed"]


class SeedError(InfisicalTestingError, ValueError):
    """Seed data that cannot be used; the message names the place and the problem."""


def _where(place: str, source: Optional[str]) -> str:
    return f"{source}: {place}" if source else place


def _check_unicode(text: str, place: str, source: Optional[str]) -> str:
    """``text``, unless it holds a lone surrogate (JSON's ``"\\ud800"``), which no UTF-8 client can receive."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise SeedError(
            f"{_where(place, source)}: not valid Unicode text: a lone surrogate at index {error.start} "
            "has no UTF-8 encoding"
        ) from None
    return text


def _check_name(name: Any, place: str, source: Optional[str]) -> str:
    if not isinstance(name, str) or not name:
        raise SeedError(f"{_where(place, source)}: a secret name must be a non-empty string, got {name!r}")
    return _check_unicode(name, place, source)


def _check_value(value: Any, place: str, source: Optional[str]) -> str:
    if not isinstance(value, str):
        raise SeedError(f"{_where(place, source)}: a secret value must be a string, got {type(value).__name__}")
    return _check_unicode(value, place, source)


def normalize_secrets(
    spec: Any, place: str = "secrets", source: Optional[str] = None
) -> dict[str, dict[str, dict[str, str]]]:
    """Either accepted shape → ``{environment: {path: {name: value}}}``."""
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise SeedError(f"{_where(place, source)}: expected a mapping of secrets, got {type(spec).__name__}")
    if all(isinstance(v, str) for v in spec.values()):
        return {
            "dev": {
                "/": {
                    _check_name(k, f"{place}.{k}", source): _check_value(v, f"{place}.{k}", source)
                    for k, v in spec.items()
                }
            }
        }
    out: dict[str, dict[str, dict[str, str]]] = {}
    for env, folders in spec.items():
        env_place = f"{place}.{env}"
        if isinstance(env, str):
            _check_unicode(env, env_place, source)
        if not isinstance(folders, Mapping):
            raise SeedError(
                f"{_where(env_place, source)}: expected a mapping of folder path → secrets "
                f'(e.g. {{"/": {{"NAME": "value"}}}}), got {type(folders).__name__}'
            )
        for path, secrets in folders.items():
            path_place = f"{env_place}.{path}"
            if not isinstance(path, str) or not path.startswith("/"):
                raise SeedError(f"{_where(path_place, source)}: a folder path starts with '/', got {path!r}")
            _check_unicode(path, path_place, source)
            if not isinstance(secrets, Mapping):
                raise SeedError(
                    f"{_where(path_place, source)}: expected a mapping of name → value, got {type(secrets).__name__}"
                )
            for name, value in secrets.items():
                _check_name(name, f"{path_place}.{name}", source)
                _check_value(value, f"{path_place}.{name}", source)
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


_TOO_DEEP = "nests lists or objects too deeply to read (a seed is a few levels deep)"


def _line_column(text: Any, index: int) -> str:
    """Where ``index`` is in ``text`` (str or bytes), as people count: ``line 2, column 11``."""
    newline = "\n" if isinstance(text, str) else b"\n"
    start = text.rfind(newline, 0, index) + 1
    return f"line {text.count(newline, 0, index) + 1}, column {index - start + 1}"


def _decode(raw: bytes, file: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SeedError(
            f"{file}: {_line_column(raw, error.start)}: not UTF-8 text (a Latin-1 or other 8-bit encoding?); "
            "save the seed file as UTF-8"
        ) from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (JSON would silently keep the last one)."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise SeedError(f"the key {key!r} appears twice in one object; only one can be used")
        seen[key] = value
    return seen


def _load_json(text: str, file: Path) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise SeedError(f"{file}: line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}") from None
    except SeedError as error:
        raise SeedError(f"{file}: {error}") from None
    except RecursionError:
        raise SeedError(f"{file}: {_TOO_DEEP}") from None


def _load_yaml(text: str, file: Path) -> Any:
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        raise SeedError(f"{file}: a YAML seed file needs PyYAML (pip install pyyaml), or use JSON") from None

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, (str, int, float, bool)) and key in seen:
                    mark = key_node.start_mark
                    raise SeedError(
                        f"{file}: line {mark.line + 1}, column {mark.column + 1}: the key {key!r} appears twice "
                        "in one mapping; only one can be used"
                    )
                seen.add(key)
            return super().construct_mapping(node, deep)

    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a SafeLoader
    except yaml.MarkedYAMLError as error:  # its str() quotes the offending line: a seed line may hold a secret

        def at(mark: Any) -> str:
            return f"line {mark.line + 1}, column {mark.column + 1}"

        where = f"{at(error.problem_mark)}: " if error.problem_mark is not None else ""
        context = ""
        if error.context:
            started = f" at {at(error.context_mark)}" if error.context_mark is not None else ""
            context = f" ({error.context}{started})"
        raise SeedError(f"{file}: {where}not valid YAML: {error.problem}{context}") from None
    except yaml.YAMLError as error:  # a reader error: a character YAML does not accept (never shown)
        position = getattr(error, "position", None)
        where = f"{_line_column(text, position)}: " if isinstance(position, int) else ""
        raise SeedError(f"{file}: {where}not valid YAML: a control character YAML does not accept") from None
    except RecursionError:
        raise SeedError(f"{file}: {_TOO_DEEP}") from None


def load_seed(path: str | Path) -> dict[str, Any]:
    """Read a seed file (JSON; YAML if the name ends in .yaml/.yml and PyYAML is installed)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise SeedError(f"{file}: cannot read the seed file ({error.strerror})") from None
    text = _decode(raw, file)
    data = _load_yaml(text, file) if file.suffix.lower() in (".yaml", ".yml") else _load_json(text, file)
    if not isinstance(data, Mapping) or not isinstance(data.get("projects"), list) or not data["projects"]:
        raise SeedError(f'{file}: expected an object with a non-empty "projects" list')
    return dict(data)


_PROJECT_KEYS = {"name", "e2ee", "environments", "secrets", "version"}


def _project_spec(spec: Any, index: int, source: Optional[str]) -> tuple[str, bool, list[str], int]:
    place = f"projects[{index}]"
    if not isinstance(spec, Mapping):
        raise SeedError(f"{_where(place, source)}: expected an object, got {type(spec).__name__}")
    unknown = sorted(set(spec) - _PROJECT_KEYS)
    if unknown:
        raise SeedError(f"{_where(place, source)}: unknown key(s) {unknown}; a project has {sorted(_PROJECT_KEYS)}")
    name = spec.get("name", f"project-{index + 1}")
    if not isinstance(name, str) or not name:
        raise SeedError(f"{_where(place + '.name', source)}: expected a non-empty string, got {name!r}")
    _check_unicode(name, place + ".name", source)
    e2ee = spec.get("e2ee", False)
    if not isinstance(e2ee, bool):
        raise SeedError(f"{_where(place + '.e2ee', source)}: expected true or false, got {e2ee!r}")
    version = spec.get("version", 1)
    if version not in (1, 3) or isinstance(version, bool):
        raise SeedError(f"{_where(place + '.version', source)}: expected 1 (legacy E2EE) or 3 (KMS), got {version!r}")
    if version == 3 and e2ee:
        raise SeedError(f"{_where(place + '.e2ee', source)}: a version 3 (KMS) project has no end-to-end encryption")
    environments = spec.get("environments", ["dev", "staging", "prod"])
    if (
        not isinstance(environments, list)
        or not environments
        or not all(isinstance(e, str) and e for e in environments)
    ):
        raise SeedError(f"{_where(place + '.environments', source)}: expected a non-empty list of environment slugs")
    for index, slug in enumerate(environments):
        _check_unicode(slug, f"{place}.environments[{index}]", source)
        if slug in environments[:index]:
            raise SeedError(f"{_where(f'{place}.environments[{index}]', source)}: {slug!r} is listed twice")
    return name, e2ee, environments, version


def build_fake(
    data: Mapping[str, Any],
    profile: str = "latest",
    source: Optional[str] = None,
    *,
    sleep: Optional[Callable[[float], None]] = None,
) -> FakeInfisical:
    """A fake holding the seed's projects; the first is its default project (``fake.project``).
    ``sleep`` is how its delay faults pass (None: simulated)."""
    return build_seeded(data, profile, source, sleep=sleep)[0]


def build_seeded(
    data: Mapping[str, Any],
    profile: str = "latest",
    source: Optional[str] = None,
    project_ids: Sequence[str] = (),
    *,
    url: Optional[str] = None,
    sleep: Optional[Callable[[float], None]] = None,
    rate_limits: bool = True,
) -> tuple[FakeInfisical, list[Project]]:
    """``build_fake``, and the seed's projects in order; ``project_ids`` gives them known ids
    (building the same seed again, with the same ids, is how ``serve``'s admin API resets), ``url``
    the base URL the fake is served at; ``rate_limits=False`` turns the profile's own limits off."""
    from .fake import FakeInfisical

    specs = data["projects"]
    checked = [_project_spec(spec, i, source) for i, spec in enumerate(specs)]
    ids: list[Optional[str]] = [*project_ids, *([None] * (len(checked) - len(project_ids)))]
    name, e2ee, environments, version = checked[0]
    fake = FakeInfisical(
        *([url] if url else []),
        profile=profile,
        e2ee=e2ee,
        environments=environments,
        project_name=name,
        project_id=ids[0],
        project_version=version,
        sleep=sleep,
        rate_limits=rate_limits,
    )
    projects = [fake.project]
    for (name, e2ee, environments, version), id_ in zip(checked[1:], ids[1:]):
        projects.append(fake.create_project(name, e2ee=e2ee, environments=environments, id=id_, version=version))
    for index, (spec, project) in enumerate(zip(specs, projects)):
        apply_secrets(fake, spec.get("secrets"), project, place=f"projects[{index}].secrets", source=source)
    return fake, projects


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
