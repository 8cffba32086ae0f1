"""Replay: matching by meaning through a hash index, order of repeats, unplayed and near-miss reports."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infisical import crypto
from pytest_infisical.cassettes.format import Body, Cassette, Fixture, Interaction, RecordedRequest, RecordedResponse
from pytest_infisical.cassettes.player import CassettePlayer
from pytest_infisical.credentials import ApiKey, ServiceToken
from pytest_infisical.errors import CassetteMismatchError
from pytest_infisical.http import Request

URL = "https://app.infisical.com"
KEY = crypto.generate_project_key()
TOKEN = ServiceToken.generate()


def exchange(
    method: str, target: str, body: Any = None, headers: Any = None, answer: Any = None, status: int = 200
) -> Interaction:
    return Interaction(
        RecordedRequest(
            method, URL + target, headers or TOKEN.headers, Body("json", body) if body is not None else Body("empty")
        ),
        RecordedResponse(
            status,
            {"Content-Type": "application/json; charset=utf-8"},
            Body("json", answer if answer is not None else {"n": target}),
        ),
    )


def player(*interactions: Interaction, **options: Any) -> CassettePlayer:
    return CassettePlayer(Cassette(interactions, Fixture({"service_token": TOKEN.token}, (), (KEY,))), **options)


def get(
    p: CassettePlayer, target: str, headers: Any = None, body: Any = None, method: str = "GET", base: str = URL
) -> Any:
    data = json.dumps(body).encode() if body is not None else b""
    response = p.handle(Request(method, base + target, headers if headers is not None else TOKEN.headers, data))
    return response.status, response.json()


def test_query_order_encoding_and_host_do_not_matter() -> None:
    p = player(exchange("GET", "/api/v3/secrets/raw?workspaceId=w&environment=dev&secretPath=%2F"))
    status, body = get(p, "//api/v3/secrets/raw/?secretPath=/&environment=dev&workspaceId=w", base="http://127.0.0.1:9")
    assert status == 200
    assert body == {"n": "/api/v3/secrets/raw?workspaceId=w&environment=dev&secretPath=%2F"}


def test_credentials_match_by_kind_not_by_value() -> None:
    p = player(
        exchange("GET", "/a"), exchange("GET", "/a", headers=ApiKey.generate().headers, answer={"who": "api key"})
    )
    assert get(p, "/a", headers=ServiceToken.generate().headers) == (200, {"n": "/a"})
    assert get(p, "/a", headers=ApiKey.generate().headers) == (200, {"who": "api key"})


def test_ciphertexts_match_by_what_they_decrypt_to() -> None:
    recorded = crypto.encrypt_secret("NAME", "value", KEY).to_dict()
    p = player(exchange("POST", "/api/v3/secrets/NAME", {"workspaceId": "w", **recorded}))
    fresh = crypto.encrypt_secret("NAME", "value", KEY).to_dict()  # new random IVs
    assert fresh["secretValueIV"] != recorded["secretValueIV"]
    other = crypto.encrypt_secret("NAME", "other value", KEY).to_dict()
    status, body = get(p, "/api/v3/secrets/NAME", body={"workspaceId": "w", **other}, method="POST")
    assert status == 404
    assert "differs in body (secretValue)" in body["message"]
    assert "other value" not in body["message"]
    assert get(p, "/api/v3/secrets/NAME", body={**fresh, "workspaceId": "w"}, method="POST")[0] == 200


def test_credentials_in_bodies_and_wrapped_keys_match_any_of_their_kind() -> None:
    login = {"clientId": "id-1", "clientSecret": "secret-1"}
    wrapped = crypto.wrap_project_key_for_service_token(KEY, crypto.generate_project_key())
    token_body = {"name": "t", "encryptedKey": wrapped.ciphertext, "iv": wrapped.iv, "tag": wrapped.tag}
    p = player(
        exchange("POST", "/api/v1/auth/universal-auth/login", login),
        exchange("POST", "/api/v2/service-token", token_body),
    )
    assert (
        get(p, "/api/v1/auth/universal-auth/login", body={"clientId": "x", "clientSecret": "y"}, method="POST")[0]
        == 200
    )
    other = crypto.wrap_project_key_for_service_token(KEY, crypto.generate_project_key())
    body = {"name": "t", "encryptedKey": other.ciphertext, "iv": other.iv, "tag": other.tag}
    assert get(p, "/api/v2/service-token", body=body, method="POST")[0] == 200


def test_repeated_requests_replay_in_recorded_order_then_miss() -> None:
    p = player(*(exchange("GET", "/a", answer={"n": i}) for i in range(3)))
    assert [get(p, "/a")[1] for _ in range(3)] == [{"n": 0}, {"n": 1}, {"n": 2}]
    status, body = get(p, "/a")
    assert status == 404
    assert body["message"] == (
        "no recorded interaction in the cassette matches GET /a: every recorded interaction that matches it "
        "was already played (record it again, or allow_playback_repeats=True)"
    )


def test_allow_playback_repeats_answers_again_with_the_last_one() -> None:
    p = player(
        exchange("GET", "/a", answer={"n": 0}), exchange("GET", "/a", answer={"n": 1}), allow_playback_repeats=True
    )
    assert [get(p, "/a")[1]["n"] for _ in range(4)] == [0, 1, 1, 1]


def test_unplayed_lists_what_was_never_asked_for() -> None:
    p = player(exchange("GET", "/a"), exchange("GET", "/b?x=1"), exchange("DELETE", "/c"))
    get(p, "/a")
    assert p.unplayed() == ["#1 GET /b", "#2 DELETE /c"]
    assert p.report() == "2 recorded interaction(s) never played:\n  #1 GET /b\n  #2 DELETE /c"
    get(p, "/b?x=1")
    get(p, "/c", method="DELETE")
    assert p.unplayed() == [] and p.report() is None


def test_a_miss_names_the_closest_interactions_without_values() -> None:
    p = player(
        exchange("GET", "/api/v3/secrets/raw?environment=dev&workspaceId=w"),
        exchange("GET", "/api/v3/secrets/raw?environment=prod&workspaceId=w", headers=ApiKey.generate().headers),
        exchange("POST", "/api/v3/secrets/raw", {"secretValue": "s3cr3t-value"}),
        exchange("GET", "/elsewhere"),
    )
    status, body = get(p, "/api/v3/secrets/raw?environment=staging&workspaceId=w&secretValue=hush-hush")
    assert status == 404
    assert body["error"] == "CassetteMismatch"
    assert body["message"] == (
        "no recorded interaction in the cassette matches GET /api/v3/secrets/raw; the closest recorded interactions:\n"
        "  #0 GET /api/v3/secrets/raw - differs in query (environment, secretValue)\n"
        "  #1 GET /api/v3/secrets/raw - differs in query (environment, secretValue), auth (service_token here, api_key recorded)\n"
        "  #2 POST /api/v3/secrets/raw - differs in method (POST), query (environment, secretValue, workspaceId), body (secretValue)"
    )
    assert "hush" not in body["message"] and "s3cr3t" not in body["message"]
    assert [m.path for m in p.misses] == ["/api/v3/secrets/raw"]
    assert isinstance(p.misses[0].error(), CassetteMismatchError)
    assert p.report() is not None and p.report().startswith(body["message"])  # type: ignore[union-attr]


def test_match_on_narrows_what_counts() -> None:
    p = player(exchange("GET", "/a?x=1", answer={"n": "x1"}), match_on=["method", "path"])
    assert get(p, "/a?x=2", headers={}) == (200, {"n": "x1"})
    with pytest.raises(TypeError, match=r"match_on takes a list of method, path, query, auth, body; got \['headers'\]"):
        player(match_on=["headers"])
    with pytest.raises(TypeError, match="match_on takes a list"):
        player(match_on="query")


def test_responses_replay_byte_for_byte_as_compact_json() -> None:
    p = player(exchange("GET", "/a", answer={"b": [1, 2], "a": "é"}, status=201))
    response = p.handle(Request("GET", URL + "/a", TOKEN.headers))
    assert response.status == 201
    assert response.body == '{"b":[1,2],"a":"é"}'.encode()
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_fixture_credentials_come_back_typed() -> None:
    p = player()
    assert p.service_token == TOKEN
    assert p.api_key is None and p.service_account is None and p.machine_identity is None
