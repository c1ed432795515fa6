"""The locker's reads, shared by its pages and API: a shopper's coupons filtered and sorted by
expiry, one coupon of theirs, and the counts and choices for the filter chips."""

from __future__ import annotations

import uuid

from django.db.models import Count, F, Q, QuerySet

from catalog.models import Category, Merchant

from ..errors import CouponNotFound
from ..models import CouponStatus, LockerCoupon, Source

#: The statuses a shopper filters by (GONE coupons are never shown).
STATUS_FILTERS = (
    CouponStatus.ACTIVE,
    CouponStatus.USED,
    CouponStatus.EXPIRED,
    CouponStatus.LISTED,
    CouponStatus.SOLD,
)
#: What the locker shows when no status is asked for: sold coupons are history, kept aside.
SHOWN_BY_DEFAULT = (
    CouponStatus.ACTIVE,
    CouponStatus.USED,
    CouponStatus.EXPIRED,
    CouponStatus.LISTED,
)


def locker_for(
    user,
    *,
    source: str | None = None,
    status: str | None = None,
    store: str | None = None,
    category: str | None = None,
) -> QuerySet[LockerCoupon]:
    """The user's coupons, soonest expiry first and those without an expiry last, with merchant
    and category joined (one query per page). `status` one of STATUS_FILTERS (none: all but
    sold); `source` a Source; `store` a merchant's slug or a store name typed by hand;
    `category` a category's slug (its sub-categories included). Unknown values match
    nothing."""
    coupons = LockerCoupon.objects.filter(owner=user).select_related("merchant", "category")
    if status:
        coupons = coupons.filter(status=status if status in STATUS_FILTERS else "-")
    else:
        coupons = coupons.filter(status__in=SHOWN_BY_DEFAULT)
    if source:
        coupons = coupons.filter(source=source if source in Source.values else "-")
    if store:
        coupons = coupons.filter(
            Q(merchant__slug=store) | Q(merchant__isnull=True, store_name__iexact=store)
        )
    if category:
        coupons = coupons.filter(Q(category__slug=category) | Q(category__parent__slug=category))
    return coupons.order_by(F("expires_on").asc(nulls_last=True), "-created_at", "-pk")


def coupon_of(user, public_id: uuid.UUID | str) -> LockerCoupon:
    """One of the user's coupons, with merchant and category. Raises CouponNotFound for
    another shopper's coupon or an id that isn't one (404 either way: ids are not probed)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise CouponNotFound() from exc
    coupon = (
        LockerCoupon.objects.filter(owner=user, public_id=public_id)
        .exclude(status=CouponStatus.GONE)
        .select_related("merchant", "category")
        .first()
    )
    if coupon is None:
        raise CouponNotFound()
    return coupon


def locker_counts(user) -> dict[str, int]:
    """{status: how many} for each of STATUS_FILTERS, and "all" for the default view (every
    status but sold), in one query."""
    rows = dict(
        LockerCoupon.objects.filter(owner=user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts = {status: rows.get(status, 0) for status in STATUS_FILTERS}
    counts["all"] = sum(rows.get(status, 0) for status in SHOWN_BY_DEFAULT)
    return counts


def locker_stores(user) -> list[tuple[str, str]]:
    """(value, label) of each store in the user's locker, for the store filter: merchants by
    slug, stores typed by hand by their name. One query."""
    rows = (
        LockerCoupon.objects.filter(owner=user)
        .exclude(status=CouponStatus.GONE)
        .order_by()
        .values_list("merchant__slug", "merchant__name", "store_name")
        .distinct()
    )
    stores = {slug or name: name_ or name for slug, name_, name in rows if slug or name}
    return sorted(stores.items(), key=lambda item: item[1].lower())


def locker_categories(user) -> QuerySet[Category]:
    """The categories of the user's coupons, for the category filter."""
    held = LockerCoupon.objects.filter(owner=user, category__isnull=False).exclude(
        status=CouponStatus.GONE
    )
    return Category.objects.filter(pk__in=held.values("category_id")).order_by("position", "name")


def merchant_names() -> list[str]:
    """Active merchants' names, for the add form's store suggestions."""
    return list(
        Merchant.objects.filter(is_active=True).order_by("name").values_list("name", flat=True)
    )


# --- For you (offers' rail reads a shopper's locker through these) -----------------------------

# A coupon kept in the locker says the shopper means to shop there (offers weighs a click 1).
LOCKER_TASTE_WEIGHT = 2.0
LOCKER_TASTE_ROWS = 500
# Claimed codes and gift cards from orders are counted by their own sources (offers' claims,
# commerce's orders): counting their locker copies too would weigh them twice.
COUNTED_ELSEWHERE = (Source.CLAIMED, Source.GIFT_CARD)


def locker_taste(user_id: int, since) -> list[tuple]:
    """(store, category, added at, weight) of each coupon the shopper added since `since`,
    newest first; one query."""
    rows = (
        LockerCoupon.objects.filter(owner_id=user_id, created_at__gte=since)
        .exclude(source__in=COUNTED_ELSEWHERE)
        .exclude(status=CouponStatus.GONE)
        .order_by("-created_at", "-pk")
        .values_list("merchant_id", "category_id", "created_at")[:LOCKER_TASTE_ROWS]
    )
    return [(merchant, category, added, LOCKER_TASTE_WEIGHT) for merchant, category, added in rows]


def locker_owners_since(since) -> set[int]:
    """Shoppers who added a coupon to their locker since `since`."""
    return set(
        LockerCoupon.objects.filter(created_at__gte=since)
        .order_by()
        .values_list("owner_id", flat=True)
        .distinct()
    )


def locker_offer_ids(user_id: int) -> set[int]:
    """Offers whose Coupzii code the shopper holds or held in their locker (claimed, bought or
    swapped): the rail doesn't suggest them again."""
    return set(
        LockerCoupon.objects.filter(owner_id=user_id, book_code__isnull=False).values_list(
            "book_code__book__offer_id", flat=True
        )
    )
