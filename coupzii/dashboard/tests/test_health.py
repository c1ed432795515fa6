"""The dashboard's health panel: Redis, Celery's queues (real messages on a real Redis broker),
beat's schedule with each task's last run and lateness, the buffers, and a page that still
renders when Redis or the broker is down."""

import socket
import time as clock
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from celery import Celery
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import timezone, translation
from kombu import Queue

from coupzii.core.models import TaskRun
from coupzii.core.task_runs import PUBLISHED_AT_HEADER
from coupzii.dashboard.health import beat_health, health_snapshot
from offers import views_counter
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs a real Redis as the broker (set REDIS_URL)"
)


def closed_port() -> int:
    # Bind then release: nothing listens there afterwards, so connecting is refused at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def celery_app(broker: str = "memory://localhost/", **conf) -> Celery:
    """A Celery app like the project's in production: a broker, not eager."""
    app = Celery("health-test", broker=broker, set_as_current=False, fixups=[])
    app.conf.update(task_always_eager=False, timezone="Asia/Kolkata", **conf)
    return app


def panel(health) -> str:
    return render_to_string("admin/dashboard/_health.html", {"health": health})


@pytest.fixture(params=["", "coupzii-broker:"], ids=["keys", "prefixed-keys"])
def broker_app(request):
    """The project's Redis as a Celery broker, on queues of this test's own; with and without
    kombu's global_keyprefix (a Redis shared with other things)."""
    token = uuid.uuid4().hex[:12]
    default, slow = f"health-{token}", f"health-{token}-slow"
    app = celery_app(
        settings.REDIS_URL,
        task_default_queue=default,
        task_routes={"wallet.sync_networks": {"queue": slow}},
        broker_transport_options={"global_keyprefix": request.param},
    )
    yield app
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"*health-{token}*"):
        client.delete(key)


# --- The embedded default, and Redis ----------------------------------------------------------


def test_with_eager_tasks_the_panel_says_they_run_in_the_web_process():
    health = health_snapshot()

    assert health.celery.eager is True
    assert health.celery.queues == ()
    assert health.ok
    assert "Tasks run in the web process" in panel(health)


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the embedded default has no REDIS_URL")
def test_the_embedded_redis_is_shown_as_in_process_not_as_an_error():
    cache.set("health-test", "1")

    health = health_snapshot()

    assert health.redis.reachable and health.redis.in_process
    assert health.redis.keys == 1
    assert health.redis.used_memory is None
    assert health.problems == []
    assert "In-process Redis" in panel(health)


@needs_redis
def test_real_redis_shows_memory_clients_and_a_hit_rate_that_counts_our_reads():
    before = health_snapshot().redis
    cache.set("health-test", "1")
    assert cache.get("health-test") == "1"  # a hit
    assert cache.get("health-test-missing") is None  # a miss

    after = health_snapshot().redis

    assert after.reachable and not after.in_process
    assert after.keyspace_hits >= before.keyspace_hits + 1
    assert after.keyspace_misses >= before.keyspace_misses + 1
    reads = after.keyspace_hits + after.keyspace_misses
    assert after.hit_rate == round(100 * after.keyspace_hits / reads, 1)
    assert after.used_memory > 0 and after.used_memory_peak >= after.used_memory
    assert after.connected_clients >= 1
    assert after.evicted_keys >= 0
    assert after.keys >= 1
    html = panel(health_snapshot())
    assert "Cache hit rate" in html and after.version in html


def test_with_redis_down_the_panel_says_so_and_still_renders(django_assert_num_queries):
    stopped = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    with override_settings(CACHES=stopped, REDIS_URL=stopped["default"]["LOCATION"]):
        with django_assert_num_queries(1):
            health = health_snapshot()
        html = panel(health)

    assert health.redis.reachable is False
    assert health.buffers.reachable is False
    assert "Redis cannot be reached." in health.problems
    assert "Redis cannot be reached." in html
    assert "The buffers cannot be read while Redis is down." in html


def test_the_buffers_count_click_outs_and_offer_views_waiting(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # with a broker, click-outs wait in the buffer
    offers = OfferFactory.create_batch(3)
    for offer in offers[:2]:
        assert client.get(f"/go/{offer.public_id}/").status_code == 302
    views_counter.offer_views_count([offer.id for offer in offers])

    health = health_snapshot()

    assert (health.buffers.clicks, health.buffers.views) == (2, 3)
    html = panel(health)
    assert "<td data-health-clicks>2</td>" in html
    assert "<td data-health-views>3</td>" in html


# --- Celery's queues --------------------------------------------------------------------------


@needs_redis
def test_queues_show_real_messages_waiting_and_the_age_of_the_oldest(broker_app):
    # given: tasks published through Celery (our handler stamps published_at), one routed to
    # another queue and one with a priority (kombu keeps it in a list of its own)
    default = broker_app.conf.task_default_queue
    first = datetime.now(UTC)
    broker_app.send_task("offers.flush_offer_views")
    broker_app.send_task("offers.expiry_sweep")
    broker_app.send_task("offers.flush_offer_counters", priority=9)
    broker_app.send_task("wallet.sync_networks")
    last = datetime.now(UTC)

    # when: read five minutes after the first publish
    health = health_snapshot(app=broker_app, now=first + timedelta(minutes=5))

    # then
    assert health.celery.reachable and not health.celery.eager
    assert health.celery.ages_readable
    queues = {queue.name: queue for queue in health.celery.queues}
    assert list(queues) == [default, f"{default}-slow"]
    assert queues[default].length == 3
    assert first <= queues[default].oldest_published_at <= last
    assert timedelta(minutes=5) - (last - first) <= queues[default].oldest_age
    assert queues[default].oldest_age <= timedelta(minutes=5)
    assert queues[f"{default}-slow"].length == 1
    html = panel(health)
    assert f'data-health-queue="{default}"' in html
    # a hair under five minutes: timesince says 4
    assert "4\xa0minutes" in html


@needs_redis
def test_the_oldest_message_is_the_first_one_pushed(broker_app):
    # given: a real task message stamped ten minutes ago, published with kombu directly (no
    # Celery publish, so no fresh stamp), then a task published now
    queue = broker_app.conf.task_default_queue
    long_ago = timezone.now() - timedelta(minutes=10)
    message = broker_app.amqp.as_task_v2(str(uuid.uuid4()), "offers.flush_offer_views")
    with broker_app.connection_for_write() as connection:
        connection.Producer().publish(
            message.body,
            routing_key=queue,
            declare=[Queue(queue)],
            serializer="json",
            headers={**message.headers, PUBLISHED_AT_HEADER: long_ago.isoformat()},
        )
    broker_app.send_task("offers.flush_offer_views")

    # when
    health = health_snapshot(app=broker_app)

    # then: kombu LPUSHes and workers pop from the right, so the tail is the oldest
    waiting = health.celery.queues[0]
    assert waiting.length == 2
    assert waiting.oldest_published_at == long_ago
    assert timedelta(minutes=10) <= waiting.oldest_age < timedelta(minutes=11)


@needs_redis
def test_a_message_without_a_publish_time_is_counted_with_its_age_unknown(broker_app):
    queue = broker_app.conf.task_default_queue
    message = broker_app.amqp.as_task_v2(str(uuid.uuid4()), "offers.flush_offer_views")
    with broker_app.connection_for_write() as connection:
        connection.Producer().publish(
            message.body,
            routing_key=queue,
            declare=[Queue(queue)],
            serializer="json",
            headers=message.headers,
        )

    waiting = health_snapshot(app=broker_app).celery.queues[0]

    assert (waiting.length, waiting.oldest_age) == (1, None)
    assert "unknown (no publish time on the message)" in panel(health_snapshot(app=broker_app))


@needs_redis
def test_an_empty_queue_has_no_age(broker_app):
    waiting = health_snapshot(app=broker_app).celery.queues

    assert [(queue.length, queue.oldest_age) for queue in waiting] == [(0, None), (0, None)]


def test_another_broker_gives_queue_lengths_without_ages():
    # kombu's in-memory transport stands for a broker whose messages can't be peeked at
    # (RabbitMQ): the length comes from a passive declare.
    queue = f"health-{uuid.uuid4().hex[:12]}"
    app = celery_app(task_default_queue=queue)
    app.send_task("offers.flush_offer_views")
    app.send_task("offers.expiry_sweep")

    health = health_snapshot(app=app)

    assert health.celery.reachable and not health.celery.ages_readable
    assert [(q.name, q.length, q.oldest_age) for q in health.celery.queues] == [(queue, 2, None)]
    assert "not readable on this broker" in panel(health)


def test_an_unreachable_broker_is_reported_fast_and_the_panel_still_renders():
    app = celery_app(f"redis://:secret@127.0.0.1:{closed_port()}/0")

    started = clock.monotonic()
    health = health_snapshot(app=app)
    elapsed = clock.monotonic() - started

    assert health.celery.reachable is False
    assert "The Celery broker cannot be reached." in health.problems
    assert elapsed < 5
    html = panel(health)
    assert "cannot be reached" in html
    assert "secret" not in html


# --- Beat -------------------------------------------------------------------------------------

NOW = datetime(2026, 12, 7, 15, 30, tzinfo=IST)


def beat_state(settings, every, *, started_at, now=NOW, succeeded=True, app=None):
    """The panel's row for a one-entry schedule whose task last started at `started_at`."""
    settings.CELERY_BEAT_SCHEDULE = {"the-entry": {"task": "coupzii.tests.beat", "schedule": every}}
    if started_at is not None:
        TaskRun.objects.create(
            name="coupzii.tests.beat",
            started_at=started_at,
            finished_at=started_at + timedelta(seconds=1),
            succeeded=succeeded,
            error="" if succeeded else "RuntimeError: no",
            runs=3,
            failures=0 if succeeded else 1,
        )
    (entry,) = beat_health(app=app or celery_app(), now=now)
    return entry


@pytest.mark.parametrize(
    ("every", "started_ago", "late"),
    [
        (60.0, timedelta(seconds=90), False),
        (60.0, timedelta(seconds=121), True),
        (timedelta(minutes=10), timedelta(minutes=19), False),
        (timedelta(minutes=10), timedelta(minutes=21), True),
        # a 5-second task is not late before a minute
        (5.0, timedelta(seconds=30), False),
        (5.0, timedelta(seconds=61), True),
    ],
)
def test_an_interval_task_is_late_after_twice_its_interval(settings, every, started_ago, late):
    entry = beat_state(settings, every, started_at=NOW - started_ago)

    assert entry.late is late
    assert entry.state == ("late" if late else "ok")
    if late:
        interval = timedelta(seconds=every) if isinstance(every, float) else every
        assert entry.late_since == NOW - started_ago + max(2 * interval, timedelta(minutes=1))


@pytest.mark.parametrize(
    ("started_at", "now", "late_since"),
    [
        # ran at today's 02:30 (IST): fine all day
        (datetime(2026, 12, 7, 2, 30, 3, tzinfo=IST), NOW, None),
        # last ran yesterday: today's 02:30 is missed, an hour's grace over
        (
            datetime(2026, 12, 6, 2, 30, 2, tzinfo=IST),
            NOW,
            datetime(2026, 12, 7, 2, 30, tzinfo=IST),
        ),
        (
            datetime(2026, 12, 6, 2, 30, 2, tzinfo=IST),
            datetime(2026, 12, 7, 3, 29, tzinfo=IST),
            None,
        ),
        (
            datetime(2026, 12, 6, 2, 30, 2, tzinfo=IST),
            datetime(2026, 12, 7, 3, 31, tzinfo=IST),
            datetime(2026, 12, 7, 2, 30, tzinfo=IST),
        ),
    ],
)
def test_a_daily_crontab_task_is_late_an_hour_after_the_time_it_missed(
    settings, started_at, now, late_since
):
    entry = beat_state(settings, crontab(hour=2, minute=30), started_at=started_at, now=now)

    assert entry.late is (late_since is not None)
    assert entry.late_since == late_since
    assert entry.schedule == "every day at 02:30"


def test_an_hourly_crontab_task_is_late_once_a_run_is_an_hour_overdue(settings):
    every = crontab(minute=40)
    ran = datetime(2026, 12, 7, 13, 40, 1, tzinfo=IST)

    on_time = beat_state(
        settings, every, started_at=ran, now=datetime(2026, 12, 7, 15, 39, tzinfo=IST)
    )
    TaskRun.objects.all().delete()
    overdue = beat_state(
        settings, every, started_at=ran, now=datetime(2026, 12, 7, 15, 41, tzinfo=IST)
    )

    assert not on_time.late
    assert overdue.late_since == datetime(2026, 12, 7, 14, 40, tzinfo=IST)
    assert overdue.schedule == "every hour at :40"


def test_a_weekly_crontab_counts_back_to_its_weekday(settings):
    # 7 Dec 2026 is a Monday; Celery counts Sunday as day 0.
    every = crontab(hour=9, minute=0, day_of_week=0)
    entry = beat_state(settings, every, started_at=datetime(2026, 11, 29, 9, 0, 5, tzinfo=IST))

    assert entry.late_since == datetime(2026, 12, 6, 9, 0, tzinfo=IST)
    assert entry.schedule == "every Sunday at 09:00"


def test_a_task_never_started_is_shown_as_such_not_as_late(settings):
    entry = beat_state(settings, crontab(hour=2, minute=30), started_at=None)

    assert (entry.recorded, entry.late, entry.state) == (False, False, "never")


def test_a_failed_last_run_shows_the_error(settings):
    entry = beat_state(settings, 60.0, started_at=NOW - timedelta(seconds=10), succeeded=False)

    assert entry.state == "failed"
    assert entry.error == "RuntimeError: no"
    assert (entry.runs, entry.failures) == (3, 1)


def test_with_eager_tasks_no_beat_runs_so_nothing_is_called_late(settings):
    eager = Celery("eager-test", set_as_current=False, fixups=[])
    eager.conf.task_always_eager = True

    entry = beat_state(settings, 60.0, started_at=NOW - timedelta(days=2), app=eager)

    assert not entry.late


def test_every_beat_entry_is_listed_with_its_schedule_in_words():
    health = health_snapshot()

    words = {entry.key: entry.schedule for entry in health.beat}
    assert list(words) == list(settings.CELERY_BEAT_SCHEDULE)
    assert words["offers-write-buffered-clicks"] == "every 5 seconds"
    assert words["offers-release-expired-locks"] == "every minute"
    assert words["brands-analytics-rollup"] == "every 10 minutes"
    assert words["assistant-purge-conversations"] == "every day"
    assert words["offers-expiry-sweep"] == "every day at 00:05"
    assert words["wallet-sync-networks"] == "every day at 00:15, 06:15, 12:15, 18:15"
    assert words["accounts-prune-password-failures"] == "every hour at :40"


def test_an_unusual_crontab_is_shown_as_its_spec(settings):
    entry = beat_state(settings, crontab(minute="*/15", day_of_month=1), started_at=None)

    assert entry.schedule == "crontab */15 * 1 * *"


def test_the_snapshot_reads_the_database_once_however_many_tasks_ran(
    settings, django_assert_num_queries
):
    names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    with django_assert_num_queries(1):
        health_snapshot()
    TaskRun.objects.bulk_create(TaskRun(name=name, started_at=timezone.now()) for name in names)

    with django_assert_num_queries(1):
        health = health_snapshot()

    assert all(entry.recorded for entry in health.beat)


def test_the_panel_shows_late_and_failed_tasks_and_renders_in_hindi(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "late-one": {"task": "coupzii.tests.late", "schedule": 60.0},
        "failed-one": {"task": "coupzii.tests.failed", "schedule": 60.0},
    }
    now = timezone.now()
    TaskRun.objects.create(name="coupzii.tests.late", started_at=now - timedelta(hours=1))
    TaskRun.objects.create(
        name="coupzii.tests.failed",
        started_at=now - timedelta(seconds=5),
        finished_at=now - timedelta(seconds=4),
        succeeded=False,
        error="ValueError: the network's report had no rows",
    )

    health = health_snapshot(app=celery_app(), now=now)
    html = panel(health)
    with translation.override("hi"):
        hindi = panel(health)

    assert health.problems[-2:] == ["1 beat task is late.", "1 beat task failed its last run."]
    assert 'data-beat-entry="late-one" data-state="late"' in html
    assert 'data-beat-entry="failed-one" data-state="failed"' in html
    assert "ValueError: the network&#x27;s report had no rows" in html
    assert 'data-beat-entry="late-one" data-state="late"' in hindi


def test_with_a_broker_and_no_beat_task_ever_run_the_panel_is_not_all_ok(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "every-minute": {"task": "coupzii.tests.minutely", "schedule": 60.0},
        "nightly": {"task": "coupzii.tests.nightly", "schedule": crontab(hour=2, minute=30)},
    }

    health = health_snapshot(app=celery_app(), now=NOW)

    assert not health.ok
    assert "No beat task has run yet: is beat running?" in health.problems
    assert {entry.state for entry in health.beat} == {"never"}


def test_with_eager_tasks_no_beat_run_is_expected(settings):
    eager = Celery("eager-test", set_as_current=False, fixups=[])
    eager.conf.task_always_eager = True
    settings.CELERY_BEAT_SCHEDULE = {"x": {"task": "coupzii.tests.x", "schedule": 60.0}}

    assert health_snapshot(app=eager, now=NOW).ok


@pytest.mark.parametrize(
    ("beat_seen_ago", "late"), [(timedelta(minutes=1), False), (timedelta(minutes=3), True)]
)
def test_a_task_that_never_ran_is_late_once_due_since_beat_was_seen_running(
    settings, beat_seen_ago, late
):
    # given beat ran the nightly task, but the every-minute task has no run at all
    settings.CELERY_BEAT_SCHEDULE = {
        "every-minute": {"task": "coupzii.tests.minutely", "schedule": 60.0},
        "nightly": {"task": "coupzii.tests.nightly", "schedule": crontab(hour=15, minute=0)},
    }
    TaskRun.objects.create(name="coupzii.tests.nightly", started_at=NOW - beat_seen_ago)

    health = health_snapshot(app=celery_app(), now=NOW)

    never = next(entry for entry in health.beat if entry.key == "every-minute")
    assert never.recorded is False
    assert never.late is late
    assert never.state == ("late" if late else "never")
    assert health.ok is not late
    if late:
        assert never.late_since == NOW - beat_seen_ago + timedelta(minutes=2)
