"""PostgreSQL races: a dispute filed as the window closes while the release runs (exactly one
wins: DISPUTED with the money in escrow, or RELEASED and the dispute refused), and two refunds
against one seller decided at once (the third loss is seen and suspends once)."""

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coupzii.core.errors import DomainError
from coupzii.tests.races import _lock_waiters, race
from marketplace import kinds
from marketplace.disputes.services import dispute_decide, dispute_open
from marketplace.errors import DisputeNotAllowed
from marketplace.models import Dispute, DisputeStatus, Purchase, PurchaseStatus, Suspension
from marketplace.purchases.services import purchase_release
from wallet import services as ledger
from wallet.ledger import ledger_problems

from .conftest import paid_purchase

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = PurchaseStatus


@contextmanager
def purchase_locked(purchase: Purchase):
    with transaction.atomic():
        Purchase.objects.select_for_update().get(pk=purchase.pk)
        yield


def _run(action):
    try:
        return action()
    except DomainError as exc:
        return exc
    finally:
        connection.close()


def _wait_for_waiters(count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _lock_waiters() < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} sessions never queued on the purchase's lock")
        time.sleep(0.01)


# Long enough for both sessions to queue on a loaded machine, short enough for the suite.
WINDOW_LEFT = timedelta(seconds=3)


def in_lock_order(purchase: Purchase, first, second):
    """`first` then `second` queue (in that order) on the purchase's row lock while its window
    is open; the lock is let go once the window has closed: the dispute was filed in time, and
    the release runs after the window.

    The window is set before the lock is taken, not closed under it: updating the locked row
    would make both waiters chase its new version, and PostgreSQL would no longer hand them the
    lock in the order they queued."""
    window_ends_at = timezone.now() + WINDOW_LEFT
    Purchase.objects.filter(pk=purchase.pk).update(window_ends_at=window_ends_at)
    with ThreadPoolExecutor(max_workers=2) as pool:
        with purchase_locked(purchase):
            futures = [pool.submit(_run, first)]
            _wait_for_waiters(1)
            futures.append(pool.submit(_run, second))
            _wait_for_waiters(2)
            assert timezone.now() < window_ends_at, "both must queue while the window is open"
            time.sleep(max(0.0, (window_ends_at - timezone.now()).total_seconds()) + 0.05)
        return [future.result() for future in futures]


def assert_exactly_one_won(purchase: Purchase, dispute_result) -> str:
    purchase.refresh_from_db()
    escrow = ledger.platform_balance(kinds.ESCROW)
    seller_has = ledger.balances(purchase.seller)["available"]
    if purchase.status == S.DISPUTED:
        assert isinstance(dispute_result, Dispute)
        assert escrow == purchase.price
        assert seller_has == 0
    else:
        assert purchase.status == S.RELEASED
        assert isinstance(dispute_result, DisputeNotAllowed)
        assert not Dispute.objects.exists()
        assert escrow == 0
        assert seller_has == purchase.payout
    assert ledger_problems() == []
    return purchase.status


@pytest.fixture
def closing(buyer):
    """A paid purchase in its window (closed by `in_lock_order`)."""
    return paid_purchase(buyer)


def test_a_dispute_queued_before_the_release_stops_it(buyer, closing):
    def dispute():
        return dispute_open(buyer=buyer, number=closing.number, note="did not work")

    def release():
        return purchase_release(purchase_id=closing.pk)

    results = in_lock_order(closing, dispute, release)

    assert assert_exactly_one_won(closing, results[0]) == S.DISPUTED
    assert results[1].status == S.DISPUTED  # the release found it disputed and paid nothing


def test_a_release_queued_before_the_dispute_refuses_it(buyer, closing):
    def dispute():
        return dispute_open(buyer=buyer, number=closing.number, note="did not work")

    def release():
        return purchase_release(purchase_id=closing.pk)

    results = in_lock_order(closing, release, dispute)

    assert assert_exactly_one_won(closing, results[1]) == S.RELEASED


def test_a_dispute_and_the_release_at_the_window_end_leave_one_outcome(buyer):
    outcomes = set()
    for _round in range(4):
        purchase = paid_purchase(buyer)
        ends = timezone.now() + timedelta(milliseconds=300)
        Purchase.objects.filter(pk=purchase.pk).update(window_ends_at=ends)

        def dispute(purchase=purchase):
            return dispute_open(buyer=buyer, number=purchase.number, note="did not work")

        def release(purchase=purchase, ends=ends):
            time.sleep(max(0.0, (ends - timezone.now()).total_seconds()))
            return purchase_release(purchase_id=purchase.pk)

        # Both start a moment before the window ends; the release runs once it has ended.
        time.sleep(max(0.0, (ends - timezone.now()).total_seconds() - 0.002))
        results = race([dispute, release])
        purchase.refresh_from_db()
        outcomes.add(purchase.status)
        if purchase.status == S.DISPUTED:
            assert isinstance(results[0], Dispute)
        else:
            assert purchase.status == S.RELEASED
            assert isinstance(results[0], DisputeNotAllowed)
        assert ledger_problems() == []
    assert outcomes <= {S.DISPUTED, S.RELEASED}


def test_two_refunds_against_a_seller_at_once_still_suspend_on_the_third(buyer, operator):
    seller = UserFactory()
    disputes = [
        dispute_open(
            buyer=buyer, number=paid_purchase(buyer, seller=seller).number, note="did not work"
        )
        for _n in range(3)
    ]
    dispute_decide(
        operator=operator, public_id=disputes[0].public_id, outcome="refund", refund_to="wallet"
    )

    results = race(
        [
            lambda dispute=dispute: dispute_decide(
                operator=operator, public_id=dispute.public_id, outcome="refund", refund_to="wallet"
            )
            for dispute in disputes[1:]
        ]
    )

    assert all(isinstance(result, Dispute) for result in results)
    assert Dispute.objects.filter(status=DisputeStatus.REFUNDED).count() == 3
    assert Suspension.objects.filter(user=seller).count() == 1
    assert ledger.balances(buyer)["available"] == D("1000.00")
    assert ledger_problems() == []
