"""Two copies of one API request sent at once, on PostgreSQL: the service decides "placed now"
or "already placed" under the shopper's lock, so one answers 201 and the other 200 with the
same order, and only one order is made."""

import contextlib

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory, stock
from commerce.models import Order, Payment
from commerce.tests.factories import cart_with
from coupzii.tests.races import race, race_behind
from wallet import ledger
from wallet.models import AccountKind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CHECKOUT = "/api/v1/checkout/orders/"


def post_checkout(user_pk: int, key: str):
    def send():
        client = APIClient()  # each request its own client and user, as two taps would be
        client.force_authenticate(User.objects.get(pk=user_pk))
        return client.post(CHECKOUT, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    return send


@contextlib.contextmanager
def shoppers_lock(user):
    """The lock checkout takes first (the shopper's available account), held meanwhile."""
    with transaction.atomic():
        accounts = ledger.user_accounts(user)
        ledger.accounts_lock({accounts[AccountKind.AVAILABLE].pk})
        yield


def assert_one_created_one_repeated(responses):
    assert sorted(r.status_code for r in responses) == [200, 201]
    first, second = (r.json() for r in responses)
    assert first == second
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert first["number"] == Order.objects.get().number


def test_two_copies_of_a_checkout_queued_on_the_shoppers_lock_get_201_and_200_alike():
    # given a cart, and both requests already past their parsing and waiting on the lock
    user = UserFactory()
    variant = VariantFactory()
    stock(variant, 3)
    cart_with(user, (variant, 1))

    responses = race_behind(
        lambda: shoppers_lock(user), [post_checkout(user.pk, "tap-1") for _ in range(2)]
    )

    assert_one_created_one_repeated(responses)


def test_two_copies_of_a_checkout_sent_at_once_get_201_and_200_alike():
    user = UserFactory()
    variant = VariantFactory()
    stock(variant, 3)
    cart_with(user, (variant, 2))

    responses = race([post_checkout(user.pk, "tap-1") for _ in range(2)])

    assert_one_created_one_repeated(responses)
