"""Forms of the till page, the API keys page and the budgets page."""

import re
import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import Brand

from . import selectors

BIG = {"class": "form-control form-control-lg"}


class StyledForm(forms.Form):
    """Bootstrap's classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def _split_products(text: str) -> list[str]:
    return [sku for sku in re.split(r"[\s,;]+", text or "") if sku]


class TillForm(forms.Form):
    """One form for every till button: which one was pressed is `action`."""

    CHECK, LOCK, REDEEM, UNLOCK = "check", "lock", "redeem", "unlock"
    ACTIONS = (CHECK, LOCK, REDEEM, UNLOCK)

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                **BIG,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "inputmode": "text",
            }
        ),
    )
    order_amount = forms.DecimalField(
        label=_("Order amount (₹)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**BIG, "inputmode": "decimal", "step": "0.01"}),
    )
    products = forms.CharField(
        label=_("Products (SKUs)"),
        required=False,
        max_length=2000,
        help_text=_("Separate SKUs with commas or spaces."),
        widget=forms.TextInput(attrs={**BIG, "autocomplete": "off"}),
    )
    order_reference = forms.CharField(
        label=_("Order reference"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={**BIG, "autocomplete": "off"}),
    )
    book = forms.UUIDField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)

    def clean_products(self) -> list[str]:
        products = _split_products(self.cleaned_data.get("products", ""))
        if len(products) > 200 or any(len(sku) > 64 for sku in products):
            raise forms.ValidationError(_("At most 200 SKUs, each up to 64 characters."))
        return products

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in (self.CHECK, self.REDEEM) and data.get("order_amount") is None:
            self.add_error("order_amount", _("Enter the order amount."))
        if action == self.REDEEM and not data.get("order_reference"):
            self.add_error("order_reference", _("Enter the order reference."))
        return data


class ApiKeyForm(StyledForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Which till or system uses it, e.g. “Store 12, till 3”."),
    )
    scope = forms.ChoiceField(label=_("May use"), required=False)

    def __init__(self, *args, brand: Brand, **kwargs):
        super().__init__(*args, **kwargs)
        self.brand = brand
        self.books = {str(b.public_id): b for b in selectors.key_scope_books(brand)}
        self.stores = {s.merchant.slug: s.merchant for s in selectors.key_scope_stores(brand)}
        choices = [("", _("Every code book of the brand"))]
        if self.books:
            choices.append(
                (
                    _("One code book"),
                    [(f"book:{k}", f"{b.name} ({b.offer.title})") for k, b in self.books.items()],
                )
            )
        if self.stores:
            choices.append(
                (_("One store"), [(f"store:{k}", m.name) for k, m in self.stores.items()])
            )
        self.fields["scope"].choices = choices

    def clean_scope(self) -> dict:
        value = self.cleaned_data.get("scope") or ""
        if value.startswith("book:"):
            return {"book": self.books[value[5:]], "merchant": None}
        if value.startswith("store:"):
            return {"book": None, "merchant": self.stores[value[6:]]}
        return {"book": None, "merchant": None}


class BudgetCapsForm(StyledForm):
    max_redemptions = forms.IntegerField(
        label=_("Most redemptions"), required=False, min_value=1, max_value=2_000_000_000
    )
    max_discount = forms.DecimalField(
        label=_("Most discount (₹)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )

    def clean(self):
        data = super().clean()
        no_cap = data.get("max_redemptions") is None and data.get("max_discount") is None
        if no_cap and not self.errors:
            raise forms.ValidationError(_("Set a cap on redemptions, on discount, or both."))
        return data


class BudgetForm(BudgetCapsForm):
    target = forms.ChoiceField(label=_("What it caps"))

    field_order = ["target", "max_redemptions", "max_discount"]

    def __init__(self, *args, brand: Brand, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {str(o.public_id): o for o in selectors.budget_offers(brand)}
        self.books = {str(b.public_id): b for b in selectors.budget_books(brand)}
        self.fields["target"].choices = [
            ("", "—"),
            (_("An offer"), [(f"offer:{k}", o.title) for k, o in self.offers.items()]),
            (
                _("A code book"),
                [(f"book:{k}", f"{b.name} ({b.offer.title})") for k, b in self.books.items()],
            ),
        ]

    def clean_target(self) -> dict:
        value = self.cleaned_data.get("target") or ""
        kind, _sep, key = value.partition(":")
        if kind == "offer" and key in self.offers:
            return {"offer": self.offers[key], "book": None}
        if kind == "book" and key in self.books:
            return {"offer": None, "book": self.books[key]}
        raise forms.ValidationError(_("Choose an offer or a code book."))


class RollbackForm(forms.Form):
    idempotency_key = forms.CharField(max_length=80)
    book = forms.UUIDField()


def new_idempotency_key() -> str:
    return f"till-{uuid.uuid4()}"
