"""Races on PostgreSQL: a budget is never overspent, one code locked and redeemed from two
tills goes to one of them, and a revoked key is refused on its very next request."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from brands.models import Budget
from brands.till import budgets, errors, services
from coupzii.core.errors import DomainError
from coupzii.tests.races import failures, race, successes
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit

from .helpers import TILL, brand_book, brand_of, key_client, till_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# PostgreSQL's max_connections is 100 on the test server: 100 threads and the test's own
# connection would not fit, so 25 threads make the 100 redemptions, all released together.
THREADS = 25


def race_many(actions: list) -> list:
    """Like coupzii.tests.races.race, with `THREADS` connections each running its share."""
    barrier = threading.Barrier(THREADS)
    shares = [actions[n::THREADS] for n in range(THREADS)]

    def run(share):
        barrier.wait()
        results = []
        try:
            for action in share:
                try:
                    results.append(action())
                except DomainError as exc:
                    results.append(exc)
        finally:
            connection.close()
        return results

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [result for share in pool.map(run, shares) for result in share]


def test_a_hundred_redemptions_against_a_budget_of_sixty_make_exactly_sixty():
    codes = [f"R-{n:03d}" for n in range(100)]
    book = brand_book(codes=codes, percent="10")
    brand = brand_of(book)
    budget = budgets.budget_create(brand=brand, offer=book.offer, max_redemptions=60)
    key, _ = till_key(brand)
    scope = services.TillScope.for_key(key)

    results = race_many(
        [
            lambda code=code: services.till_redeem(
                scope=scope,
                code=code,
                idempotency_key=f"race-{code}",
                order_reference=code,
                order_amount="1000.00",
            )
            for code in codes
        ]
    )

    assert len(successes(results)) == 60
    assert all(isinstance(error, errors.BudgetExhausted) for error in failures(results))
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.redemptions_used == 60
    assert budget.discount_used == 60 * 100
    assert CouponCode.objects.filter(book=book, status=CodeStatus.REDEEMED).count() == 60
    redeems = RedemptionAudit.objects.filter(book=book, action=AuditAction.REDEEM)
    assert (redeems.filter(ok=True).count(), redeems.filter(ok=False).count()) == (60, 40)
    assert budget.alerted_80_at and budget.alerted_100_at


def test_one_code_locked_and_redeemed_from_two_tills_goes_to_one_of_them():
    book = brand_book(codes=("DUEL-1",))
    brand = brand_of(book)
    scopes = [services.TillScope.for_key(till_key(brand)[0]) for _ in range(2)]

    def lock_then_redeem(scope, n):
        services.till_lock(scope=scope, code="DUEL-1", order_reference=f"ORD-{n}")
        return services.till_redeem(
            scope=scope,
            code="DUEL-1",
            idempotency_key=f"duel-{n}",
            order_reference=f"ORD-{n}",
            order_amount="500.00",
        )

    results = race([lambda s=s, n=n: lock_then_redeem(s, n) for n, s in enumerate(scopes)])

    assert len(successes(results)) == 1
    assert len(failures(results)) == 1
    assert CouponCode.objects.get(book=book).redemption_count == 1
    redeemed = RedemptionAudit.objects.filter(book=book, action=AuditAction.REDEEM, ok=True)
    assert redeemed.count() == 1


def test_a_revoked_key_is_refused_on_its_very_next_request():
    book = brand_book(codes=("REV-1", "REV-2"))
    brand = brand_of(book)
    key, raw = till_key(brand)
    till = key_client(raw)
    body = {"code": "REV-1", "order_amount": "100"}
    assert till.post(TILL + "validate/", body, format="json").status_code == 200

    services.api_key_revoke(brand=brand, public_id=key.public_id, revoked_by=None)

    # The revocation is committed in this connection; the next request, from any worker,
    # reads the key row again.
    statuses = race(
        [
            lambda: key_client(raw).post(TILL + "validate/", body, format="json").status_code
            for _ in range(4)
        ]
    )
    assert statuses == [401] * 4
