"""Where a shopper's taste comes from, for the "For you" rail (offers.foryou).

A taste row is (merchant_id, category_id, when, weight): one thing the shopper did at a store,
in a category, at a time. Offers knows its own (click-outs, claimed codes); the apps above it
(the shop's orders, the marketplace locker) register theirs when they start, because offers
may not import them. Each source is one query whatever the shopper's history.

`foryou_refresh_soon(user_id)` is what a new row's writer calls (after commit) so the rail
follows what the shopper just did. It lives here, below offers.foryou, so the writers (the
click-out, claims, the apps above) can call it without importing the selectors it builds on.

Used-offer sources name offers the shopper already has or has used (a locker coupon from a
Coupzii book), which the rail never suggests again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django_redis import get_redis_connection

from .models import Click, CouponCode


class TasteRow(NamedTuple):
    merchant_id: int | None
    category_id: int | None
    when: datetime
    weight: float


#: fn(user_id, since) -> the shopper's taste rows since then.
TasteRows = Callable[[int, datetime], Iterable[tuple]]
#: fn(since) -> ids of shoppers who did something since then (for the refresh beat).
ActiveUsers = Callable[[datetime], Iterable[int]]
#: fn(user_id) -> ids of offers the shopper has or has used.
UsedOffers = Callable[[int], Iterable[int]]

# How much one action says about a shopper's taste: paying says more than looking.
CLICK_WEIGHT = 1.0
CLAIM_WEIGHT = 3.0
# Clicks and claims in a burst are one refresh, run this long after the first of them.
DEBOUNCE_SECONDS = 60
# Rows a source reads at most: the newest, which outweigh the rest after decay anyway.
MAX_ROWS = 500


@dataclass(frozen=True)
class TasteSource:
    name: str
    rows: TasteRows
    active: ActiveUsers | None = None


_taste_sources: dict[str, TasteSource] = {}
_used_offer_sources: dict[str, UsedOffers] = {}


def taste_source_register(name: str, fn: TasteRows, *, active: ActiveUsers | None = None) -> None:
    """Add (or replace) a source of taste rows; `active` lists shoppers with new rows since a
    time, so the refresh beat finds them."""
    _taste_sources[name] = TasteSource(name=name, rows=fn, active=active)


def used_offer_source_register(name: str, fn: UsedOffers) -> None:
    """Add (or replace) a source of offers a shopper already has or has used."""
    _used_offer_sources[name] = fn


def taste_sources() -> list[TasteSource]:
    return list(_taste_sources.values())


def used_offer_sources() -> list[UsedOffers]:
    return list(_used_offer_sources.values())


# --- The refresh trigger: a source with a new row asks for a fresh rail --------------------


def rail_key(user_id: int) -> str:
    return cache.make_key(f"offers:foryou:{user_id}")


def pending_key(user_id: int) -> str:
    return cache.make_key(f"offers:foryou:pending:{user_id}")


def foryou_refresh_soon(user_id: int | None) -> None:
    """Refresh the shopper's rail DEBOUNCE_SECONDS from now, once for a burst of actions.
    Call it after the action commits (transaction.on_commit)."""
    if user_id is None:
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No worker to wait for: forget the rail, and the next read rebuilds it from the
        # database, instead of computing it on the click-out's or the claim's request.
        get_redis_connection("default").delete(rail_key(user_id))
        return
    if not get_redis_connection("default").set(
        pending_key(user_id), 1, nx=True, ex=DEBOUNCE_SECONDS * 5
    ):
        return  # a refresh is already on its way and will see this action too
    from .tasks import foryou_refresh_user

    foryou_refresh_user.apply_async(args=[user_id], countdown=DEBOUNCE_SECONDS)


def foryou_refresh_many_soon(user_ids) -> None:
    for user_id in {user_id for user_id in user_ids if user_id is not None}:
        foryou_refresh_soon(user_id)


# --- Offers' own sources -------------------------------------------------------------------------


def click_taste(user_id: int, since: datetime) -> list[tuple]:
    """The shopper's click-outs: the offer's category (None when it has none)."""
    rows = (
        Click.objects.filter(user_id=user_id, created_at__gte=since)
        .order_by("-created_at")
        .values_list("merchant_id", "offer__category_id", "created_at")[:MAX_ROWS]
    )
    return [(merchant, category, when, CLICK_WEIGHT) for merchant, category, when in rows]


def click_active(since: datetime) -> set[int]:
    return set(
        Click.objects.filter(created_at__gte=since, user__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )


def claim_taste(user_id: int, since: datetime) -> list[tuple]:
    """Codes the shopper claimed (or was assigned) from a unique-code offer."""
    rows = (
        CouponCode.objects.filter(holder_id=user_id, claimed_at__gte=since)
        .order_by("-claimed_at")
        .values_list("book__offer__merchant_id", "book__offer__category_id", "claimed_at")[
            :MAX_ROWS
        ]
    )
    return [(merchant, category, when, CLAIM_WEIGHT) for merchant, category, when in rows]


def claim_active(since: datetime) -> set[int]:
    return set(
        CouponCode.objects.filter(claimed_at__gte=since, holder__isnull=False)
        .values_list("holder_id", flat=True)
        .distinct()
    )


def claimed_offers_query(user_id: int) -> QuerySet:
    """Ids of the offers the shopper holds a code of, as a query (a subquery at the rail's
    read, so a code claimed a second ago leaves the rail at once, at no extra query)."""
    return CouponCode.objects.filter(holder_id=user_id).values("book__offer_id")


def claimed_offers(user_id: int) -> set[int]:
    """Offers the shopper holds a code of: claiming again would only hit the per-shopper limit."""
    return set(claimed_offers_query(user_id).values_list("book__offer_id", flat=True))


taste_source_register("offers.clicks", click_taste, active=click_active)
taste_source_register("offers.claims", claim_taste, active=claim_active)
used_offer_source_register("offers.claims", claimed_offers)
