"""Captures of different orders never queue behind each other (PostgreSQL): the shop's ledger
accounts (gateway, escrow:shop, sales) are platform accounts, posted to by insert and never
locked, so a capture whose transaction is still open holds up no other shopper's."""

from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds
from commerce.gateways import gateway
from commerce.models import Cart, Order, OrderStatus
from commerce.services import payments
from commerce.services.checkout import order_place
from commerce.tests.factories import cart_with
from wallet import ledger
from wallet.tests.held import HeldTransaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _paid_on_gateway(key: str):
    shopper = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    cart_with(shopper, (variant, 1))
    order = order_place(
        user=shopper,
        cart=Cart.objects.get(user=shopper),
        email=shopper.email,
        phone="",
        idempotency_key=key,
    )
    dev = gateway().pay(gateway_order_id=order.payments.get().gateway_order_id, succeed=True)
    return order, dev


def _verify(order: Order, dev):
    return payments.payment_verify(
        user=User.objects.get(pk=order.user_id),  # each thread its own copy, as a request
        gateway_order_id=dev.callback["razorpay_order_id"],
        payment_id=dev.callback["razorpay_payment_id"],
        signature=dev.callback["razorpay_signature"],
    )


def test_a_capture_held_open_does_not_delay_the_capture_of_another_order():
    # given two orders paid on the gateway, and the first one's verify done (captured,
    # posted gateway -> escrow:shop -> sales, codes delivered) but its transaction not yet
    # committed
    first, first_dev = _paid_on_gateway("first")
    second, second_dev = _paid_on_gateway("second")
    held = HeldTransaction(lambda: _verify(first, first_dev))
    assert held.error is None
    assert held.result.status == OrderStatus.FULFILLED

    # when the second order's verify runs, refusing to wait for any lock beyond a moment
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
        captured = _verify(second, second_dev)

    # then it went through while the first was still open, and both count once
    assert captured.status == OrderStatus.FULFILLED
    held.finish(commit=True)
    assert held.error is None
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.FULFILLED}
    total = first.total + second.total
    assert ledger.platform_balance(ledger_kinds.SALES) == total
    assert ledger.platform_balance(ledger_kinds.ESCROW) == D("0.00")
    assert ledger.platform_balance(ledger_kinds.GATEWAY) == -total
    assert ledger.ledger_problems() == []
