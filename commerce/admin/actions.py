"""The operator's actions on one order (fulfil from stock, fulfil a line by hand, refund
lines): each a call to a commerce service, which checks the order under its lock; the outcome
message says what the service did."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ConfirmForm, ObjectAction
from coupzii.core.money import format_inr

from ..models import Order, Refund
from ..services.fulfilment import order_fulfil_retry, order_line_fulfil_by_hand
from ..services.refunds import order_refund_lines
from .common import S
from .forms import FulfilByHandForm, RefundLinesForm


@dataclass(frozen=True)
class OrderAction(ObjectAction):
    """An ObjectAction whose form may be built for the order (OrderActionForm), and whose
    outcome message depends on what the service did: (order, result) -> (message, level)."""

    outcome: Callable | None = None


def _fulfil_outcome(order: Order, result) -> tuple[str, int]:
    if order.status == S.FULFILLED:
        return (
            gettext("Order %(number)s is delivered: the codes are on their way to the shopper.")
            % {"number": order.number},
            messages.SUCCESS,
        )
    return (
        gettext(
            "Order %(number)s is still waiting for codes: import more for its gift card, or "
            "fulfil the short line by hand."
        )
        % {"number": order.number},
        messages.WARNING,
    )


def _refund_outcome(order: Order, refund: Refund) -> tuple[str, int]:
    parts = []
    if refund.wallet_amount:
        parts.append(
            gettext("%(amount)s to the shopper's wallet")
            % {"amount": format_inr(refund.wallet_amount)}
        )
    if refund.gateway_amount:
        parts.append(
            gettext("%(amount)s to their card, UPI or bank")
            % {"amount": format_inr(refund.gateway_amount)}
        )
    if not parts:
        message = gettext(
            "Lines of order %(number)s refunded: their codes are void. Nothing was paid for "
            "them, so no money moves."
        ) % {"number": order.number}
    else:
        message = gettext("Refunded %(amount)s on order %(number)s: %(parts)s.") % {
            "amount": format_inr(refund.amount),
            "number": order.number,
            "parts": "; ".join(parts),
        }
    return message, messages.SUCCESS


ORDER_ACTIONS = (
    OrderAction(
        slug="fulfil",
        label=_("Fulfil from stock"),
        form_class=ConfirmForm,
        run=lambda admin_, request, order, data: order_fulfil_retry(
            order=order, operator=request.user
        ),
        allowed=lambda order: order.status == S.PAID,
        done=_("%(object)s: tried to deliver from stock."),
        intro=_("Deliver this paid order's missing codes from the codes now in stock."),
        outcome=_fulfil_outcome,
    ),
    OrderAction(
        slug="fulfil-by-hand",
        label=_("Fulfil a line by hand"),
        form_class=FulfilByHandForm,
        run=lambda admin_, request, order, data: order_line_fulfil_by_hand(
            line=data["line"], codes=data["codes"], operator=request.user
        ),
        allowed=lambda order: order.status == S.PAID,
        done=_("%(object)s: codes delivered by hand."),
        intro=_(
            "Enter the codes the brand sent for a line that ran short. They are stored "
            "encrypted and delivered to the shopper; the order is finished once no line "
            "is missing codes."
        ),
        outcome=_fulfil_outcome,
    ),
    OrderAction(
        slug="refund",
        label=_("Refund lines"),
        form_class=RefundLinesForm,
        run=lambda admin_, request, order, data: order_refund_lines(
            order=order, line_ids=data["lines"], operator=request.user, reason=data["reason"]
        ),
        allowed=lambda order: order.status == S.FULFILLED,
        done=_("%(object)s: lines refunded."),
        intro=_(
            "Refund lines the shopper has not used (check with the brand first): their codes "
            "are voided, the wallet share goes back to the wallet at once and the rest to the "
            "card, UPI or bank through the gateway."
        ),
        style="danger",
        outcome=_refund_outcome,
    ),
)
