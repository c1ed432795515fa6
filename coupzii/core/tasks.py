"""Celery tasks of coupzii.core: the dashboard's daily rollups of recent and changed days."""

import logging

from celery import shared_task

from .errors import Busy
from .locks import redis_lock
from .rollups import ROLL_LOCK, roll_recent

__all__ = ["rollups_recent"]

logger = logging.getLogger(__name__)


@shared_task(name="core.rollups_recent")
def rollups_recent() -> int:
    """Every five minutes: roll today and yesterday (Asia/Kolkata) for every registered rollup,
    and the older days whose rows changed since the last run (an order refunded, cashback
    confirmed). Returns rows written."""
    try:
        # A run takes seconds; one at a time, and a crashed worker blocks it ten minutes.
        with redis_lock(ROLL_LOCK, ttl=10 * 60):
            return sum(roll_recent().values())
    except Busy:
        logger.info("a rollup run (beat's or a backfill) holds the lock; skipped")
        return 0
