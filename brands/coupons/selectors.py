"""The brand's reads on its coupons, shared by the portal's pages and the API: the offers a
member may see (department scoping), one offer, its history, the brand's stores, departments
and products, and upload jobs."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from offers.models import OfferStatus

from .. import access
from ..models import (
    Brand,
    BrandJob,
    BrandOffer,
    BrandProduct,
    BrandStore,
    Department,
    DepartmentAccess,
    JobKind,
    Membership,
    OfferChange,
    Role,
)

#: How the portal names an offer's status (the shopper side says active / expired).
COUPON_STATUS_LABELS = {
    OfferStatus.DRAFT: _("Draft"),
    OfferStatus.ACTIVE: _("Published"),
    OfferStatus.PAUSED: _("Paused"),
    OfferStatus.EXPIRED: _("Ended"),
}
COUPON_STATUS_CHOICES = list(COUPON_STATUS_LABELS.items())

#: The history's field names, as the portal's form labels them.
FIELD_LABELS = {
    "merchant": _("Store"),
    "category": _("Category"),
    "kind": _("Kind"),
    "title": _("Title"),
    "description": _("Description"),
    "code": _("Code"),
    "discount_type": _("Discount type"),
    "discount_value": _("Value"),
    "min_order": _("Minimum order"),
    "max_discount": _("Maximum discount"),
    "starts_at": _("Starts"),
    "ends_at": _("Ends"),
    "terms": _("Terms"),
    "department": _("Department"),
    "products": _("Products"),
    "total_stock": _("Total stock"),
    "uses_per_shopper": _("Uses per shopper"),
    "image": _("Image"),
    "status": _("Status"),
}


def coupons_visible(*, membership: Membership) -> QuerySet[BrandOffer]:
    """The brand's offers this member may see, newest first, with what a list shows joined
    (offer, store, category, department) and the products fetched in one more query."""
    return (
        BrandOffer.objects.filter(access.offers_visible_q(membership))
        .select_related("offer__merchant", "offer__category", "department")
        .prefetch_related(
            Prefetch("products", queryset=BrandProduct.objects.only("pk", "sku", "name"))
        )
        .order_by("-offer__created_at", "-pk")
    )


def coupons_filtered(
    *,
    membership: Membership,
    status: str = "",
    kind: str = "",
    store: str = "",
    search: str = "",
) -> QuerySet[BrandOffer]:
    """coupons_visible narrowed by status, kind, store (merchant slug) and a search over
    title, code and product SKUs."""
    coupons = coupons_visible(membership=membership)
    if status:
        coupons = coupons.filter(offer__status=status)
    if kind:
        coupons = coupons.filter(offer__kind=kind)
    if store:
        coupons = coupons.filter(offer__merchant__slug=store)
    search = (search or "").strip()
    if search:
        matches = (
            Q(offer__title_en__icontains=search)
            | Q(offer__code__iexact=search)
            | Q(products__sku__iexact=search)
        )
        coupons = coupons.filter(pk__in=BrandOffer.objects.filter(matches).values("pk"))
    return coupons


def coupon_get(*, membership: Membership, public_id) -> BrandOffer | None:
    """One offer the member may see, by its public id, or None (the caller answers 404)."""
    try:
        return coupons_visible(membership=membership).filter(offer__public_id=public_id).first()
    except (ValueError, TypeError):  # not a UUID
        return None


def coupon_history(*, brand_offer: BrandOffer) -> QuerySet[OfferChange]:
    return OfferChange.objects.filter(
        brand=brand_offer.brand_id, offer=brand_offer.offer_id
    ).select_related("actor")


def stores_of(*, brand: Brand) -> QuerySet[BrandStore]:
    return (
        BrandStore.objects.filter(brand=brand).select_related("merchant").order_by("merchant__name")
    )


def departments_for(*, membership: Membership) -> QuerySet[Department]:
    """The departments this member may file offers under: their own when their department
    sees only its own offers (else they could file an offer they then cannot see)."""
    departments = Department.objects.filter(brand=membership.brand_id)
    if must_file_in_own_department(membership):
        return departments.filter(pk=membership.department_id)
    return departments


def must_file_in_own_department(membership: Membership) -> bool:
    department = membership.department
    return (
        membership.role not in (Role.OWNER, Role.ADMIN)
        and department is not None
        and department.access == DepartmentAccess.OWN
    )


def products_of(*, brand: Brand) -> QuerySet[BrandProduct]:
    return BrandProduct.objects.filter(brand=brand).select_related("category").order_by("name")


def product_get(*, brand: Brand, public_id) -> BrandProduct | None:
    try:
        return products_of(brand=brand).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def upload_job_get(*, brand: Brand, public_id) -> BrandJob | None:
    """One of the brand's coupon uploads, or None."""
    try:
        return BrandJob.objects.filter(
            brand=brand, kind=JobKind.UPLOAD_COUPONS, public_id=public_id
        ).first()
    except (ValueError, TypeError):
        return None


def upload_jobs_recent(*, brand: Brand, limit: int = 10) -> QuerySet[BrandJob]:
    return BrandJob.objects.filter(brand=brand, kind=JobKind.UPLOAD_COUPONS).select_related(
        "created_by"
    )[:limit]
