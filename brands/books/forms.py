"""Forms of the books area: a book's settings, generating codes, importing a file, and the
code list's search."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin
from offers.models import CodeStatus, CouponBook, Offer
from offers.services import DIGITS, LETTERS

from . import selectors


def pattern_help() -> str:
    # Formatted when a form is made, so it is in the language of that request.
    return gettext(
        "# is a digit, ? a letter, * either; other letters, digits, - and _ are copied as "
        "they are. Codes use only unambiguous characters: digits %(digits)s and letters "
        "%(letters)s (no 0/O or 1/I/L)."
    ) % {"digits": DIGITS, "letters": LETTERS}


class BookForm(DomainErrorFormMixin, forms.Form):
    offer = forms.ModelChoiceField(
        label=_("Offer"),
        queryset=Offer.objects.none(),
        to_field_name="public_id",
        help_text=_("One of your brand's unique-code offers."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    code_pattern = forms.CharField(label=_("Code pattern"), max_length=40, initial="****-****")
    max_redemptions_per_code = forms.IntegerField(
        label=_("Redemptions per code"), min_value=1, max_value=1_000_000, initial=1
    )
    per_user_limit = forms.IntegerField(
        label=_("Codes per shopper"), min_value=1, max_value=1_000, initial=1
    )
    lock_minutes = forms.IntegerField(
        label=_("Lock time (minutes)"),
        min_value=1,
        max_value=7 * 24 * 60,
        initial=15,
        help_text=_("How long a till's checkout holds a code before it is free again."),
    )
    resale_allowed = forms.BooleanField(
        label=_("Codes may be resold on the marketplace"), required=False
    )
    swap_allowed = forms.BooleanField(label=_("Codes may be swapped"), required=False)

    field_for_key = {"lock_ttl_seconds": "lock_minutes"}

    def __init__(self, *args, membership, book: CouponBook | None = None, **kwargs):
        if book is not None:
            kwargs.setdefault("initial", book_initial(book))
        super().__init__(*args, **kwargs)
        self.fields["code_pattern"].help_text = pattern_help()
        if book is None:
            self.fields["offer"].queryset = selectors.offers_for_books(membership)
        else:
            del self.fields["offer"]

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "code_pattern": data["code_pattern"],
            "max_redemptions_per_code": data["max_redemptions_per_code"],
            "per_user_limit": data["per_user_limit"],
            "lock_ttl_seconds": data["lock_minutes"] * 60,
            "resale_allowed": data["resale_allowed"],
            "swap_allowed": data["swap_allowed"],
        }


def book_initial(book: CouponBook) -> dict:
    return {
        "name": book.name,
        "code_pattern": book.code_pattern,
        "max_redemptions_per_code": book.max_redemptions_per_code,
        "per_user_limit": book.per_user_limit,
        "lock_minutes": max(1, book.lock_ttl_seconds // 60),
        "resale_allowed": book.resale_allowed,
        "swap_allowed": book.swap_allowed,
    }


class GenerateForm(DomainErrorFormMixin, forms.Form):
    def __init__(self, *args, limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"] = forms.IntegerField(
            label=_("How many codes"),
            min_value=1,
            max_value=limit,
            help_text=_("Up to %(limit)s codes per book on your plan.") % {"limit": f"{limit:,}"},
        )


class ImportForm(DomainErrorFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "One code per row in the first column (a header row is optional): CSV in UTF-8, "
            "or the first sheet of an .xlsx file, at most 20 MB. Codes are 1 to 64 letters, "
            "digits, - or _."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class CodeFilterForm(forms.Form):
    q = forms.CharField(label=_("Code"), required=False, max_length=64)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *CodeStatus.choices],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"q": "", "status": ""}
        return {"q": self.cleaned_data["q"], "status": self.cleaned_data["status"]}
