"""Template filters for merchants: the initials badge and the cashback label."""

from django import template
from django.utils.html import format_html

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
def brand_class(brand_colour: str) -> str:
    """`cz-brand-0f766e`: the class `brand_colour_style` gives this colour."""
    return "cz-brand-" + logos.safe_colour(brand_colour)[1:].lower()


@register.simple_tag(takes_context=True)
def brand_colour_style(context, brand_colour: str) -> str:
    """A `<style>` element giving `brand_class(brand_colour)` the badge and card colours.

    The Content-Security-Policy refuses style attributes, and a brand's colour is data, so it
    cannot live in the stylesheet: this element carries the request's nonce instead. Only a
    checked #rrggbb value is written into it.
    """
    colour = logos.safe_colour(brand_colour)
    text = logos.text_colour_for(colour)
    request = context.get("request")
    nonce = getattr(request, "csp_nonce", "") if request is not None else ""
    rule = f"--cz-logo-bg:{colour};--cz-logo-fg:{text};--cz-gc-bg:{colour};--cz-gc-fg:{text}"
    return format_html('<style nonce="{}">.{}{{{}}}</style>', str(nonce), brand_class(colour), rule)


@register.filter
def merchant_cashback(merchant) -> str:
    """`{{ merchant|merchant_cashback }}` -> "Up to 7% cashback", "Flat ₹150 cashback" or ""."""
    return selectors.merchant_cashback_label(merchant)
