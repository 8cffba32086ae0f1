"""What every transport shares: which URLs belong to the fake, and what to do with the others."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import attrs

from ..http import Handler, Request

__all__ = ["BaseUrls", "InProcessTransport", "refusal"]

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


class InProcessTransport:
    """What the in-process transports share: the handler, the base URLs it owns, what to do with
    requests to other URLs (refuse and report them, or pass them through), start/stop."""

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

    def passes_through(self, url: str) -> bool:
        return bool(self.passthrough) and url.startswith(self.passthrough)

    def refuse(self, request: Request) -> Optional[str]:
        """None for a request the fake owns; else report it and say why it is refused."""
        if self.base_urls.owns(request.url):
            return None
        if self.on_unmocked is not None:
            self.on_unmocked(request)
        return refusal(request.method, request.url, self.base_urls)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
