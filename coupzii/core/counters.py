"""Counters in Redis: cheap increments on hot paths, drained into the database by tasks.

What lives here is either a rate-limit window (throttles, sign-in failures, SMS sends), which
may safely start again from zero when Redis does, or a write buffer on its way to the
database (offer clicks and claims, `offers.clickout.counters_flush`). No page shows a counter
read from here as it is: a count a page shows is derived and rebuilt from the database when
Redis lacks it (`offers.clickout.uses_today`, `offers.trending`, `wallet.leaderboard`).
"""

from django.core.cache import cache
from django_redis import get_redis_connection


def _key(name: str) -> str:
    return cache.make_key(f"counter:{name}")


def incr(name: str, by: int = 1, *, ttl: int | None = None) -> int:
    """Add `by` and return the new value. With `ttl`, the counter expires `ttl` seconds after
    it was created (a fixed window), not after its last increment."""
    client = get_redis_connection("default")
    key = _key(name)
    pipe = client.pipeline()
    pipe.incrby(key, by)
    if ttl:
        pipe.expire(key, ttl, nx=True)
    return int(pipe.execute()[0])


def get(name: str) -> int:
    value = get_redis_connection("default").get(_key(name))
    return int(value or 0)


def take(name: str) -> int:
    """Read and reset atomically (GETDEL), so a flush to the database never loses or doubles
    increments made while it runs."""
    value = get_redis_connection("default").getdel(_key(name))
    return int(value or 0)


def seconds_left(name: str) -> int:
    """How long until the counter's window ends (0 when it has no expiry or does not exist)."""
    return max(0, int(get_redis_connection("default").ttl(_key(name))))
