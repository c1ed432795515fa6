"""Celery tasks of the offers app (Celery discovers this module; the tasks live beside the
code they wrap, in the books and clickout packages, and here for the views counter)."""

from celery import shared_task

from coupzii.core.errors import Busy

from . import views_counter
from .books.tasks import *  # noqa: F403
from .clickout.tasks import *  # noqa: F403


@shared_task(name="offers.flush_offer_views", ignore_result=True)
def flush_offer_views() -> int:
    """Move buffered offer views into the daily rows and totals (beat, every minute)."""
    try:
        return views_counter.offer_views_flush()
    except Busy:
        return 0  # the previous flush is still writing; the next one takes what is left
