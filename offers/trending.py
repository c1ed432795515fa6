"""Trending offers: a Redis sorted set of clicks over the last 24 hours, with decay.

Each click adds weight e^(t/tau) at time t, so older clicks count less without any rewrite
job; scores are renormalised when they grow large. `top_offer_ids` is the read side.
"""

import math
import time

from django.core.cache import cache
from django_redis import get_redis_connection

# A click's weight halves every 6 hours, so a day-old click counts 1/16.
HALF_LIFE_SECONDS = 6 * 3600
_TAU = HALF_LIFE_SECONDS / math.log(2)
# Scores are relative to this epoch; renormalise before e^(t/tau) overflows a double.
_EPOCH = 1_700_000_000
_RESCALE_ABOVE = 1e200


def _key() -> str:
    return cache.make_key("trending:offers")


def record_click(offer_id: int, *, now: float | None = None) -> None:
    """Add one click's weight to an offer (O(log n) in Redis)."""
    now = time.time() if now is None else now
    weight = math.exp((now - _EPOCH) / _TAU)
    client = get_redis_connection("default")
    score = client.zincrby(_key(), weight, offer_id)
    if score > _RESCALE_ABOVE:
        _rescale(client)


def _rescale(client) -> None:
    entries = client.zrange(_key(), 0, -1, withscores=True)
    factor = 1 / _RESCALE_ABOVE
    pipe = client.pipeline()
    pipe.delete(_key())
    if entries:
        pipe.zadd(_key(), {member: score * factor for member, score in entries})
    pipe.execute()


def top_offer_ids(limit: int = 12, *, now: float | None = None) -> list[int]:
    """Offer ids by decayed clicks, hottest first; offers with no click in ~24 hours fall out."""
    now = time.time() if now is None else now
    # A click 24 hours old weighs 1/16 of a fresh one: anything below that has gone cold.
    floor = math.exp((now - 24 * 3600 - _EPOCH) / _TAU)
    client = get_redis_connection("default")
    members = client.zrevrangebyscore(_key(), "+inf", floor, start=0, num=limit)
    return [int(member) for member in members]
