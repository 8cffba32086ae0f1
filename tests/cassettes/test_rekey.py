"""Re-keying against a live upstream: issued credentials, undecryptable material, keep=, determinism."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from pytest_infisical import crypto
from pytest_infisical.cassettes import CassettePlayer, Recorder, load
from pytest_infisical.cassettes.rekey import RealCredentials
from pytest_infisical.cassettes.scan import scan_paths
from pytest_infisical.credential_headers import jwt_claims
from pytest_infisical.credentials import ApiKey, MachineIdentity, ServiceAccount, ServiceToken
from pytest_infisical.transports.responses import RequestsTransport

from .conftest import upstream

SECRETS = {"DB_PASSWORD": ("real-password-1234", "real comment here"), "OTHER": ("real-other-5678", "")}


def test_a_token_the_service_account_creates_is_issued_fixture_material_and_replays(tmp_path: Path) -> None:
    """The account creates a service token, then uses it with its key part: all re-keyed, all replayed."""
    path = tmp_path / "c.json"

    def flow(session: requests.Session, url: str, account: ServiceAccount, workspace: str) -> dict[str, Any]:
        me = session.get(f"{url}/api/v2/service-accounts/me", headers=account.headers).json()["serviceAccount"]
        record = session.get(f"{url}/api/v2/service-accounts/{me['_id']}/keys", headers=account.headers).json()
        key = crypto.unwrap_project_key_for_service_account(
            record["serviceAccountKeys"][0], account.public_key, account.private_key
        )
        token_key = crypto.generate_project_key()
        wrapped = crypto.wrap_project_key_for_service_token(key, token_key)
        created = session.post(
            f"{url}/api/v2/service-token",
            headers=account.headers,
            json={
                "name": "ci",
                "workspaceId": workspace,
                "scopes": [{"environment": "dev", "secretPath": "/"}],
                "encryptedKey": wrapped.ciphertext,
                "iv": wrapped.iv,
                "tag": wrapped.tag,
                "permissions": ["read"],
            },
        ).json()
        token = ServiceToken.parse(f"{created['serviceToken']}.{token_key}")
        full = {"Authorization": f"Bearer {token.token}"}  # today's SDKs send all four parts
        doc = session.get(f"{url}/api/v2/service-token", headers=full).json()
        project_key = crypto.unwrap_project_key_for_service_token(doc, token)
        listed = session.get(
            f"{url}/api/v3/secrets", params={"workspaceId": workspace, "environment": "dev"}, headers=full
        )
        return {
            "same key": project_key == key,
            "secrets": dict(crypto.decrypt_secrets(listed.json(), project_key=project_key)),
        }

    with upstream("service_account", SECRETS) as up:
        recorder = Recorder(up.url, up.real, keep=["DB_PASSWORD"])
        with RequestsTransport(recorder, [up.url]):
            live = flow(requests.Session(), up.url, up.credential, up.workspace)
        recorder.save(path)
        issued = [e for _, e in recorder.exchanges if b"serviceToken" in e.body]
        real_issued = issued[0].json()["serviceToken"]
    assert live == {"same key": True, "secrets": {"DB_PASSWORD": "real-password-1234", "OTHER": "real-other-5678"}}
    cassette = load(path)
    assert any(i.startswith("st.") for i in cassette.fixture.issued)
    assert real_issued not in path.read_text()
    player = CassettePlayer(cassette)
    with RequestsTransport(player, [player.url]):
        replayed = flow(requests.Session(), player.url, player.service_account, up.workspace)  # type: ignore[arg-type]
    assert replayed == {
        "same key": True,
        "secrets": {"DB_PASSWORD": "real-password-1234", "OTHER": "placeholder:OTHER"},
    }
    assert scan_paths([path], values=["real-other-5678", real_issued, up.fake.project.key], environ={}) == []


def test_a_wrapped_key_no_recorded_credential_opens_is_replaced(tmp_path: Path) -> None:
    """The API key's user key (password-protected) cannot be unwrapped: fixture material takes its place."""
    path = tmp_path / "c.json"
    with upstream("api_key", SECRETS) as up:
        recorder = Recorder(up.url, up.real)
        with RequestsTransport(recorder, [up.url]):
            real = requests.get(
                f"{up.url}/api/v2/workspace/{up.workspace}/encrypted-key", headers=up.credential.headers
            ).json()
        recorder.save(path)
    stored = load(path).interactions[0].response.body.value
    assert set(stored) == set(real)
    assert stored["encryptedKey"] != real["encryptedKey"] and stored["nonce"] != real["nonce"]
    assert real["encryptedKey"] not in path.read_text()


def test_access_tokens_are_issued_fixture_jwts_that_never_expire_on_replay(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    with upstream("machine_identity", SECRETS) as up:
        recorder = Recorder(up.url, up.real)
        with RequestsTransport(recorder, [up.url]):
            login = requests.post(f"{up.url}/api/v1/auth/universal-auth/login", json=up.credential.login_body).json()
            renewed = requests.post(
                f"{up.url}/api/v1/auth/token/renew", json={"accessToken": login["accessToken"]}
            ).json()
        recorder.save(path)
    assert renewed["accessToken"] == login["accessToken"]
    cassette = load(path)
    (fixture_jwt,) = cassette.fixture.issued
    assert cassette.interactions[0].response.body.value["accessToken"] == fixture_jwt
    assert cassette.interactions[1].request.body.value == {"accessToken": fixture_jwt}
    claims = jwt_claims(fixture_jwt)
    assert claims is not None
    assert claims["exp"] == 4102444800
    assert claims["authTokenType"] == "identityAccessToken"
    assert login["accessToken"] not in path.read_text()


def test_re_recording_gives_the_same_fixture_credentials(tmp_path: Path) -> None:
    token = ServiceToken.generate()
    identity = MachineIdentity("2f1e0d9c-8b7a-4654-3210-fedcba987654", "c" * 64)
    first = Recorder("http://127.0.0.1:9", RealCredentials(service_token=token, machine_identity=identity))
    second = Recorder("http://127.0.0.1:9/api/", RealCredentials(service_token=token, machine_identity=identity))
    from pytest_infisical.cassettes.rekey import rekey

    a = rekey(first.exchanges, first.credentials).cassette.fixture
    b = rekey(second.exchanges, second.credentials).cassette.fixture
    assert a == b
    fixture = ServiceToken.parse(a.credentials["service_token"])
    assert fixture.id == token.id and fixture.secret != token.secret and fixture.key != token.key
    assert a.credentials["machine_identity"]["client_id"] != identity.client_id
    assert first.url == second.url == "http://127.0.0.1:9"


def test_real_credentials_from_the_environment_and_a_redacted_repr() -> None:
    token, key = ServiceToken.generate(), ApiKey.generate()
    env = {
        "INFISICAL_TOKEN": token.token,
        "INFISICAL_API_KEY": key.value,
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": "id",
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": "secret",
    }
    real = RealCredentials.from_env(env)
    assert real.service_token == token and real.api_key == key
    assert real.machine_identity == MachineIdentity("id", "secret")
    assert real.service_account is None
    assert repr(real) == "RealCredentials(service_token, api_key, machine_identity; redacted)"
    assert RealCredentials.from_env({}) == RealCredentials()
