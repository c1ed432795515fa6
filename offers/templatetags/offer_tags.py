"""Template filters for offer cards: expiry, discount and cashback labels, per-offer counts."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from offers import selectors

register = template.Library()


@register.filter
def ends_label(offer) -> str:
    """ "Ends today", "Ends tomorrow", "Ends in 5 days" or "No expiry", by the shopper's calendar
    day (Asia/Kolkata), not by 24-hour periods: an offer ending tonight "ends today"."""
    if offer.ends_at is None:
        return gettext("No expiry")
    days = (timezone.localdate(offer.ends_at) - timezone.localdate()).days
    if days < 0:
        return gettext("Ended")
    if days == 0:
        return gettext("Ends today")
    if days == 1:
        return gettext("Ends tomorrow")
    return ngettext("Ends in %(days)d day", "Ends in %(days)d days", days) % {"days": days}


@register.filter
def ends_soon(offer) -> bool:
    """Whether to draw the expiry in the warning colour: ends today or tomorrow."""
    if offer.ends_at is None:
        return False
    return (timezone.localdate(offer.ends_at) - timezone.localdate()).days <= 1


@register.filter
def discount_badge(offer) -> str:
    """The short label on a card's corner: "50% off", "₹200 off", "Buy 1 Get 1", "Free
    delivery" (the assistant's cards say the same: offers.selectors.offer_discount_label)."""
    return selectors.offer_discount_label(offer)


@register.filter
def offer_cashback(offer) -> str:
    """`{{ offer|offer_cashback }}`: the offer's cashback (its override, else the merchant's)."""
    return selectors.offer_cashback_label(offer)


@register.filter
def get_item(mapping, key):
    """`{{ uses_today|get_item:offer.id }}`: a dict lookup by a variable key (None if absent)."""
    if not mapping:
        return None
    return mapping.get(key)
