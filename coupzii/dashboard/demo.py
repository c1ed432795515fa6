"""The demo's last step (`manage.py seed_demo`, after every app's seeder): what beat would
have computed from the year of history by now, so the operators' dashboard, the cashback
arrival estimates and the shoppers' "For you" rails show it at once instead of after their
first nightly runs.

Each step calls the owning part's own entry point. Seeding again rolls only the days since
the last seed, and a rail refresh rewrites the same rail.
"""

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from coupzii.core.locks import redis_lock
from coupzii.core.rollups import ROLL_LOCK, roll_range
from offers import services as offers_services
from offers.models import StoreDay

# A year and a day: the history's first day is 364 days before today, and the dashboard's
# longest range is 366 days.
BACKFILL_DAYS = 366


def seed(log: Callable[[str], None]) -> None:
    """Run by `seed_demo` after every app's seeder (this app is the last installed)."""
    _roll_history(log)
    _refresh_for_you(log)


def _roll_history(log) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=BACKFILL_DAYS - 1)
    rolled_to = StoreDay.objects.filter(date__gte=start).aggregate(last=Max("date"))["last"]
    if rolled_to is not None and rolled_to > start + timedelta(days=1):
        # Rolled by an earlier seed: `make run` seeds on every start and has no beat, so roll
        # the days since (from the day before the last rolled, which was still filling).
        start = rolled_to - timedelta(days=1)
    # Beat's roll (with a broker) takes the same lock: the two never rewrite a day at once.
    with redis_lock(ROLL_LOCK, ttl=60 * 60, wait=600):
        written = roll_range(start=start, end=today)
    if written:
        rows = ", ".join(f"{name} {count}" for name, count in sorted(written.items()))
        log(f"dashboard rollups from {start}: {rows} rows")


def _refresh_for_you(log) -> None:
    # The beat's run: the rails of every shopper active lately (the demo logins and the
    # history's recent shoppers), picked from the clicks, claims and orders seeded above.
    refreshed = offers_services.foryou_refresh_active()
    log(f"'For you' rails for {refreshed} recently active shoppers")
