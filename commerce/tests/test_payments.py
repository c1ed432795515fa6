"""The payment services with Razorpay configured: the official SDK talks to the loopback
Razorpay, so checkout, verify, webhooks, expiry and refunds run their production code paths.
Reports arrive in any order and more than once; refused ones write nothing."""

import json
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from catalog.models import VoucherCode, VoucherStatus
from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds, tasks
from commerce.errors import GatewayUnavailable, OrderNotFound, PaymentInvalid, WebhookInvalid
from commerce.gateways import gateway
from commerce.models import (
    Cart,
    Gateway,
    Order,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentStatus,
    PromoUsage,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from commerce.services import payments
from commerce.services.checkout import order_place
from commerce.services.refunds import order_refund_lines
from commerce.tests.factories import PromoCodeFactory, cart_with, wallet_credit
from wallet import ledger
from wallet.ledger import ledger_problems
from wallet.models import AccountKind, Posting, Transaction

from .loopback_razorpay import (
    CAPTURE,
    ORDER_PAYMENTS,
    ORDERS,
    PAYMENT,
    REFUND,
    REFUNDS,
    WEBHOOK_SECRET,
    sign,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def ledger_sound_after_each_test():
    # Whatever a test did or refused, the ledger balances when it ends.
    yield
    assert ledger_problems() == []


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """`with commits():` runs what commits schedule (eager tasks: emails, refunds)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def shopper():
    user = UserFactory()
    wallet_credit(user, "100.00")
    return user


def checkout(user, *, quantity=2, use_wallet=True, key="k1", promo=None) -> Order:
    """2 x ₹490 with ₹100 from the wallet: ₹880 (88,000 paise) to pay through Razorpay."""
    variant = VariantFactory()
    stock(variant, 3)
    cart = cart_with(user, (variant, quantity), promo=promo, use_wallet=use_wallet)
    return order_place(
        user=user, cart=cart, email=user.email, phone="+919812345678", idempotency_key=key
    )


def gateway_order_id(order: Order) -> str:
    return order.payments.order_by("pk").first().gateway_order_id


def verify(user, callback: dict) -> Order:
    return payments.payment_verify(
        user=user,
        gateway_order_id=callback["razorpay_order_id"],
        payment_id=callback["razorpay_payment_id"],
        signature=callback["razorpay_signature"],
    )


def deliver(loopback, event: str, entity_id: str, *, event_id: str | None = None):
    body, signature, event_id = loopback.webhook(event, entity_id, event_id=event_id)
    return payments.webhook_receive(body=body, signature=signature, event_id=event_id)


def written() -> dict:
    """Everything a payment report could write, to compare before and after."""
    return {
        "orders": sorted(Order.objects.values_list("pk", "status", "paid_at", "closed_at")),
        "order_events": OrderEvent.objects.count(),
        "payments": sorted(
            Payment.objects.values_list("pk", "status", "gateway_payment_id", "method", "error")
        ),
        "payment_raw": [p.raw for p in Payment.objects.order_by("pk")],
        "refunds": sorted(Refund.objects.values_list("pk", "status", "gateway_refund_id")),
        "webhook_events": sorted(WebhookEvent.objects.values_list("event_id", "result")),
        "transactions": Transaction.objects.count(),
        "postings": Posting.objects.count(),
        "codes": sorted(VoucherCode.objects.values_list("pk", "status", "order_line_id")),
        "promo_uses": sorted(PromoUsage.objects.values_list("pk", "released_at")),
        "notifications": Notification.objects.count(),
        "mails": len(mail.outbox),
    }


def captures() -> int:
    return Transaction.objects.filter(kind=ledger_kinds.ORDER_PAYMENT).count()


def assert_fulfilled(order: Order, *, codes=2) -> None:
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert order.payments.get().status == PaymentStatus.CAPTURED
    delivered = VoucherCode.objects.filter(
        status=VoucherStatus.DELIVERED, order_line_id__in=order.lines.values("pk")
    ).count()
    assert delivered == codes
    assert captures() == 1
    assert ledger_problems() == []


# --- checkout ---------------------------------------------------------------------------------


def test_checkout_opens_a_razorpay_order_for_the_card_share_in_paise(razorpay_loopback, shopper):
    order = checkout(shopper)

    payment = order.payments.get()
    [request] = razorpay_loopback.calls("POST", ORDERS)
    assert request.body["amount"] == 88000 == payment.amount_paise
    assert order.gateway_amount == D("880.00")
    assert (request.body["currency"], request.body["receipt"]) == ("INR", order.number)
    assert payment.gateway == Gateway.RAZORPAY
    assert payment.gateway_order_id in razorpay_loopback.orders
    assert payment.raw[0]["id"] == payment.gateway_order_id
    assert ledger.balances(shopper)[AccountKind.HELD] == D("100.00")
    assert ledger_problems() == []


def test_checkout_rounds_the_card_share_to_whole_paise(razorpay_loopback, shopper):
    promo = PromoCodeFactory(value=D("3.33"), max_discount=D("500.00"))

    order = checkout(shopper, quantity=1, promo=promo, use_wallet=False)

    # 3.33% of ₹490 is ₹16.317: a share in paise, whichever way the discount rounds
    assert order.gateway_amount == D("490.00") - order.discount
    assert order.discount in (D("16.31"), D("16.32"))
    [request] = razorpay_loopback.calls("POST", ORDERS)
    assert request.body["amount"] == int(order.gateway_amount * 100)
    assert request.body["amount"] == order.payments.get().amount_paise


def test_a_fully_wallet_paid_order_never_calls_razorpay(razorpay_loopback):
    user = UserFactory()
    wallet_credit(user, "490.00")

    order = checkout(user, quantity=1)

    assert order.status == OrderStatus.FULFILLED
    assert razorpay_loopback.requests == []
    assert ledger_problems() == []


@pytest.mark.parametrize("fault", ["fail_next", "drop_next", "lose_answer_next"])
def test_gateway_trouble_at_checkout_keeps_nothing(razorpay_loopback, shopper, fault):
    # given Razorpay failing (500), dropping the connection, or making the order and losing
    # the answer
    getattr(razorpay_loopback, fault)(path=ORDERS)

    # when the shopper checks out
    with pytest.raises(GatewayUnavailable):
        checkout(shopper)

    # then no order, the codes still on sale, the wallet not held, the cart as it was
    assert Order.objects.count() == Payment.objects.count() == 0
    assert set(VoucherCode.objects.values_list("status", flat=True)) == {VoucherStatus.AVAILABLE}
    balances = ledger.balances(shopper)
    assert (balances[AccountKind.AVAILABLE], balances[AccountKind.HELD]) == (D("100.00"), 0)
    cart = Cart.objects.get(user=shopper)
    assert (cart.lines.count(), cart.use_wallet) == (1, True)
    assert ledger_problems() == []
    # and the shopper's retry with the same key goes through
    order = order_place(
        user=shopper,
        cart=cart,
        email=shopper.email,
        phone="",
        idempotency_key="k1",
    )
    assert order.payments.get().amount_paise == 88000


# --- verify (the browser's report) ----------------------------------------------------------


def test_verify_with_razorpays_callback_marks_paid_and_delivers(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))

    with commits():
        verified = verify(shopper, callback)

    assert verified.status == OrderStatus.FULFILLED
    assert_fulfilled(order)
    payment = order.payments.get()
    assert (payment.gateway_payment_id, payment.method) == (callback["razorpay_payment_id"], "upi")
    assert [r.status for r in razorpay_loopback.calls("GET", PAYMENT)] == [200]
    assert razorpay_loopback.calls("POST", CAPTURE) == []
    balances = ledger.balances(shopper)
    assert (balances[AccountKind.AVAILABLE], balances[AccountKind.HELD]) == (0, 0)
    assert ledger.platform_balance(ledger_kinds.SALES) == D("980.00")
    assert ledger.platform_balance(ledger_kinds.ESCROW) == 0
    assert any(order.number in m.subject for m in mail.outbox)


def test_verify_with_a_tampered_signature_writes_nothing(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))
    signature = callback["razorpay_signature"]
    callback["razorpay_signature"] = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    before = written()

    with commits(), pytest.raises(PaymentInvalid):
        verify(shopper, callback)

    assert written() == before
    assert razorpay_loopback.calls("GET", PAYMENT) == []  # refused before asking anyone
    assert ledger_problems() == []


def test_verify_of_another_users_gateway_order_writes_nothing(razorpay_loopback, shopper, commits):
    # given the victim's genuine, correctly signed callback in the attacker's hands
    victim_order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(victim_order))
    attacker = UserFactory()
    wallet_credit(attacker, "100.00")
    checkout(attacker, key="k2")
    before = written()

    # when the attacker submits it as theirs
    with commits(), pytest.raises(OrderNotFound):
        verify(attacker, callback)

    # then nothing is written, and the victim's order is still theirs to verify
    assert written() == before
    assert razorpay_loopback.calls("GET", PAYMENT) == []
    with commits():
        verify(shopper, callback)
    assert_fulfilled(victim_order)


@pytest.mark.parametrize("off_by", [+1, -1])
def test_verify_of_a_payment_one_paisa_off_writes_nothing(
    razorpay_loopback, shopper, commits, off_by
):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order), amount_paise=88000 + off_by)
    before = written()

    with commits(), pytest.raises(PaymentInvalid):
        verify(shopper, callback)

    assert written() == before
    assert order.payments.get().status == PaymentStatus.CREATED
    assert ledger_problems() == []


def test_verify_captures_an_authorized_payment(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order), status="authorized")

    with commits():
        verify(shopper, callback)

    [capture] = razorpay_loopback.calls("POST", CAPTURE)
    assert capture.body == {"amount": 88000, "currency": "INR"}
    assert razorpay_loopback.payments[callback["razorpay_payment_id"]]["status"] == "captured"
    assert_fulfilled(order)


def test_verify_of_an_authorized_payment_razorpay_captured_meanwhile_is_one_capture(
    razorpay_loopback, shopper, commits, monkeypatch
):
    # given auto-capture happening between our fetch and our capture
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order), status="authorized")
    payment_id = callback["razorpay_payment_id"]
    adapter = gateway()
    fetch = adapter.payment_fetch

    def fetch_then_autocapture(pid):
        reported = fetch(pid)
        if reported.status == "authorized":
            razorpay_loopback.capture(pid)
        return reported

    monkeypatch.setattr(adapter, "payment_fetch", fetch_then_autocapture)

    with commits():
        verify(shopper, callback)

    assert razorpay_loopback.payments[payment_id]["status"] == "captured"
    assert_fulfilled(order)


def test_verify_when_the_capture_fails_writes_nothing_and_a_retry_succeeds(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order), status="authorized")
    razorpay_loopback.fail_next(path=CAPTURE)
    before = written()

    with commits(), pytest.raises(GatewayUnavailable):
        verify(shopper, callback)
    assert written() == before

    with commits():
        verify(shopper, callback)
    assert_fulfilled(order)


def test_verify_when_the_gateway_is_down_writes_nothing(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))
    razorpay_loopback.drop_next(path=PAYMENT)
    before = written()

    with commits(), pytest.raises(GatewayUnavailable):
        verify(shopper, callback)

    assert written() == before


def test_verify_of_a_payment_not_captured_yet_writes_nothing(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))
    razorpay_loopback.set_payment_status(callback["razorpay_payment_id"], "created")
    before = written()

    with commits(), pytest.raises(PaymentInvalid):
        verify(shopper, callback)

    assert written() == before


# --- webhooks ----------------------------------------------------------------------------------


def test_webhook_then_verify_is_one_capture(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))
    payment_id = callback["razorpay_payment_id"]

    with commits():
        event = deliver(razorpay_loopback, "payment.captured", payment_id)
        verified = verify(shopper, callback)

    assert event.result == "captured"
    assert verified.status == OrderStatus.FULFILLED
    assert_fulfilled(order)
    assert Payment.objects.count() == 1


def test_verify_then_webhook_is_one_capture(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))

    with commits():
        verify(shopper, callback)
    after_verify = written()
    with commits():
        deliver(razorpay_loopback, "payment.captured", callback["razorpay_payment_id"])

    assert_fulfilled(order)
    assert written() == {
        **after_verify,
        "webhook_events": written()["webhook_events"],
    }
    assert WebhookEvent.objects.get().processed_at is not None


def test_the_same_webhook_event_twice_has_one_effect(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))
    body, signature, event_id = razorpay_loopback.webhook("payment.captured", payment_id)

    with commits():
        first = payments.webhook_receive(body=body, signature=signature, event_id=event_id)
    after_first = written()
    with commits():
        again = payments.webhook_receive(body=body, signature=signature, event_id=event_id)

    assert again.pk == first.pk
    assert written() == after_first
    assert_fulfilled(order)


def test_payment_captured_and_order_paid_events_of_one_payment_capture_once(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))

    with commits():
        deliver(razorpay_loopback, "order.paid", payment_id)
        deliver(razorpay_loopback, "payment.captured", payment_id)

    assert WebhookEvent.objects.count() == 2
    assert_fulfilled(order)


def test_payment_failed_arriving_after_the_capture_changes_nothing(
    razorpay_loopback, shopper, commits
):
    # given a first attempt that failed and a second that was captured and verified
    order = checkout(shopper)
    failed = razorpay_loopback.pay(gateway_order_id(order), status="failed")
    captured = razorpay_loopback.pay(gateway_order_id(order))
    with commits():
        verify(shopper, captured)
        deliver(razorpay_loopback, "payment.captured", captured["razorpay_payment_id"])
    before = written()

    # when the first attempt's payment.failed arrives late
    with commits():
        event = deliver(
            razorpay_loopback, "payment.failed", razorpay_loopback.payment_id_of(failed)
        )

    # then only the event is recorded
    assert written() == {**before, "webhook_events": written()["webhook_events"]}
    assert WebhookEvent.objects.filter(pk=event.pk).exists()
    assert_fulfilled(order)


def test_payment_failed_fails_the_order_and_releases_everything(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper, promo=PromoCodeFactory())
    failed = razorpay_loopback.pay(gateway_order_id(order), status="failed")

    with commits():
        deliver(razorpay_loopback, "payment.failed", razorpay_loopback.payment_id_of(failed))

    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert order.payments.get().status == PaymentStatus.FAILED
    assert set(VoucherCode.objects.values_list("status", flat=True)) == {VoucherStatus.AVAILABLE}
    assert order.promo_usage.released_at is not None
    assert ledger.balances(shopper)[AccountKind.AVAILABLE] == D("100.00")
    assert ledger_problems() == []


@pytest.mark.parametrize("report", ["webhook", "verify"])
def test_a_capture_after_the_order_failed_is_refunded_in_full_through_razorpay(
    razorpay_loopback, shopper, commits, report
):
    # given an order failed by its first attempt
    order = checkout(shopper)
    failed = razorpay_loopback.pay(gateway_order_id(order), status="failed")
    with commits():
        deliver(razorpay_loopback, "payment.failed", razorpay_loopback.payment_id_of(failed))
    # and a second attempt on the same Razorpay order captured afterwards
    captured = razorpay_loopback.pay(gateway_order_id(order))
    payment_id = captured["razorpay_payment_id"]

    # when its capture is reported
    with commits():
        if report == "webhook":
            deliver(razorpay_loopback, "payment.captured", payment_id)
        else:
            verify(shopper, captured)

    # then all of it goes back through Razorpay, once, and the order stays failed
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    [gateway_refund] = razorpay_loopback.refunds_of(payment_id)
    assert gateway_refund["amount"] == 88000
    refund = order.refunds.get()
    assert (refund.status, refund.gateway_refund_id) == (
        RefundStatus.PROCESSED,
        gateway_refund["id"],
    )
    assert gateway_refund["notes"] == {"coupzii_refund": str(refund.public_id)}
    assert (refund.gateway_amount, refund.wallet_amount) == (D("880.00"), 0)
    assert order.payments.get(gateway_payment_id=payment_id).status == PaymentStatus.REFUNDED
    assert set(VoucherCode.objects.values_list("status", flat=True)) == {VoucherStatus.AVAILABLE}
    assert ledger.balances(shopper)[AccountKind.AVAILABLE] == D("100.00")
    assert ledger.platform_balance(ledger_kinds.ESCROW) == 0
    assert ledger.platform_balance(ledger_kinds.SALES) == 0
    assert ledger_problems() == []
    # and the capture reported again (the other channel) sends nothing more
    with commits():
        if report == "webhook":
            verify(shopper, captured)
        else:
            deliver(razorpay_loopback, "payment.captured", payment_id)
    assert len(razorpay_loopback.calls("POST", REFUND)) == 1
    assert Refund.objects.count() == 1


def test_a_capture_after_the_order_expired_is_refunded_in_full(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now())
    with commits():
        tasks.expire_unpaid_orders()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))

    with commits():
        deliver(razorpay_loopback, "payment.captured", payment_id)

    assert [r["amount"] for r in razorpay_loopback.refunds_of(payment_id)] == [88000]
    assert order.refunds.get().status == RefundStatus.PROCESSED
    assert ledger.balances(shopper)[AccountKind.AVAILABLE] == D("100.00")
    assert ledger_problems() == []


@pytest.mark.parametrize("off_by", [+1, -1])
def test_a_webhook_capture_one_paisa_off_is_stored_as_refused_and_the_order_untouched(
    razorpay_loopback, shopper, commits, off_by
):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order), amount_paise=88000 + off_by)
    before = written()

    with commits():
        event = deliver(razorpay_loopback, "payment.captured", callback["razorpay_payment_id"])

    assert event.result == "refused: amount or currency differs"
    assert written() == {**before, "webhook_events": [(event.event_id, event.result)]}
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert ledger_problems() == []


def test_a_webhook_with_a_bad_signature_writes_nothing(razorpay_loopback, shopper, commits):
    order = checkout(shopper)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))
    body, signature, event_id = razorpay_loopback.webhook("payment.captured", payment_id)
    before = written()

    for bad_body, bad_signature in (
        (body.replace(b'"amount":88000', b'"amount":88001'), signature),
        (body, ""),
        (body, "\u00e9" * 64),
        (body + b"\xff", signature),
    ):
        with commits(), pytest.raises(WebhookInvalid):
            payments.webhook_receive(body=bad_body, signature=bad_signature, event_id=event_id)

    assert written() == before


def test_a_webhook_for_an_order_that_is_not_ours_is_recorded_and_ignored(
    razorpay_loopback, shopper, commits
):
    # given a payment on a Razorpay order made elsewhere on the same account
    foreign = razorpay_loopback._order_create({"amount": 5000, "currency": "INR"})
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(foreign["id"]))
    before = written()

    with commits():
        event = deliver(razorpay_loopback, "payment.captured", payment_id)

    assert event.result == "ignored: no order of ours"
    assert written() == {**before, "webhook_events": [(event.event_id, event.result)]}


def test_a_signed_webhook_with_an_unreadable_payment_is_a_bad_webhook(
    razorpay_loopback, shopper, commits
):
    # webhook_receive promises WebhookInvalid for a body it can't read: only the event is kept
    order = checkout(shopper)
    entity = {"id": "pay_Unreadable00001", "order_id": gateway_order_id(order), "amount": "880"}
    event = {"entity": "event", "event": "payment.captured", "contains": ["payment"]}
    event["payload"] = {"payment": {"entity": entity}}
    body = json.dumps(event).encode()
    before = written()

    with commits(), pytest.raises(WebhookInvalid):
        payments.webhook_receive(
            body=body, signature=sign(body.decode(), WEBHOOK_SECRET), event_id="evt_Unreadable001"
        )

    assert written() == {**before, "webhook_events": [("evt_Unreadable001", REFUSED_PAYMENT)]}


REFUSED_PAYMENT = "refused: The webhook's payment can't be read."


def receive_signed(body: bytes, event_id: str) -> WebhookEvent:
    return payments.webhook_receive(
        body=body, signature=sign(body.decode(), WEBHOOK_SECRET), event_id=event_id
    )


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (b"NaN", "NaN is not a number JSON allows."),
        (b"-Infinity", "-Infinity is not a number JSON allows."),
        (b"1e999", "The number at x is too large."),
        (b'"a\\u0000b"', "The text at x contains a NUL character"),
        (b'{"y":"\\ud800"}', "The text at x.y is not valid Unicode."),
        (b"[" * 1000 + b"]" * 1000, "Nested more than 32 levels deep."),
    ],
)
def test_a_signed_capture_with_an_unusable_value_is_kept_refused_and_changes_nothing(
    razorpay_loopback, shopper, commits, extra, reason
):
    # given a real capture webhook for our order, validly signed, with one unusable value
    order = checkout(shopper)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))
    body, _signature, event_id = razorpay_loopback.webhook("payment.captured", payment_id)
    body = body.replace(b'"entity":"event"', b'"entity":"event","x":' + extra, 1)
    before = written()

    # when it arrives, and again
    for _attempt in range(2):
        with commits(), pytest.raises(WebhookInvalid) as refused:
            receive_signed(body, event_id)
        assert reason in refused.value.message

    # then the order is not paid, and the event is kept once, for operators, as refused
    [(kept_id, result)] = written().pop("webhook_events")
    assert (kept_id, result.startswith("refused: " + reason)) == (event_id, True)
    assert {**written(), "webhook_events": []} == {**before, "webhook_events": []}
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.processed_at) == ("payment.captured", None)
    assert event.payload == {"body_as_received": body.decode()}
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("notes", [["coupzii_refund"], "coupzii_refund", 5])
def test_a_refund_webhook_whose_notes_are_not_pairs_is_kept_refused(razorpay_loopback, notes):
    refund = {"id": "rfnd_NotesShape0001", "entity": "refund", "notes": notes}
    event = {"entity": "event", "event": "refund.processed", "contains": ["refund"]}
    event["payload"] = {"refund": {"entity": refund}}
    before = written()

    with pytest.raises(WebhookInvalid):
        receive_signed(json.dumps(event).encode(), "evt_NotesShape0001")

    assert written() == {
        **before,
        "webhook_events": [
            ("evt_NotesShape0001", "refused: The refund's notes are not key-value pairs.")
        ],
    }


def test_a_refund_webhook_with_no_notes_written_as_an_empty_list_is_read(razorpay_loopback):
    # Razorpay writes an entity without notes as `"notes": []`.
    refund = {"id": "rfnd_EmptyNotes0001", "entity": "refund", "notes": []}
    event = {"entity": "event", "event": "refund.processed", "contains": ["refund"]}
    event["payload"] = {"refund": {"entity": refund}}

    event = receive_signed(json.dumps(event).encode(), "evt_EmptyNotes0001")

    assert event.result == "ignored: unknown refund"


@pytest.mark.postgres
@pytest.mark.parametrize("extra", [b'"a\\u0000b"', b'"\\ud800"', b"1e999"])
def test_on_postgresql_an_unusable_value_is_kept_refused_not_a_data_error(
    razorpay_loopback, shopper, commits, extra
):
    order = checkout(shopper)
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))
    body, _signature, event_id = razorpay_loopback.webhook("payment.captured", payment_id)
    body = body.replace(b'"entity":"event"', b'"entity":"event","x":' + extra, 1)

    with commits(), pytest.raises(WebhookInvalid):
        receive_signed(body, event_id)

    assert WebhookEvent.objects.get().processed_at is None
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT


def test_refund_processed_webhook_finishes_a_pending_refund(razorpay_loopback, shopper, commits):
    # given Razorpay taking refunds as pending (the bank confirms later)
    razorpay_loopback.refund_status = "pending"
    order = checkout(shopper)
    failed = razorpay_loopback.pay(gateway_order_id(order), status="failed")
    with commits():
        deliver(razorpay_loopback, "payment.failed", razorpay_loopback.payment_id_of(failed))
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))
    with commits():
        deliver(razorpay_loopback, "payment.captured", payment_id)
    refund = order.refunds.get()
    assert refund.status == RefundStatus.PENDING and refund.gateway_refund_id

    # when the bank confirms it
    razorpay_loopback.set_refund_status(refund.gateway_refund_id, "processed")
    with commits():
        event = deliver(razorpay_loopback, "refund.processed", refund.gateway_refund_id)

    # then it's processed, and nothing is sent again
    refund.refresh_from_db()
    assert event.result == "refund processed"
    assert refund.status == RefundStatus.PROCESSED
    tasks.send_pending_refunds()
    assert len(razorpay_loopback.calls("POST", REFUND)) == 1
    assert ledger_problems() == []


# --- refunds: retry-safe --------------------------------------------------------------------


def late_capture(loopback, shopper, commits) -> tuple[Order, str]:
    """An order failed by one attempt, then captured by another: a refund is due."""
    order = checkout(shopper)
    failed = loopback.pay(gateway_order_id(order), status="failed")
    with commits():
        deliver(loopback, "payment.failed", loopback.payment_id_of(failed))
    payment_id = loopback.payment_id_of(loopback.pay(gateway_order_id(order)))
    with commits():
        deliver(loopback, "payment.captured", payment_id)
    return order, payment_id


def test_a_refund_whose_answer_was_lost_is_found_by_the_retry_and_not_sent_twice(
    razorpay_loopback, shopper, commits
):
    # given Razorpay making the refund and the answer lost on the way back
    razorpay_loopback.lose_answer_next(path=REFUND)
    order, payment_id = late_capture(razorpay_loopback, shopper, commits)
    refund = order.refunds.get()
    assert (refund.status, refund.gateway_refund_id, refund.attempts) == (
        RefundStatus.PENDING,
        "",
        1,
    )
    assert refund.last_error
    assert len(razorpay_loopback.refunds_of(payment_id)) == 1  # it was made all the same

    # when the beat task retries
    tasks.send_pending_refunds()

    # then it finds the refund by our reference and sends no second one
    [gateway_refund] = razorpay_loopback.refunds_of(payment_id)
    assert len(razorpay_loopback.calls("POST", REFUND)) == 1
    refund.refresh_from_db()
    assert (refund.status, refund.gateway_refund_id) == (
        RefundStatus.PROCESSED,
        gateway_refund["id"],
    )
    assert refund.attempts == 2
    assert Payment.objects.get(gateway_payment_id=payment_id).status == PaymentStatus.REFUNDED
    tasks.send_pending_refunds()
    # one look before each of the two sends; with nothing pending nobody asks again
    assert len(razorpay_loopback.calls(path=REFUNDS)) == 2
    assert ledger_problems() == []


def test_a_refund_processed_webhook_that_overtakes_razorpays_answer_still_counts(
    razorpay_loopback, shopper, commits, monkeypatch
):
    # given Razorpay taking refunds as pending, and the bank confirming one at once: its
    # refund.processed webhook arrives before Razorpay's answer to our POST does
    razorpay_loopback.refund_status = "pending"
    adapter = gateway()
    create = adapter.refund_create

    def create_overtaken_by_its_webhook(**kwargs):
        answer = create(**kwargs)
        razorpay_loopback.set_refund_status(answer["id"], "processed")
        deliver(razorpay_loopback, "refund.processed", answer["id"])
        return answer

    monkeypatch.setattr(adapter, "refund_create", create_overtaken_by_its_webhook)

    # when a late capture is refunded
    order, payment_id = late_capture(razorpay_loopback, shopper, commits)

    # then the webhook found the refund by our reference, and the answer didn't undo it
    refund = order.refunds.get()
    assert refund.status == RefundStatus.PROCESSED
    [gateway_refund] = razorpay_loopback.refunds_of(payment_id)
    assert refund.gateway_refund_id == gateway_refund["id"]
    assert WebhookEvent.objects.get(event_type="refund.processed").result == "refund processed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_of_one_refund_at_once_refund_it_once(razorpay_loopback):
    # The task sent at commit and the send_pending_refunds sweep can reach one refund at once;
    # both finding nothing under our reference and both creating it would pay it twice.
    # given a delivered order of two ₹490 cards paid by card, and an operator refund of one
    # line whose first send failed, so it waits for a retry
    shopper = UserFactory()
    variant_a, variant_b = VariantFactory(), VariantFactory()
    stock(variant_a, 1)
    stock(variant_b, 1)
    cart = cart_with(shopper, (variant_a, 1), (variant_b, 1))
    order = order_place(user=shopper, cart=cart, email=shopper.email, phone="", idempotency_key="k")
    callback = razorpay_loopback.pay(gateway_order_id(order))
    verify(shopper, callback)
    razorpay_loopback.fail_next(path=REFUND)
    refund = order_refund_lines(
        order=order,
        line_ids=[order.lines.get(variant=variant_a).pk],
        operator=UserFactory(is_staff=True),
        reason="Code did not work at the store",
    )
    refund.refresh_from_db()
    assert (refund.status, refund.gateway_refund_id) == (RefundStatus.PENDING, "")
    looked = len(razorpay_loopback.calls("GET", REFUNDS))

    # when two senders run at once: one's look at Razorpay's refunds answers slowly
    razorpay_loopback.delay_next(1.5, path=REFUNDS)

    def send():
        try:
            tasks.send_refund(refund_id=refund.pk)
        finally:
            connection.close()

    first = threading.Thread(target=send)
    first.start()
    while len(razorpay_loopback.calls("GET", REFUNDS)) == looked:
        time.sleep(0.01)
    tasks.send_refund(refund_id=refund.pk)
    first.join(timeout=10)

    # then Razorpay holds one refund of the line
    assert len(razorpay_loopback.refunds_of(callback["razorpay_payment_id"])) == 1


@pytest.mark.parametrize("fault", ["fail_next", "drop_next"])
def test_a_refund_the_gateway_did_not_take_is_sent_by_the_retry(
    razorpay_loopback, shopper, commits, fault
):
    getattr(razorpay_loopback, fault)(path=REFUND)
    order, payment_id = late_capture(razorpay_loopback, shopper, commits)
    assert razorpay_loopback.refunds_of(payment_id) == []

    tasks.send_refund(refund_id=order.refunds.get().pk)

    [gateway_refund] = razorpay_loopback.refunds_of(payment_id)
    assert gateway_refund["amount"] == 88000
    assert len(razorpay_loopback.calls("POST", REFUND)) == 2
    assert order.refunds.get().status == RefundStatus.PROCESSED
    assert ledger_problems() == []


def test_an_operator_refund_of_one_line_goes_to_card_and_wallet(
    razorpay_loopback, shopper, commits
):
    # given a fulfilled order of two ₹490 lines, ₹100 from the wallet and ₹880 by card
    variant_a, variant_b = VariantFactory(), VariantFactory()
    stock(variant_a, 1)
    stock(variant_b, 1)
    cart = cart_with(shopper, (variant_a, 1), (variant_b, 1), use_wallet=True)
    order = order_place(user=shopper, cart=cart, email=shopper.email, phone="", idempotency_key="k")
    callback = razorpay_loopback.pay(gateway_order_id(order))
    with commits():
        verify(shopper, callback)
    operator = UserFactory(is_staff=True)

    # when the operator refunds one line
    with commits():
        refund = order_refund_lines(
            order=order,
            line_ids=[order.lines.get(variant=variant_a).pk],
            operator=operator,
            reason="Code did not work at the store",
        )

    # then its card share goes back through Razorpay, the rest to the wallet
    refund.refresh_from_db()
    assert refund.amount == D("490.00")
    [gateway_refund] = razorpay_loopback.refunds_of(callback["razorpay_payment_id"])
    assert gateway_refund["amount"] * D("0.01") == refund.gateway_amount
    assert refund.gateway_amount + refund.wallet_amount == D("490.00")
    assert refund.status == RefundStatus.PROCESSED
    assert ledger.balances(shopper)[AccountKind.AVAILABLE] == refund.wallet_amount
    assert ledger_problems() == []


# --- the browser's failure report, and expiry ----------------------------------------------------


def test_a_failure_reported_by_the_browser_is_checked_with_razorpay(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    failed = razorpay_loopback.pay(gateway_order_id(order), status="failed")
    metadata = json.loads(failed["error[metadata]"])

    with commits():
        payments.payment_report_failure(
            user=shopper,
            gateway_order_id=metadata["order_id"],
            payment_id=metadata["payment_id"],
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert ledger_problems() == []


def test_a_browser_claiming_failure_of_a_captured_payment_changes_nothing(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    captured = razorpay_loopback.pay(gateway_order_id(order))
    before = written()

    with commits():
        payments.payment_report_failure(
            user=shopper,
            gateway_order_id=captured["razorpay_order_id"],
            payment_id=captured["razorpay_payment_id"],
        )

    assert written() == before


def test_a_browser_failure_report_with_a_made_up_payment_id_asks_nobody(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    before = written()

    with commits(), pytest.raises(PaymentInvalid):
        payments.payment_report_failure(
            user=shopper, gateway_order_id=gateway_order_id(order), payment_id="../orders"
        )

    assert written() == before
    assert razorpay_loopback.calls("GET", PAYMENT) == []


def test_expiry_asks_razorpay_and_fulfils_an_order_whose_capture_webhook_was_lost(
    razorpay_loopback, shopper, commits
):
    # given a captured payment nobody told us about, and the deadline passed
    order = checkout(shopper)
    razorpay_loopback.pay(gateway_order_id(order), status="failed")
    razorpay_loopback.pay(gateway_order_id(order))
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now())

    # when the sweep runs
    with commits():
        assert tasks.expire_unpaid_orders() == 1

    # then Razorpay was asked and the order delivered
    assert len(razorpay_loopback.calls("GET", ORDER_PAYMENTS)) == 1
    assert_fulfilled(order)
    assert Refund.objects.count() == 0


def test_expiry_of_an_order_never_paid_cancels_it_and_releases_everything(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    razorpay_loopback.pay(gateway_order_id(order), status="failed")
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now())

    with commits():
        tasks.expire_unpaid_orders()

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert set(VoucherCode.objects.values_list("status", flat=True)) == {VoucherStatus.AVAILABLE}
    assert ledger.balances(shopper)[AccountKind.AVAILABLE] == D("100.00")
    assert ledger_problems() == []


@pytest.mark.parametrize("fault", ["fail_next", "drop_next"])
def test_expiry_while_razorpay_is_down_cancels_nothing(razorpay_loopback, shopper, commits, fault):
    # An order can't be cancelled without asking: its payment may have been captured.
    order = checkout(shopper)
    razorpay_loopback.pay(gateway_order_id(order))
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now())
    getattr(razorpay_loopback, fault)(path=ORDER_PAYMENTS)
    before = written()

    with commits():
        assert tasks.expire_unpaid_orders() == 0

    assert written() == before
    with commits():
        tasks.expire_unpaid_orders()  # the next run, Razorpay answering again
    assert_fulfilled(order)


# --- Follow-ups from review --------------------------------------------------------------------


def test_a_refund_failed_webhook_tells_the_operators(razorpay_loopback, shopper, commits):
    # given a late capture whose automatic refund Razorpay took as pending
    operator = UserFactory(is_staff=True)
    razorpay_loopback.refund_status = "pending"
    order = checkout(shopper)
    failed = razorpay_loopback.pay(gateway_order_id(order), status="failed")
    with commits():
        deliver(razorpay_loopback, "payment.failed", razorpay_loopback.payment_id_of(failed))
    payment_id = razorpay_loopback.payment_id_of(razorpay_loopback.pay(gateway_order_id(order)))
    with commits():
        deliver(razorpay_loopback, "payment.captured", payment_id)
    refund = order.refunds.get()

    # when the bank refuses it
    razorpay_loopback.set_refund_status(refund.gateway_refund_id, "failed")
    with commits():
        event = deliver(razorpay_loopback, "refund.failed", refund.gateway_refund_id)

    # then the refund is failed and every operator hears of it, by email too
    assert event.result == "refund failed"
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.FAILED
    alert = Notification.objects.get(user=operator, kind="operations")
    assert order.number in alert.title
    assert any(operator.email in m.to and order.number in m.subject for m in mail.outbox)


def test_verify_refuses_a_payment_first_seen_already_refunded(razorpay_loopback, shopper):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))
    razorpay_loopback.set_payment_status(callback["razorpay_payment_id"], "refunded")
    before = written()

    with pytest.raises(PaymentInvalid):
        verify(shopper, callback)

    assert written() == before


def test_a_verify_retry_after_the_webhook_answers_with_the_order(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    callback = razorpay_loopback.pay(gateway_order_id(order))
    with commits():
        deliver(razorpay_loopback, "payment.captured", callback["razorpay_payment_id"])
    fetches = len(razorpay_loopback.calls("GET", PAYMENT))

    assert verify(shopper, callback).status == OrderStatus.FULFILLED
    # the recorded capture is enough: the gateway isn't asked again
    assert len(razorpay_loopback.calls("GET", PAYMENT)) == fetches


def test_expiry_captures_an_authorized_payment_instead_of_cancelling(
    razorpay_loopback, shopper, commits
):
    order = checkout(shopper)
    razorpay_loopback.pay(gateway_order_id(order), status="authorized")
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now())

    with commits():
        tasks.expire_unpaid_orders()

    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert len(razorpay_loopback.calls("POST", CAPTURE)) == 1


def test_the_expiry_sweep_goes_on_past_an_order_the_gateway_refuses(
    razorpay_loopback, shopper, commits
):
    # given two overdue orders, the first with a gateway order Razorpay doesn't know
    first = checkout(shopper, key="first")
    Payment.objects.filter(order=first).update(gateway_order_id="order_Unknown0000001")
    second = checkout(UserFactory(), key="second")
    Order.objects.filter(pk__in=[first.pk, second.pk]).update(pay_by=timezone.now())

    with commits():
        tasks.expire_unpaid_orders()

    second.refresh_from_db()
    assert second.status == OrderStatus.CANCELLED
