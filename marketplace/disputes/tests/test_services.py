"""Disputes as buyer, seller, operator and the ledger see them: filing within the window stops
the release, the seller answers (or the sweep moves on without them), an operator refunds or
releases, three lost disputes in 30 days suspend the seller, and a refund after the release
leaves the seller a debt that their next payout repays."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from commerce.gateways import gateway
from commerce.models import Payment, PaymentStatus, Refund
from commerce.services.payments import payment_verify
from commerce.tests.factories import wallet_credit
from coupzii.core.errors import Forbidden
from marketplace import kinds
from marketplace.disputes.services import (
    dispute_answer,
    dispute_decide,
    dispute_open,
    disputes_overdue,
    disputes_settled_elsewhere,
    purchase_refund_after_release,
    receivable_problems,
    seller_owes,
)
from marketplace.disputes.tasks import disputes_overdue_task
from marketplace.errors import (
    CouponInDisputeWindow,
    DisputeAlreadyAnswered,
    DisputeAlreadyDecided,
    DisputeInvalid,
    DisputeNotAllowed,
    DisputeNotFound,
    PurchaseNotFound,
    RefundNotAllowed,
)
from marketplace.listings.services import listing_create
from marketplace.models import (
    CouponStatus,
    Dispute,
    DisputeStatus,
    ListingStatus,
    LockerCoupon,
    PaymentMethod,
    Purchase,
    PurchaseStatus,
    RefundTo,
    SellerDebt,
    Suspension,
)
from marketplace.purchases.services import (
    purchase_create,
    purchase_refund,
    purchase_release,
    purchases_release_due,
)
from marketplace.purchases.tests.conftest import verified_listing
from marketplace.swaps.services import exchange_request
from marketplace.tests.factories import ListingFactory
from wallet import services as ledger
from wallet.ledger import ledger_problems
from wallet.models import AccountKind, TransactionKind

from .conftest import paid_purchase, screenshot

pytestmark = pytest.mark.django_db
S = PurchaseStatus


def available(user) -> D:
    return ledger.balances(user)["available"]


def escrow() -> D:
    return ledger.platform_balance(kinds.ESCROW)


def notices(user, kind=kinds.NOTICE_DISPUTE) -> list[str]:
    return list(Notification.objects.filter(user=user, kind=kind).values_list("title", flat=True))


def window_over(purchase: Purchase) -> None:
    Purchase.objects.filter(pk=purchase.pk).update(
        window_ends_at=timezone.now() - timedelta(seconds=1)
    )


def spend(user, amount: str) -> None:
    """The shopper spends `amount` of their available balance elsewhere."""
    ledger.transaction_post(
        kind=TransactionKind.WELCOME_BONUS,
        idempotency_key=f"test-spend:{user.pk}:{amount}:{timezone.now().timestamp()}",
        legs=[
            (ledger.user_accounts(user)[AccountKind.AVAILABLE], -D(amount)),
            (ledger.platform_account(AccountKind.PROMOTIONS), D(amount)),
        ],
        reference_type="test",
        reference_id=str(user.pk),
    )


def opened(buyer, **kwargs) -> Dispute:
    purchase = paid_purchase(buyer, **kwargs)
    return dispute_open(buyer=buyer, number=purchase.number, note="Store says invalid code")


# --- Opening ----------------------------------------------------------------------------------


def test_a_dispute_in_the_window_holds_the_money_and_tells_the_seller_and_operators(
    buyer, operator
):
    purchase = paid_purchase(buyer)
    before = timezone.now()

    dispute = dispute_open(
        buyer=buyer, number=purchase.number, note="  Store says invalid  ", screenshot=screenshot()
    )

    purchase.refresh_from_db()
    assert purchase.status == S.DISPUTED
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.note == "Store says invalid"
    assert dispute.screenshot.name.startswith("dispute-screenshots/")
    assert (
        before + timedelta(hours=24) <= dispute.answer_due <= timezone.now() + timedelta(hours=24)
    )
    assert escrow() == purchase.price
    assert notices(purchase.seller) == [f"The buyer reported a problem with {purchase.number}"]
    assert notices(operator, "operations") == [f"Marketplace dispute on {purchase.number}"]


def test_a_disputed_purchase_is_not_released_when_its_window_ends(buyer):
    dispute = opened(buyer)
    window_over(dispute.purchase)

    assert purchases_release_due() == 0

    dispute.purchase.refresh_from_db()
    assert dispute.purchase.status == S.DISPUTED
    assert escrow() == dispute.purchase.price


def test_only_the_buyer_can_dispute_and_only_once(buyer):
    purchase = paid_purchase(buyer)

    with pytest.raises(PurchaseNotFound):
        dispute_open(buyer=purchase.seller, number=purchase.number, note="x")
    with pytest.raises(PurchaseNotFound):
        dispute_open(buyer=UserFactory(), number=purchase.number, note="x")
    dispute_open(buyer=buyer, number=purchase.number, note="did not work")
    with pytest.raises(DisputeNotAllowed):
        dispute_open(buyer=buyer, number=purchase.number, note="again")
    assert Dispute.objects.count() == 1


def test_a_dispute_after_the_window_or_the_release_is_refused(buyer):
    late = paid_purchase(buyer)
    window_over(late)
    released = paid_purchase(buyer)
    purchase_release(purchase_id=released.pk, force=True)

    for purchase in (late, released):
        with pytest.raises(DisputeNotAllowed):
            dispute_open(buyer=buyer, number=purchase.number, note="did not work")
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("note", "upload", "field"),
    [
        ("   ", None, "note"),
        ("x" * 2001, None, "note"),
        ("did not work", "not a picture", "screenshot"),
        ("did not work", "too big", "screenshot"),
    ],
)
def test_bad_reports_are_refused_with_a_field_message(buyer, note, upload, field):
    purchase = paid_purchase(buyer)
    file = None
    if upload == "not a picture":
        file = SimpleUploadedFile("error.png", b"%PDF-1.4 not an image", content_type="image/png")
    elif upload == "too big":
        file = screenshot()
        file.size = 5 * 1024 * 1024 + 1

    with pytest.raises(DisputeInvalid) as refused:
        dispute_open(buyer=buyer, number=purchase.number, note=note, screenshot=file)

    assert field in refused.value.fields
    purchase.refresh_from_db()
    assert purchase.status == S.PAID


# --- Answering and the overdue sweep ----------------------------------------------------------


def test_the_seller_answers_once_and_the_buyer_hears(buyer):
    dispute = opened(buyer)
    seller = dispute.purchase.seller

    with pytest.raises(DisputeNotFound):
        dispute_answer(seller=buyer, public_id=dispute.public_id, answer="it works")
    answered = dispute_answer(seller=seller, public_id=dispute.public_id, answer=" It worked ")

    assert (answered.status, answered.answer) == (DisputeStatus.ANSWERED, "It worked")
    assert answered.answered_at is not None
    assert notices(buyer) == [f"The seller answered your report on {dispute.purchase.number}"]
    with pytest.raises(DisputeAlreadyAnswered):
        dispute_answer(seller=seller, public_id=dispute.public_id, answer="again")


def test_an_unanswered_dispute_goes_to_the_operators_after_24_hours(buyer, operator):
    due = opened(buyer)
    fresh = opened(buyer)
    Dispute.objects.filter(pk=due.pk).update(answer_due=timezone.now() - timedelta(minutes=1))
    Notification.objects.all().delete()

    assert disputes_overdue_task.delay().get() == 1

    due.refresh_from_db()
    fresh.refresh_from_db()
    assert (due.status, due.answer, due.answered_at) == (DisputeStatus.ANSWERED, "", None)
    assert fresh.status == DisputeStatus.OPEN
    assert notices(operator, "operations") == ["1 marketplace disputes need a decision"]
    assert notices(buyer) == [f"The seller did not answer your report on {due.purchase.number}"]
    assert disputes_overdue() == 0  # nothing twice


def test_a_late_answer_is_still_taken_until_the_decision(buyer, operator):
    dispute = opened(buyer)
    Dispute.objects.filter(pk=dispute.pk).update(answer_due=timezone.now() - timedelta(minutes=1))
    disputes_overdue()

    late = dispute_answer(
        seller=dispute.purchase.seller, public_id=dispute.public_id, answer="Sorry, here I am"
    )

    assert (late.status, late.answer) == (DisputeStatus.ANSWERED, "Sorry, here I am")
    dispute_decide(operator=operator, public_id=dispute.public_id, outcome="release")
    with pytest.raises(DisputeAlreadyAnswered):
        dispute_answer(seller=dispute.purchase.seller, public_id=dispute.public_id, answer="more")


# --- Decisions --------------------------------------------------------------------------------


def test_a_refund_to_the_wallet_gives_the_buyer_the_price_back(buyer, operator):
    dispute = opened(buyer, price="150.00")
    purchase = dispute.purchase
    assert available(buyer) == D("850.00")

    decided = dispute_decide(
        operator=operator,
        public_id=dispute.public_id,
        outcome="refund",
        refund_to="wallet",
        note="The store confirms the code was used.",
    )

    purchase.refresh_from_db()
    assert (decided.status, decided.refund_to) == (DisputeStatus.REFUNDED, "wallet")
    assert decided.decided_by == operator
    assert purchase.status == S.REFUNDED
    assert available(buyer) == D("1000.00")
    assert available(purchase.seller) == 0
    assert escrow() == 0
    assert LockerCoupon.objects.get(pk=purchase.buyer_coupon_id).status == CouponStatus.GONE
    assert f"Your report on {purchase.number}: refunded" in notices(buyer)
    assert f"The dispute on {purchase.number} was decided for the buyer" in notices(purchase.seller)
    assert ledger_problems() == []


def test_a_wallet_purchase_asked_back_to_the_gateway_goes_to_the_wallet(buyer, operator):
    dispute = opened(buyer)

    decided = dispute_decide(
        operator=operator, public_id=dispute.public_id, outcome="refund", refund_to="gateway"
    )

    assert decided.refund_to == "wallet"
    assert available(buyer) == D("1000.00")


def test_a_release_pays_the_seller_now_even_inside_the_window(buyer, operator):
    dispute = opened(buyer, price="200.00")
    purchase = dispute.purchase
    assert purchase.window_ends_at > timezone.now()

    decided = dispute_decide(operator=operator, public_id=dispute.public_id, outcome="release")

    purchase.refresh_from_db()
    assert decided.status == DisputeStatus.RELEASED
    assert purchase.status == S.RELEASED
    assert available(purchase.seller) == D("190.00")
    assert escrow() == 0
    assert f"The dispute on {purchase.number} was decided for you" in notices(purchase.seller)
    assert ledger_problems() == []


def test_a_dispute_is_decided_once_and_only_by_an_operator(buyer, operator):
    dispute = opened(buyer)

    with pytest.raises(Forbidden):
        dispute_decide(operator=buyer, public_id=dispute.public_id, outcome="release")
    with pytest.raises(DisputeInvalid):
        dispute_decide(operator=operator, public_id=dispute.public_id, outcome="refund")
    dispute_decide(
        operator=operator, public_id=dispute.public_id, outcome="refund", refund_to="wallet"
    )
    for outcome in ("refund", "release"):
        with pytest.raises(DisputeAlreadyDecided):
            dispute_decide(
                operator=operator,
                public_id=dispute.public_id,
                outcome=outcome,
                refund_to="wallet",
            )
    assert available(buyer) == D("1000.00")
    assert available(dispute.purchase.seller) == 0


# --- Suspension -------------------------------------------------------------------------------


def lose(buyer, seller, operator, *, days_ago: int = 0) -> Dispute:
    dispute = opened(buyer, seller=seller)
    decided = dispute_decide(
        operator=operator, public_id=dispute.public_id, outcome="refund", refund_to="wallet"
    )
    if days_ago:
        Dispute.objects.filter(pk=decided.pk).update(
            decided_at=timezone.now() - timedelta(days=days_ago)
        )
    return decided


def test_a_third_lost_dispute_in_30_days_suspends_the_seller_and_withdraws_listings(
    buyer, operator
):
    seller = UserFactory()
    still_for_sale = ListingFactory(coupon__owner=seller)
    lose(buyer, seller, operator, days_ago=20)
    lose(buyer, seller, operator, days_ago=5)
    assert not Suspension.objects.exists()

    lose(buyer, seller, operator)

    suspension = Suspension.objects.get(user=seller)
    assert timezone.now() + timedelta(days=29) < suspension.until
    still_for_sale.refresh_from_db()
    assert still_for_sale.status == ListingStatus.WITHDRAWN
    assert "Your selling is suspended for 30 days" in notices(seller)
    from marketplace.listings.services import seller_is_suspended

    assert seller_is_suspended(seller)


def test_three_lost_disputes_spread_over_60_days_do_not_suspend(buyer, operator):
    seller = UserFactory()
    lose(buyer, seller, operator, days_ago=55)
    lose(buyer, seller, operator, days_ago=31)

    lose(buyer, seller, operator)

    assert not Suspension.objects.exists()


def test_disputes_released_to_the_seller_do_not_count_against_them(buyer, operator):
    seller = UserFactory()
    lose(buyer, seller, operator)
    lose(buyer, seller, operator)
    won = opened(buyer, seller=seller)

    dispute_decide(operator=operator, public_id=won.public_id, outcome="release")

    assert not Suspension.objects.exists()


# --- Refund after release and the seller's debt -----------------------------------------------


def released(buyer, **kwargs) -> Purchase:
    purchase = paid_purchase(buyer, **kwargs)
    window_over(purchase)
    return purchase_release(purchase_id=purchase.pk)


def test_a_refund_after_release_takes_the_payout_back_when_the_seller_has_it(buyer, operator):
    purchase = released(buyer, price="100.00")
    seller = purchase.seller
    assert available(seller) == D("95.00")

    refunded = purchase_refund_after_release(
        operator=operator, number=purchase.number, note="Store confirms it was used"
    )

    assert refunded.status == S.REFUNDED
    assert available(buyer) == D("1000.00")
    assert available(seller) == 0
    assert seller_owes(seller) == 0
    assert not SellerDebt.objects.exists()
    assert ledger.platform_balance(kinds.RECEIVABLE) == 0
    assert LockerCoupon.objects.get(pk=purchase.buyer_coupon_id).status == CouponStatus.GONE
    assert f"{purchase.number} refunded" in notices(buyer)
    assert ledger_problems() == []


def test_what_the_seller_cannot_cover_is_fronted_and_owed(buyer, operator):
    purchase = released(buyer, price="100.00")
    seller = purchase.seller
    spend(seller, "60.00")  # 35.00 left of the 95.00 payout

    purchase_refund_after_release(operator=operator, number=purchase.number)

    assert available(buyer) == D("1000.00")
    assert available(seller) == 0
    debt = SellerDebt.objects.get(seller=seller)
    assert (debt.purchase, debt.amount, debt.recovered) == (purchase, D("60.00"), 0)
    assert ledger.platform_balance(kinds.RECEIVABLE) == D("-60.00")
    assert list(receivable_problems()) == []
    assert ledger_problems() == []


def test_the_debt_is_recovered_from_the_sellers_next_release(buyer, operator):
    first = released(buyer, price="100.00")
    seller = first.seller
    spend(seller, "95.00")
    purchase_refund_after_release(operator=operator, number=first.number)
    assert seller_owes(seller) == D("95.00")

    released(buyer, seller=seller, price="60.00")  # pays 57.00
    assert seller_owes(seller) == D("38.00")
    assert available(seller) == 0
    assert list(receivable_problems()) == []
    released(buyer, seller=seller, price="80.00")  # pays 76.00

    assert seller_owes(seller) == 0
    assert available(seller) == D("38.00")
    assert ledger.platform_balance(kinds.RECEIVABLE) == 0
    assert ledger_problems() == []


def test_a_refund_after_release_needs_a_released_purchase_and_an_operator(buyer, operator):
    purchase = paid_purchase(buyer)

    with pytest.raises(RefundNotAllowed):
        purchase_refund_after_release(operator=operator, number=purchase.number)
    with pytest.raises(PurchaseNotFound):
        purchase_refund_after_release(operator=operator, number="MP-NOPE")
    purchase_release(purchase_id=purchase.pk, force=True)
    with pytest.raises(Forbidden):
        purchase_refund_after_release(operator=buyer, number=purchase.number)
    purchase_refund_after_release(operator=operator, number=purchase.number)
    with pytest.raises(RefundNotAllowed):
        purchase_refund_after_release(operator=operator, number=purchase.number)
    assert available(buyer) == D("1000.00")


def test_a_dispute_released_then_refunded_counts_as_lost(buyer, operator):
    dispute = opened(buyer)
    dispute_decide(operator=operator, public_id=dispute.public_id, outcome="release")

    purchase_refund_after_release(operator=operator, number=dispute.purchase.number, note="Oops")

    dispute.refresh_from_db()
    assert (dispute.status, dispute.refund_to) == (DisputeStatus.REFUNDED, "wallet")
    assert dispute.decision_note == "Oops"


def test_a_card_purchase_refunded_after_a_dispute_goes_back_to_the_card(
    buyer, operator, django_capture_on_commit_callbacks
):
    # given a purchase paid by card on the dev gateway, disputed
    listing = ListingFactory()
    purchase = purchase_create(
        buyer=buyer,
        listing_public_id=listing.public_id,
        method=PaymentMethod.RAZORPAY,
        idempotency_key="card-1",
    )
    payment = Payment.objects.get(payable_kind=kinds.PAYABLE, payable_ref=str(purchase.pk))
    callback = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True).callback
    payment_verify(
        user=buyer,
        gateway_order_id=callback["razorpay_order_id"],
        payment_id=callback["razorpay_payment_id"],
        signature=callback["razorpay_signature"],
    )
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="Invalid")

    # when an operator refunds to the gateway
    with django_capture_on_commit_callbacks(execute=True):
        decided = dispute_decide(
            operator=operator, public_id=dispute.public_id, outcome="refund", refund_to="gateway"
        )

    # then the card gets the price back, not the wallet
    assert decided.refund_to == "gateway"
    assert Refund.objects.get().gateway_amount == D("120.00")
    assert available(buyer) == D("1000.00")  # untouched: the card paid
    assert escrow() == 0
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert ledger_problems() == []


def test_the_receivable_check_reports_a_debt_the_ledger_did_not_front(buyer):
    purchase = released(buyer)
    SellerDebt.objects.create(seller=purchase.seller, purchase=purchase, amount=D("10.00"))

    assert list(receivable_problems()) == [
        f"platform account {kinds.RECEIVABLE} has fronted 0.00 but sellers owe 10.00 in "
        "outstanding marketplace debts"
    ]


def test_a_refund_whose_record_was_lost_is_recorded_when_decided_again(buyer, operator):
    # given the money went back (purchases' refund) but the decision was never recorded
    dispute = opened(buyer)
    purchase_refund(purchase_id=dispute.purchase.pk, to="wallet", actor=operator)

    # when the operator refunds again: recorded, no second refund
    decided = dispute_decide(
        operator=operator, public_id=dispute.public_id, outcome="refund", refund_to="wallet"
    )

    assert decided.status == DisputeStatus.REFUNDED
    assert available(buyer) == D("1000.00")
    # and a release now is refused: the money already went to the buyer
    with pytest.raises(DisputeAlreadyDecided):
        dispute_decide(operator=operator, public_id=dispute.public_id, outcome="release")
    assert ledger_problems() == []


def test_a_release_is_refused_when_the_buyer_was_refunded_meanwhile(buyer, operator):
    dispute = opened(buyer)
    purchase_refund(purchase_id=dispute.purchase.pk, to="wallet", actor=operator)

    with pytest.raises(DisputeAlreadyDecided):
        dispute_decide(operator=operator, public_id=dispute.public_id, outcome="release")

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert available(dispute.purchase.seller) == 0


def test_a_purchase_refunded_outside_its_dispute_closes_the_dispute_without_a_loss(buyer):
    seller = UserFactory()
    disputes = []
    for _ in range(3):
        purchase = paid_purchase(buyer, seller=seller)
        disputes.append(dispute_open(buyer=buyer, number=purchase.number, note="Invalid"))
        purchase_refund(purchase_id=purchase.pk, to=RefundTo.WALLET, reason="support")

    disputes_overdue()

    for dispute in disputes:
        dispute.refresh_from_db()
        assert (dispute.status, dispute.refund_to) == (DisputeStatus.REFUNDED, RefundTo.WALLET)
        assert dispute.decided_at is not None
    assert not Suspension.objects.filter(user=seller).exists()
    assert disputes_settled_elsewhere() == 0


def test_a_coupon_bought_in_its_dispute_window_cannot_be_sold_or_swapped_on(buyer):
    # A buyer who could sell on before the window ends could then be refunded as well.
    # given: a verified purchase (re-keyed, so its fresh code could be listed again)
    purchase = purchase_create(
        buyer=buyer,
        listing_public_id=verified_listing().public_id,
        method=PaymentMethod.WALLET,
        idempotency_key="verified",
    )

    with pytest.raises(CouponInDisputeWindow):
        listing_create(
            seller=buyer, coupon=purchase.buyer_coupon, price=D("50.00"), swap_welcome=False
        )
    wanted = ListingFactory()
    with pytest.raises(CouponInDisputeWindow):
        exchange_request(
            requester=buyer,
            wanted_public_id=wanted.public_id,
            offered_public_id=purchase.buyer_coupon.public_id,
        )

    window_over(purchase)
    purchase_release(purchase_id=purchase.pk)
    listing = listing_create(
        seller=buyer, coupon=purchase.buyer_coupon, price=D("50.00"), swap_welcome=False
    )
    assert listing.status == ListingStatus.LIVE


def test_a_refund_after_release_is_refused_once_the_buyer_sold_the_coupon_on(buyer, operator):
    # given: the buyer resold what they bought (verified, so relistable), and it sold
    purchase = purchase_create(
        buyer=buyer,
        listing_public_id=verified_listing().public_id,
        method=PaymentMethod.WALLET,
        idempotency_key="verified",
    )
    window_over(purchase)
    purchase = purchase_release(purchase_id=purchase.pk)
    resale = listing_create(
        seller=buyer, coupon=purchase.buyer_coupon, price=D("80.00"), swap_welcome=False
    )
    next_buyer = UserFactory()
    wallet_credit(next_buyer, "500.00")
    purchase_create(
        buyer=next_buyer,
        listing_public_id=resale.public_id,
        method=PaymentMethod.WALLET,
        idempotency_key="resale",
    )
    buyer_before = available(buyer)

    # when / then: refunding the first purchase would pay the buyer twice
    with pytest.raises(RefundNotAllowed):
        purchase_refund_after_release(operator=operator, number=purchase.number)
    purchase.refresh_from_db()
    assert purchase.status == S.RELEASED
    assert available(buyer) == buyer_before
