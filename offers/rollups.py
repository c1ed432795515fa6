"""Offers' daily rollup for the operators' dashboard: each store's views and clicks per day
(StoreDay), rolled from OfferViewDay and Click, and the range reads the dashboard makes of it.

Registered with coupzii.core.rollups in OffersConfig.ready().
"""

from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from catalog.models import Merchant
from coupzii.core import rollups

from .models import Click, OfferViewDay, StoreDay

__all__ = ["ROLLUP", "store_days_roll", "store_figures_by_day", "top_stores_by_clicks"]

# Days before today that every recent run rolls again (see store_days_changed).
BACKLOG_DAYS = 3


def store_days_roll(start: date, end: date) -> int:
    """Rewrite StoreDay for every day of [start, end]: per store, the views of its offers
    (OfferViewDay) and its clicks, of which those by signed-in shoppers. Two grouped queries
    per chunk of days; one transaction per chunk. Returns rows written."""
    return rollups.rewrite_days(StoreDay, start, end, _store_day_rows)


def _store_day_rows(first: date, last: date) -> list[StoreDay]:
    lo, hi = rollups.day_bounds(first, last)
    figures: dict[tuple[date, int], StoreDay] = {}

    def row(day: date, merchant_id: int) -> StoreDay:
        key = (day, merchant_id)
        if key not in figures:
            figures[key] = StoreDay(date=day, merchant_id=merchant_id)
        return figures[key]

    views = (
        OfferViewDay.objects.filter(date__gte=first, date__lte=last)
        .values("date", "offer__merchant_id")
        .annotate(total=Sum("views"))
        .order_by()
    )
    for item in views:
        row(item["date"], item["offer__merchant_id"]).views = item["total"] or 0
    clicks = (
        Click.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .annotate(day=rollups.local_date("created_at"))
        .values("day", "merchant_id")
        .annotate(total=Count("id"), members=Count("user_id"))
        .order_by()
    )
    for item in clicks:
        store_day = row(item["day"], item["merchant_id"])
        store_day.clicks, store_day.member_clicks = item["total"], item["members"]
    return [figures[key] for key in sorted(figures)]


def store_days_changed(since: datetime) -> set[date]:
    """The last BACKLOG_DAYS days before today, every run, whatever changed.

    Clicks keep the time they were made and views their count-day, but both reach the
    database through buffers: after a worker outage the backlog drains late onto older days.
    Neither table records when a row was written, so "days written since the watermark" can't
    be asked; re-rolling the last few days every run is the simple rule, and cheap (two
    grouped queries over indexed days, merged with today and yesterday into one range).
    A backlog older than that shows on the health panel's buffers and is rolled with
    `rollups_backfill --only offers.store_days --days N`."""
    today = timezone.localdate()
    return {today - timedelta(days=back) for back in range(2, BACKLOG_DAYS + 2)}


ROLLUP = rollups.Rollup(
    name="offers.store_days", roll=store_days_roll, changed_days=store_days_changed
)


# --- Reads (the operators' dashboard) ----------------------------------------------------------


def store_figures_by_day(*, start: date, end: date) -> dict[date, tuple[int, int]]:
    """(views, clicks) of all stores per day of [start, end]; days without a row are absent.
    One query."""
    rows = (
        StoreDay.objects.filter(date__gte=start, date__lte=end)
        .values("date")
        .annotate(views=Sum("views"), clicks=Sum("clicks"))
        .order_by()
    )
    return {row["date"]: (row["views"] or 0, row["clicks"] or 0) for row in rows}


def top_stores_by_clicks(*, start: date, end: date, limit: int = 10) -> list[tuple[str, str, int]]:
    """(name, slug, clicks) of the stores with the most clicks in [start, end], most first
    (ties by name). One query."""
    rows = (
        StoreDay.objects.filter(date__gte=start, date__lte=end)
        .values("merchant_id")
        .annotate(total=Sum("clicks"))
        .filter(total__gt=0)
        .annotate(**rollups.related_values(Merchant, "merchant_id", "name", "slug"))
        .order_by("-total", "name", "merchant_id")[:limit]
    )
    return [(row["name"], row["slug"], row["total"]) for row in rows]
