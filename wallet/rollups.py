"""The wallet's daily rollups for the operators' dashboard: cashback events by the day they
reached each stage, per store and network (CashbackDay), and withdrawals paid per day
(PayoutDay); the range reads the dashboard makes of them, and the sum of shoppers' balances.

Registered with coupzii.core.rollups in WalletConfig.ready().
"""

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce

from catalog.models import Merchant
from coupzii.core import rollups

from .models import (
    Account,
    CashbackDay,
    CashbackEvent,
    CashbackStage,
    PayoutDay,
    UserAccountKind,
    Withdrawal,
    WithdrawalStatus,
)

__all__ = [
    "CASHBACK_DAYS",
    "PAYOUT_DAYS",
    "StageFigures",
    "cashback_days_roll",
    "cashback_figures_by_day",
    "payout_days_roll",
    "payouts_by_day",
    "top_stores_by_commission",
    "user_balance_totals",
]

ZERO = Decimal("0.00")
# The moment an event reached each stage: reported when we recorded it.
STAGE_COLUMNS = {
    CashbackStage.REPORTED: "created_at",
    CashbackStage.CONFIRMED: "confirmed_at",
    CashbackStage.DECLINED: "declined_at",
}


# --- Cashback by day and stage -----------------------------------------------------------------


def cashback_days_roll(start: date, end: date) -> int:
    """Rewrite CashbackDay for every day of [start, end]: per stage, store (null when the
    click is not known yet) and network, the events that reached the stage that day, their
    sales, commission (none reported counts 0) and cashback. One grouped query per stage and
    chunk of days, one transaction per chunk. Returns rows written."""
    return rollups.rewrite_days(CashbackDay, start, end, _cashback_rows)


def _cashback_rows(first: date, last: date) -> list[CashbackDay]:
    return [row for stage in STAGE_COLUMNS for row in _stage_rows(stage, first, last)]


def _stage_rows(stage: str, first: date, last: date) -> list[CashbackDay]:
    column = STAGE_COLUMNS[stage]
    lo, hi = rollups.day_bounds(first, last)
    groups = (
        CashbackEvent.objects.filter(**{f"{column}__gte": lo, f"{column}__lt": hi})
        .annotate(day=rollups.local_date(column))
        .values("day", "merchant_id", "network")
        .annotate(
            n=Count("id"),
            sales=Sum("sale_amount"),
            commission_sum=Sum(Coalesce("commission", Value(ZERO))),
            cashback_sum=Sum("cashback"),
        )
        .order_by("day", "merchant_id", "network")
    )
    return [
        CashbackDay(
            date=group["day"],
            stage=stage,
            merchant_id=group["merchant_id"],
            network=group["network"],
            events=group["n"],
            sale_amount=group["sales"] or ZERO,
            commission=group["commission_sum"] or ZERO,
            cashback=group["cashback_sum"] or ZERO,
        )
        for group in groups
    ]


def cashback_days_changed(since: datetime) -> set[date]:
    """Every stage day of the events changed since `since`: matched to a click (the store is
    known now), confirmed, declined or reversed."""
    events = CashbackEvent.objects.filter(updated_at__gte=since).values_list(
        "created_at", "confirmed_at", "declined_at"
    )
    return rollups.local_days(moment for moments in events for moment in moments)


CASHBACK_DAYS = rollups.Rollup(
    name="wallet.cashback_days", roll=cashback_days_roll, changed_days=cashback_days_changed
)


# --- Withdrawals paid by day -------------------------------------------------------------------


def payout_days_roll(start: date, end: date) -> int:
    """Rewrite PayoutDay for every day of [start, end]: withdrawals paid out that day (by the
    time they were marked paid, completed_at) and their total. Returns rows written."""
    return rollups.rewrite_days(PayoutDay, start, end, _payout_rows)


def _payout_rows(first: date, last: date) -> list[PayoutDay]:
    lo, hi = rollups.day_bounds(first, last)
    groups = (
        Withdrawal.objects.filter(
            status=WithdrawalStatus.PAID, completed_at__gte=lo, completed_at__lt=hi
        )
        .annotate(day=rollups.local_date("completed_at"))
        .values("day")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("day")
    )
    return [
        PayoutDay(date=group["day"], withdrawals=group["n"], amount=group["total"] or ZERO)
        for group in groups
    ]


def payout_days_changed(since: datetime) -> set[date]:
    """Days paid of withdrawals marked paid since `since` (an operator may record a payout
    made the day before)."""
    paid = Withdrawal.objects.filter(updated_at__gte=since, status=WithdrawalStatus.PAID)
    return rollups.local_days(paid.values_list("completed_at", flat=True))


PAYOUT_DAYS = rollups.Rollup(
    name="wallet.payout_days", roll=payout_days_roll, changed_days=payout_days_changed
)


# --- Reads (the operators' dashboard) ----------------------------------------------------------


class StageFigures(NamedTuple):
    """Cashback events that reached one stage on one day, across stores and networks."""

    events: int
    commission: Decimal
    cashback: Decimal


def cashback_figures_by_day(*, start: date, end: date) -> dict[tuple[date, str], StageFigures]:
    """Per (day, stage) of [start, end]: events, commission and cashback across stores and
    networks; absent pairs had none. One query."""
    rows = (
        CashbackDay.objects.filter(date__gte=start, date__lte=end)
        .values("date", "stage")
        .annotate(n=Sum("events"), commission_sum=Sum("commission"), cashback_sum=Sum("cashback"))
        .order_by()
    )
    return {
        (row["date"], row["stage"]): StageFigures(
            row["n"] or 0, row["commission_sum"] or ZERO, row["cashback_sum"] or ZERO
        )
        for row in rows
    }


def top_stores_by_commission(
    *, start: date, end: date, limit: int = 10
) -> list[tuple[str, str, Decimal]]:
    """(name, slug, commission) of the stores whose sales reported in [start, end] earned the
    most commission, most first; events of unknown stores are left out. One query."""
    rows = (
        CashbackDay.objects.filter(
            date__gte=start,
            date__lte=end,
            stage=CashbackStage.REPORTED,
            merchant__isnull=False,
        )
        .values("merchant_id")
        .annotate(total=Sum("commission"))
        .filter(total__gt=0)
        .annotate(**rollups.related_values(Merchant, "merchant_id", "name", "slug"))
        .order_by("-total", "name", "merchant_id")[:limit]
    )
    return [(row["name"], row["slug"], row["total"]) for row in rows]


def payouts_by_day(*, start: date, end: date) -> dict[date, tuple[int, Decimal]]:
    """(withdrawals, amount) paid per day of [start, end]; absent days had none. One query."""
    rows = PayoutDay.objects.filter(date__gte=start, date__lte=end).values_list(
        "date", "withdrawals", "amount"
    )
    return {day: (count, amount) for day, count, amount in rows}


def user_balance_totals() -> dict[str, Decimal]:
    """The sum of every shopper's cached balance per account kind (available, pending, held),
    each kind present (0 when nobody has one). One query."""
    rows = (
        Account.objects.filter(user__isnull=False)
        .values("kind")
        .annotate(total=Sum("balance"))
        .order_by()
    )
    totals = {kind.value: ZERO for kind in UserAccountKind}
    totals.update({row["kind"]: row["total"] or ZERO for row in rows})
    return totals
