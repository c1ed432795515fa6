"""When a shopper's pending cashback will really arrive, learned from each store's own history.

For every store and network, the days from a sale being reported (the event's `created_at`) to
its confirmation, and to its decline, over the last year, counted in calendar days of
settings.TIME_ZONE: the tracker shows dates, and "confirmed by 4 Feb" means on or before that
day there. From those counts come `ArrivalEstimate` rows (whole days): the 10th percentile
(the range's start), the median (the store page's "about N days") and the 80th percentile
(the range's end, so 80% of the store's confirmed cashback is confirmed by then). The median
and the end are the smallest day count that reaches their share, so the end is rounded up,
never down; the start is the day nearest its 10%.

A store with fewer than MIN_CONFIRMATIONS confirmations in the year uses its network's figure
(the row with no store), labelled as the network's. Stores we deal with directly share no
network's timing, so "direct" has no pooled figure.

The year is chosen by when each sale was confirmed (or declined), not when it was reported: a
window of reports would leave out the recent sales still waiting for their store, which are
the slow ones, and so learn too short a time.
"""

import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import Merchant
from catalog.services import merchants_learned_confirm_days_set

from .models import ArrivalEstimate, CashbackEvent, CashbackStatus

MIN_CONFIRMATIONS = 20
LEARN_WINDOW = timedelta(days=365)
LOW, MEDIAN, HIGH = Fraction(1, 10), Fraction(1, 2), Fraction(4, 5)
#: The share of confirmed cashback confirmed by the range's end, as shoppers are told it.
SHARE = int(HIGH * 100)
# Networks whose stores share no timing: each "direct" store is its own programme.
NOT_POOLED = frozenset({"direct"})
# How shoppers know the networks we name in lower case.
NETWORK_NAMES = {"vcommission": "vCommission", "inrdeals": "INRDeals"}

STORE, NETWORK = "store", "network"


def network_label(network: str) -> str:
    return NETWORK_NAMES.get(network, network.capitalize())


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- Learning ---------------------------------------------------------------------------------

Key = tuple[str, int | None]  # (network, store id), None: the network's figure


@dataclass
class _History:
    confirmed: Counter  # days to confirmation -> sales
    declined: Counter  # days to decline -> sales


def arrival_estimates_refresh(*, now: datetime | None = None) -> int:
    """Learn every store's and network's figures from the last year, replace the
    ArrivalEstimate rows with them and set each store's learned days (the store page's line)
    through the catalog. Returns how many estimates there are. Idempotent; nightly."""
    now = now or timezone.now()
    histories = _histories(now - LEARN_WINDOW)
    rows = [
        _estimate(network, merchant_id, history, now)
        for (network, merchant_id), history in sorted(histories.items(), key=_sort_key)
        if sum(history.confirmed.values()) >= MIN_CONFIRMATIONS
    ]
    with transaction.atomic():
        # A few hundred rows at most (stores and networks): replacing them all in one
        # transaction is simpler than upserting, and readers see the old set until commit.
        ArrivalEstimate.objects.all().delete()
        ArrivalEstimate.objects.bulk_create(rows)
        merchants_learned_confirm_days_set(figures=_store_figures(rows))
    return len(rows)


def _sort_key(item) -> tuple[str, int]:
    (network, merchant_id), _history = item
    return network, merchant_id or 0


def _histories(since: datetime) -> dict[Key, _History]:
    """Each store's and network's sales by their days to confirmation and to decline."""
    histories: dict[Key, _History] = defaultdict(lambda: _History(Counter(), Counter()))
    confirmed = Q(confirmed_at__gte=since)
    # Declined without having been confirmed: a reversal (confirmed, declined later) is a
    # return after the fact, not the store's decision time on a sale.
    declined = Q(declined_at__gte=since, confirmed_at__isnull=True)
    for outcome, wanted in (("confirmed_at", confirmed), ("declined_at", declined)):
        for network, merchant_id, days, sales in _day_counts(outcome, wanted):
            for key in _keys(network, merchant_id):
                getattr(histories[key], outcome.removesuffix("_at"))[days] += sales
    return histories


def _keys(network: str, merchant_id: int | None) -> list[Key]:
    keys: list[Key] = [] if merchant_id is None else [(network, merchant_id)]
    if network not in NOT_POOLED:
        keys.append((network, None))  # the network's figure counts every store's sales
    return keys


def _day_counts(outcome: str, wanted: Q):
    """(network, store id, calendar days from report to `outcome`, sales): one grouped query,
    a few rows per store however many sales it had."""
    zone = _zone()
    days = ExpressionWrapper(
        TruncDate(outcome, tzinfo=zone) - TruncDate("created_at", tzinfo=zone),
        output_field=DurationField(),
    )
    rows = (
        CashbackEvent.objects.filter(wanted)
        .annotate(days=days)
        .values_list("network", "merchant_id", "days")
        .annotate(sales=Count("pk"))
        .order_by()
    )
    for network, merchant_id, delay, sales in rows:
        yield network, merchant_id, max(delay.days, 0), sales


def _estimate(network: str, merchant_id: int | None, history: _History, now) -> ArrivalEstimate:
    confirmed = sorted(history.confirmed.items())
    declined = sorted(history.declined.items())
    return ArrivalEstimate(
        network=network,
        merchant_id=merchant_id,
        confirmed=sum(history.confirmed.values()),
        declined=sum(history.declined.values()),
        confirm_low_days=_range_start(confirmed, LOW),
        confirm_median_days=_quantile(confirmed, MEDIAN),
        confirm_high_days=_quantile(confirmed, HIGH),
        decline_median_days=_quantile(declined, MEDIAN) if declined else None,
        computed_at=now,
    )


def _quantile(histogram: list[tuple[int, int]], share: Fraction) -> int:
    """The smallest day count by which at least `share` of the sales had happened."""
    needed = share * sum(sales for _days, sales in histogram)
    seen = 0
    for days, sales in histogram:
        seen += sales
        if seen >= needed:
            return min(days, 32767)
    raise ValueError("an empty history has no quantile")


def _range_start(histogram: list[tuple[int, int]], share: Fraction) -> int:
    """The day count with the share of sales before it closest to `share` (the earlier one
    on a tie). Unlike the end, the start promises nothing, so it is not rounded either way:
    rounding it down too would make a fast store's range (a day holds a tenth of its sales)
    cover far more than the 70% between the two percentiles."""
    total = sum(sales for _days, sales in histogram)
    best, best_gap, before = histogram[0][0], share, 0
    for days, sales in histogram:
        gap = abs(Fraction(before, total) - share)
        if gap < best_gap:
            best, best_gap = days, gap
        before += sales
    return min(best, 32767)


def _store_figures(rows: list[ArrivalEstimate]) -> dict[int, tuple[int, bool]]:
    """Each store's "usually confirms in about N days": its own median (on its current
    network first, else the network where it had most confirmations), else its current
    network's median, flagged as the network's."""
    own: dict[int, ArrivalEstimate] = {}
    networks = {row.network: row for row in rows if row.merchant_id is None}
    stores = dict(Merchant.objects.values_list("pk", "affiliate_network"))
    for row in sorted(rows, key=lambda r: r.confirmed):
        if row.merchant_id is None or row.merchant_id not in stores:
            continue
        current = own.get(row.merchant_id)
        if current is None or current.network != stores[row.merchant_id]:
            own[row.merchant_id] = row
    figures = {pk: (row.confirm_median_days, False) for pk, row in own.items()}
    for pk, network in stores.items():
        if pk not in figures and network in networks:
            figures[pk] = (networks[network].confirm_median_days, True)
    return figures


# --- Showing it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedArrival:
    """When a pending cashback is likely to be confirmed: between `start` and `end`, by which
    `share`% of the store's (or, `basis` "network", its network's) confirmed cashback is."""

    start: date
    end: date
    share: int
    basis: str  # STORE or NETWORK
    network: str  # the network's name as shoppers know it
    days: int  # the end, in days after the sale was reported
    late: bool  # still pending after `end`
    this_year: bool  # both dates fall this year: shown without the year

    @property
    def from_network(self) -> bool:
        return self.basis == NETWORK


def arrivals_attach(events, *, today: date | None = None) -> list[CashbackEvent]:
    """Set `expected_arrival` (an ExpectedArrival, or None) on each of `events`, reading the
    estimates of all of them in one query; returns them as a list."""
    events = list(events)
    arrivals = expected_arrivals(events, today=today)
    for event in events:
        event.expected_arrival = arrivals.get(event.pk)
    return events


def expected_arrivals(events, *, today: date | None = None) -> dict[int, ExpectedArrival]:
    """The expected arrival of each pending event (by primary key) that has an estimate: its
    store's, else its network's. One query, none when no event is pending."""
    pending = [e for e in events if e.status == CashbackStatus.PENDING]
    if not pending:
        return {}
    zone = _zone()
    today = today or timezone.localdate(timezone=zone)
    estimates = _estimates_for(pending)
    arrivals = {}
    for event in pending:
        own = estimates.get((event.network, event.merchant_id)) if event.merchant_id else None
        estimate = own or estimates.get((event.network, None))
        if estimate is None:
            continue
        reported = timezone.localtime(event.created_at, zone).date()
        start = reported + timedelta(days=estimate.confirm_low_days)
        end = reported + timedelta(days=estimate.confirm_high_days)
        arrivals[event.pk] = ExpectedArrival(
            start=start,
            end=end,
            share=SHARE,
            basis=STORE if own else NETWORK,
            network=network_label(event.network),
            days=estimate.confirm_high_days,
            late=today > end,
            this_year=start.year == end.year == today.year,
        )
    return arrivals


def _estimates_for(events: list[CashbackEvent]) -> dict[Key, ArrivalEstimate]:
    networks = {e.network for e in events}
    stores = {e.merchant_id for e in events if e.merchant_id}
    rows = ArrivalEstimate.objects.filter(
        Q(merchant_id__in=stores) | Q(merchant__isnull=True, network__in=networks - NOT_POOLED),
        network__in=networks,
    )
    return {(row.network, row.merchant_id): row for row in rows}
