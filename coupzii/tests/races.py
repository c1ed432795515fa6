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
