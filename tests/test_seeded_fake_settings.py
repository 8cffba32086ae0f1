"""What a seed builds besides its secrets: the profile, URL, delay, rate limits, project ids,
versions and encryption it is asked for, on the first project and on the others.

Expectations from ``build_fake``/``build_seeded``'s documentation and docs/server.md (a project's
``e2ee`` defaults to false, ``version`` to 1; ``project_ids`` gives the seed's projects known ids)
and docs/profiles.md (the 2024-08 profile limits the secrets routes, 40 a minute, with
``x-ratelimit-*`` headers, unless ``rate_limits=False``).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Request, Response
from pytest_infisical.seed import build_fake, build_seeded

IDS = ("64a0c3e2f1b4a5d6e7f80912", "64a0c3e2f1b4a5d6e7f80913", "64a0c3e2f1b4a5d6e7f80914")


def _list_raw_secrets(fake: FakeInfisical) -> Response:
    token = fake.create_service_token()
    query = urlencode({"workspaceId": fake.project.id, "environment": "dev"})
    return fake.handle(Request("GET", f"{fake.url}/api/v3/secrets/raw?{query}", dict(token.headers), b""))


def test_build_fake_serves_the_profile_it_is_given() -> None:
    assert build_fake({"projects": [{}]}, profile="2023").profile.name == "2023"
    assert build_seeded({"projects": [{}]}, profile="2024-08")[0].profile.name == "2024-08"
    assert build_fake({"projects": [{}]}).profile.name == "latest"


def test_build_fake_passes_a_delay_through_the_sleep_it_is_given() -> None:
    slept: list[float] = []
    fake = build_fake({"projects": [{}]}, sleep=slept.append)
    fake.fail_next(delay=2.5)
    assert _list_raw_secrets(fake).status == 200
    assert slept == [2.5]


def test_build_seeded_serves_at_the_url_it_is_given() -> None:
    fake, _ = build_seeded({"projects": [{}]}, url="http://127.0.0.1:8080")
    assert fake.url == "http://127.0.0.1:8080"
    assert build_fake({"projects": [{}]}).url == "https://app.infisical.com"


@pytest.mark.parametrize(("rate_limits", "remaining"), [(True, "39"), (False, None)])
def test_the_profiles_own_rate_limits_can_be_turned_off(rate_limits: bool, remaining: object) -> None:
    fake, _ = build_seeded({"projects": [{}]}, profile="2024-08", rate_limits=rate_limits)
    answer = _list_raw_secrets(fake)
    assert answer.status == 200
    assert {k.lower(): v for k, v in answer.headers.items()}.get("x-ratelimit-remaining") == remaining


def test_the_profiles_own_rate_limits_are_on_by_default() -> None:
    fake, _ = build_seeded({"projects": [{}]}, profile="2024-08")
    assert {k.lower(): v for k, v in _list_raw_secrets(fake).headers.items()}["x-ratelimit-remaining"] == "39"


def test_projects_take_the_ids_given_and_the_rest_get_new_ones() -> None:
    seed = {"projects": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    _, projects = build_seeded(seed, project_ids=IDS)
    assert [p.id for p in projects] == list(IDS)
    _, partly = build_seeded(seed, project_ids=IDS[:2])
    assert [p.id for p in partly[:2]] == list(IDS[:2])
    assert partly[2].id not in IDS


@pytest.mark.parametrize("first", [True, False])
def test_every_project_takes_its_own_encryption_and_version(first: bool) -> None:
    chosen = [{"name": "kms", "version": 3}, {"name": "e2ee", "e2ee": True}, {"name": "plain"}]
    _, projects = build_seeded({"projects": chosen if first else [{"name": "default"}, *chosen]})
    by_name = {p.name: p for p in projects}
    assert (by_name["kms"].version, by_name["kms"].e2ee) == (3, False)
    assert (by_name["e2ee"].version, by_name["e2ee"].e2ee) == (1, True)
    assert (by_name["plain"].version, by_name["plain"].e2ee) == (1, False)
    _, (alone,) = build_seeded({"projects": [{"name": "e2ee", "e2ee": True}]})
    assert alone.e2ee is True
