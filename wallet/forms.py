"""Forms of the wallet pages: they read what the shopper typed; the services decide the rest."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin
from coupzii.core.money import InvalidAmount, format_inr, parse_inr

from .models import AccountKind, PayoutMethod
from .selectors import STATEMENT_KIND_CHOICES

# Receipts are phone photos or screenshots; anything bigger is not a receipt.
MAX_RECEIPT_BYTES = 5 * 1024 * 1024
# The balances a shopper can filter their statement by: the two shown as balances.
BALANCE_CHOICES = [
    (AccountKind.AVAILABLE.value, AccountKind.AVAILABLE.label),
    (AccountKind.PENDING.value, AccountKind.PENDING.label),
]


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class RupeeField(forms.CharField):
    """An amount as people type it ("250", "₹1,250.50", "Rs 500"), cleaned to a Decimal."""

    default_error_messages = {"invalid": _("Enter an amount in rupees, like 250 or 1,250.50.")}
    MAX_LENGTH = 20

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(inputmode="decimal", autocomplete="off", maxlength=str(self.MAX_LENGTH))
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            if len(value) > self.MAX_LENGTH:
                raise InvalidAmount(value)
            return parse_inr(value)
        except InvalidAmount:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


# --- Transactions filter ------------------------------------------------------------------------


class TransactionFilterForm(forms.Form):
    """The transactions tab's filters (a GET form): every field optional."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        required=False,
        choices=[("", _("Everything")), *STATEMENT_KIND_CHOICES],
    )
    account = forms.ChoiceField(
        label=_("Balance"),
        required=False,
        choices=[("", _("All balances")), *BALANCE_CHOICES],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters, for `selectors.statement_for`; invalid ones are left out."""
        self.is_valid()  # fills cleaned_data with the fields that are valid
        return {name: value for name, value in self.cleaned_data.items() if value}


# --- Withdraw and KYC -------------------------------------------------------------------------


class WithdrawForm(DomainErrorFormMixin, forms.Form):
    field_for_code = {"insufficient_funds": "amount", "payout_destination_missing": "method"}

    method = forms.ChoiceField(
        label=_("Pay me by"), choices=PayoutMethod.choices, widget=forms.RadioSelect
    )
    amount = RupeeField(label=_("Amount in rupees"))
    # One per rendered form: posting the same form twice (double tap, refresh) makes one request.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, kyc=None, available=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())
        method = self.fields["method"]
        if kyc is not None:
            method.choices = [
                (PayoutMethod.UPI.value, _destination_label(PayoutMethod.UPI.label, kyc.upi_id)),
                (
                    PayoutMethod.BANK.value,
                    _destination_label(
                        PayoutMethod.BANK.label,
                        f"{kyc.ifsc} · {kyc.bank_masked}" if kyc.bank_last4 else "",
                    ),
                ),
            ]
            self.initial.setdefault(
                "method",
                PayoutMethod.UPI if kyc.upi_id or not kyc.bank_last4 else PayoutMethod.BANK,
            )
        else:
            self.initial.setdefault("method", PayoutMethod.UPI)
        if available is not None:
            self.fields["amount"].help_text = _("You have %(available)s available.") % {
                "available": format_inr(available)
            }

    def renew_idempotency_key(self) -> None:
        """A fresh key for a form shown again after a refusal that used up the old one."""
        self.data = self.data.copy()
        self.data[self.add_prefix("idempotency_key")] = new_idempotency_key()


def _destination_label(method: str, destination: str) -> str:
    if destination:
        return f"{method} · {destination}"
    return _("%(method)s (add it to your payout details first)") % {"method": method}


class KycForm(DomainErrorFormMixin, forms.Form):
    legal_name = forms.CharField(
        label=_("Name as on your PAN card"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    pan = forms.CharField(
        label=_("PAN"),
        max_length=10,
        help_text=_("Kept encrypted. We only ever show its last 4 characters."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCDE1234F",
            }
        ),
    )
    upi_id = forms.CharField(
        label=_("UPI id"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "placeholder": "name@okaxis",
            }
        ),
    )
    bank_account = forms.CharField(
        label=_("Bank account number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    ifsc = forms.CharField(
        label=_("IFSC"),
        max_length=11,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "HDFC0001234",
            }
        ),
    )

    @classmethod
    def for_profile(cls, profile):
        """A form to correct `profile`, prefilled with what may be shown again: never the PAN
        or the account number, which are typed afresh."""
        if profile is None:
            return cls()
        return cls(
            initial={
                "legal_name": profile.legal_name,
                "upi_id": profile.upi_id,
                "ifsc": profile.ifsc,
            }
        )


# --- Missing cashback -------------------------------------------------------------------------


class ClaimForm(DomainErrorFormMixin, forms.Form):
    field_for_code = {"not_found": "click", "claim_refused": "click"}

    click = forms.UUIDField(label=_("Which visit was it?"), widget=forms.RadioSelect)
    order_id = forms.CharField(
        label=_("Order id"),
        max_length=64,
        help_text=_("From the store's order confirmation email or app."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    amount = RupeeField(label=_("Amount paid"))
    order_date = forms.DateField(
        label=_("Order date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    receipt = forms.ImageField(
        label=_("Receipt or order screenshot"),
        required=False,
        help_text=_("A photo or screenshot of the order, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, clicks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clicks = list(clicks)
        self.fields["click"].widget.choices = [
            (str(click.id), str(click.id)) for click in self.clicks
        ]
        self.fields["order_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt and receipt.size > MAX_RECEIPT_BYTES:
            raise forms.ValidationError(_("The image is larger than 5 MB."))
        return receipt

    def selected_click(self) -> str:
        """The click the shopper chose, as posted (to keep it chosen when the form is shown
        again), else the newest one."""
        if self.is_bound:
            return str(self.data.get(self.add_prefix("click"), ""))
        return str(self.clicks[0].id) if self.clicks else ""
