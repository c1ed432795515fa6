"""Two copies of one withdrawal request sent at once, on PostgreSQL: the service decides
"opened now" or "already opened" under the user's lock, so one answers 201 and the other 200
with the same withdrawal, and the amount is held once."""

import contextlib
from decimal import Decimal

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from coupzii.tests.races import race, race_behind
from wallet import ledger
from wallet.models import AccountKind, Withdrawal
from wallet.selectors import spendable_balance
from wallet.tests.test_api import funded

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WITHDRAWALS = "/api/v1/wallet/withdrawals/"


def post_withdrawal(user_pk: int, key: str):
    def send():
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_pk))
        return client.post(
            WITHDRAWALS,
            {"method": "upi", "amount": "150.00"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    return send


@contextlib.contextmanager
def users_lock(user):
    """The lock a withdrawal takes first (the user's available account), held meanwhile."""
    with transaction.atomic():
        accounts = ledger.user_accounts(user)
        ledger.accounts_lock({accounts[AccountKind.AVAILABLE].pk})
        yield


def assert_one_created_one_repeated(user, responses):
    assert sorted(r.status_code for r in responses) == [200, 201]
    first, second = (r.json() for r in responses)
    assert first == second
    assert first["id"] == str(Withdrawal.objects.get().public_id)
    assert spendable_balance(User.objects.get(pk=user.pk)) == Decimal("350.00")


def test_two_copies_of_a_withdrawal_queued_on_the_users_lock_get_201_and_200_alike():
    user = UserFactory()
    funded(user, "500.00")

    responses = race_behind(
        lambda: users_lock(user), [post_withdrawal(user.pk, "w-1") for _ in range(2)]
    )

    assert_one_created_one_repeated(user, responses)


def test_two_copies_of_a_withdrawal_sent_at_once_get_201_and_200_alike():
    user = UserFactory()
    funded(user, "500.00")

    responses = race([post_withdrawal(user.pk, "w-1") for _ in range(2)])

    assert_one_created_one_repeated(user, responses)
