"""The per-test cost of a fresh fake, against moto's ``mock_aws`` with a boto3 client.

What one test pays, each side doing what its fixtures do for a test that reads one seeded secret:

* ours: what the ``infisical`` fixture does (options from the marker, a fresh seeded fake, served
  to ``requests`` and httpx, the strict check at teardown), the ``infisical_service_token``
  fixture, and one ``GET /api/v3/secrets/raw/:name`` through ``requests``;
* moto: the fixture a user writes for it (``with mock_aws(): yield boto3.client("secretsmanager")``),
  seeding the secret with ``CreateSecret``, and one ``GetSecretValue``.

Both run in this process without pytest around them (pytest's own per-test cost is the same for
both), alternately, each keeping its best run. Target: ours <= 0.1x moto.

Needs the ``bench`` extra: ``pip install -e '.[bench]'``.

    python -m benchmarks.bench_fixture
"""

from __future__ import annotations

import sys
from typing import Callable

import requests

from benchmarks._timing import Figure, alternate, main
from pytest_infisical.harness import Options, build, serve, strict_report

TARGET = 0.1
OURS_PER_RUN = 50
MOTO_PER_RUN = 5
ROUNDS = 5


def our_test() -> None:
    options = Options.from_marker({"secrets": {"DB_PASSWORD": "hunter2"}}, Options())
    fake = build(options)
    with serve(fake, options):
        token = fake.create_service_token(scopes=[("dev", "/")], permissions=("read", "write"))
        response = requests.get(
            f"{fake.url}/api/v3/secrets/raw/DB_PASSWORD",
            params={"workspaceId": fake.project.id, "environment": "dev"},
            headers=token.headers,
            timeout=5,
        )
        assert response.json()["secret"]["secretValue"] == "hunter2"
    assert strict_report(fake, options) is None


def moto_test() -> Callable[[], None]:
    import boto3
    from moto import mock_aws

    def one_test() -> None:
        with mock_aws():
            client = boto3.client(
                "secretsmanager", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            client.create_secret(Name="DB_PASSWORD", SecretString="hunter2")
            assert client.get_secret_value(SecretId="DB_PASSWORD")["SecretString"] == "hunter2"

    return one_test


def run() -> list[Figure]:
    moto = moto_test()
    our_test()  # warm up: imports, first-use caches
    moto()
    ours, anchor = alternate([our_test, moto], [OURS_PER_RUN, MOTO_PER_RUN], rounds=ROUNDS)
    return [
        Figure(
            "a fresh fake per test (fixtures' setup and teardown + one secret read): ours vs moto mock_aws + boto3",
            ours,
            anchor,
            "moto",
            max_ratio=TARGET,
        )
    ]


if __name__ == "__main__":
    sys.exit(main(run))
