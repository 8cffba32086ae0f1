"""Serve a handler to ``requests`` in-process, alongside any ``responses`` mock of the test.

While started, ``HTTPAdapter.send`` (what every ``requests`` session sends through) answers the
fake's base URLs from the handler, through a ``responses.RequestsMock`` used as the engine (never
started: it builds the ``requests.Response`` and applies the adapter's urllib3 ``Retry`` as
``responses`` does). Any other request goes where it would have gone without us — to a
``responses`` mock started before us, to the network for a ``passthrough`` prefix — and when no
other mock is active it is refused with a ``requests.ConnectionError`` that says why, and reported
to ``on_unmocked`` (strict mode fails the test with it at teardown, even when the client swallowed
the error).

A ``responses.RequestsMock`` started after us (a decorator, a context manager, the ``responses``
fixture) patches ``HTTPAdapter.send`` over ours; every ``RequestsMock`` therefore hands the fake's
URLs to the fake before looking at its own registry (``RequestsMock._on_request`` is wrapped while
we are started), so they are neither refused by it nor recorded in its ``calls``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any, Callable, Optional

import requests
import responses
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

from ..http import ConnectionFault, Handler, Request, Response, TimeoutFault
from .base import InProcessTransport, Patch

__all__ = ["RequestsTransport", "to_request"]


def to_request(prepared: requests.PreparedRequest) -> Request:
    """A ``requests.PreparedRequest`` as a :class:`~pytest_infisical.http.Request`."""
    body: Any = prepared.body
    raw: bytes
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    elif isinstance(body, bytes):
        raw = body
    else:  # a file-like or iterable body
        data = body.read() if hasattr(body, "read") else b"".join(body)
        raw = data.encode("utf-8") if isinstance(data, str) else data
    return Request(
        method=prepared.method or "GET",
        url=prepared.url or "",
        headers=list(prepared.headers.items()),
        body=raw,
        timeout=_read_timeout(getattr(prepared, "req_kwargs", {}).get("timeout")),
    )


def _read_timeout(timeout: Any) -> Optional[float]:
    """requests' ``timeout=`` is a number or a (connect, read) pair."""
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else None
    return float(timeout) if isinstance(timeout, (int, float)) else None


def _http_response(response: Response, method: Optional[str]) -> HTTPResponse:
    from http import client

    headers = HTTPHeaderDict()
    for name, value in response.headers.raw_items():
        headers.add(name, value)
    original = HTTPResponse(body=BytesIO(), headers=headers, preload_content=False)
    original.msg = headers  # type: ignore[assignment]  # what requests' cookie jar reads
    return HTTPResponse(
        status=response.status,
        reason=client.responses.get(response.status),
        body=BytesIO(response.body),
        headers=headers,
        original_response=original,  # type: ignore[arg-type]
        preload_content=False,
        request_method=method,
    )


class _Fake(responses.BaseResponse):
    """The engine's one registered response: the fake's answer to every request it is given."""

    def __init__(self, transport: RequestsTransport) -> None:
        super().__init__(method="GET", url="https://pytest-infisical.invalid/")
        self._transport = transport

    def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        return True, ""

    def get_response(self, request: requests.PreparedRequest) -> HTTPResponse:
        return self._transport.answer(request)


#: positional arguments of ``HTTPAdapter.send`` after the request
_SEND_ARGS = ("stream", "timeout", "verify", "cert", "proxies")


class RequestsTransport(InProcessTransport):
    """While started, every ``requests`` call to the fake's base URLs is answered by ``handler``."""

    def __init__(
        self,
        handler: Handler,
        base_urls: Iterable[str],
        *,
        on_unmocked: Optional[Callable[[Request], None]] = None,
        passthrough: Iterable[str] = (),
    ) -> None:
        super().__init__(handler, base_urls, on_unmocked=on_unmocked, passthrough=passthrough)
        self._engine = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._engine.add(_Fake(self))
        self._engine.pytest_infisical = True  # type: ignore[attr-defined]  # never handed on by _on_request below

    def answer(self, prepared: requests.PreparedRequest) -> HTTPResponse:
        request = to_request(prepared)
        try:
            response = self.handler.handle(request)
        except ConnectionFault as error:
            raise requests.ConnectionError(str(error), request=prepared) from None
        except TimeoutFault as error:
            raise requests.ReadTimeout(str(error), request=prepared) from None
        return _http_response(response, prepared.method)

    def layers(self) -> Sequence[tuple[type, str]]:
        return ((requests.adapters.HTTPAdapter, "send"), (requests.Session, "get_adapter"))

    def patches(self) -> Sequence[Patch]:
        transport = self

        def make_send(prev: Any) -> Any:
            def send(adapter: Any, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
                url = str(request.url)
                if transport.owns(url):
                    kwargs.update(zip(_SEND_ARGS, args))
                    return transport._engine._on_request(adapter, request, **kwargs)
                if transport.hands_on(url):
                    return prev(adapter, request, *args, **kwargs)
                refused = transport.refuse(to_request(request))
                raise requests.ConnectionError(refused, request=request)

            return send

        def make_on_request(prev: Any) -> Any:
            def _on_request(
                mock: Any, adapter: Any, request: requests.PreparedRequest, *args: Any, **kwargs: Any
            ) -> Any:
                if not getattr(mock, "pytest_infisical", False) and transport.owns(str(request.url)):
                    return transport._engine._on_request(adapter, request, *args, **kwargs)
                return prev(mock, adapter, request, *args, **kwargs)

            return _on_request

        return (
            Patch(requests.adapters.HTTPAdapter, "send", make_send),
            Patch(responses.RequestsMock, "_on_request", make_on_request),
        )

    def stop(self) -> None:
        super().stop()
        self._engine.reset()
        self._engine.add(_Fake(self))
