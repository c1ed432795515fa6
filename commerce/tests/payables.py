"""The payables the payment tests run for: a shop order and the test app's pledge, behind one
small adapter each, so one state machine and one set of races serve both."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from catalog.tests.factories import VariantFactory, stock
from commerce import ledger_kinds
from commerce.models import Order, OrderStatus, Payment
from commerce.services.checkout import order_place
from commerce.tests.factories import cart_with
from coupzii.testapp.models import Pledge, PledgeStatus
from coupzii.testapp.payables import ESCROW as PLEDGE_ESCROW
from coupzii.testapp.payables import pledge_open

AWAITING, PAID, CLOSED = "awaiting", "paid", "closed"


@dataclass(frozen=True)
class PayableAdapter:
    kind: str
    model: type
    escrow: str  # the platform account its captures wait in
    states: dict[str, str]  # the payable's status -> AWAITING, PAID or CLOSED

    def open(self, user, *, price: Decimal = Decimal("490.00")) -> Any:
        """A payable of `price` awaiting a card payment, paid by `user`."""
        if self.kind == "order":
            variant = VariantFactory(price=price, face_value=max(price, Decimal("100.00")))
            stock(variant, 1)
            cart = cart_with(user, (variant, 1))
            key = f"key-{Order.objects.filter(user=user).count()}"
            return order_place(
                user=user, cart=cart, email=user.email, phone="", idempotency_key=key
            )
        return pledge_open(user=user, amount=price)

    def fresh(self, payable) -> Any:
        return self.model.objects.get(pk=payable.pk)

    def state(self, payable) -> str:
        return self.states[self.fresh(payable).status]

    def overdue(self, payable) -> None:
        """Its payment deadline passed a second ago."""
        past = timezone.now() - timedelta(seconds=1)
        self.model.objects.filter(pk=payable.pk).update(pay_by=past)

    def payments(self, payable):
        return Payment.objects.filter(payable_kind=self.kind, payable_ref=str(payable.pk))

    def gateway_order_id(self, payable) -> str:
        return self.payments(payable).order_by("pk").first().gateway_order_id

    def in_escrow(self) -> Decimal:
        """What its escrow account must hold: the card share of payables paid and not yet
        settled (a delivered order's moved on to sales)."""
        if self.kind == "order":
            paid = Order.objects.filter(status=OrderStatus.PAID)
            return paid.aggregate(total=Sum("gateway_amount"))["total"] or Decimal("0.00")
        paid = Pledge.objects.filter(status=PledgeStatus.PAID)
        return paid.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


S = OrderStatus
ORDER = PayableAdapter(
    kind="order",
    model=Order,
    escrow=ledger_kinds.ESCROW,
    states={
        S.PENDING_PAYMENT: AWAITING,
        S.PAID: PAID,
        S.FULFILLED: PAID,
        S.REFUNDED: PAID,
        S.CANCELLED: CLOSED,
        S.FAILED: CLOSED,
    },
)
PLEDGE = PayableAdapter(
    kind="pledge",
    model=Pledge,
    escrow=PLEDGE_ESCROW,
    states={
        PledgeStatus.PENDING: AWAITING,
        PledgeStatus.PAID: PAID,
        PledgeStatus.REFUNDED: PAID,
        PledgeStatus.FAILED: CLOSED,
        PledgeStatus.EXPIRED: CLOSED,
    },
)
PAYABLES = [ORDER, PLEDGE]
