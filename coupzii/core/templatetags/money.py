"""`{{ amount|inr }}` -> ₹1,23,456.78 and `{{ amount|inr_short }}` -> ₹150 for whole rupees."""

from django import template

from coupzii.core.money import InvalidAmount, format_inr

register = template.Library()


@register.filter
def inr(value):
    try:
        return format_inr(value)
    except InvalidAmount:
        return ""


@register.filter
def inr_short(value):
    try:
        return format_inr(value, paise=False)
    except InvalidAmount:
        return ""
