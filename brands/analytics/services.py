"""The analytics rollup: one day of raw rows (views, clicks, claims, redemptions and their
rollbacks) summed into OfferDay, BookDay and ProductDay for the brands' offers.

A day is a calendar day in settings.TIME_ZONE (Asia/Kolkata), the day the portal shows.
A rollback counts on the day it happened, as minus one redemption with its order amount and
discount negated (the audit row carries them negated), so a day's redemptions may be
negative when a redeem of the day before is undone: the sums over any range are exact.

A product's figures are those of the redemptions whose basket named it: a basket naming two
products counts, with its whole order amount, for each of them (the till sends SKUs, not
per-product prices), so product rows do not add up to the offer's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from brands.models import BookDay, Brand, BrandOffer, BrandProduct, OfferDay, ProductDay
from offers.models import AuditAction, Click, OfferViewDay, RedemptionAudit

__all__ = ["RollupResult", "analytics_rollup", "analytics_rollup_range", "day_bounds"]

ZERO = Decimal("0.00")


@dataclass
class _Figures:
    views: int = 0
    clicks: int = 0
    claims: int = 0
    redemptions: int = 0
    revenue: Decimal = ZERO
    discount: Decimal = ZERO

    def add_audit(self, *, action: str, count: int, revenue, discount) -> None:
        if action == AuditAction.CLAIM:
            self.claims += count
            return
        # A rollback row carries the redeem's amounts negated: adding them nets the day out.
        self.redemptions += count if action == AuditAction.REDEEM else -count
        self.revenue += revenue or ZERO
        self.discount += discount or ZERO

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


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the day after, in the site's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def analytics_rollup(*, day: date, brand: Brand | None = None) -> RollupResult:
    """(Re)write the OfferDay, BookDay and ProductDay rows of `day` for the offers of `brand`
    (every brand when None) from the raw rows. Idempotent: the day's rows are replaced, so it
    may run again (every ten minutes for today) and a later rollback or late view is picked
    up. A fixed number of queries whatever the number of offers and rows.

    Offers with nothing on the day get no row; readers count a missing row as zeros.
    """
    return analytics_rollup_range(start=day, end=day, brand=brand)


def analytics_rollup_range(*, start: date, end: date, brand: Brand | None = None) -> RollupResult:
    """analytics_rollup for every day from `start` to `end` inclusive, in the same fixed number
    of queries (grouped by day in the database): the backfill and the demo. One transaction;
    the backfill command passes a month at a time."""
    links = BrandOffer.objects.all() if brand is None else BrandOffer.objects.filter(brand=brand)
    brand_of_offer = dict(links.values_list("offer_id", "brand_id"))
    offer_ids = links.values("offer_id")
    since, until = day_bounds(start)[0], day_bounds(end)[1]

    offers: dict[tuple[date, int], _Figures] = defaultdict(_Figures)
    books: dict[tuple[date, int], _Figures] = defaultdict(_Figures)
    book_offer: dict[int, int] = {}
    for day, offer_id, views in OfferViewDay.objects.filter(
        date__gte=start, date__lte=end, offer_id__in=offer_ids
    ).values_list("date", "offer_id", "views"):
        offers[(day, offer_id)].views += views
    for day, offer_id, clicks in (
        Click.objects.filter(created_at__gte=since, created_at__lt=until, offer_id__in=offer_ids)
        .annotate(day=TruncDate("created_at"))
        .values("day", "offer_id")
        .annotate(n=Count("id"))
        .values_list("day", "offer_id", "n")
    ):
        offers[(day, offer_id)].clicks += clicks
    for row in (
        _audit_rows(since, until, offer_ids)
        .annotate(day=TruncDate("created_at"))
        .values("day", "book_id", "book__offer_id", "action")
        .annotate(n=Count("id"), revenue=Sum("order_amount"), discount=Sum("discount_amount"))
    ):
        book_offer[row["book_id"]] = row["book__offer_id"]
        for figures in (
            offers[(row["day"], row["book__offer_id"])],
            books[(row["day"], row["book_id"])],
        ):
            figures.add_audit(
                action=row["action"],
                count=row["n"],
                revenue=row["revenue"],
                discount=row["discount"],
            )
    products, unknown = _product_figures(since, until, offer_ids, brand_of_offer)

    offer_rows = [
        OfferDay(brand_id=brand_of_offer[offer_id], offer_id=offer_id, date=day, **_fields(f))
        for (day, offer_id), f in offers.items()
        if offer_id in brand_of_offer and not f.empty
    ]
    book_rows = [
        BookDay(
            brand_id=brand_of_offer[book_offer[book_id]],
            book_id=book_id,
            date=day,
            claims=f.claims,
            redemptions=f.redemptions,
            revenue=f.revenue,
            discount=f.discount,
        )
        for (day, book_id), f in books.items()
        if book_offer[book_id] in brand_of_offer and not f.empty
    ]
    product_rows = [
        ProductDay(
            brand_id=brand_id,
            product_id=product_id,
            offer_id=offer_id,
            date=day,
            redemptions=f.redemptions,
            revenue=f.revenue,
            discount=f.discount,
        )
        for (day, brand_id, product_id, offer_id), f in products.items()
        if not f.empty
    ]
    _replace_days(start=start, end=end, brand=brand, rows=(offer_rows, book_rows, product_rows))
    return RollupResult(
        first_day=start,
        last_day=end,
        offers=len(offer_rows),
        books=len(book_rows),
        products=len(product_rows),
        unknown_skus=unknown,
    )


def _audit_rows(since: datetime, until: datetime, offer_ids):
    return RedemptionAudit.objects.filter(
        created_at__gte=since,
        created_at__lt=until,
        ok=True,
        action__in=[AuditAction.CLAIM, AuditAction.REDEEM, AuditAction.ROLLBACK],
        book__offer_id__in=offer_ids,
    ).order_by()


def _product_figures(since, until, offer_ids, brand_of_offer):
    """Per (day, brand, product, offer): the redemptions whose basket named the product.

    The basket is a JSON list, read row by row (only redeems and rollbacks, a few columns):
    the same code runs on SQLite and PostgreSQL."""
    zone = timezone.get_default_timezone()
    baskets = (
        _audit_rows(since, until, offer_ids)
        .filter(action__in=[AuditAction.REDEEM, AuditAction.ROLLBACK])
        .values_list(
            "created_at",
            "book__offer_id",
            "action",
            "order_amount",
            "discount_amount",
            "products",
        )
    )
    by_sku: dict[tuple[date, int, str, int], _Figures] = defaultdict(_Figures)
    for created_at, offer_id, action, revenue, discount, skus in baskets.iterator(chunk_size=5000):
        brand_id = brand_of_offer.get(offer_id)
        if brand_id is None or not isinstance(skus, list) or not skus:
            continue
        day = created_at.astimezone(zone).date()
        # A basket naming a SKU twice (two of one product) counts it once.
        for sku in {str(sku) for sku in skus if sku}:
            by_sku[(day, brand_id, sku, offer_id)].add_audit(
                action=action, count=1, revenue=revenue, discount=discount
            )
    if not by_sku:
        return {}, set()
    catalogue = {
        (brand_id, sku): product_id
        for product_id, brand_id, sku in BrandProduct.objects.filter(
            brand_id__in={key[1] for key in by_sku}, sku__in={key[2] for key in by_sku}
        ).values_list("id", "brand_id", "sku")
    }
    products: dict[tuple[date, int, int, int], _Figures] = {}
    unknown = set()
    for (day, brand_id, sku, offer_id), figures in by_sku.items():
        product_id = catalogue.get((brand_id, sku))
        if product_id is None:
            # A SKU the brand never listed: counted in the offer's figures, not per product.
            unknown.add(sku)
            continue
        products[(day, brand_id, product_id, offer_id)] = figures
    return products, unknown


def _fields(figures: _Figures) -> dict:
    return {
        "views": figures.views,
        "clicks": figures.clicks,
        "claims": figures.claims,
        "redemptions": figures.redemptions,
        "revenue": figures.revenue,
        "discount": figures.discount,
    }


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
