"""JSON shapes shared by several API areas: users, projects (workspaces), memberships.

Each shape is the union of the 2023 (Mongo, ``_id``/``__v``) and today's (Postgres, ``id``)
documents, so that clients of either era find every field they parse.
"""

from __future__ import annotations

import re
from typing import Any

from .state import Membership, Organization, OrgMembership, Project, User, iso


def user_doc(user: User) -> dict[str, Any]:
    stamp = iso(user.created_at)
    return {
        "_id": user.id,
        "id": user.id,
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "authProvider": "email",
        "authMethods": ["email"],
        "isMfaEnabled": False,
        "mfaMethods": [],
        "devices": [],
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }


def user_with_public_key(user: User) -> dict[str, Any]:
    return {**user_doc(user), "publicKey": user.public_key}


def organization_doc(org: Organization) -> dict[str, Any]:
    stamp = iso(org.created_at)
    return {
        "_id": org.id,
        "id": org.id,
        "name": org.name,
        "slug": _slug(org.name),
        "customerId": None,
        "authEnforced": False,
        "scimEnabled": False,
        "kmsDefaultKeyId": None,
        "kmsEncryptedDataKey": None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def workspace_doc(project: Project) -> dict[str, Any]:
    stamp = iso(project.created_at)
    return {
        "_id": project.id,
        "id": project.id,
        "name": project.name,
        "slug": project.slug,
        "autoCapitalization": project.auto_capitalization,
        "organization": project.organization.id,
        "orgId": project.organization.id,
        "environments": [
            {"_id": env.id, "id": env.id, "name": env.name, "slug": env.slug}
            for env in project.environments_by_slug.values()
        ],
        "version": 1 if project.e2ee else 3,
        "upgradeStatus": None,
        "pitVersionLimit": 10,
        "kmsCertificateKeyId": None,
        "auditLogsRetentionDays": None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }


def project_membership_doc(membership: Membership) -> dict[str, Any]:
    stamp = iso(membership.created_at)
    return {
        "_id": membership.id,
        "id": membership.id,
        "user": user_with_public_key(membership.user),
        "userId": membership.user.id,
        "workspace": membership.project.id,
        "projectId": membership.project.id,
        "role": membership.role,
        "roles": [
            {
                "id": membership.id,
                "role": membership.role,
                "customRoleId": None,
                "customRoleSlug": None,
                "isTemporary": False,
                "createdAt": stamp,
                "updatedAt": stamp,
            }
        ],
        "deniedPermissions": [
            {"environmentSlug": env, "ability": ability} for env, ability in sorted(membership.denied)
        ],
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }


def org_membership_doc(membership: OrgMembership) -> dict[str, Any]:
    stamp = iso(membership.created_at)
    return {
        "_id": membership.id,
        "id": membership.id,
        "user": user_with_public_key(membership.user),
        "organization": membership.organization.id,
        "role": membership.role,
        "status": membership.status,
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }
