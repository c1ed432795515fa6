"""The payables registry, and the payment path serving a payable that is not a shop order: the
test app's pledge (coupzii/testapp), registered in its AppConfig.ready() as any app would."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.tests.factories import UserFactory
from commerce import ledger_kinds, services, tasks
from commerce.errors import OrderNotFound
from commerce.gateways import gateway, sign
from commerce.models import DevGatewayOrder, Payment, PaymentStatus, Refund, RefundStatus
from commerce.payables import (
    PayableHandler,
    UnknownPayable,
    payable_handler,
    payable_kinds,
    payable_register,
)
from commerce.services import payments
from commerce.services.order_payable import OrderPayable
from coupzii.testapp.models import Pledge, PledgeStatus
from coupzii.testapp.payables import ESCROW, PledgePayable, pledge_open
from wallet import ledger
from wallet.models import Transaction

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def verify(pledge: Pledge, dev, *, user=None):
    return payments.payment_verify(
        user=user or pledge.user,
        gateway_order_id=dev.callback["razorpay_order_id"],
        payment_id=dev.callback["razorpay_payment_id"],
        signature=dev.callback["razorpay_signature"],
    )


def webhook(dev):
    return payments.webhook_receive(
        body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
    )


def pay(pledge: Pledge, *, succeed=True):
    payment = Payment.objects.get(payable_kind="pledge", payable_ref=str(pledge.pk))
    return gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=succeed)


# --- The registry ------------------------------------------------------------------------------


def test_commerce_exports_payable_register_for_other_apps():
    assert services.payable_register is payable_register


def test_shop_orders_and_the_test_apps_pledges_are_registered_when_the_apps_start():
    kinds = payable_kinds()
    assert isinstance(kinds["order"], OrderPayable)
    assert isinstance(kinds["pledge"], PledgePayable)


def test_an_unregistered_kind_is_a_programming_error():
    with pytest.raises(UnknownPayable, match="payable_register"):
        payable_handler("never_registered")


@pytest.mark.parametrize("kind", ["", "x" * 33])
def test_a_kind_must_fit_its_column(kind):
    with pytest.raises(ValueError, match="payable kind"):
        payable_register(kind, PledgePayable())


def test_a_handler_must_be_a_payable_handler():
    with pytest.raises(TypeError, match="PayableHandler"):
        payable_register("pledge", object())


def test_a_handler_that_leaves_out_a_callback_cannot_be_made():
    class Incomplete(PayableHandler):
        def reference(self, payable):
            return str(payable.pk)

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()


# --- A pledge through the payment path ---------------------------------------------------------


def test_opening_a_pledge_opens_a_gateway_order_for_what_it_costs_paid_by_its_user():
    user = UserFactory()

    pledge = pledge_open(user=user, amount=D("250.50"))

    payment = Payment.objects.get()
    assert (payment.payable_kind, payment.payable_ref) == ("pledge", str(pledge.pk))
    assert (payment.user, payment.order, payment.currency) == (user, None, "INR")
    assert payment.amount_paise == 25050
    assert payment.status == PaymentStatus.CREATED
    dev_order = DevGatewayOrder.objects.get(gateway_order_id=payment.gateway_order_id)
    assert (dev_order.amount_paise, dev_order.receipt) == (25050, f"PLEDGE{pledge.pk}")


def test_verify_pays_a_pledge_and_its_money_waits_in_its_own_escrow(commits):
    pledge = pledge_open(user=UserFactory(), amount=D("300.00"))
    dev = pay(pledge)

    with commits():
        answered = verify(pledge, dev)
        webhook(dev)  # the webhook after it changes nothing

    assert answered == pledge
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PAID
    capture = Transaction.objects.get(kind="pledge_payment")
    assert (capture.reference_type, capture.reference_id) == ("pledge", str(pledge.pk))
    assert ledger.platform_balance(ESCROW) == D("300.00")
    assert ledger.platform_balance(ledger_kinds.ESCROW) == 0  # the shop's escrow is not touched
    assert not Refund.objects.exists()
    assert ledger.ledger_problems() == []


def test_only_the_pledges_payer_may_report_its_payment():
    pledge = pledge_open(user=UserFactory(), amount=D("300.00"))
    dev = pay(pledge)

    with pytest.raises(OrderNotFound):
        verify(pledge, dev, user=UserFactory())

    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PENDING


def test_a_failed_pledge_captured_after_all_is_refunded_in_full_from_its_escrow(commits):
    pledge = pledge_open(user=UserFactory(), amount=D("300.00"))
    with commits():
        webhook(pay(pledge, succeed=False))
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.FAILED
    assert Payment.objects.get().status == PaymentStatus.FAILED

    with commits():
        webhook(pay(pledge))

    pledge.refresh_from_db()
    assert (pledge.status, pledge.refunded) == (PledgeStatus.FAILED, D("300.00"))
    refund = Refund.objects.get()
    assert (refund.payable_kind, refund.payable_ref) == ("pledge", str(pledge.pk))
    assert refund.order is None
    assert (refund.gateway_amount, refund.status) == (D("300.00"), RefundStatus.PROCESSED)
    assert refund.payment.status == PaymentStatus.REFUNDED
    assert Transaction.objects.get(kind="pledge_refund").reference_id == str(pledge.pk)
    assert ledger.platform_balance(ESCROW) == 0
    assert ledger.ledger_problems() == []


def test_the_expiry_sweep_expires_an_overdue_pledge_and_orders_alike(commits):
    pledge = pledge_open(user=UserFactory(), amount=D("300.00"), minutes=-1)
    waiting = pledge_open(user=UserFactory(), amount=D("300.00"))

    with commits():
        assert tasks.expire_unpaid_orders() == 1

    pledge.refresh_from_db()
    waiting.refresh_from_db()
    assert (pledge.status, waiting.status) == (PledgeStatus.EXPIRED, PledgeStatus.PENDING)
    assert Payment.objects.get(payable_ref=str(pledge.pk)).status == PaymentStatus.FAILED


def test_the_expiry_sweep_finds_a_pledge_paid_whose_webhook_was_lost(commits):
    pledge = pledge_open(user=UserFactory(), amount=D("300.00"), minutes=-1)
    pay(pledge)  # nobody reported it

    with commits():
        tasks.expire_unpaid_orders()

    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PAID
    assert Payment.objects.get().raw[-1]["source"] == "expiry"


def test_a_refund_the_gateway_refuses_is_told_to_the_pledges_app(commits):
    pledge = pledge_open(user=UserFactory(), amount=D("300.00"))
    with commits():
        webhook(pay(pledge, succeed=False))
        webhook(pay(pledge))
    refund = Refund.objects.get()
    entity = {"id": refund.gateway_refund_id, "notes": []}
    body = json.dumps(
        {"event": "refund.failed", "payload": {"refund": {"entity": entity}}}
    ).encode()
    with commits():
        event = payments.webhook_receive(
            body=body, signature=sign(body.decode(), gateway().webhook_secret), event_id="evt_f1"
        )

    assert event.result == "refund failed"
    pledge.refresh_from_db()
    assert pledge.stuck_refunds == 1


# --- The migration that named the orders -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_existing_payments_and_refunds_after_their_orders():
    # given the shop as it was before payables: payments and refunds of orders only
    executor = MigrationExecutor(connection)
    # Shoppers as they are now (accounts stays migrated): the old shop's user is written with
    # today's User columns.
    accounts_now = next(
        node for node in executor.loader.graph.leaf_nodes() if node[0] == "accounts"
    )
    before = [("commerce", "0003_order_event_note_languages"), accounts_now]
    after = [("commerce", "0005_payable_columns_required")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("accounts", "User").objects.create(email="old@coupzii.test")
    order = old.get_model("commerce", "Order").objects.create(
        number="CZOLD0001",
        user_id=user.pk,
        total=D("490.00"),
        subtotal=D("490.00"),
        gateway_amount=D("490.00"),
        email=user.email,
        idempotency_key="k",
        pay_by="2026-01-01T00:00:00Z",
    )
    old.get_model("commerce", "Payment").objects.create(
        order_id=order.pk, gateway="dev", gateway_order_id="order_OLD", amount_paise=49000
    )
    old.get_model("commerce", "Refund").objects.create(
        order_id=order.pk, amount=D("490.00"), gateway_amount=D("490.00"), reason="Late"
    )

    # when
    executor = MigrationExecutor(connection)
    executor.migrate(after)

    # then
    new = executor.loader.project_state(after).apps
    payment = new.get_model("commerce", "Payment").objects.get()
    assert (payment.payable_kind, payment.payable_ref) == ("order", str(order.pk))
    assert (payment.user_id, payment.order_id, payment.currency) == (user.pk, order.pk, "INR")
    refund = new.get_model("commerce", "Refund").objects.get()
    assert (refund.payable_kind, refund.payable_ref) == ("order", str(order.pk))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
