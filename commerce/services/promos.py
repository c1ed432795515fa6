"""Promo codes: find one by what the shopper typed, check it may be used now by this shopper,
and hand its terms to the pricing arithmetic."""

from datetime import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import User
from coupzii.core.money import format_inr

from .. import pricing
from ..errors import PromoInvalid
from ..models import PromoCode, PromoKind, PromoUsage

CODE_MAX_LENGTH = 32


def promo_find(code: str) -> PromoCode:
    # As the admin stores codes: upper case, no spaces ("diwali 10" finds DIWALI10).
    code = "".join((code or "").split()).upper()
    if not code or len(code) > CODE_MAX_LENGTH:
        raise _invalid(_("Enter a promo code."))
    promo = PromoCode.objects.filter(code=code, is_active=True).first()
    if promo is None:
        raise _invalid(_("%(code)s is not a valid promo code.") % {"code": code})
    return promo


def check_promo_usable(promo: PromoCode, *, user: User | None, now: datetime) -> None:
    """Raise PromoInvalid unless the code is live and has uses left, in all and for `user`.

    At checkout the caller holds the promo row's lock, so the counts can't change before
    the new use is recorded."""
    if not promo.is_active or not pricing.promo_live(promo.starts_at, promo.ends_at, now):
        raise _invalid(_("%(code)s has expired or is not active yet.") % {"code": promo.code})
    counts = PromoUsage.objects.filter(promo=promo, released_at__isnull=True).aggregate(
        everyone=Count("pk"), mine=Count("pk", filter=Q(user=user) if user else Q(pk=None))
    )
    if promo.usage_limit is not None and counts["everyone"] >= promo.usage_limit:
        raise _invalid(_("%(code)s has been fully used.") % {"code": promo.code})
    if user is not None and counts["mine"] >= promo.per_user_limit:
        raise _invalid(_("You have already used %(code)s.") % {"code": promo.code})


def promo_terms(promo: PromoCode) -> pricing.Promo:
    return pricing.Promo(
        kind=promo.kind,
        value=promo.value,
        max_discount=promo.max_discount,
        min_order=promo.min_order,
        product_ids=frozenset(p.pk for p in promo.products.all()),
        category_ids=frozenset(c.pk for c in promo.categories.all()),
    )


def promo_summary(promo: PromoCode) -> str:
    """ "10% off, up to ₹200, on orders from ₹500" in the shopper's language."""
    if promo.kind == PromoKind.PERCENT:
        text = _("%(value)s%% off") % {"value": f"{promo.value.normalize():f}"}
    else:
        text = _("%(value)s off") % {"value": format_inr(promo.value)}
    if promo.max_discount:
        text += ", " + _("up to %(cap)s") % {"cap": format_inr(promo.max_discount)}
    if promo.min_order:
        text += ", " + _("on orders from %(min)s") % {"min": format_inr(promo.min_order)}
    return text


def _invalid(message: str) -> PromoInvalid:
    return PromoInvalid(message, fields={"promo_code": [message]})
