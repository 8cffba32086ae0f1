"""What every transport shares: which URLs belong to the fake, what to do with the others, and how
to patch an HTTP stack so that the fake coexists with other mocks (``responses``, respx,
pytest_httpx) started before or after it.

The rule for a request that is not the fake's: hand it to whatever would have handled it without
us — another mock active in the same HTTP stack, or, when the user listed it in ``passthrough``,
the network. Only when no other mock is active (and no ``passthrough`` prefix matches) is it
refused, so nothing reaches the network unless someone asked for it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import attrs

from ..http import Handler, Request

__all__ = ["BaseUrls", "InProcessTransport", "Patch", "refusal"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


@attrs.frozen
class _Base:
    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> _Base:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        scheme = parts.scheme.lower()
        return cls(
            scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme, 0), parts.path.rstrip("/")
        )

    def owns(self, other: _Base) -> bool:
        if (self.scheme, self.host, self.port) != (other.scheme, other.host, other.port):
            return False
        return not self.path or other.path == self.path or other.path.startswith(self.path + "/")


class BaseUrls:
    """The base URLs a fake answers at; a request to any other URL is not the fake's."""

    def __init__(self, urls: Iterable[str]) -> None:
        self.urls = list(dict.fromkeys(u.rstrip("/") for u in urls))
        self._bases = [_Base.parse(u) for u in self.urls]

    def owns(self, url: str) -> bool:
        target = _Base.parse(url)
        return any(base.owns(target) for base in self._bases)

    def __repr__(self) -> str:
        return f"BaseUrls({self.urls!r})"


def refusal(method: str, url: str, base_urls: BaseUrls) -> str:
    """Why a request to another host was refused, and what to do about it."""
    return (
        f"pytest-infisical: {method} {url} is not a request to the fake Infisical "
        f"(it serves {', '.join(base_urls.urls)}); the request was refused. "
        "Add the URL with @pytest.mark.infisical(base_urls=[...]) or the infisical_base_urls ini key, "
        "or let it reach the network with @pytest.mark.infisical(passthrough=[...])."
    )


_MARK = "__pytest_infisical_prev__"


class Patch:
    """Replace ``owner.name`` (a method of an HTTP library) while started, remembering what was there.

    What was there may be another mock's patch: the replacement gets it as ``prev`` and hands on
    what is not the fake's. ``stop()`` puts ``prev`` back only if the attribute is still ours —
    another mock may have been stopped out of order and restored an older value, which must not be
    clobbered; a replacement left behind that way only forwards to ``prev``.
    """

    def __init__(self, owner: type, name: str, make: Callable[[Any], Any]) -> None:
        self.owner, self.name, self.make = owner, name, make
        self.prev: Any = None
        self.new: Any = None

    def start(self) -> None:
        self.prev = self.owner.__dict__[self.name]
        self.new = self.make(self.prev)
        setattr(self.new, _MARK, self.prev)
        setattr(self.owner, self.name, self.new)

    def stop(self) -> None:
        if self.new is not None and self.owner.__dict__.get(self.name) is self.new:
            setattr(self.owner, self.name, self.prev)
        self.new = None


def _own(function: Any) -> Any:
    """``function`` with our own patches (of any fake) seen through."""
    while hasattr(function, _MARK):
        function = getattr(function, _MARK)
    return function


def mocked(owner: type, name: str) -> bool:
    """Whether another library (a mock) replaced ``owner.name``: it is not the library's own function."""
    function = _own(owner.__dict__.get(name))
    module = sys.modules.get(getattr(function, "__module__", None) or "")
    return not (
        getattr(function, "__qualname__", None) == f"{owner.__qualname__}.{name}"
        and getattr(module, owner.__name__, None) is owner
    )


class InProcessTransport:
    """What the in-process transports share: the handler, the base URLs it owns, what to do with
    requests to other URLs (hand them on, or refuse and report them), start/stop of the patches.

    Subclasses list their ``patches()`` and the ``layers()`` of their HTTP stack where another
    mock may sit (``(class, method name)`` pairs).
    """

    def __init__(
        self,
        handler: Handler,
        base_urls: Iterable[str],
        *,
        on_unmocked: Optional[Callable[[Request], None]] = None,
        passthrough: Iterable[str] = (),
    ) -> None:
        self.handler = handler
        self.base_urls = BaseUrls(base_urls)
        self.on_unmocked = on_unmocked
        self.passthrough = tuple(passthrough)
        self.started = False
        self._patches: list[Patch] = []

    def owns(self, url: str) -> bool:
        return self.started and self.base_urls.owns(url)

    def hands_on(self, url: str) -> bool:
        """Whether a request that is not the fake's goes to whatever would have handled it without
        us: a ``passthrough`` prefix, or another mock active somewhere in this HTTP stack."""
        if not self.started or (self.passthrough and url.startswith(self.passthrough)):
            return True
        return any(mocked(owner, name) for owner, name in self.layers())

    def refuse(self, request: Request) -> str:
        """Report a request to another host, and say why it is refused."""
        if self.on_unmocked is not None:
            self.on_unmocked(request)
        return refusal(request.method, request.url, self.base_urls)

    def patches(self) -> Sequence[Patch]:
        raise NotImplementedError

    def layers(self) -> Sequence[tuple[type, str]]:
        raise NotImplementedError

    def start(self) -> None:
        self._patches = list(self.patches())
        for patch in self._patches:
            patch.start()
        self.started = True

    def stop(self) -> None:
        self.started = False
        for patch in reversed(self._patches):
            patch.stop()
        self._patches = []

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
