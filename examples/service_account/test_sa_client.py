"""Tests of the service-account client against a 2023 server (service accounts were retired later)."""

import pytest
from nacl.exceptions import CryptoError
from sa_client import ServiceAccountClient, ServiceAccountError

from pytest_infisical.assertions import assert_service_account_header

pytestmark = pytest.mark.infisical(profile="2023", e2ee=True, secrets={"dev": {"/": {"SMTP_PASSWORD": "s3cret"}}})


def client_for(infisical, account):
    return ServiceAccountClient(account.access_key, account.public_key, account.private_key, site_url=infisical.url)


def test_unwraps_the_project_key_from_its_key_pair(infisical, infisical_service_account):
    client = client_for(infisical, infisical_service_account)
    assert client.project_key(infisical.project.id) == infisical.project.key
    for call in infisical.calls:
        assert_service_account_header(call, account=infisical_service_account)


def test_reads_and_decrypts_secrets(infisical, infisical_service_account):
    assert client_for(infisical, infisical_service_account).secrets(infisical.project.id, "dev") == {
        "SMTP_PASSWORD": "s3cret"
    }
    assert all(b"s3cret" not in call.response.body for call in infisical.calls)  # only ciphertext on the wire


def test_a_project_the_account_has_no_key_for(infisical, infisical_service_account):
    other = infisical.create_project("other", e2ee=True)
    with pytest.raises(ServiceAccountError, match=f"no key for project {other.id}"):
        client_for(infisical, infisical_service_account).project_key(other.id)


def test_an_environment_not_granted_is_refused(infisical, infisical_service_account):
    # the 2023 server answered permission denials with 401 (and, that year, an empty body)
    with pytest.raises(ServiceAccountError, match=r"^Infisical answered 401 on /api/v3/secrets$"):
        client_for(infisical, infisical_service_account).secrets(infisical.project.id, "prod")


def test_a_wrong_private_key_cannot_open_the_project_key(infisical, infisical_service_account):
    other = infisical.create_service_account()
    client = ServiceAccountClient(
        infisical_service_account.access_key,
        infisical_service_account.public_key,
        other.private_key,
        site_url=infisical.url,
    )
    with pytest.raises(CryptoError):
        client.project_key(infisical.project.id)
