"""Celery tasks of the offers app (Celery discovers this module; the tasks live beside the
code they wrap, in the books and clickout packages, and here for the views counter)."""

from celery import shared_task

from coupzii.core.errors import Busy
from coupzii.core.locks import redis_lock

from . import foryou, views_counter
from .books.tasks import *  # noqa: F403
from .clickout.tasks import *  # noqa: F403


@shared_task(name="offers.flush_offer_views", ignore_result=True)
def flush_offer_views() -> int:
    """Move buffered offer views into the daily rows and totals (beat, every minute)."""
    try:
        return views_counter.offer_views_flush()
    except Busy:
        return 0  # the previous flush is still writing; the next one takes what is left


@shared_task(name="offers.foryou_refresh_user", ignore_result=True)
def foryou_refresh_user(user_id: int) -> int:
    """Recompute one shopper's "For you" rail after their click, claim or order (debounced by
    offers.foryou.foryou_refresh_soon); returns the offers kept."""
    return len(foryou.foryou_refresh(user_id)) - 1


@shared_task(name="offers.foryou_refresh_active", ignore_result=True)
def foryou_refresh_active() -> int:
    """Recompute the rails of shoppers active since the last run (beat, every 15 minutes)."""
    try:
        with redis_lock("offers:foryou:refresh-active", ttl=15 * 60):
            return foryou.foryou_refresh_active()
    except Busy:
        return 0  # the previous run is still going; the watermark keeps what it has not seen
