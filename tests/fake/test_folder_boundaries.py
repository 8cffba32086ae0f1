"""A folder is a path segment, not a string prefix: ``/a`` is not ``/ab``, and ``/a`` is not ``/a/b``.

Recursive lists walk the folder's own sub-folders; service-token scopes match paths with
picomatch (``strictSlashes: false``), where ``*`` stays inside one segment and ``/**`` spans any
number of them (PROTOCOL §3.4; "a scope path ``/`` does not cover ``/app``", §12.4/§13.2).
"""

from __future__ import annotations

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.fake.state import path_in_scope

from .conftest import call


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical()
    fake.set_secret("IN_A", "1", path="/a")
    fake.set_secret("IN_A_B", "2", path="/a/b")
    fake.set_secret("IN_AB", "3", path="/ab")
    fake.set_secret("IN_AB_C", "4", path="/ab/c")
    return fake


def _listed(fake: FakeInfisical, headers: dict[str, str], path: str, recursive: str) -> set[tuple[str, str]]:
    query = {"workspaceId": fake.project.id, "environment": "dev", "secretPath": path, "recursive": recursive}
    response = call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=query)
    assert response.status == 200, response.body
    return {(s["secretPath"], s["secretKey"]) for s in response.json()["secrets"]}


def test_recursive_list_of_a_skips_the_sibling_ab(fake: FakeInfisical) -> None:
    token = fake.create_service_token(scopes=[("dev", "/**")])
    assert _listed(fake, token.headers, "/a", "true") == {("/a", "IN_A"), ("/a/b", "IN_A_B")}
    assert _listed(fake, token.headers, "/a/", "true") == {("/a", "IN_A"), ("/a/b", "IN_A_B")}
    assert _listed(fake, token.headers, "/ab", "true") == {("/ab", "IN_AB"), ("/ab/c", "IN_AB_C")}
    assert _listed(fake, token.headers, "/a", "false") == {("/a", "IN_A")}


@pytest.mark.parametrize(
    ("scope", "readable"),
    [
        ("/a", {"/a"}),
        ("/a/**", {"/a", "/a/b"}),
        ("/a/*", {"/a/b"}),
        ("/a*", {"/a", "/ab"}),
        ("/ab", {"/ab"}),
        ("/a/b", {"/a/b"}),
    ],
)
def test_a_scope_covers_its_own_segments_only(fake: FakeInfisical, scope: str, readable: set[str]) -> None:
    # a second scope, so that a single glob-free scope does not replace the query's path (§13.2)
    token = fake.create_service_token(scopes=[("dev", scope), ("staging", "/")], permissions=["read"])
    names = {"/a": "IN_A", "/a/b": "IN_A_B", "/ab": "IN_AB", "/ab/c": "IN_AB_C"}
    for path, name in names.items():
        # a single GET is refused outside the scope (403); a list there is filtered (§13.2)
        query = {"workspaceId": fake.project.id, "environment": "dev", "secretPath": path}
        response = call(fake, "GET", f"/api/v3/secrets/raw/{name}", headers=token.headers, query=query)
        assert response.status == (200 if path in readable else 403), (path, response.body)
        listed = _listed(fake, token.headers, path, "false")
        assert listed == ({(path, name)} if path in readable else set()), path


@pytest.mark.parametrize(
    ("path", "pattern", "inside"),
    [
        ("/ab", "/a", False),
        ("/a/b", "/a", False),
        ("/ab", "/a/**", False),
        ("/ab/c", "/a/**", False),
        ("/a", "/a/**", True),
        ("/ab", "/a*", True),
        ("/a/b", "/a*", False),
        ("/a", "/a/*", False),
        ("/ab", "/a?", True),
        ("/abc", "/a?", False),
        ("/a/b/c", "/a/*/c", True),
        ("/a/b/x/c", "/a/*/c", False),
        ("/a/b/x/c", "/a/**/c", True),
    ],
)
def test_glob_edges(path: str, pattern: str, inside: bool) -> None:
    assert path_in_scope(path, pattern) is inside
