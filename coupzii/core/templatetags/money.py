"""`{{ amount|inr }}` -> ₹1,23,456.78: every amount in a template, the one rupee format."""

from django import template

from coupzii.core.money import InvalidAmount, format_inr

register = template.Library()


@register.filter
def inr(value):
    try:
        return format_inr(value)
    except InvalidAmount:
        return ""
