"""A ledger transaction held open in a thread of its own, for the PostgreSQL race tests: it
posts, then waits, uncommitted, until the test commits or rolls it back."""

import threading

from django.db import connection, transaction

WAIT = 30  # seconds: a guard against a hung test, never reached when things work


class HeldTransaction:
    """Runs `work()` inside a transaction in a new thread and keeps it open after `work`
    returns: `.result` is what it returned (or `.error` what it raised). `finish(commit)`
    ends it."""

    def __init__(self, work, *, lock_timeout_ms: int | None = None):
        self.result = None
        self.error: BaseException | None = None
        self._work = work
        self._lock_timeout_ms = lock_timeout_ms
        self._done_working = threading.Event()
        self._release = threading.Event()
        self._commit = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._done_working.wait(WAIT):
            raise TimeoutError("the held transaction never finished its work")

    def _run(self):
        try:
            with transaction.atomic():
                if self._lock_timeout_ms is not None:
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = {int(self._lock_timeout_ms)}")
                try:
                    self.result = self._work()
                finally:
                    self._done_working.set()
                self._release.wait(WAIT)
                if not self._commit:
                    transaction.set_rollback(True)
        except BaseException as exc:  # noqa: BLE001 - handed to the test to assert on
            self.error = exc
            self._done_working.set()
        finally:
            connection.close()

    def finish(self, *, commit: bool) -> None:
        self._commit = commit
        self._release.set()
        self._thread.join(WAIT)
        if self._thread.is_alive():
            raise TimeoutError("the held transaction did not end")
