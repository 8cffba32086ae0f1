"""Serve a handler to httpx in-process, sync and async, alongside respx or pytest_httpx mocks.

While started, two layers of httpx answer the fake's base URLs from the handler:

* ``Client._transport_for_url`` / ``AsyncClient._transport_for_url`` (how a client picks its
  transport): for the fake's URLs, a client that would use httpx's own ``HTTPTransport`` gets a
  transport of ours instead — above where respx and pytest_httpx mock, so neither sees (or
  refuses) the fake's requests, whichever started first;
* ``HTTPTransport.handle_request`` / ``AsyncHTTPTransport.handle_async_request`` (where requests
  leave for the network): the fake's URLs sent through a subclass of httpx's transport, and every
  other request — handed on to whatever would have handled it without us (respx, pytest_httpx,
  or the network for a ``passthrough`` prefix), or, when no other mock is active, refused with
  ``httpx.ConnectError`` and reported to ``on_unmocked``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpcore
import httpx

from ..http import ConnectionFault, Request, Response, TimeoutFault
from .base import InProcessTransport, Patch, mocked

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


class _Sync(httpx.BaseTransport):
    def __init__(self, transport: HttpxTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.transport.answer(request, request.read())


class _Async(httpx.AsyncBaseTransport):
    def __init__(self, transport: HttpxTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.transport.answer(request, await request.aread())


def _httpx_own(transport: Any, base: type, method: str) -> bool:
    """Whether ``transport`` is httpx's own (or a subclass that does not override ``method``)."""
    return isinstance(transport, base) and getattr(type(transport), method) is getattr(base, method)


class HttpxTransport(InProcessTransport):
    """While started, every httpx client in this process is answered by ``handler`` at its base URLs."""

    def answer(self, original: httpx.Request, body: bytes) -> httpx.Response:
        request = to_request(original, body)
        try:
            response: Response = self.handler.handle(request)
        except ConnectionFault as error:
            raise httpx.ConnectError(str(error), request=original) from None
        except TimeoutFault as error:
            raise httpx.ReadTimeout(str(error), request=original) from None
        return httpx.Response(
            response.status, headers=list(response.headers.raw_items()), content=response.body, request=original
        )

    def _refuse(self, original: httpx.Request, body: bytes) -> httpx.ConnectError:
        return httpx.ConnectError(self.refuse(to_request(original, body)), request=original)

    def layers(self) -> Sequence[tuple[type, str]]:
        return (
            (httpx.Client, "_transport_for_url"),
            (httpx.AsyncClient, "_transport_for_url"),
            (httpx.HTTPTransport, "handle_request"),
            (httpx.AsyncHTTPTransport, "handle_async_request"),
            (httpcore.ConnectionPool, "handle_request"),
            (httpcore.AsyncConnectionPool, "handle_async_request"),
        )

    def patches(self) -> Sequence[Patch]:
        transport = self
        sync, async_ = _Sync(self), _Async(self)

        def make_select(ours: Any, client_class: type, base: type, method: str) -> Any:
            def make(prev: Any) -> Any:
                def _transport_for_url(client: Any, url: httpx.URL) -> Any:
                    chosen = prev(client, url)
                    # httpx's own transport, or another mock's: the fake's URLs are the fake's
                    if transport.owns(str(url)) and (
                        _httpx_own(chosen, base, method) or mocked(client_class, "_transport_for_url")
                    ):
                        return ours
                    return chosen

                return _transport_for_url

            return make

        def make_handle(prev: Any) -> Any:
            def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
                url = str(request.url)
                if transport.owns(url):
                    return transport.answer(request, request.read())
                if transport.hands_on(url):
                    return prev(self, request)  # type: ignore[no-any-return]
                raise transport._refuse(request, request.read())

            return handle_request

        def make_handle_async(prev: Any) -> Any:
            async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
                url = str(request.url)
                if transport.owns(url):
                    return transport.answer(request, await request.aread())
                if transport.hands_on(url):
                    return await prev(self, request)  # type: ignore[no-any-return]
                raise transport._refuse(request, await request.aread())

            return handle_async_request

        return (
            Patch(httpx.HTTPTransport, "handle_request", make_handle),
            Patch(httpx.AsyncHTTPTransport, "handle_async_request", make_handle_async),
            Patch(
                httpx.Client,
                "_transport_for_url",
                make_select(sync, httpx.Client, httpx.HTTPTransport, "handle_request"),
            ),
            Patch(
                httpx.AsyncClient,
                "_transport_for_url",
                make_select(async_, httpx.AsyncClient, httpx.AsyncHTTPTransport, "handle_async_request"),
            ),
        )
