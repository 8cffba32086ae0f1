"""Recording: :class:`Recorder` is a handler that forwards each request to a real Infisical.

It speaks HTTP with :mod:`http.client` directly, so the package's own in-process patches of
``requests`` and httpx never see its traffic. The client under test gets the real responses
(it holds the real credentials while recording); the recorder keeps each exchange in memory and,
on :meth:`Recorder.save`, re-keys them (:mod:`.rekey`), scans the result (:mod:`.scan`) and only
then writes the file, atomically. Nothing real is ever written: a scan hit raises
:class:`~pytest_infisical.errors.CassetteLeakError` and leaves the file untouched.
"""

from __future__ import annotations

import datetime
import http.client
import json
import ssl
import threading
from collections.abc import Iterable
from typing import Optional
from urllib.parse import urlsplit

import attrs

from ..errors import CassetteError
from ..faults import ConnectionFault, TimeoutFault
from ..http import Request, Response, Served
from .format import Cassette, Fixture, Meta, PathArg, dumps, write_atomically
from .player import served
from .rekey import RealCredentials, rekey
from .scan import check

__all__ = ["Recorder", "merge", "normalize_url"]

_HOP_BY_HOP = frozenset(
    {"host", "connection", "keep-alive", "content-length", "transfer-encoding", "accept-encoding", "upgrade"}
)


def normalize_url(url: str) -> str:
    """The base URL of an Infisical as the official CLI takes it: with or without the trailing ``/api``."""
    url = url.strip().rstrip("/")
    if url.endswith("/api"):
        url = url[: -len("/api")]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CassetteError(f"the live Infisical URL must be http(s)://host[:port][/prefix], got {url!r}")
    return url


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-infisical")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


class Recorder:
    """A handler that forwards to ``upstream_url`` and records every exchange.

    ``keep`` names secrets whose plaintext values may stay in clear; ``timeout`` is the
    per-request timeout towards the upstream, in seconds.
    """

    def __init__(
        self,
        upstream_url: str,
        credentials: RealCredentials,
        *,
        keep: Iterable[str] = (),
        timeout: float = 30.0,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        self.url = normalize_url(upstream_url)
        parts = urlsplit(self.url)
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path
        self.credentials = credentials
        self.keep = tuple(keep)
        self.timeout = timeout
        self._ssl = ssl_context
        self._lock = threading.Lock()
        self._local = threading.local()
        self._exchanges: list[tuple[Request, Response]] = []

    def __repr__(self) -> str:
        return f"<Recorder {self.url} {len(self._exchanges)} exchanges>"

    @property
    def exchanges(self) -> list[tuple[Request, Response]]:
        """The exchanges so far, as sent and received (real material: never print or store them)."""
        with self._lock:
            return list(self._exchanges)

    # ---- forwarding

    def _connection(self) -> http.client.HTTPConnection:
        connection: Optional[http.client.HTTPConnection] = getattr(self._local, "connection", None)
        if connection is None:
            if self._scheme == "https":
                connection = http.client.HTTPSConnection(
                    self._netloc, timeout=self.timeout, context=self._ssl or ssl.create_default_context()
                )
            else:
                connection = http.client.HTTPConnection(self._netloc, timeout=self.timeout)
            self._local.connection = connection
        return connection

    def _target(self, request: Request) -> str:
        target = request.target
        if self._prefix and not target.startswith(self._prefix + "/"):
            target = self._prefix + target
        return target

    def _send(self, request: Request) -> Response:
        headers = {k: v for k, v in request.headers.raw_items() if k.lower() not in _HOP_BY_HOP}
        headers["Accept-Encoding"] = "identity"
        for attempt in (1, 2):  # a kept-alive connection the server closed: retry once on a new one
            connection = self._connection()
            try:
                connection.request(request.method, self._target(request), body=request.body or None, headers=headers)
                answer = connection.getresponse()
                body = answer.read()
            except TimeoutError as error:
                self.close()
                raise TimeoutFault(f"the live Infisical at {self.url} did not answer in time") from error
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if attempt == 2 or isinstance(error, ConnectionRefusedError):
                    raise ConnectionFault(f"cannot reach the live Infisical at {self.url}: {error}") from error
                continue
            pairs = [(k, v) for k, v in answer.getheaders() if k.lower() not in ("transfer-encoding", "connection")]
            return Response(answer.status, pairs, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def handle(self, request: Request) -> Response:
        response = self._send(request)
        with self._lock:
            self._exchanges.append((request, response))
        return response.reporting(served(request, response.status))

    def describe(self, request: Request) -> Served:
        """What the journal records for a call a fault answered before it was forwarded."""
        return served(request, None)

    def close(self) -> None:
        """Close this thread's connection to the upstream."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def infisical_version(self) -> Optional[str]:
        """The version the upstream reports at ``GET /api/status``, when it reports one."""
        try:
            response = self._send(Request("GET", f"{self.url}/api/status"))
            status = json.loads(response.body) if response.status == 200 else {}
        except (ConnectionFault, TimeoutFault, ValueError):
            return None
        version = status.get("version") if isinstance(status, dict) else None
        return str(version) if isinstance(version, (str, int, float)) else None

    # ---- finishing

    def _finish(self, source: str, onto: Optional[Cassette] = None) -> tuple[Cassette, str]:
        meta = Meta(
            recorded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            package_version=_package_version(),
            infisical_version=self.infisical_version(),
            url=self.url,
        )
        done = rekey(self.exchanges, self.credentials, keep=self.keep, meta=meta)
        cassette = done.cassette if onto is None else merge(onto, done.cassette)
        text = dumps(cassette)
        check(text, done.real, allowed=cassette.fixture.material(), source=source)
        return cassette, text

    def cassette(self, onto: Optional[Cassette] = None) -> Cassette:
        """Re-key what was recorded, scan it, and return the cassette (raises CassetteLeakError);
        ``onto``: a recorded cassette the new interactions are appended to."""
        return self._finish("the cassette", onto)[0]

    def save(self, path: PathArg, onto: Optional[Cassette] = None) -> Cassette:
        """Re-key, scan, and write the cassette to ``path`` atomically; nothing is written on a scan hit.
        ``onto``: a recorded cassette the new interactions are appended to (``new_episodes``)."""
        cassette, text = self._finish(str(path), onto)
        write_atomically(path, text)
        return cassette


def _union(*groups: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for group in groups for item in group))


def merge(old: Cassette, new: Cassette) -> Cassette:
    """``old`` with ``new``'s interactions appended. The re-keying is deterministic (a credential's
    fixture counterpart derives from its id, the n-th project key from n), so the fixture material
    of both agrees; the union of both is kept, and ``new``'s metadata with both recordings' auth modes."""
    fixture = Fixture(
        credentials={**old.fixture.credentials, **new.fixture.credentials},
        issued=_union(old.fixture.issued, new.fixture.issued),
        project_keys=_union(old.fixture.project_keys, new.fixture.project_keys),
    )
    meta = attrs.evolve(new.meta, auth_modes=sorted(set(old.meta.auth_modes) | set(new.meta.auth_modes)))
    return Cassette(interactions=(*old.interactions, *new.interactions), fixture=fixture, meta=meta)
