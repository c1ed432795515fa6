"""A Redis lock for work that must not run twice at once across processes (sweeps, syncs).

Row locks in PostgreSQL protect money; this lock protects jobs and external calls where no
row exists to lock.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from redis.exceptions import LockError

from .errors import Busy

logger = logging.getLogger(__name__)


@contextmanager
def redis_lock(name: str, *, ttl: float = 30, wait: float = 0) -> Iterator[None]:
    """Hold the lock `name` for the block, or raise Busy if it is not free within `wait` seconds.

    `ttl` bounds how long a crashed holder can keep others out; the block must finish sooner,
    or another process may take the lock while it still runs.
    """
    lock = cache.lock(f"lock:{name}", timeout=ttl, blocking=wait > 0, blocking_timeout=wait or None)
    if not lock.acquire():
        raise Busy()
    try:
        yield
    finally:
        try:
            lock.release()
        except LockError:
            # The ttl ran out during the block and the lock expired or passed to someone else.
            logger.warning("lock %s expired before release (ttl %ss)", name, ttl)
