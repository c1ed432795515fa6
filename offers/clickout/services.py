"""The click-out's services, the hottest path on the site: record a click and send the
shopper to the merchant through its affiliate link, with our click id as the sub-id the
network reports back.

On the request path: one cached offer lookup (Redis) and one pipelined Redis round trip that
buffers the click and bumps the counters and the trending set. A Celery task writes buffered
clicks in batches and another flushes the counters. With no broker (the embedded default)
the click row is written directly instead.
"""

import functools
import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django_redis import get_redis_connection

from catalog.models import Merchant
from coupzii.core import counters, metrics
from coupzii.core.locks import redis_lock

from .. import trending
from ..foryou_sources import foryou_refresh_many_soon
from ..models import Click, Offer, OfferKind, OfferStatus

logger = logging.getLogger(__name__)

OFFER_CACHE_SECONDS = 10 * 60
BUFFER_KEY = "clicks:buffer"
DIRTY_KEY = "offers:dirty-counters"
BATCH_SIZE = 1000
USES_TODAY_TTL = 2 * 24 * 3600

# Every write a click makes, in one command: one request to Redis and one reply to parse,
# where a pipeline of seven commands spent more time packing and parsing than Redis did.
CLICK_SCRIPT = """
if ARGV[1] ~= "" then redis.call("RPUSH", KEYS[1], ARGV[1]) end
redis.call("INCR", KEYS[2])
redis.call("SADD", KEYS[3], ARGV[2])
redis.call("INCR", KEYS[4])
redis.call("EXPIRE", KEYS[4], ARGV[3])
redis.call("ZINCRBY", KEYS[5], 1, ARGV[2])
redis.call("EXPIRE", KEYS[5], ARGV[4])
return 1
"""


@functools.cache
def _click_script():
    # A Script runs on whichever client it is given, loading itself there on first use.
    return get_redis_connection("default").register_script(CLICK_SCRIPT)


def _key(name: str) -> str:
    return cache.make_key(name)


def _offer_cache_key(public_id) -> str:
    return f"clickout:offer:{public_id}"


# --- the offer, cached ------------------------------------------------------------------------


# Hot offers are also kept in this process for a few seconds, saving the Redis round trip on
# most clicks. A change reaches other processes within LOCAL_SECONDS; the offer's end time is
# checked on every click regardless.
LOCAL_SECONDS = 5
LOCAL_MAX = 10_000
_local_snapshots: dict[str, tuple[float, dict]] = {}


def offer_for_clickout(public_id: uuid.UUID) -> dict | None:
    """What the redirect needs about an offer: from this process, else Redis, else one query.

    None when no such offer exists (cached too, so unknown ids cannot hammer the database).
    """
    local = _local_snapshots.get(str(public_id))
    if local and local[0] > time.monotonic():
        cached = local[1]
    else:
        cached = cache.get(_offer_cache_key(public_id))
        if cached is None:
            offer = Offer.objects.select_related("merchant").filter(public_id=public_id).first()
            cached = _snapshot(offer) if offer else {"missing": True}
            cache.set(_offer_cache_key(public_id), cached, OFFER_CACHE_SECONDS)
        if len(_local_snapshots) >= LOCAL_MAX:
            _local_snapshots.clear()
        _local_snapshots[str(public_id)] = (time.monotonic() + LOCAL_SECONDS, cached)
    return None if cached.get("missing") else cached


def _snapshot(offer: Offer) -> dict:
    return {
        "id": offer.id,
        "public_id": str(offer.public_id),
        "kind": offer.kind,
        "code": offer.code if offer.kind == OfferKind.CODE else "",
        "status": offer.status,
        "starts_at": offer.starts_at.timestamp(),
        "ends_at": offer.ends_at.timestamp() if offer.ends_at else None,
        "merchant_id": offer.merchant_id,
        "merchant_slug": offer.merchant.slug,
        "merchant_active": offer.merchant.is_active,
        "tracking_url_template": offer.merchant.tracking_url_template,
    }


def offer_cache_forget(*, public_ids=(), merchant: Merchant | None = None) -> None:
    """Drop cached snapshots after offers or their merchant changed."""
    public_ids = set(public_ids)
    if merchant is not None:
        public_ids |= set(merchant.offers.values_list("public_id", flat=True))
    cache.delete_many([_offer_cache_key(public_id) for public_id in public_ids])
    for public_id in public_ids:
        _local_snapshots.pop(str(public_id), None)


def is_live(snapshot: dict, *, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    return (
        snapshot["status"] == OfferStatus.ACTIVE
        and snapshot["merchant_active"]
        and snapshot["starts_at"] <= now
        and (snapshot["ends_at"] is None or snapshot["ends_at"] > now)
    )


def tracking_url(snapshot: dict, click_id: uuid.UUID) -> str:
    """Where the click-out sends the shopper: the merchant's tracking link with our click id
    as the sub-id, or, for a link on a demo host (settings.OFFERS_DEMO_STORE_HOSTS), the
    site's own demo store page, a path that plays the store with the same sub-id."""
    url = snapshot["tracking_url_template"].replace("{click_id}", str(click_id))
    if urlsplit(url).hostname in settings.OFFERS_DEMO_STORE_HOSTS:
        store = reverse("demo_store", kwargs={"slug": snapshot["merchant_slug"]})
        return f"{store}?{urlencode({'sub': str(click_id)})}"
    return url


# --- recording a click ----------------------------------------------------------------------


def _ip_hash(ip: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def click_record(
    *, snapshot: dict, user_id: int | None, ip: str, user_agent: str = "", referrer: str = ""
) -> uuid.UUID:
    """Record one click-out of a live offer; returns the click id (the network sub-id)."""
    click_id = uuid.uuid4()
    now = time.time()
    row = {
        "id": str(click_id),
        "offer_id": snapshot["id"],
        "merchant_id": snapshot["merchant_id"],
        "user_id": user_id,
        "created_at": now,
        "ip_hash": _ip_hash(ip),
        "user_agent": user_agent[:255],
        "referrer": referrer[:500],
    }
    offer_id = snapshot["id"]
    today = timezone.localdate().isoformat()
    buffered = not settings.CELERY_TASK_ALWAYS_EAGER
    _click_script()(
        client=get_redis_connection("default"),
        keys=[
            _key(BUFFER_KEY),
            _key(f"counter:offer:clicks:{offer_id}"),
            _key(DIRTY_KEY),
            _key(f"counter:offer:uses-today:{offer_id}:{today}"),
            trending.hour_key(now),
        ],
        args=[json.dumps(row) if buffered else "", offer_id, USES_TODAY_TTL, trending.HOUR_TTL],
    )
    if buffered:
        metrics.CLICKS_BUFFERED.inc()
    else:
        # No worker to drain a buffer: the single dev process writes the row itself.
        clicks_write([row])
    return click_id


# --- background writers -----------------------------------------------------------------------


def clicks_write(rows: list[dict]) -> int:
    """Insert click rows; safe to repeat (the UUID is the primary key). Rows whose offer was
    deleted meanwhile are dropped rather than failing the whole batch."""
    offer_ids = {row["offer_id"] for row in rows}
    existing_offers = set(Offer.objects.filter(pk__in=offer_ids).values_list("pk", flat=True))
    clicks = [
        Click(
            id=uuid.UUID(row["id"]),
            offer_id=row["offer_id"],
            merchant_id=row["merchant_id"],
            user_id=row["user_id"],
            created_at=datetime.fromtimestamp(row["created_at"], tz=UTC),
            ip_hash=row["ip_hash"],
            user_agent=row["user_agent"],
            referrer=row["referrer"],
        )
        for row in rows
        if row["offer_id"] in existing_offers
    ]
    with transaction.atomic():
        Click.objects.bulk_create(clicks, batch_size=BATCH_SIZE, ignore_conflicts=True)
    metrics.CLICKS_WRITTEN.inc(len(clicks))
    # Off the request path (the writer's batch): the clickers' "For you" rails follow.
    foryou_refresh_many_soon(click.user_id for click in clicks)
    return len(clicks)


def buffered_clicks_waiting() -> int:
    """Clicks in the Redis buffer that the writer has not moved to the database yet."""
    return get_redis_connection("default").llen(_key(BUFFER_KEY))


def buffered_clicks_write(*, max_batches: int = 50) -> int:
    """Move buffered clicks from Redis into the database, a batch at a time.

    A batch is read, inserted, and only then trimmed from the head of the list: a crash after
    the insert repeats it harmlessly (ignore_conflicts on the UUID), a crash before loses
    nothing. Requests keep appending at the tail meanwhile, which the trim never touches.
    """
    client = get_redis_connection("default")
    written = 0
    with redis_lock("clicks:writer", ttl=120):
        for _ in range(max_batches):
            raw = client.lrange(_key(BUFFER_KEY), 0, BATCH_SIZE - 1)
            if not raw:
                break
            written += clicks_write([json.loads(item) for item in raw])
            client.ltrim(_key(BUFFER_KEY), len(raw), -1)
    return written


def claim_count(offer_id: int) -> None:
    """Count one claimed code; `counters_flush` adds it to Offer.claims_count."""
    pipe = get_redis_connection("default").pipeline(transaction=False)
    pipe.incr(_key(f"counter:offer:claims:{offer_id}"))
    pipe.sadd(_key(DIRTY_KEY), offer_id)
    pipe.execute()


def counters_flush() -> int:
    """Add the clicks and claims counted in Redis to the offers' totals; returns offers updated."""
    client = get_redis_connection("default")
    updated = 0
    while offer_id := client.spop(_key(DIRTY_KEY)):
        clicks = counters.take(f"offer:clicks:{int(offer_id)}")
        claims = counters.take(f"offer:claims:{int(offer_id)}")
        if clicks or claims:
            Offer.objects.filter(pk=int(offer_id)).update(
                clicks_count=F("clicks_count") + clicks, claims_count=F("claims_count") + claims
            )
            updated += 1
    return updated


def _uses_today_key(offer_id: int, today: str) -> str:
    return _key(f"counter:offer:uses-today:{offer_id}:{today}")


def uses_today(offer_ids: list[int]) -> dict[int, int]:
    """How many shoppers used each offer today, in one Redis round trip (and, the first time
    a Redis that lost today's counters is read, a rebuild from the click table)."""
    if not offer_ids:
        return {}
    today = timezone.localdate().isoformat()
    client = get_redis_connection("default")
    keys = [_uses_today_key(offer_id, today) for offer_id in offer_ids]
    # The day's "built" mark comes in the same MGET: still one round trip.
    built, *values = client.mget([_key(f"counter:offer:uses-today:built:{today}"), *keys])
    if not built:
        uses_today_rebuild()
        values = client.mget(keys)
    return {offer_id: int(value or 0) for offer_id, value in zip(offer_ids, values, strict=True)}


# Raise each counter to at least the count given (never lower it: clicks still buffered in
# Redis are in the counter but not yet in the table), then mark the day as built.
RAISE_SCRIPT = """
local ttl = ARGV[#ARGV]
for i = 1, #KEYS - 1 do
  local current = tonumber(redis.call("GET", KEYS[i]) or "0")
  if tonumber(ARGV[i]) > current then redis.call("SET", KEYS[i], ARGV[i], "EX", ttl) end
end
redis.call("SET", KEYS[#KEYS], 1, "EX", ttl)
return 1
"""


def uses_today_rebuild() -> int:
    """Refill today's per-offer use counters from the click table (they are derived: Redis
    restarted, or the embedded in-process Redis of a fresh process, has none). Returns the
    offers counted."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    counts = dict(
        Click.objects.filter(created_at__gte=start)
        .values("offer_id")
        .annotate(clicks=Count("id"))
        .values_list("offer_id", "clicks")
    )
    client = get_redis_connection("default")
    keys = [_uses_today_key(offer_id, today.isoformat()) for offer_id in counts]
    keys.append(_key(f"counter:offer:uses-today:built:{today.isoformat()}"))
    client.register_script(RAISE_SCRIPT)(
        keys=keys, args=[*counts.values(), USES_TODAY_TTL], client=client
    )
    return len(counts)
