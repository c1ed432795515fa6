"""Daily rollups: the registry the apps fill, and the runner that rolls a range of days (the
backfill) or the recent and changed ones (beat, `core.rollups_recent`).

coupzii.core imports no app, so each app registers its rollup in its AppConfig.ready():
`register(Rollup(name=..., roll=..., changed_days=...))`. A rollup's `roll(start, end)` deletes
and rewrites its rows for every day of [start, end] (idempotent) and returns the rows written;
`changed_days(since)` names the days whose figures rows updated since then have changed (an
order refunded, a cashback event confirmed ...), so an old day is rolled again.

Watermarks: only roll_recent moves them (to its start). roll_range (the backfill, the demo seed)
sets one only where none exists yet: a backfill of some days says nothing about rows changed
since the last recent run on the other days, which that run must still see.

After every run the generation moves (readers' caches keyed by it go stale) and the functions
registered with `after_roll_register` run, so a reader can warm its cache for the new rows
before anyone asks; their errors are logged, never raised into the run.

A "day" is a calendar day in settings.TIME_ZONE, as everywhere on the site.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from .models import Watermark

__all__ = [
    "Rollup",
    "after_roll_register",
    "day_bounds",
    "day_chunks",
    "generation",
    "local_date",
    "register",
    "registered",
    "related_values",
    "rewrite_days",
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
# Rows a rewrite inserts per statement.
INSERT_BATCH = 2000


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


_after_roll: list[Callable[[], object]] = []


def after_roll_register(fn: Callable[[], object]) -> None:
    """Run `fn()` after every roll, once the generation has moved (a reader warming its
    cache). Registering the same function twice (a second ready()) keeps one."""
    if fn not in _after_roll:
        _after_roll.append(fn)


def _after_roll_run() -> None:
    for fn in list(_after_roll):
        try:
            fn()
        except Exception:
            # A cache left cold is rebuilt by the next reader: never worth failing the roll.
            logger.exception("after-roll hook %r failed", fn)


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


# --- Writing and reading rollup rows ------------------------------------------------------------


def rewrite_days(
    model: type[models.Model], start: date, end: date, rows_of: Callable[[date, date], list]
) -> int:
    """Replace `model`'s rows of the days [start, end] (its `date` column), CHUNK_DAYS at a
    time: for each chunk, `rows_of(first, last)` builds the new rows and the old ones are
    deleted, in one transaction, so readers see a day's old rows or its new ones, never half
    of them. Returns how many rows were written."""
    written = 0
    for first, last in day_chunks(start, end):
        with transaction.atomic():
            rows = list(rows_of(first, last))
            model.objects.filter(date__gte=first, date__lte=last).delete()
            model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        written += len(rows)
    return written


def related_values(model: type[models.Model], key: str, *fields: str) -> dict[str, Subquery]:
    """Columns of the `model` row whose pk is in column `key`, as annotations to add after a
    GROUP BY: looked up once per group, where a join before it would carry them through every
    row of the range (a store's name and slug beside its summed clicks)."""
    row = model.objects.filter(pk=OuterRef(key))
    return {field: Subquery(row.values(field)[:1]) for field in fields}


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
    rollup. A rollup without a watermark gets one (this run's start): the range stands for
    its first run. An existing watermark stays where roll_recent left it, so the changes
    since then on days outside the range are still rolled by the next recent run."""
    if start > end:
        raise ValueError("start must not be after end")
    started = timezone.now()
    wanted = None if names is None else set(names)
    written = {}
    try:
        for rollup in registered():
            if wanted is not None and rollup.name not in wanted:
                continue
            written[rollup.name] = rollup.roll(start, end)
            Watermark.objects.get_or_create(
                name=_watermark_name(rollup), defaults={"value": started}
            )
    finally:
        _generation_bump()
        _after_roll_run()
    return written


def roll_recent(*, today: date | None = None) -> dict[str, int]:
    """Roll today and yesterday for every rollup (late clicks, a views flush after midnight),
    plus the older days its changed_days names since its watermark; then move the watermark to
    this run's start. Rows written per rollup.

    A rollup that fails keeps its watermark (its changes are found again next run) and does
    not stop the others; the generation moves whatever happened (some rows may be rewritten),
    and the first error is raised at the end, so the task's run is recorded as failed."""
    started = timezone.now()
    today = today or timezone.localdate()
    written = {}
    failure: Exception | None = None
    try:
        for rollup in registered():
            try:
                written[rollup.name] = _roll_recent_one(rollup, today, started)
            except Exception as error:
                logger.exception("rollup %s failed", rollup.name)
                failure = failure or error
    finally:
        _generation_bump()
        _after_roll_run()
    if failure is not None:
        raise failure
    return written


def _roll_recent_one(rollup: Rollup, today: date, started: datetime) -> int:
    days = {today - timedelta(days=1), today}
    mark = watermark_get(_watermark_name(rollup))
    if mark is not None:
        days |= {day for day in rollup.changed_days(mark - WATERMARK_LAG) if day <= today}
    written = sum(rollup.roll(first, last) for first, last in day_ranges(days))
    watermark_set(_watermark_name(rollup), started)
    return written
