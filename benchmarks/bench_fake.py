"""``GET /api/v3/secrets`` through ``requests``: the fake vs a static ``responses`` stub, and at scale.

1. The fake serving 10 secrets, against ``responses`` returning the very same body from a static
   stub (the cheapest possible mock of that call). Target: ours <= 1.3x.
2. The same request with 1,000 other projects and 10,000 other secrets in the fake, against the
   small fake. Target: <= 1.1x — routing and lookups must not scan.

The two sides of each comparison run alternately (A, B, A, B …) and each keeps its best run, so
that drift on a busy machine hits both alike. Each timed run of 1,000 requests starts with an
empty request journal, as a test does.

    python -m benchmarks.bench_fake
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Iterator
from typing import Callable

import requests
import responses

from benchmarks._timing import report
from pytest_infisical.fake import DEFAULT_URL, FakeInfisical
from pytest_infisical.transports.responses import RequestsTransport

REQUESTS_PER_RUN = 1000
ROUNDS = 12
PATH = "/api/v3/secrets"


def small_fake() -> FakeInfisical:
    fake = FakeInfisical()
    for i in range(10):
        fake.set_secret(f"SECRET_{i}", f"value-{i}")
    return fake


def crowd(fake: FakeInfisical, projects: int = 1000, secrets: int = 10_000) -> None:
    """Other projects and secrets that the measured request must not pay for."""
    per_project = secrets // projects
    for p in range(projects):
        project = fake.create_project(f"other-{p}")
        for s in range(per_project):
            fake.set_secret(f"OTHER_{s}", "x", environment=("dev", "staging", "prod")[s % 3], project=project)
        fake.create_service_token(project=project)


Side = Callable[[], contextlib.AbstractContextManager[Callable[[], None]]]


def fake_side(fake: FakeInfisical) -> Side:
    token = fake.create_service_token()
    params = {"workspaceId": fake.project.id, "environment": "dev"}
    session = requests.Session()

    @contextlib.contextmanager
    def active() -> Iterator[Callable[[], None]]:
        with RequestsTransport(fake, [DEFAULT_URL]):

            def run() -> None:
                fake.journal.clear()
                for _ in range(REQUESTS_PER_RUN):
                    assert session.get(DEFAULT_URL + PATH, params=params, headers=token.headers).status_code == 200

            yield run

    return active


def stub_side(fake: FakeInfisical) -> Side:
    token = fake.create_service_token()
    params = {"workspaceId": fake.project.id, "environment": "dev"}
    with RequestsTransport(fake, [DEFAULT_URL]):
        body = requests.get(DEFAULT_URL + PATH, params=params, headers=token.headers).content
    session = requests.Session()

    @contextlib.contextmanager
    def active() -> Iterator[Callable[[], None]]:
        with responses.RequestsMock() as mock:
            mock.add(responses.GET, DEFAULT_URL + PATH, body=body, content_type="application/json; charset=utf-8")

            def run() -> None:
                for _ in range(REQUESTS_PER_RUN):
                    assert session.get(DEFAULT_URL + PATH, params=params, headers=token.headers).status_code == 200

            yield run

    return active


def alternate(first: Side, second: Side) -> tuple[float, float]:
    """Best seconds per request of each side, run alternately."""
    best = [float("inf"), float("inf")]
    for _ in range(ROUNDS):
        for i, side in enumerate((first, second)):
            with side() as run:
                run()  # warm up
                gc.collect()
                gc.disable()
                try:
                    start = time.perf_counter()
                    run()
                    best[i] = min(best[i], (time.perf_counter() - start) / REQUESTS_PER_RUN)
                finally:
                    gc.enable()
    return best[0], best[1]


def main() -> int:
    small = small_fake()
    ours, stub = alternate(fake_side(small), stub_side(small))
    ok = report("GET /api/v3/secrets (10 secrets), per request: fake vs static responses stub", ours, stub, "stub", 1.3)

    big = small_fake()
    crowd(big)
    crowded, lean = alternate(fake_side(big), fake_side(small_fake()))
    ok &= report(
        "the same with 1,000 other projects and 10,000 other secrets: crowded fake vs small fake",
        crowded,
        lean,
        "small",
        1.1,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
