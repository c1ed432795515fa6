"""The wallet's back office: operators move withdrawals, KYC, cashback and claims on through
the services (never around them), the ledger is read-only, and the queues stay cheap to list.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.models import (
    Account,
    AccountKind,
    CashbackClaim,
    CashbackEvent,
    CashbackSource,
    CashbackStatus,
    ClaimStatus,
    KycStatus,
    PayoutMethod,
    Posting,
    Transaction,
    Withdrawal,
    WithdrawalAudit,
    WithdrawalStatus,
)
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.services.claims import cashback_claim_file
from wallet.services.kyc import kyc_submit
from wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from wallet.tests.factories import (
    confirmed_cashback,
    recent_click,
    sale_for,
    verified_kyc,
    with_status,
)

pytestmark = pytest.mark.django_db

WITHDRAWALS = "/admin/wallet/withdrawal/"
EVENTS = "/admin/wallet/cashbackevent/"
KYC = "/admin/wallet/kycprofile/"
CLAIMS = "/admin/wallet/cashbackclaim/"
D = Decimal


@pytest.fixture
def operator():
    return User.objects.create_superuser("ops@coupzii.in", PASSWORD)


@pytest.fixture
def operator_client(client, operator):
    sign_in_verified(client, operator)
    return client


def requested_withdrawal(user: User | None = None, *, amount: str = "300.00") -> Withdrawal:
    """`user` (a new shopper by default) with ₹500 available asks for `amount` by UPI."""
    user = user or UserFactory()
    verified_kyc(user)
    confirmed_cashback(user, "500.00")
    return withdrawal_request(
        user=user, amount=D(amount), method=PayoutMethod.UPI, idempotency_key=str(uuid.uuid4())
    )


def pending_event(user: User) -> CashbackEvent:
    """A ₹1,000 sale reported (not yet confirmed) on a 5% click: ₹50 pending."""
    return cashback_report(sale=sale_for(recent_click(user)))


def payouts_balance() -> Decimal:
    return ledger.platform_balance(AccountKind.PAYOUTS)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def bulk(client, url: str, action: str, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data, follow=True)


# --- Withdrawals ------------------------------------------------------------------------------


def test_an_operator_approves_then_marks_paid_and_the_hold_goes_to_payouts(operator_client):
    # given
    withdrawal = requested_withdrawal()
    shopper = withdrawal.user
    assert ledger.balances(shopper)[AccountKind.HELD] == D("300.00")

    # when: approve from the withdrawal's page, then record the UTR on the mark-paid page
    approved = operator_client.post(f"{WITHDRAWALS}{withdrawal.pk}/approve/")
    page = operator_client.get(f"{WITHDRAWALS}{withdrawal.pk}/mark-paid/")
    paid = operator_client.post(
        f"{WITHDRAWALS}{withdrawal.pk}/mark-paid/", {"utr": "hdfcr52024061512345"}
    )

    # then
    change_url = f"{WITHDRAWALS}{withdrawal.pk}/change/"
    assert approved.status_code == 302 and approved["Location"] == change_url
    assert page.status_code == 200 and 'name="utr"' in page.content.decode()
    assert paid.status_code == 302 and paid["Location"] == change_url
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.PAID
    assert withdrawal.utr == "HDFCR52024061512345"
    assert ledger.balances(shopper) == {
        AccountKind.AVAILABLE: D("200.00"),
        AccountKind.PENDING: D("0.00"),
        AccountKind.HELD: D("0.00"),
    }
    assert payouts_balance() == D("300.00")
    assert ledger.ledger_problems() == []
    trail = list(withdrawal.audit.values_list("action", "actor__email"))
    assert trail == [
        (WithdrawalStatus.REQUESTED, shopper.email),
        (WithdrawalStatus.APPROVED, "ops@coupzii.in"),
        (WithdrawalStatus.PAID, "ops@coupzii.in"),
    ]


def test_the_full_bank_account_shows_only_while_the_payout_is_being_made(operator_client):
    # given: a bank withdrawal (the shopper's account number is stored encrypted)
    shopper = UserFactory()
    confirmed_cashback(shopper, "500.00")
    verified_kyc(shopper, bank_account="123456789012")
    withdrawal = withdrawal_request(
        user=shopper, amount=D("200.00"), method="bank", idempotency_key="bank-1"
    )
    page = f"{WITHDRAWALS}{withdrawal.pk}/change/"

    # then: the full number appears once approved, and neither before nor after payment
    assert "123456789012" not in operator_client.get(page).content.decode()
    operator_client.post(f"{WITHDRAWALS}{withdrawal.pk}/approve/")
    assert "123456789012 · IFSC HDFC0001234" in operator_client.get(page).content.decode()
    operator_client.post(f"{WITHDRAWALS}{withdrawal.pk}/mark-paid/", {"utr": "HDFCR0000001"})
    assert "123456789012" not in operator_client.get(page).content.decode()


def test_the_withdrawal_page_shows_the_audit_trail_and_the_ledger_after_payment(operator_client):
    withdrawal = requested_withdrawal()
    operator_client.post(f"{WITHDRAWALS}{withdrawal.pk}/approve/")
    operator_client.post(f"{WITHDRAWALS}{withdrawal.pk}/mark-paid/", {"utr": "UTR0000001"})

    html = operator_client.get(f"{WITHDRAWALS}{withdrawal.pk}/change/").content.decode()

    assert "Audit trail" in html
    assert "UTR0000001" in html
    assert "Withdrawal requested" in html and "Withdrawal paid" in html  # ledger transactions
    assert "Next steps" not in html  # nothing left to do


def test_the_approve_page_asks_before_approving(operator_client):
    withdrawal = requested_withdrawal(UserFactory(email="asha@example.in"))

    page = operator_client.get(f"{WITHDRAWALS}{withdrawal.pk}/approve/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "asha@example.in" in html and "₹300.00" in html and 'value="Approve"' in html
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.REQUESTED


def test_bulk_approve_approves_every_selected_request(operator_client):
    first, second = requested_withdrawal(), requested_withdrawal()

    response = bulk(operator_client, WITHDRAWALS, "approve_selected", [first, second])

    assert "2 withdrawals approved." in messages_of(response)
    assert set(Withdrawal.objects.values_list("status", flat=True)) == {WithdrawalStatus.APPROVED}


def test_rejecting_a_withdrawal_returns_the_hold_to_available(operator_client):
    withdrawal = requested_withdrawal()

    response = operator_client.post(
        f"{WITHDRAWALS}{withdrawal.pk}/reject/", {"reason": "The UPI id belongs to someone else."}
    )

    assert response.status_code == 302
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.REJECTED
    assert withdrawal.reason == "The UPI id belongs to someone else."
    assert ledger.balances(withdrawal.user)[AccountKind.AVAILABLE] == D("500.00")
    assert ledger.balances(withdrawal.user)[AccountKind.HELD] == D("0.00")
    assert payouts_balance() == D("0.00")
    assert ledger.ledger_problems() == []


def test_a_rejection_without_a_reason_asks_for_one_and_changes_nothing(operator_client):
    withdrawal = requested_withdrawal()

    response = operator_client.post(f"{WITHDRAWALS}{withdrawal.pk}/reject/", {"reason": " "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.REQUESTED


def test_a_failed_payout_returns_the_hold_to_available(operator_client, operator):
    withdrawal = requested_withdrawal()
    withdrawal_approve(withdrawal=withdrawal, operator=operator)

    operator_client.post(
        f"{WITHDRAWALS}{withdrawal.pk}/payout-failed/", {"reason": "The bank returned it."}
    )

    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.FAILED
    assert ledger.balances(withdrawal.user)[AccountKind.AVAILABLE] == D("500.00")
    assert ledger.ledger_problems() == []


def test_a_utr_already_recorded_is_shown_on_the_form_and_nothing_changes(operator_client, operator):
    # given: one payout recorded with a UTR, another approved
    earlier, withdrawal = requested_withdrawal(), requested_withdrawal()
    for each in (earlier, withdrawal):
        withdrawal_approve(withdrawal=each, operator=operator)
    operator_client.post(f"{WITHDRAWALS}{earlier.pk}/mark-paid/", {"utr": "UTR7777777"})

    # when
    response = operator_client.post(
        f"{WITHDRAWALS}{withdrawal.pk}/mark-paid/", {"utr": "utr7777777"}
    )

    # then
    assert response.status_code == 200
    assert "This UTR is already recorded on another payout." in response.content.decode()
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.APPROVED
    assert ledger.balances(withdrawal.user)[AccountKind.HELD] == D("300.00")


def test_an_operator_cannot_approve_their_own_withdrawal(operator_client, operator):
    # given: the operator is also a shopper with a pending request, beside someone else's
    own = requested_withdrawal(operator)
    other = requested_withdrawal()

    # when: bulk approve both, then try the approve page directly
    listed = bulk(operator_client, WITHDRAWALS, "approve_selected", [own, other])
    direct = operator_client.post(f"{WITHDRAWALS}{own.pk}/approve/", follow=True)

    # then: the other is approved, theirs is refused with the reason, and nothing moved
    notes = messages_of(listed)
    assert "1 withdrawal approved." in notes
    assert any(
        "Refused:" in note
        and f"#{own.pk}" in note
        and "Operators cannot act on their own withdrawals." in note
        for note in notes
    )
    assert direct.status_code == 200
    assert "Operators cannot act on their own withdrawals." in messages_of(direct)
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == WithdrawalStatus.REQUESTED
    assert other.status == WithdrawalStatus.APPROVED
    assert ledger.balances(operator)[AccountKind.HELD] == D("300.00")
    assert list(own.audit.values_list("action", flat=True)) == [WithdrawalStatus.REQUESTED]


def test_the_own_withdrawal_page_offers_no_action_and_says_why(operator_client, operator):
    own = requested_withdrawal(operator)

    html = operator_client.get(f"{WITHDRAWALS}{own.pk}/change/").content.decode()

    assert "another operator must approve, pay or reject it" in html
    assert f"{WITHDRAWALS}{own.pk}/approve/" not in html


@pytest.mark.parametrize(
    ("status", "offered", "not_offered"),
    [
        (WithdrawalStatus.REQUESTED, ["approve", "reject"], ["mark-paid", "payout-failed"]),
        (WithdrawalStatus.APPROVED, ["mark-paid", "reject", "payout-failed"], ["approve"]),
    ],
)
def test_the_withdrawal_page_offers_the_steps_its_status_allows(
    operator_client, operator, status, offered, not_offered
):
    withdrawal = requested_withdrawal()
    if status == WithdrawalStatus.APPROVED:
        withdrawal_approve(withdrawal=withdrawal, operator=operator)

    html = operator_client.get(f"{WITHDRAWALS}{withdrawal.pk}/change/").content.decode()

    for slug in offered:
        assert f"{WITHDRAWALS}{withdrawal.pk}/{slug}/" in html
    for slug in not_offered:
        assert f"{WITHDRAWALS}{withdrawal.pk}/{slug}/" not in html


def test_a_step_the_status_no_longer_allows_is_refused_with_a_message(operator_client):
    withdrawal = requested_withdrawal()

    page = operator_client.get(f"{WITHDRAWALS}{withdrawal.pk}/mark-paid/", follow=True)
    post = operator_client.post(
        f"{WITHDRAWALS}{withdrawal.pk}/mark-paid/", {"utr": "UTR1234567"}, follow=True
    )

    assert "This can no longer be done: its status has changed." in messages_of(page)
    assert "This can no longer be done: its status has changed." in messages_of(post)
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.REQUESTED


def test_the_withdrawal_change_form_itself_cannot_be_saved(operator_client):
    withdrawal = requested_withdrawal()

    response = operator_client.post(
        f"{WITHDRAWALS}{withdrawal.pk}/change/", {"status": WithdrawalStatus.PAID}
    )

    assert response.status_code == 403
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.REQUESTED


def test_staff_who_may_only_view_withdrawals_cannot_act_on_them(client):
    # given: a staff member with 2FA and the view permission only
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_withdrawal"))
    sign_in_verified(client, viewer)
    withdrawal = requested_withdrawal()

    # when
    listing = client.get(WITHDRAWALS)
    approve = client.post(f"{WITHDRAWALS}{withdrawal.pk}/approve/")

    # then
    assert listing.status_code == 200
    assert "approve_selected" not in listing.content.decode()
    assert approve.status_code == 403
    withdrawal.refresh_from_db()
    assert withdrawal.status == WithdrawalStatus.REQUESTED


def test_the_queue_lists_open_requests_first_oldest_first(operator_client, operator):
    # given: an old paid withdrawal, and two requests made at different times
    paid = requested_withdrawal()
    withdrawal_approve(withdrawal=paid, operator=operator)
    operator_client.post(f"{WITHDRAWALS}{paid.pk}/mark-paid/", {"utr": "UTR5555555"})
    newer, older = requested_withdrawal(), requested_withdrawal()
    now = timezone.now()
    # Test setup only: place the rows in time (the service stamps them "now").
    Withdrawal.objects.filter(pk=paid.pk).update(created_at=now - timedelta(days=9))
    Withdrawal.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=2))
    Withdrawal.objects.filter(pk=newer.pk).update(created_at=now - timedelta(days=1))

    response = operator_client.get(WITHDRAWALS)

    rows = list(response.context["cl"].result_list)
    assert [row.pk for row in rows] == [older.pk, newer.pk, paid.pk]


def test_the_queue_finds_a_withdrawal_by_email_and_by_utr(operator_client, operator):
    wanted = requested_withdrawal(UserFactory(email="wanted@example.in"))
    other = requested_withdrawal()
    withdrawal_approve(withdrawal=other, operator=operator)
    operator_client.post(f"{WITHDRAWALS}{other.pk}/mark-paid/", {"utr": "UTR9999999"})

    by_email = operator_client.get(WITHDRAWALS, {"q": "wanted@"}).context["cl"].result_list
    by_utr = operator_client.get(WITHDRAWALS, {"q": "UTR9999999"}).context["cl"].result_list
    filtered = operator_client.get(WITHDRAWALS, {"status__exact": "paid"}).context["cl"]

    assert [row.pk for row in by_email] == [wanted.pk]
    assert [row.pk for row in by_utr] == [other.pk]
    assert [row.pk for row in filtered.result_list] == [other.pk]


# --- Cashback events --------------------------------------------------------------------------


def test_bulk_confirm_moves_pending_cashback_to_available(operator_client):
    # given: two pending sales, and one already confirmed by the network
    shopper = UserFactory()
    first, second = pending_event(shopper), pending_event(shopper)
    confirmed = confirmed_cashback(shopper, "40.00")
    assert ledger.balances(shopper)[AccountKind.PENDING] == D("100.00")

    # when
    response = bulk(operator_client, EVENTS, "confirm_selected", [first, second, confirmed])

    # then
    notes = messages_of(response)
    assert "2 cashback events confirmed." in notes
    assert any("Refused:" in note and confirmed.network_txn_id in note for note in notes)
    assert ledger.balances(shopper)[AccountKind.PENDING] == D("0.00")
    assert ledger.balances(shopper)[AccountKind.AVAILABLE] == D("140.00")
    first.refresh_from_db()
    assert first.status == CashbackStatus.CONFIRMED
    assert ledger.ledger_problems() == []


def test_bulk_decline_reverses_pending_cashback(operator_client):
    shopper = UserFactory()
    event = pending_event(shopper)

    response = bulk(operator_client, EVENTS, "decline_selected", [event])

    assert "1 cashback event declined." in messages_of(response)
    event.refresh_from_db()
    assert event.status == CashbackStatus.DECLINED
    assert ledger.balances(shopper)[AccountKind.PENDING] == D("0.00")
    assert ledger.ledger_problems() == []


def test_an_event_is_confirmed_from_its_page(operator_client, operator):
    shopper = UserFactory()
    event = pending_event(shopper)

    response = operator_client.post(f"{EVENTS}{event.pk}/confirm/")

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == CashbackStatus.CONFIRMED
    assert ledger.balances(shopper)[AccountKind.AVAILABLE] == D("50.00")
    confirmation = Transaction.objects.get(idempotency_key=f"cashback:{event.pk}:confirmed")
    assert confirmation.actor == operator


def test_cashback_events_filter_by_matched_and_search_by_network_id(operator_client):
    matched = pending_event(UserFactory(email="asha@example.in"))
    unmatched = cashback_report(
        sale=with_status(
            sale_for(ClickFactory.build(id=uuid.uuid4()), transaction_id="ORPHAN-1"),
            SaleStatus.PENDING,
        )
    )
    assert unmatched.user_id is None

    def listed(params):
        return [row.pk for row in operator_client.get(EVENTS, params).context["cl"].result_list]

    assert listed({"matched": "no"}) == [unmatched.pk]
    assert listed({"matched": "yes"}) == [matched.pk]
    assert listed({"q": "ORPHAN-1"}) == [unmatched.pk]
    assert listed({"q": "asha@example"}) == [matched.pk]
    assert listed({"q": str(matched.sub_id)}) == [matched.pk]


def test_cashback_event_pages_are_read_only(operator_client):
    event = pending_event(UserFactory())

    page = operator_client.get(f"{EVENTS}{event.pk}/change/")
    save = operator_client.post(f"{EVENTS}{event.pk}/change/", {"cashback": "9999.00"})

    assert page.status_code == 200
    assert f"{EVENTS}{event.pk}/confirm/" in page.content.decode()
    assert save.status_code == 403
    assert operator_client.get(f"{EVENTS}add/").status_code == 403
    event.refresh_from_db()
    assert event.cashback == D("50.00")


# --- KYC --------------------------------------------------------------------------------------


def submitted_kyc(user: User | None = None):
    return kyc_submit(
        user=user or UserFactory(),
        legal_name="Asha Verma",
        pan="ABCDE1234F",
        upi_id="asha@okaxis",
        bank_account="123456789012",
        ifsc="HDFC0001234",
    )


def test_bulk_verify_verifies_submitted_kyc(operator_client, operator):
    profile = submitted_kyc()
    already = verified_kyc(UserFactory())

    response = bulk(operator_client, KYC, "verify_selected", [profile, already])

    assert "1 KYC profile verified." in messages_of(response)
    profile.refresh_from_db()
    assert profile.status == KycStatus.VERIFIED
    assert profile.reviewed_by == operator


def test_bulk_reject_asks_for_a_reason_then_rejects(operator_client):
    profile = submitted_kyc()

    asked = operator_client.post(
        KYC, {"action": "reject_selected", "_selected_action": [profile.pk]}
    )
    done = bulk(
        operator_client, KYC, "reject_selected", [profile], apply="1", reason="PAN is unreadable."
    )

    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert "1 KYC profile rejected." in messages_of(done)
    profile.refresh_from_db()
    assert profile.status == KycStatus.REJECTED
    assert profile.rejection_reason == "PAN is unreadable."


def test_kyc_can_be_rejected_from_its_page_with_a_reason(operator_client):
    profile = submitted_kyc()

    response = operator_client.post(
        f"{KYC}{profile.pk}/reject/", {"reason": "Name does not match the PAN."}
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == KycStatus.REJECTED


def test_kyc_pages_show_pan_and_account_masked_only(operator_client):
    profile = submitted_kyc(UserFactory(email="asha@example.in"))

    pages = [
        operator_client.get(KYC),
        operator_client.get(KYC, {"q": "asha@example"}),
        operator_client.get(f"{KYC}{profile.pk}/change/"),
        operator_client.get(f"{KYC}{profile.pk}/reject/"),
    ]
    by_pan = operator_client.get(KYC, {"q": "ABCDE1234F"}).context["cl"].result_list
    by_account = operator_client.get(KYC, {"q": "123456789012"}).context["cl"].result_list

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "XXXXXX234F" in html and "XXXXXX9012" in html
        assert "ABCDE1234F" not in html
        assert "123456789012" not in html
    assert list(by_pan) == [] and list(by_account) == []


# --- Claims -----------------------------------------------------------------------------------


def filed_claim(user: User | None = None) -> CashbackClaim:
    user = user or UserFactory()
    click = recent_click(user)
    return cashback_claim_file(
        user=user,
        click_id=click.id,
        order_id="OD-4455",
        amount=D("1200.00"),
        order_date=timezone.localdate(click.created_at),
    )


def test_approving_a_claim_creates_a_pending_cashback_event(operator_client):
    claim = filed_claim()

    response = bulk(operator_client, CLAIMS, "approve_selected", [claim])

    assert "1 claim approved: its cashback is pending." in messages_of(response)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    event = claim.event
    assert event.status == CashbackStatus.PENDING
    assert event.source == CashbackSource.CLAIM
    assert event.user == claim.user and event.cashback == D("60.00")  # 5% of ₹1,200
    assert ledger.balances(claim.user)[AccountKind.PENDING] == D("60.00")
    assert ledger.ledger_problems() == []


def test_a_claim_is_approved_from_its_page(operator_client):
    claim = filed_claim()

    page = operator_client.get(f"{CLAIMS}{claim.pk}/change/")
    operator_client.post(f"{CLAIMS}{claim.pk}/approve/")

    assert f"{CLAIMS}{claim.pk}/approve/" in page.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.event.status == CashbackStatus.PENDING


def test_bulk_reject_of_claims_sends_one_reason_to_each(operator_client):
    first, second = filed_claim(), filed_claim()

    response = bulk(
        operator_client,
        CLAIMS,
        "reject_selected",
        [first, second],
        apply="1",
        reason="The store says these orders were returned.",
    )

    assert "2 claims rejected." in messages_of(response)
    reasons = set(CashbackClaim.objects.values_list("status", "rejection_reason"))
    assert reasons == {(ClaimStatus.REJECTED, "The store says these orders were returned.")}


def test_a_claim_is_rejected_with_a_reason_and_cannot_be_approved_after(operator_client):
    claim = filed_claim()

    operator_client.post(f"{CLAIMS}{claim.pk}/reject/", {"reason": "The order was cancelled."})
    again = bulk(operator_client, CLAIMS, "approve_selected", [claim])

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert claim.rejection_reason == "The order was cancelled."
    assert "0 claims approved: their cashback is pending." in messages_of(again)
    assert not CashbackEvent.objects.exists()


# --- The ledger -------------------------------------------------------------------------------


def test_ledger_rows_cannot_be_added_changed_or_deleted_in_the_admin(operator_client):
    withdrawal = requested_withdrawal()
    account = Account.objects.get(user=withdrawal.user, kind=AccountKind.HELD)
    txn = Transaction.objects.get(reference_id=str(withdrawal.public_id))
    posting = Posting.objects.filter(transaction=txn).first()

    for url, obj in [
        ("/admin/wallet/account/", account),
        ("/admin/wallet/transaction/", txn),
        ("/admin/wallet/posting/", posting),
    ]:
        listing = operator_client.get(url)
        assert listing.status_code == 200
        assert "delete_selected" not in listing.content.decode()
        assert operator_client.get(f"{url}add/").status_code == 403
        assert operator_client.post(f"{url}{obj.pk}/change/", {"balance": "1"}).status_code == 403
        assert operator_client.get(f"{url}{obj.pk}/delete/").status_code == 403
        assert operator_client.post(f"{url}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        deleted = operator_client.post(
            url, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        assert deleted.status_code in (200, 302)
    account.refresh_from_db()
    assert account.balance == D("300.00")
    assert Posting.objects.filter(pk=posting.pk).exists()
    assert ledger.ledger_problems() == []


def test_a_transaction_page_shows_its_postings_and_links_to_the_withdrawal(operator_client):
    withdrawal = requested_withdrawal()
    txn = Transaction.objects.get(reference_id=str(withdrawal.public_id))

    html = operator_client.get(f"/admin/wallet/transaction/{txn.pk}/change/").content.decode()

    assert f"{WITHDRAWALS}{withdrawal.pk}/change/" in html
    assert "-₹300.00" in html and "₹300.00" in html
    assert 'type="submit"' not in html.split('id="content-main"', 1)[1]


def test_the_accounts_list_filters_platform_from_user_accounts(operator_client):
    withdrawal = requested_withdrawal(UserFactory(email="asha@example.in"))
    ledger.platform_account(AccountKind.PAYOUTS)

    platform = operator_client.get("/admin/wallet/account/", {"owner": "platform"}).context["cl"]
    found = operator_client.get("/admin/wallet/account/", {"q": "asha@example"}).context["cl"]
    postings = operator_client.get(
        "/admin/wallet/posting/",
        {"account__id__exact": Account.objects.get(user=withdrawal.user, kind="held").pk},
    )

    assert {row.user_id for row in platform.result_list} == {None}
    assert {row.user_id for row in found.result_list} == {withdrawal.user_id}
    assert postings.status_code == 200
    assert len(postings.context["cl"].result_list) == 1


# --- Pages and query counts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/wallet/",
        "/admin/wallet/account/",
        "/admin/wallet/transaction/",
        "/admin/wallet/posting/",
        WITHDRAWALS,
        f"{WITHDRAWALS}?status__exact=requested&method__exact=upi",
        KYC,
        EVENTS,
        f"{EVENTS}?status__exact=pending&matched=yes",
        CLAIMS,
        "/admin/wallet/cashbackdebt/",
        "/admin/wallet/referralreward/",
    ],
)
def test_wallet_back_office_lists_open(operator_client, url):
    requested_withdrawal()
    filed_claim()

    assert operator_client.get(url).status_code == 200


def test_every_wallet_object_page_opens(operator_client, operator):
    withdrawal = requested_withdrawal()
    claim = filed_claim()
    bulk(operator_client, CLAIMS, "approve_selected", [claim])
    claim.refresh_from_db()
    objects = {
        "account": Account.objects.first(),
        "transaction": Transaction.objects.first(),
        "posting": Posting.objects.first(),
        "withdrawal": withdrawal,
        "kycprofile": withdrawal.user.kyc,
        "cashbackevent": claim.event,
        "cashbackclaim": claim,
    }

    for name, obj in objects.items():
        response = operator_client.get(f"/admin/wallet/{name}/{obj.pk}/change/")
        assert response.status_code == 200, name


def _queries_to_list(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _withdrawals_in_every_state(count: int, operator: User) -> None:
    states = [WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED]
    for index in range(count):
        withdrawal = requested_withdrawal()
        state = states[index % len(states)]
        if state == WithdrawalStatus.APPROVED:
            withdrawal_approve(withdrawal=withdrawal, operator=operator)
        elif state == WithdrawalStatus.REJECTED:
            withdrawal_reject(withdrawal=withdrawal, operator=operator, reason="test")


def test_the_withdrawal_queue_costs_the_same_queries_for_3_or_20_rows(operator_client, operator):
    _withdrawals_in_every_state(3, operator)
    with_3 = _queries_to_list(operator_client, WITHDRAWALS)
    _withdrawals_in_every_state(17, operator)
    with_20 = _queries_to_list(operator_client, WITHDRAWALS)

    assert Withdrawal.objects.count() == 20
    assert with_20 == with_3, (with_3, with_20)


def test_the_cashback_list_costs_the_same_queries_for_3_or_20_rows(operator_client):
    def events(count):
        for index in range(count):
            if index % 3 == 2:  # some unmatched, from a network sale with no click
                click = ClickFactory.build(id=uuid.uuid4())
                cashback_report(sale=sale_for(click, network="cuelinks"))
            else:
                pending_event(UserFactory())

    events(3)
    with_3 = _queries_to_list(operator_client, EVENTS)
    events(17)
    with_20 = _queries_to_list(operator_client, EVENTS)

    assert CashbackEvent.objects.count() == 20
    assert with_20 == with_3, (with_3, with_20)


def test_the_audit_trail_is_read_only_on_the_withdrawal_page(operator_client):
    withdrawal = requested_withdrawal()

    html = operator_client.get(f"{WITHDRAWALS}{withdrawal.pk}/change/").content.decode()

    assert WithdrawalAudit.objects.filter(withdrawal=withdrawal).count() == 1
    assert "audit-0-note" not in html  # no editable inline inputs
    assert 'name="audit-MAX_NUM_FORMS" value="0"' in html  # nothing can be added
