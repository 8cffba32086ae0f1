"""A rate-limit window when a test moves the clock back (``advance(-n)``, time-machine, freezegun).

A request made before its window opened starts a new window, as a fresh server would: it is
never held in a window that, on the test's clock, has not opened yet. The numbers are the
2024-08 server's (40 a minute per secrets route) and the fake's ``rate_limit()`` arguments.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical

RAW = "/api/v3/secrets/raw"


def get(fake: FakeInfisical, token: ServiceToken) -> requests.Response:
    params = {"workspaceId": fake.project.id, "environment": "dev"}
    return requests.get(fake.url + RAW, headers=token.headers, params=params, timeout=10)


def limits(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith(("x-ratelimit", "retry-after"))}


@pytest.mark.infisical(profile="2024-08")
def test_travelling_to_the_past_opens_a_new_window(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    time_machine = pytest.importorskip("time_machine")
    assert get(infisical, infisical_service_token).status_code == 200  # today's window opens
    with time_machine.travel(datetime(2020, 1, 1, tzinfo=timezone.utc), tick=False):
        answer = get(infisical, infisical_service_token)
        assert answer.status_code == 200, answer.text
        assert limits(answer) == {"x-ratelimit-limit": "40", "x-ratelimit-remaining": "39", "x-ratelimit-reset": "60"}
        for _ in range(39):
            get(infisical, infisical_service_token)
        refused = get(infisical, infisical_service_token)
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "60")


@pytest.mark.infisical(profile="2024-08")
def test_advancing_backwards_opens_a_new_window(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    infisical.clock.freeze()
    for _ in range(40):
        assert get(infisical, infisical_service_token).status_code == 200
    infisical.clock.advance(-30)
    answer = get(infisical, infisical_service_token)
    assert answer.status_code == 200, answer.text
    assert limits(answer)["x-ratelimit-reset"] == "60"


def test_an_armed_rate_limit_after_the_clock_moved_back(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    infisical.clock.freeze()
    infisical.rate_limit(limit=1, window=60)
    assert get(infisical, infisical_service_token).status_code == 200
    assert get(infisical, infisical_service_token).status_code == 429
    infisical.clock.advance(-1)
    assert get(infisical, infisical_service_token).status_code == 200
