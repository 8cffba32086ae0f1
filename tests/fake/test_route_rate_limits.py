"""The `2024-08` profile's own rate limits, as that server counted them.

Per route and client address, on the fake's clock: secrets routes 40 a minute, a service token's
own document 60, Universal Auth login 200; `x-ratelimit-limit`, `-remaining` and `-reset` on every
answer of a limited route, `retry-after` on the 429; requests refused during authentication are
neither counted nor given the headers. Every expected number here is the server's, written out.
"""

from __future__ import annotations

import http.client
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
import requests

from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical

from .. import serving

pytestmark = pytest.mark.infisical(profile="2024-08")

RAW = "/api/v3/secrets/raw"
LOGIN = "/api/v1/auth/universal-auth/login"
BODY_429 = {"statusCode": 429, "error": "Too Many Requests", "message": "Rate limit exceeded, retry in 1 minute"}


def limit_headers(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith(("x-ratelimit", "retry-after"))}


def assert_refused(response: requests.Response, limit: str) -> None:
    """The 429 of a window just opened: Fastify's body, no request left, 60 s to wait."""
    assert response.status_code == 429, response.text
    assert response.json() == BODY_429
    assert limit_headers(response) == {
        "x-ratelimit-limit": limit,
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "60",
        "retry-after": "60",
    }


def query(fake: FakeInfisical) -> dict[str, str]:
    return {"workspaceId": fake.project.id, "environment": "dev", "secretPath": "/"}


def get(fake: FakeInfisical, path: str, token: ServiceToken, **params: Any) -> requests.Response:
    return requests.get(fake.url + path, headers=token.headers, params={**query(fake), **params}, timeout=10)


def own_document(fake: FakeInfisical, token: ServiceToken) -> requests.Response:
    """The token's own document (``GET /api/v2/service-token``, limited to 60 a minute)."""
    return requests.get(fake.url + "/api/v2/service-token", headers=token.headers, timeout=10)


def spend(fake: FakeInfisical, token: ServiceToken, times: int, path: str = RAW) -> None:
    for _ in range(times):
        assert get(fake, path, token).status_code == 200


# ---- the window -----------------------------------------------------------------------------


def test_the_40th_request_passes_the_41st_is_refused(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    spend(infisical, infisical_service_token, 39)
    fortieth = get(infisical, RAW, infisical_service_token)
    assert fortieth.status_code == 200
    assert limit_headers(fortieth) == {
        "x-ratelimit-limit": "40",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "60",
    }
    assert_refused(get(infisical, RAW, infisical_service_token), limit="40")


def test_refused_until_the_reset_instant_then_allowed_again(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    infisical.clock.freeze()
    spend(infisical, infisical_service_token, 40)
    infisical.clock.advance(59)
    one_second_before = get(infisical, RAW, infisical_service_token)
    assert one_second_before.status_code == 429
    assert (one_second_before.headers["x-ratelimit-reset"], one_second_before.headers["retry-after"]) == ("1", "1")
    infisical.clock.advance(0.999)
    assert get(infisical, RAW, infisical_service_token).status_code == 429
    infisical.clock.advance(0.001)  # exactly 60 s after the window opened
    at_reset = get(infisical, RAW, infisical_service_token)
    assert at_reset.status_code == 200, at_reset.text
    assert limit_headers(at_reset) == {
        "x-ratelimit-limit": "40",
        "x-ratelimit-remaining": "39",
        "x-ratelimit-reset": "60",
    }


def test_reset_rounds_up_to_whole_seconds(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    infisical.clock.freeze()
    spend(infisical, infisical_service_token, 1)
    infisical.clock.advance(20.5)
    assert get(infisical, RAW, infisical_service_token).headers["x-ratelimit-reset"] == "40"


def test_the_window_follows_time_machine(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    time_machine = pytest.importorskip("time_machine")
    start = datetime(2024, 8, 20, 12, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False) as traveller:
        spend(infisical, infisical_service_token, 40)
        assert get(infisical, RAW, infisical_service_token).status_code == 429
        traveller.move_to(start + timedelta(seconds=60))
        assert get(infisical, RAW, infisical_service_token).status_code == 200


# ---- what counts, and where ---------------------------------------------------------------


def test_each_route_counts_on_its_own(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    infisical.set_secret("A", "1")
    spend(infisical, infisical_service_token, 40)
    assert get(infisical, RAW, infisical_service_token).status_code == 429
    single = get(infisical, RAW + "/A", infisical_service_token)
    assert single.status_code == 200, single.text
    assert single.headers["x-ratelimit-remaining"] == "39"
    encrypted = get(infisical, "/api/v3/secrets", infisical_service_token)
    assert encrypted.headers["x-ratelimit-remaining"] == "39"
    assert limit_headers(own_document(infisical, infisical_service_token)) == {
        "x-ratelimit-limit": "60",
        "x-ratelimit-remaining": "59",
        "x-ratelimit-reset": "60",
    }


def test_one_route_counts_every_name_it_is_asked_for(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    """The route is the template: GET .../raw/A and GET .../raw/B share one count."""
    infisical.set_secret("A", "1")
    infisical.set_secret("B", "2")
    assert get(infisical, RAW + "/A", infisical_service_token).headers["x-ratelimit-remaining"] == "39"
    assert get(infisical, RAW + "/B", infisical_service_token).headers["x-ratelimit-remaining"] == "38"


def test_writes_are_secrets_routes_and_a_refused_write_changes_nothing(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    url = infisical.url + RAW + "/NEW_{}"
    for i in range(40):
        body = {**query(infisical), "secretValue": "v"}
        created = requests.post(url.format(i), json=body, headers=infisical_service_token.headers, timeout=10)
        assert created.status_code == 200, created.text
    body = {**query(infisical), "secretValue": "v"}
    refused = requests.post(url.format(40), json=body, headers=infisical_service_token.headers, timeout=10)
    assert refused.status_code == 429
    assert set(infisical.secrets("dev")) == {f"NEW_{i}" for i in range(40)}


def test_login_allows_200_and_counts_wrong_secrets_too(infisical: FakeInfisical) -> None:
    identity = infisical.create_machine_identity()
    wrong = {"clientId": identity.client_id, "clientSecret": "0" * 64}
    for i in range(199):
        answer = requests.post(infisical.url + LOGIN, json=wrong, timeout=10)
        assert answer.status_code not in (200, 429)
        assert answer.headers["x-ratelimit-remaining"] == str(199 - i)
    last = requests.post(infisical.url + LOGIN, json=identity.login_body, timeout=10)
    assert last.status_code == 200, last.text
    assert last.headers["x-ratelimit-remaining"] == "0"
    refused = requests.post(infisical.url + LOGIN, json=identity.login_body, timeout=10)
    assert (refused.status_code, refused.json()) == (429, BODY_429)


def test_requests_refused_during_authentication_are_not_counted(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    wrong = f"st.{infisical_service_token.id}.{'0' * 32}.{'0' * 32}"
    for headers in ({}, {"Authorization": f"Bearer {wrong}"}, {"Authorization": "Bearer abc.def.ghi"}):
        for _ in range(45):
            refused = requests.get(infisical.url + RAW, headers=headers, params=query(infisical), timeout=10)
            assert refused.status_code not in (200, 429)
            assert limit_headers(refused) == {}
    first = get(infisical, RAW, infisical_service_token)
    assert first.status_code == 200
    assert first.headers["x-ratelimit-remaining"] == "39"


def test_a_mode_the_route_does_not_accept_is_refused_before_counting(infisical: FakeInfisical) -> None:
    identity = infisical.create_machine_identity()
    token = requests.post(infisical.url + LOGIN, json=identity.login_body, timeout=10).json()["accessToken"]
    refused = requests.get(
        infisical.url + "/api/v2/service-token", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert refused.status_code not in (200, 429)
    assert limit_headers(refused) == {}


def test_denied_and_invalid_requests_are_counted_and_carry_the_headers(infisical: FakeInfisical) -> None:
    """Authenticated, then refused by the route (permission, validation): counted, headers on the error."""
    read_only = infisical.create_service_token(permissions=("read",))
    denied = requests.post(
        infisical.url + RAW + "/X",
        json={**query(infisical), "secretValue": "v"},
        headers=read_only.headers,
        timeout=10,
    )
    assert denied.status_code not in (200, 429)
    assert denied.headers["x-ratelimit-remaining"] == "39"
    invalid = requests.post(infisical.url + LOGIN, json={"clientId": "x"}, timeout=10)
    assert invalid.status_code not in (200, 429)
    assert invalid.headers["x-ratelimit-remaining"] == "199"


@pytest.mark.infisical(allow_unrouted=True)
def test_routes_outside_the_groups_and_status_are_not_limited(infisical: FakeInfisical) -> None:
    for _ in range(45):
        assert limit_headers(requests.get(infisical.url + "/api/status", timeout=10)) == {}
    unrouted = requests.get(infisical.url + "/api/v1/nothing-here", timeout=10)
    assert unrouted.status_code == 404
    assert limit_headers(unrouted) == {}


def test_stubbed_and_faulted_requests_never_reach_the_servers_count(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    infisical.stub("GET", RAW, json={"secrets": []}, times=1)
    infisical.fail_next("GET", RAW, status=503)
    assert get(infisical, RAW, infisical_service_token).status_code == 503  # the fault comes first
    assert get(infisical, RAW, infisical_service_token).json() == {"secrets": []}  # then the stub
    assert get(infisical, RAW, infisical_service_token).headers["x-ratelimit-remaining"] == "39"


# ---- the journal and strict mode --------------------------------------------------------------


def test_refused_calls_are_journaled_as_the_servers_answer(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    spend(infisical, infisical_service_token, 40)
    get(infisical, RAW, infisical_service_token)
    refused = infisical.calls.filter(status=429)
    assert len(refused) == 1
    call = refused[0]
    assert (call.route, call.auth_mode, call.credential_id) == (
        "GET /api/v3/secrets/raw",
        "service_token",
        infisical_service_token.id,
    )
    assert call.authenticated and call.handled and call.fault is None
    assert call.response is not None and call.response.headers["retry-after"] == "60"


def test_strict_teardown_does_not_complain_about_the_profiles_429(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        @pytest.mark.infisical(profile="2024-08")
        def test_client_backs_off(infisical, infisical_service_token):
            params = {"workspaceId": infisical.project.id, "environment": "dev", "secretPath": "/"}
            url = infisical.url + "/api/v3/secrets/raw"
            statuses = [
                requests.get(url, params=params, headers=infisical_service_token.headers).status_code
                for _ in range(41)
            ]
            assert statuses[-1] == 429
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


# ---- turning them off, and the other profiles -------------------------------------------------


def test_the_fake_can_be_built_without_them() -> None:
    fake = FakeInfisical(profile="2024-08", rate_limits=False)
    token = fake.create_service_token()
    with serving_requests(fake):
        for _ in range(45):
            answer = get(fake, RAW, token)
            assert answer.status_code == 200
            assert limit_headers(answer) == {}


def serving_requests(fake: FakeInfisical) -> Any:
    from pytest_infisical.harness import Options, serve

    return serve(fake, Options())


def test_rate_limits_go_to_fake_pipeline_not_beside_a_pipeline() -> None:
    from pytest_infisical.fake import fake_pipeline

    with pytest.raises(TypeError, match=r"give profile=, clock=, sleep= and rate_limits= to fake_pipeline\(\)"):
        FakeInfisical(pipeline=fake_pipeline("2024-08"), rate_limits=False)


def test_the_marker_option_takes_a_boolean(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.infisical(profile="2024-08", rate_limits="no")
        def test_inner(infisical):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.infisical(rate_limits=...) takes True or False, got 'no'*"])


@pytest.mark.parametrize("profile", ["latest", "2023"])
def test_other_profiles_have_no_limiter(profile: str) -> None:
    fake = FakeInfisical(profile=profile)
    token = fake.create_service_token()
    with serving_requests(fake):
        for _ in range(45):
            answer = get(fake, RAW, token)
            assert answer.status_code == 200
            assert {k.lower() for k in answer.headers} & {
                "x-ratelimit-limit",
                "ratelimit-limit",
                "retry-after",
            } == set()


# ---- composing with rate_limit() ----------------------------------------------------------


def test_a_test_armed_limit_replaces_the_profiles_own(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    spend(infisical, infisical_service_token, 5)
    infisical.rate_limit(limit=2, window=60)
    assert get(infisical, RAW, infisical_service_token).headers["x-ratelimit-remaining"] == "1"
    assert limit_headers(own_document(infisical, infisical_service_token)) == {
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "60",
    }
    assert requests.get(infisical.url + "/api/status", timeout=10).status_code == 200  # exempt, as on the server
    assert_refused(get(infisical, RAW + "/A", infisical_service_token), limit="2")


def test_while_armed_the_profiles_count_does_not_apply(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    infisical.clock.freeze()
    infisical.rate_limit(limit=100, window=60)
    for i in range(45):
        answer = get(infisical, RAW, infisical_service_token)
        assert answer.status_code == 200
        assert answer.headers["x-ratelimit-remaining"] == str(99 - i)


# ---- the live server: one count per client address ---------------------------------------


def _get_from(fake: FakeInfisical, source: str, token: ServiceToken) -> tuple[int, dict[str, str]]:
    parts = urlsplit(fake.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10, source_address=(source, 0))
    try:
        target = RAW + "?" + "&".join(f"{k}={v}" for k, v in query(fake).items())
        connection.request("GET", target, headers=dict(token.headers))
        answer = connection.getresponse()
        answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders() if k.lower().startswith("x-ratelimit")}
    finally:
        connection.close()


def test_the_live_server_counts_each_client_address_on_its_own(
    infisical_server: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    for _ in range(40):
        assert _get_from(infisical_server, "127.0.0.1", infisical_service_token)[0] == 200
    assert _get_from(infisical_server, "127.0.0.1", infisical_service_token)[0] == 429
    status, headers = _get_from(infisical_server, "127.0.0.2", infisical_service_token)
    assert status == 200
    assert headers["x-ratelimit-remaining"] == "39"


def test_serve_has_them_unless_told_not_to(tmp_path: Path) -> None:
    def remaining(*flags: str) -> Optional[str]:
        served = serving.start(tmp_path, "--profile", "2024-08", *flags)
        try:
            token = str(served.credentials["service_token"])
            answer = requests.get(
                served.url + "/api/v2/service-token", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            assert answer.status_code == 200, answer.text
            return answer.headers.get("x-ratelimit-remaining")
        finally:
            serving.stop(served)

    assert remaining() == "59"
    assert remaining("--no-rate-limits") is None


@pytest.mark.parametrize(
    "profile", [pytest.param(p, marks=pytest.mark.infisical(profile=p), id=p) for p in ("2024-08", "latest")]
)
def test_every_429_carries_the_servers_own_headers(
    infisical: FakeInfisical, infisical_service_token: ServiceToken, profile: str
) -> None:
    """The server's helmet and CORS headers are set before its limiter answers: the profile's own
    429 and one armed with ``rate_limit()`` carry them alike, as every other answer does."""
    assert infisical.profile.name == profile
    infisical.rate_limit(limit=1, window=60)
    answers = [get(infisical, RAW, infisical_service_token) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 429]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert answer.headers["Vary"] == "Origin"


def test_the_profiles_own_429_carries_each_server_header_once(
    infisical: FakeInfisical, infisical_service_token: ServiceToken
) -> None:
    """The limiter's refusal is rendered like any other refusal: helmet's and CORS's headers once,
    beside the limiter's own."""
    spend(infisical, infisical_service_token, 40)
    refused = get(infisical, RAW, infisical_service_token)
    assert_refused(refused, limit="40")
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert refused.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert refused.headers["Vary"] == "Origin"
