"""The fake's routes: immutable declarations per API module, collected from one explicit tuple."""

from __future__ import annotations

import pytest

from pytest_infisical.fake import api, identities
from pytest_infisical.fake.profiles import PROFILES
from pytest_infisical.fake.routing import RouteTable


def test_an_api_module_missing_from_the_tuple_is_an_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "API_MODULES", tuple(m for m in api.API_MODULES if m is not identities))
    with pytest.raises(ImportError) as missing:
        api._check_every_api_module_listed()
    assert str(missing.value) == (
        "pytest_infisical.fake.identities declares ROUTES but is not in pytest_infisical.fake.api.API_MODULES; "
        "add it there"
    )


def test_every_declared_route_is_routed_and_none_twice() -> None:
    declared = [(spec.method, spec.path) for module in api.API_MODULES for spec in module.ROUTES]
    assert len(declared) == len(set(declared))
    routed = {(r.method, r.pattern) for p in PROFILES.values() for r in api.router(p.route_families).routes}
    assert sorted(declared) == sorted(routed)
    assert isinstance(identities.ROUTES, tuple)


def _routed(profile: str) -> set[tuple[str, str]]:
    return {(r.method, r.pattern) for r in api.router(PROFILES[profile].route_families).routes}


def test_each_profile_routes_its_eras_families_only() -> None:
    """The August-2024 server had no /api/v4 and listed project members under /api/v1; today's the
    reverse. The dashboard's select-organization step exists since 2024, not in 2023."""
    v4 = ("GET", "/api/v4/secrets")
    v1_members, v2_members = (
        ("GET", "/api/v1/workspace/:workspaceId/memberships"),
        (
            "GET",
            "/api/v2/workspace/:workspaceId/memberships",
        ),
    )
    select_org = ("POST", "/api/v3/auth/select-organization")
    assert {v4, v2_members, select_org} <= _routed("latest") and v1_members not in _routed("latest")
    assert {v4, v2_members} <= _routed("2023") and not {v1_members, select_org} & _routed("2023")
    assert {v1_members, select_org} <= _routed("2024-08") and not {v4, v2_members} & _routed("2024-08")
    assert {(r.method, r.pattern) for r in api.router().routes} == _routed("latest")


def test_a_frozen_route_table_takes_no_more_routes() -> None:
    table = RouteTable()
    table.session_only("GET", "/api/v2/a")
    assert [(s.method, s.path) for s in table.freeze()] == [("GET", "/api/v2/a")]
    with pytest.raises(RuntimeError) as late:
        table.session_only("GET", "/api/v2/b")
    assert str(late.value) == "route GET /api/v2/b declared after its module's ROUTES were frozen"
