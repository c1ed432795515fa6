"""`manage.py rollups_backfill`: roll the dashboard's daily rollups over past days (a new
install, the demo's history, or after a fix to a rollup)."""

import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coupzii.core.errors import Busy
from coupzii.core.locks import redis_lock
from coupzii.core.rollups import ROLL_LOCK, registered, roll_range


class Command(BaseCommand):
    help = (
        "Roll every registered daily rollup over the last --days days (366 by default, ending "
        "today in settings.TIME_ZONE) or from --start to --end (YYYY-MM-DD, inclusive)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="days ending today (366)")
        parser.add_argument("--start", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", type=date.fromisoformat, help="last day (default today)")
        parser.add_argument(
            "--only", action="append", default=None, help="a rollup's name (repeatable)"
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=600,
            help="seconds to wait for a running roll (beat's) to finish (600)",
        )

    def handle(self, *args, days=None, start=None, end=None, only=None, wait=600, **options):
        start, end = _range(days=days, start=start, end=end)
        names = {rollup.name for rollup in registered()}
        unknown = sorted(set(only or ()) - names)
        if unknown:
            raise CommandError(f"No rollup named {', '.join(unknown)}; known: {sorted(names)}")
        try:
            # A year over a million clicks takes about a minute: the lock outlives it well.
            with redis_lock(ROLL_LOCK, ttl=60 * 60, wait=wait):
                self._roll(start, end, sorted(only or names))
        except Busy:
            raise CommandError(
                f"Another rollup run still holds the lock after {wait:g} s; try again later."
            ) from None

    def _roll(self, start: date, end: date, names: list[str]) -> None:
        began = time.monotonic()
        for name in names:
            rollup_began = time.monotonic()
            rows = roll_range(start=start, end=end, names=[name])[name]
            self.stdout.write(f"{name}: {rows} rows in {time.monotonic() - rollup_began:.1f} s")
        seconds = time.monotonic() - began
        count = (end - start).days + 1
        self.stdout.write(f"Rolled {start} to {end} ({count} days) in {seconds:.1f} s")


def _range(*, days: int | None, start: date | None, end: date | None) -> tuple[date, date]:
    today = timezone.localdate()
    if days is not None and start is not None:
        raise CommandError("Give --days or --start, not both.")
    if days is not None and days < 1:
        raise CommandError("--days must be at least 1.")
    end = end or today
    start = start or end - timedelta(days=(days or 366) - 1)
    if start > end:
        raise CommandError("--start must not be after --end.")
    return start, end
