"""Replaying a cassette: :class:`CassettePlayer` is a handler (``handle(Request) -> Response``).

A request matches a recorded one by meaning, not by bytes: method, API path, the query in a
canonical order, and the JSON body with credentials compared by kind (any service token matches
a service token) and cipher triples compared by what they decrypt to under the cassette's fixture
project keys (a client's random IVs differ on every run). Wrapped project keys (a new token's
``encryptedKey``) are wrapped under a key only the client knows, so they match any wrapped key.

The canonical form of every recorded request is computed once, on load, into a hash index: a
lookup costs one dict access whatever the size of the cassette. Identical requests replay their
recorded responses in recorded order. A request that matches nothing gets a 404 answer whose
message names the closest recorded interactions, and is kept in :attr:`CassettePlayer.misses`;
:meth:`CassettePlayer.unplayed` lists what was never asked for. Neither ever shows a credential
or a value: only methods, paths and the names of what differs.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Optional, Union
from urllib.parse import unquote_plus

import attrs

from ..credential_headers import auth_mode, credential_id, read_credentials
from ..credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from ..errors import CassetteMismatchError, CryptoError
from ..http import Request, Response, Served, api_path, encode_json
from ..journal import detect_auth_mode
from .format import Cassette, Interaction, PathArg, header, load
from .shapes import CIPHER_PREFIXES, CREDENTIAL, kind_of, wrapped_key_kind

__all__ = ["MATCH_ON", "CassettePlayer", "Miss", "served"]

#: what a request is matched on; ``match_on=`` takes a subset (method and path always count)
MATCH_ON = ("method", "path", "query", "auth", "body")
_CREDENTIAL_FIELDS = frozenset({"clientId", "clientSecret"})
_NEAREST = 3


def served(request: Request, status: Optional[int], route: Optional[str] = None) -> Served:
    """What a cassette handler reports to the journal: the route (``METHOD /api/path`` as recorded)
    and the credential the request presents (bearer first, as a recorded server read it);
    ``authenticated`` unless the answer was a 401 or 403 (``status`` None: not answered)."""
    presented = read_credentials(request.headers, api_key_wins=False)
    mode = auth_mode(presented)
    return Served(
        route=route if route is not None else f"{request.method} {api_path(request.path)}",
        takes_credentials=presented.kind is not None,
        auth_read=True,
        auth_mode=mode,
        credential_id=credential_id(presented),
        authenticated=mode is not None and status is not None and status not in (401, 403),
    )


def _canon_string(text: str) -> str:
    return CREDENTIAL.sub(lambda m: f"<{kind_of(m.group(0))}>", text) if "." in text else text


class _Canon:
    """The canonical form of request parts, given the cassette's fixture project keys."""

    def __init__(self, project_keys: Iterable[str]) -> None:
        self.keys = tuple(project_keys)
        #: header set -> auth kind: the requests of a cassette carry the same few (bounded, per player)
        self._auth: dict[tuple[tuple[str, str], ...], str] = {}
        self._queries: dict[str, tuple[tuple[str, str], ...]] = {}

    def query(self, raw: str) -> tuple[tuple[str, str], ...]:
        """The canonical form of a recorded query string: requests of a cassette share a few."""
        known = self._queries.get(raw)
        if known is None:
            known = _canon_query(_pairs(raw))
            if len(self._queries) < 1024:
                self._queries[raw] = known
        return known

    def auth(self, headers: Mapping[str, str]) -> str:
        memo = tuple(headers.items())
        known = self._auth.get(memo)
        if known is None:
            known = _auth(headers)
            if len(self._auth) < 64:
                self._auth[memo] = known
        return known

    def _plain(self, ct: Any, iv: Any, tag: Any) -> str:
        from .. import crypto

        for key in self.keys:
            try:
                return crypto.decrypt_symmetric(ct, iv, tag, key)
            except CryptoError:
                continue
        return "<ciphertext>"

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            if wrapped_key_kind(value) is not None:
                return "<wrapped-key>"
            out: dict[str, Any] = {}
            cipher_fields: set[str] = set()
            for prefix in CIPHER_PREFIXES:
                names = (f"{prefix}Ciphertext", f"{prefix}IV", f"{prefix}Tag")
                if all(isinstance(value.get(n), str) for n in names):
                    out[f"{prefix}:plaintext"] = self._plain(*(value[n] for n in names)) if value[names[1]] else ""
                    cipher_fields.update(names)
            for key, item in value.items():
                if key in cipher_fields:
                    continue
                out[key] = f"<{key}>" if key in _CREDENTIAL_FIELDS else self.value(item)
            return out
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, str):
            return _canon_string(value)
        return value

    def body(self, data: Union[bytes, str, None], parsed: Any = None, is_json: bool = False) -> str:
        if is_json:
            return json.dumps(self.value(parsed), sort_keys=True, ensure_ascii=False)
        if not data:
            return ""
        try:
            return json.dumps(self.value(json.loads(data)), sort_keys=True, ensure_ascii=False)
        except (ValueError, UnicodeDecodeError):
            return _canon_string(data.decode("utf-8", "replace") if isinstance(data, bytes) else data)


class _Key(NamedTuple):
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    auth: str
    body: str


def _split(url: str) -> tuple[str, str]:
    """(path, query string) of a URL, without the cost of ``urlsplit``."""
    at = url.find("://")
    rest = url[at + 3 :] if at >= 0 else url
    slash = rest.find("/")
    rest = rest[slash:] if slash >= 0 else "/"
    path, _, query = rest.partition("#")[0].partition("?")
    return path or "/", query


def _pairs(query: str) -> list[tuple[str, str]]:
    """What ``parse_qsl(query, keep_blank_values=True)`` gives."""
    pairs = []
    for part in query.split("&") if query else ():
        name, _, value = part.partition("=")
        if "%" in part or "+" in part:
            name, value = unquote_plus(name), unquote_plus(value)
        pairs.append((name, value))
    return pairs


def _canon_query(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, _canon_string(v)) for k, v in pairs))


def _auth(headers: Mapping[str, str]) -> str:
    if not headers:
        return "none"
    mode = detect_auth_mode(headers)
    if mode is not None:
        return mode
    return "other" if (header(headers, "authorization") or header(headers, "x-api-key")) else "none"


def _key(
    canon: _Canon,
    method: str,
    path: str,
    query: tuple[tuple[str, str], ...],
    headers: Mapping[str, str],
    body: Any,
    is_json: bool,
) -> _Key:
    return _Key(method, api_path(path), query, canon.auth(headers), canon.body(body, body, is_json))


@attrs.frozen
class Miss:
    """A request no recorded interaction answered, with the report of the nearest ones."""

    method: str
    path: str
    report: str

    def error(self) -> CassetteMismatchError:
        return CassetteMismatchError(self.report)


def _describe(interaction: Interaction) -> str:
    return f"{interaction.request.method} {api_path(_split(interaction.request.url)[0])}"


class CassettePlayer:
    """A handler that answers from a cassette. ``match_on`` chooses what must be equal (see
    :data:`MATCH_ON`); ``allow_playback_repeats`` answers a request again with its last recorded
    response once its recorded responses are used up."""

    def __init__(
        self,
        cassette: Cassette,
        *,
        match_on: Iterable[str] = MATCH_ON,
        allow_playback_repeats: bool = False,
    ) -> None:
        chosen = tuple(match_on)
        unknown = sorted(set(chosen) - set(MATCH_ON))
        if unknown or isinstance(match_on, str):
            raise TypeError(f"match_on takes a list of {', '.join(MATCH_ON)}; got {match_on!r}")
        self.match_on = frozenset(chosen) | {"method", "path"}
        self._all = len(self.match_on) == len(MATCH_ON)
        self.cassette = cassette
        self.allow_playback_repeats = allow_playback_repeats
        self._canon = _Canon(cassette.fixture.project_keys)
        self._lock = threading.Lock()
        self._keys: list[_Key] = []
        self._index: dict[Any, deque[int]] = {}
        self._last: dict[Any, int] = {}
        self._by_path: dict[str, list[int]] = {}
        self._responses: dict[int, Response] = {}
        self._played = [False] * len(cassette.interactions)
        #: requests that matched nothing, in order
        self.misses: list[Miss] = []
        for number, interaction in enumerate(cassette.interactions):
            recorded = interaction.request
            body = recorded.body
            path, query = _split(recorded.url)
            key = _key(
                self._canon,
                recorded.method,
                path,
                self._canon.query(query),
                recorded.headers,
                body.value if body.kind != "empty" else None,
                body.kind == "json",
            )
            self._keys.append(key)
            self._index.setdefault(self._project(key), deque()).append(number)
            self._by_path.setdefault(key.path, []).append(number)

    @classmethod
    def load(cls, path: PathArg, **options: Any) -> CassettePlayer:
        """A player for the cassette file at ``path``."""
        return cls(load(path), **options)

    def _project(self, key: _Key) -> Any:
        if self._all:
            return key
        return tuple(getattr(key, name) for name in MATCH_ON if name in self.match_on)

    # ---- the fixture material

    @property
    def url(self) -> str:
        """The base URL the cassette was recorded at."""
        return self.cassette.meta.url

    @property
    def service_token(self) -> Optional[ServiceToken]:
        value = self.cassette.fixture.credentials.get("service_token")
        return ServiceToken.parse(value) if isinstance(value, str) else None

    @property
    def api_key(self) -> Optional[ApiKey]:
        value = self.cassette.fixture.credentials.get("api_key")
        return ApiKey.parse(value) if isinstance(value, str) else None

    @property
    def service_account(self) -> Optional[ServiceAccount]:
        value = self.cassette.fixture.credentials.get("service_account")
        return ServiceAccount(**value) if isinstance(value, Mapping) else None

    @property
    def machine_identity(self) -> Optional[MachineIdentity]:
        value = self.cassette.fixture.credentials.get("machine_identity")
        return MachineIdentity(**value) if isinstance(value, Mapping) else None

    # ---- serving

    def handle(self, request: Request) -> Response:
        """The recorded answer to ``request``, or a 404 naming the closest recorded interactions."""
        response = self.lookup(request)
        if response is not None:
            return response
        miss = self.misses[-1]
        answer = Response.json_body(404, {"statusCode": 404, "message": miss.report, "error": "CassetteMismatch"})
        return answer.reporting(served(request, 404))

    def describe(self, request: Request) -> Served:
        """What the journal records for a call a fault answered before the player saw it."""
        return served(request, None)

    def lookup(self, request: Request) -> Optional[Response]:
        """The recorded answer to ``request``, or None (the miss is kept in :attr:`misses`)."""
        key = _key(
            self._canon,
            request.method,
            request.path,
            _canon_query(request.query_items),
            request.headers,
            request.body,
            False,
        )
        slot = self._project(key)
        with self._lock:
            queue = self._index.get(slot)
            if queue:
                number = queue.popleft()
                self._last[slot] = number
            elif queue is not None and self.allow_playback_repeats:
                number = self._last[slot]
            else:
                self.misses.append(Miss(key.method, key.path, self._report(key, used_up=queue is not None)))
                return None
            self._played[number] = True
            response = self._responses.get(number)
            if response is None:
                recorded = self.cassette.interactions[number].response
                response = Response(recorded.status, recorded.headers, recorded.body.to_bytes())
                self._responses[number] = response
        answer = self._rewrapped(number, request, response)
        return answer.reporting(served(request, answer.status, f"{request.method} {key.path}"))

    def _rewrapped(self, number: int, request: Request, response: Response) -> Response:
        """A token the test created holds a key part of the client's own making, different on every
        run; when the client sends it (a 4-part bearer), the recorded wrapped project key is wrapped
        again under it, so the client unwraps it as it did live."""
        ours = _token_key(request.headers)
        if ours is None:
            return response
        recorded = self.cassette.interactions[number]
        theirs = _token_key(recorded.request.headers)
        if theirs is None or theirs == ours or recorded.response.body.kind != "json":
            return response
        body = _rewrap(recorded.response.body.value, theirs, ours)
        return Response(response.status, response.headers, encode_json(body))

    def unplayed(self) -> list[str]:
        """The recorded interactions never played, as ``#N METHOD /path``."""
        with self._lock:
            return [
                f"#{n} {_describe(i)}"
                for n, (i, played) in enumerate(zip(self.cassette.interactions, self._played))
                if not played
            ]

    def report(self) -> Optional[str]:
        """What a strict teardown fails on: requests that matched nothing, interactions never played."""
        lines = [miss.report for miss in self.misses]
        unplayed = self.unplayed()
        if unplayed:
            lines.append(f"{len(unplayed)} recorded interaction(s) never played:")
            lines.extend(f"  {line}" for line in unplayed[:20])
            if len(unplayed) > 20:
                lines.append(f"  … and {len(unplayed) - 20} more")
        return "\n".join(lines) if lines else None

    def _report(self, key: _Key, used_up: bool) -> str:
        where = f"{self.cassette.path}" if self.cassette.path else "the cassette"
        head = f"no recorded interaction in {where} matches {key.method} {key.path}"
        if used_up:
            return (
                f"{head}: every recorded interaction that matches it was already played "
                "(record it again, or allow_playback_repeats=True)"
            )
        candidates = self._by_path.get(key.path) or list(range(len(self._keys)))
        ranked = sorted(candidates, key=lambda n: (len(self._differences(key, self._keys[n])), n))[:_NEAREST]
        if not ranked:
            return f"{head}: the cassette is empty"
        lines = [f"{head}; the closest recorded interactions:"]
        for number in ranked:
            differences = self._differences(key, self._keys[number])
            lines.append(
                f"  #{number} {_describe(self.cassette.interactions[number])} - differs in {', '.join(differences)}"
            )
        return "\n".join(lines)

    def _differences(self, key: _Key, other: _Key) -> list[str]:
        found: list[str] = []
        if key.method != other.method:
            found.append(f"method ({other.method})")
        if key.path != other.path:
            found.append("path")
        if "query" in self.match_on and key.query != other.query:
            names = sorted({k for k, _ in set(key.query) ^ set(other.query)})
            found.append(f"query ({', '.join(names)})")
        if "auth" in self.match_on and key.auth != other.auth:
            found.append(f"auth ({key.auth} here, {other.auth} recorded)")
        if "body" in self.match_on and key.body != other.body:
            found.append(f"body{_body_fields(key.body, other.body)}")
        return found or ["nothing (already played)"]


def _token_key(headers: Mapping[str, str]) -> Optional[str]:
    scheme, _, value = (header(headers, "authorization") or "").partition(" ")
    parts = value.strip().split(".")
    return parts[3] if scheme.lower() == "bearer" and len(parts) == 4 and parts[0] == "st" else None


def _rewrap(value: Any, old_key: str, new_key: str) -> Any:
    from .. import crypto

    if isinstance(value, list):
        return [_rewrap(v, old_key, new_key) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _rewrap(v, old_key, new_key) for k, v in value.items()}
    if wrapped_key_kind(out) == "symmetric":
        try:
            key = crypto.decrypt_symmetric(out["encryptedKey"], out["iv"], out["tag"], old_key)
            sealed = crypto.encrypt_symmetric(key, new_key)
        except CryptoError:
            return out
        out.update(encryptedKey=sealed.ciphertext, iv=sealed.iv, tag=sealed.tag)
    return out


def _body_fields(ours: str, theirs: str) -> str:
    try:
        a, b = json.loads(ours or "null"), json.loads(theirs or "null")
    except ValueError:
        return ""
    if isinstance(a, dict) or isinstance(b, dict):
        a, b = (a if isinstance(a, dict) else {}), (b if isinstance(b, dict) else {})
        names = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        return f" ({', '.join(n.replace(':plaintext', '') for n in names)})" if names else ""
    return ""
