"""``expandSecretReferences=true``: what a reference may read, where it is looked up, how deep it goes.

Expected values are written from Infisical's reference expansion (``secret-reference-fns.ts``,
``getSecrets``/``getSecretByName`` of the secret service), not from the fake's output: a reference
to a secret the caller may not read refuses the request whether or not that secret exists; one to
a missing secret stays as written; a local ``${KEY}`` is looked up beside the secret that holds it;
a chain is followed 10 references deep (11 substitutions) per pass, and the expanded value is
re-scanned at most 10 more times while substitutions form new references.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.http import Response

from .conftest import call

DENIED = (
    "You do not have permission to read secret '{name}' in environment '{env}' at path '{path}', "
    "which is referenced by secret 'DSN' in environment 'dev' at path '/'."
)
LIST_DENIED = "Failed to expand one or more secret references"


def _get(fake: FakeInfisical, headers: dict[str, str], name: str = "DSN", **query: str) -> Response:
    query = {"workspaceId": fake.project.id, "environment": "dev", "expandSecretReferences": "true", **query}
    return call(fake, "GET", f"/api/v3/secrets/raw/{name}", headers=headers, query=query)


def _list(fake: FakeInfisical, headers: dict[str, str], **query: str) -> Response:
    query = {"workspaceId": fake.project.id, "environment": "dev", "expandSecretReferences": "true", **query}
    return call(fake, "GET", "/api/v3/secrets/raw", headers=headers, query=query)


def _values(response: Response) -> dict[str, Any]:
    assert response.status == 200, response.body
    return {s["secretKey"]: s["secretValue"] for s in response.json()["secrets"]}


def _forbidden(response: Response, status: int, error: str, message: str) -> dict[str, Any]:
    body = response.json()
    assert (response.status, body["error"], body["message"]) == (status, error, message), body
    assert isinstance(body, dict)
    return body


@pytest.fixture
def fake() -> FakeInfisical:
    fake = FakeInfisical()
    fake.set_secret("KEY", "prod-root-value", environment="prod")
    fake.set_secret("KEY", "prod-net-value", environment="prod", path="/net")
    fake.set_secret("KEY", "dev-value")
    return fake


@pytest.mark.parametrize(
    ("reference", "env", "path"),
    [("${prod.KEY}", "prod", "/"), ("${prod.net.KEY}", "prod", "/net"), ("${prod.net.MISSING}", "prod", "/net")],
    ids=["env", "env-folder", "missing-target"],
)
def test_a_dev_token_cannot_read_prod_through_a_reference(
    fake: FakeInfisical, reference: str, env: str, path: str
) -> None:
    """The server checks the caller may read the referenced place before it looks the secret up,
    so even a reference to a missing prod secret is refused (the refusal must not reveal existence)."""
    fake.set_secret("DSN", f"postgres://{reference}/app")
    token = fake.create_service_token(scopes=[("dev", "/")], permissions=["read"])
    name = reference[2:-1].split(".")[-1]
    message = DENIED.format(name=name, env=env, path=path)

    single = _forbidden(_get(fake, token.headers), 403, "ForbiddenError", message)
    assert "prod-" not in single["message"]
    listed = _forbidden(_list(fake, token.headers), 403, "ForbiddenError", LIST_DENIED)
    assert listed["details"] == [message]
    v4 = call(
        fake,
        "GET",
        "/api/v4/secrets",
        headers=token.headers,
        query={"projectId": fake.project.id, "environment": "dev", "expandSecretReferences": "true"},
    )
    _forbidden(v4, 403, "ForbiddenError", LIST_DENIED)


def test_a_list_names_every_refused_reference(fake: FakeInfisical) -> None:
    fake.set_secret("DSN", "${prod.KEY}")
    fake.set_secret("OTHER", "${prod.net.KEY} and ${KEY}")
    token = fake.create_service_token(scopes=[("dev", "/")], permissions=["read"])
    body = _forbidden(_list(fake, token.headers), 403, "ForbiddenError", LIST_DENIED)
    assert sorted(body["details"]) == sorted(
        [
            DENIED.format(name="KEY", env="prod", path="/"),
            DENIED.format(name="KEY", env="prod", path="/net").replace("'DSN'", "'OTHER'"),
        ]
    )


def test_without_expansion_the_reference_is_returned_as_written(fake: FakeInfisical) -> None:
    fake.set_secret("DSN", "${prod.KEY}")
    token = fake.create_service_token(scopes=[("dev", "/")], permissions=["read"])
    assert _values(_list(fake, token.headers, expandSecretReferences="false"))["DSN"] == "${prod.KEY}"
    single = _get(fake, token.headers, expandSecretReferences="false")
    assert (single.status, single.json()["secret"]["secretValue"]) == (200, "${prod.KEY}")


def test_a_hidden_value_is_not_expanded_so_nothing_is_refused(fake: FakeInfisical) -> None:
    fake.set_secret("DSN", "${prod.KEY}")
    token = fake.create_service_token(scopes=[("dev", "/")], permissions=["read"])
    assert _values(_list(fake, token.headers, viewSecretValue="false"))["DSN"] == "<hidden-by-infisical>"


def test_a_path_scope_is_a_reference_scope_too(fake: FakeInfisical) -> None:
    """``dev:/`` does not cover ``dev:/app``; ``prod:/net`` does not cover ``prod:/``."""
    fake.set_secret("INNER", "in-app", path="/app")
    fake.set_secret("DSN", "${dev.app.INNER}")
    token = fake.create_service_token(scopes=[("dev", "/")], permissions=["read"])
    _forbidden(_get(fake, token.headers), 403, "ForbiddenError", DENIED.format(name="INNER", env="dev", path="/app"))
    fake.set_secret("DSN", "${prod.KEY}")
    both = fake.create_service_token(scopes=[("dev", "/"), ("prod", "/net")], permissions=["read"])
    _forbidden(_get(fake, both.headers), 403, "ForbiddenError", DENIED.format(name="KEY", env="prod", path="/"))
    fake.set_secret("DSN", "${prod.net.KEY}")
    assert _get(fake, both.headers).json()["secret"]["secretValue"] == "prod-net-value"


def test_a_token_that_may_read_the_target_gets_it_expanded(fake: FakeInfisical) -> None:
    fake.set_secret("DSN", "a=${prod.KEY} b=${prod.net.KEY} c=${KEY} d=${prod.net.MISSING}")
    token = fake.create_service_token(scopes=[("dev", "/"), ("prod", "/**")], permissions=["read"])
    expected = "a=prod-root-value b=prod-net-value c=dev-value d=${prod.net.MISSING}"
    assert _values(_list(fake, token.headers))["DSN"] == expected
    assert _get(fake, token.headers).json()["secret"]["secretValue"] == expected


def test_an_identity_of_the_project_reads_every_environment(fake: FakeInfisical) -> None:
    from .conftest import login

    fake.set_secret("DSN", "${prod.net.KEY}")
    viewer = {"Authorization": f"Bearer {login(fake, fake.create_machine_identity(role='viewer'))}"}
    assert _get(fake, viewer).json()["secret"]["secretValue"] == "prod-net-value"


def test_the_2023_profile_refuses_with_its_own_status() -> None:
    fake = FakeInfisical(profile="2023")
    fake.set_secret("KEY", "prod-root-value", environment="prod")
    fake.set_secret("DSN", "${prod.KEY}")
    token = fake.create_service_token(scopes=[("dev", "/")], permissions=["read"])
    body = _forbidden(_get(fake, token.headers), 401, "unauthorized", DENIED.format(name="KEY", env="prod", path="/"))
    assert "details" not in body


def test_a_local_reference_is_looked_up_beside_the_secret_that_holds_it(fake: FakeInfisical) -> None:
    """``${KEY}`` inside ``prod:/net/LINK`` means ``prod:/net/KEY``, not the caller's ``dev:/KEY``."""
    fake.set_secret("LINK", "via-${KEY}", environment="prod", path="/net")
    fake.set_secret("DSN", "${prod.net.LINK}")
    fake.set_secret("APP_KEY", "${KEY}", path="/app")
    fake.set_secret("KEY", "app-value", path="/app")
    token = fake.create_service_token(scopes=[("dev", "/**"), ("prod", "/net")], permissions=["read"])
    assert _get(fake, token.headers).json()["secret"]["secretValue"] == "via-prod-net-value"
    deep = _list(fake, token.headers, recursive="true")
    assert {(s["secretPath"], s["secretKey"]): s["secretValue"] for s in deep.json()["secrets"]}[
        ("/app", "APP_KEY")
    ] == "app-value"


def _chain(fake: FakeInfisical, links: int) -> None:
    """``DSN`` → ``S1`` → … → ``S<links>`` = ``end``."""
    fake.set_secret("DSN", "${S1}")
    for i in range(1, links):
        fake.set_secret(f"S{i}", "${S" + str(i + 1) + "}")
    fake.set_secret(f"S{links}", "end")


@pytest.mark.parametrize("links", [2, 11, 12, 121])
def test_a_chain_is_followed_to_its_end(links: int) -> None:
    """One pass follows 11 substitutions; each of the 10 re-scans 11 more: 121 in all."""
    fake = FakeInfisical()
    _chain(fake, links)
    token = fake.create_service_token(permissions=["read"])
    assert _get(fake, token.headers).json()["secret"]["secretValue"] == "end"
    assert _values(_list(fake, token.headers))["DSN"] == "end"


def test_beyond_the_limit_the_next_reference_stays_as_written() -> None:
    fake = FakeInfisical()
    _chain(fake, 122)
    token = fake.create_service_token(permissions=["read"])
    assert _get(fake, token.headers).json()["secret"]["secretValue"] == "${S122}"


def test_a_cycle_stops_where_it_closes() -> None:
    fake = FakeInfisical()
    fake.set_secret("A", "${B}")
    fake.set_secret("B", "${A}")
    fake.set_secret("SELF", "x${SELF}")
    token = fake.create_service_token(permissions=["read"])
    values = _values(_list(fake, token.headers))
    # A: ${B} becomes B's value ${A}; A is already being expanded, so ${A} becomes A's value once
    assert (values["A"], values["B"], values["SELF"]) == ("${B}", "${A}", "xx${SELF}")


def test_skip_multiline_encoding_quotes_an_expanded_multiline_value() -> None:
    fake = FakeInfisical()
    fake.set_secret("PEM", "line1\nline2")
    token = fake.create_service_token(permissions=["read", "write"])
    body = {
        "workspaceId": fake.project.id,
        "environment": "dev",
        "secretValue": "${PEM}",
        "skipMultilineEncoding": True,
    }
    assert call(fake, "POST", "/api/v3/secrets/raw/DSN", headers=token.headers, body=body).status == 200
    assert _get(fake, token.headers).json()["secret"]["secretValue"] == '"line1\\nline2"'
    assert _values(_list(fake, token.headers, expandSecretReferences="false"))["PEM"] == "line1\nline2"


def test_an_imported_secret_is_expanded_beside_its_source_and_a_refusal_leaves_it_as_stored() -> None:
    """The server expands imported secrets one by one and drops the refusals (``Promise.allSettled``):
    the list answers 200, a reference the caller may not read stays as written."""
    fake = FakeInfisical()
    fake.set_secret("KEY", "prod-root-value", environment="prod")
    fake.set_secret("KEY", "staging-value", environment="staging")
    fake.set_secret("LOCAL", "got-${KEY}", environment="staging")
    fake.set_secret("LINK", "${prod.KEY}", environment="staging")
    fake.add_import("staging")
    token = fake.create_service_token(scopes=[("dev", "/"), ("staging", "/")], permissions=["read"])
    response = _list(fake, token.headers, include_imports="true")
    assert response.status == 200, response.body
    (imported,) = response.json()["imports"]
    values = {s["secretKey"]: s["secretValue"] for s in imported["secrets"]}
    assert values == {"KEY": "staging-value", "LOCAL": "got-staging-value", "LINK": "${prod.KEY}"}
    both = fake.create_service_token(scopes=[("dev", "/"), ("staging", "/"), ("prod", "/")], permissions=["read"])
    (imported,) = _list(fake, both.headers, include_imports="true").json()["imports"]
    assert {s["secretKey"]: s["secretValue"] for s in imported["secrets"]}["LINK"] == "prod-root-value"
