"""``/api/v2/users/me…``: the calling user, for API keys."""

from __future__ import annotations

from typing import Any

from .documents import organization_doc, user_doc
from .routing import API_KEY, JWT, Arg, Call, RouteTable
from .state import User

_routes = RouteTable()

_USER_MODES = (JWT, API_KEY)


def _protected(call: Call, user: User) -> dict[str, str]:
    """The password-protected private key fields, made once per user under a throwaway key."""
    if user.protected_private_key:
        return user.protected_private_key
    import secrets

    from ..crypto import encrypt_symmetric, generate_project_key

    sealed = encrypt_symmetric(user.private_key, generate_project_key())
    protected = encrypt_symmetric(generate_project_key(), generate_project_key())
    return call.state.protect_private_key(
        user,
        {
            "salt": secrets.token_hex(16),
            "encryptedPrivateKey": sealed.ciphertext,
            "iv": sealed.iv,
            "tag": sealed.tag,
            "protectedKey": protected.ciphertext,
            "protectedKeyIV": protected.iv,
            "protectedKeyTag": protected.tag,
        },
    )


def me_doc(call: Call, user: User) -> dict[str, Any]:
    doc = user_doc(user)
    doc["isMfaEnabled"] = user.is_mfa_enabled
    doc.update(publicKey=user.public_key, encryptionVersion=2, **_protected(call, user))
    doc.update(
        userId=user.id,
        username=user.email,
        superAdmin=False,
        isAccepted=True,
        isGhost=False,
        isEmailVerified=True,
        isLocked=False,
        temporaryLockDateEnd=None,
        consecutiveFailedMfaAttempts=0,
        consecutiveFailedPasswordAttempts=0,
        clientPublicKey=None,
        serverPrivateKey=None,
        verifier=None,
    )
    return call.profile.shaped("user", doc)


def _me(call: Call) -> User:
    assert call.principal is not None and call.principal.user is not None
    return call.principal.user


@_routes.route("GET", "/api/v2/users/me", _USER_MODES)
def get_me(call: Call) -> dict[str, Any]:
    return {"user": me_doc(call, _me(call))}


@_routes.route("GET", "/api/v2/users/me/organizations", _USER_MODES)
def my_organizations(call: Call) -> dict[str, Any]:
    user = _me(call)
    organizations = [o for o in call.state.organizations.values() if user.id in o.members]
    return {"organizations": [call.profile.shaped("organization", organization_doc(o)) for o in organizations]}


@_routes.route(
    "PATCH",
    "/api/v2/users/me/name",
    _USER_MODES,
    [Arg("firstName", "body"), Arg("lastName", "body", required=False, default="")],
)
def rename_me(call: Call) -> dict[str, Any]:
    user = _me(call)
    user.first_name, user.last_name = call.args["firstName"], call.args["lastName"]
    return {"user": me_doc(call, user)}


@_routes.route("PATCH", "/api/v2/users/me/mfa", _USER_MODES, [Arg("isMfaEnabled", "body", type=bool)])
def set_mfa(call: Call) -> dict[str, Any]:
    user = _me(call)
    call.state.set_mfa(user, call.args["isMfaEnabled"])
    return {"user": me_doc(call, user)}


_routes.session_only("GET", "/api/v2/users/me/api-keys")
_routes.session_only("POST", "/api/v2/users/me/api-keys")
_routes.session_only("DELETE", "/api/v2/users/me/api-keys/:apiKeyDataId")
_routes.session_only("GET", "/api/v2/users/me/sessions")
_routes.session_only("DELETE", "/api/v2/users/me/sessions")

ROUTES = _routes.freeze()
