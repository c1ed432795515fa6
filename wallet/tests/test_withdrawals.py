"""Withdrawals: the request's checks (minimum, balance, KYC, destination, daily limit,
idempotency), the operator's steps and their ledger effects, and who may take them."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from coupzii.core.errors import DomainError
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.errors import (
    BelowMinimum,
    DailyLimitReached,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidTransition,
    KycRequired,
    NotAnOperator,
    PayoutDestinationMissing,
    PayoutDetailsChanged,
    SelfApproval,
)
from wallet.models import (
    AccountKind,
    PayoutMethod,
    Transaction,
    TransactionKind,
    Withdrawal,
    WithdrawalAudit,
    WithdrawalStatus,
)
from wallet.services.cashback import cashback_report
from wallet.services.kyc import kyc_reject, kyc_submit
from wallet.services.withdrawals import (
    minimum_withdrawal,
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_reject,
    withdrawal_request,
)
from wallet.tests.factories import confirmed_cashback, operator, sale_for, verified_kyc

pytestmark = pytest.mark.django_db
AVAILABLE, PENDING, HELD = AccountKind.AVAILABLE, AccountKind.PENDING, AccountKind.HELD
UPI, BANK = PayoutMethod.UPI, PayoutMethod.BANK


def _funded(amount="500.00", **kyc):
    """A shopper with verified KYC (a UPI id unless told otherwise) and `amount` available."""
    user = UserFactory()
    verified_kyc(user, **kyc)
    confirmed_cashback(user, amount)
    return user


def _request(user, amount="100.00", *, method=UPI, key=None):
    key = key or f"key-{Withdrawal.objects.count()}"
    return withdrawal_request(user=user, amount=D(amount), method=method, idempotency_key=key)


def _wallet(user):
    balances = ledger.balances(user)
    return balances[AVAILABLE], balances[HELD]


@pytest.fixture
def shopper():
    return _funded()


@pytest.fixture
def staff():
    return operator()


# --- Requesting -------------------------------------------------------------------------------


def test_a_request_moves_the_amount_from_available_to_held(shopper):
    # given
    notices_before = Notification.objects.filter(user=shopper).count()
    # when
    withdrawal = _request(shopper, "150.00")
    # then
    assert withdrawal.status == WithdrawalStatus.REQUESTED
    assert withdrawal.amount == D("150.00")
    assert withdrawal.destination == f"shopper{shopper.pk}@okaxis"
    assert _wallet(shopper) == (D("350.00"), D("150.00"))
    hold = Transaction.objects.get(kind=TransactionKind.WITHDRAWAL_HOLD)
    assert hold.reference_id == str(withdrawal.public_id)
    assert sorted(p.amount for p in hold.postings.all()) == [D("-150.00"), D("150.00")]
    audit = WithdrawalAudit.objects.get(withdrawal=withdrawal)
    assert (audit.action, audit.actor) == (WithdrawalStatus.REQUESTED, shopper)
    notices = Notification.objects.filter(user=shopper, kind="withdrawal_update")
    assert Notification.objects.filter(user=shopper).count() == notices_before + 1
    assert "requested" in notices.order_by("-id").first().title
    assert ledger.ledger_problems() == []


def test_a_bank_request_shows_the_ifsc_and_the_masked_account():
    user = _funded(bank_account="123456789012")
    withdrawal = _request(user, method=BANK)
    assert withdrawal.destination == "HDFC0001234 · XXXXXX9012"
    assert "123456789012" not in withdrawal.destination


def test_the_default_minimum_is_100_rupees(shopper):
    assert minimum_withdrawal() == D("100.00")
    with pytest.raises(BelowMinimum) as refused:
        _request(shopper, "99.99")
    assert "amount" in refused.value.fields
    assert _request(shopper, "100.00").amount == D("100.00")


def test_the_minimum_follows_the_setting(shopper, settings):
    settings.WALLET_MIN_WITHDRAWAL = "250.00"
    with pytest.raises(BelowMinimum) as refused:
        _request(shopper, "249.99")
    assert "₹250" in refused.value.fields["amount"][0]
    assert _request(shopper, "250.00").status == WithdrawalStatus.REQUESTED


@pytest.mark.parametrize("amount", ["0", "-100.00"])
def test_zero_and_negative_amounts_are_below_the_minimum(shopper, amount):
    with pytest.raises(BelowMinimum):
        _request(shopper, amount)
    assert not Withdrawal.objects.exists()


def test_more_than_available_is_refused_and_nothing_moves(shopper):
    with pytest.raises(InsufficientFunds):
        _request(shopper, "500.01")
    assert _wallet(shopper) == (D("500.00"), D("0.00"))
    assert not Withdrawal.objects.exists()
    # all of it is fine
    _request(shopper, "500.00")
    assert _wallet(shopper) == (D("0.00"), D("500.00"))


def test_pending_cashback_cannot_be_withdrawn():
    # given: 500 confirmed and a second sale still pending
    user = _funded()
    cashback_report(sale=sale_for(ClickFactory(user=user), sale_amount="4000.00", commission="400"))
    assert ledger.balances(user)[PENDING] == D("200.00")
    # when / then
    with pytest.raises(InsufficientFunds):
        _request(user, "600.00")


def test_amounts_with_three_decimals_are_refused(shopper):
    with pytest.raises(DomainError) as refused:
        _request(shopper, "100.005")
    assert refused.value.fields == {"amount": ["Use at most 2 decimal places."]}
    with pytest.raises(DomainError):
        withdrawal_request(user=shopper, amount="abc", method=UPI, idempotency_key="x")
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize("amount", ["Infinity", "-Infinity", "NaN"])
def test_an_amount_that_is_not_a_number_is_a_field_error_not_a_crash(shopper, amount):
    with pytest.raises(DomainError) as refused:
        withdrawal_request(user=shopper, amount=amount, method=UPI, idempotency_key="inf")
    assert "amount" in refused.value.fields


def test_no_kyc_means_no_withdrawal():
    user = UserFactory()
    confirmed_cashback(user, "500.00")
    with pytest.raises(KycRequired):
        _request(user)
    assert _wallet(user) == (D("500.00"), D("0.00"))


def test_kyc_submitted_but_not_yet_verified_is_not_enough():
    user = UserFactory()
    confirmed_cashback(user, "500.00")
    kyc_submit(user=user, legal_name="Asha Verma", pan="ABCDE1234F", upi_id="asha@okaxis")
    with pytest.raises(KycRequired):
        _request(user)


def test_rejected_kyc_is_not_enough():
    user = UserFactory()
    confirmed_cashback(user, "500.00")
    profile = kyc_submit(user=user, legal_name="Asha Verma", pan="ABCDE1234F", upi_id="asha@okaxis")
    kyc_reject(profile=profile, operator=operator(), reason="PAN photo unreadable")
    with pytest.raises(KycRequired):
        _request(user)


def test_changed_kyc_details_block_withdrawals_until_verified_again(shopper):
    kyc_submit(user=shopper, legal_name="Asha Verma", pan="ABCDE1234F", upi_id="new@okicici")
    with pytest.raises(KycRequired):
        _request(shopper)


def test_a_method_without_a_destination_is_refused(shopper):
    # the shopper verified a UPI id only
    with pytest.raises(PayoutDestinationMissing) as refused:
        _request(shopper, method=BANK)
    assert "method" in refused.value.fields
    bank_only = _funded(bank_account="123456789012")
    with pytest.raises(PayoutDestinationMissing):
        _request(bank_only, method=UPI)
    assert not Withdrawal.objects.exists()


def test_an_unknown_method_is_a_field_error(shopper):
    with pytest.raises(DomainError) as refused:
        _request(shopper, method="cash")
    assert "method" in refused.value.fields


def test_the_daily_limit_counts_requests_including_ended_ones(shopper, staff):
    # default: 3 a day
    first = _request(shopper, key="a")
    _request(shopper, key="b")
    withdrawal_reject(withdrawal=first, operator=staff, reason="duplicate")
    _request(shopper, key="c")
    with pytest.raises(DailyLimitReached):
        _request(shopper, key="d")
    assert Withdrawal.objects.filter(user=shopper).count() == 3


def test_the_daily_limit_follows_the_setting_and_resets_the_next_day(shopper, settings):
    settings.WALLET_WITHDRAWALS_PER_DAY = 1
    earlier = _request(shopper, key="a")
    with pytest.raises(DailyLimitReached):
        _request(shopper, key="b")
    # the first request was made yesterday (India time)
    Withdrawal.objects.filter(pk=earlier.pk).update(
        created_at=earlier.created_at - timedelta(days=1)
    )
    assert _request(shopper, key="b").status == WithdrawalStatus.REQUESTED


def test_the_daily_limit_is_per_shopper(settings):
    settings.WALLET_WITHDRAWALS_PER_DAY = 1
    first, second = _funded(), _funded()
    _request(first, key="k")
    assert _request(second, key="k").user == second


def test_a_retry_with_the_same_key_returns_the_same_withdrawal(shopper):
    first = _request(shopper, "120.00", key="retry-me")
    again = _request(shopper, "120.00", key="retry-me")
    assert again.pk == first.pk
    assert Withdrawal.objects.count() == 1
    assert _wallet(shopper) == (D("380.00"), D("120.00"))
    assert WithdrawalAudit.objects.count() == 1


def test_a_retry_still_returns_the_withdrawal_after_the_daily_limit_is_reached(shopper, settings):
    settings.WALLET_WITHDRAWALS_PER_DAY = 1
    first = _request(shopper, key="only")
    assert _request(shopper, key="only").pk == first.pk


def test_the_same_key_with_another_amount_or_method_is_refused(shopper):
    _request(shopper, "120.00", key="k1")
    with pytest.raises(IdempotencyKeyReused):
        _request(shopper, "130.00", key="k1")
    with pytest.raises(IdempotencyKeyReused):
        _request(shopper, "120.00", key="k1", method=BANK)
    assert _wallet(shopper) == (D("380.00"), D("120.00"))


def test_the_request_is_a_durable_transaction_of_its_own(shopper):
    # A money action nested in someone else's transaction could be rolled back after the
    # shopper was told it happened; the service refuses to be nested.
    with pytest.raises(RuntimeError), transaction.atomic():
        _request(shopper)


# --- Operator steps ---------------------------------------------------------------------------


def test_approve_then_paid_settles_the_hold_to_payouts(shopper, staff):
    # given
    withdrawal = _request(shopper, "200.00")
    # when
    approved = withdrawal_approve(withdrawal=withdrawal, operator=staff)
    # then: approval moves no money
    assert approved.status == WithdrawalStatus.APPROVED
    assert (approved.approved_by, approved.approved_at is not None) == (staff, True)
    assert _wallet(shopper) == (D("300.00"), D("200.00"))
    # when
    paid = withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr=" utr12345678 ")
    # then
    assert paid.status == WithdrawalStatus.PAID
    assert paid.utr == "UTR12345678"
    assert paid.completed_at is not None
    assert _wallet(shopper) == (D("300.00"), D("0.00"))
    assert ledger.platform_balance(AccountKind.PAYOUTS) == D("200.00")
    assert Transaction.objects.filter(kind=TransactionKind.WITHDRAWAL_PAID).count() == 1
    trail = list(
        WithdrawalAudit.objects.filter(withdrawal=withdrawal).values_list("action", "note")
    )
    assert trail == [("requested", ""), ("approved", ""), ("paid", "UTR12345678")]
    titles = Notification.objects.filter(user=shopper, kind="withdrawal_update").values_list(
        "title", flat=True
    )
    assert any("paid to" in title for title in titles)
    assert any("approved" in title for title in titles)
    assert ledger.ledger_problems() == []


def test_a_rejection_returns_the_amount_to_available(shopper, staff):
    withdrawal = _request(shopper, "200.00")
    rejected = withdrawal_reject(withdrawal=withdrawal, operator=staff, reason="  name mismatch ")
    assert rejected.status == WithdrawalStatus.REJECTED
    assert rejected.reason == "name mismatch"
    assert _wallet(shopper) == (D("500.00"), D("0.00"))
    release = Transaction.objects.get(kind=TransactionKind.WITHDRAWAL_RELEASED)
    assert release.actor == staff
    assert WithdrawalAudit.objects.filter(withdrawal=withdrawal).last().note == "name mismatch"
    last = Notification.objects.filter(user=shopper).order_by("-id").first()
    assert "rejected" in last.title and "name mismatch" in last.body
    assert ledger.ledger_problems() == []


def test_an_approved_withdrawal_can_still_be_rejected(shopper, staff):
    withdrawal = _request(shopper, "200.00")
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    withdrawal_reject(withdrawal=withdrawal, operator=staff, reason="bank details bounced")
    assert _wallet(shopper) == (D("500.00"), D("0.00"))


def test_a_failed_payout_returns_the_amount_to_available(shopper, staff):
    withdrawal = _request(shopper, "200.00")
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    failed = withdrawal_mark_failed(withdrawal=withdrawal, operator=staff, reason="UPI id closed")
    assert failed.status == WithdrawalStatus.FAILED
    assert _wallet(shopper) == (D("500.00"), D("0.00"))
    assert ledger.platform_balance(AccountKind.PAYOUTS) == D("0.00")
    assert ledger.ledger_problems() == []


@pytest.mark.parametrize(
    ("ending", "then_try"),
    [
        ("paid", "reject"),
        ("paid", "failed"),
        ("paid", "paid"),
        ("reject", "reject"),
        ("reject", "approve"),
        ("reject", "paid"),
        ("failed", "failed"),
        ("failed", "reject"),
        ("failed", "paid"),
    ],
)
def test_every_hold_ends_exactly_once(shopper, staff, ending, then_try):
    steps = {
        "approve": lambda w: withdrawal_approve(withdrawal=w, operator=staff),
        "paid": lambda w: withdrawal_mark_paid(withdrawal=w, operator=staff, utr="UTR000111"),
        "reject": lambda w: withdrawal_reject(withdrawal=w, operator=staff, reason="no"),
        "failed": lambda w: withdrawal_mark_failed(withdrawal=w, operator=staff, reason="bounced"),
    }
    # given: a withdrawal that has ended one way
    withdrawal = _request(shopper, "200.00")
    if ending in ("paid", "failed"):
        steps["approve"](withdrawal)
    steps[ending](withdrawal)
    after_ending = (_wallet(shopper), Transaction.objects.count())
    # when / then: any other ending is refused and moves nothing
    with pytest.raises(InvalidTransition):
        steps[then_try](withdrawal)
    assert (_wallet(shopper), Transaction.objects.count()) == after_ending
    assert (
        Transaction.objects.filter(idempotency_key=f"withdrawal:{withdrawal.pk}:end").count() == 1
    )
    assert ledger.ledger_problems() == []


def test_paid_and_failed_need_an_approval_first(shopper, staff):
    withdrawal = _request(shopper)
    with pytest.raises(InvalidTransition):
        withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr="UTR000111")
    with pytest.raises(InvalidTransition):
        withdrawal_mark_failed(withdrawal=withdrawal, operator=staff, reason="bounced")
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    with pytest.raises(InvalidTransition):
        withdrawal_approve(withdrawal=withdrawal, operator=staff)
    assert _wallet(shopper) == (D("400.00"), D("100.00"))


def test_a_stale_copy_of_the_withdrawal_cannot_end_it_twice(shopper, staff):
    # the admin page was opened before another operator rejected it
    withdrawal = _request(shopper)
    stale = Withdrawal.objects.get(pk=withdrawal.pk)
    withdrawal_reject(withdrawal=withdrawal, operator=staff, reason="duplicate")
    with pytest.raises(InvalidTransition):
        withdrawal_approve(withdrawal=stale, operator=operator())
    assert _wallet(shopper) == (D("500.00"), D("0.00"))


# --- Who may act ------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["approve", "paid", "reject", "failed"])
def test_staff_cannot_act_on_their_own_withdrawal(step, staff):
    # given: an operator who is also a shopper, with a withdrawal of their own
    verified_kyc(staff)
    confirmed_cashback(staff, "500.00")
    own = _request(staff, "200.00")
    if step in ("paid", "failed"):
        withdrawal_approve(withdrawal=own, operator=operator())
    status_before = Withdrawal.objects.get(pk=own.pk).status
    act = {
        "approve": lambda: withdrawal_approve(withdrawal=own, operator=staff),
        "paid": lambda: withdrawal_mark_paid(withdrawal=own, operator=staff, utr="UTR000111"),
        "reject": lambda: withdrawal_reject(withdrawal=own, operator=staff, reason="mine"),
        "failed": lambda: withdrawal_mark_failed(withdrawal=own, operator=staff, reason="mine"),
    }[step]
    # when / then
    with pytest.raises(SelfApproval):
        act()
    assert Withdrawal.objects.get(pk=own.pk).status == status_before
    assert _wallet(staff) == (D("300.00"), D("200.00"))


@pytest.mark.parametrize("step", ["approve", "paid", "reject", "failed"])
def test_non_staff_cannot_act_on_a_withdrawal(shopper, staff, step):
    withdrawal = _request(shopper)
    if step in ("paid", "failed"):
        withdrawal_approve(withdrawal=withdrawal, operator=staff)
    somebody = UserFactory()
    act = {
        "approve": lambda: withdrawal_approve(withdrawal=withdrawal, operator=somebody),
        "paid": lambda: withdrawal_mark_paid(
            withdrawal=withdrawal, operator=somebody, utr="UTR000111"
        ),
        "reject": lambda: withdrawal_reject(withdrawal=withdrawal, operator=somebody, reason="x"),
        "failed": lambda: withdrawal_mark_failed(
            withdrawal=withdrawal, operator=somebody, reason="x"
        ),
    }[step]
    with pytest.raises(NotAnOperator):
        act()
    # not even the shopper themselves
    with pytest.raises(NotAnOperator):
        withdrawal_reject(withdrawal=withdrawal, operator=shopper, reason="changed my mind")
    assert _wallet(shopper) == (D("400.00"), D("100.00"))


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_and_failure_need_a_reason(shopper, staff, reason):
    withdrawal = _request(shopper)
    with pytest.raises(DomainError) as refused:
        withdrawal_reject(withdrawal=withdrawal, operator=staff, reason=reason)
    assert "reason" in refused.value.fields
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    with pytest.raises(DomainError) as refused:
        withdrawal_mark_failed(withdrawal=withdrawal, operator=staff, reason=reason)
    assert "reason" in refused.value.fields
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.APPROVED
    assert _wallet(shopper) == (D("400.00"), D("100.00"))


def test_an_overlong_reason_is_a_field_error(shopper, staff):
    withdrawal = _request(shopper)
    with pytest.raises(DomainError) as refused:
        withdrawal_reject(withdrawal=withdrawal, operator=staff, reason="x" * 256)
    assert "reason" in refused.value.fields
    assert withdrawal_reject(withdrawal=withdrawal, operator=staff, reason="x" * 255).reason


# --- UTR --------------------------------------------------------------------------------------


@pytest.mark.parametrize("utr", ["", "ABC12", "UTR-123456", "UTR 123456", "U" * 41])
def test_a_malformed_utr_is_refused(shopper, staff, utr):
    withdrawal = _request(shopper)
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    with pytest.raises(DomainError) as refused:
        withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr=utr)
    assert "utr" in refused.value.fields
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == WithdrawalStatus.APPROVED
    assert _wallet(shopper) == (D("400.00"), D("100.00"))


def test_a_utr_with_non_ascii_digits_is_refused(shopper, staff):
    withdrawal = _request(shopper)
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    # Devanagari digits are "alphanumeric" to Python, but no bank writes a UTR with them
    with pytest.raises(DomainError) as refused:
        withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr="१२३४५६७८")
    assert "utr" in refused.value.fields


def test_a_utr_can_be_recorded_on_one_payout_only(staff):
    first_user, second_user = _funded(), _funded()
    first, second = _request(first_user), _request(second_user)
    for withdrawal in (first, second):
        withdrawal_approve(withdrawal=withdrawal, operator=staff)
    withdrawal_mark_paid(withdrawal=first, operator=staff, utr="HDFCN52024061512345")
    # the same UTR, typed in lower case with spaces, is still the same UTR
    with pytest.raises(DomainError) as refused:
        withdrawal_mark_paid(withdrawal=second, operator=staff, utr=" hdfcn52024061512345")
    assert "utr" in refused.value.fields
    assert Withdrawal.objects.get(pk=second.pk).status == WithdrawalStatus.APPROVED
    assert _wallet(second_user) == (D("400.00"), D("100.00"))


# --- Found in review (fixed) -------------------------------------------------------


def test_an_open_withdrawal_is_not_approved_while_changed_kyc_is_under_review(shopper, staff):
    # given: the shopper asked to be paid to their verified UPI id, then changed it
    withdrawal = _request(shopper)
    kyc_submit(user=shopper, legal_name="Asha Verma", pan="ABCDE1234F", upi_id="thief@ybl")
    # when / then: the operator may not approve it, only reject it
    with pytest.raises(PayoutDetailsChanged):
        withdrawal_approve(withdrawal=withdrawal, operator=staff)
    withdrawal_reject(withdrawal=withdrawal, operator=staff, reason="payout details changed")
    assert _wallet(shopper) == (D("500.00"), D("0.00"))


def test_a_payout_already_sent_is_recorded_even_if_the_details_changed_after_approval(
    shopper, staff
):
    # given: approved, and the operator sent the money to the UPI id on the withdrawal
    withdrawal = withdrawal_approve(withdrawal=_request(shopper), operator=staff)
    # when: meanwhile the shopper changed their UPI id
    kyc_submit(user=shopper, legal_name="Asha Verma", pan="ABCDE1234F", upi_id="new@ybl")
    # then: the transfer that happened is recorded
    paid = withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr="UTR000111")
    assert paid.status == WithdrawalStatus.PAID
    assert _wallet(shopper) == (D("400.00"), D("0.00"))
