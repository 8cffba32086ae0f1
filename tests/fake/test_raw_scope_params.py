"""How a raw route finds its project and environment (PROTOCOL §9.2, §12.4, §13.1).

* missing project or environment: 400; today's server words it by caller: a service token gets
  ``Missing project id or environment``, an identity without a project ``You must provide
  projectSlug or workspaceId``;
* an identity may name the project by ``workspaceSlug`` instead of ``workspaceId``.
"""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import call, identity_headers, login

pytestmark = pytest.mark.infisical(profile="latest")

RAW = "/api/v3/secrets/raw"


def _error(response: Response) -> tuple[int, str]:
    return response.status, response.json()["message"]


def test_a_request_without_its_project_or_environment_is_refused() -> None:
    fake = FakeInfisical(profile="latest")
    fake.set_secret("A", "1")
    identity = identity_headers(fake, "admin")
    assert _error(call(fake, "GET", RAW, headers=identity, query={"environment": "dev"})) == (
        400,
        "You must provide projectSlug or workspaceId",
    )
    # a token with two scopes is not auto-scoped: it must name both (§12.4, §13.1)
    token = fake.create_service_token(scopes=[("dev", "/"), ("prod", "/")])
    for query in ({}, {"workspaceId": fake.project.id}, {"environment": "dev"}):
        assert _error(call(fake, "GET", RAW, headers=token.headers, query=query)) == (
            400,
            "Missing project id or environment",
        ), query


def test_an_identity_names_the_project_by_its_slug() -> None:
    fake = FakeInfisical(profile="latest")
    other = fake.create_project("other project")
    fake.set_secret("IN_DEFAULT", "d")
    fake.set_secret("IN_OTHER", "o", project=other)
    headers = {"Authorization": f"Bearer {login(fake, fake.create_machine_identity('admin', project=other))}"}
    response = call(fake, "GET", RAW, headers=headers, query={"workspaceSlug": other.slug, "environment": "dev"})
    assert response.status == 200, response.body
    assert [s["secretKey"] for s in response.json()["secrets"]] == ["IN_OTHER"]
