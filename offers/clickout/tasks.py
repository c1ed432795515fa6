"""Tasks for click-outs: write buffered clicks in batches, flush click counters."""

from celery import shared_task

from coupzii.core.errors import Busy

from . import services as clickout


@shared_task(name="offers.write_buffered_clicks", ignore_result=True)
def write_buffered_clicks() -> int:
    try:
        return clickout.buffered_clicks_write()
    except Busy:
        return 0  # the previous run is still writing; its loop drains what this one would


@shared_task(name="offers.flush_offer_counters", ignore_result=True)
def flush_offer_counters() -> int:
    return clickout.counters_flush()


__all__ = ["flush_offer_counters", "write_buffered_clicks"]
