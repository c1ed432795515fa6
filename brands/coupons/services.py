"""The brand's writes on its coupons: create and change an offer with its brand side
(department, products, stock, image), publish, pause, resume and end it, and the brand's
products. Every change appends an OfferChange row (field: [old, new]) for the offer's history.

The offer itself is written by offers.services (offer_create / offer_update /
offer_set_status), which checks it; the brand's side is checked here. Both refusals come back
together as one CouponInvalid with a message per field.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status as http_status

from coupzii.core.errors import DomainError
from offers import services as offer_services
from offers.models import Offer, OfferStatus

from ..models import (
    Brand,
    BrandOffer,
    BrandProduct,
    BrandStatus,
    BrandStore,
    Department,
    OfferChange,
    OfferChangeAction,
)
from ..webhooks.events import COUPON_APPROVED, event_emit
from .selectors import COUPON_STATUS_LABELS

#: Fields of the offer itself (offers.authoring checks them); `merchant` is the store.
OFFER_FIELDS = frozenset(
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
#: Fields of the brand's side (BrandOffer).
BRAND_FIELDS = frozenset({"department", "products", "total_stock", "uses_per_shopper", "image"})


class CouponInvalid(DomainError):
    """The offer or its brand side was refused; `fields` holds a message list per field."""

    code = "invalid"
    default_message = _("Some fields are not valid.")


class BrandNotVerified(DomainError):
    code = "brand_not_verified"
    status_code = http_status.HTTP_409_CONFLICT
    default_message = _(
        "Only a verified brand can publish. Coupzii is still checking this brand (or has "
        "suspended it): keep it as a draft for now."
    )


class CouponEnded(DomainError):
    code = "coupon_ended"
    status_code = http_status.HTTP_409_CONFLICT
    default_message = _("This offer has ended and can no longer be changed.")


# --- Create and change ---------------------------------------------------------------------


@transaction.atomic
def coupon_create(
    *,
    brand: Brand,
    actor,
    merchant,
    department: Department | None = None,
    products=(),
    total_stock: int | None = None,
    uses_per_shopper: int = 1,
    image=None,
    action: str = OfferChangeAction.CREATED,
    **offer_fields,
) -> BrandOffer:
    """A new draft offer of one of the brand's stores (`merchant`), filed under `department`.

    Raises CouponInvalid (by field: a store, department or product that is not the brand's,
    and whatever offers.services refuses).
    """
    products = list(products or ())
    brand_values = {
        "department": department,
        "products": products,
        "total_stock": total_stock,
        "uses_per_shopper": uses_per_shopper,
    }
    errors = _brand_side_errors(brand, merchant=merchant, **brand_values)
    if errors:
        # Still ask the offer's rules, so one answer lists every field to fix.
        errors = _merge(errors, _offer_errors(merchant=merchant, **offer_fields))
        raise CouponInvalid(fields=errors)
    try:
        offer = offer_services.offer_create(
            merchant=merchant, status=OfferStatus.DRAFT, **offer_fields
        )
    except ValidationError as exc:
        raise CouponInvalid(fields=_messages(exc)) from None
    brand_offer = BrandOffer.objects.create(
        offer=offer,
        brand=brand,
        department=department,
        total_stock=total_stock,
        uses_per_shopper=uses_per_shopper,
        image=image or "",
        created_by=actor,
    )
    if products:
        brand_offer.products.set(products)
    initial = {field: offer_fields.get(field) for field in offer_fields}
    initial.update({"merchant": merchant, **brand_values})
    _log(
        brand_offer,
        actor,
        action,
        {field: (None, value) for field, value in initial.items() if not _empty(value)},
    )
    return brand_offer


@transaction.atomic
def coupon_update(*, brand_offer: BrandOffer, actor, changes: dict) -> dict:
    """Apply `changes` (offer and brand-side fields) and log what changed.

    Returns {field: (old, new)} of the fields that changed. Raises CouponEnded for an ended
    offer, CouponInvalid (by field) for anything refused, and nothing is written then.
    """
    unknown = set(changes) - OFFER_FIELDS - BRAND_FIELDS
    if unknown:
        raise TypeError(f"Not a coupon field: {', '.join(sorted(unknown))}")
    # Locked so two editors' saves are applied one after the other, each logged against the
    # values the other left.
    offer = Offer.objects.select_for_update().get(pk=brand_offer.pk)
    brand_offer.offer = offer
    if offer.status == OfferStatus.EXPIRED:
        raise CouponEnded()
    offer_changes = {key: value for key, value in changes.items() if key in OFFER_FIELDS}
    brand_changes = {key: value for key, value in changes.items() if key in BRAND_FIELDS}

    errors = _brand_side_errors(brand_offer.brand, **brand_changes)
    if "merchant" in offer_changes:
        errors.update(_brand_side_errors(brand_offer.brand, merchant=offer_changes["merchant"]))
    kind_changes = "kind" in offer_changes and offer_changes["kind"] != offer.kind
    if kind_changes and offer.status != OfferStatus.DRAFT:
        errors.setdefault("kind", []).append(
            str(_("The kind of an offer is fixed once it has been published."))
        )
    if errors:
        raise CouponInvalid(fields=errors)
    try:
        changed = offer_services.offer_update(offer=offer, changes=offer_changes)
    except ValidationError as exc:
        raise CouponInvalid(fields=_messages(exc)) from None
    changed.update(_brand_side_update(brand_offer, brand_changes))
    if changed:
        _log(brand_offer, actor, OfferChangeAction.UPDATED, changed)
    return changed


def _brand_side_update(brand_offer: BrandOffer, changes: dict) -> dict:
    changed = {}
    for field in ("department", "total_stock", "uses_per_shopper"):
        if field in changes and getattr(brand_offer, field) != changes[field]:
            changed[field] = (getattr(brand_offer, field), changes[field])
            setattr(brand_offer, field, changes[field])
    if changes.get("image"):
        changed["image"] = (brand_offer.image.name or None, changes["image"])
        brand_offer.image = changes["image"]
    if changed:
        brand_offer.save(update_fields=list(changed))
    if "products" in changes:
        before = list(brand_offer.products.order_by("pk"))
        after = sorted(changes["products"] or [], key=lambda product: product.pk)
        if [p.pk for p in before] != [p.pk for p in after]:
            brand_offer.products.set(after)
            changed["products"] = (before, after)
    return changed


def _brand_side_errors(brand: Brand, **values) -> dict[str, list[str]]:
    """Messages for a store, department or products that are not this brand's, and for
    stock and uses that make no sense."""
    errors: dict[str, list[str]] = {}
    if "merchant" in values:
        merchant = values["merchant"]
        owned = (
            merchant is not None
            and BrandStore.objects.filter(brand=brand, merchant_id=merchant.pk).exists()
        )
        if not owned:
            errors["merchant"] = [str(_("Choose one of the brand's stores."))]
    department = values.get("department")
    if department is not None and department.brand_id != brand.pk:
        errors["department"] = [str(_("Choose one of the brand's departments."))]
    products = values.get("products") or []
    if any(product.brand_id != brand.pk for product in products):
        errors["products"] = [str(_("Choose products of this brand only."))]
    uses = values.get("uses_per_shopper", 1)
    if "uses_per_shopper" in values and (uses is None or uses < 1):
        errors["uses_per_shopper"] = [str(_("A shopper may use the offer at least once."))]
    stock = values.get("total_stock")
    if stock is not None and stock < 1:
        errors["total_stock"] = [str(_("Leave the stock empty for no limit, or enter at least 1."))]
    return errors


def _offer_errors(**offer_fields) -> dict[str, list[str]]:
    """The offer's own refusals, without writing it (offers' rules and the model's checks)."""
    offer = Offer(status=OfferStatus.DRAFT)
    for field, value in offer_fields.items():
        if field == "merchant" and value is None:
            continue
        setattr(
            offer, f"{field}_en" if field in ("title", "description", "terms") else field, value
        )
    try:
        offer_services.offer_validate(offer)
    except ValidationError as exc:
        errors = _messages(exc)
        # The store was refused already, in the brand's words.
        errors.pop("merchant", None)
        return errors
    return {}


# --- Status --------------------------------------------------------------------------------


@transaction.atomic
def coupon_publish(*, brand_offer: BrandOffer, actor) -> BrandOffer:
    """Make a draft live. Only a verified brand publishes; the brand's webhooks are told.

    Raises BrandNotVerified, offers' OfferStatusRefused (not a draft), CouponInvalid (a rule
    the draft now breaks, such as an end date that has passed).
    """
    _require_verified(brand_offer.brand)
    if not _set_status(brand_offer, actor, OfferStatus.ACTIVE, OfferChangeAction.PUBLISHED):
        return brand_offer
    if brand_offer.published_at is None:
        brand_offer.published_at = timezone.now()
        brand_offer.save(update_fields=["published_at"])
    _emit_published(brand_offer)
    return brand_offer


@transaction.atomic
def coupon_pause(*, brand_offer: BrandOffer, actor) -> BrandOffer:
    """Take a live offer off the site for now. Raises OfferStatusRefused."""
    _set_status(brand_offer, actor, OfferStatus.PAUSED, OfferChangeAction.PAUSED)
    return brand_offer


@transaction.atomic
def coupon_resume(*, brand_offer: BrandOffer, actor) -> BrandOffer:
    """Put a paused offer back live (a brand suspended meanwhile may not).
    Raises BrandNotVerified, OfferStatusRefused."""
    _require_verified(brand_offer.brand)
    _set_status(brand_offer, actor, OfferStatus.ACTIVE, OfferChangeAction.RESUMED)
    return brand_offer


@transaction.atomic
def coupon_end(*, brand_offer: BrandOffer, actor) -> BrandOffer:
    """End an offer for good. Raises OfferStatusRefused when it has ended already."""
    _set_status(brand_offer, actor, OfferStatus.EXPIRED, OfferChangeAction.ENDED)
    return brand_offer


def _require_verified(brand: Brand) -> None:
    # Read now, not from the request's copy: an operator may have suspended it a moment ago.
    status = Brand.objects.filter(pk=brand.pk).values_list("status", flat=True).first()
    if status != BrandStatus.VERIFIED:
        raise BrandNotVerified()


def _set_status(brand_offer: BrandOffer, actor, status: str, action: str) -> bool:
    """Move the offer and log it; False when it was in `status` already (nothing logged)."""
    offer = brand_offer.offer
    try:
        # Locked here (offers locks it again, in this transaction): two people publishing at
        # once log and announce it once.
        before = (
            Offer.objects.select_for_update()
            .filter(pk=offer.pk)
            .values_list("status", flat=True)
            .get()
        )
        offer_services.offer_set_status(offer=offer, status=status)
    except ValidationError as exc:
        raise CouponInvalid(fields=_messages(exc)) from None
    if before == offer.status:
        return False
    _log(brand_offer, actor, action, {"status": (before, offer.status)})
    return True


def _emit_published(brand_offer: BrandOffer) -> None:
    """Tell the brand's webhooks (written in this transaction, sent after it commits)."""
    offer = brand_offer.offer
    event_emit(
        brand=brand_offer.brand,
        event=COUPON_APPROVED,
        data={
            "coupon": str(offer.public_id),
            "title": offer.title_en,
            "kind": offer.kind,
            "code": offer.code,
            "starts_at": offer.starts_at.isoformat() if offer.starts_at else None,
            "ends_at": offer.ends_at.isoformat() if offer.ends_at else None,
        },
    )


# --- Products ------------------------------------------------------------------------------

PRODUCT_FIELDS = ("sku", "name", "category", "price")


@transaction.atomic
def product_create(*, brand: Brand, sku: str, name: str, category=None, price=None):
    """A product of the brand. Raises CouponInvalid (a SKU the brand already has, ...)."""
    product = BrandProduct(brand=brand, sku=(sku or "").strip(), name=(name or "").strip())
    product.category = category
    product.price = price
    _product_validate(product)
    _product_save(product)
    return product


@transaction.atomic
def product_update(*, product: BrandProduct, changes: dict) -> BrandProduct:
    """Change a product's SKU, name, category or price. Raises CouponInvalid."""
    for field in PRODUCT_FIELDS:
        if field in changes:
            value = changes[field]
            setattr(product, field, value.strip() if isinstance(value, str) else value)
    _product_validate(product)
    _product_save(product)
    return product


def _product_save(product: BrandProduct) -> None:
    try:
        # A savepoint: two people adding one SKU at once, the second is told, not a 500.
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise CouponInvalid(
            fields={"sku": [str(_("The brand already has a product with this SKU."))]}
        ) from None


def _product_validate(product: BrandProduct) -> None:
    try:
        product.full_clean()
    except ValidationError as exc:
        fields = _messages(exc)
        if "__all__" in fields:
            # The only constraint on its own: (brand, sku) unique.
            fields.setdefault("sku", []).extend(fields.pop("__all__"))
        raise CouponInvalid(fields=fields) from None


# --- The history -----------------------------------------------------------------------------


def _log(brand_offer: BrandOffer, actor, action: str, changes: dict) -> OfferChange:
    return OfferChange.objects.create(
        brand=brand_offer.brand,
        offer=brand_offer.offer,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        changes={
            field: [display_value(field, old), display_value(field, new)]
            for field, (old, new) in changes.items()
        },
    )


def display_value(field: str, value) -> str:
    """How a value reads in the history ("" for nothing): names, not ids; local times."""
    if _empty(value):
        return ""
    if field == "status":
        # The portal's words (Published, Ended), not the shopper side's (Active, Expired).
        return str(COUPON_STATUS_LABELS.get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list | tuple | set):
        return ", ".join(display_value(field, item) for item in value)
    if isinstance(value, Model):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "read"):  # an uploaded file
        return str(value.name)
    choices = _CHOICE_LABELS.get(field)
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def _choice_labels():
    from offers.models import DiscountType, OfferKind

    return {
        "kind": dict(OfferKind.choices),
        "discount_type": dict(DiscountType.choices),
    }


_CHOICE_LABELS = _choice_labels()


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"__all__": [str(message) for message in exc.messages]}


def _merge(first: dict, second: dict) -> dict:
    merged = {field: list(messages) for field, messages in first.items()}
    for field, messages in second.items():
        merged.setdefault(field, []).extend(messages)
    return merged
