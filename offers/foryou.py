"""The "For you" rail: live offers picked from a shopper's own history, mixed with trending.

How a rail is made (`foryou_compute`):
- taste: every taste row of the last HISTORY_DAYS (clicks, claims, and what the apps above
  register: orders, the locker; see offers.foryou_sources) adds its weight, halved every
  HALF_LIFE_DAYS of age, to its store and its category (a row without a category is spread
  over its store's categories);
- candidates: live offers of the best-scored stores and categories, scored by the taste of
  their store plus their category, at most MAX_PER_STORE of one store near the top;
- mixed with trending, 7 personal : 3 trending in every ten, without repeats, and never an
  offer the shopper already claimed or used. No history (or nothing live that fits) means
  trending alone.

The result is kept in Redis (`offers:foryou:<user id>`: a header, then offer ids, TTL a day),
written by a task when the shopper clicks, claims or orders (debounced) and by a beat for
recently active shoppers. Redis holds nothing the database can't rebuild: a read that finds no
key computes the rail there and then, so a fresh process or a Redis restart shows the same
rail. The ids are checked live at every read, so an offer that ended since is left out, and
so is one the shopper claimed since (the refresh that follows a claim runs a minute later).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_redis import get_redis_connection

from catalog.models import Merchant
from coupzii.core.models import Watermark

from .foryou_sources import (
    claimed_offers_query,
    pending_key,
    rail_key,
    taste_sources,
    used_offer_sources,
)
from .models import Offer
from .selectors import offers_live, offers_trending

HALF_LIFE_DAYS = 14
HISTORY_DAYS = 180
# Stores and categories whose offers are candidates: the best-scored ones only.
TOP_STORES = 10
TOP_CATEGORIES = 5
CANDIDATES = 300
MAX_PER_STORE = 2
# Kept in Redis: more than a rail shows, so offers ending meanwhile leave it full.
STORED = 30
# In every ten places, these hold trending offers (7 personal : 3 trending); the first three
# are always the shopper's own.
TRENDING_PLACES = frozenset({3, 6, 9})
CACHE_SECONDS = 24 * 3600
# The refresh beat's first run looks back this far.
FIRST_ACTIVE_WINDOW = timedelta(days=1)
# Each run also looks this far behind the last one: an order paid (paid_at) just before the
# last run may have committed just after it. Refreshing a rail twice is harmless.
ACTIVE_OVERLAP = timedelta(minutes=5)
WATERMARK = "offers.foryou_refresh_active"

TRENDING_ONLY = "trending"
PERSONAL = "personal"


@dataclass
class Taste:
    """Decayed weights per store and per category (ids)."""

    stores: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    categories: dict[int, float] = field(default_factory=lambda: defaultdict(float))

    def __bool__(self) -> bool:
        return bool(self.stores or self.categories)


@dataclass(frozen=True)
class ForYou:
    """What a rail shows: the offers, whether they were picked for the shopper, and why
    ("Because you shop Fashion"; "" when trending or when there is nothing to say)."""

    offers: list[Offer]
    personal: bool
    reason: str = ""


# --- Computing ------------------------------------------------------------------------------


def taste_of(user_id: int, *, now: datetime) -> Taste:
    """The shopper's decayed taste from every registered source (one query each, plus one
    for the categories of stores whose rows name none)."""
    since = now - timedelta(days=HISTORY_DAYS)
    rows = [row for source in taste_sources() for row in source.rows(user_id, since)]
    uncategorised = {merchant for merchant, category, _when, _w in rows if category is None}
    uncategorised.discard(None)
    store_categories: dict[int, list[int]] = defaultdict(list)
    if uncategorised:
        links = Merchant.categories.through.objects.filter(merchant_id__in=uncategorised)
        for merchant_id, category_id in links.values_list("merchant_id", "category_id"):
            store_categories[merchant_id].append(category_id)
    taste = Taste()
    for merchant_id, category_id, when, weight in rows:
        age_days = max((now - when).total_seconds(), 0) / 86400
        decayed = weight * 0.5 ** (age_days / HALF_LIFE_DAYS)
        if merchant_id is not None:
            taste.stores[merchant_id] += decayed
        categories = [category_id] if category_id else store_categories.get(merchant_id, [])
        for category in categories:
            taste.categories[category] += decayed / len(categories)
    return taste


def excluded_offers(user_id: int) -> set[int]:
    """Offers the shopper already has or has used: never suggested."""
    excluded: set[int] = set()
    for source in used_offer_sources():
        excluded.update(source(user_id))
    return excluded


def _best(scores: dict[int, float], count: int) -> list[int]:
    return sorted(scores, key=lambda key: (-scores[key], key))[:count]


def personal_offer_ids(taste: Taste, *, excluded: set[int], now: datetime) -> list[int]:
    """Live offers of the shopper's best stores and categories, best first (one query)."""
    stores, categories = _best(taste.stores, TOP_STORES), _best(taste.categories, TOP_CATEGORIES)
    candidates = (
        offers_live(now)
        .filter(Q(merchant_id__in=stores) | Q(category_id__in=categories))
        .exclude(pk__in=excluded)
        .order_by("-clicks_count", "-pk")
        .values_list("pk", "merchant_id", "category_id", "clicks_count")[:CANDIDATES]
    )

    def score(row) -> float:
        _pk, merchant_id, category_id, clicks = row
        taste_score = taste.stores.get(merchant_id, 0.0) + taste.categories.get(category_id, 0.0)
        # Popularity only breaks near-ties between offers the shopper likes as much.
        return taste_score + 0.01 * math.log1p(clicks)

    ranked = sorted(candidates, key=lambda row: (-score(row), -row[0]))
    # Spread the top over stores: the third offer of one store waits until the others had a go.
    first, later, per_store = [], [], defaultdict(int)
    for pk, merchant_id, _category, _clicks in ranked:
        per_store[merchant_id] += 1
        (first if per_store[merchant_id] <= MAX_PER_STORE else later).append(pk)
    return first + later


def mixed(personal: list[int], trending: list[int], *, length: int) -> list[int]:
    """Personal and trending ids, 7 : 3 in every ten, each id once. When one list runs out,
    the other fills the places."""
    rail: list[int] = []
    seen: set[int] = set()
    queues = {"personal": list(personal), "trending": list(trending)}

    def take(name: str) -> int | None:
        queue = queues[name]
        while queue:
            offer_id = queue.pop(0)
            if offer_id not in seen:
                return offer_id
        return None

    for place in range(length):
        preferred, other = (
            ("trending", "personal") if place % 10 in TRENDING_PLACES else ("personal", "trending")
        )
        offer_id = take(preferred) or take(other)
        if offer_id is None:
            break
        seen.add(offer_id)
        rail.append(offer_id)
    return rail


def _reason_header(taste: Taste) -> str:
    """`personal:c12,c7,s5`: the best categories, then the best stores; the read names the
    first one a shown offer belongs to ("Because you shop Fashion")."""
    named = [f"c{pk}" for pk in _best(taste.categories, 3)]
    named += [f"s{pk}" for pk in _best(taste.stores, 3)]
    return f"{PERSONAL}:{','.join(named)}"


def foryou_compute(user_id: int, *, now: datetime | None = None) -> list[str]:
    """The stored form of a shopper's rail: a header (`trending`, or `personal:<what the reason
    may name>`), then offer ids as text."""
    now = now or timezone.now()
    taste = taste_of(user_id, now=now)
    if not taste:
        return [TRENDING_ONLY]
    excluded = excluded_offers(user_id)
    personal = personal_offer_ids(taste, excluded=excluded, now=now)
    if not personal:
        return [TRENDING_ONLY]
    trending = [
        offer.pk
        for offer in offers_trending(STORED, now=now)
        if offer.pk not in excluded and offer.pk not in personal[:STORED]
    ]
    rail = mixed(personal, trending, length=STORED)
    return [_reason_header(taste), *map(str, rail)]


# --- Storing ----------------------------------------------------------------------------------


def foryou_refresh(user_id: int, *, now: datetime | None = None) -> list[str]:
    """Compute the shopper's rail and keep it in Redis for a day; returns what was stored."""
    stored = foryou_compute(user_id, now=now)
    pipe = get_redis_connection("default").pipeline(transaction=True)
    pipe.delete(rail_key(user_id))
    pipe.rpush(rail_key(user_id), *stored)
    pipe.expire(rail_key(user_id), CACHE_SECONDS)
    pipe.delete(pending_key(user_id))
    pipe.execute()
    return stored


def shoppers_active_since(since: datetime) -> set[int]:
    """Shoppers with a taste row since `since`, from every source that can tell."""
    active: set[int] = set()
    for source in taste_sources():
        if source.active is not None:
            active.update(source.active(since))
    return active


def foryou_refresh_active(*, now: datetime | None = None) -> int:
    """Refresh the rails of shoppers who did something since the last run (the beat);
    returns how many."""
    now = now or timezone.now()
    mark = Watermark.objects.filter(name=WATERMARK).values_list("value", flat=True).first()
    since = mark - ACTIVE_OVERLAP if mark else now - FIRST_ACTIVE_WINDOW
    user_ids = shoppers_active_since(since)
    for user_id in sorted(user_ids):
        foryou_refresh(user_id, now=now)
    with transaction.atomic():
        Watermark.objects.update_or_create(name=WATERMARK, defaults={"value": now})
    return len(user_ids)


# --- Reading ----------------------------------------------------------------------------------


def _stored(user_id: int) -> list[str]:
    raw = get_redis_connection("default").lrange(rail_key(user_id), 0, -1)
    if raw:
        return [item.decode() if isinstance(item, bytes) else item for item in raw]
    return foryou_refresh(user_id)


def for_you(user, limit: int = 12, *, now: datetime | None = None) -> ForYou:
    """The rail for `user`: the stored picks still live and not claimed by them, in order;
    trending (not personal) for visitors, shoppers without history, and when none of the
    picks is left.

    With the rail in Redis: one query. Without: the sources' queries too, a fixed number.
    """
    now = now or timezone.now()
    if user is None or not getattr(user, "is_authenticated", False):
        return _trending(limit, now)
    header, *ids = _stored(user.pk)
    if header == TRENDING_ONLY or not ids:
        return _trending(limit, now)
    offer_ids = [int(offer_id) for offer_id in ids]
    picks = offers_live(now).filter(pk__in=offer_ids).exclude(pk__in=claimed_offers_query(user.pk))
    by_id = {offer.pk: offer for offer in picks}
    offers = [by_id[offer_id] for offer_id in offer_ids if offer_id in by_id][:limit]
    if not offers:
        return _trending(limit, now)
    return ForYou(offers=offers, personal=True, reason=_reason(header, offers))


def _trending(limit: int, now: datetime) -> ForYou:
    return ForYou(offers=list(offers_trending(limit, now=now)), personal=False)


def _reason(header: str, offers: list[Offer]) -> str:
    """ "Because you shop Fashion" from the header, named from the loaded offers (their
    category and store are joined), so it costs no query; "" when none of them fits."""
    _personal, _sep, named = header.partition(":")
    for token in filter(None, named.split(",")):
        kind, pk = token[0], token[1:]
        if not pk.isdigit():
            continue
        for offer in offers:
            if kind == "c" and offer.category_id == int(pk):
                return _("Because you shop %(category)s") % {"category": offer.category.name}
            if kind == "s" and offer.merchant_id == int(pk):
                return _("Because you shop at %(store)s") % {"store": offer.merchant.name}
    return ""
