"""Server profiles: every error reason renders in every profile; body shapes per era (§6, §11.7)."""

from __future__ import annotations

import pytest

from pytest_infisical.fake import PROFILES, FakeInfisical, get_profile
from pytest_infisical.fake import apierror as E
from pytest_infisical.fake.apierror import ApiError

from .conftest import call

SAMPLE_PARAMS = {
    "id": "x",
    "scheme": "x",
    "url": "/x",
    "method": "GET",
    "mode": "jwt",
    "action": "read",
    "permission": "read",
    "name": "n",
    "path": "/",
    "environment": "dev",
    "project_id": "p",
    "organization_id": "o",
    "message": "m",
    "detail": "d",
    "retry_after": 1,
    "issues": [],
    "rules": [],
    "operation": "GetSecretByName",
}


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("reason", E.ALL_REASONS, ids=lambda r: r.code)
def test_every_reason_has_a_row_in_every_profile(name: str, reason: E.Reason) -> None:
    profile = get_profile(name)
    error = ApiError(reason, **{param: SAMPLE_PARAMS[param] for param in reason.params})
    row = profile.rendering(error)
    assert 400 <= row.status <= 599
    response = profile.render(error)
    assert response.status == row.status
    assert "{" not in response.text.replace('{"', "").replace("{}", ""), response.text  # every placeholder filled


def test_a_reason_raised_without_its_parameters_fails_at_the_raise() -> None:
    with pytest.raises(TypeError) as missing:
        ApiError(E.SECRET_NOT_FOUND)
    assert str(missing.value) == "ApiError(secret.not_found) takes name; missing name"
    with pytest.raises(TypeError) as unknown:
        ApiError(E.INVALID_JWT, token="x")
    assert str(unknown.value) == "ApiError(jwt.invalid) takes no parameters; unknown token"


def test_latest_body_shape() -> None:
    response = call(FakeInfisical(profile="latest"), "GET", "/api/v2/users/me")
    body = response.json()
    assert list(body) == ["reqId", "statusCode", "message", "error"]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_2023_body_shape() -> None:
    body = call(FakeInfisical(profile="2023"), "GET", "/api/v2/users/me").json()
    assert body == {
        "statusCode": 400,
        "message": "Missing Authorization or X-API-KEY in request header.",
        "error": "bad_request",
    }


def test_unknown_routes(profile: str) -> None:
    response = call(FakeInfisical(profile=profile), "GET", "/api/v9/nothing?x=1")
    expected = {
        "2023": {
            "statusCode": 404,
            "message": "The requested source '(GET)/api/v9/nothing?x=1' was not found",
            "error": "route_not_found",
        },
        "latest": {"statusCode": 404, "message": "Route GET:/api/v9/nothing?x=1 not found", "error": "Not Found"},
    }[profile]
    assert (response.status, response.json()) == (404, expected)


def test_rate_limited_is_plain_text_in_2023() -> None:
    response = get_profile("2023").render(ApiError(E.RATE_LIMITED, retry_after=60))
    assert (response.status, response.text) == (429, "Too many requests, please try again later.")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    latest = get_profile("latest").render(ApiError(E.RATE_LIMITED, retry_after=7)).json()
    assert (latest["error"], latest["message"]) == (
        "RateLimitExceeded",
        "Rate limit exceeded. Please try again in 7 seconds",
    )


def test_unknown_profile_names_the_choices() -> None:
    with pytest.raises(
        ValueError, match=r"unknown Infisical server profile '2022'; choose one of \['2023', '2024-08', 'latest'\]"
    ):
        FakeInfisical(profile="2022")


def test_a_profile_is_one_table() -> None:
    """Adding a profile means adding a table: both tables cover exactly the same reasons."""
    codes = {r.code for r in E.ALL_REASONS}
    for profile in PROFILES.values():
        assert set(profile.table) == codes
