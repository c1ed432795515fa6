"""The locker's forms: the filters of the list (a GET form) and a coupon added or changed by
hand. The services check the rules; their refusals come back as errors on these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin

from ..models import Benefit, Source
from . import selectors

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0, "required": False}


class LockerFilterForm(forms.Form):
    """Source, store, category and status. Unknown values are dropped, not refused: an old
    link still shows the locker."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    store = forms.ChoiceField(label=_("Store"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, data=None, *, stores=(), categories=()):
        super().__init__(data)
        self.fields["status"].choices = [("", _("Not sold"))] + [
            (status.value, status.label) for status in selectors.STATUS_FILTERS
        ]
        self.fields["source"].choices = [("", _("Any source")), *Source.choices]
        self.fields["store"].choices = [("", _("Any store")), *stores]
        self.fields["category"].choices = [("", _("Any category"))] + [
            (category.slug, category.name) for category in categories
        ]

    def filters(self) -> dict[str, str]:
        """Keyword arguments for selectors.locker_for: the valid values, "" elsewhere."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class LockerCouponForm(DomainErrorFormMixin, forms.Form):
    """A coupon typed in by hand (or corrected). `store` is a merchant's name (suggested from
    the list) or any store's name: the service matches it."""

    field_for_key = {"store_name": "store", "merchant": "store"}
    field_for_code = {"code_already_in_locker": "code"}

    code = forms.CharField(
        label=_("Code"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    store = forms.CharField(
        label=_("Store"),
        max_length=120,
        required=False,
        help_text=_("Pick a store from the list or type its name or website."),
        widget=forms.TextInput(attrs={"list": "cz-locker-stores", "autocomplete": "off"}),
    )
    benefit = forms.ChoiceField(
        label=_("What it gives"), choices=Benefit.choices, widget=forms.RadioSelect
    )
    benefit_value = forms.DecimalField(
        # xgettext:no-python-format (a label, never %-formatted)
        label=_("Value (% or ₹)"),
        help_text=_("The percentage off, or the rupees off."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        **MONEY,
    )
    min_order = forms.DecimalField(
        label=_("Minimum order (₹)"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        **MONEY,
    )
    max_discount = forms.DecimalField(
        label=_("Maximum discount (₹)"),
        help_text=_("For a percentage: the most it takes off."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        **MONEY,
    )
    worth = forms.DecimalField(
        label=_("Worth up to (₹)"),
        help_text=_("For buy-one-get-one or free shipping: about how much it saves."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        **MONEY,
    )
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    terms = forms.CharField(
        label=_("Terms"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes (only you see them)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_values(self) -> dict:
        """The cleaned data as locker_coupon_add's keyword arguments."""
        data = dict(self.cleaned_data)
        data["store_name"] = data.pop("store") or ""
        return data

    def service_changes(self) -> dict:
        """Only what the shopper changed, as locker_coupon_update's `changes` (an unchanged
        past expiry of an expired coupon is then not checked again)."""
        values = self.service_values()
        changed = {"store_name" if name == "store" else name for name in self.changed_data}
        return {name: value for name, value in values.items() if name in changed}


def initial_of(coupon) -> dict:
    """The form's starting values for one of the shopper's coupons."""
    return {
        "code": coupon.code,
        "store": coupon.store_label,
        "benefit": coupon.benefit,
        "benefit_value": coupon.benefit_value,
        "min_order": coupon.min_order,
        "max_discount": coupon.max_discount,
        "worth": coupon.worth,
        "expires_on": coupon.expires_on,
        "terms": coupon.terms,
        "notes": coupon.notes,
    }
