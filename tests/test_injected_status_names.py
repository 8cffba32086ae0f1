"""An injected error status is named as Infisical names it, on every Python version.

Infisical's server is Node: an error's ``error`` field is Node's name for the status
(``http.STATUS_CODES``), e.g. ``413 Payload Too Large``, ``422 Unprocessable Entity``. Python's own
names differ for some statuses and changed in 3.13 ("Content Too Large", "Unprocessable Content"),
so a fake that took Python's name would answer differently from the server, and from one Python to
the next in a tox matrix.
"""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Request

URL = "https://app.infisical.com"

# Node 20's http.STATUS_CODES for the statuses where Python's names differ (or changed in 3.13)
NODE_NAMES = {
    413: "Payload Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Entity",
    509: "Bandwidth Limit Exceeded",
}


@pytest.mark.parametrize("profile", ["latest", "2023"])
@pytest.mark.parametrize("status", sorted(NODE_NAMES))
def test_an_injected_status_carries_nodes_name(profile: str, status: int) -> None:
    fake = FakeInfisical(profile=profile)
    fake.fail_next(status=status)
    answer = fake.handle(Request("GET", URL + "/api/status"))
    body = answer.json()
    body.pop("reqId", None)
    name = NODE_NAMES[status]
    assert (answer.status, body) == (
        status,
        {"statusCode": status, "message": f"{name} (injected by pytest-infisical)", "error": name},
    )


def test_a_status_nobody_names_is_an_error() -> None:
    fake = FakeInfisical(profile="2023")
    fake.fail_next(status=499)
    body = fake.handle(Request("GET", URL + "/api/status")).json()
    assert body == {"statusCode": 499, "message": "Error (injected by pytest-infisical)", "error": "Error"}
