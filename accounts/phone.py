"""Phone numbers in E.164 (+919876543210), read from what people type ("98765 43210")."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "IN"


def normalize_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164, or raise ValidationError if it is not a valid number.

    Numbers without a country code are read as Indian.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164(value: str) -> None:
    """Model validator: the stored value must already be a valid E.164 number."""
    if normalize_phone(value) != value:
        raise ValidationError(
            _("Store phone numbers in E.164, like +919876543210."), code="not_e164"
        )
