"""``/api/v1/workspace`` and ``/api/v2/workspace/:workspaceId/…``: projects, keys, members (§5.6)."""

from __future__ import annotations

from typing import Any

from . import apierror as E
from .apierror import ApiError
from .documents import project_membership_doc, user_with_public_key, workspace_doc
from .organizations import membership_by_id
from .routing import API_KEY, JWT, Arg, Call, RouteTable
from .secrets import project_of
from .state import Membership, Project, iso

_routes = RouteTable()

_MODES = (JWT, API_KEY)
_WORKSPACE = Arg("workspaceId", "path")


def _member(call: Call, project: Project, admin: bool, action: str) -> Membership:
    assert call.principal is not None and call.principal.user is not None
    membership = project.members.get(call.principal.user.id)
    if membership is None:
        raise ApiError(E.MEMBER_NOT_IN_PROJECT, project_id=project.id, action=action)
    if admin and membership.role != "admin":
        raise ApiError(E.MEMBER_ROLE_DENIED, action=action)
    return membership


@_routes.route("GET", "/api/v1/workspace", _MODES)
def my_workspaces(call: Call) -> dict[str, Any]:
    assert call.principal is not None and call.principal.user is not None
    user_id = call.principal.user.id
    projects = [p for p in call.state.projects.values() if user_id in p.members]
    return {"workspaces": [call.profile.shaped("workspace", workspace_doc(p)) for p in projects]}


@_routes.route("GET", "/api/v2/workspace/:workspaceId/encrypted-key", _MODES, [_WORKSPACE])
def encrypted_key(call: Call) -> dict[str, Any]:
    """The caller's copy of the project key: a NaCl box only the user's private key opens."""
    project = project_of(call, call.args["workspaceId"])
    membership = _member(call, project, admin=False, action="read on workspace")
    key = project.user_keys.get(membership.user.id)
    if key is None:
        raise ApiError(E.PROJECT_KEY_NOT_FOUND)
    stamp = iso(key.created_at)
    document = {
        "_id": key.id,
        "id": key.id,
        "encryptedKey": key.encrypted_key,
        "nonce": key.nonce,
        "sender": call.profile.shaped("project_key_sender", user_with_public_key(key.sender)),
        "senderId": key.sender.id,
        "receiver": key.receiver.id,
        "receiverId": key.receiver.id,
        "workspace": project.id,
        "projectId": project.id,
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }
    return call.profile.shaped("project_key", document)


@_routes.route("GET", "/api/v1/workspace/:workspaceId", _MODES, [_WORKSPACE], family="workspace-v1")
def get_workspace(call: Call) -> dict[str, Any]:
    project = project_of(call, call.args["workspaceId"])
    _member(call, project, admin=False, action="read on workspace")
    return {"workspace": call.profile.shaped("workspace", workspace_doc(project))}


_routes.session_only("GET", "/api/v1/workspace/:workspaceId/service-token-data", family="workspace-v1")


@_routes.route(
    "GET", "/api/v1/workspace/:workspaceId/memberships", _MODES, [_WORKSPACE], family="project-memberships-v1"
)
@_routes.route(
    "GET", "/api/v2/workspace/:workspaceId/memberships", _MODES, [_WORKSPACE], family="project-memberships-v2"
)
def memberships(call: Call) -> dict[str, Any]:
    project = project_of(call, call.args["workspaceId"])
    _member(call, project, admin=False, action="read on member")
    documents = [project_membership_doc(m) for m in project.members.values()]
    return {"memberships": [call.profile.shaped("project_membership", d) for d in documents]}


@_routes.route(
    "PATCH",
    "/api/v2/workspace/:workspaceId/memberships/:membershipId",
    _MODES,
    [_WORKSPACE, Arg("membershipId", "path"), Arg("role", "body", choices=("admin", "member"))],
    family="project-memberships-v2",
)
def update_membership(call: Call) -> dict[str, Any]:
    project = project_of(call, call.args["workspaceId"])
    _member(call, project, admin=True, action="edit on member")
    target = membership_by_id(project.members.values(), call.args["membershipId"])
    call.state.set_member_role(target, call.args["role"])
    return {"membership": project_membership_doc(target)}


@_routes.route(
    "DELETE",
    "/api/v2/workspace/:workspaceId/memberships/:membershipId",
    _MODES,
    [_WORKSPACE, Arg("membershipId", "path")],
    family="project-memberships-v2",
)
def delete_membership(call: Call) -> dict[str, Any]:
    project = project_of(call, call.args["workspaceId"])
    _member(call, project, admin=True, action="delete on member")
    target = membership_by_id(project.members.values(), call.args["membershipId"])
    call.state.remove_member(project, target)
    return {"membership": project_membership_doc(target)}


for _method in ("GET", "POST", "PUT", "DELETE"):
    _routes.session_only(_method, "/api/v2/workspace/:workspaceId/environments")

ROUTES = _routes.freeze()
