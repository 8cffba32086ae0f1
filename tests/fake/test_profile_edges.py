"""How each profile renders what it renders on its own: a document's keys per kind of answer, an
era's names for today's permission actions, a list's refused references, the server's own 429
and 500, and the 2023 validation summary. Expected values come from the measured servers."""

from __future__ import annotations

from typing import Any

from pytest_infisical.fake import FakeInfisical

from ..fidelity.conftest import RAW_SECRET_KEYS_LATEST
from .conftest import call, identity_headers

#: the raw secret's keys as the August-2024 server sent them in a list (§12.3: today's minus the
#: rotation and metadata fields, plus ``metadata``); a single GET lacks ``secretPath``, the answer
#: to a write ``secretPath`` and ``tags``
RAW_KEYS_2024 = (RAW_SECRET_KEYS_LATEST - {"isRotatedSecret", "rotationId", "secretMetadata", "secretValueHidden"}) | {
    "metadata"
}


def _where(fake: FakeInfisical, environment: str = "dev") -> dict[str, str]:
    return {"workspaceId": fake.project.id, "environment": environment}


def _get_single(fake: FakeInfisical, headers: dict[str, str]) -> Any:
    response = call(fake, "GET", "/api/v3/secrets/raw/KEY", headers=headers, query=_where(fake))
    assert response.status == 200, response.body
    return response.json()["secret"]


def test_2024_08_documents_per_kind_of_answer() -> None:
    fake = FakeInfisical(profile="2024-08", rate_limits=False)
    fake.set_secret("KEY", "v")
    headers = identity_headers(fake)
    listed = call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=_where(fake))
    assert set(listed.json()["secrets"][0]) == RAW_KEYS_2024
    assert set(_get_single(fake, headers)) == RAW_KEYS_2024 - {"secretPath"}
    created = call(fake, "POST", "/api/v3/secrets/raw/NEW", headers=headers, body={**_where(fake), "secretValue": "v"})
    assert created.status == 200, created.body
    assert set(created.json()["secret"]) == RAW_KEYS_2024 - {"secretPath", "tags"}


def test_latest_single_get_has_the_list_keys() -> None:
    fake = FakeInfisical()
    fake.set_secret("KEY", "v")
    assert set(_get_single(fake, identity_headers(fake))) == RAW_SECRET_KEYS_LATEST


def test_2024_08_names_todays_actions_in_its_own_words() -> None:
    """§12.1: a single GET outside a token's scope is "read" there (today: ``describeSecret``)."""
    fake = FakeInfisical(profile="2024-08", rate_limits=False)
    fake.set_secret("KEY", "v", environment="prod")
    token = fake.create_service_token(scopes=[("dev", "/**")], permissions=["read", "write"])
    query = {**_where(fake, "prod"), "secretPath": "/"}
    single = call(fake, "GET", "/api/v3/secrets/raw/KEY", headers=token.headers, query=query)
    assert (single.status, single.json()["error"], single.json()["message"]) == (
        401,
        "PermissionDenied",
        "You are not allowed to read on secrets",
    )
    created = call(fake, "POST", "/api/v3/secrets/raw/NEW", headers=token.headers, body={**query, "secretValue": "v"})
    assert created.json()["message"] == "You are not allowed to create on secrets"


def test_latest_names_the_single_get_describe_secret() -> None:
    fake = FakeInfisical()
    fake.set_secret("KEY", "v", environment="prod")
    token = fake.create_service_token(scopes=[("dev", "/**")], permissions=["read"])
    query = {**_where(fake, "prod"), "secretPath": "/"}
    single = call(fake, "GET", "/api/v3/secrets/raw/KEY", headers=token.headers, query=query)
    assert (single.status, single.json()["message"]) == (403, "You are not allowed to describeSecret on secrets")


def test_a_list_names_each_refused_reference_in_details() -> None:
    fake = FakeInfisical()
    fake.set_secret("KEY", "prod-value", environment="prod")
    fake.set_secret("DSN", "postgres://${prod.KEY}/app")
    token = fake.create_service_token(scopes=[("dev", "/")], permissions=["read"])
    query = {**_where(fake), "expandSecretReferences": "true"}
    body = call(fake, "GET", "/api/v3/secrets/raw", headers=token.headers, query=query).json()
    assert (body["statusCode"], body["error"], body["message"]) == (
        403,
        "ForbiddenError",
        "Failed to expand one or more secret references",
    )
    assert body["details"] == [
        "You do not have permission to read secret 'KEY' in environment 'prod' at path '/', "
        "which is referenced by secret 'DSN' in environment 'dev' at path '/'."
    ]


def test_latest_rate_limit_answer_names_the_wait() -> None:
    """§13.2: ``Rate limit exceeded. Please try again in 60 seconds`` with ``retry-after: 60``."""
    fake = FakeInfisical()
    fake.rate_limit(limit=1, window=60)
    headers = identity_headers(fake)
    call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=_where(fake))
    limited = call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=_where(fake))
    body = limited.json()
    assert (limited.status, limited.headers["Retry-After"]) == (429, "60")
    assert (body["error"], body["message"]) == (
        "RateLimitExceeded",
        "Rate limit exceeded. Please try again in 60 seconds",
    )
    assert limited.headers["X-Content-Type-Options"] == "nosniff"


def test_the_servers_own_500_carries_its_headers() -> None:
    """§13.3: helmet's and CORS headers go with every answer, the server's own 500 too."""
    fake = FakeInfisical()
    fake.fail_next(status=500)
    answer = call(fake, "GET", "/api/status")
    assert (answer.status, answer.json()["message"]) == (500, "Something went wrong")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_2023_validation_summary_names_each_parameter() -> None:
    """§6.3: ``context.errors`` = ``One or more of your parameters are invalid [error(s)=…]``; the
    summary names the parameter that failed."""
    fake = FakeInfisical(profile="2023")
    response = call(fake, "POST", "/api/v3/secrets/raw/A", headers=fake.create_api_key().headers, body={})
    summary = response.json()["context"]["errors"]
    assert summary.startswith("One or more of your parameters are invalid [error(s)=")
    assert summary.endswith("]")
    assert "secretValue" in summary
