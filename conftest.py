"""Suite-wide fixtures: a clean Redis for every test, and the `postgres` marker's skip."""

import pytest
from django.core.cache import cache
from django.db import connection


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    needs_postgres = pytest.mark.skip(
        reason="needs PostgreSQL (set DATABASE_URL): SQLite has no row locks or SKIP LOCKED "
        "and serialises writers, so concurrency results there prove nothing"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(needs_postgres)


@pytest.fixture(autouse=True)
def clean_redis():
    # Throttles, counters and locks live in Redis; one test's leftovers must not steer the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def clean_clickout_snapshots():
    # The click-out keeps hot offers in process memory for a few seconds; tests start clean.
    from offers.clickout import services as clickout

    clickout._local_snapshots.clear()


@pytest.fixture(autouse=True)
def celery_join_flag_reset():
    # Celery keeps "a task is running, result.get() would block" in one process-wide flag,
    # set and restored around every eager task. Eager tasks finishing out of order in the
    # concurrency tests' threads can restore it to True for good, and a later test's
    # result.get() then fails. Workers run one task per thread of their own; tests reset it.
    from celery._state import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)
