"""Tasks for unique-code books (lock release, expiry sweep): thin wrappers around
offers.books, each behind a Redis lock so two beats never run one sweep at once."""

import logging

from celery import shared_task

from coupzii.core.errors import Busy
from coupzii.core.locks import redis_lock

from .. import books

__all__ = ["expiry_sweep", "release_expired_locks"]

logger = logging.getLogger(__name__)


@shared_task(name="offers.release_expired_locks")
def release_expired_locks() -> int:
    """Every minute: codes whose checkout lock ran out go back to their holder or the pool."""
    try:
        # A run takes seconds; a crashed worker keeps the others out for a minute at most.
        with redis_lock("offers.release_expired_locks", ttl=60):
            return books.locks_release_expired()
    except Busy:
        logger.info("release_expired_locks is already running elsewhere; skipped")
        return 0


@shared_task(name="offers.expiry_sweep")
def expiry_sweep() -> int:
    """Daily: expire ended offers and their unused codes, and send the expiry reminders."""
    try:
        with redis_lock("offers.expiry_sweep", ttl=60 * 60):
            return books.offers_expire()
    except Busy:
        logger.info("expiry_sweep is already running elsewhere; skipped")
        return 0
