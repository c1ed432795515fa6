"""Refunds (commerce.services.refunds): operators refunding delivered lines of an order, and
the sender's retry and give-up policy the tasks call, for a shop order and for the test app's
pledge alike."""

from decimal import Decimal as D

import pytest

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from catalog import inventory
from catalog.models import VoucherStatus
from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds, tasks
from commerce.errors import GatewayUnavailable, InvalidTransition
from commerce.gateways import DevGateway, gateway
from commerce.models import DevGatewayPayment, OrderStatus, Refund, RefundStatus
from commerce.services import payments, refunds
from commerce.tests.factories import PromoCodeFactory, cart_with, codes, pay, place, wallet_credit
from commerce.tests.payables import PAYABLES, PLEDGE
from coupzii.core.errors import DomainError, Forbidden
from coupzii.testapp.models import Pledge
from wallet import ledger
from wallet.ledger import ledger_problems
from wallet.models import AccountKind
from wallet.tests.factories import operator

pytestmark = pytest.mark.django_db
AVAILABLE = AccountKind.AVAILABLE


# --- Operator refunds --------------------------------------------------------------------------


@pytest.fixture
def delivered(card, django_capture_on_commit_callbacks):
    """A shopper's order of two ₹490 cards on two lines, ₹100 from the wallet and ₹880 by
    card, delivered."""
    shopper = UserFactory()
    wallet_credit(shopper, "100.00")
    other = VariantFactory()
    stock(other, 1)
    order = place(shopper, cart_with(shopper, (card, 1), (other, 1), use_wallet=True))
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    assert order.status == OrderStatus.FULFILLED
    return order


def _refund(order, lines, staff=None, capture=None):
    return refunds.order_refund_lines(
        order=order,
        line_ids=[line.pk for line in lines],
        operator=staff or operator(),
        reason="Brand confirmed the code is unused",
    )


def test_a_refund_goes_back_to_the_card_first_then_to_the_wallet(
    delivered, django_capture_on_commit_callbacks
):
    first, second = delivered.lines.all()

    with django_capture_on_commit_callbacks(execute=True):
        one = _refund(delivered, [first])
    with django_capture_on_commit_callbacks(execute=True):
        two = _refund(delivered, [second])

    assert (one.amount, one.gateway_amount, one.wallet_amount) == (
        D("490.00"),
        D("490.00"),
        D("0.00"),
    )
    assert (two.amount, two.gateway_amount, two.wallet_amount) == (
        D("490.00"),
        D("390.00"),
        D("100.00"),
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == two.status == RefundStatus.PROCESSED
    dev_payment = DevGatewayPayment.objects.get()
    assert sum(r["amount"] for r in dev_payment.refunds) == 88000
    delivered.refresh_from_db()
    assert delivered.status == OrderStatus.REFUNDED
    assert delivered.refunded_amount == D("980.00")
    assert codes(VoucherStatus.VOID).count() == 2
    assert not inventory.codes_for_lines([first.pk, second.pk]).exists()
    assert ledger.balances(delivered.user)[AVAILABLE] == D("100.00")
    assert ledger.platform_balance(ledger_kinds.SALES) == D("0.00")
    assert ledger_problems() == []


def test_refunding_some_lines_keeps_the_order_delivered(delivered):
    first, _second = delivered.lines.all()
    _refund(delivered, [first])
    delivered.refresh_from_db()
    assert delivered.status == OrderStatus.FULFILLED
    assert delivered.refunded_amount == D("490.00")
    assert codes(VoucherStatus.DELIVERED).count() == 1


def test_a_line_is_refunded_once(delivered):
    first, second = delivered.lines.all()
    _refund(delivered, [first])

    for lines in ([first], [first, second]):
        with pytest.raises(DomainError) as refused:
            _refund(delivered, lines)
        assert "lines" in refused.value.fields
    assert Refund.objects.count() == 1


def test_lines_of_another_order_cannot_be_refunded_through_this_one(delivered, card):
    other = UserFactory()
    theirs = place(other, cart_with(other, (card, 1)), key="k2")
    with pytest.raises(DomainError):
        _refund(delivered, list(theirs.lines.all()))
    assert not Refund.objects.exists()


def test_only_active_staff_can_refund(delivered):
    lines = list(delivered.lines.all())
    for user in (UserFactory(), operator(is_active=False)):
        with pytest.raises(Forbidden):
            _refund(delivered, lines, staff=user)
    assert not Refund.objects.exists()


def test_an_order_not_yet_delivered_cannot_be_refunded(card):
    shopper = UserFactory()
    order = place(shopper, cart_with(shopper, (card, 1)))
    with pytest.raises(InvalidTransition):
        _refund(order, list(order.lines.all()))


def test_a_refund_after_a_duplicate_payment_still_goes_back_to_the_card(
    card, django_capture_on_commit_callbacks
):
    # given an order paid twice on its gateway order (two tabs): the second capture was
    # refunded in full at once
    shopper = UserFactory()
    order = place(shopper, cart_with(shopper, (card, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
        pay(order)
    assert order.status == OrderStatus.FULFILLED
    late = Refund.objects.get()
    assert late.gateway_amount == D("490.00")

    # when an operator refunds the line
    with django_capture_on_commit_callbacks(execute=True):
        refund = _refund(order, list(order.lines.all()))

    # then it goes back to the card the order was paid with, not to the wallet
    assert (refund.gateway_amount, refund.wallet_amount) == (D("490.00"), D("0.00"))
    assert refund.payment == order.payments.order_by("pk").first()
    assert ledger.balances(shopper)[AVAILABLE] == D("0.00")
    assert ledger_problems() == []


def test_a_line_that_cost_nothing_can_be_refunded():
    # a 100% promo: nothing was paid, but the codes must still be taken back
    shopper = UserFactory()
    variant = VariantFactory()
    stock(variant, 1)
    promo = PromoCodeFactory(value=D("100.00"), max_discount=None)
    order = place(shopper, cart_with(shopper, (variant, 1), promo=promo))
    assert (order.status, order.total) == (OrderStatus.FULFILLED, D("0.00"))

    refund = _refund(order, list(order.lines.all()))

    assert refund.amount == D("0.00")
    assert refund.status == RefundStatus.PROCESSED
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert codes(VoucherStatus.VOID).count() == 1
    assert ledger_problems() == []


# --- Sending: retries and giving up ------------------------------------------------------------


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _webhook(dev):
    payments.webhook_receive(
        body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
    )


def _late_refund(adapter, commits, monkeypatch) -> Refund:
    """A capture after the payable failed, whose refund the gateway cannot take now."""
    payable = adapter.open(UserFactory())
    with commits():
        _webhook(gateway().pay(gateway_order_id=adapter.gateway_order_id(payable), succeed=False))

    def down(self, **kwargs):
        raise GatewayUnavailable()

    monkeypatch.setattr(DevGateway, "refund_create", down)
    with commits():
        _webhook(gateway().pay(gateway_order_id=adapter.gateway_order_id(payable), succeed=True))
    refund = Refund.objects.get()
    assert (refund.status, refund.gateway_refund_id, refund.attempts) == (
        RefundStatus.PENDING,
        "",
        1,
    )
    return refund


@pytest.mark.parametrize("adapter", PAYABLES, ids=lambda adapter: adapter.kind)
def test_a_refund_the_gateway_keeps_refusing_is_retried_then_given_up_and_told(
    adapter, commits, monkeypatch
):
    operator = UserFactory(is_staff=True)
    refund = _late_refund(adapter, commits, monkeypatch)

    # when the sweep tries again until the attempts run out
    with commits():
        sent = [tasks.send_pending_refunds() for _ in range(refunds.REFUND_ATTEMPTS)]

    # then it stopped at the last attempt, and whoever must act was told once
    assert sent == [1] * (refunds.REFUND_ATTEMPTS - 1) + [0]
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, refunds.REFUND_ATTEMPTS)
    assert refund.last_error
    told = Notification.objects.filter(user=operator, kind="operations").count()
    if adapter is PLEDGE:
        assert (told, Pledge.objects.get().stuck_refunds) == (0, 1)
    else:
        assert told == 1


def test_a_refund_that_lands_on_a_retry_is_sent_once(commits, monkeypatch):
    refund = _late_refund(PLEDGE, commits, monkeypatch)
    monkeypatch.undo()

    assert refunds.refund_send_or_retry(refund_id=refund.pk) == RefundStatus.PROCESSED
    assert refunds.refund_send_or_retry(refund_id=refund.pk) == RefundStatus.PROCESSED

    refund.refresh_from_db()
    assert refund.gateway_refund_id
    assert refund.gateway_amount == D("490.00")
    assert Pledge.objects.get().stuck_refunds == 0
