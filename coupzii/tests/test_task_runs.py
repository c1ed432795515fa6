"""Beat tasks' runs recorded in TaskRun, and the publish time stamped on task messages
(coupzii.core.task_runs)."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery
from django.db import connection, transaction
from django.utils import timezone

from coupzii.celery import app as project_app
from coupzii.core.models import TaskRun
from coupzii.core.task_runs import ERROR_MAX_LENGTH, PUBLISHED_AT_HEADER, published_at
from coupzii.tests.races import race
from offers import views_counter
from offers.tasks import flush_offer_views
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

BROKEN = "coupzii.tests.task_runs_broken"
PER_REQUEST = "coupzii.tests.task_runs_per_request"
outcomes = {"fail": True}


@project_app.task(name=BROKEN)
def broken_or_not() -> str:
    if outcomes["fail"]:
        raise RuntimeError("the network said no " + "x" * 400)
    return "done"


@project_app.task(name=PER_REQUEST)
def per_request() -> str:
    return "done"


@pytest.fixture
def broken_in_schedule(settings):
    """The test task as a beat entry, beside the real ones."""
    outcomes["fail"] = True
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "test-broken": {"task": BROKEN, "schedule": 60.0},
    }


def test_a_beat_task_run_eagerly_records_its_success():
    # given: views waiting in the buffer for the real beat task to flush
    offer = OfferFactory()
    views_counter.offer_views_count([offer.id])
    before = timezone.now()

    # when
    written = flush_offer_views.delay().get()

    # then
    run = TaskRun.objects.get(name="offers.flush_offer_views")
    assert written == 1
    assert run.succeeded is True
    assert run.error == ""
    assert before <= run.started_at <= run.finished_at <= timezone.now()
    assert run.last_success_at == run.finished_at
    assert (run.runs, run.failures) == (1, 0)


def test_a_failing_beat_task_records_the_error_and_a_later_success_clears_it(broken_in_schedule):
    with pytest.raises(RuntimeError):
        broken_or_not.delay()

    failed = TaskRun.objects.get(name=BROKEN)
    assert failed.succeeded is False
    assert failed.error.startswith("RuntimeError: the network said no xxx")
    assert len(failed.error) == ERROR_MAX_LENGTH
    assert failed.last_success_at is None
    assert (failed.runs, failed.failures) == (1, 1)

    outcomes["fail"] = False
    assert broken_or_not.delay().get() == "done"

    recovered = TaskRun.objects.get(name=BROKEN)
    assert recovered.succeeded is True
    assert recovered.error == ""
    assert recovered.last_success_at == recovered.finished_at
    assert recovered.started_at > failed.started_at
    assert (recovered.runs, recovered.failures) == (2, 1)


def test_a_task_outside_beats_schedule_writes_no_row():
    assert per_request.delay().get() == "done"

    assert not TaskRun.objects.filter(name=PER_REQUEST).exists()


def test_a_database_error_while_recording_is_logged_and_the_task_goes_on(
    broken_in_schedule, caplog
):
    # given: every statement on the TaskRun table fails in the database itself (a missing
    # table: on PostgreSQL that also aborts the transaction it runs in)
    outcomes["fail"] = False

    def break_task_runs(execute, sql, params, many, context):
        return execute(sql.replace('"core_taskrun"', '"core_taskrun_gone"'), params, many, context)

    # when: the eager task runs inside a caller's transaction
    with caplog.at_level(logging.ERROR, logger="coupzii.core.task_runs"), transaction.atomic():
        with connection.execute_wrapper(break_task_runs):
            result = broken_or_not.delay().get()
        # the caller's transaction is still usable afterwards (the savepoint took the hit)
        offer = OfferFactory()

    # then
    assert result == "done"
    assert offer.pk is not None
    assert not TaskRun.objects.filter(name=BROKEN).exists()
    assert "could not record the run of task coupzii.tests.task_runs_broken" in caplog.text


def test_every_published_task_message_carries_its_publish_time():
    # A real publish through Celery's and kombu's producer, to an in-memory broker.
    app = Celery("task-runs-test", broker="memory://localhost/", set_as_current=False, fixups=[])
    before = datetime.now(UTC)
    app.send_task("offers.flush_offer_views")
    after = datetime.now(UTC)

    with app.connection_for_read() as broker:
        message = broker.SimpleQueue("celery").get(timeout=1)
        message.ack()

    stamp = published_at(message.headers)
    assert message.headers["task"] == "offers.flush_offer_views"
    assert before <= stamp <= after


@pytest.mark.parametrize(
    "headers",
    [{}, None, {PUBLISHED_AT_HEADER: "yesterday"}, {PUBLISHED_AT_HEADER: 1765000000}],
)
def test_a_message_without_a_readable_publish_time_has_none(headers):
    assert published_at(headers) is None


def test_a_publish_time_without_a_zone_is_read_as_utc():
    assert published_at({PUBLISHED_AT_HEADER: "2026-12-07T10:00:00"}) == datetime(
        2026, 12, 7, 10, tzinfo=UTC
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_a_task_at_once_make_one_row_counting_both(broken_in_schedule):
    outcomes["fail"] = False

    # .result, not .get(): get() from several threads trips Celery's "inside a task" flag.
    results = race([lambda: broken_or_not.delay().result] * 4)

    assert results == ["done"] * 4
    run = TaskRun.objects.get(name=BROKEN)
    assert (run.runs, run.failures, run.succeeded) == (4, 0, True)
    assert timezone.now() - run.finished_at < timedelta(seconds=30)
