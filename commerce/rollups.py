"""The shop's daily rollups for the operators' dashboard: orders placed per day by their status
now (OrderDay) and gift cards sold per day and category by the day paid (SalesDay), and the
range reads the dashboard makes of them.

Registered with coupzii.core.rollups in CommerceConfig.ready().
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, F, Sum
from django.utils.translation import get_language

from coupzii.core import rollups

from .models import Order, OrderDay, OrderLine, OrderStatus, SalesDay

__all__ = [
    "ORDER_DAYS",
    "PAID_STATUSES",
    "SALES_DAYS",
    "order_counts_by_day_and_status",
    "order_days_roll",
    "revenue_by_day",
    "sales_by_category",
    "sales_days_roll",
]

ZERO = Decimal("0.00")
# Orders that were paid: still paid, delivered since, or refunded after.
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED)
AMOUNT = DecimalField(max_digits=14, decimal_places=2)
# What the shopper paid for a line: its price times quantity less its share of the discount.
LINE_PAID = F("unit_price") * F("quantity") - F("discount")


# --- Orders by day and status ------------------------------------------------------------------


def order_days_roll(start: date, end: date) -> int:
    """Rewrite OrderDay for every day of [start, end]: orders placed that day (by created_at)
    grouped by their status now, with their totals and refunds. One grouped query per chunk
    of days, one transaction per chunk. Returns rows written."""
    return rollups.rewrite_days(OrderDay, start, end, _order_day_rows)


def _order_day_rows(first: date, last: date) -> list[OrderDay]:
    lo, hi = rollups.day_bounds(first, last)
    groups = (
        Order.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .annotate(day=rollups.local_date("created_at"))
        .values("day", "status")
        .annotate(n=Count("id"), total=Sum("total"), refunded=Sum("refunded_amount"))
        .order_by("day", "status")
    )
    return [
        OrderDay(
            date=group["day"],
            status=group["status"],
            orders=group["n"],
            total=group["total"] or ZERO,
            refunded=group["refunded"] or ZERO,
        )
        for group in groups
    ]


def order_days_changed(since: datetime) -> set[date]:
    """Days placed of orders changed since `since` (paid, delivered, cancelled, refunded)."""
    placed = Order.objects.filter(updated_at__gte=since).values_list("created_at", flat=True)
    return rollups.local_days(placed)


ORDER_DAYS = rollups.Rollup(
    name="commerce.order_days", roll=order_days_roll, changed_days=order_days_changed
)


# --- Sales by day paid and category ------------------------------------------------------------


def sales_days_roll(start: date, end: date) -> int:
    """Rewrite SalesDay for every day of [start, end]: per gift-card category, the orders paid
    that day (by paid_at, whatever happened after), the cards in them and what shoppers paid
    for those lines after discounts. One grouped query per chunk of days. Returns rows."""
    return rollups.rewrite_days(SalesDay, start, end, _sales_day_rows)


def _sales_day_rows(first: date, last: date) -> list[SalesDay]:
    lo, hi = rollups.day_bounds(first, last)
    groups = (
        OrderLine.objects.filter(order__paid_at__gte=lo, order__paid_at__lt=hi)
        .annotate(day=rollups.local_date("order__paid_at"))
        .values("day", "variant__product__category_id")
        .annotate(
            n=Count("order_id", distinct=True),
            cards=Sum("quantity"),
            revenue=Sum(LINE_PAID, output_field=AMOUNT),
        )
        .order_by("day", "variant__product__category_id")
    )
    return [
        SalesDay(
            date=group["day"],
            category_id=group["variant__product__category_id"],
            orders=group["n"],
            cards=group["cards"] or 0,
            revenue=group["revenue"] or ZERO,
        )
        for group in groups
    ]


def sales_days_changed(since: datetime) -> set[date]:
    """Days paid of orders changed since `since`: a payment that landed late (a webhook after
    midnight) is counted on the day it was paid."""
    paid = Order.objects.filter(updated_at__gte=since, paid_at__isnull=False)
    return rollups.local_days(paid.values_list("paid_at", flat=True))


SALES_DAYS = rollups.Rollup(
    name="commerce.sales_days", roll=sales_days_roll, changed_days=sales_days_changed
)


# --- Reads (the operators' dashboard) ----------------------------------------------------------


def order_counts_by_day_and_status(*, start: date, end: date) -> dict[tuple[date, str], int]:
    """Orders placed per (day, status now) in [start, end]; absent pairs had none. One query."""
    rows = OrderDay.objects.filter(date__gte=start, date__lte=end).values_list(
        "date", "status", "orders"
    )
    return {(day, status): orders for day, status, orders in rows}


def revenue_by_day(*, start: date, end: date) -> dict[date, Decimal]:
    """Gift-card revenue per day paid in [start, end]; absent days had none. One query."""
    rows = (
        SalesDay.objects.filter(date__gte=start, date__lte=end)
        .values("date")
        .annotate(revenue=Sum("revenue"))
        .order_by()
    )
    return {row["date"]: row["revenue"] or ZERO for row in rows}


def sales_by_category(*, start: date, end: date) -> list[tuple[str, Decimal, int]]:
    """(category name in the current language, revenue, cards) of [start, end], the best
    first (ties by name). One query."""
    language = (get_language() or "en").split("-")[0]
    if language not in {code for code, _label in settings.LANGUAGES}:
        language = "en"
    name_field = f"category__name_{language}"
    rows = (
        SalesDay.objects.filter(date__gte=start, date__lte=end)
        .values(*dict.fromkeys(["category_id", "category__name_en", name_field]))
        .annotate(revenue=Sum("revenue"), cards=Sum("cards"))
        .order_by("-revenue", "category__name_en", "category_id")
    )
    return [
        (row[name_field] or row["category__name_en"], row["revenue"] or ZERO, row["cards"] or 0)
        for row in rows
    ]
