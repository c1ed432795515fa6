"""One day of offer activity read from the raw rows (views, clicks, claim and redemption
audit), for rollups and reports above offers (exported from offers.selectors).

A day is a calendar day in settings.TIME_ZONE (Asia/Kolkata), whatever time zone a request
has activated. A rollback counts on the day it happened, as minus one redemption with the
redeem's order amount and discount negated (its audit row carries them negated), so a day may
show negative redemptions when it undid a redeem of the day before, and sums over any range
are exact.

A product's figures are those of the redemptions whose basket named its SKU, with the whole
order amount and discount: the till sends SKUs, not per-product prices, so product rows of a
basket with two SKUs do not add up to the offer's. A SKU named twice in one basket counts
once.

Each read runs a fixed number of queries whatever the number of offers and rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from .models import AuditAction, Click, OfferViewDay, RedemptionAudit

ZERO = Decimal("0.00")
READ_CHUNK = 5_000


@dataclass(frozen=True)
class ActivityRow:
    """One offer's figures for a day (`book_id` None: views and clicks, which belong to the
    offer), or one of its books' (claims, redemptions, revenue and discount)."""

    offer_id: int
    book_id: int | None
    views: int = 0
    clicks: int = 0
    claims: int = 0
    redemptions: int = 0
    revenue: Decimal = ZERO
    discount: Decimal = ZERO


@dataclass(frozen=True)
class ProductActivityRow:
    """The day's redemptions of one offer whose basket named `sku`."""

    offer_id: int
    sku: str
    redemptions: int = 0
    revenue: Decimal = ZERO
    discount: Decimal = ZERO


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the day after, in settings.TIME_ZONE."""
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def offer_activity_for_day(
    *, day: date, offer_ids: Iterable[int] | None = None
) -> list[ActivityRow]:
    """Per (offer, book or None): the day's views, clicks, claims, redemptions (ok redeems
    minus ok rollbacks), revenue (sum of order amounts) and discount, for `offer_ids` (every
    offer when None). Rows with nothing in them are left out; sorted by offer, then book
    (the offer's own row first). Three queries."""
    ids = None if offer_ids is None else sorted({int(offer_id) for offer_id in offer_ids})
    if ids == []:
        return []
    start, end = day_bounds(day)
    rows: dict[tuple[int, int | None], ActivityRow] = {}

    def add(offer_id: int, book_id: int | None, **figures) -> None:
        row = rows.get((offer_id, book_id)) or ActivityRow(offer_id=offer_id, book_id=book_id)
        rows[(offer_id, book_id)] = replace(
            row, **{name: getattr(row, name) + value for name, value in figures.items()}
        )

    views = OfferViewDay.objects.filter(date=day)
    clicks = Click.objects.filter(created_at__gte=start, created_at__lt=end)
    if ids is not None:
        views = views.filter(offer_id__in=ids)
        clicks = clicks.filter(offer_id__in=ids)
    for offer_id, count in views.values_list("offer_id", "views"):
        add(offer_id, None, views=count)
    for offer_id, count in (
        clicks.order_by().values("offer_id").annotate(n=Count("id")).values_list("offer_id", "n")
    ):
        add(offer_id, None, clicks=count)
    for audit in (
        _audit_rows(start, end, ids)
        .values("book_id", "book__offer_id", "action")
        .annotate(n=Count("id"), revenue=Sum("order_amount"), discount=Sum("discount_amount"))
    ):
        offer_id, book_id, count = audit["book__offer_id"], audit["book_id"], audit["n"]
        if audit["action"] == AuditAction.CLAIM:
            add(offer_id, book_id, claims=count)
            continue
        add(
            offer_id,
            book_id,
            redemptions=count if audit["action"] == AuditAction.REDEEM else -count,
            revenue=audit["revenue"] or ZERO,
            discount=audit["discount"] or ZERO,
        )
    return [
        row
        for _key, row in sorted(rows.items(), key=lambda item: (item[0][0], item[0][1] or 0))
        if _has_figures(row)
    ]


def product_activity_for_day(
    *, day: date, offer_ids: Iterable[int] | None = None
) -> list[ProductActivityRow]:
    """Per (offer, product SKU): the day's redemptions (minus rollbacks) whose basket named
    the SKU, with their order amounts and discounts. Sorted by offer, then SKU; one query."""
    ids = None if offer_ids is None else sorted({int(offer_id) for offer_id in offer_ids})
    if ids == []:
        return []
    start, end = day_bounds(day)
    baskets = (
        _audit_rows(start, end, ids)
        .filter(action__in=[AuditAction.REDEEM, AuditAction.ROLLBACK])
        .values_list("book__offer_id", "action", "order_amount", "discount_amount", "products")
    )
    figures: dict[tuple[int, str], list] = defaultdict(lambda: [0, ZERO, ZERO])
    # The basket is a JSON list: read row by row (the same code on SQLite and PostgreSQL).
    for offer_id, action, revenue, discount, skus in baskets.iterator(chunk_size=READ_CHUNK):
        if not isinstance(skus, list):
            continue
        sign = 1 if action == AuditAction.REDEEM else -1
        for sku in {str(sku) for sku in skus if sku}:
            total = figures[(offer_id, sku)]
            total[0] += sign
            total[1] += revenue or ZERO
            total[2] += discount or ZERO
    return [
        ProductActivityRow(
            offer_id=offer_id, sku=sku, redemptions=count, revenue=revenue, discount=discount
        )
        for (offer_id, sku), (count, revenue, discount) in sorted(figures.items())
        if count or revenue or discount
    ]


def _audit_rows(start: datetime, end: datetime, offer_ids: list[int] | None) -> QuerySet:
    rows = RedemptionAudit.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        ok=True,
        action__in=[AuditAction.CLAIM, AuditAction.REDEEM, AuditAction.ROLLBACK],
    )
    if offer_ids is not None:
        rows = rows.filter(book__offer_id__in=offer_ids)
    return rows.order_by()


def _has_figures(row: ActivityRow) -> bool:
    return any((row.views, row.clicks, row.claims, row.redemptions, row.revenue, row.discount))
