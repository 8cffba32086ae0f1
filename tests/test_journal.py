"""The request journal: auth-mode detection, credential ids, filters and path patterns."""

from __future__ import annotations

import re

import pytest
import requests

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Request
from pytest_infisical.journal import PathPattern, credential_of, detect_auth_mode

URL = "https://app.infisical.com"


def test_auth_mode_and_credential_from_headers() -> None:
    fake = FakeInfisical()
    token, key, account = fake.create_service_token(), fake.create_api_key(), fake.create_service_account()
    identity = fake.create_machine_identity()
    login = fake.handle(
        Request(
            "POST",
            URL + "/api/v1/auth/universal-auth/login",
            {"Content-Type": "application/json"},
            str(identity.login_body).replace("'", '"').encode(),
        )
    )
    access = login.json()["accessToken"]
    cases = [
        (token.headers, "service_token", token.id, "Bearer st.", token.secret),
        ({"Authorization": f"Bearer {token.token}"}, "service_token", token.id, "Bearer st.", token.key),
        (key.headers, "api_key", key.id, "ak.", key.secret),
        (account.headers, "service_account", account.id, "Bearer sa.", account.secret),
        ({"Authorization": f"Bearer {access}"}, "machine_identity", identity.identity_id, "Bearer eyJ", access[10:]),
    ]
    for headers, mode, credential_id, shown_prefix, hidden in cases:
        assert detect_auth_mode(headers) == mode
        found_id, shown = credential_of(headers)
        assert found_id == credential_id
        assert shown is not None and shown.startswith(shown_prefix) and shown.endswith("…(redacted)")
        assert hidden not in shown
    assert detect_auth_mode({}) is None
    assert detect_auth_mode({"Authorization": "Basic abc"}) is None
    # a bearer wins over X-API-KEY, as on the 2023 server
    assert detect_auth_mode({**key.headers, **token.headers}) == "service_token"


def test_calls_record_requests_responses_and_auth(infisical: FakeInfisical) -> None:
    token = infisical.create_service_token()
    requests.get(URL + "/api/v2/service-token", headers=token.headers)
    requests.get(
        URL + "/api/v3/secrets",
        params={"workspaceId": infisical.project.id, "environment": "prod"},
        headers=token.headers,
    )
    requests.get(URL + "/api/status")
    first, second, third = infisical.calls
    assert (first.index, first.method, first.path, first.status, first.auth_mode) == (
        1,
        "GET",
        "/api/v2/service-token",
        200,
        "service_token",
    )
    assert first.credential_id == token.id and first.route == "GET /api/v2/service-token"
    assert first.response is not None and first.response.json()["_id"] == token.id
    assert second.status == 403 and second.request.query["environment"] == "prod"
    assert third.auth_mode is None and third.route_takes_credentials is False
    assert token.secret not in repr(first) and token.secret not in first.describe()


def test_filters(infisical: FakeInfisical) -> None:
    token = infisical.create_service_token()
    login = requests.post(
        URL + "/api/v1/auth/universal-auth/login", json=infisical.create_machine_identity().login_body
    )
    identity = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    infisical.pipeline.journal.clear()
    requests.get(URL + "/api/v2/service-token", headers=token.headers)
    requests.get(
        URL + "/api/v4/secrets", headers=identity, params={"projectId": infisical.project.id, "environment": "dev"}
    )
    requests.get(URL + "/api/v3/secrets/A", headers=identity)
    requests.get(URL + "/api/v3/secrets/B", headers=token.headers)
    calls = infisical.calls
    assert len(calls.filter("GET")) == 4
    assert [c.index for c in calls.filter(auth="machine_identity")] == [2, 3]
    assert [c.index for c in calls.filter(path="/api/v3/secrets/:secretName")] == [3, 4]
    assert [c.index for c in calls.filter(path="/api/v3/secrets/*", auth="service_token")] == [4]
    assert [c.index for c in calls.filter(path=re.compile(r"/api/v2/.*"))] == [1]
    assert [c.index for c in calls.filter(path=re.compile(r"/api/v4/.*"))] == [2]
    assert [c.index for c in calls.filter(status=200)] == [1, 2]
    assert calls.filter(auth="none") == []
    assert calls[1:3] == [calls[1], calls[2]]
    with pytest.raises(
        ValueError, match="auth must be one of api_key, service_token, service_account, machine_identity or 'none'"
    ):
        calls.filter(auth="token")


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("/api/v3/secrets", "/api/v3/secrets/", True),
        ("/api/v3/secrets", "//api/v3/secrets", True),
        ("/api/v3/secrets/:name", "/api/v3/secrets/A", True),
        ("/api/v3/secrets/:name", "/api/v3/secrets/raw/A", False),
        ("/api/v3/secrets/*", "/api/v3/secrets/raw/A", True),
        (re.compile(r"/api/v\d/secrets"), "/api/v4/secrets", True),
    ],
)
def test_path_patterns(pattern: str, path: str, hit: bool) -> None:
    assert PathPattern(pattern).matches(path) is hit


def test_the_journal_keeps_the_last_calls_only_when_bounded() -> None:
    from pytest_infisical.journal import Journal

    journal = Journal(max_calls=3)
    for i in range(5):
        journal.record(Request("GET", f"{URL}/api/status?i={i}"), None)
    assert [c.index for c in journal.calls] == [3, 4, 5] and journal.recorded == 5
