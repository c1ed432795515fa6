"""The new-swap form: one of your coupons, optional rupees, a message."""

from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin

from ..listings.titles import coupon_title_of
from .services import MAX_CASH


class CouponChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, coupon) -> str:
        # The site's date format (DATE_FORMAT), as the pages' `|date` shows it.
        expiry = date_format(coupon.expires_on) if coupon.expires_on else ""
        suffix = f" · {_('expires')} {expiry}" if expiry else ""
        return f"{coupon_title_of(coupon)}{suffix}"


class SwapForm(DomainErrorFormMixin, forms.Form):
    offered = CouponChoiceField(
        label=_("Your coupon to offer"),
        queryset=None,
        to_field_name="public_id",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Pick one of your active coupons.")},
    )
    cash = forms.DecimalField(
        label=_("Rupees you add (optional)"),
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_CASH,
        max_digits=12,
        decimal_places=2,
        help_text=_("Paid from your wallet's available balance if they accept."),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_for_code = {
        "coupon_not_found": "offered",
        "coupon_not_available": "offered",
        "coupon_not_swappable": "offered",
        "insufficient_funds": "cash",
        "exchange_already_pending": "offered",
    }

    def __init__(self, *args, coupons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offered"].queryset = coupons
