"""Checkout through fulfilment on the dev gateway: the services the pages and API call."""

import json
from decimal import Decimal

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from catalog.models import VoucherCode, VoucherStatus
from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds
from commerce.gateways import gateway
from commerce.models import Order, OrderStatus, PaymentStatus, WebhookEvent
from commerce.services import payments
from commerce.services.checkout import order_place
from commerce.services.order_payable import order_expire
from commerce.tests.factories import PromoCodeFactory, cart_with, wallet_credit
from wallet import ledger
from wallet.ledger import ledger_problems
from wallet.models import AccountKind

pytestmark = pytest.mark.django_db


def place(user, cart, key="k1"):
    return order_place(
        user=user, cart=cart, email=user.email, phone="+919812345678", idempotency_key=key
    )


def test_wallet_and_dev_gateway_pay_for_an_order_and_the_codes_are_delivered(
    django_capture_on_commit_callbacks,
):
    # given ₹100 in the wallet, 2 x ₹490 cards and 10% off capped at ₹50
    user = UserFactory()
    wallet_credit(user, "100.00")
    variant = VariantFactory()
    stock(variant, 3)
    promo = PromoCodeFactory(max_discount=Decimal("50.00"))
    cart = cart_with(user, (variant, 2), promo=promo, use_wallet=True)

    # when the order is placed and the dev gateway is paid
    with django_capture_on_commit_callbacks(execute=True):
        order = place(user, cart)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert (order.subtotal, order.discount) == (Decimal("980.00"), Decimal("50.00"))
    assert (order.wallet_amount, order.gateway_amount) == (Decimal("100.00"), Decimal("830.00"))
    assert ledger.balances(user)[AccountKind.HELD] == Decimal("100.00")
    payment = order.payments.get()
    assert payment.amount_paise == 83000
    dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
    with django_capture_on_commit_callbacks(execute=True):
        payments.payment_verify(
            user=user,
            gateway_order_id=dev.callback["razorpay_order_id"],
            payment_id=dev.callback["razorpay_payment_id"],
            signature=dev.callback["razorpay_signature"],
        )
        # and the webhook for the same payment arrives after the browser's report
        payments.webhook_receive(
            body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
        )

    # then the order is delivered once, with two codes, and the money is where it belongs
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert VoucherCode.objects.filter(status=VoucherStatus.DELIVERED).count() == 2
    assert VoucherCode.objects.filter(status=VoucherStatus.AVAILABLE).count() == 1
    assert order.payments.get().status == PaymentStatus.CAPTURED
    balances = ledger.balances(user)
    assert (balances[AccountKind.AVAILABLE], balances[AccountKind.HELD]) == (0, 0)
    assert ledger.platform_balance(ledger_kinds.SALES) == Decimal("930.00")
    assert ledger_problems() == []
    assert WebhookEvent.objects.get().result == "captured"
    assert any("PIN" in m.body and order.number in m.subject for m in mail.outbox)


def test_a_failed_payment_releases_codes_promo_and_wallet(django_capture_on_commit_callbacks):
    user = UserFactory()
    wallet_credit(user, "100.00")
    variant = VariantFactory()
    stock(variant, 1)
    cart = cart_with(user, (variant, 1), promo=PromoCodeFactory(), use_wallet=True)
    order = place(user, cart)
    payment = order.payments.get()

    dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=False)
    with django_capture_on_commit_callbacks(execute=True):
        payments.webhook_receive(
            body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert VoucherCode.objects.get().status == VoucherStatus.AVAILABLE
    assert order.promo_usage.released_at is not None
    assert ledger.balances(user)[AccountKind.AVAILABLE] == Decimal("100.00")
    assert ledger_problems() == []


def test_a_capture_after_cancellation_is_refunded(django_capture_on_commit_callbacks):
    user = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    order = place(user, cart_with(user, (variant, 1)))
    payment = order.payments.get()
    Order.objects.filter(pk=order.pk).update(pay_by=order.created_at)
    # the shopper pays just as the deadline passes; the webhook arrives after the sweep
    dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
    body = json.loads(dev.webhook_body)
    assert body["event"] == "payment.captured"
    from commerce.models import DevGatewayPayment

    DevGatewayPayment.objects.update(status="created")  # not captured yet when the sweep asks
    with django_capture_on_commit_callbacks(execute=True):
        order_expire(order=order)
    DevGatewayPayment.objects.update(status="captured")
    with django_capture_on_commit_callbacks(execute=True):
        payments.webhook_receive(
            body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    refund = order.refunds.get()
    assert refund.gateway_amount == Decimal("490.00")
    assert refund.status == "processed"
    assert ledger_problems() == []
