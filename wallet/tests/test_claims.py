"""Missing-cashback claims: only for one's own untracked click, one per click, within the
order-date window; approval creates a pending event at the store's rate, rejection needs a
reason."""

import uuid
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from coupzii.core.errors import DomainError, NotFound
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.errors import ClaimRefused, InvalidTransition, NotAnOperator, SelfReview
from wallet.models import (
    AccountKind,
    CashbackClaim,
    CashbackEvent,
    CashbackSource,
    CashbackStatus,
    ClaimStatus,
)
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.services.claims import (
    cashback_claim_approve,
    cashback_claim_file,
    cashback_claim_reject,
    claimable_clicks,
)
from wallet.tests.factories import operator, recent_click, sale_for, with_status

pytestmark = pytest.mark.django_db
PENDING = AccountKind.PENDING
# The smallest valid PNG: a receipt photo as far as the storage cares.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _file(user, click, *, amount="2000.00", order_date=None, order_id="OD1234", **kwargs):
    return cashback_claim_file(
        user=user,
        click_id=click.id,
        order_id=order_id,
        amount=D(amount),
        order_date=order_date or timezone.localdate(click.created_at),
        **kwargs,
    )


def _refused_fields(user, click, **kwargs) -> dict:
    with pytest.raises(DomainError) as refused:
        _file(user, click, **kwargs)
    assert not CashbackClaim.objects.exists()
    return refused.value.fields


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def click(shopper):
    return recent_click(shopper)


# --- Filing -----------------------------------------------------------------------------------


def test_a_shopper_files_a_claim_for_their_own_click_with_a_receipt(shopper, click):
    receipt = SimpleUploadedFile("receipt.png", PNG, content_type="image/png")
    claim = _file(shopper, click, order_id="  OD1234 ", receipt=receipt)
    assert claim.status == ClaimStatus.OPEN
    assert (claim.user, claim.click, claim.order_id) == (shopper, click, "OD1234")
    assert claim.amount == D("2000.00")
    assert claim.receipt.name.startswith("cashback-receipts/")
    assert claim.receipt.read() == PNG
    # filing moves no money
    assert ledger.balances(shopper)[PENDING] == D("0.00")
    assert not CashbackEvent.objects.exists()


def test_a_claim_without_a_receipt_is_fine(shopper, click):
    assert not _file(shopper, click).receipt


def test_nobody_can_claim_someone_elses_click(shopper, click):
    with pytest.raises(NotFound):
        _file(UserFactory(), click)
    with pytest.raises(NotFound):
        cashback_claim_file(
            user=shopper,
            click_id=uuid.uuid4(),
            order_id="OD1",
            amount=D("10"),
            order_date=timezone.localdate(),
        )
    assert not CashbackClaim.objects.exists()


def test_an_anonymous_click_cannot_be_claimed(shopper):
    anonymous = recent_click(None)
    with pytest.raises(NotFound):
        _file(shopper, anonymous)


def test_a_click_the_network_already_tracked_cannot_be_claimed(shopper, click):
    cashback_report(sale=sale_for(click))
    with pytest.raises(ClaimRefused) as refused:
        _file(shopper, click)
    assert "already tracked" in refused.value.message
    assert not CashbackClaim.objects.exists()


def test_one_claim_per_click(shopper, click):
    _file(shopper, click)
    with pytest.raises(ClaimRefused) as refused:
        _file(shopper, click, order_id="OD9999")
    assert refused.value.message == "You have already claimed this purchase."
    assert CashbackClaim.objects.count() == 1


def test_a_rejected_claim_cannot_be_filed_again(shopper, click):
    cashback_claim_reject(claim=_file(shopper, click), operator=operator(), reason="no order")
    with pytest.raises(ClaimRefused):
        _file(shopper, click)


def test_a_click_older_than_90_days_cannot_be_claimed(shopper):
    old = ClickFactory(user=shopper, created_at=timezone.now() - timedelta(days=91))
    with pytest.raises(ClaimRefused) as refused:
        _file(shopper, old)
    assert "90 days" in refused.value.message


@pytest.mark.parametrize("days_after_click", [0, 1, 3])
def test_the_order_may_be_placed_up_to_3_days_after_the_click(shopper, days_after_click):
    click = ClickFactory(user=shopper, created_at=timezone.now() - timedelta(days=10))
    clicked_on = timezone.localdate(click.created_at)
    claim = _file(shopper, click, order_date=clicked_on + timedelta(days=days_after_click))
    assert claim.order_date == clicked_on + timedelta(days=days_after_click)


@pytest.mark.parametrize("days_after_click", [-1, 4, 30])
def test_an_order_outside_the_window_is_a_field_error(shopper, days_after_click):
    click = ClickFactory(user=shopper, created_at=timezone.now() - timedelta(days=40))
    clicked_on = timezone.localdate(click.created_at)
    fields = _refused_fields(
        shopper, click, order_date=clicked_on + timedelta(days=days_after_click)
    )
    assert list(fields) == ["order_date"]
    assert "within 3 days after the click-out" in fields["order_date"][0]
    assert clicked_on.strftime("%d %b %Y") in fields["order_date"][0]


@pytest.mark.parametrize("amount", ["0", "-10.00"])
def test_an_order_amount_must_be_positive(shopper, click, amount):
    assert list(_refused_fields(shopper, click, amount=amount)) == ["amount"]


@pytest.mark.parametrize("amount", ["99999999999.99", "1E+20", "10.005", "NaN", "Infinity"])
def test_an_order_amount_must_fit_the_amount_column(shopper, click, amount):
    # Stored, 1E+20 was a row SQLite can't read back (and a DataError on PostgreSQL).
    assert list(_refused_fields(shopper, click, amount=amount)) == ["amount"]


def test_an_order_id_is_required(shopper, click):
    assert _refused_fields(shopper, click, order_id="   ") == {
        "order_id": ["Enter the order id from the store's confirmation."]
    }


def test_claimable_clicks_are_the_shoppers_recent_untracked_unclaimed_clicks(shopper):
    # given
    open_click = recent_click(shopper)
    tracked = recent_click(shopper)
    cashback_report(sale=sale_for(tracked))
    claimed = recent_click(shopper)
    _file(shopper, claimed)
    old = ClickFactory(user=shopper, created_at=timezone.now() - timedelta(days=91))
    someone_elses = recent_click(UserFactory())
    # when
    clicks = list(claimable_clicks(shopper))
    # then
    assert clicks == [open_click]
    assert old not in clicks and someone_elses not in clicks


# --- Review -----------------------------------------------------------------------------------


def test_approval_creates_a_pending_event_at_the_stores_rate(shopper, click):
    # given: the store pays 5%, and no commission is known for a claimed order
    claim = _file(shopper, click, amount="2000.00", order_id="OD777")
    staff = operator()
    # when
    approved = cashback_claim_approve(claim=claim, operator=staff)
    # then
    assert approved.status == ClaimStatus.APPROVED
    assert (approved.reviewed_by, approved.reviewed_at is not None) == (staff, True)
    event = approved.event
    assert (event.status, event.source) == (CashbackStatus.PENDING, CashbackSource.CLAIM)
    assert (event.user, event.click, event.merchant) == (shopper, click, click.merchant)
    assert (event.sale_amount, event.commission, event.cashback) == (
        D("2000.00"),
        None,
        D("100.00"),
    )
    assert event.network == click.merchant.affiliate_network
    assert event.network_txn_id == f"claim-{claim.public_id}"
    assert event.raw_payload["order_id"] == "OD777"
    assert event.occurred_at.date() == claim.order_date
    assert ledger.balances(shopper)[PENDING] == D("100.00")
    titles = list(Notification.objects.filter(user=shopper).values_list("title", flat=True))
    assert "Your claim for order OD777 was approved" in titles
    assert ledger.ledger_problems() == []


def test_an_offer_rate_is_used_when_the_offer_has_one(shopper):
    click = recent_click(shopper, offer__cashback_kind="flat", offer__cashback_value=D("75.00"))
    event = cashback_claim_approve(claim=_file(shopper, click), operator=operator()).event
    assert event.cashback == D("75.00")


def test_a_claim_is_reviewed_once(shopper, click):
    claim = _file(shopper, click)
    cashback_claim_approve(claim=claim, operator=operator())
    with pytest.raises(InvalidTransition):
        cashback_claim_approve(claim=claim, operator=operator())
    with pytest.raises(InvalidTransition):
        cashback_claim_reject(claim=claim, operator=operator(), reason="late")
    assert CashbackEvent.objects.count() == 1
    assert ledger.balances(shopper)[PENDING] == D("100.00")


def test_only_operators_review_claims(shopper, click):
    claim = _file(shopper, click)
    with pytest.raises(NotAnOperator):
        cashback_claim_approve(claim=claim, operator=shopper)
    with pytest.raises(NotAnOperator):
        cashback_claim_reject(claim=claim, operator=UserFactory(), reason="no")
    assert CashbackClaim.objects.get(pk=claim.pk).status == ClaimStatus.OPEN
    assert not CashbackEvent.objects.exists()


def test_a_rejection_needs_a_reason_and_moves_no_money(shopper, click):
    claim = _file(shopper, click, order_id="OD42")
    with pytest.raises(DomainError) as refused:
        cashback_claim_reject(claim=claim, operator=operator(), reason=" ")
    assert "reason" in refused.value.fields
    rejected = cashback_claim_reject(
        claim=claim, operator=operator(), reason=" The store has no such order "
    )
    assert (rejected.status, rejected.rejection_reason) == (
        ClaimStatus.REJECTED,
        "The store has no such order",
    )
    assert rejected.event is None
    assert not CashbackEvent.objects.exists()
    assert ledger.balances(shopper)[PENDING] == D("0.00")
    notice = Notification.objects.get(user=shopper)
    assert (notice.title, notice.body) == (
        "Your claim for order OD42 was not approved",
        "The store has no such order",
    )


# --- Found in review (fixed) -------------------------------------------------------


def test_approval_is_refused_when_the_network_tracked_the_click_meanwhile(shopper, click):
    # given: a claim is filed, then the network's late report for the same click arrives
    claim = _file(shopper, click)
    cashback_report(sale=sale_for(click, sale_amount="2000.00", commission="200.00"))
    # when / then
    with pytest.raises(ClaimRefused):
        cashback_claim_approve(claim=claim, operator=operator())
    assert CashbackEvent.objects.filter(click=click).count() == 1
    assert ledger.balances(shopper)[PENDING] == D("100.00")


def test_staff_cannot_approve_their_own_claim():
    staff = operator()
    claim = _file(staff, recent_click(staff))
    with pytest.raises(SelfReview):
        cashback_claim_approve(claim=claim, operator=staff)
    with pytest.raises(SelfReview):
        cashback_claim_reject(claim=claim, operator=staff, reason="mine")
    assert CashbackClaim.objects.get(pk=claim.pk).status == ClaimStatus.OPEN
    assert not CashbackEvent.objects.exists()


@pytest.mark.parametrize("click_id", ["not-a-uuid", "", None, 42])
def test_a_click_id_that_is_not_a_uuid_is_not_found(shopper, click_id):
    with pytest.raises(NotFound):
        cashback_claim_file(
            user=shopper,
            click_id=click_id,
            order_id="OD1",
            amount=D("10"),
            order_date=timezone.localdate(),
        )


def test_an_order_date_in_the_future_is_refused(shopper):
    click = ClickFactory(user=shopper, created_at=timezone.now())
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert "order_date" in _refused_fields(shopper, click, order_date=tomorrow)


def test_a_rejection_reason_longer_than_the_column_is_a_field_error(shopper, click):
    claim = _file(shopper, click)
    with pytest.raises(DomainError) as refused:
        cashback_claim_reject(claim=claim, operator=operator(), reason="x" * 256)
    assert "reason" in refused.value.fields
    assert CashbackClaim.objects.get(pk=claim.pk).status == ClaimStatus.OPEN


def test_a_network_report_of_an_approved_claims_purchase_takes_over_its_event():
    # given: a claim approved before the network tracked the purchase
    shopper = UserFactory()
    click = recent_click(shopper)
    claim = cashback_claim_file(
        user=shopper,
        click_id=click.id,
        order_id="OD-1",
        amount=D("1000.00"),
        order_date=timezone.localdate(),
    )
    cashback_claim_approve(claim=claim, operator=operator())

    # when: the network reports it after all, then confirms it
    sale = sale_for(click)
    cashback_report(sale=sale)
    cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))

    # then: one event, paid once, now under the network's id
    event = CashbackEvent.objects.get(click=click)
    assert (event.network, event.network_txn_id) == (sale.network, sale.transaction_id)
    assert ledger.balances(shopper)["available"] == D("50.00")
    assert ledger.balances(shopper)["pending"] == D("0.00")
    assert ledger.ledger_problems() == []
