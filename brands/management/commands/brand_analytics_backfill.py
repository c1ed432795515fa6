"""manage.py brand_analytics_backfill --start 2026-01-01 --end 2026-03-31 [--brand slug]:
(re)write the analytics rollups of a date range, for one brand or all."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from brands.analytics.services import analytics_rollup_range
from brands.models import Brand

MAX_DAYS = 3660
CHUNK_DAYS = 31


class Command(BaseCommand):
    help = "Roll up brand analytics (OfferDay, BookDay, ProductDay) for each day of a range."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--brand", help="one brand's slug (default: every brand)")

    def handle(self, *args, start, end=None, brand=None, **options):
        first = _parse(start, "--start")
        last = _parse(end, "--end") if end else timezone.localdate()
        if first > last:
            raise CommandError("--start must not be after --end.")
        if (last - first).days >= MAX_DAYS:
            raise CommandError(f"At most {MAX_DAYS} days at once.")
        target = None
        if brand:
            target = Brand.objects.filter(slug=brand).first()
            if target is None:
                raise CommandError(f"No brand with slug {brand!r}.")
        days = (last - first).days + 1
        # A month per transaction: each is a handful of queries, and a long range neither
        # holds one huge transaction nor loses the months already written if stopped.
        for offset in range(0, days, CHUNK_DAYS):
            chunk_start = first + timedelta(days=offset)
            chunk_end = min(last, chunk_start + timedelta(days=CHUNK_DAYS - 1))
            result = analytics_rollup_range(start=chunk_start, end=chunk_end, brand=target)
            unknown = f", {len(result.unknown_skus)} unknown SKUs" if result.unknown_skus else ""
            self.stdout.write(
                f"{chunk_start} to {chunk_end}: {result.offers} offer days, {result.books} book "
                f"days, {result.products} product days{unknown}"
            )
        self.stdout.write(self.style.SUCCESS(f"Rolled up {days} days."))


def _parse(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name}: expected YYYY-MM-DD, got {value!r}.") from None
