"""Tests of the billing service: Infisical is the fake, Stripe is mocked with ``responses``.

The fake answers every request to Infisical and ``responses`` every other one, whichever started
first: the decorator (started after the ``infisical`` fixture) and the fixture (started before it)
behave alike, and neither sees the other's requests.
"""

import pytest
import requests
import responses
from billing import STRIPE_URL, Billing, BillingError, Charge
from responses import matchers

pytestmark = pytest.mark.infisical(secrets={"prod": {"/": {"STRIPE_API_KEY": "sk_test_123"}}})

CHARGES = f"{STRIPE_URL}/v1/charges"


@pytest.fixture
def billing(infisical, infisical_machine_identity):
    return Billing(
        infisical.url,
        infisical_machine_identity.client_id,
        infisical_machine_identity.client_secret,
        infisical.project.id,
    )


@pytest.fixture
def stripe():
    with responses.RequestsMock() as mock:
        yield mock


@responses.activate
def test_charges_with_the_key_from_infisical(infisical, billing):
    responses.post(
        CHARGES,
        match=[
            matchers.header_matcher({"Authorization": "Bearer sk_test_123"}),
            matchers.urlencoded_params_matcher({"customer": "cus_1", "amount": "1250", "currency": "eur"}),
        ],
        json={"id": "ch_1", "amount": 1250, "currency": "eur"},
    )
    assert billing.charge("cus_1", 1250) == Charge("ch_1", 1250, "eur")
    assert len(responses.calls) == 1  # Stripe only: Infisical's calls are the fake's
    infisical.assert_called("GET", "/api/v3/secrets/raw/:secretName", auth="machine_identity", times=1)


def test_reads_the_key_once(infisical, billing, stripe):
    stripe.post(CHARGES, json={"id": "ch_1", "amount": 1, "currency": "eur"})
    stripe.post(CHARGES, json={"id": "ch_2", "amount": 2, "currency": "eur"})
    assert [billing.charge("cus_1", n).id for n in (1, 2)] == ["ch_1", "ch_2"]
    infisical.assert_called("POST", "/api/v1/auth/universal-auth/login", times=1)


def test_a_declined_card(stripe, billing):
    stripe.post(CHARGES, status=402, json={"error": {"message": "Your card was declined."}})
    with pytest.raises(BillingError, match=r"Stripe refused the charge: Your card was declined\."):
        billing.charge("cus_1", 1250)


@responses.activate
def test_infisical_down_means_no_charge(infisical, billing):
    infisical.fail_next("GET", "/api/v3/secrets/raw/:secretName", status=503)
    with pytest.raises(BillingError, match=r"cannot read STRIPE_API_KEY from Infisical \(503\)"):
        billing.charge("cus_1", 1250)
    assert len(responses.calls) == 0  # Stripe was never called


@pytest.mark.infisical(secrets={"dev": {"/": {"STRIPE_API_KEY": "sk_test_dev"}}})
def test_a_key_missing_in_prod(billing, stripe):
    with pytest.raises(BillingError, match=r"cannot read STRIPE_API_KEY from Infisical \(404\)"):
        billing.charge("cus_1", 1250)


@responses.activate
def test_an_unmocked_api_is_refused_by_responses(billing):
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        billing.charge("cus_1", 1250)
