"""Which row locks a checkout waits for, on PostgreSQL: a promo code limited in all is counted
under its row lock (tested with five shoppers in test_concurrency.py); a code without such a
limit is not, so shoppers using one campaign code don't queue behind each other."""

import threading

import pytest
from django.db import connection, transaction

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory, stock
from commerce.models import Cart, OrderStatus, PromoUsage
from commerce.services.checkout import order_place
from commerce.tests.factories import PromoCodeFactory, cart_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def checkout_while_the_promo_row_is_locked(shopper):
    """Place the shopper's order while another shopper's checkout of the same code is under
    way: that transaction holds what inserting its order and promo use takes on the code's row
    (FOR KEY SHARE, the foreign keys' check). A checkout that would lock the row for update
    waits for it, and gives up after two seconds (lock_timeout)."""
    promo_id = Cart.objects.get(user=shopper).promo_code_id
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM commerce_promocode WHERE id = %s FOR KEY SHARE", [promo_id]
                )
                held.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        return order_place(
            user=shopper,
            cart=Cart.objects.get(user=shopper),
            email=shopper.email,
            phone="",
            idempotency_key="k",
        )
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def test_a_promo_code_without_a_limit_in_all_is_used_without_waiting_for_its_row():
    variant = VariantFactory()
    stock(variant, 2)
    shopper = UserFactory()
    cart_with(shopper, (variant, 1), promo=PromoCodeFactory(usage_limit=None, per_user_limit=3))

    order = checkout_while_the_promo_row_is_locked(shopper)

    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.discount > 0
    assert PromoUsage.objects.filter(order=order).count() == 1


def test_a_promo_code_limited_in_all_waits_for_its_row():
    from django.db.utils import OperationalError

    variant = VariantFactory()
    stock(variant, 2)
    shopper = UserFactory()
    cart_with(shopper, (variant, 1), promo=PromoCodeFactory(usage_limit=100))

    with pytest.raises(OperationalError, match="lock timeout"):
        checkout_while_the_promo_row_is_locked(shopper)
    assert not PromoUsage.objects.exists()
