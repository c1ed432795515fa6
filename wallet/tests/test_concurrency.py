"""Races on PostgreSQL: withdrawals against one balance, retried postbacks and overlapping
report pages, idempotency keys, operators acting at once, and reversals meeting
confirmations and withdrawals. The ledger must stay sound whoever wins."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Notification, User
from accounts.tests.factories import UserFactory
from coupzii.tests.races import failures, race, successes
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.errors import InsufficientFunds, InvalidTransition
from wallet.models import (
    AccountKind,
    CashbackDebt,
    CashbackEvent,
    CashbackStatus,
    ReferralReward,
    Transaction,
    TransactionKind,
    Withdrawal,
    WithdrawalStatus,
)
from wallet.networks.base import SaleStatus
from wallet.services.cashback import (
    cashback_confirm,
    cashback_decline,
    cashback_ingest,
    cashback_report,
)
from wallet.services.claims import cashback_claim_approve, cashback_claim_file
from wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_reject,
    withdrawal_request,
)
from wallet.tests.factories import (
    confirmed_cashback,
    operator,
    recent_click,
    sale_for,
    verified_kyc,
    with_status,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
AVAILABLE, PENDING, HELD = AccountKind.AVAILABLE, AccountKind.PENDING, AccountKind.HELD


def _fresh(user) -> User:
    # each thread works on its own copy, as each request would
    return User.objects.get(pk=user.pk)


def _funded(amount="500.00") -> User:
    user = UserFactory()
    verified_kyc(user)
    confirmed_cashback(user, amount)
    return user


# --- Withdrawals ------------------------------------------------------------------------------


def test_twenty_concurrent_100_rupee_withdrawals_from_500_give_exactly_five(settings):
    # given: a limit high enough that only the balance decides
    settings.WALLET_WITHDRAWALS_PER_DAY = 50
    shopper = _funded("500.00")

    # when
    results = race(
        [
            lambda i=i: withdrawal_request(
                user=_fresh(shopper), amount=D("100.00"), method="upi", idempotency_key=f"w{i}"
            )
            for i in range(20)
        ]
    )

    # then
    assert len(successes(results)) == 5
    assert all(isinstance(error, InsufficientFunds) for error in failures(results))
    assert Withdrawal.objects.filter(user=shopper).count() == 5
    assert ledger.balances(shopper) == {AVAILABLE: D("0.00"), PENDING: D("0.00"), HELD: D("500.00")}
    assert Transaction.objects.filter(kind=TransactionKind.WITHDRAWAL_HOLD).count() == 5
    assert ledger.ledger_problems() == []


def test_the_daily_limit_holds_under_concurrent_requests(settings):
    settings.WALLET_WITHDRAWALS_PER_DAY = 3
    shopper = _funded("5000.00")
    results = race(
        [
            lambda i=i: withdrawal_request(
                user=_fresh(shopper), amount=D("100.00"), method="upi", idempotency_key=f"w{i}"
            )
            for i in range(10)
        ]
    )
    assert len(successes(results)) == 3
    assert {error.code for error in failures(results)} == {"daily_limit_reached"}
    assert ledger.balances(shopper)[HELD] == D("300.00")


def test_one_idempotency_key_sent_ten_times_at_once_makes_one_withdrawal():
    shopper = _funded("500.00")
    results = race(
        [
            lambda: withdrawal_request(
                user=_fresh(shopper), amount=D("150.00"), method="upi", idempotency_key="tap-tap"
            )
            for _ in range(10)
        ]
    )
    assert failures(results) == []
    assert len({withdrawal.pk for withdrawal in results}) == 1
    assert Withdrawal.objects.filter(user=shopper).count() == 1
    assert ledger.balances(shopper)[HELD] == D("150.00")
    assert ledger.balances(shopper)[AVAILABLE] == D("350.00")
    assert ledger.ledger_problems() == []


def test_paid_rejected_and_failed_racing_on_one_withdrawal_end_its_hold_once():
    # given: an approved withdrawal, and three operators each ending it their way
    shopper = _funded("500.00")
    withdrawal = withdrawal_request(
        user=shopper, amount=D("200.00"), method="upi", idempotency_key="w"
    )
    withdrawal_approve(withdrawal=withdrawal, operator=operator())
    staff = [operator() for _ in range(9)]

    # when
    def end(i):
        copy = Withdrawal.objects.get(pk=withdrawal.pk)
        if i % 3 == 0:
            return withdrawal_mark_paid(withdrawal=copy, operator=staff[i], utr=f"UTR00000{i}")
        if i % 3 == 1:
            return withdrawal_reject(withdrawal=copy, operator=staff[i], reason="race")
        return withdrawal_mark_failed(withdrawal=copy, operator=staff[i], reason="race")

    results = race([lambda i=i: end(i) for i in range(9)])

    # then: exactly one operator won, the others were told it changed under them
    assert len(successes(results)) == 1
    assert all(isinstance(error, InvalidTransition) for error in failures(results))
    winner = successes(results)[0]
    final = Withdrawal.objects.get(pk=withdrawal.pk)
    assert final.status == winner.status
    assert (
        Transaction.objects.filter(idempotency_key=f"withdrawal:{withdrawal.pk}:end").count() == 1
    )
    expected_available = D("300.00") if final.status == WithdrawalStatus.PAID else D("500.00")
    assert ledger.balances(shopper)[AVAILABLE] == expected_available
    assert ledger.balances(shopper)[HELD] == D("0.00")
    assert ledger.ledger_problems() == []


def test_approve_and_reject_racing_leave_one_rejection_and_one_release():
    # given: a requested withdrawal; five operators approve it while five reject it
    shopper = _funded("500.00")
    withdrawal = withdrawal_request(
        user=shopper, amount=D("200.00"), method="upi", idempotency_key="w"
    )
    staff = [operator() for _ in range(10)]

    def act(i):
        copy = Withdrawal.objects.get(pk=withdrawal.pk)
        if i % 2:
            return withdrawal_reject(withdrawal=copy, operator=staff[i], reason="race")
        return withdrawal_approve(withdrawal=copy, operator=staff[i])

    # when
    results = race([lambda i=i: act(i) for i in range(10)])

    # then: a rejection is possible before or after the approval, but only once; an
    # approval only before it, and only once
    won = [result.status for result in successes(results)]
    assert won.count(WithdrawalStatus.REJECTED) == 1
    assert won.count(WithdrawalStatus.APPROVED) <= 1
    assert all(isinstance(error, InvalidTransition) for error in failures(results))
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.REJECTED
    assert (
        Transaction.objects.filter(idempotency_key=f"withdrawal:{withdrawal.pk}:end").count() == 1
    )
    assert ledger.balances(shopper) == {AVAILABLE: D("500.00"), PENDING: D("0.00"), HELD: D("0.00")}
    assert ledger.ledger_problems() == []


def test_one_utr_typed_on_two_payouts_at_once_is_a_field_error_for_one_of_them():
    staff = operator()
    for _ in range(4):  # the window is narrow: a few rounds find it
        withdrawals = []
        for _ in range(2):
            shopper = _funded("100.00")
            withdrawal = withdrawal_request(
                user=shopper, amount=D("100.00"), method="upi", idempotency_key="w"
            )
            withdrawals.append(withdrawal_approve(withdrawal=withdrawal, operator=staff))
        utr = f"UTR{withdrawals[0].pk:08d}"

        results = race(
            [
                lambda w=w, utr=utr: withdrawal_mark_paid(withdrawal=w, operator=staff, utr=utr)
                for w in withdrawals
            ]
        )

        assert len(successes(results)) == 1
        assert "utr" in failures(results)[0].fields


# --- Cashback ---------------------------------------------------------------------------------


def test_the_same_postback_delivered_ten_times_at_once_credits_once():
    # given: the network confirms the sale in its very first postback, and retries it
    shopper = UserFactory()
    sale = sale_for(ClickFactory(user=shopper), status=SaleStatus.CONFIRMED)

    # when
    results = race([lambda: cashback_report(sale=sale) for _ in range(10)])

    # then
    assert failures(results) == []
    assert len({event.pk for event in results}) == 1
    event = CashbackEvent.objects.get()
    assert event.status == CashbackStatus.CONFIRMED
    assert ledger.balances(shopper) == {AVAILABLE: D("50.00"), PENDING: D("0.00"), HELD: D("0.00")}
    keys = sorted(Transaction.objects.values_list("idempotency_key", flat=True))
    assert keys == [f"cashback:{event.pk}:confirmed", f"cashback:{event.pk}:pending"]
    assert Notification.objects.filter(user=shopper, kind="cashback_pending").count() == 1
    assert Notification.objects.filter(user=shopper, kind="cashback_confirmed").count() == 1
    assert ledger.ledger_problems() == []


def test_ten_identical_postbacks_over_http_at_once_credit_once(settings):
    # given: Admitad's server retrying one postback ten times at the same moment
    settings.AFFILIATE_NETWORKS = {
        **settings.AFFILIATE_NETWORKS,
        "admitad": {**settings.AFFILIATE_NETWORKS["admitad"], "postback_secret": "s3cret"},
    }
    shopper = UserFactory()
    click = ClickFactory(user=shopper)  # 5% cashback
    params = {
        "secret": "s3cret",
        "action_id": "770001",
        "subid": str(click.id),
        "order_sum": "2000.00",
        "payment_sum": "160.00",
        "status": "pending",
        "time": str(int(click.created_at.timestamp()) + 300),
        "currency": "INR",
    }

    # when: each request through the real endpoint, as a separate client
    results = race([lambda: APIClient().get("/api/v1/affiliate/postback/admitad/", params)] * 10)

    # then
    assert [response.status_code for response in results] == [200] * 10
    assert len({response.json()["event"] for response in results}) == 1
    assert CashbackEvent.objects.count() == 1
    assert ledger.balances(shopper)[PENDING] == D("100.00")
    assert ledger.ledger_problems() == []


def _ingest_rounds(make_pages, *, rounds=4):
    """Race ten ingests of overlapping pages, a few rounds of fresh sales: the deadlock these
    found (fallback inserts and account locks interleaved) needed an unlucky interleaving,
    and four rounds found it nearly always."""
    for _ in range(rounds):
        shoppers = [UserFactory() for _ in range(5)]
        sales = [sale_for(ClickFactory(user=shoppers[i % 5])) for i in range(30)]
        before = CashbackEvent.objects.count()

        results = race(
            [lambda page=page: cashback_ingest(sales=page) for page in make_pages(sales)]
        )

        assert failures(results) == []
        assert CashbackEvent.objects.count() == before + 30
        for shopper in shoppers:
            assert ledger.balances(shopper)[PENDING] == D("300.00")  # 6 sales of 50
        assert Transaction.objects.filter(kind=TransactionKind.CASHBACK_PENDING).count() == (
            before + 30
        )
        assert ledger.ledger_problems() == []


def test_ten_concurrent_ingests_of_overlapping_pages_make_one_event_per_sale():
    # ten pages that overlap: a sync running while the previous one is on the same window
    _ingest_rounds(lambda sales: [sales[i * 2 : i * 2 + 12] for i in range(10)])


def test_concurrent_ingests_of_the_same_sales_in_another_order_make_one_event_per_sale():
    # the same sales listed newest first by one page and oldest first by another
    _ingest_rounds(lambda sales: [sales, list(reversed(sales))] * 5)


def test_concurrent_ingests_of_pages_that_do_not_overlap_are_independent():
    shoppers = [UserFactory() for _ in range(5)]
    sales = [sale_for(ClickFactory(user=shoppers[i % 5])) for i in range(50)]
    results = race([lambda i=i: cashback_ingest(sales=sales[i * 5 : i * 5 + 5]) for i in range(10)])
    assert [result.created for result in results] == [5] * 10
    assert CashbackEvent.objects.count() == 50
    assert ledger.ledger_problems() == []


def test_confirmations_and_declines_racing_leave_the_ledger_sound():
    # given: a pending sale that the network reports confirmed and declined at once (a
    # confirmation racing a return), through postbacks and operators alike
    shopper = UserFactory()
    sale = sale_for(ClickFactory(user=shopper))
    event = cashback_report(sale=sale)
    staff = operator()

    def act(i):
        if i % 4 == 0:
            return cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
        if i % 4 == 1:
            return cashback_report(sale=with_status(sale, SaleStatus.DECLINED))
        copy = CashbackEvent.objects.get(pk=event.pk)
        if i % 4 == 2:
            return cashback_confirm(event=copy, actor=staff)
        return cashback_decline(event=copy, actor=staff)

    # when
    results = race([lambda i=i: act(i) for i in range(12)])

    # then: declined at the end (a decline wins from either state), and the money followed
    assert all(isinstance(error, InvalidTransition) for error in failures(results))
    event.refresh_from_db()
    assert event.status == CashbackStatus.DECLINED
    balances = ledger.balances(shopper)
    assert balances[PENDING] == D("0.00")
    assert balances[AVAILABLE] == D("0.00")
    steps = set(
        Transaction.objects.filter(reference_id=str(event.public_id)).values_list("kind", flat=True)
    )
    if event.confirmed_at:
        assert steps == {"cashback_pending", "cashback_confirmed", "cashback_clawback"}
    else:
        assert steps == {"cashback_pending", "cashback_declined"}
    assert not CashbackDebt.objects.exists()
    assert ledger.ledger_problems() == []


def test_a_reversal_racing_a_withdrawal_of_the_same_money_leaves_a_debt_or_a_refusal(settings):
    # given: 500 available from one sale; the shopper withdraws it all as the network
    # reverses the sale
    shopper = UserFactory()
    verified_kyc(shopper)
    event = confirmed_cashback(shopper, "500.00")
    reversal = with_status(
        sale_for(event.click, transaction_id=event.network_txn_id), SaleStatus.DECLINED
    )

    # when
    results = race(
        [
            lambda: withdrawal_request(
                user=_fresh(shopper), amount=D("500.00"), method="upi", idempotency_key="all"
            ),
            lambda: cashback_report(sale=reversal),
        ]
    )

    # then: either the withdrawal came first (the clawback found nothing: all 500 owed), or
    # the reversal did (the withdrawal was refused); never both, never neither
    withdrew = not isinstance(results[0], Exception)
    assert not isinstance(results[1], Exception)
    balances = ledger.balances(shopper)
    debt = CashbackDebt.objects.filter(user=shopper).first()
    if withdrew:
        assert balances[HELD] == D("500.00")
        assert debt is not None and debt.amount == D("500.00")
    else:
        assert isinstance(results[0], InsufficientFunds)
        assert balances == {AVAILABLE: D("0.00"), PENDING: D("0.00"), HELD: D("0.00")}
        assert debt is None
    assert ledger.ledger_problems() == []


def test_a_postback_racing_an_ingest_page_with_the_same_sales_makes_one_event_each():
    shopper = UserFactory()
    sales = [sale_for(ClickFactory(user=shopper)) for _ in range(8)]
    for _ in range(3):
        results = race(
            [lambda: cashback_ingest(sales=list(reversed(sales)))]
            + [lambda sale=sale: cashback_report(sale=sale) for sale in sales]
        )
        assert failures(results) == []
    assert CashbackEvent.objects.count() == 8
    assert ledger.balances(shopper)[PENDING] == D("400.00")
    assert ledger.ledger_problems() == []


class _PageHeldOpen:
    """A sync page ingested in a transaction that stays open (its locks held) until the block
    ends, as a page is while a slow worker is still on it."""

    def __init__(self, sales):
        self.sales = sales
        self.ingested, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with transaction.atomic():
                cashback_ingest(sales=self.sales)
                self.ingested.set()
                self.release.wait(timeout=60)
        finally:
            self.ingested.set()
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.ingested.wait(timeout=60)
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self.thread.join(timeout=60)


def _in_thread(action):
    """Start `action` in a thread of its own; returns (finished event, results list)."""
    finished, results = threading.Event(), []

    def run():
        try:
            results.append(action())
        finally:
            connection.close()
            finished.set()

    threading.Thread(target=run, daemon=True).start()
    return finished, results


def test_a_sync_page_held_open_does_not_delay_a_postback_for_another_shopper():
    # given: a page with new sales and confirmations for three shoppers, its transaction open
    shoppers = [UserFactory() for _ in range(3)]
    known = [sale_for(ClickFactory(user=shopper)) for shopper in shoppers]
    for sale in known:
        cashback_report(sale=sale)
    page = [with_status(sale, SaleStatus.CONFIRMED) for sale in known]
    page += [sale_for(ClickFactory(user=shopper)) for shopper in shoppers]
    other = UserFactory()
    postback = sale_for(ClickFactory(user=other))

    # when: another shopper's sale is reported, and then confirmed, meanwhile
    with _PageHeldOpen(page):
        reported, _ = _in_thread(lambda: cashback_report(sale=postback))
        reported_in_time = reported.wait(timeout=5)
        confirmed, _ = _in_thread(
            lambda: cashback_report(sale=with_status(postback, SaleStatus.CONFIRMED))
        )
        confirmed_in_time = reported_in_time and confirmed.wait(timeout=5)

    # then: neither waited for the page (both post to cashback_payable, as the page does)
    assert reported_in_time, "the postback waited for the open sync page"
    assert confirmed_in_time, "the confirmation waited for the open sync page"
    assert ledger.balances(other)[AVAILABLE] == D("50.00")
    for shopper in shoppers:
        assert ledger.balances(shopper) == {
            AVAILABLE: D("50.00"),
            PENDING: D("50.00"),
            HELD: D("0.00"),
        }
    assert ledger.ledger_problems() == []


def test_a_postback_of_a_sale_an_open_page_is_inserting_waits_and_then_moves_that_event():
    # given: a page inserting a new sale, its transaction still open
    shopper = UserFactory()
    sale = sale_for(ClickFactory(user=shopper))

    # when: the network's postback confirming that sale arrives meanwhile
    with _PageHeldOpen([sale]):
        confirmed, results = _in_thread(
            lambda: cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
        )
        # its insert of the same sale waits for the page to commit or roll back
        assert not confirmed.wait(timeout=0.5)
    assert confirmed.wait(timeout=30)

    # then: one event, the page's, confirmed; one credit and one confirmation
    event = CashbackEvent.objects.get()
    assert results == [event] and results[0].status == CashbackStatus.CONFIRMED
    assert event.source == "pull" and event.status == CashbackStatus.CONFIRMED
    keys = sorted(Transaction.objects.values_list("idempotency_key", flat=True))
    assert keys == [f"cashback:{event.pk}:confirmed", f"cashback:{event.pk}:pending"]
    assert ledger.balances(shopper)[AVAILABLE] == D("50.00")
    assert ledger.ledger_problems() == []


def _open_claim(click):
    return cashback_claim_file(
        user=click.user,
        click_id=click.id,
        order_id="OD1",
        amount=D("1000.00"),
        order_date=timezone.localdate(click.created_at),
    )


def test_a_claim_approved_while_a_sale_at_the_same_store_is_reported_does_not_deadlock():
    # (it did while the claim's row lock also locked its click and store: a postback's event
    # needs those rows for its foreign keys at commit)
    staff = operator()
    cashback_report(sale=sale_for(recent_click(UserFactory())))  # the platform accounts exist
    for _ in range(4):
        # given: a claim on one click-out, and another shopper's sale at the same store
        claim = _open_claim(recent_click(UserFactory()))
        other = recent_click(UserFactory(), offer=claim.click.offer)

        # when
        results = race(
            [
                lambda claim=claim: cashback_claim_approve(claim=claim, operator=staff),
                lambda other=other: cashback_report(sale=sale_for(other)),
            ]
        )

        # then
        assert failures(results) == []
    assert ledger.ledger_problems() == []


def test_a_claim_approved_while_the_networks_report_arrives_pays_the_purchase_once():
    staff = operator()
    cashback_report(sale=sale_for(recent_click(UserFactory())))  # the platform accounts exist
    for _ in range(4):
        # given: a claim for a click the network had not tracked
        click = recent_click(UserFactory())
        claim = _open_claim(click)

        # when: the network's late report and the operator's approval arrive together
        results = race(
            [
                lambda claim=claim: cashback_claim_approve(claim=claim, operator=staff),
                lambda click=click: cashback_report(sale=sale_for(click)),
            ]
        )

        # then: the report always lands; the approval either came first or was refused, and
        # the purchase pays once
        assert not isinstance(results[1], Exception)
        assert CashbackEvent.objects.filter(click=click).count() == 1
        assert ledger.balances(click.user)[PENDING] == D("50.00")
    assert ledger.ledger_problems() == []


def test_a_referred_shoppers_sales_confirmed_at_once_pay_the_bonuses_once():
    # given: a referred shopper with five pending sales, all confirmed at the same moment
    referrer = UserFactory()
    friend = UserFactory(referred_by=referrer)
    sales = [sale_for(ClickFactory(user=friend)) for _ in range(5)]
    for sale in sales:
        cashback_report(sale=sale)

    # when
    results = race(
        [
            lambda sale=sale: cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
            for sale in sales
        ]
    )

    # then
    assert failures(results) == []
    assert ReferralReward.objects.count() == 1
    assert ledger.balances(referrer)[AVAILABLE] == D("100.00")
    assert ledger.balances(friend)[AVAILABLE] == D("300.00")  # 5 x 50 cashback + 50 welcome
    assert ledger.ledger_problems() == []
