"""The health panel of the operators' dashboard: Redis, Celery's queues, beat's schedule and the
click and view buffers, as one snapshot.

health_snapshot() costs one SQL query (the TaskRun rows of beat's tasks) and a handful of Redis
and broker commands. It never raises for a service that is down: that part of the snapshot says
it could not be reached, and the page around it still renders.

On the embedded default (no REDIS_URL, no CELERY_BROKER_URL) Redis is fakeredis inside the web
process and tasks run eagerly in it: the panel says so, as a mode rather than a fault.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery import Celery
from celery.schedules import crontab, schedule
from django.conf import settings
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, ngettext
from django_redis import get_redis_connection

from coupzii.celery import app as celery_app
from coupzii.core.models import TaskRun
from coupzii.core.task_runs import published_at
from offers import selectors as offers_selectors

logger = logging.getLogger(__name__)

# Seconds to wait for the broker: the panel answers fast rather than wait out retries.
BROKER_TIMEOUT = 2
# An interval task is late when it hasn't started for twice its interval, but never sooner than
# this: a 5-second task delayed by a busy worker for 11 seconds is not worth a red flag.
LATE_FLOOR = timedelta(minutes=1)
# A crontab task is late when a due time passed this long ago without a run since.
CRONTAB_GRACE = timedelta(hours=1)
# Clock skew between the beat host and the worker that stamps started_at.
CLOCK_SKEW = timedelta(minutes=1)
# How far back a crontab's previous due time is looked for (a yearly entry still has one).
CRONTAB_LOOKBACK_DAYS = 400


@dataclass(frozen=True)
class RedisHealth:
    reachable: bool
    in_process: bool  # fakeredis in the web process (the embedded default): no server statistics
    keys: int | None = None
    version: str = ""
    used_memory: int | None = None
    used_memory_peak: int | None = None
    maxmemory: int | None = None  # 0: no limit
    keyspace_hits: int | None = None
    keyspace_misses: int | None = None
    evicted_keys: int | None = None
    connected_clients: int | None = None

    @property
    def hit_rate(self) -> float | None:
        """Percent of key reads that found their key since Redis started (None before any)."""
        if self.keyspace_hits is None or self.keyspace_misses is None:
            return None
        reads = self.keyspace_hits + self.keyspace_misses
        return round(100 * self.keyspace_hits / reads, 1) if reads else None

    @property
    def memory_used_percent(self) -> float | None:
        if not self.maxmemory or self.used_memory is None:
            return None
        return round(100 * self.used_memory / self.maxmemory, 1)


@dataclass(frozen=True)
class QueueHealth:
    name: str
    length: int | None  # None: the broker would not say
    oldest_published_at: datetime | None = None  # None: empty, or no publish time on it
    oldest_age: timedelta | None = None


@dataclass(frozen=True)
class CeleryHealth:
    eager: bool  # tasks run in the web process (no broker, no workers)
    reachable: bool
    broker: str = ""  # the broker's address, password masked
    ages_readable: bool = False  # a Redis broker: the oldest message of a queue can be read
    queues: tuple[QueueHealth, ...] = ()


@dataclass(frozen=True)
class BeatEntry:
    key: str
    task: str
    schedule: str  # in words
    recorded: bool  # a TaskRun row exists (the task has started at least once)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    succeeded: bool | None = None
    error: str = ""
    last_success_at: datetime | None = None
    runs: int = 0
    failures: int = 0
    late: bool = False
    late_since: datetime | None = None  # the run it missed was due then

    @property
    def running(self) -> bool:
        return self.started_at is not None and (
            self.finished_at is None or self.finished_at < self.started_at
        )

    @property
    def state(self) -> str:
        """One word for the row's badge: late, failed, never, running or ok."""
        if self.late:
            return "late"
        if not self.recorded:
            return "never"
        if self.running:
            return "running"
        if self.succeeded is False:
            return "failed"
        return "ok"


@dataclass(frozen=True)
class Buffers:
    reachable: bool
    clicks: int | None = None  # click-outs waiting for the click writer
    views: int | None = None  # offer-days with views waiting for the views flush


@dataclass(frozen=True)
class Health:
    checked_at: datetime
    time_zone: str  # the zone beat's crontab times are in
    redis: RedisHealth
    celery: CeleryHealth
    beat: tuple[BeatEntry, ...]
    buffers: Buffers
    beat_expected: bool = False  # a broker and workers: a beat process should be running

    @property
    def late_tasks(self) -> list[BeatEntry]:
        return [entry for entry in self.beat if entry.late]

    @property
    def failed_tasks(self) -> list[BeatEntry]:
        return [entry for entry in self.beat if entry.state == "failed"]

    @property
    def problems(self) -> list[str]:
        """What an operator should look at, in words; empty when all is well."""
        problems = []
        if not self.redis.reachable:
            problems.append(gettext("Redis cannot be reached."))
        if not self.celery.reachable:
            problems.append(gettext("The Celery broker cannot be reached."))
        if self.beat_expected and self.beat and not any(entry.recorded for entry in self.beat):
            problems.append(gettext("No beat task has run yet: is beat running?"))
        if late := len(self.late_tasks):
            problems.append(
                ngettext("%(count)d beat task is late.", "%(count)d beat tasks are late.", late)
                % {"count": late}
            )
        if failed := len(self.failed_tasks):
            problems.append(
                ngettext(
                    "%(count)d beat task failed its last run.",
                    "%(count)d beat tasks failed their last run.",
                    failed,
                )
                % {"count": failed}
            )
        return problems

    @property
    def ok(self) -> bool:
        return not self.problems


def health_snapshot(*, app: Celery | None = None, now: datetime | None = None) -> Health:
    """Everything the health panel shows. `app` is the Celery app whose broker is read (the
    project's by default); `now` is the time ages and lateness are measured at."""
    app = app or celery_app
    now = now or timezone.now()
    return Health(
        checked_at=now,
        time_zone=str(app.conf.timezone or settings.TIME_ZONE),
        redis=redis_health(),
        celery=celery_health(app=app, now=now),
        beat=beat_health(app=app, now=now),
        buffers=buffers_health(),
        beat_expected=not app.conf.task_always_eager,
    )


# --- Redis ------------------------------------------------------------------------------------


def redis_health() -> RedisHealth:
    in_process = not settings.REDIS_URL
    try:
        client = get_redis_connection("default")
        keys = client.dbsize()
        # fakeredis has no INFO; its figures would describe the web process, not a server.
        info = {} if in_process else client.info()
    except Exception:
        logger.warning("health: Redis cannot be reached", exc_info=True)
        return RedisHealth(reachable=False, in_process=in_process)
    return RedisHealth(
        reachable=True,
        in_process=in_process,
        keys=keys,
        version=str(info.get("redis_version", "")),
        used_memory=info.get("used_memory"),
        used_memory_peak=info.get("used_memory_peak"),
        maxmemory=info.get("maxmemory"),
        keyspace_hits=info.get("keyspace_hits"),
        keyspace_misses=info.get("keyspace_misses"),
        evicted_keys=info.get("evicted_keys"),
        connected_clients=info.get("connected_clients"),
    )


def buffers_health() -> Buffers:
    try:
        return Buffers(
            reachable=True,
            clicks=offers_selectors.clicks_in_buffer(),
            views=offers_selectors.views_in_buffer(),
        )
    except Exception:
        logger.warning("health: the click and view buffers cannot be read", exc_info=True)
        return Buffers(reachable=False)


# --- Celery's queues ----------------------------------------------------------------------------


def queue_names(app: Celery) -> list[str]:
    """The default queue, the queues configured, and any a route or a beat entry names."""
    conf = app.conf
    names = [conf.task_default_queue or "celery"]
    names += [queue.name for queue in conf.task_queues or ()]
    routes = conf.task_routes
    for route in routes.values() if isinstance(routes, dict) else ():
        if isinstance(route, dict) and route.get("queue"):
            names.append(str(route["queue"]))
    for entry in (conf.beat_schedule or {}).values():
        queue = (entry.get("options") or {}).get("queue")
        if queue:
            names.append(str(queue))
    return list(dict.fromkeys(names))


def celery_health(*, app: Celery, now: datetime) -> CeleryHealth:
    if app.conf.task_always_eager:
        return CeleryHealth(eager=True, reachable=True)
    connection = app.connection_for_read()
    if connection.transport.driver_type == "redis":
        # Without socket timeouts redis-py waits for ever on a host that doesn't answer.
        timeouts = {"socket_timeout": BROKER_TIMEOUT, "socket_connect_timeout": BROKER_TIMEOUT}
        connection = app.connection_for_read(transport_options=timeouts)
    broker = connection.as_uri()
    try:
        with connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT
            )
            is_redis = connection.transport.driver_type == "redis"
            read = _redis_queue if is_redis else _declared_queue
            queues = tuple(read(connection.default_channel, name, now) for name in queue_names(app))
    except Exception:
        logger.warning("health: the Celery broker cannot be reached", exc_info=True)
        return CeleryHealth(eager=False, reachable=False, broker=broker)
    return CeleryHealth(
        eager=False, reachable=True, broker=broker, ages_readable=is_redis, queues=queues
    )


def _redis_queue(channel, name: str, now: datetime) -> QueueHealth:
    """Kombu's Redis transport LPUSHes a message and workers pop from the right, so a list's
    oldest waiting message is at index -1. A queue with priorities is one list per priority
    step (kombu names them queue + sep + step): all count, the oldest of their tails is the
    queue's oldest."""
    keys = [f"{name}{channel.sep}{step}" if step else name for step in channel.priority_steps]
    with channel.conn_or_acquire() as client:
        # With the global_keyprefix transport option kombu's client prefixes the commands it
        # uses itself (LLEN, LPUSH ...) but not LINDEX: that key is prefixed here.
        prefixed = getattr(client, "PREFIXED_SIMPLE_COMMANDS", ())
        peek_prefix = "" if "LINDEX" in prefixed else (channel.global_keyprefix or "")
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.llen(key)
            pipe.lindex(peek_prefix + key, -1)
        replies = pipe.execute()
    length = sum(replies[0::2])
    stamps = [stamp for raw in replies[1::2] if (stamp := _message_published_at(raw))]
    oldest = min(stamps, default=None)
    age = max(now - oldest, timedelta(0)) if oldest else None
    return QueueHealth(name=name, length=length, oldest_published_at=oldest, oldest_age=age)


def _message_published_at(raw: bytes | None) -> datetime | None:
    if raw is None:
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    return published_at(message.get("headers") if isinstance(message, dict) else None)


def _declared_queue(channel, name: str, now: datetime) -> QueueHealth:
    """Another broker (RabbitMQ ...): its length from a passive declare; a message can't be
    read without taking it, so no age."""
    try:
        declared = channel.queue_declare(queue=name, passive=True)
    except Exception:
        logger.warning("health: queue %s could not be read", name, exc_info=True)
        return QueueHealth(name=name, length=None)
    return QueueHealth(name=name, length=declared.message_count)


# --- Beat -------------------------------------------------------------------------------------


def beat_health(*, app: Celery, now: datetime) -> tuple[BeatEntry, ...]:
    """Every entry of settings.CELERY_BEAT_SCHEDULE with its last run (one query). With eager
    tasks there is no beat process, so nothing is flagged late.

    A task with no run recorded is judged from the oldest run any beat task recorded: beat
    was running by then, so a task due since that never started is late (a task dropped from
    beat, or a worker that never picks it up). With no run recorded at all, nothing can be
    judged per task; Health.problems says that beat has not run."""
    entries = settings.CELERY_BEAT_SCHEDULE
    runs = {run.name: run for run in TaskRun.objects.filter(name__in=_task_names(entries))}
    zone = ZoneInfo(str(app.conf.timezone or settings.TIME_ZONE))
    judge = not app.conf.task_always_eager
    beat_seen = min((run.started_at for run in runs.values() if run.started_at), default=None)
    return tuple(
        _beat_entry(
            key, entry, runs.get(entry["task"]), now=now, zone=zone, judge=judge, since=beat_seen
        )
        for key, entry in entries.items()
    )


def _task_names(entries: dict) -> set[str]:
    return {entry["task"] for entry in entries.values()}


def _beat_entry(
    key: str,
    entry: dict,
    run: TaskRun | None,
    *,
    now: datetime,
    zone,
    judge: bool,
    since: datetime | None,
) -> BeatEntry:
    every = entry["schedule"]
    shared = {"key": key, "task": entry["task"], "schedule": schedule_words(every)}
    if run is None:
        # Never started: late once a run was due after beat was seen running (as if it had
        # last started then); before that, or with no run seen at all, "no run recorded".
        missed = None
        if judge and since is not None:
            missed = missed_due_time(every, started_at=since, now=now, zone=zone)
        return BeatEntry(recorded=False, late=missed is not None, late_since=missed, **shared)
    missed = None
    if judge:
        missed = missed_due_time(every, started_at=run.started_at, now=now, zone=zone)
    return BeatEntry(
        recorded=True,
        started_at=run.started_at,
        finished_at=run.finished_at,
        succeeded=run.succeeded,
        error=run.error,
        last_success_at=run.last_success_at,
        runs=run.runs,
        failures=run.failures,
        late=missed is not None,
        late_since=missed,
        **shared,
    )


def interval_of(every) -> timedelta | None:
    """The interval of an every-N-seconds entry (a number, a timedelta or a schedule)."""
    if isinstance(every, int | float):
        return timedelta(seconds=every)
    if isinstance(every, timedelta):
        return every
    if isinstance(every, schedule) and not isinstance(every, crontab):
        return every.run_every
    return None


def missed_due_time(every, *, started_at: datetime | None, now: datetime, zone) -> datetime | None:
    """When the run the task missed was due, or None when it is not late.

    Interval: late when it hasn't started for twice its interval (LATE_FLOOR at least).
    Crontab: late when a due time CRONTAB_GRACE ago or more passed without a start since.
    """
    interval = interval_of(every)
    if interval is not None:
        if started_at is None:
            return None
        due = started_at + max(2 * interval, LATE_FLOOR)
        return due if now > due else None
    if isinstance(every, crontab):
        due = previous_crontab_time(every, before=now - CRONTAB_GRACE, zone=zone)
        if due is None:
            return None
        if started_at is None or started_at < due - CLOCK_SKEW:
            return due
    return None


def previous_crontab_time(cron: crontab, *, before: datetime, zone) -> datetime | None:
    """The latest time at or before `before` when the crontab was due, in its time zone.

    Celery's crontab requires the month, the day of the month AND the day of the week to match
    (unlike cron, which ORs the two day fields)."""
    local = before.astimezone(zone)
    hours = sorted(cron.hour, reverse=True)
    minutes = sorted(cron.minute, reverse=True)
    for back in range(CRONTAB_LOOKBACK_DAYS):
        day = local.date() - timedelta(days=back)
        if not _crontab_day(cron, day):
            continue
        for hour in hours:
            for minute in minutes:
                moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
                if moment <= local:
                    return moment
    return None


def _crontab_day(cron: crontab, day: date) -> bool:
    return (
        day.month in cron.month_of_year
        and day.day in cron.day_of_month
        # Celery counts the days of the week from Sunday = 0.
        and day.isoweekday() % 7 in cron.day_of_week
    )


# --- Schedules in words ---------------------------------------------------------------------


def schedule_words(every) -> str:
    interval = interval_of(every)
    if interval is not None:
        return interval_words(interval)
    if isinstance(every, crontab):
        return crontab_words(every)
    return str(every)


def interval_words(interval: timedelta) -> str:
    # One literal ngettext per unit: makemessages finds only literal strings.
    seconds = int(interval.total_seconds())
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("every day", "every %(count)d days", days) % {"count": days}
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("every hour", "every %(count)d hours", hours) % {"count": hours}
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("every minute", "every %(count)d minutes", minutes) % {"count": minutes}
    return ngettext("every second", "every %(count)d seconds", seconds) % {"count": seconds}


# Above this many times a day, a crontab is shown as its spec rather than a list of times.
MAX_TIMES_LISTED = 6


def crontab_words(cron: crontab) -> str:
    """Common crontabs in words (every hour at :40, every day at 02:30, every Monday at
    09:00); anything else as its spec (minute hour day-of-month month day-of-week)."""
    all_days = cron._orig_day_of_month == "*" and cron._orig_month_of_year == "*"
    every_weekday = len(cron.day_of_week) == 7
    if all_days and len(cron.minute) == 1:
        minute = next(iter(cron.minute))
        if len(cron.hour) == 24 and every_weekday:
            return gettext("every hour at :%(minute)02d") % {"minute": minute}
        if len(cron.hour) <= MAX_TIMES_LISTED:
            times = ", ".join(f"{hour:02d}:{minute:02d}" for hour in sorted(cron.hour))
            if every_weekday:
                return gettext("every day at %(times)s") % {"times": times}
            # Django's WEEKDAYS count from Monday = 0; Celery's from Sunday = 0.
            days = ", ".join(str(WEEKDAYS[(day - 1) % 7]) for day in sorted(cron.day_of_week))
            return gettext("every %(days)s at %(times)s") % {"days": days, "times": times}
    spec = " ".join(
        str(field)
        for field in (
            cron._orig_minute,
            cron._orig_hour,
            cron._orig_day_of_month,
            cron._orig_month_of_year,
            cron._orig_day_of_week,
        )
    )
    return gettext("crontab %(spec)s") % {"spec": spec}
