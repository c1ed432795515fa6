"""A listing's title, written in the viewer's language when it is shown: "₹200 off at Myntra",
"20% off (up to ₹150) at Ajio", "Buy one, get one at Nykaa". The parts (what the coupon gives,
its value and cap, the store) are the coupon's; the English title stored on the listing is only
for the admin's search."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from coupzii.core.money import format_inr

from ..models import Benefit


def rupees(amount: Decimal) -> str:
    """₹200 for whole rupees, ₹199.50 otherwise: a title reads like a shop's banner."""
    text = format_inr(amount)
    return text[:-3] if text.endswith(".00") else text


def percent(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def coupon_title(
    *, benefit: str, benefit_value: Decimal | None, max_discount: Decimal | None, store: str
) -> str:
    """The title in the active language."""
    if benefit == Benefit.FIXED and benefit_value:
        gives = _("%(amount)s off") % {"amount": rupees(benefit_value)}
    elif benefit == Benefit.PERCENT and benefit_value and max_discount:
        gives = _("%(percent)s%% off (up to %(cap)s)") % {
            "percent": percent(benefit_value),
            "cap": rupees(max_discount),
        }
    elif benefit == Benefit.PERCENT and benefit_value:
        gives = _("%(percent)s%% off") % {"percent": percent(benefit_value)}
    elif benefit == Benefit.BOGO:
        gives = _("Buy one, get one")
    elif benefit == Benefit.FREE_SHIPPING:
        gives = _("Free shipping")
    else:
        gives = _("A coupon")
    if not store:
        return gives
    return _("%(gives)s at %(store)s") % {"gives": gives, "store": store}


def coupon_title_of(coupon) -> str:
    return coupon_title(
        benefit=coupon.benefit,
        benefit_value=coupon.benefit_value,
        max_discount=coupon.max_discount,
        store=coupon.store_label,
    )


def stored_title(coupon) -> str:
    """The English title kept in `Listing.title` (admin search, exports)."""
    with translation.override("en"):
        return coupon_title_of(coupon)[:160]
