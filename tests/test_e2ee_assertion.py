"""``assert_end_to_end_encrypted``: what generic HTTP mocks cannot check, because only the fake has the keys."""

from __future__ import annotations

import pytest
import requests

from pytest_infisical import crypto
from pytest_infisical.credentials import ServiceToken
from pytest_infisical.fake import FakeInfisical
from pytest_infisical.redact import fingerprint

from .clients import ServiceTokenClient

URL = "https://app.infisical.com"


def _post(fake: FakeInfisical, token: ServiceToken, name: str, **fields: str) -> None:
    body = {"workspaceId": fake.project.id, "environment": "dev", "type": "shared", **fields}
    requests.post(f"{URL}/api/v3/secrets/{name}", headers=token.headers, json=body)


def _problems(fake: FakeInfisical, expected: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(AssertionError) as info:
        fake.assert_end_to_end_encrypted(expected)
    lines = str(info.value).splitlines()
    assert lines[0] == "The client's traffic is not end-to-end encrypted as expected:"
    return lines[1:]


@pytest.mark.infisical(secrets={"DB_PASSWORD": "hunter2"})
def test_a_correct_client_passes(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    client = ServiceTokenClient(requests.Session(), URL, infisical_service_token)
    assert client.secrets() == {"DB_PASSWORD": "hunter2"}
    client.create("API_URL", "https://one")
    client.update("API_URL", "https://two")
    infisical.assert_end_to_end_encrypted({"API_URL": "https://two"})
    infisical.assert_end_to_end_encrypted()


def test_a_plaintext_value_in_the_body(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    fields = crypto.encrypt_secret("API_URL", "https://one", infisical.project.key).to_dict()
    _post(infisical, infisical_service_token, "API_URL", **fields, secretValue="https://one")
    assert _problems(infisical) == [
        f"call 1 (POST /api/v3/secrets/API_URL) sent the plaintext value of API_URL ({fingerprint('https://one')}) in body.secretValue"
    ]


def test_the_raw_api_and_the_project_key(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    headers = {**infisical_service_token.headers, "X-Debug-Key": infisical.project.key}
    requests.post(
        f"{URL}/api/v3/secrets/raw/TOKEN",
        headers=headers,
        json={"workspaceId": infisical.project.id, "environment": "dev", "secretValue": "s3cret"},
    )
    assert _problems(infisical) == [
        "call 1 (POST /api/v3/secrets/raw/TOKEN) wrote a secret through the raw (plaintext) API",
        "call 1 (POST /api/v3/secrets/raw/TOKEN) sent the project key of project 'Example Project'",
    ]


def test_a_wrong_key_and_a_wrong_name(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    wrong = crypto.encrypt_secret("A", "1", crypto.generate_project_key()).to_dict()
    _post(infisical, infisical_service_token, "A", **wrong)
    renamed = crypto.encrypt_secret("B", "2", infisical.project.key).to_dict()
    _post(infisical, infisical_service_token, "C", **renamed)
    assert _problems(infisical) == [
        "call 1 (POST /api/v3/secrets/A): secretKey does not decrypt under the project key of 'Example Project'",
        "call 1 (POST /api/v3/secrets/A): secretValue does not decrypt under the project key of 'Example Project'",
        "call 1 (POST /api/v3/secrets/A): secretComment does not decrypt under the project key of 'Example Project'",
        "call 2 (POST /api/v3/secrets/C): secretKey decrypts to another name than the URL's 'C'",
    ]


def test_expected_values(infisical: FakeInfisical, infisical_service_token: ServiceToken) -> None:
    client = ServiceTokenClient(requests.Session(), URL, infisical_service_token)
    client.create("A", "actual")
    problems = _problems(infisical, {"A": "wanted", "B": "never"})
    assert problems == [
        f"A was written as {fingerprint('actual')}, but the test expects {fingerprint('wanted')}",
        "B was never written through the encrypted API",
    ]
    assert not any("actual" in p or "wanted" in p or "never" in p.split(" ")[-1] for p in problems)


E2EE_TEST = """
import pytest, requests

@pytest.mark.infisical(secrets={"DB_PASSWORD": "hunter2"})
def test_leaky_client(infisical, infisical_service_token):
    requests.get("https://app.infisical.com/api/v2/service-token", headers=infisical_service_token.headers,
                 params={"debug": "hunter2"})
    infisical.assert_end_to_end_encrypted()
"""


def test_as_users_see_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(E2EE_TEST)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: The client's traffic is not end-to-end encrypted as expected:",
            "E       call 1 (GET /api/v2/service-token) sent the plaintext value of DB_PASSWORD (sha256:*…) in query debug",
        ]
    )
    assert "hunter2" not in result.stdout.str().split("AssertionError")[-1]
