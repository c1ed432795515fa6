"""The browse filter form (GET: works without JavaScript, every result a link) and the sell
form."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from ..errors import PriceTooHigh
from .selectors import SORTS

MONEY_INPUT = {"inputmode": "decimal", "step": "0.01", "min": "0"}


class BrowseForm(forms.Form):
    """Invalid fields are reported beside their input and ignored; the rest still filter."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    store = forms.ChoiceField(label=_("Store"), required=False)
    min_price = forms.DecimalField(
        label=_("Price from (₹)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    max_price = forms.DecimalField(
        label=_("Price up to (₹)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    min_discount = forms.DecimalField(
        label=_("Saves at least (₹)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    expiring = forms.BooleanField(label=_("Expiring within 7 days"), required=False)
    verified = forms.BooleanField(label=_("Verified only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORTS.items()))

    def __init__(self, data, *, categories, stores):
        super().__init__(data, auto_id="filter-%s")
        choices = [("", _("All categories"))]
        for category in categories:
            choices.append((category.slug, category.name))
            choices += [(child.slug, f"— {child.name}") for child in category.children.all()]
        self.fields["category"].choices = choices
        self.fields["store"].choices = [("", _("All stores")), *stores]
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                css = "form-check-input"
            elif isinstance(field, forms.ChoiceField):
                css = "form-select"
            else:
                css = "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", _("Make this at least the lowest price."))
        return data

    def filters(self) -> dict:
        """The selector's keyword arguments from the valid fields; marks the invalid ones."""
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"filter-{name}-error"
        data = self.cleaned_data
        return {
            "category": data.get("category") or None,
            "store": data.get("store") or None,
            "min_price": data.get("min_price"),
            "max_price": data.get("max_price") if "max_price" not in self.errors else None,
            "min_discount": data.get("min_discount"),
            "expiring": bool(data.get("expiring")),
            "verified": bool(data.get("verified")),
            "sort": data.get("sort") or "newest",
        }


class SellForm(forms.Form):
    price = forms.DecimalField(
        label=_("Your price (₹)"),
        min_value=Decimal("1.00"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**MONEY_INPUT, "min": "1", "class": "form-control"}),
    )
    swap_welcome = forms.BooleanField(
        label=_("Swaps welcome"),
        help_text=_("Other shoppers may also offer one of their coupons for this one."),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, worth: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        price = self.fields["price"]
        price.validators.append(MaxValueValidator(worth, message=PriceTooHigh.default_message))
        price.widget.attrs["max"] = str(worth)
