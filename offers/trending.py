"""Trending offers: clicks of the last 24 hours, recent ones weighing more.

Each click adds 1 to the offer in the current hour's sorted set (kept 25 hours). Reading
combines the last 24 hourly sets with ZUNIONSTORE, weighting an hour h hours old by
0.5^(h/6), so a click's weight halves every 6 hours and nothing is ever rewritten. The
combined ranking is cached for a minute.
"""

import time

from django.core.cache import cache
from django_redis import get_redis_connection

HALF_LIFE_HOURS = 6
WINDOW_HOURS = 24
TOP_CACHE_SECONDS = 60
HOUR_TTL = (WINDOW_HOURS + 1) * 3600


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
    combined = cache.make_key("trending:combined")
    pipe = client.pipeline()
    pipe.zunionstore(combined, weights)
    pipe.zrevrange(combined, 0, limit - 1)
    pipe.delete(combined)
    ids = [int(member) for member in pipe.execute()[1]]
    cache.set(cache_key, ids, TOP_CACHE_SECONDS)
    return ids
