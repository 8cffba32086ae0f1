"""Serve a handler to ``requests`` in-process, through the ``responses`` library.

One catch-all mock answers every URL: requests to the fake's base URLs go to the handler; any
other request is refused with a ``requests.ConnectionError`` that says why, and reported to the
``on_unmocked`` callback (strict mode fails the test with it at teardown, even when the client
swallowed the error).
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any, Callable, Optional

import requests
import responses
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

from ..http import ConnectionFault, Handler, Request, Response, TimeoutFault
from .base import InProcessTransport

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


class _CatchAll(responses.BaseResponse):
    def __init__(self, transport: RequestsTransport) -> None:
        super().__init__(method="GET", url="https://pytest-infisical.invalid/")
        self._transport = transport

    def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        if self._transport.passes_through(str(request.url)):
            return False, "passthrough"
        return True, ""

    def get_response(self, request: requests.PreparedRequest) -> HTTPResponse:
        return self._transport.answer(request)


class RequestsTransport(InProcessTransport):
    """While started, every ``requests`` call in this process is answered by ``handler``.

    ``passthrough`` lists URL prefixes that still go to the network (a live server of ours on
    loopback, say).
    """

    def __init__(
        self,
        handler: Handler,
        base_urls: Iterable[str],
        *,
        on_unmocked: Optional[Callable[[Request], None]] = None,
        passthrough: Iterable[str] = (),
    ) -> None:
        super().__init__(handler, base_urls, on_unmocked=on_unmocked, passthrough=passthrough)
        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for prefix in self.passthrough:
            self._mock.add_passthru(prefix)
        self._mock.add(_CatchAll(self))

    def answer(self, prepared: requests.PreparedRequest) -> HTTPResponse:
        request = to_request(prepared)
        refused = self.refuse(request)
        if refused is not None:
            raise requests.ConnectionError(refused, request=prepared)
        try:
            response = self.handler.handle(request)
        except ConnectionFault as error:
            raise requests.ConnectionError(str(error), request=prepared) from None
        except TimeoutFault as error:
            raise requests.ReadTimeout(str(error), request=prepared) from None
        return _http_response(response, prepared.method)

    def start(self) -> None:
        self._mock.start()

    def stop(self) -> None:
        self._mock.stop(allow_assert=False)
        self._mock.reset()
