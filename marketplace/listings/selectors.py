"""Reads of listings: the browse list (filters and sorts on the listing table alone, one query
per page), one listing for a buyer, a seller's own listings, and sellers' reputation."""

import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Merchant

from ..errors import CouponNotFound, ListingNotFound
from ..models import Listing, ListingStatus, LockerCoupon, Purchase, PurchaseStatus, Rating

SORTS = {
    "newest": _("Newest"),
    "price": _("Price: low to high"),
    "saving": _("Biggest saving"),
    "expiry": _("Expiring first"),
}
EXPIRING_DAYS = 7

# What a listing card and page read from the coupon: never its code, terms or notes.
COUPON_FIELDS = ("coupon__benefit", "coupon__benefit_value", "coupon__max_discount")
COUPON_DETAIL_FIELDS = (*COUPON_FIELDS, "coupon__min_order", "coupon__public_id")
LISTING_FIELDS = (
    "id",
    "public_id",
    "created_at",
    "seller_id",
    "coupon_id",
    "status",
    "price",
    "fee",
    "swap_welcome",
    "verified",
    "merchant__name",
    "merchant__slug",
    "store_name",
    # The whole category row: its name is translated (name_en, name_hi ...).
    "category",
    "title",
    "worth",
    "expires_on",
)


class InvalidFilter(ValueError):
    """A sort the selector does not know (the forms and the API check choices first)."""


def _cards(listings: QuerySet[Listing], coupon_fields=COUPON_FIELDS) -> QuerySet[Listing]:
    return (
        listings.select_related("merchant", "category", "coupon")
        .only(*LISTING_FIELDS, *coupon_fields)
        .annotate(saving=F("worth") - F("price"))
    )


def listings_browse(
    *,
    category: str | None = None,
    store: str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    min_discount: Decimal | None = None,
    expiring: bool = False,
    verified: bool = False,
    sort: str = "newest",
) -> QuerySet[Listing]:
    """Live listings. `category` and `store` are slugs (a category takes in its
    subcategories); `min_discount` is the least the coupon must save (its worth); `expiring`
    keeps those whose coupon expires within 7 days. Sorts: newest, price, saving (worth -
    price, biggest first), expiry (soonest first, no expiry last)."""
    listings = Listing.objects.filter(status=ListingStatus.LIVE)
    if category:
        category_ids = Category.objects.filter(Q(slug=category) | Q(parent__slug=category)).values(
            "pk"
        )
        listings = listings.filter(category__in=category_ids)
    if store:
        listings = listings.filter(merchant__slug=store)
    if min_price is not None:
        listings = listings.filter(price__gte=min_price)
    if max_price is not None:
        listings = listings.filter(price__lte=max_price)
    if min_discount is not None:
        listings = listings.filter(worth__gte=min_discount)
    if expiring:
        last_day = timezone.localdate() + timedelta(days=EXPIRING_DAYS)
        listings = listings.filter(expires_on__isnull=False, expires_on__lte=last_day)
    if verified:
        listings = listings.filter(verified=True)
    return _sorted(_cards(listings), sort)


def _sorted(listings: QuerySet[Listing], sort: str) -> QuerySet[Listing]:
    if sort == "newest":
        return listings.order_by("-created_at", "-pk")
    if sort == "price":
        return listings.order_by("price", "-pk")
    if sort == "saving":
        return listings.order_by("-saving", "-pk")
    if sort == "expiry":
        return listings.order_by(F("expires_on").asc(nulls_last=True), "-pk")
    raise InvalidFilter(f"unknown sort {sort!r}")


def listing_for_buyer(public_id: uuid.UUID | str) -> Listing:
    """A live listing by its public id, with what its page shows (never the code).

    Raises ListingNotFound."""
    listing = (
        _cards(Listing.objects.filter(status=ListingStatus.LIVE), COUPON_DETAIL_FIELDS)
        .filter(public_id=public_id)
        .first()
    )
    if listing is None:
        raise ListingNotFound()
    return listing


def listing_swappable(listing: Listing) -> bool:
    """Whether a swap may be offered for the listing's coupon: not when it came from a
    Coupzii book that forbids swaps."""
    return not LockerCoupon.objects.filter(
        pk=listing.coupon_id, book_code__book__swap_allowed=False
    ).exists()


def listings_of_seller(user) -> QuerySet[Listing]:
    """Every listing of the seller, live first, newest first, each with its sale's number and
    status (`sale_number`, `sale_status`; None when unsold) in the same query."""
    live_first = Case(When(status=ListingStatus.LIVE, then=Value(0)), default=Value(1))
    # The sale: the latest purchase that was paid (a failed or unpaid try is no sale).
    sale = Purchase.objects.filter(listing_id=OuterRef("pk"), paid_at__isnull=False).order_by(
        "-created_at"
    )
    return (
        _cards(Listing.objects.filter(seller=user))
        .annotate(
            sale_number=Subquery(sale.values("number")[:1]),
            sale_status=Subquery(sale.values("status")[:1]),
        )
        .order_by(live_first, "-created_at", "-pk")
    )


def seller_reputation(user_ids) -> dict[int, dict]:
    """{user_id: {"rating": average stars as Decimal (one place) or None, "ratings": count,
    "sales": completed sales}} for each seller asked about; two queries whatever the count."""
    user_ids = set(user_ids)
    reputation = {user_id: {"rating": None, "ratings": 0, "sales": 0} for user_id in user_ids}
    # Ratings they got as the seller of a sale: what a buyer wants to know about a seller
    # (ratings they got as a buyer say nothing about the codes they sell).
    rated = (
        Rating.objects.filter(ratee_id__in=user_ids, purchase__seller_id=F("ratee_id"))
        .values("ratee_id")
        .annotate(stars=Sum("stars"), count=Count("id"))
    )
    for row in rated:
        average = Decimal(row["stars"]) / row["count"]
        reputation[row["ratee_id"]]["rating"] = average.quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        reputation[row["ratee_id"]]["ratings"] = row["count"]
    sold = (
        Purchase.objects.filter(seller_id__in=user_ids, status=PurchaseStatus.RELEASED)
        .values("seller_id")
        .annotate(count=Count("id"))
    )
    for row in sold:
        reputation[row["seller_id"]]["sales"] = row["count"]
    return reputation


def listing_stores() -> list[tuple[str, str]]:
    """(slug, name) of the stores that have live listings, A-Z: the browse form's choices."""
    with_listings = Listing.objects.filter(status=ListingStatus.LIVE).values("merchant_id")
    return list(
        Merchant.objects.filter(pk__in=with_listings).order_by("name").values_list("slug", "name")
    )


def coupon_to_sell(*, user, public_id) -> LockerCoupon:
    """The user's locker coupon by its public id, for the sell page (the code is not read).

    Raises CouponNotFound."""
    coupon = (
        LockerCoupon.objects.select_related("merchant")
        .defer("code", "terms", "notes")
        .filter(owner=user, public_id=public_id)
        .first()
    )
    if coupon is None:
        raise CouponNotFound()
    return coupon


def listing_of_seller(*, user, public_id) -> Listing:
    """One of the seller's listings (any status). Raises ListingNotFound."""
    listing = listings_of_seller(user).filter(public_id=public_id).first()
    if listing is None:
        raise ListingNotFound()
    return listing
