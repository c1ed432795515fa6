"""Forms of the shop pages: they read what the shopper sent; the cart and checkout services
decide the rest, and their refusals come back as form errors."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import normalize_phone
from coupzii.core.forms import DomainErrorFormMixin

from .services.promos import CODE_MAX_LENGTH

MAX_QUERY_LENGTH = 100
# A quantity box never needs more: the per-order limits are far below it.
QUANTITY_CEILING = 99


# --- /gift-cards/ ------------------------------------------------------------------------------


class GiftCardFilterForm(forms.Form):
    """The list's search and filters (a GET form). Unknown categories and brands are dropped
    rather than refused: an old link still shows every card."""

    q = forms.CharField(label=_("Search gift cards"), required=False, max_length=MAX_QUERY_LENGTH)
    category = forms.ChoiceField(label=_("Category"), required=False)
    brand = forms.ChoiceField(label=_("Brand"), required=False)

    def __init__(self, data=None, *, categories=(), brands=()):
        super().__init__(data)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.slug, c.name) for c in categories
        ]
        self.fields["brand"].choices = [("", _("All brands"))] + [(b.slug, b.name) for b in brands]

    def filters(self) -> dict[str, str]:
        """q, category_slug and brand_slug for catalog.selectors.gift_cards_list."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip(),
            "category_slug": data.get("category") or "",
            "brand_slug": data.get("brand") or "",
        }


# --- /gift-cards/<slug>/ -----------------------------------------------------------------------


class AddToCartForm(DomainErrorFormMixin, forms.Form):
    """A denomination of the product and how many. The choices are the product's sellable
    denominations; one out of stock can't be chosen."""

    field_for_key = {"sku": "sku"}

    sku = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=QUANTITY_CEILING)

    def __init__(self, *args, variants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.variants = {variant.sku: variant for variant in variants}
        self.fields["sku"].choices = [(sku, sku) for sku in self.variants]
        if not self.is_bound:
            first = next((v for v in variants if v.stock > 0), None)
            if first is not None:
                self.initial.setdefault("sku", first.sku)
                self.initial.setdefault("quantity", first.min_quantity)
            else:
                self.initial.setdefault("quantity", 1)

    def clean(self):
        cleaned = super().clean()
        variant = self.variants.get(cleaned.get("sku") or "")
        quantity = cleaned.get("quantity")
        if variant is None:
            return cleaned
        if variant.stock <= 0:
            self.add_error("sku", _("This amount is out of stock. Choose another."))
        elif quantity and quantity > variant.stock:
            self.add_error(
                "quantity",
                _("Only %(n)d of this amount left.") % {"n": variant.stock},
            )
        return cleaned

    @property
    def selected_sku(self) -> str:
        return str(self.data.get("sku") if self.is_bound else self.initial.get("sku") or "")


# --- /cart/ ------------------------------------------------------------------------------------


class CartLineForm(forms.Form):
    """One line's new quantity (the minus and plus buttons send it too); 0 removes the line."""

    sku = forms.CharField(max_length=80)
    quantity = forms.IntegerField(min_value=0, max_value=QUANTITY_CEILING)


class CartLineRemoveForm(forms.Form):
    sku = forms.CharField(max_length=80)


class PromoForm(DomainErrorFormMixin, forms.Form):
    field_for_key = {"promo_code": "code", "promo": "code"}

    code = forms.CharField(
        label=_("Promo code"),
        max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter a promo code.")},
    )


class WalletToggleForm(forms.Form):
    use = forms.BooleanField(label=_("Use my wallet balance"), required=False)


# --- /checkout/ --------------------------------------------------------------------------------


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class CheckoutForm(DomainErrorFormMixin, forms.Form):
    field_for_key = {"Idempotency-Key": "idempotency_key"}

    email = forms.EmailField(
        label=_("Email for the codes"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile number for an SMS copy"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "98765 43210"}
        ),
    )
    # Made when the page is drawn: sending the same page twice (a double tap, a refresh after
    # a lost answer) finds the first order instead of placing a second.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())
            if user is not None:
                self.initial.setdefault("email", user.email)
                self.initial.setdefault("phone", user.phone or "")

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        return normalize_phone(phone) if phone else ""

    def renew_idempotency_key(self) -> None:
        """A fresh key for a form shown again after a refusal that used up the old one."""
        self.data = self.data.copy()
        self.data[self.add_prefix("idempotency_key")] = new_idempotency_key()
