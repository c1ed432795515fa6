"""The demo's last step (`manage.py seed_demo`, after every app's seeder): what beat would
have computed from the year of history by now, so the operators' dashboard, the cashback
arrival estimates and the shoppers' "For you" rails show it at once instead of after their
first nightly runs.

Each step calls the owning part's own entry point. Seeding again changes nothing: the
backfill is skipped once the year is rolled (beat keeps it current), and a rail refresh
rewrites the same rail.
"""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from coupzii.core.rollups import roll_range
from offers import services as offers_services
from offers.models import StoreDay

# A year and a day: the history's first day is 364 days before today, and the dashboard's
# longest range is 366 days.
BACKFILL_DAYS = 366


def seed_finish(log: Callable[[str], None]) -> None:
    _roll_history(log)
    _refresh_for_you(log)


def _roll_history(log) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=BACKFILL_DAYS - 1)
    if StoreDay.objects.filter(date=start + timedelta(days=1)).exists():
        # Rolled by an earlier seed (or install): beat's rollups_recent keeps it current, and
        # `make run` seeds on every start.
        return
    written = roll_range(start=start, end=today)
    if written:
        rows = ", ".join(f"{name} {count}" for name, count in sorted(written.items()))
        log(f"dashboard rollups over {BACKFILL_DAYS} days: {rows} rows")


def _refresh_for_you(log) -> None:
    # The beat's run: the rails of every shopper active lately (the demo logins and the
    # history's recent shoppers), picked from the clicks, claims and orders seeded above.
    refreshed = offers_services.foryou_refresh_active()
    log(f"'For you' rails for {refreshed} recently active shoppers")
