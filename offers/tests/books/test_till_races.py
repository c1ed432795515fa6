"""Races on PostgreSQL between redeems and rollbacks: counts stay equal to what the audit says
happened, and one redeem is undone at most once."""

from decimal import Decimal as D

import pytest

from accounts.tests.factories import UserFactory
from coupzii.tests.races import failures, race, successes
from offers import errors, services
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit
from offers.tests.books.factories import CouponBookFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def ok_rows(book, action):
    return RedemptionAudit.objects.filter(book=book, action=action, ok=True).count()


def test_a_rollback_racing_a_second_redeem_of_a_multi_use_code_keeps_counts_consistent():
    cashier = UserFactory()
    for attempt in range(10):
        # given a code used once of its two uses
        book = CouponBookFactory(max_redemptions_per_code=2)
        code = CouponCode.objects.create(book=book, code=f"TEAM-{attempt:04d}")
        services.code_redeem(
            book=book, code=code, actor=cashier, idempotency_key="first", order_amount=D("900")
        )

        # when one till rolls the first use back while another redeems the second
        results = race(
            [
                lambda book=book: services.code_redeem_rollback(
                    book=book, idempotency_key="first", actor=cashier
                ),
                lambda book=book, code=code: services.code_redeem(
                    book=book,
                    code=code,
                    actor=cashier,
                    idempotency_key="second",
                    order_amount=D("900"),
                ),
            ]
        )

        # then both succeed, in either order, and the count is what the audit says
        assert failures(results) == []
        code.refresh_from_db()
        redeems, rollbacks = (
            ok_rows(book, AuditAction.REDEEM),
            ok_rows(book, AuditAction.ROLLBACK),
        )
        assert (redeems, rollbacks) == (2, 1)
        assert code.redemption_count == redeems - rollbacks == 1
        assert code.status == CodeStatus.AVAILABLE


def test_a_rollback_racing_the_last_use_never_leaves_a_used_up_code_available():
    cashier = UserFactory()
    for attempt in range(10):
        book = CouponBookFactory(max_redemptions_per_code=2)
        code = CouponCode.objects.create(book=book, code=f"LAST-{attempt:04d}")
        services.code_redeem(book=book, code=code, actor=cashier, idempotency_key="a")

        results = race(
            [
                lambda book=book: services.code_redeem_rollback(
                    book=book, idempotency_key="a", actor=cashier
                ),
                lambda book=book, code=code: services.code_redeem(
                    book=book, code=code, actor=cashier, idempotency_key="b"
                ),
                lambda book=book, code=code: services.code_redeem(
                    book=book, code=code, actor=cashier, idempotency_key="c"
                ),
            ]
        )

        code.refresh_from_db()
        redeems = ok_rows(book, AuditAction.REDEEM)
        rollbacks = ok_rows(book, AuditAction.ROLLBACK)
        assert code.redemption_count == redeems - rollbacks
        assert code.redemption_count <= 2
        expected = CodeStatus.REDEEMED if code.redemption_count == 2 else CodeStatus.AVAILABLE
        assert code.status == expected
        assert all(isinstance(error, errors.CodeAlreadyRedeemed) for error in failures(results))


def test_two_rollbacks_of_one_redeem_one_succeeds():
    cashier = UserFactory()
    for attempt in range(10):
        book = CouponBookFactory()
        code = CouponCode.objects.create(book=book, code=f"ONCE-{attempt:04d}")
        services.code_redeem(
            book=book, code=code, actor=cashier, idempotency_key="k", order_amount=D("700")
        )

        results = race(
            [
                lambda book=book: services.code_redeem_rollback(
                    book=book, idempotency_key="k", actor=cashier
                )
                for _ in range(4)
            ]
        )

        assert len(successes(results)) == 1
        assert len(failures(results)) == 3
        assert all(isinstance(error, errors.RedeemAlreadyRolledBack) for error in failures(results))
        code.refresh_from_db()
        assert (code.redemption_count, code.status) == (0, CodeStatus.AVAILABLE)
        rollbacks = RedemptionAudit.objects.filter(book=book, action=AuditAction.ROLLBACK)
        assert (rollbacks.filter(ok=True).count(), rollbacks.filter(ok=False).count()) == (1, 3)
