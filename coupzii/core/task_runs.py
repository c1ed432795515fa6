"""When beat's tasks last ran, and when each task message was published.

Two Celery signal handlers for the operators' health panel (coupzii.dashboard.health):

- task_prerun / task_success / task_failure (and task_postrun, for an eager task whose error
  propagates to its caller) keep one TaskRun row per task named in
  settings.CELERY_BEAT_SCHEDULE: last started and finished, whether it succeeded, the error,
  how many runs and failures. Only beat's tasks: a task enqueued by every click or order would
  write a row on every request. The signals fire in workers and for eager tasks alike.
- before_task_publish stamps every message with a `published_at` header, so the age of the
  oldest message waiting in a queue can be read from the broker.

This is monitoring: a database error here is logged and the task goes on as if nothing happened.
"""

import logging
import sys
from datetime import UTC, datetime

from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_success,
)
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import TaskRun

logger = logging.getLogger(__name__)

PUBLISHED_AT_HEADER = "published_at"
ERROR_MAX_LENGTH = TaskRun._meta.get_field("error").max_length


def beat_task_names() -> set[str]:
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def published_at(headers: dict) -> datetime | None:
    """The publish time stamped on a message's headers, or None (published before the stamp
    existed, or by another client)."""
    stamp = (headers or {}).get(PUBLISHED_AT_HEADER)
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_started(name: str) -> None:
    _record(name, started_at=timezone.now(), runs=F("runs") + 1)


def run_succeeded(name: str) -> None:
    now = timezone.now()
    _record(name, finished_at=now, succeeded=True, error="", last_success_at=now)


def run_failed(name: str, error: str) -> None:
    _record(
        name,
        finished_at=timezone.now(),
        succeeded=False,
        error=error[:ERROR_MAX_LENGTH],
        failures=F("failures") + 1,
    )


def _record(name: str, **changes) -> None:
    """Update the task's row, creating it on its first run. Never raises: the savepoint keeps
    a failed write from spoiling a transaction the (eager) task runs inside."""
    try:
        with transaction.atomic():
            if TaskRun.objects.filter(name=name).update(**changes):
                return
        try:
            with transaction.atomic():
                TaskRun.objects.create(name=name, **_first_values(changes))
        except IntegrityError:
            # Another worker created the row between our update and insert: update it.
            with transaction.atomic():
                TaskRun.objects.filter(name=name).update(**changes)
    except Exception:
        logger.exception("could not record the run of task %s", name)


def _first_values(changes: dict) -> dict:
    # A counter's F("runs") + 1 on a row that does not exist yet is simply 1.
    return {
        field: 1 if hasattr(value, "resolve_expression") else value
        for field, value in changes.items()
    }


@task_prerun.connect
def _task_started(sender=None, **kwargs) -> None:
    name = getattr(sender, "name", None)
    if name in beat_task_names():
        run_started(name)


@task_success.connect
def _task_succeeded(sender=None, **kwargs) -> None:
    name = getattr(sender, "name", None)
    if name in beat_task_names():
        run_succeeded(name)


@task_failure.connect
def _task_failed(sender=None, exception=None, **kwargs) -> None:
    name = getattr(sender, "name", None)
    if name in beat_task_names():
        run_failed(name, f"{type(exception).__name__}: {exception}")


@task_postrun.connect
def _task_raised_eagerly(sender=None, state=None, **kwargs) -> None:
    # An eager task whose error propagates to its caller (CELERY_TASK_EAGER_PROPAGATES) skips
    # task_failure: Celery re-raises first, and its postrun comes with no state while the
    # exception is on its way out.
    name = getattr(sender, "name", None)
    exception = sys.exc_info()[1]
    if state is None and exception is not None and name in beat_task_names():
        run_failed(name, f"{type(exception).__name__}: {exception}")


@before_task_publish.connect
def _stamp_published_at(headers=None, **kwargs) -> None:
    # Always the time of this publish: a retry is a new message that waits afresh.
    if headers is not None:
        headers[PUBLISHED_AT_HEADER] = datetime.now(UTC).isoformat()
