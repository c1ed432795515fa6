"""The wallet API answers what its OpenAPI schema declares: apps generated from the schema
crash on a null it does not allow."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coupzii.tests.schema import assert_matches_schema
from wallet.services.withdrawals import withdrawal_request
from wallet.tests.factories import confirmed_cashback, verified_kyc

pytestmark = pytest.mark.django_db

TRANSACTIONS = "/api/v1/wallet/transactions/"


def test_statement_lines_are_null_only_where_the_schema_allows_it():
    # given a cashback line (no withdrawal) and a withdrawal line (no cashback)
    shopper = UserFactory()
    verified_kyc(shopper)
    confirmed_cashback(shopper, "300.00")
    withdrawal_request(user=shopper, amount=Decimal("120"), method="upi", idempotency_key="w1")
    api = APIClient()
    api.force_authenticate(shopper)

    # when
    response = api.get(TRANSACTIONS)

    # then
    nulls = {
        name for line in response.json()["results"] for name, value in line.items() if value is None
    }
    assert {"cashback_id", "withdrawal_id"} <= nulls
    assert_matches_schema(response, method="GET", path=TRANSACTIONS)
