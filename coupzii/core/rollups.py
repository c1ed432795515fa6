"""Daily rollups: the registry the apps fill, and the runner that rolls a range of days (the
backfill) or the recent and changed ones (beat, `core.rollups_recent`).

coupzii.core imports no app, so each app registers its rollup in its AppConfig.ready():
`register(Rollup(name=..., roll=..., changed_days=...))`. A rollup's `roll(start, end)` deletes
and rewrites its rows for every day of [start, end] (idempotent) and returns the rows written;
`changed_days(since)` names the days whose figures rows updated since then have changed (an
order refunded, a cashback event confirmed ...), so an old day is rolled again.

A "day" is a calendar day in settings.TIME_ZONE, as everywhere on the site.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from .models import Watermark

__all__ = [
    "Rollup",
    "day_bounds",
    "day_chunks",
    "generation",
    "local_date",
    "register",
    "registered",
    "roll_range",
    "roll_recent",
    "watermark_get",
    "watermark_set",
]

logger = logging.getLogger(__name__)

# Held by every run (beat's and the backfill's): two runs rewriting the same day at once
# would each delete the rows the other has not committed yet, then collide on insert.
ROLL_LOCK = "core.rollups"
# A backfill rolls this many days per transaction: one grouped query per table covers them.
CHUNK_DAYS = 31
# Changed days closer than this are rolled as one range (fewer, slightly wider queries).
MERGE_GAP_DAYS = 3
# A row's updated_at is set before its transaction commits: a write that commits after a run
# started can carry an earlier time than the watermark that run leaves. Looking back this far
# past the watermark catches it (re-rolling a day is idempotent, so the overlap is harmless).
WATERMARK_LAG = timedelta(minutes=10)


@dataclass(frozen=True)
class Rollup:
    name: str
    roll: Callable[[date, date], int]
    changed_days: Callable[[datetime], set[date]]


_registry: dict[str, Rollup] = {}


def register(rollup: Rollup) -> None:
    """Add (or replace, on a second ready()) the rollup named `rollup.name`."""
    _registry[rollup.name] = rollup


def registered() -> list[Rollup]:
    return [_registry[name] for name in sorted(_registry)]


# --- Days --------------------------------------------------------------------------------------


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The first instant of `start` and of the day after `end`, in settings.TIME_ZONE."""
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def local_date(field: str) -> TruncDate:
    """The calendar day (settings.TIME_ZONE) of a datetime column, for GROUP BY: one grouped
    query rolls a month of days instead of one query per day."""
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def day_chunks(start: date, end: date, size: int = CHUNK_DAYS) -> Iterator[tuple[date, date]]:
    """[start, end] cut into consecutive ranges of at most `size` days."""
    while start <= end:
        last = min(end, start + timedelta(days=size - 1))
        yield start, last
        start = last + timedelta(days=1)


def day_ranges(days: Iterable[date], gap: int = MERGE_GAP_DAYS) -> list[tuple[date, date]]:
    """Sorted days grouped into ranges, days at most `gap` apart joined into one range."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and (day - ranges[-1][1]).days <= gap:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def local_days(moments: Iterable[datetime | None]) -> set[date]:
    """The calendar days (settings.TIME_ZONE) of these moments, skipping None."""
    return {timezone.localdate(moment) for moment in moments if moment is not None}


# --- Watermarks --------------------------------------------------------------------------------


def watermark_get(name: str) -> datetime | None:
    return Watermark.objects.filter(name=name).values_list("value", flat=True).first()


def watermark_set(name: str, value: datetime) -> None:
    Watermark.objects.update_or_create(name=name, defaults={"value": value})


def _watermark_name(rollup: Rollup) -> str:
    return f"rollup:{rollup.name}"


# --- Generation: readers cache what they build from the rollups under it -----------------------

GENERATION_KEY = "rollups:generation"


def generation() -> int:
    """A number that changes whenever a run has rewritten rollup rows: readers key their caches
    by it, so a cached figure never outlives the rows it was built from. 0 when Redis has
    none (a fresh Redis: the caches keyed by it are gone too)."""
    try:
        return int(cache.get(GENERATION_KEY) or 0)
    except (RedisError, ConnectionInterrupted):
        logger.warning("rollup generation unreadable; caches skipped", exc_info=True)
        return -1


def _generation_bump() -> None:
    try:
        cache.add(GENERATION_KEY, 0, timeout=None)
        cache.incr(GENERATION_KEY)
    except (RedisError, ConnectionInterrupted, ValueError):
        # Redis lost the key between add and incr, or is down: readers' caches go unused.
        logger.warning("rollup generation not moved", exc_info=True)


# --- Runs --------------------------------------------------------------------------------------


def roll_range(*, start: date, end: date, names: Iterable[str] | None = None) -> dict[str, int]:
    """Roll every registered rollup (or those named) over [start, end]; rows written per
    rollup. Each rollup's watermark moves to this run's start: the range covers what changed."""
    if start > end:
        raise ValueError("start must not be after end")
    started = timezone.now()
    wanted = None if names is None else set(names)
    written = {}
    for rollup in registered():
        if wanted is not None and rollup.name not in wanted:
            continue
        written[rollup.name] = rollup.roll(start, end)
        watermark_set(_watermark_name(rollup), started)
    _generation_bump()
    return written


def roll_recent(*, today: date | None = None) -> dict[str, int]:
    """Roll today and yesterday for every rollup (late clicks, a views flush after midnight),
    plus the older days its changed_days names since its watermark; then move the watermark to
    this run's start. Rows written per rollup."""
    started = timezone.now()
    today = today or timezone.localdate()
    written = {}
    for rollup in registered():
        days = {today - timedelta(days=1), today}
        mark = watermark_get(_watermark_name(rollup))
        if mark is not None:
            days |= {day for day in rollup.changed_days(mark - WATERMARK_LAG) if day <= today}
        written[rollup.name] = sum(rollup.roll(first, last) for first, last in day_ranges(days))
        watermark_set(_watermark_name(rollup), started)
    _generation_bump()
    return written
