"""The rollup runner (coupzii.core.rollups): which days the recent run rolls, the watermarks,
the beat task's lock, and the backfill command."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from coupzii.core import rollups
from coupzii.core.locks import redis_lock
from coupzii.core.models import Watermark
from coupzii.core.tasks import rollups_recent

pytestmark = pytest.mark.django_db


class Recorder:
    """A rollup that records the ranges it is asked to roll and the `since` it is given."""

    def __init__(self, changed: set[date] = frozenset()):
        self.rolled: list[tuple[date, date]] = []
        self.asked_since = []
        self.changed = set(changed)

    def roll(self, start: date, end: date) -> int:
        self.rolled.append((start, end))
        return (end - start).days + 1

    def changed_days(self, since) -> set[date]:
        self.asked_since.append(since)
        return self.changed


@pytest.fixture
def recorder():
    saved = dict(rollups._registry)
    recorder = Recorder()
    rollups.register(rollups.Rollup("test.recorder", recorder.roll, recorder.changed_days))
    yield recorder
    rollups._registry.clear()
    rollups._registry.update(saved)


def test_every_app_registers_its_rollups():
    assert [rollup.name for rollup in rollups.registered()] == [
        "commerce.order_days",
        "commerce.sales_days",
        "offers.store_days",
        "wallet.cashback_days",
        "wallet.payout_days",
    ]


def test_a_first_recent_run_rolls_today_and_yesterday_and_sets_the_watermark(recorder):
    today = timezone.localdate()
    before = timezone.now()

    written = rollups.roll_recent()

    assert recorder.rolled == [(today - timedelta(days=1), today)]
    assert recorder.asked_since == []  # nothing to compare with yet
    assert written["test.recorder"] == 2
    assert Watermark.objects.get(name="rollup:test.recorder").value >= before


def test_a_later_run_also_rolls_the_changed_days_grouped_into_ranges(recorder):
    # given a run a while ago, and rows changed since on old days (and a bogus future day)
    today = timezone.localdate()
    rollups.roll_recent()
    mark = Watermark.objects.get(name="rollup:test.recorder").value
    old = today - timedelta(days=40)
    recorder.changed = {
        old,
        old + timedelta(days=2),
        today - timedelta(days=9),
        today + timedelta(days=5),
    }
    recorder.rolled.clear()

    # when
    rollups.roll_recent()

    # then days close together are one range, and the lookback reaches behind the watermark
    assert recorder.rolled == [
        (old, old + timedelta(days=2)),
        (today - timedelta(days=9), today - timedelta(days=9)),
        (today - timedelta(days=1), today),
    ]
    assert recorder.asked_since == [mark - rollups.WATERMARK_LAG]
    assert Watermark.objects.get(name="rollup:test.recorder").value > mark


def test_the_beat_task_rolls_and_skips_while_another_run_holds_the_lock(recorder):
    assert rollups_recent.delay().get() >= 2
    recorder.rolled.clear()

    with redis_lock(rollups.ROLL_LOCK, ttl=60):
        assert rollups_recent.delay().get() == 0

    assert recorder.rolled == []


def test_the_backfill_waits_for_a_running_roll_and_says_so_when_it_does_not_end(recorder):
    held = redis_lock(rollups.ROLL_LOCK, ttl=60)
    with held, pytest.raises(CommandError, match=r"still holds the lock after 0\.2 s"):
        call_command("rollups_backfill", "--days", "2", "--wait", "0.2", stdout=StringIO())

    assert recorder.rolled == []


def test_the_backfill_rolls_the_last_366_days_by_default(recorder):
    today = timezone.localdate()
    call_command("rollups_backfill", "--only", "test.recorder", stdout=StringIO())

    # one call for the whole range: the rollup itself cuts it into chunks
    assert recorder.rolled == [(today - timedelta(days=365), today)]
    assert Watermark.objects.filter(name="rollup:test.recorder").exists()


def test_the_backfill_takes_a_number_of_days_or_a_start_and_end(recorder):
    today = timezone.localdate()
    call_command("rollups_backfill", "--days", "7", "--only", "test.recorder", stdout=StringIO())
    call_command(
        "rollups_backfill",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-31",
        "--only",
        "test.recorder",
        stdout=StringIO(),
    )

    assert recorder.rolled == [
        (today - timedelta(days=6), today),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--days", "0"], "at least 1"),
        (["--days", "3", "--start", "2026-01-01"], "not both"),
        (["--start", "2026-02-01", "--end", "2026-01-01"], "not be after"),
        (["--start", "1 Feb"], "invalid fromisoformat value"),
        (["--only", "nope"], "No rollup named nope"),
    ],
)
def test_the_backfill_refuses_bad_arguments_with_a_clear_message(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("rollups_backfill", *arguments, stdout=StringIO())


def test_day_chunks_cover_the_range_once():
    start = date(2026, 1, 1)
    chunks = list(rollups.day_chunks(start, date(2026, 3, 5), size=31))

    assert chunks == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 3, 3)),
        (date(2026, 3, 4), date(2026, 3, 5)),
    ]
    assert list(rollups.day_chunks(start, start)) == [(start, start)]


# --- Watermarks: only the recent run moves them ------------------------------------------------


def test_a_partial_backfill_leaves_the_recent_runs_watermark_so_other_days_still_roll(recorder):
    # given a recent run a while ago, then a row changed on an old day outside the backfill
    rollups.roll_recent()
    mark = timezone.now() - timedelta(hours=2)
    Watermark.objects.filter(name="rollup:test.recorder").update(value=mark)
    changed = timezone.localdate() - timedelta(days=100)
    recorder.changed = {changed}

    # when a backfill rolls only the last week, of this rollup alone
    today = timezone.localdate()
    rollups.roll_range(start=today - timedelta(days=6), end=today, names=["test.recorder"])

    # then its watermark did not move, and the next recent run still rolls the changed day
    assert Watermark.objects.get(name="rollup:test.recorder").value == mark
    recorder.rolled.clear()
    rollups.roll_recent()
    assert (changed, changed) in recorder.rolled


def test_a_backfill_sets_a_watermark_only_where_none_exists(recorder):
    today = timezone.localdate()
    before = timezone.now()

    rollups.roll_range(start=today, end=today, names=["test.recorder"])

    assert Watermark.objects.get(name="rollup:test.recorder").value >= before
    # rollups it was not asked to roll get none
    assert not Watermark.objects.filter(name="rollup:offers.store_days").exists()


# --- A failing rollup ---------------------------------------------------------------------------


def test_one_failing_rollup_neither_stops_the_others_nor_the_generation(recorder, caplog):
    # given a rollup that fails, sorted before the recorder
    def broken(start, end):
        raise RuntimeError("the database went away")

    rollups.register(rollups.Rollup("a.broken", broken, lambda since: set()))
    generation = rollups.generation()

    # when
    with pytest.raises(RuntimeError, match="went away"):
        rollups.roll_recent()

    # then the recorder still rolled, the generation moved, the error was logged, and the
    # broken rollup's watermark did not move (its changes are looked for again next run)
    assert recorder.rolled
    assert Watermark.objects.filter(name="rollup:test.recorder").exists()
    assert not Watermark.objects.filter(name="rollup:a.broken").exists()
    assert rollups.generation() == generation + 1
    assert "rollup a.broken failed" in caplog.text


# --- After-roll hooks ---------------------------------------------------------------------------


@pytest.fixture
def hooks():
    saved = list(rollups._after_roll)
    yield
    rollups._after_roll[:] = saved


def test_after_roll_hooks_run_once_the_generation_moved_and_their_errors_are_logged(
    recorder, hooks, caplog
):
    seen = []

    def warm():
        seen.append(rollups.generation())

    def broken():
        raise RuntimeError("cache full")

    rollups.after_roll_register(broken)
    rollups.after_roll_register(warm)
    rollups.after_roll_register(warm)  # a second ready(): still once
    before = rollups.generation()

    rollups.roll_recent()
    today = timezone.localdate()
    rollups.roll_range(start=today, end=today)

    assert seen == [before + 1, before + 2]
    assert "after-roll hook" in caplog.text and "cache full" in caplog.text
