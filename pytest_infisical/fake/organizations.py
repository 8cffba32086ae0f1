"""``/api/v2/organizations/:organizationId/…``: projects and members of an organization (§5.5)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from . import apierror as E
from .apierror import ApiError
from .documents import org_membership_doc, workspace_doc
from .routing import API_KEY, JWT, Arg, Call, RouteTable
from .state import Membership, Organization, OrgMembership

_routes = RouteTable()

_MODES = (JWT, API_KEY)
_ORG = Arg("organizationId", "path")
_ADMIN_ROLES = ("owner", "admin")


def _membership(call: Call, admin: bool) -> tuple[Organization, OrgMembership]:
    org_id = call.args["organizationId"]
    assert call.principal is not None and call.principal.user is not None
    if call.profile.org_routes_check_session and call.principal.mode == API_KEY:
        user_id = call.principal.user.id
        session = next((o for o in call.state.organizations.values() if user_id in o.members), None)
        if session is None or session.id != org_id:
            raise ApiError(E.ORG_OTHER_SESSION, organization_id=org_id)
    org = call.state.organizations.get(org_id)
    if org is None:
        raise ApiError(E.ORG_NOT_FOUND, organization_id=org_id)
    membership = org.members.get(call.principal.user.id)
    if membership is None:
        raise ApiError(E.ORG_NOT_MEMBER, organization_id=org_id)
    if admin and membership.role not in _ADMIN_ROLES:
        raise ApiError(E.ORG_ROLE_DENIED, organization_id=org_id)
    return org, membership


@_routes.route("GET", "/api/v2/organizations/:organizationId/workspaces", _MODES, [_ORG])
def org_workspaces(call: Call) -> dict[str, Any]:
    """The organization's projects of which the caller is a member (owners and admins only)."""
    org, membership = _membership(call, admin=True)
    user_id = membership.user.id
    projects = [p for p in call.state.projects.values() if p.organization is org and user_id in p.members]
    return {"workspaces": [call.profile.shaped("organization_workspace", workspace_doc(p)) for p in projects]}


@_routes.route("GET", "/api/v2/organizations/:organizationId/memberships", _MODES, [_ORG])
def org_memberships(call: Call) -> dict[str, Any]:
    org, _ = _membership(call, admin=False)
    return {"memberships": [org_membership_doc(m) for m in org.members.values()]}


M = TypeVar("M", OrgMembership, Membership)


def membership_by_id(members: Iterable[M], membership_id: str) -> M:
    """A membership (of an organization or a project) by its id, or 404."""
    for member in members:
        if member.id == membership_id:
            return member
    raise ApiError(E.MEMBERSHIP_NOT_FOUND, id=membership_id)


@_routes.route(
    "PATCH",
    "/api/v2/organizations/:organizationId/memberships/:membershipId",
    _MODES,
    [_ORG, Arg("membershipId", "path"), Arg("role", "body", choices=("owner", "admin", "member"))],
)
def update_org_membership(call: Call) -> dict[str, Any]:
    org, _ = _membership(call, admin=True)
    target = membership_by_id(org.members.values(), call.args["membershipId"])
    call.state.set_org_role(target, call.args["role"])
    return {"membership": org_membership_doc(target)}


@_routes.route(
    "DELETE",
    "/api/v2/organizations/:organizationId/memberships/:membershipId",
    _MODES,
    [_ORG, Arg("membershipId", "path")],
)
def delete_org_membership(call: Call) -> dict[str, Any]:
    org, _ = _membership(call, admin=True)
    target = membership_by_id(org.members.values(), call.args["membershipId"])
    call.state.remove_org_member(org, target)
    return {"membership": org_membership_doc(target)}


_routes.session_only("GET", "/api/v2/organizations/:organizationId/service-accounts")
_routes.session_only("POST", "/api/v3/auth/select-organization", family="select-organization")

ROUTES = _routes.freeze()
