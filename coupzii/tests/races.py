"""Thread races for the PostgreSQL concurrency tests of every app."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from coupzii.core.errors import DomainError


def race(actions: list) -> list:
    """Run each action in its own thread, all released together by a barrier; return each
    one's result or its DomainError (anything else, a deadlock say, fails the test). Each
    thread closes its own database connection, as a finished request would."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        barrier.wait()
        try:
            return action()
        except DomainError as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions))


def successes(results: list) -> list:
    return [result for result in results if not isinstance(result, Exception)]


def failures(results: list) -> list:
    return [result for result in results if isinstance(result, Exception)]


def race_behind(hold, actions: list, *, waiting: int | None = None, timeout: float = 10.0) -> list:
    """Start each action in its own thread while `hold()` (a context manager, e.g. a row
    lock taken in a transaction of this thread) is held, wait until `waiting` (default: all)
    of them are blocked on a lock in PostgreSQL, then let go: they all got as far as the
    lock before any could pass it. Results as `race` returns them."""
    import time

    waiting = len(actions) if waiting is None else waiting

    def run(action):
        try:
            return action()
        except DomainError as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        with hold():
            futures = [pool.submit(run, action) for action in actions]
            deadline = time.monotonic() + timeout
            while _lock_waiters() < waiting:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{waiting} sessions never queued on the lock")
                time.sleep(0.01)
        return [future.result() for future in futures]


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps its first snapshot of the statistics: drop it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]
