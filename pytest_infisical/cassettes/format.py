"""The cassette file: JSON with a fixed key order and indentation, written atomically.

A cassette is one JSON object::

    {
      "format_version": 1,
      "meta": {"recorded_at": …, "package_version": …, "infisical_version": …, "auth_modes": […], "url": …},
      "fixture": {"credentials": {…}, "issued": […], "project_keys": […]},
      "interactions": [
        {"request": {"method", "url", "headers", "body"}, "response": {"status", "headers", "body"}}, …
      ]
    }

A body is ``null`` (empty), ``{"json": <value>}`` when it is JSON, ``{"text": "…"}`` for other
UTF-8 text and ``{"base64": "…"}`` for bytes. Everything under ``fixture`` is fake material made
by the re-keying (:mod:`.rekey`); nothing real is ever stored. A file that is not such an object
raises :class:`~pytest_infisical.errors.CassetteFormatError` naming the file and the place.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional, Union

import attrs

from ..errors import CassetteFormatError, CassetteNotFoundError
from ..http import Headers, encode_json

__all__ = [
    "FORMAT_VERSION",
    "Body",
    "Cassette",
    "Fixture",
    "Interaction",
    "Meta",
    "RecordedRequest",
    "RecordedResponse",
    "dumps",
    "load",
    "loads",
    "save",
]

FORMAT_VERSION = 1

PathArg = Union[str, "os.PathLike[str]"]


@attrs.frozen
class Body:
    """A request or response body: ``kind`` is ``empty``, ``json``, ``text`` or ``base64``."""

    kind: str
    value: Any = None

    @classmethod
    def from_bytes(cls, data: bytes) -> Body:
        """JSON when the bytes parse as JSON, else text when they are UTF-8, else base64."""
        if not data:
            return EMPTY
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return cls("base64", base64.b64encode(data).decode("ascii"))
        try:
            return cls("json", json.loads(text))
        except ValueError:
            return cls("text", text)

    def to_bytes(self) -> bytes:
        if self.kind == "json":
            return encode_json(self.value)
        if self.kind == "text":
            return str(self.value).encode("utf-8")
        if self.kind == "base64":
            return base64.b64decode(self.value)
        return b""

    def to_obj(self) -> Optional[dict[str, Any]]:
        return None if self.kind == "empty" else {self.kind: self.value}


EMPTY = Body("empty")


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _header_dict(value: Union[Mapping[str, str], Iterable[tuple[str, str]]]) -> dict[str, str]:
    if type(value) is dict:
        return value  # as loaded, or as built by the re-keying: owned by the cassette from now on
    if isinstance(value, Headers):
        return dict(value.raw_items())
    return dict(value.items()) if isinstance(value, Mapping) else dict(value)


@attrs.frozen
class RecordedRequest:
    method: str
    url: str
    #: name -> value, as recorded (names keep their case; look them up with :func:`header`)
    headers: dict[str, str] = attrs.field(converter=_header_dict)
    body: Body = EMPTY


@attrs.frozen
class RecordedResponse:
    status: int
    headers: dict[str, str] = attrs.field(converter=_header_dict)
    body: Body = EMPTY


def header(headers: Mapping[str, str], name: str) -> Optional[str]:
    """A header's value by case-insensitive name, or None."""
    if isinstance(headers, Headers):
        return headers.get(name)  # type: ignore[no-any-return]
    name = name.lower()
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


@attrs.frozen
class Interaction:
    request: RecordedRequest
    response: RecordedResponse


@attrs.frozen
class Fixture:
    """The fake material a cassette replays with (all of it made by the re-keying).

    ``credentials`` holds the fixture counterparts of the credentials the test was given, by kind:
    ``service_token`` (the full 4-part token), ``api_key``, ``service_account`` (``access_key``,
    ``public_key``, ``private_key``), ``machine_identity`` (``client_id``, ``client_secret``).
    ``issued`` lists the fixture counterparts of credentials the server issued while recording
    (access tokens, created service tokens and API keys); ``project_keys`` the fixture project keys.
    """

    credentials: Mapping[str, Any] = attrs.field(factory=dict)
    issued: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    project_keys: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    def material(self) -> list[str]:
        """Every fixture string: what a scan allows to look like a credential."""
        found: list[str] = [*self.issued, *self.project_keys]
        for value in self.credentials.values():
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, Mapping):
                found.extend(v for v in value.values() if isinstance(v, str))
        return found


@attrs.frozen
class Meta:
    recorded_at: str = ""
    package_version: str = ""
    infisical_version: Optional[str] = None
    auth_modes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    #: the base URL the interactions were recorded at
    url: str = ""


def _interactions(value: Iterable[Interaction]) -> tuple[Interaction, ...]:
    return tuple(value)


@attrs.frozen
class Cassette:
    interactions: tuple[Interaction, ...] = attrs.field(converter=_interactions)
    fixture: Fixture = attrs.field(factory=Fixture)
    meta: Meta = attrs.field(factory=Meta)
    #: the file it was loaded from, if any (for error messages)
    path: Optional[str] = attrs.field(default=None, eq=False)


# --------------------------------------------------------------------------------------------
# writing


def to_obj(cassette: Cassette) -> dict[str, Any]:
    """The JSON object of a cassette, keys in the documented order."""
    meta = cassette.meta
    fixture = cassette.fixture
    return {
        "format_version": FORMAT_VERSION,
        "meta": {
            "recorded_at": meta.recorded_at,
            "package_version": meta.package_version,
            "infisical_version": meta.infisical_version,
            "auth_modes": list(meta.auth_modes),
            "url": meta.url,
        },
        "fixture": {
            "credentials": {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in fixture.credentials.items()},
            "issued": list(fixture.issued),
            "project_keys": list(fixture.project_keys),
        },
        "interactions": [
            {
                "request": {
                    "method": i.request.method,
                    "url": i.request.url,
                    "headers": dict(i.request.headers),
                    "body": i.request.body.to_obj(),
                },
                "response": {
                    "status": i.response.status,
                    "headers": dict(i.response.headers),
                    "body": i.response.body.to_obj(),
                },
            }
            for i in cassette.interactions
        ],
    }


def dumps(cassette: Cassette) -> str:
    """The cassette as text: two-space indentation, fixed key order, a final newline."""
    return json.dumps(to_obj(cassette), indent=2, ensure_ascii=False) + "\n"


def write_atomically(path: PathArg, text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``.

    A reader (or another pytest-xdist worker) sees the old file or the new one, never half of one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save(cassette: Cassette, path: PathArg) -> None:
    """Write ``cassette`` to ``path`` atomically (no scan: :class:`.recorder.Recorder` scans first)."""
    write_atomically(path, dumps(cassette))


# --------------------------------------------------------------------------------------------
# reading


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> CassetteFormatError:
        return CassetteFormatError(message, path=self.path, where=where)

    def field(self, obj: Mapping[str, Any], name: str, where: str, kind: Any, *, optional: bool = False) -> Any:
        if name not in obj:
            if optional:
                return None
            raise self.fail(where, f"the field {name!r} is missing")
        value = obj[name]
        if optional and value is None:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"{where}.{name}", f"expected {_kind_name(kind)}, found {_json_type(value)}")
        return value

    def headers(self, obj: Mapping[str, Any], where: str) -> dict[str, str]:
        raw: dict[str, Any] = self.field(obj, "headers", where, dict)
        for name, value in raw.items():
            if type(value) is not str:
                raise self.fail(f"{where}.headers[{name!r}]", f"expected a string, found {_json_type(value)}")
        return raw

    def body(self, obj: Mapping[str, Any], where: str) -> Body:
        raw = obj.get("body")
        if raw is None:
            return EMPTY
        here = f"{where}.body"
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("json", "text", "base64"):
            raise self.fail(here, 'expected null, {"json": …}, {"text": "…"} or {"base64": "…"}')
        kind, value = next(iter(raw.items()))
        if kind != "json" and not isinstance(value, str):
            raise self.fail(f"{here}.{kind}", f"expected a string, found {_json_type(value)}")
        if kind == "base64":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise self.fail(f"{here}.base64", "not valid base64") from None
        return Body(kind, value)

    def interaction(self, raw: Any, index: int) -> Interaction:
        try:  # the fast path for a well-formed interaction; anything odd takes the checked path below
            req, res = raw["request"], raw["response"]
            method, url, status = req["method"], req["url"], res["status"]
            request_headers, response_headers = req["headers"], res["headers"]
            if (
                type(method) is str
                and type(url) is str
                and type(status) is int
                and 100 <= status <= 599
                and type(request_headers) is dict
                and type(response_headers) is dict
                and all(type(v) is str for v in request_headers.values())
                and all(type(v) is str for v in response_headers.values())
            ):
                where = f"interactions[{index}]"
                return Interaction(
                    RecordedRequest(method.upper(), url, request_headers, self.body(req, f"{where}.request")),
                    RecordedResponse(status, response_headers, self.body(res, f"{where}.response")),
                )
        except (KeyError, TypeError):
            pass
        return self._checked(raw, index)

    def _checked(self, raw: Any, index: int) -> Interaction:
        where = f"interactions[{index}]"
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected an object, found {_json_type(raw)}")
        req = self.field(raw, "request", where, dict)
        res = self.field(raw, "response", where, dict)
        rw, sw = f"{where}.request", f"{where}.response"
        status = self.field(res, "status", sw, int)
        if not 100 <= status <= 599:
            raise self.fail(f"{sw}.status", f"expected an HTTP status (100-599), found {status}")
        return Interaction(
            RecordedRequest(
                method=self.field(req, "method", rw, str).upper(),
                url=self.field(req, "url", rw, str),
                headers=self.headers(req, rw),
                body=self.body(req, rw),
            ),
            RecordedResponse(status=status, headers=self.headers(res, sw), body=self.body(res, sw)),
        )

    def cassette(self, obj: Any) -> Cassette:
        if not isinstance(obj, dict):
            raise self.fail("top level", f"expected a JSON object, found {_json_type(obj)}")
        version = self.field(obj, "format_version", "top level", int)
        if version != FORMAT_VERSION:
            raise self.fail(
                "format_version",
                f"this version of pytest-infisical reads cassette format {FORMAT_VERSION}, found {version}; "
                "record the cassette again",
            )
        meta = self.field(obj, "meta", "top level", dict)
        fixture = self.field(obj, "fixture", "top level", dict)
        interactions = self.field(obj, "interactions", "top level", list)
        credentials = self.field(fixture, "credentials", "fixture", dict)
        issued = self.field(fixture, "issued", "fixture", list)
        keys = self.field(fixture, "project_keys", "fixture", list)
        for name, values in (("issued", issued), ("project_keys", keys)):
            for i, value in enumerate(values):
                if not isinstance(value, str):
                    raise self.fail(f"fixture.{name}[{i}]", f"expected a string, found {_json_type(value)}")
        modes = self.field(meta, "auth_modes", "meta", list)
        return Cassette(
            interactions=[self.interaction(raw, i) for i, raw in enumerate(interactions)],
            fixture=Fixture(credentials=credentials, issued=issued, project_keys=keys),
            meta=Meta(
                recorded_at=self.field(meta, "recorded_at", "meta", str),
                package_version=self.field(meta, "package_version", "meta", str),
                infisical_version=self.field(meta, "infisical_version", "meta", str, optional=True),
                auth_modes=[str(m) for m in modes],
                url=self.field(meta, "url", "meta", str),
            ),
            path=self.path,
        )


_KIND_NAMES: Mapping[Any, str] = {dict: "an object", list: "an array", str: "a string", int: "an integer"}


def _kind_name(kind: Any) -> str:
    return _KIND_NAMES.get(kind, str(kind))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return _KIND_NAMES.get(type(value), type(value).__name__)


def loads(text: Union[str, bytes], path: str = "<string>") -> Cassette:
    """Parse a cassette; a broken or hand-edited one raises :class:`CassetteFormatError`."""
    reader = _Reader(path)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        raise reader.fail(f"line {error.lineno}, column {error.colno}", f"not valid JSON: {error.msg}") from None
    except UnicodeDecodeError:
        raise reader.fail("top level", "not UTF-8 text") from None
    return reader.cassette(obj)


def load(path: PathArg) -> Cassette:
    """Read a cassette file."""
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except FileNotFoundError:
        raise CassetteNotFoundError(
            f"no cassette at {name}: record it first, against a live Infisical with real credentials "
            "(see docs/cassettes.md)"
        ) from None
    return loads(data, name)
