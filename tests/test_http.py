"""Transport-neutral values and the routing table."""

from __future__ import annotations

import pytest

from pytest_infisical.http import Headers, Request, Response, Router, api_path


def test_headers_are_case_insensitive_and_keep_order_and_repeats() -> None:
    headers = Headers([("Content-Type", "a"), ("X-Api-Key", "ak.1.2"), ("content-type", "b")])
    assert headers["content-type"] == "a" and headers.get("CONTENT-TYPE") == "a"
    assert "x-api-key" in headers and "nope" not in headers
    assert list(headers) == ["Content-Type", "X-Api-Key", "content-type"]
    assert headers.raw_items()[2] == ("content-type", "b")
    assert headers == {"content-type": "a", "x-api-key": "ak.1.2"}


def test_headers_repr_redacts_credentials() -> None:
    headers = Headers(
        {"Authorization": "Bearer st.64a0c3e2f1b4a5d6e7f80912.secretsecret", "X-API-KEY": "ak.64a0.secret"}
    )
    assert "secret" not in repr(headers)
    assert "Bearer st.64a0…(redacted)" in repr(headers)


def test_request_parts() -> None:
    request = Request(
        "get", "https://h/api/v3/secrets?workspaceId=1&environment=dev&secretPath=%2F&x=1&x=2", {"A": "b"}, b'{"k": 1}'
    )
    assert request.method == "GET"
    assert request.path == "/api/v3/secrets"
    assert request.query == {"workspaceId": "1", "environment": "dev", "secretPath": "/", "x": "1"}
    assert request.query_items[-1] == ("x", "2")
    assert request.json() == {"k": 1}
    assert request.base_url == "https://h"


def test_response_helpers() -> None:
    response = Response.json_body(200, {"é": 1})
    assert response.json() == {"é": 1} and response.body == '{"é":1}'.encode()
    assert Response.text_body(429, "slow down").text == "slow down"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ("/api/v3/secrets", "/api/v3/secrets"),
        ("//api/v3/secrets", "/api/v3/secrets"),
        ("/api//v3///secrets/", "/api/v3/secrets"),
        ("/infisical/api/v3/secrets", "/api/v3/secrets"),
        ("/api/status", "/api/status"),
        ("/", "/"),
        ("/elsewhere", "/elsewhere"),
    ],
)
def test_api_path_tolerates_how_clients_build_urls(raw: str, path: str) -> None:
    assert api_path(raw) == path


def test_router_static_beats_parameter_and_reports_methods() -> None:
    router: Router[str] = Router()
    router.add("GET", "/api/v2/service-accounts/me", "me")
    router.add("GET", "/api/v2/service-accounts/:id", "by id")
    router.add("DELETE", "/api/v2/service-accounts/:id", "delete")
    router.add("GET", "/api/v3/secrets/raw", "raw list")
    router.add("GET", "/api/v3/secrets/:secretName", "one")
    me = router.match("GET", "/api/v2/service-accounts/me")
    assert me is not None and me.route.handler == "me"
    other = router.match("GET", "/api/v2/service-accounts/abc")
    assert other is not None and (other.route.handler, other.params) == ("by id", {"id": "abc"})
    raw = router.match("GET", "/api/v3/secrets/raw")
    assert raw is not None and raw.route.handler == "raw list"
    named = router.match("GET", "/api/v3/secrets/A%20B")
    assert named is not None and named.params == {"secretName": "A B"}
    assert router.match("POST", "/api/v2/service-accounts/abc") is None
    assert router.methods_for("/api/v2/service-accounts/abc") == ["DELETE", "GET"]
    assert router.methods_for("/nowhere") == []


def test_router_refuses_duplicates_and_conflicts() -> None:
    router: Router[str] = Router()
    router.add("GET", "/a/:x", "1")
    with pytest.raises(ValueError, match="duplicate route GET /a/:x"):
        router.add("GET", "/a/:x", "2")
    with pytest.raises(ValueError, match="conflicting parameter names"):
        router.add("POST", "/a/:y", "3")
