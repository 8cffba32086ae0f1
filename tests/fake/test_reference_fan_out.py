"""A value that references the same secret several times is expanded once per reference, not once
per path through the references: ``A = ${B}${B}``, ``B = ${C}${C}`` … twenty deep is a million
characters the server builds in well under a second, and a fake that walks every path (2**20 of
them) hangs the test and, behind ``infisical_server``, every other client.

The work is bounded by counting the fake's secret look-ups (a look-up budget, not a timing): the
references here name 21 secrets, so a few hundred look-ups are plenty, while walking every path
(or looking up each of the 2**11 copies of a reference a pass leaves) needs far more.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest

from pytest_infisical.fake import FakeInfisical

from .conftest import call, identity_headers

BUDGET = 10_000


class OverBudget(Exception):
    pass


def _budgeted(fake: FakeInfisical, monkeypatch: pytest.MonkeyPatch) -> None:
    real, used = fake.state.find_secret, [0]

    def find_secret(*args: Any, **kwargs: Any) -> Optional[Any]:
        used[0] += 1
        if used[0] > BUDGET:
            raise OverBudget(f"more than {BUDGET} secret look-ups for one request")
        return real(*args, **kwargs)

    monkeypatch.setattr(fake.state, "find_secret", find_secret)


@pytest.mark.parametrize("profile", ["latest", "2024-08"])
def test_a_doubling_chain_twenty_deep_expands_fully(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeInfisical(profile=profile)
    for level in range(20):
        fake.set_secret(f"S{level}", "${{S{0}}}${{S{0}}}".format(level + 1))
    fake.set_secret("S20", "x")
    headers = identity_headers(fake, role="admin")
    _budgeted(fake, monkeypatch)
    query = {"workspaceId": fake.project.id, "environment": "dev", "expandSecretReferences": "true"}
    response = call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=query)
    assert response.status == 200, response.body[:300]
    values = {s["secretKey"]: s["secretValue"] for s in response.json()["secrets"]}
    assert values["S0"] == "x" * 2**20
    assert values["S19"] == "xx"
