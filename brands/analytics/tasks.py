"""Celery tasks of the brand analytics: the rollup of today and yesterday, on beat."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from coupzii.core.errors import Busy
from coupzii.core.locks import redis_lock

from .services import analytics_rollup_range

__all__ = ["analytics_rollup_recent"]

logger = logging.getLogger(__name__)


@shared_task(name="brands.analytics_rollup_recent")
def analytics_rollup_recent() -> int:
    """Every ten minutes: roll up today and yesterday (Asia/Kolkata). Yesterday again, because
    a rollback, a late click or a views flush may land after midnight. Returns rows written."""
    today = timezone.localdate()
    try:
        # A run takes seconds; one beat at a time, a crashed worker blocks it ten minutes.
        with redis_lock("brands.analytics_rollup_recent", ttl=10 * 60):
            result = analytics_rollup_range(start=today - timedelta(days=1), end=today)
            return result.offers + result.books + result.products
    except Busy:
        logger.info("analytics_rollup_recent is already running elsewhere; skipped")
        return 0
