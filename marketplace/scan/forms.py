"""The scan's forms: the upload (a phone opens its camera or gallery) and the review of what
was read, which is the locker's own coupon form prefilled, with each field's confidence."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from coupzii.core.forms import DomainErrorFormMixin

from ..locker.forms import LockerCouponForm
from .services import CHECK_BELOW

# The reader's field names, and the review form's (the same but the store).
FIELD_FOR_READING = {
    "code": "code",
    "store": "store",
    "benefit": "benefit",
    "benefit_value": "benefit_value",
    "min_order": "min_order",
    "max_discount": "max_discount",
    "expires_on": "expires_on",
}


class ScanUploadForm(DomainErrorFormMixin, forms.Form):
    field_for_code = {"invalid": "image"}

    image = forms.FileField(
        label=_("Screenshot"),
        help_text=_("A PNG, JPEG or WebP picture of the coupon, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class ScanReviewForm(LockerCouponForm):
    """The coupon as read, for the shopper to correct before it goes into the locker."""


def review_initial(fields: dict) -> dict:
    """The review form's starting values from a scan's `fields`."""
    initial = {}
    for reading_name, form_name in FIELD_FOR_READING.items():
        value = fields.get(reading_name, {}).get("value")
        if value in (None, ""):
            continue
        if form_name in ("benefit_value", "min_order", "max_discount"):
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                continue
        elif form_name == "expires_on":
            value = parse_date(str(value))
        initial[form_name] = value
    return initial


def confidences(fields: dict) -> dict:
    """{form field: {"percent": 93, "check": False}} for the fields the reader found."""
    found = {}
    for reading_name, form_name in FIELD_FOR_READING.items():
        item = fields.get(reading_name)
        if not item:
            continue
        confidence = float(item.get("confidence") or 0)
        found[form_name] = {"percent": round(confidence * 100), "check": confidence < CHECK_BELOW}
    return found
