"""The admin API of ``serve`` (``/_fake/…``): every call, every error, and the 401 without the token.

Most tests call ``AdminApi.handle`` directly (the wrapper is a handler; transports add nothing);
the last ones run ``python -m pytest_infisical serve`` itself.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import pytest
import requests

from pytest_infisical.__main__ import credentials
from pytest_infisical.admin import _ROUTES, AdminApi, Baseline
from pytest_infisical.faults import ConnectionFault, TimeoutFault
from pytest_infisical.http import Request, Response
from pytest_infisical.redact import fingerprint
from pytest_infisical.seed import DEMO_SEED

from .serving import Served, start, stop

TOKEN = "admin-token-for-tests"
URL = "http://127.0.0.1:9"


class Admin:
    """An ``AdminApi`` around the demo seed, with the credentials serve prints."""

    def __init__(self, profile: str = "latest") -> None:
        self.baseline = Baseline(DEMO_SEED, profile=profile)
        self.printed = credentials(self.baseline, URL)
        self.api = AdminApi(self.baseline, token=TOKEN)

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: Optional[str] = TOKEN,
        headers: Optional[dict[str, str]] = None,
        raw: Optional[bytes] = None,
    ) -> Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return self.api.handle(Request(method, URL + path, headers=sent, body=data))

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        response = self(method, path, body)
        assert response.status == 200, response.text
        return response.json()

    def bad(self, method: str, path: str, body: Any = None, status: int = 400) -> str:
        response = self(method, path, body)
        assert response.status == status, response.text
        assert response.json()["statusCode"] == status
        return str(response.json()["message"])

    def api_call(self, method: str, path: str, headers: dict[str, str], body: Any = None) -> Response:
        data = json.dumps(body).encode() if body is not None else b""
        return self.api.handle(Request(method, URL + path, headers=headers, body=data))

    def raw_secrets(self, headers: dict[str, str], environment: str = "dev") -> Response:
        query = f"?workspaceId={self.printed['project_id']}&environment={environment}"
        return self.api_call("GET", "/api/v3/secrets/raw" + query, headers)

    def login(self, identity: dict[str, str]) -> Response:
        """Universal Auth login of a machine identity, as printed (``client_id``, ``client_secret``)."""
        body = {"clientId": identity["client_id"], "clientSecret": identity["client_secret"]}
        return self.api_call("POST", "/api/v1/auth/universal-auth/login", {"Content-Type": "application/json"}, body)

    @property
    def api_key(self) -> dict[str, str]:
        return {"X-API-KEY": str(self.printed["api_key"])}

    @property
    def token(self) -> dict[str, str]:
        """The printed service token's header: read and write everywhere, served on every profile."""
        return {"Authorization": f"Bearer {self.printed['service_token']}"}


@pytest.fixture
def admin() -> Admin:
    return Admin()


@pytest.fixture
def admin_2023() -> Admin:
    """serve --profile 2023: the era whose server still took API keys and service accounts."""
    return Admin("2023")


# ---- who may call it ------------------------------------------------------------------------

ADMIN_CALLS = sorted((m, "/_fake" + p.replace(":name", "DB_PASSWORD")) for m, p in _ROUTES)


def test_the_routes_are_the_documented_ones() -> None:
    assert ADMIN_CALLS == [
        ("DELETE", "/_fake/calls"),
        ("DELETE", "/_fake/faults"),
        ("DELETE", "/_fake/rate-limit"),
        ("DELETE", "/_fake/secrets/DB_PASSWORD"),
        ("GET", "/_fake/calls"),
        ("GET", "/_fake/credentials"),
        ("GET", "/_fake/faults"),
        ("GET", "/_fake/projects"),
        ("GET", "/_fake/secrets"),
        ("GET", "/_fake/unrouted"),
        ("POST", "/_fake/clock/advance"),
        ("POST", "/_fake/credentials"),
        ("POST", "/_fake/faults"),
        ("POST", "/_fake/folders"),
        ("POST", "/_fake/imports"),
        ("POST", "/_fake/projects"),
        ("POST", "/_fake/rate-limit"),
        ("POST", "/_fake/reset"),
        ("POST", "/_fake/revoke"),
        ("PUT", "/_fake/secrets"),
    ]


@pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Cookie": f"pytest_infisical_admin={TOKEN}"},  # the page's cookie is for the page only
    ],
    ids=["none", "wrong", "basic", "longer", "cookie"],
)
def test_every_admin_call_needs_the_admin_token(admin: Admin, method: str, path: str, headers: dict[str, str]) -> None:
    response = admin(method, path + f"?token={TOKEN}", {}, token=None, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="pytest-infisical admin"'
    assert response.json() == {
        "statusCode": 401,
        "error": "Unauthorized",
        "message": "admin calls need the header 'Authorization: Bearer <admin_token>' "
        "(admin_token is in the JSON line serve printed at startup)",
    }
    assert admin.api.fake.secrets("dev") == {"DB_PASSWORD": "hunter2"}  # nothing happened
    assert len(admin.api.fake.calls) == 0


def test_admin_traffic_is_not_journaled_and_meets_no_fault_or_rate_limit(admin: Admin) -> None:
    admin.ok("POST", "/_fake/faults", {"status": 503})
    admin.ok("POST", "/_fake/rate-limit", {"limit": 1, "window": 60})
    for _ in range(3):
        assert admin.ok("GET", "/_fake/calls") == {"calls": []}
    assert admin.ok("GET", "/_fake/faults")["faults"] == [
        {"fault": "ANY (any path): status 503 (0 used)", "remaining": 1, "hits": 0}
    ]
    assert admin.raw_secrets(admin.token).status == 503  # the fault was waiting for the API
    assert admin.raw_secrets(admin.token).status == 200  # the first call of the window
    assert admin.raw_secrets(admin.token).status == 429
    assert [c["status"] for c in admin.ok("GET", "/_fake/calls")["calls"]] == [503, 200, 429]


def test_unknown_admin_call_and_wrong_method(admin: Admin) -> None:
    message = admin.bad("GET", "/_fake/nope", status=404)
    assert message.startswith(
        "no admin call GET /_fake/nope; the admin API has DELETE /_fake/calls, GET /_fake/calls, POST /_fake/clock/advance, "
    )
    response = admin("GET", "/_fake/reset")
    assert response.status == 405 and response.headers["Allow"] == "POST"
    assert response.json()["message"] == "GET /_fake/reset is not an admin call; use POST"
    one = admin("GET", "/_fake/secrets/DB_PASSWORD")
    assert (one.status, one.headers["Allow"]) == (405, "DELETE")
    page = admin("POST", f"/_fake/?token={TOKEN}")
    assert (page.status, page.headers["Allow"]) == (405, "GET")
    assert page.json()["message"] == "POST /_fake/ is not an admin call; use GET"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"{nope",
            "POST /_fake/projects: the body is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        ),
        (b'["a"]', "POST /_fake/projects: the body must be a JSON object, got a list"),
        (
            b'{"name": "p", "colour": 1}',
            "POST /_fake/projects: unknown field(s) 'colour'; it takes e2ee, environments, name",
        ),
    ],
)
def test_a_body_that_is_not_a_json_object(admin: Admin, raw: bytes, message: str) -> None:
    response = admin("POST", "/_fake/projects", raw=raw)
    assert response.status == 400
    assert response.json()["message"] == message


# ---- reset ------------------------------------------------------------------------------------


def test_reset_returns_to_the_seed_and_the_printed_credentials_stay_valid(admin_2023: Admin) -> None:
    """On 2023, where every printed credential is served: after a reset each works again."""
    admin = admin_2023
    project_id = admin.printed["project_id"]
    admin.ok("PUT", "/_fake/secrets", {"secrets": {"DB_PASSWORD": "changed", "NEW": "1"}})
    other = admin.ok("POST", "/_fake/projects", {"name": "other"})
    made = admin.ok("POST", "/_fake/credentials", {"type": "api_key"})
    admin.ok("POST", "/_fake/revoke", {"api_key": admin.printed["api_key"]})
    assert admin.raw_secrets(admin.api_key).status == 404  # 2023: a revoked key's record is gone
    assert admin.raw_secrets({"X-API-KEY": made["api_key"]}).status == 200
    admin.ok("POST", "/_fake/faults", {"path": "/api/v2/users/me", "status": 500})
    admin.ok("POST", "/_fake/rate-limit", {"limit": 100})
    admin.ok("POST", "/_fake/clock/advance", {"seconds": 10**6})

    assert admin.ok("POST", "/_fake/reset") == {"reset": True, "projects": [project_id]}

    assert admin.ok("GET", "/_fake/calls") == {"calls": []}
    assert admin.ok("GET", "/_fake/faults") == {"faults": []}
    assert admin.ok("GET", "/_fake/secrets")["secrets"] == {"DB_PASSWORD": "hunter2"}
    assert [p["id"] for p in admin.ok("GET", "/_fake/projects")["projects"]] == [project_id]
    assert other["id"] != project_id
    # every printed credential works again, as before; the one made since is gone
    assert admin.raw_secrets(admin.api_key).headers.get("RateLimit-Limit") is None  # no rate limit
    assert admin.raw_secrets(admin.api_key).status == 200
    assert admin.raw_secrets({"X-API-KEY": made["api_key"]}).status == 404
    token = str(admin.printed["service_token"])
    assert admin.raw_secrets({"Authorization": f"Bearer {token.rsplit('.', 1)[0]}"}, "prod").status == 200
    account = admin.printed["service_account"]
    me = admin.api_call("GET", "/api/v2/service-accounts/me", {"Authorization": f"Bearer {account['access_key']}"})
    assert me.json()["serviceAccount"]["publicKey"] == account["public_key"]
    identity = admin.printed["machine_identity"]
    login = admin.login(identity)
    assert login.status == 200
    assert admin.api_call("GET", "/api/v2/users/me", admin.api_key).status == 200  # the fault is gone
    listed = admin.ok("GET", "/_fake/credentials")["credentials"]
    assert [(c["type"], c["revoked"], c["seeded"]) for c in listed] == [
        ("api_key", False, True),
        ("service_token", False, True),
        ("service_account", False, True),
        ("machine_identity", False, True),
    ]


def test_reset_clears_the_clock(admin: Admin) -> None:
    before = admin.api.fake.clock.now()
    admin.ok("POST", "/_fake/clock/advance", {"seconds": 86400})
    admin.ok("POST", "/_fake/reset")
    assert (admin.api.fake.clock.now() - before).total_seconds() < 3600


def test_reset_takes_no_fields(admin: Admin) -> None:
    assert admin.bad("POST", "/_fake/reset", {"hard": True}) == "POST /_fake/reset: unknown field(s) 'hard'; it takes "


def test_what_reset_relies_on_known_ids_and_credential_values() -> None:
    from pytest_infisical.credentials import ApiKey, MachineIdentity, ServiceToken
    from pytest_infisical.fake import FakeInfisical

    fake = FakeInfisical(project_id="0123456789abcdef01234567")
    assert fake.project.id == "0123456789abcdef01234567"
    with pytest.raises(ValueError, match=r"^a project with id '0123456789abcdef01234567' already exists$"):
        fake.create_project("again", id="0123456789abcdef01234567")
    key = ApiKey.generate()
    assert fake.create_api_key(credential=key) == key
    token = ServiceToken.generate()
    assert fake.create_service_token(credential=token) == token
    identity = MachineIdentity("client", "secret")
    made = fake.create_machine_identity(credential=identity)
    assert (made.client_id, made.client_secret) == ("client", "secret") and made.identity_id


# ---- the journal ------------------------------------------------------------------------------


def _identity_bearer(admin: Admin) -> dict[str, str]:
    """The printed machine identity, logged in (the login call is then forgotten)."""
    access_token = admin.login(admin.printed["machine_identity"]).json()["accessToken"]
    admin.ok("DELETE", "/_fake/calls")
    return {"Authorization": f"Bearer {access_token}"}


def _make_calls(admin: Admin) -> str:
    token = str(admin.printed["service_token"]).rsplit(".", 1)[0]
    admin.raw_secrets(_identity_bearer(admin))
    admin.api_call(
        "GET",
        f"/api/v3/secrets/raw/DB_PASSWORD?workspaceId={admin.printed['project_id']}&environment=dev",
        {"Authorization": f"Bearer {token}"},
    )
    admin.api_call("GET", "/api/v3/secrets/raw/NOPE?environment=dev", {"Authorization": f"Bearer {token}"})
    admin.api_call("GET", "/api/status", {})
    return token


def test_calls_as_json_with_credentials_redacted_as_in_python(admin: Admin) -> None:
    token = _make_calls(admin)
    calls = admin.ok("GET", "/_fake/calls")["calls"]
    python = list(admin.api.fake.calls)
    assert [c["credential"] for c in calls] == [c.credential for c in python]
    assert calls[0]["credential"] == "Bearer eyJh…(redacted)"  # a JWT's first 4 characters
    assert calls[1] == {
        "index": 2,
        "method": "GET",
        "path": "/api/v3/secrets/raw/DB_PASSWORD",
        "target": f"/api/v3/secrets/raw/DB_PASSWORD?workspaceId={admin.printed['project_id']}&environment=dev",
        "query": {"workspaceId": admin.printed["project_id"], "environment": "dev"},
        "route": "GET /api/v3/secrets/raw/:secretName",
        "auth": "service_token",
        "credential_id": token.split(".")[1],
        "credential": f"Bearer st.{token[3:7]}…(redacted)",
        "status": 200,
        "error": None,
        "fault": None,
        "note": None,
        "headers": {"Authorization": f"Bearer st.{token[3:7]}…(redacted)"},
        "body": {},
    }
    text = json.dumps(calls)
    assert admin.printed["api_key"] not in text and token not in text
    assert token.split(".")[2] not in text  # the token's secret part


def test_a_refused_api_key_carries_its_note_in_the_journal(admin: Admin) -> None:
    refused = admin.raw_secrets(admin.api_key)  # printed, and refused by today's server
    assert refused.status == 400
    (call,) = admin.ok("GET", "/_fake/calls")["calls"]
    assert (call["auth"], call["status"]) == ("api_key", 400)
    assert call["note"] == (
        "API keys are retired on today's Infisical (profile 'latest'); "
        'pin @pytest.mark.infisical(profile="2023") or "2024-08" (or serve --profile 2023) to test an API-key integration'
    )


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("", [1, 2, 3, 4]),
        ("?method=get", [1, 2, 3, 4]),
        ("?method=POST", []),
        ("?path=/api/v3/secrets/raw", [1]),
        ("?path=/api/v3/secrets/raw/:secretName", [2, 3]),
        ("?path=/api/v3/secrets/*", [1, 2, 3]),
        ("?auth=service_token", [2, 3]),
        ("?auth=none", [4]),
        ("?auth=machine_identity", [1]),
        ("?status=400", [3]),
        ("?auth=service_token&status=200", [2]),
        ("?limit=2", [3, 4]),
        ("?since=2", [3, 4]),
    ],
)
def test_calls_filters(admin: Admin, query: str, indexes: list[int]) -> None:
    _make_calls(admin)
    assert [c["index"] for c in admin.ok("GET", "/_fake/calls" + query)["calls"]] == indexes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "?auth=jwt",
            "auth must be one of api_key, service_token, service_account, machine_identity or 'none', not 'jwt'",
        ),
        ("?status=ok", "GET /_fake/calls: 'status' must be an integer, got 'ok'"),
        ("?limit=0", "GET /_fake/calls: 'limit' must be at least 1, got 0"),
        (
            "?colour=red",
            "GET /_fake/calls: unknown field(s) 'colour'; it takes auth, limit, method, path, since, status",
        ),
    ],
)
def test_calls_filter_errors(admin: Admin, query: str, message: str) -> None:
    assert admin.bad("GET", "/_fake/calls" + query) == message


def test_delete_calls_clears_the_journal(admin: Admin) -> None:
    _make_calls(admin)
    assert admin.ok("DELETE", "/_fake/calls") == {"calls": []}
    assert admin.ok("GET", "/_fake/calls") == {"calls": []}
    admin.api_call("GET", "/api/status", {})
    assert [c["index"] for c in admin.ok("GET", "/_fake/calls")["calls"]] == [1]


def test_unrouted_lists_requests_no_route_answered_with_hints(admin: Admin) -> None:
    admin.api_call("GET", "/api/v3/secret/raw", admin.token)
    admin.api_call("PUT", "/api/v3/secrets/raw/X", admin.token)
    admin.raw_secrets(admin.token)
    unrouted = admin.ok("GET", "/_fake/unrouted")["calls"]
    assert [(c["method"], c["path"], c["status"]) for c in unrouted] == [
        ("GET", "/api/v3/secret/raw", 404),
        ("PUT", "/api/v3/secrets/raw/X", 404),
    ]
    assert unrouted[0]["hints"][0] == "did you mean GET /api/v3/secrets/raw?"
    assert unrouted[1]["hints"][0] == "this path answers DELETE, GET, PATCH, POST, not PUT"


# ---- secrets, projects, folders, imports ----------------------------------------------------------


def test_secrets_put_get_delete(admin: Admin) -> None:
    put = admin.ok(
        "PUT", "/_fake/secrets", {"environment": "staging", "path": "/app", "secrets": {"A": "1", "B": "two"}}
    )
    assert put == {
        "project": admin.printed["project_id"],
        "environment": "staging",
        "path": "/app",
        "versions": {"A": 1, "B": 1},
    }
    assert admin.ok("PUT", "/_fake/secrets", {"environment": "staging", "path": "/app", "secrets": {"A": "3"}})[
        "versions"
    ] == {"A": 2}
    got = admin.ok("GET", "/_fake/secrets?environment=staging&path=/app")
    assert got["secrets"] == {"A": "3", "B": "two"}
    assert admin.api.fake.secrets("staging", "/app") == {"A": "3", "B": "two"}  # what the API serves
    deleted = admin.ok("DELETE", "/_fake/secrets/B?environment=staging&path=/app")
    assert deleted["deleted"] == "B"
    assert admin.ok("GET", "/_fake/secrets?environment=staging&path=/app")["secrets"] == {"A": "3"}
    assert admin.ok("GET", "/_fake/secrets")["secrets"] == {"DB_PASSWORD": "hunter2"}  # dev / by default
    assert admin.ok("GET", "/_fake/secrets?environment=dev&path=/nowhere")["secrets"] == {}


def test_secrets_in_another_project(admin: Admin) -> None:
    other = admin.ok("POST", "/_fake/projects", {"name": "billing", "environments": ["qa"]})
    admin.ok("PUT", "/_fake/secrets", {"project": other["id"], "environment": "qa", "secrets": {"K": "v"}})
    assert admin.ok("GET", f"/_fake/secrets?project={other['id']}&environment=qa")["secrets"] == {"K": "v"}
    assert admin.ok("GET", "/_fake/secrets")["secrets"] == {"DB_PASSWORD": "hunter2"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"environment": "qa", "secrets": {"A": "1"}},
            "project 'demo' has no environment 'qa'; it has ['dev', 'staging', 'prod']",
        ),
        ({"secrets": {"A": 1}}, "PUT /_fake/secrets: secrets['A'] must be a string, got a number"),
        ({"secrets": {"A": "1", "": "x"}}, "PUT /_fake/secrets: a secret name must be a non-empty string"),
        ({"secrets": ["A"]}, "PUT /_fake/secrets: 'secrets' must be an object of name → value, got a list"),
        ({}, "PUT /_fake/secrets: 'secrets' is required"),
        ({"project": "nope", "secrets": {}}, "PUT /_fake/secrets: unknown project 'nope'; the fake has "),
        ({"path": 3, "secrets": {}}, "PUT /_fake/secrets: 'path' must be a non-empty string, got a number"),
        (
            {"secrets": {}, "value": "x"},
            "PUT /_fake/secrets: unknown field(s) 'value'; it takes environment, path, project, secrets",
        ),
    ],
)
def test_put_secrets_errors(admin: Admin, body: dict[str, Any], message: str) -> None:
    got = admin.bad("PUT", "/_fake/secrets", body)
    assert got.startswith(message)
    assert admin.api.fake.secrets("dev") == {"DB_PASSWORD": "hunter2"}  # nothing was written


def test_a_rejected_value_is_not_echoed(admin: Admin) -> None:
    message = admin.bad("PUT", "/_fake/secrets", {"secrets": {"A": {"password": "hunter3"}}})
    assert "hunter3" not in message and message.endswith("got an object")


def test_secret_errors(admin: Admin) -> None:
    assert (
        admin.bad("DELETE", "/_fake/secrets/NOPE", status=404) == "no shared secret 'NOPE' at dev:/ in project 'demo'"
    )
    assert admin.bad("GET", "/_fake/secrets?environment=qa").startswith("project 'demo' has no environment 'qa'")
    assert admin.bad("GET", "/_fake/secrets?name=A") == (
        "GET /_fake/secrets: unknown field(s) 'name'; it takes environment, path, project"
    )


def test_projects_list_shows_fingerprints_never_values(admin: Admin) -> None:
    projects = admin.ok("GET", "/_fake/projects")["projects"]
    assert projects[0]["id"] == admin.printed["project_id"]
    dev = projects[0]["environments"][0]
    assert dev["slug"] == "dev"
    assert [(f["path"], f["secrets"]) for f in dev["folders"]] == [
        ("/", {"DB_PASSWORD": fingerprint("hunter2")}),
        ("/backend", {"QUEUE_URL": fingerprint("amqp://queue")}),
    ]
    assert "hunter2" not in json.dumps(projects)


def test_create_project(admin: Admin) -> None:
    made = admin.ok("POST", "/_fake/projects", {"name": "shop", "e2ee": True, "environments": ["dev", "prod"]})
    assert re.fullmatch(r"[0-9a-f]{24}", made["id"])
    assert made == {"id": made["id"], "name": "shop", "e2ee": True, "environments": ["dev", "prod"]}
    listed = admin.ok("GET", "/_fake/projects")["projects"]
    assert [p["name"] for p in listed] == ["demo", "shop"]
    assert [e["slug"] for e in listed[1]["environments"]] == ["dev", "prod"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "POST /_fake/projects: 'name' is required"),
        ({"name": ""}, "POST /_fake/projects: 'name' must be a non-empty string, got a string"),
        ({"name": "x", "e2ee": "yes"}, "POST /_fake/projects: 'e2ee' must be true or false, got a string"),
        (
            {"name": "x", "environments": "dev"},
            "POST /_fake/projects: 'environments' must be a list of non-empty strings, got a string",
        ),
        ({"name": "x", "environments": ["dev", "dev"]}, "project 'x' already has an environment 'dev'"),
    ],
)
def test_create_project_errors(admin: Admin, body: dict[str, Any], message: str) -> None:
    assert admin.bad("POST", "/_fake/projects", body) == message


def test_folders_and_imports(admin: Admin) -> None:
    folder = admin.ok("POST", "/_fake/folders", {"environment": "prod", "path": "/a/b"})
    assert folder["path"] == "/a/b" and folder["environment"] == "prod"
    imported = admin.ok(
        "POST", "/_fake/imports", {"environment": "staging", "source_environment": "prod", "source_path": "/"}
    )
    assert imported["source_environment"] == "prod"
    environments = admin.ok("GET", "/_fake/projects")["projects"][0]["environments"]
    prod = next(e for e in environments if e["slug"] == "prod")
    assert [f["path"] for f in prod["folders"]] == ["/", "/a", "/a/b"]
    staging = next(e for e in environments if e["slug"] == "staging")
    assert staging["folders"][0]["imports"] == ["prod:/"]
    # the import is served: staging's list includes prod's secrets
    query = f"?workspaceId={admin.printed['project_id']}&environment=staging&include_imports=true"
    listed = admin.api_call("GET", "/api/v3/secrets/raw" + query, admin.token).json()
    assert [s["secretKey"] for i in listed["imports"] for s in i["secrets"]] == ["DB_PASSWORD"]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/_fake/folders", {}, "POST /_fake/folders: 'path' is required"),
        (
            "/_fake/folders",
            {"environment": "qa", "path": "/x"},
            "project 'demo' has no environment 'qa'; it has ['dev', 'staging', 'prod']",
        ),
        ("/_fake/imports", {}, "POST /_fake/imports: 'source_environment' is required"),
        (
            "/_fake/imports",
            {"source_environment": "qa"},
            "project 'demo' has no environment 'qa'; it has ['dev', 'staging', 'prod']",
        ),
    ],
)
def test_folder_and_import_errors(admin: Admin, path: str, body: dict[str, Any], message: str) -> None:
    assert admin.bad("POST", path, body) == message


# ---- credentials --------------------------------------------------------------------------------


def test_create_each_kind_of_credential_in_the_startup_shape(admin_2023: Admin) -> None:
    admin = admin_2023  # where the API key it makes is served
    made = {
        kind: admin.ok("POST", "/_fake/credentials", {"type": kind})
        for kind in ("api_key", "service_token", "service_account", "machine_identity")
    }
    for kind, body in made.items():
        assert set(body) == {kind, "id"}
        assert type(body[kind]) is type(admin.printed[kind])
        if isinstance(body[kind], dict):
            assert set(body[kind]) == set(admin.printed[kind])
    assert admin.raw_secrets({"X-API-KEY": made["api_key"]["api_key"]}).status == 200
    token = made["service_token"]["service_token"]
    assert token.count(".") == 3 and made["service_token"]["id"] == token.split(".")[1]
    assert admin.raw_secrets({"Authorization": f"Bearer {token}"}).status == 200
    listed = admin.ok("GET", "/_fake/credentials")["credentials"]
    assert [(c["type"], c["seeded"]) for c in listed[4:]] == [
        ("api_key", False),
        ("service_token", False),
        ("service_account", False),
        ("machine_identity", False),
    ]
    text = json.dumps(listed)
    assert token not in text and made["api_key"]["api_key"] not in text
    assert made["machine_identity"]["machine_identity"]["client_secret"] not in text


def test_a_scoped_read_only_service_token(admin: Admin) -> None:
    made = admin.ok(
        "POST",
        "/_fake/credentials",
        {
            "type": "service_token",
            "scopes": [{"environment": "prod", "path": "/"}, ["staging", "/"]],
            "permissions": ["read"],
            "name": "ro",
        },
    )
    bearer = {"Authorization": f"Bearer {made['service_token']}"}
    assert admin.raw_secrets(bearer, "prod").status == 200
    outside = admin.raw_secrets(bearer, "dev")  # a list outside the scope is filtered to nothing, not refused
    assert (outside.status, outside.json()) == (200, {"secrets": [], "imports": []})
    write = admin.api_call(
        "POST",
        "/api/v3/secrets/raw/X",
        {**bearer, "Content-Type": "application/json"},
        {"workspaceId": admin.printed["project_id"], "environment": "prod", "secretValue": "1"},
    )
    assert write.status == 403
    listed = admin.ok("GET", "/_fake/credentials")["credentials"][-1]
    assert (
        listed["scopes"] == [["prod", "/"], ["staging", "/"]]
        and listed["permissions"] == ["read"]
        and listed["name"] == "ro"
    )


def test_a_viewer_machine_identity_with_a_short_ttl(admin: Admin) -> None:
    made = admin.ok(
        "POST", "/_fake/credentials", {"type": "machine_identity", "role": "viewer", "access_token_ttl": 60}
    )
    identity = made["machine_identity"]
    login = admin.login(identity).json()
    assert login["expiresIn"] == 60
    bearer = {"Authorization": f"Bearer {login['accessToken']}"}
    assert admin.raw_secrets(bearer).status == 200
    admin.ok("POST", "/_fake/clock/advance", {"seconds": 61})
    expired = admin.raw_secrets(bearer)
    assert (expired.status, expired.json()["message"]) == (403, "Your token has expired. Please re-authenticate.")


def test_a_service_account_with_grants(admin_2023: Admin) -> None:
    admin = admin_2023  # where service accounts are served
    made = admin.ok("POST", "/_fake/credentials", {"type": "service_account", "permissions": [["prod", True, False]]})
    bearer = {"Authorization": f"Bearer {made['service_account']['access_key']}"}
    keys = admin.api_call("GET", f"/api/v2/service-accounts/{made['id']}/keys", bearer)
    assert keys.status == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "POST /_fake/credentials: 'type' is required"),
        (
            {"type": "password"},
            "POST /_fake/credentials: 'type' must be one of api_key, service_token, service_account, machine_identity",
        ),
        (
            {"type": "service_token", "scopes": "dev"},
            "POST /_fake/credentials: 'scopes' must be a list of [environment, path], got a string",
        ),
        (
            {"type": "service_token", "scopes": [["dev"]]},
            "POST /_fake/credentials: scopes[0] must be [environment, path]",
        ),
        (
            {"type": "service_token", "scopes": [{"environment": "dev", "path": "/", "x": 1}]},
            "POST /_fake/credentials: scopes[0] must be [environment, path]",
        ),
        (
            {"type": "service_token", "scopes": [["qa", "/"]]},
            "project 'demo' has no environment 'qa'; it has ['dev', 'staging', 'prod']",
        ),
        (
            {"type": "service_token", "permissions": ["admin"]},
            "permissions must be a non-empty subset of ('read', 'write'), got ('admin',)",
        ),
        (
            {"type": "service_account", "permissions": [["dev", "yes", True]]},
            "POST /_fake/credentials: permissions[0] must be [environment, read, write]",
        ),
        ({"type": "machine_identity", "role": "owner"}, "role must be 'admin', 'member' or 'viewer', not 'owner'"),
        (
            {"type": "machine_identity", "access_token_ttl": 1.5},
            "POST /_fake/credentials: 'access_token_ttl' must be an integer, got a number",
        ),
        (
            {"type": "api_key", "expires_in": "soon"},
            "POST /_fake/credentials: 'expires_in' must be a finite number, got a string",
        ),
        (
            {"type": "api_key", "role": "admin"},
            "POST /_fake/credentials: unknown field(s) 'role'; it takes expires_in, name, type",
        ),
        (
            {"type": "machine_identity", "project": "nope"},
            "POST /_fake/credentials: unknown project 'nope'; the fake has ",
        ),
    ],
)
def test_create_credential_errors(admin: Admin, body: dict[str, Any], message: str) -> None:
    assert admin.bad("POST", "/_fake/credentials", body).startswith(message)
    assert len(admin.ok("GET", "/_fake/credentials")["credentials"]) == 4


def test_revoke_each_printed_credential_as_printed(admin: Admin) -> None:
    for kind in ("api_key", "service_token", "service_account", "machine_identity"):
        body = admin.ok("POST", "/_fake/revoke", {kind: admin.printed[kind]})
        assert "…(redacted)" in body["revoked"] or kind == "machine_identity"
    # (today's server refuses any API key or service account anyway: their revocation shows on 2023,
    # in test_revoke_a_credential_the_admin_api_did_not_issue and test_revoke_a_service_account_…)
    token = str(admin.printed["service_token"]).rsplit(".", 1)[0]
    refused = admin.raw_secrets({"Authorization": f"Bearer {token}"})
    assert (refused.status, refused.json()["message"]) == (
        404,
        f"Service token with ID '{token.split('.')[1]}' not found",
    )
    identity = admin.printed["machine_identity"]
    login = admin.login(identity)
    assert login.status == 401
    assert all(c["revoked"] for c in admin.ok("GET", "/_fake/credentials")["credentials"])


def test_revoke_a_service_account_by_its_access_key_alone(admin_2023: Admin) -> None:
    admin = admin_2023  # where service accounts are served
    access_key = admin.printed["service_account"]["access_key"]
    admin.ok("POST", "/_fake/revoke", {"service_account": {"access_key": access_key}})
    me = admin.api_call("GET", "/api/v2/service-accounts/me", {"Authorization": f"Bearer {access_key}"})
    assert (me.status, me.json()["message"]) == (404, "Failed to find service account")  # 2023: unknown
    listed = admin.ok("GET", "/_fake/credentials")["credentials"]
    assert [c["type"] for c in listed if c["revoked"]] == ["service_account"]


def test_revoke_a_credential_the_admin_api_did_not_issue(admin_2023: Admin) -> None:
    admin = admin_2023  # where API keys are served
    api_key = admin.api.fake.create_api_key()  # e.g. made by a client, or by Python
    assert admin.raw_secrets(api_key.headers).status == 200
    admin.ok("POST", "/_fake/revoke", {"api_key": api_key.value})
    refused = admin.raw_secrets(api_key.headers)
    assert (refused.status, refused.json()["message"]) == (404, "Failed to find API key data")  # 2023: unknown


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {},
            "POST /_fake/revoke: give exactly one of api_key, service_token, service_account, machine_identity, as serve's startup line or POST /_fake/credentials shows it",
        ),
        ({"api_key": "ak.x", "service_token": "st.y"}, "POST /_fake/revoke: give exactly one of "),
        (
            {"password": "x"},
            "POST /_fake/revoke: unknown field(s) 'password'; it takes api_key, machine_identity, service_account, service_token",
        ),
        (
            {"service_token": "st.0123456789abcdef01234567.0123456789abcdef0123456789abcdef"},
            "service token has 3 dot-separated parts; expected 4",
        ),
        ({"api_key": 42}, "POST /_fake/revoke: 'api_key' must be a string, got a number"),
        ({"service_account": "sa.x"}, "POST /_fake/revoke: 'service_account' must be an object, got a string"),
        ({"machine_identity": {}}, "POST /_fake/revoke: machine_identity.client_id must be a non-empty string"),
    ],
)
def test_revoke_errors(admin: Admin, body: dict[str, Any], message: str) -> None:
    got = admin.bad("POST", "/_fake/revoke", body)
    assert got.startswith(message)
    assert "0123456789abcdef0123456789abcdef" not in got  # a secret part is never echoed


# ---- faults, rate limit, clock ------------------------------------------------------------------


def test_a_status_fault_with_retry_after_then_the_retry_succeeds(admin: Admin) -> None:
    armed = admin.ok(
        "POST", "/_fake/faults", {"method": "GET", "path": "/api/v3/secrets/raw", "status": 429, "retry_after": 7}
    )
    assert armed == {"fault": "GET /api/v3/secrets/raw: status 429 (0 used)", "remaining": 1}
    first = admin.raw_secrets(admin.token)
    assert (first.status, first.headers["Retry-After"]) == (429, "7")
    assert admin.raw_secrets(admin.token).status == 200
    calls = admin.ok("GET", "/_fake/calls")["calls"]
    assert [(c["status"], c["fault"]) for c in calls] == [(429, "status 429"), (200, None)]


def test_a_sequence_a_template_path_times_and_a_query_match(admin: Admin) -> None:
    admin.ok("POST", "/_fake/faults", {"path": "/api/v3/secrets/raw/:name", "sequence": [503, 200, "malformed"]})
    admin.ok(
        "POST",
        "/_fake/faults",
        {"path": "/api/v3/secrets/raw", "status": 500, "times": 2, "query": {"environment": "prod"}},
    )
    one = f"/api/v3/secrets/raw/DB_PASSWORD?workspaceId={admin.printed['project_id']}&environment=dev"
    assert [admin.api_call("GET", one, admin.token).status for _ in range(3)] == [503, 200, 200]
    assert admin.api_call("GET", one, admin.token).json()["secret"]["secretKey"] == "DB_PASSWORD"
    assert admin.raw_secrets(admin.token, "dev").status == 200
    assert [admin.raw_secrets(admin.token, "prod").status for _ in range(3)] == [500, 500, 200]
    faults = [c["fault"] for c in admin.ok("GET", "/_fake/calls")["calls"]]
    assert faults == ["status 503", None, "malformed body", None, None, "status 500", "status 500", None]


def test_transport_faults_and_delay(admin: Admin) -> None:
    whole = admin.raw_secrets(admin.token).body
    admin.ok("POST", "/_fake/faults", {"error": "connection"})
    admin.ok("POST", "/_fake/faults", {"error": "timeout"})
    admin.ok("POST", "/_fake/faults", {"body": "truncated"})
    admin.ok("POST", "/_fake/faults", {"delay": 30})
    with pytest.raises(ConnectionFault):
        admin.raw_secrets(admin.token)
    with pytest.raises(TimeoutFault):
        admin.raw_secrets(admin.token)
    truncated = admin.raw_secrets(admin.token)
    assert truncated.status == 200 and truncated.body == whole[: len(whole) // 2]
    before = admin.api.fake.clock.now()
    assert admin.raw_secrets(admin.token).status == 200  # simulated here; serve really sleeps
    assert (admin.api.fake.clock.now() - before).total_seconds() >= 30


def test_list_and_clear_faults(admin: Admin) -> None:
    admin.ok("POST", "/_fake/faults", {"method": "DELETE", "status": 502, "times": 3})
    assert admin.ok("GET", "/_fake/faults") == {
        "faults": [
            {"fault": "DELETE (any path): status 502, status 502, status 502 (0 used)", "remaining": 3, "hits": 0}
        ]
    }
    assert admin.ok("DELETE", "/_fake/faults") == {"faults": []}
    assert admin.ok("GET", "/_fake/faults") == {"faults": []}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {},
            "fail_next() takes exactly one of status=, sequence=, error=, body= or delay= (got none; body= may also go with status= or sequence=)",
        ),
        (
            {"status": 503, "delay": 1},
            "fail_next() takes exactly one of status=, sequence=, error=, body= or delay= (got status, delay; body= may also go with status= or sequence=)",
        ),
        ({"status": 700}, "a fault status must be 200-599, got 700"),
        (
            {"sequence": [503, "explode"]},
            "unknown fault 'explode'; use a status code or one of connection, timeout, malformed, truncated",
        ),
        (
            {"sequence": 503},
            "POST /_fake/faults: 'sequence' must be a list of status codes and error names, got a number",
        ),
        ({"status": 503, "times": 0}, "times must be at least 1, got 0"),
        ({"delay": -1}, "delay must be positive, got -1.0"),
        ({"status": "503"}, "POST /_fake/faults: 'status' must be an integer, got a string"),
        (
            {"status": 503, "query": {"environment": 1}},
            "POST /_fake/faults: 'query' must be an object of parameter → string value, got an object",
        ),
        (
            {"status": 503, "when": "x"},
            "POST /_fake/faults: unknown field(s) 'when'; it takes body, delay, error, method, path, query, retry_after, sequence, status, times",
        ),
    ],
)
def test_fault_errors_say_what_fail_next_says(admin: Admin, body: dict[str, Any], message: str) -> None:
    assert admin.bad("POST", "/_fake/faults", body) == message
    assert admin.ok("GET", "/_fake/faults") == {"faults": []}


def test_rate_limit(admin: Admin) -> None:
    assert admin.ok("POST", "/_fake/rate-limit", {"limit": 2, "window": 10, "retry_after": 3}) == {
        "limit": 2,
        "window": 10,
    }
    statuses = [admin.raw_secrets(admin.token) for _ in range(3)]
    assert [r.status for r in statuses] == [200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "3"
    admin.ok("POST", "/_fake/clock/advance", {"seconds": 10})
    assert admin.raw_secrets(admin.token).status == 200


def test_rate_limits_off_until_the_next_reset() -> None:
    """Under 2024-08 the server's own limits are on; DELETE turns them (and an armed one) off."""
    admin = Admin("2024-08")
    token = {"Authorization": f"Bearer {admin.printed['service_token']}"}
    assert admin.raw_secrets(token).headers["x-ratelimit-remaining"] == "39"
    admin.ok("POST", "/_fake/rate-limit", {"limit": 1})
    assert admin.ok("DELETE", "/_fake/rate-limit") == {"rate_limits": False}
    answers = [admin.raw_secrets(token) for _ in range(45)]
    assert {a.status for a in answers} == {200}
    assert all("x-ratelimit-remaining" not in a.headers for a in answers)
    admin.ok("POST", "/_fake/reset")
    assert admin.raw_secrets(token).headers["x-ratelimit-remaining"] == "39"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"limit": 0}, "rate limit needs limit >= 1 and window > 0, got 0 per 60 s"),
        ({"limit": 5, "window": 0}, "rate limit needs limit >= 1 and window > 0, got 5 per 0.0 s"),
        ({"limit": "5"}, "POST /_fake/rate-limit: 'limit' must be an integer, got a string"),
    ],
)
def test_rate_limit_errors(admin: Admin, body: dict[str, Any], message: str) -> None:
    assert admin.bad("POST", "/_fake/rate-limit", body) == message


def test_the_clock_expires_a_token(admin: Admin) -> None:
    made = admin.ok("POST", "/_fake/credentials", {"type": "service_token", "expires_in": 60})
    bearer = {"Authorization": f"Bearer {made['service_token']}"}
    assert admin.raw_secrets(bearer).status == 200
    before = admin.api.fake.clock.now()
    now = admin.ok("POST", "/_fake/clock/advance", {"seconds": 61})["now"]
    assert 61 <= (datetime.fromisoformat(now) - before).total_seconds() < 120
    expired = admin.raw_secrets(bearer)
    assert (expired.status, expired.json()["message"]) == (403, "Service token has expired")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "POST /_fake/clock/advance: 'seconds' is required"),
        ({"seconds": "60"}, "POST /_fake/clock/advance: 'seconds' must be a finite number, got a string"),
        ({"seconds": True}, "POST /_fake/clock/advance: 'seconds' must be a finite number, got a boolean"),
    ],
)
def test_clock_errors(admin: Admin, body: dict[str, Any], message: str) -> None:
    assert admin.bad("POST", "/_fake/clock/advance", body) == message


# ---- the page (its browser test is tests/test_admin_page.py) --------------------------------------


def test_the_page_needs_the_token_in_the_query_or_the_cookie(admin: Admin) -> None:
    for path in ("/_fake/", "/_fake", "/_fake/?token=wrong"):
        refused = admin("GET", path, token=None)
        assert refused.status == 401
        assert refused.text.startswith("pytest-infisical admin page: open it as /_fake/?token=<admin_token>")
    assert admin("GET", "/_fake/", token=None, headers={"Cookie": "pytest_infisical_admin=wrong"}).status == 401
    page = admin("GET", f"/_fake/?token={TOKEN}", token=None)
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Set-Cookie"] == f"pytest_infisical_admin={TOKEN}; Path=/_fake; HttpOnly; SameSite=Strict"
    again = admin("GET", "/_fake/", token=None, headers={"Cookie": f"other=1; pytest_infisical_admin={TOKEN}"})
    assert again.status == 200


def test_the_page_has_a_strict_content_security_policy(admin: Admin) -> None:
    page = admin("GET", f"/_fake/?token={TOKEN}", token=None)
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'nonce-([\w-]+)'", csp)
    assert nonce is not None
    assert csp.startswith("default-src 'none'; ")
    assert "connect-src 'self'" in csp and "unsafe" not in csp
    assert page.text.count(f'nonce="{nonce.group(1)}"') == 2  # the one style and the one script
    assert "<script src" not in page.text and "http://" not in page.text and "https://" not in page.text
    assert ".innerHTML" not in page.text  # text nodes only
    second = admin("GET", f"/_fake/?token={TOKEN}", token=None)
    assert second.headers["Content-Security-Policy"] != csp  # a fresh nonce per response


# ---- serve itself ---------------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    served = start(tmp_path)
    yield served
    if served.process.poll() is None:
        stop(served)


def test_serve_prints_a_random_admin_token(served: Served, tmp_path: Path) -> None:
    token = str(served.credentials["admin_token"])
    assert len(token) >= 40
    assert json.loads((tmp_path / "credentials.json").read_text())["admin_token"] == token
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(served.url + "/_fake/calls", headers=headers).json() == {"calls": []}
    assert requests.get(served.url + "/_fake/calls").status_code == 401
    other = start(tmp_path / "other")
    try:
        assert other.credentials["admin_token"] != token
    finally:
        stop(other)


def test_serve_resets_over_http_and_the_printed_credentials_stay_valid(served: Served) -> None:
    c = served.credentials
    session = requests.Session()
    admin = {"Authorization": f"Bearer {c['admin_token']}"}
    raw = served.url + "/api/v3/secrets/raw"
    query = {"workspaceId": c["project_id"], "environment": "dev"}
    token = {"Authorization": f"Bearer {c['service_token']}"}
    session.put(served.url + "/_fake/secrets", headers=admin, json={"secrets": {"DB_PASSWORD": "x"}})
    assert session.get(raw, headers=token, params=query).json()["secrets"][0]["secretValue"] == "x"
    session.post(served.url + "/_fake/faults", headers=admin, json={"error": "connection"})
    with pytest.raises(requests.ConnectionError):
        session.get(raw, headers=token, params=query)
    assert session.post(served.url + "/_fake/reset", headers=admin).status_code == 200
    assert session.get(raw, headers=token, params=query).json()["secrets"][0]["secretValue"] == "hunter2"
    calls = session.get(served.url + "/_fake/calls", headers=admin).json()["calls"]
    assert [(c["route"], c["status"]) for c in calls] == [("GET /api/v3/secrets/raw", 200)]


def test_no_admin_turns_the_api_off(tmp_path: Path) -> None:
    served = start(tmp_path, "--no-admin")
    try:
        assert "admin_token" not in served.credentials
        response = requests.get(served.url + "/_fake/calls", headers={"Authorization": "Bearer anything"})
        assert response.status_code == 404
        assert response.json()["message"] == "Route GET:/_fake/calls not found"  # the fake's own unrouted answer
        assert requests.get(served.url + "/_fake/").status_code == 404
    finally:
        stop(served)


def test_help_lists_no_admin() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_infisical", "serve", "--help"], capture_output=True, text=True, timeout=30
    )
    assert "--no-admin" in completed.stdout
    assert "no admin API (/_fake/...): serve only what Infisical serves" in " ".join(completed.stdout.split())
