"""Serve a handler to httpx in-process, sync and async, with no change to the client under test.

While started, ``httpx.HTTPTransport.handle_request`` and
``httpx.AsyncHTTPTransport.handle_async_request`` (the transports every ``httpx.Client`` and
``AsyncClient`` use unless given another) answer from the handler for the fake's base URLs.
Other URLs are refused with ``httpx.ConnectError`` and reported to ``on_unmocked``, unless they
match a ``passthrough`` prefix, which goes to the network as usual.
"""

from __future__ import annotations

from typing import Any, Optional

import httpx

from ..http import ConnectionFault, Request, Response, TimeoutFault
from .base import InProcessTransport

__all__ = ["HttpxTransport", "to_request"]


def to_request(request: httpx.Request, body: bytes) -> Request:
    """An ``httpx.Request`` (whose body was read) as a :class:`~pytest_infisical.http.Request`."""
    timeout = request.extensions.get("timeout", {}).get("read")
    return Request(
        method=request.method,
        url=str(request.url),
        headers=list(request.headers.multi_items()),
        body=body,
        timeout=float(timeout) if isinstance(timeout, (int, float)) else None,
    )


class HttpxTransport(InProcessTransport):
    """While started, every httpx client in this process is answered by ``handler``."""

    _originals: Optional[tuple[Any, Any]] = None

    def _answer(self, original: httpx.Request, body: bytes) -> httpx.Response:
        request = to_request(original, body)
        refused = self.refuse(request)
        if refused is not None:
            raise httpx.ConnectError(refused, request=original)
        try:
            response: Response = self.handler.handle(request)
        except ConnectionFault as error:
            raise httpx.ConnectError(str(error), request=original) from None
        except TimeoutFault as error:
            raise httpx.ReadTimeout(str(error), request=original) from None
        return httpx.Response(
            response.status, headers=list(response.headers.raw_items()), content=response.body, request=original
        )

    def start(self) -> None:
        sync_original = httpx.HTTPTransport.handle_request
        async_original = httpx.AsyncHTTPTransport.handle_async_request
        self._originals = (sync_original, async_original)
        transport = self

        def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            if transport.passes_through(str(request.url)):
                return sync_original(self, request)
            return transport._answer(request, request.read())

        async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
            if transport.passes_through(str(request.url)):
                return await async_original(self, request)
            return transport._answer(request, await request.aread())

        httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]

    def stop(self) -> None:
        if self._originals is not None:
            httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request = self._originals  # type: ignore[method-assign]
            self._originals = None
