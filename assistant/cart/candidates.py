"""What the optimiser may use for one shopper at one store, read through the other apps'
selectors: the shopper's locker coupons, the store's live offers, other sellers' listings, the
store's gift cards and its cashback rate.

A fixed number of queries whatever the number of candidates (each read is one queryset with
its joins), and no code is ever read: locker coupons and listings are loaded without their
code column, offers without theirs.
"""

from dataclasses import replace
from datetime import date, datetime, timedelta

from django.db.models import F
from django.utils import timezone

from catalog import selectors as catalog_selectors
from marketplace import selectors as marketplace_selectors
from offers import selectors as offers_selectors

from .optimiser import Candidate

# A coupon that expired within this many days is still shown, with "expired" as the reason it
# does not apply: the shopper may be wondering about it. Older ones are history.
EXPIRED_SHOWN_DAYS = 30

_LOCKER_BENEFITS = {"percent": "percent", "fixed": "flat", "bogo": "bogo"}
_OFFER_BENEFITS = {
    "percentage": "percent",
    "fixed": "flat",
    "bogo": "bogo",
    "free_shipping": "free_shipping",
}
_CODE_KINDS = ("code", "unique_code")
# Columns the locker rows are read with: everything the optimiser needs, never the code.
_LOCKER_FIELDS = (
    "id",
    "public_id",
    "status",
    "merchant__slug",
    "merchant__name",
    "store_name",
    "category__slug",
    "benefit",
    "benefit_value",
    "min_order",
    "max_discount",
    "expires_on",
)
_OFFER_FIELDS = (
    "id",
    "public_id",
    "kind",
    "title",
    "merchant__slug",
    "merchant__name",
    "merchant__is_active",
    "category__slug",
    "discount_type",
    "discount_value",
    "min_order",
    "max_discount",
    "ends_at",
    "status",
    "starts_at",
)


def candidates_for(*, user, store_slug: str, now: datetime) -> list[Candidate]:
    """Every candidate for `user` at the store `store_slug` (an active merchant's slug; the
    caller has checked it). Ten queries, however many candidates there are."""
    today = timezone.localdate(now)
    children, departments = _category_children()
    merchant = catalog_selectors.merchant_by_slug(store_slug, now=now)
    department = _only_department(merchant, departments)
    coupons = [
        *_locker(user, store_slug, today, children),
        *_offers(merchant, store_slug, now, children),
        *_listings(user, store_slug, children),
    ]
    return [
        *(_covering_unknown(coupon, department) for coupon in coupons),
        *_gift_cards(store_slug),
        *_cashback(merchant, store_slug),
    ]


def _category_children() -> tuple[dict[str, frozenset], dict[str, frozenset]]:
    """{category slug: itself and its sub-categories} (a coupon for Fashion covers Shoes), and
    the same for the top-level categories (departments) only."""
    tree = {}
    departments = {}
    for parent in catalog_selectors.categories_active():
        slugs = frozenset({parent.slug, *(child.slug for child in parent.children.all())})
        tree[parent.slug] = departments[parent.slug] = slugs
        for child in parent.children.all():
            tree[child.slug] = frozenset({child.slug})
    return tree, departments


def _only_department(merchant, departments: dict[str, frozenset]) -> frozenset | None:
    """The category slugs of the one department the store sells in (AJIO: Fashion, with its
    Footwear and Jewellery), or None when it sells in several or none is recorded."""
    sold = {category.slug for category in merchant.categories.all()}
    found = {name for name, slugs in departments.items() if sold & slugs}
    if len(found) != 1 or not sold <= departments[next(iter(found))]:
        return None
    return departments[found.pop()]


def _covering_unknown(coupon: Candidate, department: frozenset | None) -> Candidate:
    """Our rule: a coupon limited to categories covers only the items known to be in them.
    The exception: at a store that sells only one department, a coupon for the whole
    department covers an item whose category the shopper did not say (every item there is in
    it). A coupon for part of it (Footwear at AJIO) still needs the items named."""
    if department and coupon.categories and department <= coupon.categories:
        return replace(coupon, covers_unknown=True)
    return coupon


def _covered(slug: str | None, children: dict[str, frozenset]) -> frozenset:
    if not slug:
        return frozenset()
    return children.get(slug, frozenset({slug}))


def _locker(user, store_slug: str, today: date, children) -> list[Candidate]:
    coupons = (
        marketplace_selectors.locker_for(user, store=store_slug)
        .filter(status__in=("active", "expired"))
        .exclude(expires_on__lt=today - timedelta(days=EXPIRED_SHOWN_DAYS))
        .only(*_LOCKER_FIELDS)
    )
    candidates = []
    for coupon in coupons:
        title = coupon.merchant.name if coupon.merchant_id else coupon.store_name
        expires_on = coupon.expires_on
        if coupon.status == "expired" and (expires_on is None or expires_on >= today):
            # Marked expired by the shopper or the sweep without a date before today.
            expires_on = today - timedelta(days=1)
        candidates.append(
            Candidate(
                ref=str(coupon.public_id),
                source="locker",
                title=title,
                benefit=_LOCKER_BENEFITS.get(coupon.benefit, coupon.benefit),
                store=store_slug,
                value=coupon.benefit_value,
                min_order=coupon.min_order,
                max_discount=coupon.max_discount,
                categories=_covered(coupon.category.slug if coupon.category_id else "", children),
                expires_on=expires_on,
                needs_code=True,
            )
        )
    return candidates


def _offers(merchant, store_slug: str, now: datetime, children) -> list[Candidate]:
    offers = offers_selectors.offers_for_merchant(merchant, now=now).only(*_OFFER_FIELDS)
    candidates = []
    for offer in offers:
        # A unique-code offer with no code left to hand out can't be used today.
        if offer.kind == "unique_code" and not offer.claimable:
            continue
        candidates.append(
            Candidate(
                ref=str(offer.public_id),
                source="offer",
                title=offer.title,
                benefit=_OFFER_BENEFITS.get(offer.discount_type, offer.discount_type),
                store=store_slug,
                value=offer.discount_value,
                min_order=offer.min_order,
                max_discount=offer.max_discount,
                categories=_covered(offer.category.slug if offer.category_id else "", children),
                expires_on=timezone.localdate(offer.ends_at) if offer.ends_at else None,
                needs_code=offer.kind in _CODE_KINDS,
                claim=offer.kind == "unique_code",
                # A sale without a code: already in the prices the shopper gives.
                deal=offer.kind not in _CODE_KINDS,
            )
        )
    return candidates


def _listings(user, store_slug: str, children) -> list[Candidate]:
    # The coupon's minimum order rides along the listing's own join (no query per listing).
    listings = (
        marketplace_selectors.listings_browse(store=store_slug)
        .exclude(seller=user)
        .annotate(coupon_min_order=F("coupon__min_order"))
    )
    return [
        Candidate(
            ref=str(listing.public_id),
            source="listing",
            title=listing.display_title,
            benefit=_LOCKER_BENEFITS.get(listing.coupon.benefit, listing.coupon.benefit),
            store=store_slug,
            value=listing.coupon.benefit_value,
            min_order=listing.coupon_min_order,
            max_discount=listing.coupon.max_discount,
            categories=_covered(listing.category.slug if listing.category_id else "", children),
            expires_on=listing.expires_on,
            cost=listing.price,
            needs_code=True,
        )
        for listing in listings
    ]


def _gift_cards(store_slug: str) -> list[Candidate]:
    candidates = []
    for product in catalog_selectors.gift_cards_list(brand_slug=store_slug):
        for variant in product.sellable_variants:
            candidates.append(
                Candidate(
                    ref=variant.sku,
                    source="gift_card",
                    title=product.name,
                    benefit="gift_card",
                    store=store_slug,
                    face_value=variant.face_value,
                    price=variant.price,
                    # What one order may buy: the codes in stock, up to the per-order limit.
                    stock=min(variant.stock, variant.max_quantity),
                    min_quantity=variant.min_quantity,
                    product=product.slug,
                )
            )
    return candidates


def _cashback(merchant, store_slug: str) -> list[Candidate]:
    kinds = {"percent": "cashback_percent", "flat": "cashback_flat"}
    if merchant.cashback_kind not in kinds or not merchant.cashback_value:
        return []
    return [
        Candidate(
            ref=store_slug,
            source="cashback",
            title=merchant.name,
            benefit=kinds[merchant.cashback_kind],
            store=store_slug,
            value=merchant.cashback_value,
            confirmation_days=merchant.confirmation_days,
        )
    ]
