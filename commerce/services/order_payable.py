"""Shop orders as a payable (kind "order"): what the payment path needs to know about an order,
registered by commerce's AppConfig.ready() like any other app's payable."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import operators_notify
from coupzii.core.money import format_inr

from .. import ledger_kinds, locks
from ..models import Order, OrderStatus, Refund
from ..payables import Charge, PayableHandler
from . import fulfilment
from .payments import payable_expire

KIND = "order"
S = OrderStatus


class OrderPayable(PayableHandler):
    escrow_account = ledger_kinds.ESCROW
    capture_kind = ledger_kinds.ORDER_PAYMENT
    refund_kind = ledger_kinds.ORDER_REFUND
    ledger_reference_type = "order"

    def reference(self, payable: Order) -> str:
        return str(payable.pk)

    def get(self, reference: str) -> Order:
        return Order.objects.get(pk=int(reference))

    def lock(self, reference: str) -> Order:
        return locks.order_lock(int(reference))

    def lock_money(self, payable: Order) -> None:
        locks.money_lock(payable)

    def charge(self, payable: Order) -> Charge:
        return Charge(
            amount=payable.gateway_amount,
            user=payable.user,
            receipt=payable.number,
            notes={"order": payable.number},
        )

    def ledger_reference(self, payable: Order) -> str:
        return payable.number

    def links(self, payable: Order) -> dict:
        return {"order": payable}

    def awaiting_payment(self, payable: Order) -> bool:
        return payable.status == S.PENDING_PAYMENT

    def paid(self, payable: Order, *, method: str) -> Order:
        return fulfilment.order_mark_paid(
            order=payable,
            note=lambda: _("Paid online (%(method)s).") % {"method": method or "gateway"},
        )

    def failed(self, payable: Order, *, error: str) -> Order:
        return fulfilment.order_cancel(order=payable, status=S.FAILED, note=error)

    def expired(self, payable: Order) -> Order:
        return fulfilment.order_cancel(
            order=payable, status=S.CANCELLED, note=gettext_lazy("Not paid in time.")
        )

    def refunded(self, payable: Order, *, refund: Refund) -> None:
        amount = refund.amount
        fulfilment.order_event_add(
            payable,
            S.REFUNDED,
            lambda: (
                _("A late payment of %(amount)s is being refunded.")
                % {"amount": format_inr(amount)}
            ),
        )
        fulfilment.order_refund_notify(payable, refund)

    def refund_stuck(self, payable: Order, *, refund: Refund) -> None:
        operators_notify(
            title=lambda: _("A refund on order %(number)s is stuck") % {"number": payable.number},
            body=lambda: (
                _("%(amount)s was not returned to the card: %(error)s")
                % {"amount": format_inr(refund.gateway_amount), "error": refund.last_error or "-"}
            ),
            link=f"/admin/commerce/refund/{refund.pk}/change/",
        )

    def overdue(self, *, limit: int) -> Iterable[Order]:
        return Order.objects.filter(status=S.PENDING_PAYMENT, pay_by__lt=timezone.now()).order_by(
            "pay_by"
        )[:limit]


def order_expire(*, order: Order) -> Order:
    """An order past its payment deadline: asked of the gateway, then cancelled if unpaid."""
    return payable_expire(kind=KIND, payable=order)
