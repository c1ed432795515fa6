"""Trending offers: clicks of the last 24 hours, recent ones weighing more.

Each click adds 1 to the offer in the current hour's sorted set (kept 25 hours). Reading
combines the last 24 hourly sets with ZUNIONSTORE, weighting an hour h hours old by
0.5^(h/6), so a click's weight halves every 6 hours and nothing is ever rewritten. The
combined ranking is cached for a minute.

The hourly sets are derived from the click table. When Redis doesn't have them (restarted, or
the embedded in-process Redis of a fresh process), the first read rebuilds the last 24 hours
from the clicks, keeping for each offer the larger of the two counts: clicks still buffered in
Redis and not yet written are not lost, and a repeated rebuild counts nothing twice.
"""

import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncHour
from django_redis import get_redis_connection

from .models import Click

HALF_LIFE_HOURS = 6
WINDOW_HOURS = 24
TOP_CACHE_SECONDS = 60
HOUR_TTL = (WINDOW_HOURS + 1) * 3600
# Set when the hourly sets were rebuilt; Redis losing its data loses this too.
BUILT_SECONDS = 30 * 24 * 3600


def hour_key(now: float) -> str:
    return cache.make_key(f"trending:hour:{int(now // 3600)}")


def record_click(offer_id: int, *, now: float | None = None) -> None:
    """Count one click on its own; the click-out does the same inside its Lua script."""
    key = hour_key(time.time() if now is None else now)
    pipe = get_redis_connection("default").pipeline(transaction=False)
    pipe.zincrby(key, 1, offer_id)
    pipe.expire(key, HOUR_TTL)
    pipe.execute()


def top_offer_ids(limit: int = 12, *, now: float | None = None) -> list[int]:
    """Offer ids by decayed clicks over the last 24 hours, hottest first."""
    now = time.time() if now is None else now
    cache_key = f"trending:top:{int(now // TOP_CACHE_SECONDS)}:{limit}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    weights = {
        hour_key(now - age * 3600): 0.5 ** (age / HALF_LIFE_HOURS) for age in range(WINDOW_HOURS)
    }
    client = get_redis_connection("default")
    if not client.exists(_built_key()):
        hours_rebuild(now=now)
    combined = cache.make_key("trending:combined")
    pipe = client.pipeline()
    pipe.zunionstore(combined, weights)
    pipe.zrevrange(combined, 0, limit - 1)
    pipe.delete(combined)
    ids = [int(member) for member in pipe.execute()[1]]
    cache.set(cache_key, ids, TOP_CACHE_SECONDS)
    return ids


def _built_key() -> str:
    return cache.make_key("trending:built")


def hours_rebuild(*, now: float | None = None) -> int:
    """Refill the last 24 hourly sets from the click table; returns the (hour, offer) counts
    written. Each count only ever raises what Redis has (ZADD GT)."""
    now = time.time() if now is None else now
    since = datetime.fromtimestamp((int(now // 3600) - WINDOW_HOURS + 1) * 3600, tz=UTC)
    rows = (
        Click.objects.filter(created_at__gte=since)
        .annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values("hour", "offer_id")
        .annotate(clicks=Count("id"))
    )
    pipe = get_redis_connection("default").pipeline(transaction=False)
    written = 0
    for row in rows:
        key = hour_key(row["hour"].timestamp())
        pipe.zadd(key, {row["offer_id"]: row["clicks"]}, gt=True)
        pipe.expire(key, HOUR_TTL)
        written += 1
    pipe.set(_built_key(), 1, ex=BUILT_SECONDS)
    pipe.execute()
    return written
