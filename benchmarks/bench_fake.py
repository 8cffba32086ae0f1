"""``GET /api/v3/secrets`` through ``requests``: the fake vs a static ``responses`` stub, and at scale.

1. The fake serving 10 secrets, against ``responses`` returning the very same body from a static
   stub (the cheapest possible mock of that call). Target: ours <= 1.3x.
2. The same request with 1,000 other projects and 10,000 other secrets in the fake, against the
   small fake. Target: <= 1.1x — routing and lookups must not scan.

    python -m benchmarks.bench_fake
"""

from __future__ import annotations

import sys

import requests
import responses

from benchmarks._timing import best_of, report
from pytest_infisical.fake import DEFAULT_URL, FakeInfisical
from pytest_infisical.transports.responses import RequestsTransport

REQUESTS_PER_RUN = 1000


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


def run(session: requests.Session, url: str, params: dict[str, str], headers: dict[str, str]) -> None:
    for _ in range(REQUESTS_PER_RUN):
        response = session.get(url, params=params, headers=headers)
        assert response.status_code == 200


def measure_fake(fake: FakeInfisical) -> tuple[float, bytes]:
    token = fake.create_service_token()
    params = {"workspaceId": fake.project.id, "environment": "dev"}
    session = requests.Session()
    with RequestsTransport(fake, [DEFAULT_URL]):
        body = session.get(DEFAULT_URL + "/api/v3/secrets", params=params, headers=token.headers).content
        seconds = best_of(lambda: run(session, DEFAULT_URL + "/api/v3/secrets", params, token.headers), repeat=5)
    return seconds / REQUESTS_PER_RUN, body


def measure_stub(body: bytes, params: dict[str, str], headers: dict[str, str]) -> float:
    session = requests.Session()
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET, DEFAULT_URL + "/api/v3/secrets", body=body, content_type="application/json; charset=utf-8"
        )
        seconds = best_of(lambda: run(session, DEFAULT_URL + "/api/v3/secrets", params, headers), repeat=5)
    return seconds / REQUESTS_PER_RUN


def main() -> int:
    small = small_fake()
    ours, body = measure_fake(small)
    token = small.create_service_token()
    stub = measure_stub(body, {"workspaceId": small.project.id, "environment": "dev"}, token.headers)
    ok = report("GET /api/v3/secrets (10 secrets), per request: fake vs static responses stub", ours, stub, "stub", 1.3)

    big = small_fake()
    crowd(big)
    crowded, _ = measure_fake(big)
    small_again, _ = measure_fake(small_fake())
    ok &= report(
        "the same with 1,000 other projects and 10,000 other secrets: crowded fake vs small fake",
        crowded,
        small_again,
        "small",
        1.1,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
