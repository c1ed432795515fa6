"""Every figure the operators' dashboard shows, read from the apps' daily rollups (offers,
commerce and wallet `rollups` modules) plus two small live reads: new shoppers (an indexed
count on date_joined) and the shoppers' cached balances. A fixed number of queries whatever
the range, so a year answers as fast as a week.

Days are calendar days in settings.TIME_ZONE; money is Decimal.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from accounts.models import User
from commerce import rollups as shop
from commerce.models import OrderStatus
from coupzii.core import rollups
from coupzii.core.rollups import day_bounds
from offers import rollups as stores
from wallet import rollups as wallet
from wallet.models import CashbackStage, UserAccountKind

__all__ = [
    "MAX_RANGE_DAYS",
    "PERIODS",
    "Figures",
    "PeriodTotals",
    "cashback_balances",
    "period_totals",
    "range_figures",
]

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
MAX_RANGE_DAYS = 366
# The generation in the key makes a cached figure stale at once; this only bounds the memory.
CACHE_SECONDS = 60 * 60
# The cards' periods, each ending today: key -> days.
PERIODS = {"today": 1, "7d": 7, "30d": 30}


@dataclass(frozen=True)
class PeriodTotals:
    """One card period's totals (today, the last 7 days or the last 30, ending today)."""

    revenue: Decimal  # gift cards sold (SalesDay.revenue), by the day paid
    orders: int  # orders placed in the period that were paid (paid, delivered or refunded now)
    new_shoppers: int  # accounts opened in the period, staff left out
    clicks: int
    cashback_reported: Decimal
    cashback_confirmed: Decimal


@dataclass(frozen=True)
class Figures:
    """The charts' figures for start..end inclusive (at most MAX_RANGE_DAYS days); every
    per-day list has one entry per day of `days`, 0 where nothing happened."""

    start: date
    end: date
    days: list[date]
    revenue_by_day: list[Decimal]
    orders_by_day: list[int]  # paid orders placed that day
    orders_by_status: list[tuple[str, str, int]]  # (status, label, orders placed in range)
    views_by_day: list[int]
    clicks_by_day: list[int]
    cashback_by_day: dict[str, list[Decimal]]  # stage -> cashback per day
    payouts_by_day: list[Decimal]
    top_stores_by_clicks: list[tuple[str, str, int]]  # (name, slug, clicks), top 10
    top_stores_by_commission: list[tuple[str, str, Decimal]]  # (name, slug, commission)
    sales_by_category: list[tuple[str, Decimal, int]]  # (category, revenue, cards), best first
    funnel: list[tuple[str, str, int]]  # (key, label, count)
    funnel_money: dict[str, Decimal]  # commission_reported, cashback_confirmed, paid_out


def period_totals(*, today: date | None = None) -> dict[str, PeriodTotals]:
    """Totals for "today", "7d" and "30d" (each ending today). Five queries: the last 30
    days of four rollups, and one count of new shoppers for the three periods."""
    today = today or timezone.localdate()
    first = today - timedelta(days=max(PERIODS.values()) - 1)
    revenue = shop.revenue_by_day(start=first, end=today)
    orders = shop.order_counts_by_day_and_status(start=first, end=today)
    store_days = stores.store_figures_by_day(start=first, end=today)
    cashback = wallet.cashback_figures_by_day(start=first, end=today)
    joined = _new_shoppers(today)
    totals = {}
    for key, length in PERIODS.items():
        days = [today - timedelta(days=n) for n in range(length)]
        totals[key] = PeriodTotals(
            revenue=sum((revenue.get(day, ZERO) for day in days), ZERO),
            orders=sum(orders.get((day, s), 0) for day in days for s in shop.PAID_STATUSES),
            new_shoppers=joined[key],
            clicks=sum(store_days.get(day, (0, 0))[1] for day in days),
            cashback_reported=_stage_cashback(cashback, days, CashbackStage.REPORTED),
            cashback_confirmed=_stage_cashback(cashback, days, CashbackStage.CONFIRMED),
        )
    return totals


def _stage_cashback(cashback, days: list[date], stage: str) -> Decimal:
    return sum((cashback[(day, stage)].cashback for day in days if (day, stage) in cashback), ZERO)


def _new_shoppers(today: date) -> dict[str, int]:
    """Shoppers who joined in each period (operators and brands' staff left out): one count
    over the date_joined index, a filtered aggregate per period."""
    starts: dict[str, datetime] = {
        key: day_bounds(today - timedelta(days=length - 1), today)[0]
        for key, length in PERIODS.items()
    }
    end = day_bounds(today, today)[1]
    counts = User.objects.filter(
        date_joined__gte=min(starts.values()),
        date_joined__lt=end,
        is_staff=False,
        brand_memberships__isnull=True,
    ).aggregate(
        **{key: Count("pk", filter=Q(date_joined__gte=start)) for key, start in starts.items()}
    )
    return {key: counts[key] or 0 for key in PERIODS}


def range_figures(*, start: date, end: date) -> Figures:
    """The charts' figures for start..end inclusive: eight queries whatever the range, or
    none when they are cached since the rollups last changed.

    Raises ValueError when end is before start or the range is longer than MAX_RANGE_DAYS.
    """
    if end < start:
        raise ValueError("the range ends before it starts")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"the range is longer than {MAX_RANGE_DAYS} days")
    # A year's figures take a few hundred milliseconds to add up from the rollup rows, and
    # the rows change only when beat rolls them (every few minutes): operators reloading the
    # page or exporting a chart read the cached figures of the rows' current generation.
    version = rollups.generation()
    key = f"dashboard:figures:{version}:{start}:{end}:{get_language()}"
    if version >= 0:
        cached = _cache_get(key)
        if cached is not None:
            return cached
    result = _range_figures(start, end)
    if version >= 0:
        _cache_set(key, result)
    return result


def _cache_get(key: str) -> "Figures | None":
    try:
        return cache.get(key)
    except (RedisError, ConnectionInterrupted):
        logger.warning("dashboard figures cache unreadable", exc_info=True)
        return None


def _cache_set(key: str, figures: "Figures") -> None:
    try:
        cache.set(key, figures, CACHE_SECONDS)
    except (RedisError, ConnectionInterrupted):
        logger.warning("dashboard figures not cached", exc_info=True)


def _range_figures(start: date, end: date) -> Figures:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    store_days = stores.store_figures_by_day(start=start, end=end)
    orders = shop.order_counts_by_day_and_status(start=start, end=end)
    revenue = shop.revenue_by_day(start=start, end=end)
    cashback = wallet.cashback_figures_by_day(start=start, end=end)
    payouts = wallet.payouts_by_day(start=start, end=end)
    views_by_day = [store_days.get(day, (0, 0))[0] for day in days]
    clicks_by_day = [store_days.get(day, (0, 0))[1] for day in days]
    payouts_by_day = [payouts.get(day, (0, ZERO))[1] for day in days]
    placed: dict[str, int] = {}
    for (_day, status), count in orders.items():
        placed[status] = placed.get(status, 0) + count
    return Figures(
        start=start,
        end=end,
        days=days,
        revenue_by_day=[revenue.get(day, ZERO) for day in days],
        orders_by_day=[
            sum(orders.get((day, status), 0) for status in shop.PAID_STATUSES) for day in days
        ],
        orders_by_status=[
            (status.value, str(status.label), placed.get(status.value, 0)) for status in OrderStatus
        ],
        views_by_day=views_by_day,
        clicks_by_day=clicks_by_day,
        cashback_by_day={
            stage.value: [
                cashback[(day, stage)].cashback if (day, stage) in cashback else ZERO
                for day in days
            ]
            for stage in CashbackStage
        },
        payouts_by_day=payouts_by_day,
        top_stores_by_clicks=stores.top_stores_by_clicks(start=start, end=end),
        top_stores_by_commission=wallet.top_stores_by_commission(start=start, end=end),
        sales_by_category=shop.sales_by_category(start=start, end=end),
        funnel=_funnel(views_by_day, clicks_by_day, cashback, payouts),
        funnel_money={
            "commission_reported": sum(
                (f.commission for (_day, s), f in cashback.items() if s == CashbackStage.REPORTED),
                ZERO,
            ),
            "cashback_confirmed": sum(
                (f.cashback for (_day, s), f in cashback.items() if s == CashbackStage.CONFIRMED),
                ZERO,
            ),
            "paid_out": sum(payouts_by_day, ZERO),
        },
    )


def _funnel(views_by_day, clicks_by_day, cashback, payouts) -> list[tuple[str, str, int]]:
    """View -> click -> sale reported -> sale confirmed -> withdrawal paid, as counts."""

    def events(stage: str) -> int:
        return sum(f.events for (_day, s), f in cashback.items() if s == stage)

    return [
        ("views", _("Offer views"), sum(views_by_day)),
        ("clicks", _("Clicks to stores"), sum(clicks_by_day)),
        ("reported", _("Sales reported"), events(CashbackStage.REPORTED)),
        ("confirmed", _("Sales confirmed"), events(CashbackStage.CONFIRMED)),
        ("paid_out", _("Withdrawals paid"), sum(count for count, _amount in payouts.values())),
    ]


def cashback_balances() -> dict[str, Decimal]:
    """What shoppers' wallets hold now: "pending" (reported, not yet confirmed), "payable"
    (confirmed and available to withdraw) and "held" (asked to withdraw, not yet paid). One
    query over the cached balance rows."""
    totals = wallet.user_balance_totals()
    return {
        "pending": totals[UserAccountKind.PENDING],
        "payable": totals[UserAccountKind.AVAILABLE],
        "held": totals[UserAccountKind.HELD],
    }
