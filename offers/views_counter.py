"""Offer views: counted in Redis when offers are shown (a list page, the API, an offer's own
answer), flushed by beat into OfferViewDay and Offer.views_count.

On the request path: one pipelined Redis round trip (HINCRBY per offer shown) and no SQL.
The buffer is one hash, field "<offer id>:<day>" -> views, the day in settings.TIME_ZONE
(Asia/Kolkata), taken when the offer was shown: a view at 23:59 IST stays on its day
however late it is flushed.

Flushing takes the whole hash atomically (read and delete in one script) and then writes it.
Views counted meanwhile land in a fresh hash for the next flush, and a second flush finds
nothing of the first's: a view is never added twice. When the write fails (the database is
down) the taken counts are added back to the buffer; only a flusher killed between the take
and its commit loses that one batch (at most a minute of views), which we prefer to ever
counting a view twice.
"""

import functools
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from coupzii.core.locks import redis_lock

from .models import Offer, OfferViewDay

logger = logging.getLogger(__name__)

BUFFER_KEY = "offers:views:buffer"
# Offers updated per statement when the totals are written.
WRITE_BATCH = 500

# HGETALL + DEL as one step: nothing can be counted in between and lost, or read twice.
TAKE_SCRIPT = """
local counts = redis.call("HGETALL", KEYS[1])
redis.call("DEL", KEYS[1])
return counts
"""


def _key() -> str:
    return cache.make_key(BUFFER_KEY)


@functools.cache
def _take_script():
    return get_redis_connection("default").register_script(TAKE_SCRIPT)


def offer_views_count(offer_ids: Iterable[int]) -> None:
    """Count one view of each offer shown (an id listed twice on one page counts once).

    One Redis round trip, no SQL. A Redis error is logged, not raised: a page must not fail
    because a view went uncounted.
    """
    ids = sorted({int(offer_id) for offer_id in offer_ids})
    if not ids:
        return
    today = timezone.localdate().isoformat()
    key = _key()
    try:
        pipe = get_redis_connection("default").pipeline(transaction=False)
        for offer_id in ids:
            pipe.hincrby(key, f"{offer_id}:{today}", 1)
        pipe.execute()
    except RedisError:
        logger.warning("offer views not counted for %d offers", len(ids), exc_info=True)


def offer_views_waiting() -> int:
    """Offer-days with views in the buffer, not yet flushed (operators' metrics)."""
    return get_redis_connection("default").hlen(_key())


def offer_views_flush() -> int:
    """Move the buffered views into OfferViewDay (added to the day's row, created when
    missing) and Offer.views_count, in one transaction. Returns the views written.

    Raises Busy when another flush is running (its take leaves nothing for this one).
    """
    with redis_lock("offers:views:flush", ttl=120):
        client = get_redis_connection("default")
        taken = _take_script()(keys=[_key()], args=[], client=client)
        counts = _parse(taken)
        if not counts:
            return 0
        try:
            return _write(counts)
        except Exception:
            _put_back(client, counts)
            raise


def _parse(taken: list) -> dict[tuple[int, date], int]:
    counts: dict[tuple[int, date], int] = {}
    for field, value in zip(taken[::2], taken[1::2], strict=True):
        offer_id, day = (field.decode() if isinstance(field, bytes) else field).split(":", 1)
        counts[(int(offer_id), date.fromisoformat(day))] = int(value)
    return counts


def _put_back(client, counts: dict[tuple[int, date], int]) -> None:
    pipe = client.pipeline(transaction=False)
    for (offer_id, day), views in counts.items():
        pipe.hincrby(_key(), f"{offer_id}:{day.isoformat()}", views)
    pipe.execute()


def _write(counts: dict[tuple[int, date], int]) -> int:
    # Offers deleted since they were shown are dropped, not allowed to fail the batch.
    existing = set(
        Offer.objects.filter(pk__in={offer_id for offer_id, _ in counts}).values_list(
            "pk", flat=True
        )
    )
    rows = sorted(
        (offer_id, day, views)
        for (offer_id, day), views in counts.items()
        if offer_id in existing and views > 0
    )
    totals: dict[int, int] = defaultdict(int)
    for offer_id, _day, views in rows:
        totals[offer_id] += views
    with transaction.atomic():
        _upsert_days(rows)
        _add_totals(totals)
    return sum(totals.values())


def _upsert_days(rows: list[tuple[int, date, int]]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding to the day's views (PostgreSQL and SQLite
    both speak it; bulk_create's update_conflicts can only overwrite)."""
    # The table name is our own model's, quoted; every value goes in as a parameter.
    table = connection.ops.quote_name(OfferViewDay._meta.db_table)
    sql = (
        f"INSERT INTO {table} (offer_id, date, views) VALUES (%s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (offer_id, date) DO UPDATE SET views = {table}.views + excluded.views"
    )
    params = [
        (offer_id, connection.ops.adapt_datefield_value(day), views)
        for offer_id, day, views in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _add_totals(totals: dict[int, int]) -> None:
    offer_ids = sorted(totals)
    for start in range(0, len(offer_ids), WRITE_BATCH):
        chunk = offer_ids[start : start + WRITE_BATCH]
        added = Case(*[When(pk=offer_id, then=Value(totals[offer_id])) for offer_id in chunk])
        Offer.objects.filter(pk__in=chunk).update(views_count=F("views_count") + added)
