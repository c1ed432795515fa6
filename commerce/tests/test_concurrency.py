"""Races on PostgreSQL: buyers on the last codes, one-use promo codes, the browser's verify
meeting the webhook, double-sent checkouts, the expiry sweep meeting a capture, operators and
refund senders acting at once, and the lock order between checkout, capture and refunds.
Whoever wins, codes go out once, money moves once and the ledger stays sound."""

import json
import time
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog import inventory
from catalog.models import VoucherCode, VoucherStatus
from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds
from commerce.errors import CartInvalid, OutOfStock, PromoInvalid
from commerce.gateways import DevGateway, gateway
from commerce.models import (
    Cart,
    CartLine,
    DevGatewayPayment,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentStatus,
    PromoUsage,
    Refund,
    RefundStatus,
)
from commerce.services import payments, refunds
from commerce.services.cart import cart_line_set
from commerce.services.checkout import order_place
from commerce.services.order_payable import order_expire
from commerce.tasks import send_pending_refunds, send_refund
from commerce.tests.factories import PromoCodeFactory, cart_with, wallet_credit
from commerce.tests.payables import CLOSED, PAID, PAYABLES
from coupzii.core.money import from_paise
from coupzii.tests.races import failures, race, successes
from wallet import ledger
from wallet.models import AccountKind, Transaction
from wallet.tests.factories import operator

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
AVAILABLE, HELD = AccountKind.AVAILABLE, AccountKind.HELD
V = VoucherStatus


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def place(user, key="k1") -> Order:
    user = fresh(user)  # each thread its own copies, as each request would have
    return order_place(
        user=user,
        cart=Cart.objects.get(user=user),
        email=user.email,
        phone="",
        idempotency_key=key,
    )


def verify(order, dev) -> Order:
    return payments.payment_verify(
        user=fresh(order.user),
        gateway_order_id=dev.callback["razorpay_order_id"],
        payment_id=dev.callback["razorpay_payment_id"],
        signature=dev.callback["razorpay_signature"],
    )


def webhook(dev):
    return payments.webhook_receive(
        body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
    )


def paid_on_gateway(order):
    return gateway().pay(gateway_order_id=order.payments.get().gateway_order_id, succeed=True)


def codes_by_status(variant) -> dict[str, int]:
    counts = dict.fromkeys(V.values, 0)
    for status in VoucherCode.objects.filter(variant=variant).values_list("status", flat=True):
        counts[status] += 1
    return counts


@pytest.fixture
def slow_locks(monkeypatch):
    """Every ledger lock round holds its locks a moment longer: the interleavings a busy
    server produces now and then, produced every time."""
    locked = ledger.accounts_lock

    def slow(pks):
        accounts = locked(pks)
        time.sleep(0.3)
        return accounts

    monkeypatch.setattr(ledger, "accounts_lock", slow)


# --- Stock ------------------------------------------------------------------------------------


def test_thirty_buyers_racing_for_ten_codes_get_exactly_ten_each_delivered_once():
    # given ten codes and thirty shoppers with one in their cart
    variant = VariantFactory()
    stock(variant, 10)
    buyers = [UserFactory() for _ in range(30)]
    for buyer in buyers:
        cart_with(buyer, (variant, 1))

    def buy(buyer):
        order = place(buyer)
        verify(order, paid_on_gateway(order))
        order.refresh_from_db()
        return order

    # when
    results = race([lambda buyer=buyer: buy(buyer) for buyer in buyers])

    # then ten delivered orders, twenty refusals naming the line, every code once
    won = successes(results)
    assert len(won) == 10
    assert {order.status for order in won} == {OrderStatus.FULFILLED}
    lost = failures(results)
    assert len(lost) == 20
    for refusal in lost:
        # OutOfStock when the codes were taken while this checkout ran (SKIP LOCKED);
        # CartInvalid when they were gone before it priced the cart
        assert isinstance(refusal, OutOfStock | CartInvalid)
        assert list(refusal.fields) == [f"lines.{variant.sku}"]
    assert codes_by_status(variant) == {V.AVAILABLE: 0, V.RESERVED: 0, V.DELIVERED: 10, V.VOID: 0}
    lines = list(
        VoucherCode.objects.filter(variant=variant).values_list("order_line_id", flat=True)
    )
    assert len(set(lines)) == 10
    assert set(lines) == {order.lines.get().pk for order in won}
    assert Order.objects.count() == 10
    assert ledger.platform_balance(ledger_kinds.SALES) == D("4900.00")
    assert ledger.ledger_problems() == []


# --- Promo codes -------------------------------------------------------------------------------


def test_a_promo_limited_to_one_use_tried_by_five_checkouts_at_once_is_used_once():
    variant = VariantFactory()
    stock(variant, 5)
    promo = PromoCodeFactory(usage_limit=1, per_user_limit=1)
    shoppers = [UserFactory() for _ in range(5)]
    for shopper in shoppers:
        cart_with(shopper, (variant, 1), promo=promo)

    results = race([lambda shopper=shopper: place(shopper) for shopper in shoppers])

    assert len(successes(results)) == 1
    assert successes(results)[0].discount == D("49.00")
    for refusal in failures(results):
        assert isinstance(refusal, CartInvalid | PromoInvalid)
        assert list(refusal.fields) == ["promo_code"]
    assert PromoUsage.objects.filter(promo=promo).count() == 1
    assert Order.objects.count() == 1
    assert codes_by_status(variant)[V.RESERVED] == 1


# --- One payment, two reports -----------------------------------------------------------------


def test_verify_and_webhook_fired_together_credit_once():
    for _ in range(4):  # a few rounds: either may win
        # given a pending order of two codes, paid on the gateway
        shopper = UserFactory()
        variant = VariantFactory()
        stock(variant, 2)
        cart_with(shopper, (variant, 2))
        order = place(shopper)
        dev = paid_on_gateway(order)
        mail.outbox.clear()

        # when the browser's report and the webhook arrive at the same moment
        results = race([lambda o=order, d=dev: verify(o, d), lambda d=dev: webhook(d)])

        # then
        assert failures(results) == []
        order.refresh_from_db()
        assert order.status == OrderStatus.FULFILLED
        assert OrderEvent.objects.filter(order=order, status=OrderStatus.FULFILLED).count() == 1
        assert (
            Transaction.objects.filter(
                kind=ledger_kinds.ORDER_PAYMENT, reference_id=order.number
            ).count()
            == 1
        )
        assert codes_by_status(variant)[V.DELIVERED] == 2
        assert not order.refunds.exists()
        assert [m for m in mail.outbox if order.number in m.subject].__len__() == 1
    assert ledger.platform_balance(ledger_kinds.SALES) == D("3920.00")
    assert ledger.ledger_problems() == []


def test_one_idempotency_key_sent_five_times_at_once_places_one_order():
    shopper = UserFactory()
    wallet_credit(shopper, "100.00")
    variant = VariantFactory()
    stock(variant, 5)
    cart_with(shopper, (variant, 2), use_wallet=True)

    results = race([lambda: place(shopper, key="double-tap") for _ in range(5)])

    assert failures(results) == []
    assert len({order.pk for order in results}) == 1
    assert Order.objects.count() == 1
    assert codes_by_status(variant)[V.RESERVED] == 2
    assert ledger.balances(shopper)[HELD] == D("100.00")
    assert ledger.ledger_problems() == []


def test_the_expiry_sweep_racing_a_capture_either_delivers_or_cancels_and_refunds(monkeypatch):
    # the sweep asks the gateway before cancelling; here the gateway has not yet seen the
    # payment that the webhook is bringing, which is the race that matters
    monkeypatch.setattr(DevGateway, "order_payments", lambda self, gateway_order_id: [])
    outcomes = set()
    # (the sweep's wait, the webhook's wait): at once, or one of them a moment ahead, so
    # both endings are seen
    for expire_wait, capture_wait in [(0, 0), (0.2, 0), (0, 0.2)] * 2:
        # given an overdue order with a wallet share and a promo, paid just at the deadline
        shopper = UserFactory()
        wallet_credit(shopper, "100.00")
        variant = VariantFactory()
        stock(variant, 1)
        promo = PromoCodeFactory()
        cart_with(shopper, (variant, 1), promo=promo, use_wallet=True)
        order = place(shopper)
        Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - timedelta(seconds=1))
        dev = paid_on_gateway(order)

        # when
        def expire(order=order, wait=expire_wait):
            time.sleep(wait)
            return order_expire(order=Order.objects.get(pk=order.pk))

        def capture(dev=dev, wait=capture_wait):
            time.sleep(wait)
            return webhook(dev)

        results = race([expire, capture])

        # then it is one or the other, never both, and the money followed
        assert failures(results) == []
        order.refresh_from_db()
        outcomes.add(order.status)
        balances = ledger.balances(shopper)
        captures = Transaction.objects.filter(
            kind=ledger_kinds.ORDER_PAYMENT, reference_id=order.number
        )
        assert captures.count() == 1
        if order.status == OrderStatus.FULFILLED:
            assert not order.refunds.exists()
            assert codes_by_status(variant)[V.DELIVERED] == 1
            assert (balances[AVAILABLE], balances[HELD]) == (D("0.00"), D("0.00"))
            assert PromoUsage.objects.get(order=order).released_at is None
        else:
            assert order.status == OrderStatus.CANCELLED
            refund = order.refunds.get()
            assert refund.gateway_amount == order.gateway_amount == D("341.00")
            assert refund.status == RefundStatus.PROCESSED
            assert codes_by_status(variant)[V.AVAILABLE] == 1
            assert (balances[AVAILABLE], balances[HELD]) == (D("100.00"), D("0.00"))
            assert PromoUsage.objects.get(order=order).released_at is not None
            assert not Transaction.objects.filter(
                kind=ledger_kinds.ORDER_FULFILLED, reference_id=order.number
            ).exists()
    assert outcomes == {OrderStatus.FULFILLED, OrderStatus.CANCELLED}
    assert ledger.ledger_problems() == []


# --- Refunds -----------------------------------------------------------------------------------


def _delivered_order_of_two_lines(shopper):
    first, second = VariantFactory(), VariantFactory()
    stock(first, 1)
    stock(second, 1)
    cart_with(shopper, (first, 1), (second, 1))
    order = place(shopper)
    verify(order, paid_on_gateway(order))
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    return order


def test_two_operators_refunding_the_same_lines_at_once_refund_once():
    shopper = UserFactory()
    order = _delivered_order_of_two_lines(shopper)
    lines = [order.lines.first().pk]
    staff = [operator() for _ in range(2)]

    results = race(
        [
            lambda who=who: refunds.order_refund_lines(
                order=Order.objects.get(pk=order.pk),
                line_ids=lines,
                operator=who,
                reason="Unused, the brand confirmed",
            )
            for who in staff
        ]
    )

    assert len(successes(results)) == 1
    assert "lines" in failures(results)[0].fields
    assert Refund.objects.count() == 1
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.FULFILLED, D("490.00"))
    assert sum(r["amount"] for r in DevGatewayPayment.objects.get().refunds) == 49000
    assert VoucherCode.objects.filter(status=V.VOID).count() == 1
    assert ledger.ledger_problems() == []


def test_a_refund_sent_by_its_task_and_the_sweep_at_once_reaches_the_gateway_once(monkeypatch):
    # given a pending partial refund whose task has not run yet
    shopper = UserFactory()
    order = _delivered_order_of_two_lines(shopper)
    monkeypatch.setattr(refunds, "_send_refund", lambda refund_pk: None)
    refund = refunds.order_refund_lines(
        order=order, line_ids=[order.lines.first().pk], operator=operator(), reason="Unused"
    )
    monkeypatch.undo()
    # the gateway takes a moment to list a payment's refunds, as Razorpay's API does
    listed = DevGateway.refunds_of

    def slow_list(self, payment_id):
        found = listed(self, payment_id)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(DevGateway, "refunds_of", slow_list)

    # when the task and the beat sweep both pick it up
    results = race([lambda: send_refund(refund_id=refund.pk), send_pending_refunds])

    # then the gateway holds one refund of ₹490
    assert failures(results) == []
    sent = DevGatewayPayment.objects.get().refunds
    assert [r["amount"] for r in sent] == [49000]
    refund.refresh_from_db()
    assert refund.gateway_refund_id == sent[0]["id"]
    assert refund.status == RefundStatus.PROCESSED


# --- Lock order --------------------------------------------------------------------------------


def test_a_wallet_only_checkout_and_a_capture_for_the_same_shopper_do_not_deadlock(slow_locks):
    # given the shop's accounts older than the shopper's (as they are on a live site), an
    # order paid ₹100 by wallet and ₹390 on the gateway, and a second one the wallet covers
    for kind in (ledger_kinds.GATEWAY, ledger_kinds.ESCROW, ledger_kinds.SALES):
        ledger.platform_account(kind)
    shopper = UserFactory()
    wallet_credit(shopper, "100.00")
    first, second = VariantFactory(), VariantFactory()
    stock(first, 1)
    stock(second, 1)
    cart_with(shopper, (first, 1), use_wallet=True)
    paid_online = place(shopper, key="first")
    assert paid_online.gateway_amount == D("390.00")
    dev = paid_on_gateway(paid_online)
    wallet_credit(shopper, "600.00")
    cart_with(shopper, (second, 1), use_wallet=True)

    # when the capture of the first arrives as the second is placed
    results = race([lambda: verify(paid_online, dev), lambda: place(shopper, key="second")])

    # then both went through
    assert failures(results) == []
    assert {order.status for order in Order.objects.all()} == {OrderStatus.FULFILLED}
    balances = ledger.balances(shopper)
    assert (balances[AVAILABLE], balances[HELD]) == (D("110.00"), D("0.00"))
    assert ledger.ledger_problems() == []


def test_a_capture_and_a_refund_of_other_orders_do_not_deadlock(slow_locks):
    # given a sales account older than the gateway's (the first order was paid by wallet)
    ledger.platform_account(ledger_kinds.SALES)
    buyer, refunded = UserFactory(), UserFactory()
    delivered = _delivered_order_of_two_lines(refunded)
    variant = VariantFactory()
    stock(variant, 1)
    cart_with(buyer, (variant, 1))
    pending = place(buyer)
    dev = paid_on_gateway(pending)
    staff = operator()

    def refund_later():
        time.sleep(0.1)  # the capture takes its first locks first
        return refunds.order_refund_lines(
            order=delivered,
            line_ids=[line.pk for line in delivered.lines.all()],
            operator=staff,
            reason="Unused",
        )

    # when
    results = race([lambda: verify(pending, dev), refund_later])

    # then
    assert failures(results) == []
    pending.refresh_from_db()
    delivered.refresh_from_db()
    assert (pending.status, delivered.status) == (OrderStatus.FULFILLED, OrderStatus.REFUNDED)
    assert ledger.ledger_problems() == []


# --- The cart ----------------------------------------------------------------------------------


def test_a_card_added_in_another_tab_while_the_order_is_placed_stays_in_the_cart(monkeypatch):
    # given a checkout that takes a moment between reading the cart and emptying it
    shopper = UserFactory()
    bought, added = VariantFactory(), VariantFactory()
    stock(bought, 1)
    cart_with(shopper, (bought, 1))
    reserve = inventory.voucher_codes_reserve

    def slow_reserve(**kwargs):
        got = reserve(**kwargs)
        time.sleep(0.5)
        return got

    monkeypatch.setattr(inventory, "voucher_codes_reserve", slow_reserve)

    def add_meanwhile():
        time.sleep(0.2)
        return cart_line_set(cart=Cart.objects.get(user=shopper), sku=added.sku, quantity=1)

    # when another tab adds a card in that moment
    results = race([lambda: place(shopper), add_meanwhile])

    # then the order has what the cart held, and the new card waits in the cart
    assert failures(results) == []
    order = results[0]
    assert [line.variant_id for line in order.lines.all()] == [bought.pk]
    assert list(CartLine.objects.values_list("variant_id", flat=True)) == [added.pk]


# --- The payment path, for any payable ---------------------------------------------------------


def _verify_any(adapter, payable, dev):
    return payments.payment_verify(
        user=User.objects.get(pk=adapter.payments(payable).first().user_id),
        gateway_order_id=dev.callback["razorpay_order_id"],
        payment_id=dev.callback["razorpay_payment_id"],
        signature=dev.callback["razorpay_signature"],
    )


def _pay_any(adapter, payable, *, succeed=True):
    return gateway().pay(gateway_order_id=adapter.gateway_order_id(payable), succeed=succeed)


def _captures_kept(adapter, payable) -> int:
    return adapter.payments(payable).filter(status=PaymentStatus.CAPTURED).count()


def _refunds_of(adapter, payable):
    return Refund.objects.filter(payable_kind=adapter.kind, payable_ref=str(payable.pk))


def _books_agree(adapter) -> None:
    assert ledger.platform_balance(adapter.escrow) == adapter.in_escrow()
    for dev_payment in DevGatewayPayment.objects.all():
        ours = Refund.objects.filter(payment__gateway_payment_id=dev_payment.gateway_payment_id)
        sent = sum(r["amount"] for r in dev_payment.refunds)
        assert sent == sum(int(r.gateway_amount * 100) for r in ours)
    assert ledger.ledger_problems() == []


@pytest.mark.parametrize("adapter", PAYABLES, ids=lambda adapter: adapter.kind)
def test_any_payables_verify_and_webhook_fired_together_capture_once(adapter):
    for _ in range(3):  # a few rounds: either may win
        payable = adapter.open(UserFactory())
        dev = _pay_any(adapter, payable)

        results = race(
            [lambda p=payable, d=dev: _verify_any(adapter, p, d), lambda d=dev: webhook(d)]
        )

        assert failures(results) == []
        assert adapter.state(payable) == PAID
        assert _captures_kept(adapter, payable) == 1
        assert not _refunds_of(adapter, payable).exists()
    _books_agree(adapter)


@pytest.mark.parametrize("adapter", PAYABLES, ids=lambda adapter: adapter.kind)
def test_any_payables_expiry_racing_a_capture_pays_it_or_closes_it_and_refunds(
    adapter, monkeypatch
):
    # the sweep asks the gateway first; here the gateway has not yet seen the payment the
    # webhook is bringing, which is the race that matters
    monkeypatch.setattr(DevGateway, "order_payments", lambda self, gateway_order_id: [])
    outcomes = set()
    for expire_wait, capture_wait in [(0, 0), (0.2, 0), (0, 0.2)]:
        payable = adapter.open(UserFactory())
        adapter.overdue(payable)
        dev = _pay_any(adapter, payable)

        def expire(payable=payable, wait=expire_wait):
            time.sleep(wait)
            return payments.payable_expire(kind=adapter.kind, payable=adapter.fresh(payable))

        def capture(dev=dev, wait=capture_wait):
            time.sleep(wait)
            return webhook(dev)

        results = race([expire, capture])

        assert failures(results) == []
        state = adapter.state(payable)
        outcomes.add(state)
        refunds_made = _refunds_of(adapter, payable)
        if state == PAID:
            assert _captures_kept(adapter, payable) == 1
            assert not refunds_made.exists()
        else:
            assert state == CLOSED
            # the capture that came too late went back in full
            refund = refunds_made.get()
            assert refund.gateway_amount == refund.amount == from_paise(dev_amount(dev))
            assert refund.status == RefundStatus.PROCESSED
            assert _captures_kept(adapter, payable) == 0
    assert outcomes == {PAID, CLOSED}
    _books_agree(adapter)


@pytest.mark.parametrize("adapter", PAYABLES, ids=lambda adapter: adapter.kind)
def test_any_payables_failure_and_capture_reported_at_once_end_paid_or_closed_and_refunded(
    adapter,
):
    # a first attempt failed and a second one on the same gateway order went through; their
    # webhooks arrive together
    for _ in range(3):
        payable = adapter.open(UserFactory())
        failed = _pay_any(adapter, payable, succeed=False)
        captured = _pay_any(adapter, payable)

        results = race([lambda d=failed: webhook(d), lambda d=captured: webhook(d)])

        assert failures(results) == []
        if adapter.state(payable) == PAID:
            assert not _refunds_of(adapter, payable).exists()
        else:
            assert adapter.state(payable) == CLOSED
            assert _refunds_of(adapter, payable).get().gateway_amount == from_paise(
                dev_amount(captured)
            )
        assert _captures_kept(adapter, payable) == (adapter.state(payable) == PAID)
    _books_agree(adapter)


@pytest.mark.parametrize("adapter", PAYABLES, ids=lambda adapter: adapter.kind)
def test_two_late_captures_each_reported_twice_at_once_are_each_refunded_once(adapter):
    # given a closed payable, then two payments on its gateway order
    payable = adapter.open(UserFactory())
    webhook(_pay_any(adapter, payable, succeed=False))
    assert adapter.state(payable) == CLOSED
    first, second = _pay_any(adapter, payable), _pay_any(adapter, payable)

    # when each is reported by the browser and by the webhook, all at once
    results = race(
        [
            lambda: _verify_any(adapter, payable, first),
            lambda: webhook(first),
            lambda: _verify_any(adapter, payable, second),
            lambda: webhook(second),
        ]
    )

    # then each went back once, in full
    assert failures(results) == []
    assert adapter.state(payable) == CLOSED
    refunded = _refunds_of(adapter, payable)
    assert refunded.count() == 2
    assert {r.payment.gateway_payment_id for r in refunded} == {
        dev.callback["razorpay_payment_id"] for dev in (first, second)
    }
    assert _captures_kept(adapter, payable) == 0
    _books_agree(adapter)


def dev_amount(dev) -> int:
    """The paise a dev payment was made for."""
    return json.loads(dev.webhook_body)["payload"]["payment"]["entity"]["amount"]
