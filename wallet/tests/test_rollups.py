"""The wallet's daily rollups (CashbackDay, PayoutDay) against the raw rows, their range reads,
an old day rolled again by the recent run, and the sum of shoppers' balances."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from commerce.tests.factories import wallet_credit
from coupzii.core.rollups import roll_range, roll_recent
from wallet import rollups
from wallet.models import (
    CashbackDay,
    CashbackEvent,
    CashbackSource,
    CashbackStage,
    CashbackStatus,
    PayoutDay,
    Withdrawal,
    WithdrawalStatus,
)

pytestmark = pytest.mark.django_db

IST = timezone.get_default_timezone()
DAY = date(2026, 11, 10)
NEXT = DAY + timedelta(days=1)
R, C, X = CashbackStage.REPORTED, CashbackStage.CONFIRMED, CashbackStage.DECLINED


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=IST)


def event(
    *,
    reported,
    merchant=None,
    network="cuelinks",
    sale="1000.00",
    commission="80.00",
    cashback="50.00",
    confirmed=None,
    declined=None,
) -> CashbackEvent:
    status = (
        CashbackStatus.DECLINED
        if declined
        else CashbackStatus.CONFIRMED
        if confirmed
        else CashbackStatus.PENDING
    )
    row = CashbackEvent.objects.create(
        sub_id=uuid.uuid4().hex,
        merchant=merchant,
        network=network,
        network_txn_id=uuid.uuid4().hex,
        sale_amount=D(sale),
        commission=None if commission is None else D(commission),
        cashback=D(cashback),
        status=status,
        source=CashbackSource.POSTBACK,
        occurred_at=reported - timedelta(hours=1),
        confirmed_at=confirmed,
        declined_at=declined,
    )
    CashbackEvent.objects.filter(pk=row.pk).update(created_at=reported)
    return row


def withdrawal(user, *, status, amount, completed=None) -> Withdrawal:
    key = uuid.uuid4().hex
    return Withdrawal.objects.create(
        user=user,
        method="upi",
        amount=D(amount),
        destination="asha@upi",
        status=status,
        idempotency_key=key,
        utr=key[:12] if status == WithdrawalStatus.PAID else "",
        completed_at=completed,
    )


def cashback_days() -> dict[tuple, tuple[int, D, D, D]]:
    return {
        (r.date, r.stage, r.merchant.slug if r.merchant else None, r.network): (
            r.events,
            r.sale_amount,
            r.commission,
            r.cashback,
        )
        for r in CashbackDay.objects.select_related("merchant")
    }


def test_cashback_is_counted_on_the_day_each_stage_was_reached_per_store_and_network():
    myntra = MerchantFactory(slug="myntra")
    # reported on DAY, confirmed on NEXT
    event(reported=at(DAY, 10), merchant=myntra, confirmed=at(NEXT, 9))
    # reported on DAY, no commission reported yet
    event(reported=at(DAY, 23, 59, 59), merchant=myntra, commission=None, cashback="20.00")
    # same store, another network
    event(
        reported=at(DAY, 12),
        merchant=myntra,
        network="admitad",
        sale="500.00",
        commission="30.00",
        cashback="15.00",
    )
    # its click is not known yet: an unknown store
    event(reported=at(DAY, 13), sale="200.00", commission="10.00", cashback="0.00")
    # reported at midnight in India (the next day), declined the same day
    event(reported=at(NEXT, 0), merchant=myntra, declined=at(NEXT, 18))

    assert rollups.cashback_days_roll(DAY, NEXT) == 6

    assert cashback_days() == {
        (DAY, R, "myntra", "cuelinks"): (2, D("2000.00"), D("80.00"), D("70.00")),
        (DAY, R, "myntra", "admitad"): (1, D("500.00"), D("30.00"), D("15.00")),
        (DAY, R, None, "cuelinks"): (1, D("200.00"), D("10.00"), D("0.00")),
        (NEXT, R, "myntra", "cuelinks"): (1, D("1000.00"), D("80.00"), D("50.00")),
        (NEXT, C, "myntra", "cuelinks"): (1, D("1000.00"), D("80.00"), D("50.00")),
        (NEXT, X, "myntra", "cuelinks"): (1, D("1000.00"), D("80.00"), D("50.00")),
    }


def test_payouts_are_the_withdrawals_paid_by_the_day_they_were_paid():
    asha = UserFactory()
    withdrawal(asha, status=WithdrawalStatus.PAID, amount="500.00", completed=at(DAY, 23, 59))
    withdrawal(asha, status=WithdrawalStatus.PAID, amount="250.50", completed=at(DAY, 0, 0))
    withdrawal(asha, status=WithdrawalStatus.PAID, amount="100.00", completed=at(NEXT, 0, 0))
    withdrawal(asha, status=WithdrawalStatus.REJECTED, amount="900.00", completed=at(DAY, 12))
    withdrawal(asha, status=WithdrawalStatus.FAILED, amount="900.00", completed=at(DAY, 12))
    withdrawal(asha, status=WithdrawalStatus.APPROVED, amount="900.00")

    assert rollups.payout_days_roll(DAY, NEXT) == 2

    assert dict(PayoutDay.objects.values_list("date", "amount")) == {
        DAY: D("750.50"),
        NEXT: D("100.00"),
    }
    assert PayoutDay.objects.get(date=DAY).withdrawals == 2


def test_rolling_again_changes_nothing():
    event(reported=at(DAY, 10), merchant=MerchantFactory(), confirmed=at(NEXT, 9))
    withdrawal(UserFactory(), status=WithdrawalStatus.PAID, amount="10.00", completed=at(DAY, 1))
    rollups.cashback_days_roll(DAY, NEXT)
    rollups.payout_days_roll(DAY, NEXT)
    before = (cashback_days(), list(PayoutDay.objects.values_list("date", "amount")))

    rollups.cashback_days_roll(DAY, NEXT)
    rollups.payout_days_roll(DAY, NEXT)

    assert (cashback_days(), list(PayoutDay.objects.values_list("date", "amount"))) == before
    assert CashbackDay.objects.count() == 2


def test_an_event_of_days_ago_matched_and_confirmed_now_is_rolled_by_the_recent_run():
    # given a sale reported 20 days ago for a click not found then, rolled since
    reported = timezone.now() - timedelta(days=20)
    sale = event(reported=reported, commission="40.00", cashback="0.00")
    old_day, today = timezone.localdate(reported), timezone.localdate()
    roll_range(start=old_day, end=today)
    assert cashback_days() == {
        (old_day, R, None, "cuelinks"): (1, D("1000.00"), D("40.00"), D("0.00"))
    }

    # when its store becomes known and the network confirms it, and the recent run comes
    store = MerchantFactory(slug="ajio")
    sale.refresh_from_db()
    sale.merchant, sale.cashback = store, D("25.00")
    sale.status, sale.confirmed_at = CashbackStatus.CONFIRMED, timezone.now()
    sale.save()
    roll_recent()

    # then the old day shows the store, and today the confirmation
    assert cashback_days() == {
        (old_day, R, "ajio", "cuelinks"): (1, D("1000.00"), D("40.00"), D("25.00")),
        (today, C, "ajio", "cuelinks"): (1, D("1000.00"), D("40.00"), D("25.00")),
    }


def test_a_withdrawal_marked_paid_with_yesterdays_time_is_rolled_by_the_recent_run():
    asha = UserFactory()
    paid = withdrawal(asha, status=WithdrawalStatus.APPROVED, amount="300.00")
    three_days_ago = timezone.now() - timedelta(days=3)
    roll_range(start=timezone.localdate() - timedelta(days=5), end=timezone.localdate())

    paid.status, paid.completed_at, paid.utr = WithdrawalStatus.PAID, three_days_ago, "UTR1"
    paid.save()
    roll_recent()

    assert list(PayoutDay.objects.values_list("date", "withdrawals", "amount")) == [
        (timezone.localdate(three_days_ago), 1, D("300.00"))
    ]


def test_the_reads_give_stage_figures_top_stores_payouts_and_balances(django_assert_num_queries):
    amazon = MerchantFactory(name="Amazon", slug="amazon")
    flipkart = MerchantFactory(name="Flipkart", slug="flipkart")
    for merchant, network, commission in (
        (amazon, "a", "30"),
        (amazon, "b", "20"),
        (flipkart, "a", "45"),
        (None, "a", "99"),
    ):
        CashbackDay.objects.create(
            date=DAY,
            stage=R,
            merchant=merchant,
            network=network,
            events=2,
            commission=D(commission),
            cashback=D("10.00"),
        )
    CashbackDay.objects.create(
        date=NEXT,
        stage=C,
        merchant=amazon,
        network="a",
        events=1,
        commission=D("30"),
        cashback=D("7.50"),
    )
    PayoutDay.objects.create(date=NEXT, withdrawals=3, amount=D("1200.00"))
    asha, ravi = UserFactory(), UserFactory()
    wallet_credit(asha, "100.00")
    wallet_credit(ravi, "25.50")

    with django_assert_num_queries(1):
        stages = rollups.cashback_figures_by_day(start=DAY, end=NEXT)
    with django_assert_num_queries(1):
        top = rollups.top_stores_by_commission(start=DAY, end=NEXT)
    with django_assert_num_queries(1):
        payouts = rollups.payouts_by_day(start=DAY, end=NEXT)
    with django_assert_num_queries(1):
        balances = rollups.user_balance_totals()

    assert stages == {
        (DAY, R): (8, D("194.00"), D("40.00")),
        (NEXT, C): (1, D("30.00"), D("7.50")),
    }
    assert stages[(NEXT, C)].cashback == D("7.50")
    # the unknown store's commission counts in the totals, not among the stores
    assert top == [("Amazon", "amazon", D("50.00")), ("Flipkart", "flipkart", D("45.00"))]
    assert payouts == {NEXT: (3, D("1200.00"))}
    assert balances == {"available": D("125.50"), "pending": D("0.00"), "held": D("0.00")}
