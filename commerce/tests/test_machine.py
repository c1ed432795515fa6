"""The shop as a state machine: hypothesis drives random histories of carts, promo codes,
wallet top-ups, checkouts (retried with their key or not), payments reported by the browser,
the webhook or both, failures, expiry, late captures, replays, stock imports, voided codes,
operator refunds and fulfilment retries through the real services, and after every step
checks that codes, orders and money agree with each other.

Each example runs inside a savepoint its `teardown` rolls back (as the wallet's machine does);
callbacks registered for the commit run at the end of every step, as they would after a real
commit, so refunds reach the dev gateway and codes are mailed.
"""

import contextlib
import json
import os
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import UserFactory
from catalog import inventory
from catalog.models import VoucherCode, VoucherStatus
from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds
from commerce.errors import (
    CartEmpty,
    CartInvalid,
    IdempotencyKeyReused,
    InvalidTransition,
    OutOfStock,
    ProductNotFound,
    PromoInvalid,
)
from commerce.gateways import gateway, sign
from commerce.models import (
    DevGatewayPayment,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    PromoKind,
    PromoUsage,
    Refund,
)
from commerce.payables import payable_handler
from commerce.services import cart as carts
from commerce.services import fulfilment, payments, refunds
from commerce.services.checkout import order_place
from commerce.tasks import expire_unpaid_orders
from commerce.tests.factories import PromoCodeFactory, wallet_credit
from commerce.tests.payables import AWAITING, CLOSED, PAID, PAYABLES, PayableAdapter
from coupzii.core.money import from_paise
from wallet import ledger
from wallet.models import AccountKind
from wallet.tests.factories import operator

pytestmark = pytest.mark.django_db

S = OrderStatus
V = VoucherStatus
ZERO = D("0.00")
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("COMMERCE_MACHINE_EXAMPLES", "10")),
    stateful_step_count=int(os.environ.get("COMMERCE_MACHINE_STEPS", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Multiples of 25 paise (percentages of them too): SQLite keeps decimals as floats, and its
# check constraints compare sums of them exactly (see test_services).
PRICES = (D("490.00"), D("97.50"), D("1000.00"))


def _sum(rows, field) -> D:
    return rows.aggregate(total=Sum(field))["total"] or ZERO


class ShopMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic._from_testcase = True  # durable services may run inside it
        self._atomic.__enter__()
        self.staff = operator()
        self.users = [UserFactory() for _ in range(2)]
        self.variants = [
            VariantFactory(face_value=max(price, D("100.00")), price=price) for price in PRICES
        ]
        for variant in self.variants:
            stock(variant, 3, prefix=f"M{variant.pk}A")
        self.batches = 0
        self.promos = [
            PromoCodeFactory(usage_limit=1, per_user_limit=1),
            PromoCodeFactory(
                kind=PromoKind.FLAT, value=D("50.00"), max_discount=None, per_user_limit=3
            ),
        ]
        self.keys = defaultdict(list)  # user pk -> idempotency keys used
        self.reports = []  # (order pk, dev payment): every payment made, for replays

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _step(self, action):
        """Run a step; what it scheduled for the commit runs after it, as after a commit."""
        with TestCase.captureOnCommitCallbacks(execute=True):
            return action()

    def _orders(self, *statuses) -> list[int]:
        return sorted(Order.objects.filter(status__in=statuses).values_list("pk", flat=True))

    # --- Cart -----------------------------------------------------------------------------

    @rule(user=st.integers(0, 1), variant=st.integers(0, 2), quantity=st.integers(0, 4))
    def set_line(self, user, variant, quantity):
        cart = carts.cart_of_user(self.users[user])
        with contextlib.suppress(CartInvalid, ProductNotFound):
            carts.cart_line_set(cart=cart, sku=self.variants[variant].sku, quantity=quantity)

    @rule(user=st.integers(0, 1), promo=st.none() | st.integers(0, 1))
    def choose_promo(self, user, promo):
        cart = carts.cart_of_user(self.users[user])
        if promo is None:
            carts.cart_promo_remove(cart=cart)
            return
        with contextlib.suppress(PromoInvalid):
            carts.cart_promo_apply(cart=cart, code=self.promos[promo].code, user=self.users[user])

    @rule(user=st.integers(0, 1), use=st.booleans())
    def use_wallet(self, user, use):
        carts.cart_use_wallet(cart=carts.cart_of_user(self.users[user]), use=use)

    @rule(user=st.integers(0, 1), amount=st.sampled_from(["50.00", "300.00", "1200.00"]))
    def top_up_wallet(self, user, amount):
        wallet_credit(self.users[user], amount)

    # --- Checkout and payment --------------------------------------------------------------

    @rule(user=st.integers(0, 1), retry=st.booleans())
    def check_out(self, user, retry):
        shopper = self.users[user]
        keys = self.keys[shopper.pk]
        key = keys[-1] if retry and keys else f"key-{len(keys)}"
        before = Order.objects.filter(user=shopper, idempotency_key=key).first()
        try:
            order = self._step(
                lambda: order_place(
                    user=shopper,
                    cart=carts.cart_of_user(shopper),
                    email=shopper.email,
                    phone="",
                    idempotency_key=key,
                )
            )
        except (CartEmpty, CartInvalid, OutOfStock, PromoInvalid, IdempotencyKeyReused):
            return
        if before is not None:
            assert order.pk == before.pk  # a retry is the first order
            return
        keys.append(key)
        assert order.status in (S.PENDING_PAYMENT, S.FULFILLED)
        assert (order.status == S.FULFILLED) == (order.gateway_amount == 0)

    @rule(
        user=st.integers(0, 1),
        variants=st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True),
        quantity=st.integers(1, 2),
        promo=st.none() | st.integers(0, 1),
        use=st.booleans(),
    )
    def buy(self, user, variants, quantity, promo, use):
        """What most shoppers do: a fresh cart of a card or two, a code maybe, and check out."""
        cart = carts.cart_of_user(self.users[user])
        carts.cart_empty(cart=cart)
        for variant in variants:
            carts.cart_line_set(cart=cart, sku=self.variants[variant].sku, quantity=quantity)
        self.choose_promo(user, promo)
        self.use_wallet(user, use)
        self.check_out(user, retry=False)

    @precondition(lambda self: self._orders(S.PENDING_PAYMENT))
    @rule(data=st.data(), via=st.sampled_from(["verify", "webhook", "both"]))
    def pay(self, data, via):
        order = Order.objects.get(pk=data.draw(st.sampled_from(self._orders(S.PENDING_PAYMENT))))
        dev = gateway().pay(gateway_order_id=order.payments.first().gateway_order_id, succeed=True)
        self.reports.append((order.pk, dev))
        if via in ("verify", "both"):
            self._verify(order, dev)
        if via in ("webhook", "both"):
            self._webhook(dev)
        order.refresh_from_db()
        assert order.status in (S.PAID, S.FULFILLED)

    @precondition(lambda self: self._orders(S.PENDING_PAYMENT))
    @rule(data=st.data())
    def payment_fails(self, data):
        order = Order.objects.get(pk=data.draw(st.sampled_from(self._orders(S.PENDING_PAYMENT))))
        dev = gateway().pay(gateway_order_id=order.payments.first().gateway_order_id, succeed=False)
        self._webhook(dev)
        order.refresh_from_db()
        assert order.status == S.FAILED

    @precondition(lambda self: self._orders(S.PENDING_PAYMENT))
    @rule(data=st.data())
    def deadline_passes(self, data):
        pk = data.draw(st.sampled_from(self._orders(S.PENDING_PAYMENT)))
        Order.objects.filter(pk=pk).update(pay_by=timezone.now() - timedelta(seconds=1))
        self._step(expire_unpaid_orders)
        assert Order.objects.get(pk=pk).status == S.CANCELLED

    @precondition(lambda self: self._orders(S.CANCELLED, S.FAILED))
    @rule(data=st.data())
    def late_capture(self, data):
        order = Order.objects.get(
            pk=data.draw(st.sampled_from(self._orders(S.CANCELLED, S.FAILED)))
        )
        before = order.refunds.count()
        dev = gateway().pay(gateway_order_id=order.payments.first().gateway_order_id, succeed=True)
        self.reports.append((order.pk, dev))
        self._webhook(dev)
        assert order.refunds.count() == before + 1

    def _paid_online(self) -> list[int]:
        paid = Order.objects.filter(status__in=[S.PAID, S.FULFILLED, S.REFUNDED])
        return sorted(paid.filter(gateway_amount__gt=0).values_list("pk", flat=True))

    @precondition(lambda self: self._paid_online())
    @rule(data=st.data())
    def pay_twice(self, data):
        """The shopper pays again on the same gateway order (a second tab): refunded."""
        order = Order.objects.get(pk=data.draw(st.sampled_from(self._paid_online())))
        before = (order.status, order.refunds.count())
        dev = gateway().pay(gateway_order_id=order.payments.first().gateway_order_id, succeed=True)
        self.reports.append((order.pk, dev))
        self._webhook(dev)
        order.refresh_from_db()
        assert (order.status, order.refunds.count()) == (before[0], before[1] + 1)

    @precondition(lambda self: self.reports)
    @rule(data=st.data(), via=st.sampled_from(["verify", "webhook"]))
    def replay(self, data, via):
        pk, dev = data.draw(st.sampled_from(self.reports))
        if via == "verify":
            self._verify(Order.objects.get(pk=pk), dev)
        else:
            self._webhook(dev)

    def _verify(self, order, dev):
        self._step(
            lambda: payments.payment_verify(
                user=order.user,
                gateway_order_id=dev.callback["razorpay_order_id"],
                payment_id=dev.callback["razorpay_payment_id"],
                signature=dev.callback["razorpay_signature"],
            )
        )

    def _webhook(self, dev):
        self._step(
            lambda: payments.webhook_receive(
                body=dev.webhook_body,
                signature=dev.webhook_signature,
                event_id=dev.webhook_event_id,
            )
        )

    # --- Inventory and operators ---------------------------------------------------------

    @rule(variant=st.integers(0, 2), count=st.integers(1, 3))
    def import_codes(self, variant, count):
        self.batches += 1
        stock(self.variants[variant], count, prefix=f"B{self.batches}X")

    @precondition(
        lambda self: VoucherCode.objects.filter(status__in=[V.AVAILABLE, V.RESERVED]).exists()
    )
    @rule(data=st.data())
    def void_a_code(self, data):
        pks = VoucherCode.objects.filter(status__in=[V.AVAILABLE, V.RESERVED]).order_by("pk")
        pk = data.draw(st.sampled_from(list(pks.values_list("pk", flat=True))))
        assert inventory.voucher_codes_void_by_pks(pks=[pk]) == 1

    @precondition(lambda self: self._orders(S.FULFILLED))
    @rule(data=st.data())
    def refund_lines(self, data):
        order = Order.objects.get(pk=data.draw(st.sampled_from(self._orders(S.FULFILLED))))
        open_lines = list(order.lines.filter(refund=None).values_list("pk", flat=True))
        chosen = data.draw(st.lists(st.sampled_from(open_lines), min_size=1, unique=True))
        earlier = Refund.objects.filter(order=order, created_by__isnull=False)
        card_left = order.gateway_amount - _sum(earlier, "gateway_amount")
        refund = self._step(
            lambda: refunds.order_refund_lines(
                order=order, line_ids=chosen, operator=self.staff, reason="Unused"
            )
        )
        lines = OrderLine.objects.filter(pk__in=chosen)
        assert refund.amount == sum((line.net_amount for line in lines), ZERO)
        # the card that paid gets back what it can first, whatever else was refunded
        assert refund.gateway_amount == min(refund.amount, card_left)

    @precondition(lambda self: self._orders(S.PAID))
    @rule(data=st.data())
    def fulfil_again(self, data):
        order = Order.objects.get(pk=data.draw(st.sampled_from(self._orders(S.PAID))))
        try:
            self._step(lambda: fulfilment.order_fulfil_retry(order=order, operator=self.staff))
        except InvalidTransition:
            raise AssertionError("a paid order can always be retried") from None

    # --- What must always hold -------------------------------------------------------------

    @invariant()
    def the_ledger_is_sound(self):
        assert ledger.ledger_problems() == []

    @invariant()
    def wallets_hold_exactly_the_shares_of_open_orders(self):
        for user in self.users:
            open_orders = Order.objects.filter(user=user, status__in=[S.PENDING_PAYMENT, S.PAID])
            assert ledger.balances(user)[AccountKind.HELD] == _sum(open_orders, "wallet_amount")

    @invariant()
    def the_shops_accounts_follow_the_orders(self):
        escrow = ledger.platform_balance(ledger_kinds.ESCROW)
        assert escrow == _sum(Order.objects.filter(status=S.PAID), "gateway_amount")
        sold = Order.objects.filter(status__in=[S.FULFILLED, S.REFUNDED])
        by_operators = Refund.objects.filter(created_by__isnull=False)
        sales = ledger.platform_balance(ledger_kinds.SALES)
        assert sales == _sum(sold, "total") - _sum(by_operators, "amount")
        captured = Payment.objects.filter(
            status__in=[PaymentStatus.CAPTURED, PaymentStatus.REFUNDED]
        )
        paid_in = sum(
            (from_paise(p) for p in captured.values_list("amount_paise", flat=True)), ZERO
        )
        gateway_account = ledger.platform_balance(ledger_kinds.GATEWAY)
        assert gateway_account == _sum(Refund.objects.all(), "gateway_amount") - paid_in

    @invariant()
    def every_card_refund_reached_the_gateway_once(self):
        for dev_payment in DevGatewayPayment.objects.all():
            sent = sum(r["amount"] for r in dev_payment.refunds)
            ours = Refund.objects.filter(payment__gateway_payment_id=dev_payment.gateway_payment_id)
            assert sent == sum(int(r.gateway_amount * 100) for r in ours)
            assert sent <= dev_payment.amount_paise

    @invariant()
    def codes_sit_where_their_orders_say(self):
        lines = {line.pk: line for line in OrderLine.objects.select_related("order")}
        counts = defaultdict(lambda: defaultdict(int))
        for line_id, status in VoucherCode.objects.exclude(order_line_id=None).values_list(
            "order_line_id", "status"
        ):
            counts[line_id][status] += 1
        for line_id, line in lines.items():
            reserved, delivered = counts[line_id][V.RESERVED], counts[line_id][V.DELIVERED]
            status = line.order.status
            assert reserved + delivered <= line.quantity
            if reserved:
                assert status == S.PENDING_PAYMENT
            if line.refund_id:
                assert delivered == 0
            elif status == S.FULFILLED or status == S.REFUNDED:
                assert delivered == line.quantity
            elif status == S.PENDING_PAYMENT:
                assert delivered == 0
            elif status in (S.CANCELLED, S.FAILED):
                assert reserved == delivered == 0

    @invariant()
    def orders_add_up(self):
        for order in Order.objects.prefetch_related("lines"):
            lines = list(order.lines.all())
            assert order.subtotal == sum((line.line_total for line in lines), ZERO)
            assert order.discount == sum((line.discount for line in lines), ZERO)
            refunded = [line for line in lines if line.refund_id]
            assert order.refunded_amount == sum((line.net_amount for line in refunded), ZERO)
            if order.status == S.REFUNDED:
                assert len(refunded) == len(lines)
            elif lines and len(refunded) == len(lines):
                raise AssertionError(f"{order} has every line refunded but is {order.status}")

    @invariant()
    def promo_limits_hold(self):
        for promo in self.promos:
            live = PromoUsage.objects.filter(promo=promo, released_at=None)
            if promo.usage_limit is not None:
                assert live.count() <= promo.usage_limit
            for user in self.users:
                assert live.filter(user=user).count() <= promo.per_user_limit


def test_the_shop_keeps_codes_orders_and_money_in_step_through_random_histories():
    run_state_machine_as_test(ShopMachine, settings=MACHINE_SETTINGS)


# --- The payment path, for any payable ----------------------------------------------------------


class PaymentMachine(RuleBasedStateMachine):
    """The payment path alone, for one kind of payable (`payable`, set per kind below): random
    histories of payables opened, paid by verify, webhook or both in either order, failed,
    failed and then captured, expired by the sweep, captured late or twice, and every report
    and refund report replayed. After every step: each payable keeps at most the one capture
    that paid it, every other capture went back in full exactly once, and the gateway's,
    the escrow's and the dev gateway's books agree."""

    payable: PayableAdapter

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic._from_testcase = True  # durable services may run inside it
        self._atomic.__enter__()
        self.users = [UserFactory() for _ in range(2)]
        self.opened = []  # the payables, in the order they were opened
        self.reports = []  # (payable, dev payment): every payment made, for replays

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _step(self, action):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return action()

    def _in(self, state) -> list:
        return [p for p in self.opened if self.payable.state(p) == state]

    def _pay(self, payable, *, succeed=True):
        dev = gateway().pay(
            gateway_order_id=self.payable.gateway_order_id(payable), succeed=succeed
        )
        if succeed:
            self.reports.append((payable, dev))
        return dev

    def _verify(self, payable, dev):
        payer = self.payable.payments(payable).first().user
        self._step(
            lambda: payments.payment_verify(
                user=payer,
                gateway_order_id=dev.callback["razorpay_order_id"],
                payment_id=dev.callback["razorpay_payment_id"],
                signature=dev.callback["razorpay_signature"],
            )
        )

    def _webhook(self, dev):
        self._step(
            lambda: payments.webhook_receive(
                body=dev.webhook_body,
                signature=dev.webhook_signature,
                event_id=dev.webhook_event_id,
            )
        )

    def _refunds(self, payable) -> int:
        return Refund.objects.filter(
            payable_kind=self.payable.kind, payable_ref=str(payable.pk)
        ).count()

    @rule(user=st.integers(0, 1), price=st.sampled_from(PRICES))
    def open(self, user, price):
        self.opened.append(self._step(lambda: self.payable.open(self.users[user], price=price)))

    @precondition(lambda self: self._in(AWAITING))
    @rule(
        data=st.data(),
        via=st.sampled_from(["verify", "webhook", "verify then webhook", "webhook then verify"]),
    )
    def pay(self, data, via):
        payable = data.draw(st.sampled_from(self._in(AWAITING)))
        dev = self._pay(payable)
        for channel in via.split(" then "):
            if channel == "verify":
                self._verify(payable, dev)
            else:
                self._webhook(dev)
        assert self.payable.state(payable) == PAID
        assert self._refunds(payable) == 0

    @precondition(lambda self: self._in(AWAITING))
    @rule(data=st.data(), then_captured=st.booleans())
    def payment_fails(self, data, then_captured):
        payable = data.draw(st.sampled_from(self._in(AWAITING)))
        self._webhook(self._pay(payable, succeed=False))
        assert self.payable.state(payable) == CLOSED
        if then_captured:  # the shopper tried again on the same gateway order, and it went
            self._webhook(self._pay(payable))
            assert self.payable.state(payable) == CLOSED
            assert self._refunds(payable) == 1

    @precondition(lambda self: self._in(AWAITING))
    @rule(data=st.data())
    def deadline_passes(self, data):
        payable = data.draw(st.sampled_from(self._in(AWAITING)))
        self.payable.overdue(payable)
        self._step(expire_unpaid_orders)
        assert self.payable.state(payable) == CLOSED

    @precondition(lambda self: self._in(CLOSED))
    @rule(data=st.data(), via=st.sampled_from(["verify", "webhook"]))
    def late_capture(self, data, via):
        payable = data.draw(st.sampled_from(self._in(CLOSED)))
        before = self._refunds(payable)
        dev = self._pay(payable)
        self._verify(payable, dev) if via == "verify" else self._webhook(dev)
        assert self.payable.state(payable) == CLOSED
        assert self._refunds(payable) == before + 1

    @precondition(lambda self: self._in(PAID))
    @rule(data=st.data())
    def pay_twice(self, data):
        payable = data.draw(st.sampled_from(self._in(PAID)))
        before = self._refunds(payable)
        self._webhook(self._pay(payable))
        assert self.payable.state(payable) == PAID
        assert self._refunds(payable) == before + 1

    @precondition(lambda self: self.reports)
    @rule(data=st.data(), via=st.sampled_from(["verify", "webhook"]))
    def replay(self, data, via):
        payable, dev = data.draw(st.sampled_from(self.reports))
        before = (self.payable.state(payable), self._refunds(payable))
        self._verify(payable, dev) if via == "verify" else self._webhook(dev)
        assert (self.payable.state(payable), self._refunds(payable)) == before

    @precondition(lambda self: DevGatewayPayment.objects.exclude(refunds=[]).exists())
    @rule(data=st.data())
    def refund_reported(self, data):
        """Razorpay's refund.processed webhook for a refund already processed: nothing."""
        sent = [r for p in DevGatewayPayment.objects.all() for r in p.refunds]
        refund = data.draw(st.sampled_from(sent))
        body = json.dumps(
            {"event": "refund.processed", "payload": {"refund": {"entity": refund}}}
        ).encode()
        event = self._step(
            lambda: payments.webhook_receive(
                body=body,
                signature=sign(body.decode(), gateway().webhook_secret),
                event_id=f"evt_{refund['id']}",
            )
        )
        assert event.result == "refund processed"

    # --- What must always hold -------------------------------------------------------------

    @invariant()
    def the_ledger_is_sound(self):
        assert ledger.ledger_problems() == []

    @invariant()
    def a_payable_keeps_only_the_capture_that_paid_it(self):
        for payable in self.opened:
            rows = self.payable.payments(payable)
            kept = rows.filter(status=PaymentStatus.CAPTURED)
            state = self.payable.state(payable)
            assert kept.count() == (1 if state == PAID else 0)
            if state == PAID:
                charge = payable_handler(self.payable.kind).charge(self.payable.fresh(payable))
                assert from_paise(kept.get().amount_paise) == charge.amount
            for returned in rows.filter(status=PaymentStatus.REFUNDED):
                refund = returned.refunds.get()
                assert refund.gateway_amount == refund.amount == from_paise(returned.amount_paise)
                assert refund.payable_kind == self.payable.kind
                assert refund.payable_ref == str(payable.pk)

    @invariant()
    def the_gateway_and_escrow_accounts_follow_the_payments(self):
        captured = Payment.objects.filter(
            status__in=[PaymentStatus.CAPTURED, PaymentStatus.REFUNDED]
        )
        paid_in = sum(
            (from_paise(p) for p in captured.values_list("amount_paise", flat=True)), ZERO
        )
        sent_back = _sum(Refund.objects.all(), "gateway_amount")
        assert ledger.platform_balance(ledger_kinds.GATEWAY) == sent_back - paid_in
        assert ledger.platform_balance(self.payable.escrow) == self.payable.in_escrow()

    @invariant()
    def every_card_refund_reached_the_gateway_once(self):
        for dev_payment in DevGatewayPayment.objects.all():
            sent = sum(r["amount"] for r in dev_payment.refunds)
            ours = Refund.objects.filter(payment__gateway_payment_id=dev_payment.gateway_payment_id)
            assert sent == sum(int(r.gateway_amount * 100) for r in ours)
            assert sent <= dev_payment.amount_paise


PAYMENT_MACHINE_SETTINGS = settings(
    MACHINE_SETTINGS,
    max_examples=int(os.environ.get("COMMERCE_MACHINE_EXAMPLES", "8")),
    stateful_step_count=int(os.environ.get("COMMERCE_MACHINE_STEPS", "30")),
)


@pytest.mark.parametrize("payable", PAYABLES, ids=lambda payable: payable.kind)
def test_the_payment_path_keeps_any_payable_and_its_money_in_step(payable):
    machine = type(f"{payable.kind.title()}PaymentMachine", (PaymentMachine,), {"payable": payable})
    run_state_machine_as_test(machine, settings=PAYMENT_MACHINE_SETTINGS)
