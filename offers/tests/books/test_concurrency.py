"""Races on PostgreSQL: a book's codes, a shopper's limit and a single-use code stay right when
requests arrive together."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coupzii.tests.races import failures, race, successes
from offers import books, errors
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit
from offers.tests.books.factories import book_with_codes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_shoppers_claiming_twenty_codes_get_twenty_distinct_codes():
    book = book_with_codes(20)
    shoppers = [UserFactory() for _ in range(50)]

    results = race(
        [
            lambda shopper=shopper: books.code_claim(offer_or_book=book.offer, user=shopper)
            for shopper in shoppers
        ]
    )

    claimed = successes(results)
    assert len(claimed) == 20
    assert len({code.pk for code in claimed}) == 20
    assert len(failures(results)) == 30
    assert all(isinstance(error, errors.BookExhausted) for error in failures(results))
    holders = CouponCode.objects.filter(book=book).values_list("holder_id", flat=True)
    assert len(set(holders)) == 20
    assert not CouponCode.objects.filter(book=book, status=CodeStatus.AVAILABLE).exists()
    # every attempt is on record, the refused ones committed although their claim was not
    claims = RedemptionAudit.objects.filter(book=book, action=AuditAction.CLAIM)
    assert (claims.filter(ok=True).count(), claims.filter(ok=False).count()) == (20, 30)


def test_one_shopper_racing_ten_claims_against_a_limit_of_one_gets_one_code():
    book = book_with_codes(20, per_user_limit=1)
    shopper = UserFactory()

    results = race(
        [lambda: books.code_claim(offer_or_book=book.offer, user=shopper) for _ in range(10)]
    )

    assert len(successes(results)) == 1
    assert all(isinstance(error, errors.ClaimLimitReached) for error in failures(results))
    assert CouponCode.objects.filter(book=book, holder=shopper).count() == 1
    # the codes the losers had picked went back to the pool
    assert CouponCode.objects.filter(book=book, status=CodeStatus.AVAILABLE).count() == 19


def test_one_shopper_racing_claims_against_a_limit_of_three_gets_three_codes():
    book = book_with_codes(20, per_user_limit=3)
    shopper = UserFactory()

    results = race(
        [lambda: books.code_claim(offer_or_book=book.offer, user=shopper) for _ in range(10)]
    )

    slots = sorted(
        CouponCode.objects.filter(book=book, holder=shopper).values_list("claim_slot", flat=True)
    )
    assert len(successes(results)) == 3
    assert slots == [1, 2, 3]


def test_one_idempotency_key_sent_ten_times_at_once_claims_one_code():
    book = book_with_codes(20, per_user_limit=5)
    shopper = UserFactory()

    results = race(
        [
            lambda: books.code_claim(
                offer_or_book=book.offer, user=shopper, idempotency_key="retry-storm"
            )
            for _ in range(10)
        ]
    )

    assert len({code.pk for code in successes(results)}) == 1
    assert CouponCode.objects.filter(book=book, holder=shopper).count() == 1


def test_twenty_tills_redeeming_one_single_use_code_succeed_once():
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    tills = [UserFactory() for _ in range(20)]

    results = race(
        [
            lambda till=till, n=n: books.code_redeem(
                book=book, code=code.code, actor=till, idempotency_key=f"till-{n}"
            )
            for n, till in enumerate(tills)
        ]
    )

    assert len(successes(results)) == 1
    assert all(isinstance(error, errors.CodeAlreadyRedeemed) for error in failures(results))
    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.REDEEMED, 1)
    redeems = RedemptionAudit.objects.filter(book=book, action=AuditAction.REDEEM)
    assert (redeems.filter(ok=True).count(), redeems.filter(ok=False).count()) == (1, 19)


def test_one_redeem_key_replayed_at_once_redeems_once():
    book = book_with_codes(1, max_redemptions_per_code=5)
    code = CouponCode.objects.get(book=book)
    till = UserFactory()

    results = race(
        [
            lambda: books.code_redeem(book=book, code=code, actor=till, idempotency_key="pos-77")
            for _ in range(10)
        ]
    )

    assert len(successes(results)) == 10
    code.refresh_from_db()
    assert code.redemption_count == 1


def test_one_redeem_key_sent_for_two_codes_at_once_redeems_one_of_them():
    book = book_with_codes(2)
    first, second = CouponCode.objects.filter(book=book).order_by("id")
    till = UserFactory()

    results = race(
        [
            lambda code=code: books.code_redeem(
                book=book, code=code, actor=till, idempotency_key="pos-1"
            )
            for code in (first, second) * 5
        ]
    )

    redeemed = CouponCode.objects.filter(book=book, redemption_count=1)
    assert redeemed.count() == 1
    assert {code.pk for code in successes(results)} == {redeemed.get().pk}
    assert all(isinstance(error, errors.IdempotencyKeyReused) for error in failures(results))


def test_an_expired_lock_is_released_and_the_code_claimed_again():
    # given the book's only code, locked at a till, past its lock time
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    books.code_lock(book=book, code=code, actor=UserFactory())
    shopper = UserFactory()
    with pytest.raises(errors.BookExhausted):
        books.code_claim(offer_or_book=book.offer, user=shopper)
    CouponCode.objects.filter(pk=code.pk).update(locked_until=timezone.now() - timedelta(seconds=1))

    # when two sweeps run at once
    released = race([books.locks_release_expired, books.locks_release_expired])

    # then it is released once, and can be claimed
    assert sorted(released) == [0, 1]
    assert RedemptionAudit.objects.filter(code=code, action=AuditAction.RELEASE).count() == 1
    claimed = books.code_claim(offer_or_book=book.offer, user=shopper)
    assert claimed.pk == code.pk
