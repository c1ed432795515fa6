"""Template filters for merchants: the initials badge and the cashback label."""

from django import template

from catalog import logos, selectors

register = template.Library()


@register.filter
def initials(name: str) -> str:
    """`{{ merchant.name|initials }}` -> "My" for Myntra, "TC" for Tata CLiQ."""
    return logos.initials(name or "")


@register.filter
def brand_colour(merchant) -> str:
    """The merchant's colour when it is a #rrggbb value, else the site's teal (it goes into a
    style attribute, so nothing else may pass)."""
    return logos.safe_colour(merchant.brand_color)


@register.filter
def badge_text_colour(brand_colour: str) -> str:
    """White or near-black text for a badge on `brand_colour`."""
    return logos.text_colour_for(brand_colour)


@register.filter
def merchant_cashback(merchant) -> str:
    """`{{ merchant|merchant_cashback }}` -> "Up to 7% cashback", "Flat ₹150 cashback" or ""."""
    return selectors.merchant_cashback_label(merchant)
