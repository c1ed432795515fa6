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
    from offers import clickout

    clickout._local_snapshots.clear()
