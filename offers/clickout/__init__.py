"""The click-out package: the hottest path on the site. Record a click and send the shopper to the
merchant through its affiliate link, with our click id as the sub-id the network reports back.

On the request path: one cached offer lookup (Redis) and one pipelined Redis round trip that
buffers the click and bumps the counters and the trending set. A Celery task writes buffered
clicks in batches and another flushes the counters. With no broker (the embedded default)
the click row is written directly instead.

The package: services (the offer snapshot, recording and writing clicks, the counters),
views + urls (/go/<offer>/, the demo store) and api_urls (the click API), tasks (batch writes,
counter flushes; Celery finds them through offers/tasks.py).
"""

from .services import (
    BUFFER_KEY,
    buffered_clicks_waiting,
    buffered_clicks_write,
    claim_count,
    click_record,
    clicks_write,
    counters_flush,
    is_live,
    offer_cache_forget,
    offer_for_clickout,
    tracking_url,
    uses_today,
    uses_today_rebuild,
)

__all__ = [
    "BUFFER_KEY",
    "buffered_clicks_waiting",
    "buffered_clicks_write",
    "claim_count",
    "click_record",
    "clicks_write",
    "counters_flush",
    "is_live",
    "offer_cache_forget",
    "offer_for_clickout",
    "tracking_url",
    "uses_today",
    "uses_today_rebuild",
]
