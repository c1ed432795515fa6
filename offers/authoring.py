"""Writing offers: create one, change its fields, move it between statuses, each checked
against the model (`full_clean`, which also runs its check constraints) and the business rules
below. Callers (the admin's imports aside: the brand portal, its API and bulk upload) reach
these through offers.services; nothing here knows who is writing.

Refusals are Django `ValidationError`s keyed by field, so a form or a serializer can put each
message beside its input, or an `OfferStatusRefused` for a status move that is not allowed.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import status as http_status

from coupzii.core.errors import DomainError

from .models import DiscountType, Offer, OfferKind, OfferStatus

HUNDRED = Decimal("100")

#: The fields an author may set on an offer (the merchant only when creating or moving it).
AUTHORED_FIELDS = frozenset(
    {
        "merchant",
        "category",
        "kind",
        "title",
        "description",
        "code",
        "discount_type",
        "discount_value",
        "min_order",
        "max_discount",
        "starts_at",
        "ends_at",
        "terms",
    }
)
# Translated with django-modeltranslation: what an author types is the English (required)
# column whatever language the page is read in, as in the admin's spreadsheets. Writing the
# plain attribute would fill the active language's column and leave English empty.
TRANSLATED_FIELDS = frozenset({"title", "description", "terms"})

#: Which status may follow which. Expired is the end: an ended offer is never shown again.
TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.DRAFT: frozenset({OfferStatus.ACTIVE, OfferStatus.EXPIRED}),
    OfferStatus.ACTIVE: frozenset({OfferStatus.PAUSED, OfferStatus.EXPIRED}),
    OfferStatus.PAUSED: frozenset({OfferStatus.ACTIVE, OfferStatus.EXPIRED}),
    OfferStatus.EXPIRED: frozenset(),
}


class OfferStatusRefused(DomainError):
    code = "offer_status_refused"
    status_code = http_status.HTTP_409_CONFLICT
    default_message = _("This offer cannot move to that status from where it is now.")


def offer_create(*, merchant, status: str = OfferStatus.DRAFT, **fields) -> Offer:
    """A new offer of `merchant`, a draft unless `status` says otherwise.

    Raises ValidationError (by field) for anything the model or the rules refuse, TypeError
    for a field that is not an author's.
    """
    _refuse_unknown(fields)
    offer = Offer(merchant=merchant, status=status)
    for field, value in fields.items():
        _set(offer, field, value)
    offer_validate(offer)
    offer.save()
    return offer


def offer_update(*, offer: Offer, changes: dict) -> dict:
    """Apply `changes` ({field: new value}) to `offer` and save the fields that changed.

    Returns {field: (old, new)} for those fields only (empty when nothing changed, and
    nothing is written then). Raises ValidationError (by field) and leaves `offer` as it was.
    """
    _refuse_unknown(changes)
    changed = {}
    for field, new in changes.items():
        old = _get(offer, field)
        if _normalised(old) != _normalised(new):
            changed[field] = (old, new)
    if not changed:
        return {}
    for field, (_old, new) in changed.items():
        _set(offer, field, new)
    try:
        offer_validate(offer)
    except ValidationError:
        for field, (old, _new) in changed.items():
            _set(offer, field, old)
        raise
    columns = [_column(field) for field in changed]
    offer.save(update_fields=[*columns, "updated_at"])
    return changed


@transaction.atomic
def offer_set_status(*, offer: Offer, status: str) -> Offer:
    """Move `offer` to `status` when TRANSITIONS allow it (the row is locked, so two people
    pausing and ending at once cannot both win). Publishing re-checks the whole offer: a draft
    may have been saved before a rule it now breaks (its end date has passed).

    Raises OfferStatusRefused, or ValidationError when publishing an offer the rules refuse.
    """
    current = Offer.objects.select_for_update().only("status").get(pk=offer.pk).status
    offer.status = current
    if status == current:
        return offer
    if status not in TRANSITIONS.get(current, frozenset()):
        raise OfferStatusRefused(
            _("A %(current)s offer cannot be %(target)s.")
            % {
                "current": OfferStatus(current).label.lower(),
                "target": _TARGET_WORDS.get(status, status),
            }
        )
    if status == OfferStatus.ACTIVE:
        offer.refresh_from_db()
        offer_validate(offer)
    offer.status = status
    offer.save(update_fields=["status", "updated_at"])
    return offer


_TARGET_WORDS = {
    OfferStatus.ACTIVE: _("published"),
    OfferStatus.PAUSED: _("paused"),
    OfferStatus.EXPIRED: _("ended"),
    OfferStatus.DRAFT: _("made a draft again"),
}


def offer_validate(offer: Offer) -> None:
    """Raise ValidationError (by field) unless the model and the business rules accept
    `offer`. The rules are checked first: their messages say more than a constraint's."""
    errors = offer_rule_errors(offer)
    try:
        offer.full_clean(exclude=list(errors))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(_field_of(field), []).extend(messages)
    if errors:
        raise ValidationError(errors)


def offer_rule_errors(offer: Offer) -> dict[str, list[str]]:
    """{field: [messages]} for the rules the model alone does not say."""
    errors: dict[str, list[str]] = {}

    def refuse(field, message):
        errors.setdefault(field, []).append(str(message))

    code = (offer.code or "").strip()
    if offer.kind == OfferKind.CODE and not code:
        refuse("code", _("A coupon-code offer needs the code shoppers type."))
    elif offer.kind == OfferKind.UNIQUE_CODE and code:
        refuse("code", _("A unique-code offer hands out codes from its book: leave this empty."))

    value = offer.discount_value
    if offer.discount_type in (DiscountType.PERCENTAGE, DiscountType.FIXED):
        if value is None:
            refuse("discount_value", _("Enter how much this offer takes off."))
        elif value <= 0:
            refuse("discount_value", _("The discount must be more than zero."))
    if offer.discount_type == DiscountType.PERCENTAGE and value is not None and value > HUNDRED:
        refuse("discount_value", _("A percentage discount is at most 100."))

    if offer.max_discount is not None and offer.discount_type != DiscountType.PERCENTAGE:
        refuse("max_discount", _("A maximum discount only applies to a percentage discount."))
    if offer.max_discount is not None and offer.max_discount <= 0:
        refuse("max_discount", _("The maximum discount must be more than zero."))

    if offer.starts_at and offer.ends_at and offer.ends_at <= offer.starts_at:
        refuse("ends_at", _("The offer must end after it starts."))
    return errors


# --- Fields -------------------------------------------------------------------------------


def _refuse_unknown(fields: dict) -> None:
    unknown = set(fields) - AUTHORED_FIELDS
    if unknown:
        raise TypeError(f"Not an offer field an author may set: {', '.join(sorted(unknown))}")


def _column(field: str) -> str:
    return f"{field}_en" if field in TRANSLATED_FIELDS else field


def _field_of(column: str) -> str:
    """The author's name for a column full_clean named (title_en -> title)."""
    for field in TRANSLATED_FIELDS:
        if column == _column(field):
            return field
    return column


def _get(offer: Offer, field: str):
    return getattr(offer, _column(field))


def _set(offer: Offer, field: str, value) -> None:
    if field in TRANSLATED_FIELDS or field == "code":
        value = (value or "").strip()
    setattr(offer, _column(field), value)


def _normalised(value):
    """Compare "" with None and 10 with 10.00 as the same value."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str) and value != value.strip():
        return value.strip()
    return value
