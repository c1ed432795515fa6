"""PostgreSQL races: a swap accepted while the same coupon is bought, and two swaps for one
coupon accepted at once. Both codes move or neither does, and a coupon goes one way."""

import time
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from catalog.services import code_digest
from commerce.tests.factories import wallet_credit
from coupzii.core.errors import DomainError
from coupzii.tests.races import _lock_waiters, race, successes
from marketplace.models import (
    CouponStatus,
    ExchangeStatus,
    Listing,
    ListingStatus,
    LockerCoupon,
    PaymentMethod,
    Purchase,
    PurchaseStatus,
)
from marketplace.purchases.services import purchase_create
from marketplace.swaps.services import exchange_accept
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from wallet.services import balances

from .helpers import ask


def holders(code: str) -> list:
    """Who holds this code now (the rows not swapped or sold away)."""
    return list(
        LockerCoupon.objects.filter(code_digest=code_digest(code))
        .exclude(status__in=[CouponStatus.GONE, CouponStatus.SOLD])
        .values_list("owner_id", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_swap_accepted_while_the_coupon_is_bought_goes_one_way(asha, ravi, listing, offered):
    # given Ravi's swap offer for Asha's listed coupon, and a buyer with money for it
    exchange = ask(ravi, listing, offered)
    buyer = UserFactory()
    wallet_credit(buyer, "500.00")

    # when Asha accepts while the buyer pays, at once
    results = race(
        [
            lambda: exchange_accept(responder=asha, public_id=exchange.public_id),
            lambda: purchase_create(
                buyer=buyer,
                listing_public_id=listing.public_id,
                method=PaymentMethod.WALLET,
                idempotency_key="race-1",
            ),
        ]
    )

    # then exactly one of them happened, and the code has exactly one holder
    assert len(successes(results)) == 1
    exchange.refresh_from_db()
    listing.refresh_from_db()
    sold = Purchase.objects.filter(status=PurchaseStatus.PAID).exists()
    if sold:
        assert exchange.status == ExchangeStatus.WITHDRAWN
        assert listing.status == ListingStatus.SOLD
        assert holders(listing.coupon.code) == [buyer.pk]
        assert holders(offered.code) == [ravi.pk]
    else:
        assert exchange.status == ExchangeStatus.ACCEPTED
        assert listing.status == ListingStatus.WITHDRAWN
        assert not Purchase.objects.exists()
        assert holders(listing.coupon.code) == [ravi.pk]
        assert holders(offered.code) == [asha.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_swaps_for_one_coupon_accepted_at_once_one_wins(asha, ravi, listing, offered):
    # given two shoppers' offers for Asha's coupon
    other = UserFactory()
    theirs = LockerCouponFactory(owner=other)
    first = ask(ravi, listing, offered)
    second = ask(other, listing, theirs)

    # when Asha accepts both at once (two tabs)
    results = race(
        [
            lambda: exchange_accept(responder=asha, public_id=first.public_id),
            lambda: exchange_accept(responder=asha, public_id=second.public_id),
        ]
    )

    # then one swap went through and the other was withdrawn
    assert len(successes(results)) == 1
    statuses = sorted(e.status for e in (first, second) if not e.refresh_from_db() and True)
    assert statuses == [ExchangeStatus.ACCEPTED, ExchangeStatus.WITHDRAWN]
    assert len(holders(listing.coupon.code)) == 1
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.WITHDRAWN
    # the losing requester still has their own coupon
    loser = first if first.status == ExchangeStatus.WITHDRAWN else second
    assert holders(loser.offered.code) == [loser.requester_id]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_swaps_offering_one_coupon_accepted_at_once_one_wins(ravi, offered):
    # given Ravi offers his one coupon for two different listings
    one, two = ListingFactory(), ListingFactory()
    first, second = ask(ravi, one, offered), ask(ravi, two, offered)

    results = race(
        [
            lambda: exchange_accept(responder=one.seller, public_id=first.public_id),
            lambda: exchange_accept(responder=two.seller, public_id=second.public_id),
        ]
    )

    assert len(successes(results)) == 1
    assert len(holders(offered.code)) == 1


@contextmanager
def listing_locked(listing):
    """Hold the listing's row lock in this thread's transaction until the block ends."""
    with transaction.atomic():
        Listing.objects.select_for_update().get(pk=listing.pk)
        yield


def in_order(hold, first, second) -> list:
    """Start `first`, wait until it is queued on the lock `hold` keeps, then `second`, then let
    go: PostgreSQL hands a row lock to its waiters in the order they came."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(action):
        try:
            return action()
        except DomainError as exc:
            return exc
        finally:
            connection.close()

    def queued(count):
        deadline = time.monotonic() + 10
        while _lock_waiters() < count:
            assert time.monotonic() < deadline, "never queued on the lock"
            time.sleep(0.01)

    with ThreadPoolExecutor(max_workers=2) as pool, hold():
        one = pool.submit(run, first)
        queued(1)
        two = pool.submit(run, second)
        queued(2)
    return [one.result(), two.result()]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("swap_first", [True, False])
def test_accept_and_purchase_queued_on_the_listing_the_first_wins(
    asha, ravi, listing, offered, swap_first
):
    # given a swap offer and a buyer, both about to reach the listing held by another request
    exchange = ask(ravi, listing, offered)
    buyer = UserFactory()
    wallet_credit(buyer, "500.00")

    def accept():
        return exchange_accept(responder=asha, public_id=exchange.public_id)

    def buy():
        return purchase_create(
            buyer=buyer,
            listing_public_id=listing.public_id,
            method=PaymentMethod.WALLET,
            idempotency_key="queued-1",
        )

    # when they queue in a known order and the lock is let go
    first, second = (accept, buy) if swap_first else (buy, accept)
    results = in_order(lambda: listing_locked(listing), first, second)

    # then the first went through and the second was refused, money and codes untouched
    assert not isinstance(results[0], Exception)
    assert isinstance(results[1], DomainError)
    exchange.refresh_from_db()
    if swap_first:
        assert exchange.status == ExchangeStatus.ACCEPTED
        assert not Purchase.objects.exists()
        assert holders(listing.coupon.code) == [ravi.pk]
        assert balances(buyer)["available"] == Decimal("500.00")
    else:
        assert exchange.status == ExchangeStatus.WITHDRAWN
        assert holders(listing.coupon.code) == [buyer.pk]
        assert holders(offered.code) == [ravi.pk]
