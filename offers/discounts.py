"""What an offer takes off an order: the one discount rule for the till, the brand portal and
the API (exported as offers.selectors.offer_discount).

Exact paise: every step is a Decimal quantized with ROUND_HALF_UP (coupzii.core.money), never
a float. Whatever the offer says, the discount is never negative, never above the order and
never above the offer's maximum discount.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from coupzii.core.money import ZERO, InvalidAmount, column_amount, format_inr, quantize

from .models import DiscountType, Offer

HUNDRED = Decimal("100")


class ReasonCode:
    """Stable codes for why a quote is what it is (clients switch on these)."""

    APPLIED = "applied"
    CAPPED = "capped"  # the percentage came to more than the offer's maximum discount
    LIMITED_TO_ORDER = "limited_to_order"  # the discount would have been above the order
    NO_AMOUNT = "no_amount"  # BOGO / free shipping without a rupee value: given at the store
    MIN_ORDER_NOT_MET = "min_order_not_met"


@dataclass(frozen=True)
class DiscountQuote:
    """What an offer gives for one order. `payable` = order amount - `discount`."""

    applies: bool
    discount: Decimal
    payable: Decimal
    reason_code: str
    reason: str


def offer_discount(*, offer: Offer, order_amount: Decimal) -> DiscountQuote:
    """The discount `offer` gives on an order of `order_amount` rupees.

    - percentage: `discount_value`% of the order, capped at `max_discount`;
    - fixed: `discount_value`, never above the order;
    - BOGO and free shipping: `discount_value` when the brand set one (the free item's or the
      delivery's price), else 0: the store gives the item or the delivery itself;
    - an order below `min_order`: applies False, discount 0.

    Raises coupzii.core.money.InvalidAmount for a negative, float or too-large order amount.
    """
    order = column_amount(order_amount)
    if order < ZERO:
        raise InvalidAmount(f"An order amount cannot be negative: {order_amount!r}")
    if offer.min_order is not None and order < offer.min_order:
        return DiscountQuote(
            applies=False,
            discount=ZERO,
            payable=order,
            reason_code=ReasonCode.MIN_ORDER_NOT_MET,
            reason=_("Spend at least %(minimum)s to use this offer (this order is %(order)s).")
            % {"minimum": format_inr(offer.min_order), "order": format_inr(order)},
        )
    raw, reason_code, reason = _raw_discount(offer, order)
    discount = raw
    if offer.max_discount is not None and discount > offer.max_discount:
        discount = quantize(offer.max_discount)
        reason_code = ReasonCode.CAPPED
        reason = _("%(discount)s off: this offer's maximum discount.") % {
            "discount": format_inr(discount)
        }
    if discount > order:
        discount = order
        reason_code = ReasonCode.LIMITED_TO_ORDER
        reason = _("%(discount)s off: the whole order.") % {"discount": format_inr(discount)}
    discount = max(discount, ZERO)
    return DiscountQuote(
        applies=True,
        discount=discount,
        payable=order - discount,
        reason_code=reason_code,
        reason=reason,
    )


def _raw_discount(offer: Offer, order: Decimal) -> tuple[Decimal, str, str]:
    value = quantize(offer.discount_value) if offer.discount_value is not None else None
    if offer.discount_type == DiscountType.PERCENTAGE:
        percent = value or ZERO
        discount = quantize(order * percent / HUNDRED)
        return (
            discount,
            ReasonCode.APPLIED,
            _("%(percent)s%% off: %(discount)s.")
            % {"percent": f"{percent.normalize():f}", "discount": format_inr(discount)},
        )
    if offer.discount_type == DiscountType.FIXED:
        discount = value or ZERO
        return (
            discount,
            ReasonCode.APPLIED,
            _("%(discount)s off.") % {"discount": format_inr(discount)},
        )
    if value:
        what = (
            _("Buy one, get one free")
            if offer.discount_type == DiscountType.BOGO
            else _("Free delivery")
        )
        return (
            value,
            ReasonCode.APPLIED,
            _("%(what)s: %(discount)s off.")
            % {
                "what": what,
                "discount": format_inr(value),
            },
        )
    if offer.discount_type == DiscountType.BOGO:
        reason = _("Buy one, get one free: the store gives the second item at checkout.")
    else:
        reason = _("Free delivery: the store waives the delivery charge at checkout.")
    return ZERO, ReasonCode.NO_AMOUNT, reason
