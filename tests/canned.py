"""A canned handler and a hand-moved clock behind a pipeline, for tests of what the pipeline adds
(faults, stubs, the rate limiter, the journal) without the fake."""

from __future__ import annotations

from pytest_infisical.faults import Faults
from pytest_infisical.http import Request, Response, Served
from pytest_infisical.journal import Journal
from pytest_infisical.pipeline import Pipeline

URL = "https://app.infisical.com"
ROUTE = "GET /api/v1/x"


class Canned:
    """Answers ``body`` with a header of its own and a stale Content-Length, reporting its route."""

    def __init__(self, body: bytes = b'{"canned": true}') -> None:
        self.body = body

    def handle(self, request: Request) -> Response:
        headers = {"Content-Type": "application/json", "Content-Length": str(len(self.body)), "X-Canned": "1"}
        return Response(200, headers, self.body, Served(route=ROUTE))


class Clock:
    """Time that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def timestamp(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def render_error(status: int, headers: dict[str, str]) -> Response:
    """A server whose own 429 and 500 are ``{"statusCode", "requestId"}``."""
    return Response.json_body(status, {"statusCode": status, "requestId": "r"}, headers)


def canned_pipeline(body: bytes = b'{"canned": true}') -> Pipeline[Canned]:
    return Pipeline(Canned(body), journal=Journal(), faults=Faults(), render_error=render_error, clock=Clock())
