"""The analytics rollup: each day's activity of the brands' offers, as offers reads it from
its raw rows (offers.selectors.offer_activity_for_day and product_activity_for_day: views,
clicks, claims, redemptions net of rollbacks, revenue, discount), written into OfferDay,
BookDay and ProductDay.

A day is a calendar day in settings.TIME_ZONE (Asia/Kolkata), the day the portal shows. A
rollback counts on the day it happened (offers' rule), so a day's redemptions may be negative
and the sums over any range are exact. A product's figures are those of the redemptions whose
basket named its SKU (each SKU of a basket counts the whole order), so product rows do not add
up to the offer's; a SKU the brand never listed counts in the offer's figures only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from brands.models import BookDay, Brand, BrandOffer, BrandProduct, OfferDay, ProductDay
from offers.selectors import offer_activity_for_day, product_activity_for_day

__all__ = ["RollupResult", "analytics_rollup", "analytics_rollup_range"]

ZERO = Decimal("0.00")


@dataclass
class _Figures:
    views: int = 0
    clicks: int = 0
    claims: int = 0
    redemptions: int = 0
    revenue: Decimal = ZERO
    discount: Decimal = ZERO

    def add(self, row) -> None:
        for name in ("views", "clicks", "claims", "redemptions", "revenue", "discount"):
            setattr(self, name, getattr(self, name) + getattr(row, name, 0))

    @property
    def empty(self) -> bool:
        figures = (self.views, self.clicks, self.claims, self.redemptions, self.revenue)
        return not any(figures) and not self.discount


@dataclass
class RollupResult:
    """What a rollup wrote: rows per table, and SKUs the tills sent that the brand never listed."""

    first_day: date
    last_day: date
    offers: int = 0
    books: int = 0
    products: int = 0
    unknown_skus: set[str] = field(default_factory=set)


def analytics_rollup(*, day: date, brand: Brand | None = None) -> RollupResult:
    """(Re)write the OfferDay, BookDay and ProductDay rows of `day` for the offers of `brand`
    (every brand when None) from the raw rows. Idempotent: the day's rows are replaced, so it
    may run again (every ten minutes for today) and a later rollback or late view is picked
    up. A fixed number of queries whatever the number of offers and rows.

    Offers with nothing on the day get no row; readers count a missing row as zeros.
    """
    return analytics_rollup_range(start=day, end=day, brand=brand)


def analytics_rollup_range(*, start: date, end: date, brand: Brand | None = None) -> RollupResult:
    """analytics_rollup for every day from `start` to `end` inclusive (the beat task's
    yesterday and today, the backfill's month, the demo's history): the reads run a fixed
    number of queries per day, the writes one delete and one insert per table for the range,
    in one transaction."""
    links = BrandOffer.objects.all() if brand is None else BrandOffer.objects.filter(brand=brand)
    brand_of_offer = dict(links.values_list("offer_id", "brand_id"))
    offer_rows, book_rows, baskets = [], [], []
    day = start
    while day <= end:
        offers, books = _offer_and_book_figures(day, brand_of_offer)
        offer_rows += [
            OfferDay(brand_id=brand_of_offer[offer_id], offer_id=offer_id, date=day, **vars(f))
            for offer_id, f in offers.items()
            if not f.empty
        ]
        book_rows += [
            BookDay(
                brand_id=brand_of_offer[offer_id],
                book_id=book_id,
                date=day,
                claims=f.claims,
                redemptions=f.redemptions,
                revenue=f.revenue,
                discount=f.discount,
            )
            for (offer_id, book_id), f in books.items()
            if not f.empty
        ]
        if brand_of_offer:
            rows = product_activity_for_day(day=day, offer_ids=list(brand_of_offer))
            baskets += [(day, row) for row in rows]
        day += timedelta(days=1)
    product_rows, unknown = _product_rows(baskets, brand_of_offer)
    _replace_days(start=start, end=end, brand=brand, rows=(offer_rows, book_rows, product_rows))
    return RollupResult(
        first_day=start,
        last_day=end,
        offers=len(offer_rows),
        books=len(book_rows),
        products=len(product_rows),
        unknown_skus=unknown,
    )


def _offer_and_book_figures(day: date, brand_of_offer: dict[int, int]):
    """The day's figures per offer (its own views and clicks plus its books') and per book."""
    offers: dict[int, _Figures] = defaultdict(_Figures)
    books: dict[tuple[int, int], _Figures] = defaultdict(_Figures)
    if not brand_of_offer:
        return offers, books
    for row in offer_activity_for_day(day=day, offer_ids=list(brand_of_offer)):
        if row.offer_id not in brand_of_offer:
            continue
        offers[row.offer_id].add(row)
        if row.book_id is not None:
            books[(row.offer_id, row.book_id)].add(row)
    return offers, books


def _product_rows(baskets, brand_of_offer: dict[int, int]) -> tuple[list[ProductDay], set[str]]:
    """ProductDay rows for the SKUs each brand lists (one query for the whole range)."""
    if not baskets:
        return [], set()
    catalogue = {
        (brand_id, sku): product_id
        for product_id, brand_id, sku in BrandProduct.objects.filter(
            brand_id__in={brand_of_offer[row.offer_id] for _day, row in baskets},
            sku__in={row.sku for _day, row in baskets},
        ).values_list("id", "brand_id", "sku")
    }
    rows, unknown = [], set()
    for day, row in baskets:
        brand_id = brand_of_offer.get(row.offer_id)
        product_id = catalogue.get((brand_id, row.sku))
        if product_id is None:
            unknown.add(row.sku)
            continue
        rows.append(
            ProductDay(
                brand_id=brand_id,
                product_id=product_id,
                offer_id=row.offer_id,
                date=day,
                redemptions=row.redemptions,
                revenue=row.revenue,
                discount=row.discount,
            )
        )
    return rows, unknown


_UPSERT = {
    OfferDay: (
        ["offer", "date"],
        ["brand", "views", "clicks", "claims", "redemptions", "revenue", "discount"],
    ),
    BookDay: (["book", "date"], ["brand", "claims", "redemptions", "revenue", "discount"]),
    ProductDay: (["product", "offer", "date"], ["brand", "redemptions", "revenue", "discount"]),
}


@transaction.atomic
def _replace_days(*, start: date, end: date, brand: Brand | None, rows) -> None:
    # Delete then upsert: a concurrent run of the same day (beat beside a backfill) waits on
    # the other's new unique rows and then updates them with the same figures, instead of
    # failing on the unique constraint.
    for model, model_rows in zip((OfferDay, BookDay, ProductDay), rows, strict=True):
        existing = model.objects.filter(date__gte=start, date__lte=end)
        if brand is not None:
            existing = existing.filter(brand=brand)
        existing.delete()
        unique_fields, update_fields = _UPSERT[model]
        model.objects.bulk_create(
            model_rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
        )
