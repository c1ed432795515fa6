"""Buying a listed coupon, as buyer, seller and the ledger see it: paid from the wallet or the
gateway (dev gateway), delivered (verified resale re-keys the book code), released to the
seller after the window, refunded."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from commerce.gateways import gateway
from commerce.models import Payment, PaymentStatus, Refund
from commerce.services.payments import payables_expire_overdue, payment_verify
from commerce.tests.factories import wallet_credit
from marketplace import kinds
from marketplace.errors import (
    ListingNotForSale,
    ListingNotFound,
    OwnListing,
    PurchaseNotRefundable,
    ResaleNotPossible,
)
from marketplace.models import (
    CouponStatus,
    Exchange,
    ExchangeStatus,
    ListingStatus,
    LockerCoupon,
    Purchase,
    PurchaseStatus,
    RefundTo,
    SellerDebt,
    Source,
)
from marketplace.purchases.services import (
    purchase_create,
    purchase_refund,
    purchase_release,
    purchases_release_due,
)
from marketplace.tests.factories import ListingFactory
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit
from wallet import services as ledger
from wallet.errors import InsufficientFunds
from wallet.ledger import ledger_problems

from .conftest import verified_listing

pytestmark = pytest.mark.django_db
S = PurchaseStatus


def available(user) -> D:
    return ledger.balances(user)["available"]


def escrow() -> D:
    return ledger.platform_balance(kinds.ESCROW)


def buy(buyer, listing, *, method="wallet", key="k1"):
    return purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method=method, idempotency_key=key
    )


def pay_on_dev_gateway(purchase, *, succeed=True):
    payment = Payment.objects.get(payable_kind=kinds.PAYABLE, payable_ref=str(purchase.pk))
    result = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=succeed)
    return result.callback


def verify(purchase, callback):
    return payment_verify(
        user=purchase.buyer,
        gateway_order_id=callback["razorpay_order_id"],
        payment_id=callback["razorpay_payment_id"],
        signature=callback["razorpay_signature"],
    )


def past_window(purchase):
    Purchase.objects.filter(pk=purchase.pk).update(
        window_ends_at=timezone.now() - timedelta(seconds=1)
    )


# --- Paying from the wallet --------------------------------------------------------------------


def test_a_wallet_purchase_pays_into_escrow_and_moves_the_code_to_the_buyer(
    buyer, listing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        purchase = buy(buyer, listing)

    assert purchase.status == S.PAID
    assert purchase.number.startswith("MP-")
    assert (purchase.price, purchase.fee) == (D("120.00"), D("6.00"))
    assert available(buyer) == D("380.00")
    assert escrow() == D("120.00")
    bought = LockerCoupon.objects.get(owner=buyer)
    assert (bought.code, bought.source, bought.status) == (
        listing.coupon.code,
        Source.BOUGHT,
        CouponStatus.ACTIVE,
    )
    assert purchase.buyer_coupon == bought
    listing.refresh_from_db()
    listing.coupon.refresh_from_db()
    assert listing.status == ListingStatus.SOLD
    assert listing.coupon.status == CouponStatus.SOLD
    # not verified: the long dispute window
    assert purchase.window_ends_at - purchase.paid_at == timedelta(hours=72)
    kinds_sent = set(Notification.objects.values_list("user_id", "kind"))
    assert kinds_sent == {(listing.seller_id, kinds.NOTICE_SALE), (buyer.pk, kinds.NOTICE_PURCHASE)}
    assert ledger_problems() == []


def test_the_same_key_again_returns_the_first_purchase_and_charges_once(buyer, listing):
    first = buy(buyer, listing, key="same")
    again = buy(buyer, listing, key="same")

    assert again.pk == first.pk
    assert available(buyer) == D("380.00")
    assert Purchase.objects.count() == 1


def test_a_buyer_cannot_buy_their_own_listing(listing):
    wallet_credit(listing.seller, "500.00")
    with pytest.raises(OwnListing):
        buy(listing.seller, listing)
    assert not Purchase.objects.exists()


def test_a_sold_or_withdrawn_listing_is_refused_before_paying(buyer, listing):
    buy(buyer, listing)
    late = UserFactory()
    wallet_credit(late, "500.00")
    withdrawn = ListingFactory(status=ListingStatus.WITHDRAWN)

    with pytest.raises(ListingNotForSale):
        buy(late, listing)
    with pytest.raises(ListingNotForSale):
        buy(late, withdrawn)
    assert available(late) == D("500.00")


def test_an_unknown_listing_is_not_found(buyer):
    with pytest.raises(ListingNotFound):
        purchase_create(
            buyer=buyer,
            listing_public_id="00000000-0000-0000-0000-000000000000",
            method="wallet",
            idempotency_key="k",
        )


def test_too_little_in_the_wallet_is_refused_with_a_clear_message_and_nothing_kept(listing):
    poor = UserFactory()
    wallet_credit(poor, "100.00")

    with pytest.raises(InsufficientFunds, match=r"less than ₹120\.00"):
        buy(poor, listing)

    assert not Purchase.objects.exists()
    assert available(poor) == D("100.00")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.LIVE


# --- Paying through the gateway ----------------------------------------------------------------


def test_a_card_purchase_waits_for_payment_then_the_dev_gateway_pays_and_delivers(buyer, listing):
    purchase = buy(buyer, listing, method="razorpay")
    assert purchase.status == S.PENDING_PAYMENT
    payment = Payment.objects.get(payable_kind=kinds.PAYABLE)
    assert (payment.amount_paise, payment.user) == (12000, buyer)

    paid = verify(purchase, pay_on_dev_gateway(purchase))

    assert paid.status == S.PAID
    assert available(buyer) == D("500.00")  # the card paid
    assert escrow() == D("120.00")
    assert LockerCoupon.objects.get(owner=buyer).code == listing.coupon.code
    assert ledger_problems() == []


def test_a_pending_card_purchase_holds_the_listing_against_other_buyers(buyer, listing):
    buy(buyer, listing, method="razorpay")
    other = UserFactory()
    wallet_credit(other, "500.00")

    with pytest.raises(ListingNotForSale):
        buy(other, listing)
    assert available(other) == D("500.00")


def test_an_unpaid_card_purchase_expires_and_frees_the_listing(buyer, listing):
    purchase = buy(buyer, listing, method="razorpay")
    Purchase.objects.filter(pk=purchase.pk).update(pay_by=timezone.now() - timedelta(seconds=1))

    payables_expire_overdue()

    purchase.refresh_from_db()
    assert purchase.status == S.EXPIRED
    other = UserFactory()
    wallet_credit(other, "500.00")
    assert buy(other, listing).status == S.PAID


def test_a_failed_card_payment_fails_the_purchase(buyer, listing):
    from commerce.services.payments import payment_report_failure

    purchase = buy(buyer, listing, method="razorpay")
    callback = pay_on_dev_gateway(purchase, succeed=False)
    import json

    metadata = json.loads(callback["error[metadata]"])
    payment_report_failure(
        user=buyer, gateway_order_id=metadata["order_id"], payment_id=metadata["payment_id"]
    )

    purchase.refresh_from_db()
    assert purchase.status == S.FAILED
    listing.refresh_from_db()
    assert listing.status == ListingStatus.LIVE


def test_a_capture_after_the_purchase_expired_is_refunded_in_full(
    buyer, listing, django_capture_on_commit_callbacks
):
    # given a card purchase that expired, then another buyer bought the listing
    purchase = buy(buyer, listing, method="razorpay")
    payment = Payment.objects.get(payable_kind=kinds.PAYABLE)
    Purchase.objects.filter(pk=purchase.pk).update(status=S.EXPIRED)
    other = UserFactory()
    wallet_credit(other, "500.00")
    buy(other, listing)

    # when the first buyer's payment is captured late
    with django_capture_on_commit_callbacks(execute=True):
        result = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
        verify(purchase, result.callback)

    # then it is refunded and the sale stands for the other buyer
    purchase.refresh_from_db()
    assert purchase.status == S.EXPIRED
    refund = Refund.objects.get(payable_kind=kinds.PAYABLE, payable_ref=str(purchase.pk))
    assert refund.gateway_amount == D("120.00")
    assert escrow() == D("120.00")  # the other buyer's
    assert Notification.objects.filter(user=buyer, kind=kinds.NOTICE_PURCHASE).exists()
    assert ledger_problems() == []


def test_a_card_payment_for_a_listing_withdrawn_meanwhile_is_refunded(buyer, listing):
    purchase = buy(buyer, listing, method="razorpay")
    listing.status = ListingStatus.WITHDRAWN
    listing.save()

    verify(purchase, pay_on_dev_gateway(purchase))

    purchase.refresh_from_db()
    assert purchase.status == S.REFUNDED
    assert Refund.objects.get().gateway_amount == D("120.00")
    assert escrow() == D("0.00")
    assert not LockerCoupon.objects.filter(owner=buyer).exists()
    assert ledger_problems() == []


# --- Verified resale ---------------------------------------------------------------------------


def test_a_verified_sale_voids_the_sellers_code_and_issues_a_fresh_one_to_the_buyer(buyer):
    listing = verified_listing()
    old = listing.coupon.book_code

    purchase = buy(buyer, listing)

    old.refresh_from_db()
    assert old.status == CodeStatus.VOID
    fresh = CouponCode.objects.get(holder=buyer)
    assert fresh.status == CodeStatus.ASSIGNED and fresh.code.startswith("FRESH-")
    bought = LockerCoupon.objects.get(owner=buyer)
    assert (bought.code, bought.book_code) == (fresh.code, fresh)
    assert purchase.window_ends_at - purchase.paid_at == timedelta(hours=24)
    audit = RedemptionAudit.objects.filter(order_reference=purchase.number)
    assert set(audit.values_list("action", "code_id")) == {
        (AuditAction.VOID, old.pk),
        (AuditAction.ASSIGN, fresh.pk),
    }


def test_a_verified_listing_whose_book_has_no_free_code_is_refused_before_paying(buyer):
    listing = verified_listing(free_codes=0)

    with pytest.raises(ResaleNotPossible):
        buy(buyer, listing)

    assert available(buyer) == D("500.00")
    assert listing.coupon.book_code.status == CodeStatus.ASSIGNED


def test_a_verified_listing_whose_code_the_seller_redeemed_is_refused(buyer):
    listing = verified_listing()
    CouponCode.objects.filter(pk=listing.coupon.book_code_id).update(
        status=CodeStatus.REDEEMED, redemption_count=1
    )

    with pytest.raises(ResaleNotPossible):
        buy(buyer, listing)


# --- Release -----------------------------------------------------------------------------------


def test_the_seller_is_paid_less_the_fee_once_the_window_ends(
    buyer, listing, django_capture_on_commit_callbacks
):
    purchase = buy(buyer, listing)
    assert purchase_release(purchase_id=purchase.pk).status == S.PAID  # window still open

    past_window(purchase)
    with django_capture_on_commit_callbacks(execute=True):
        released = purchase_release(purchase_id=purchase.pk)
    again = purchase_release(purchase_id=purchase.pk)

    assert released.status == again.status == S.RELEASED
    assert available(listing.seller) == D("114.00")
    assert ledger.platform_balance(kinds.FEES) == D("6.00")
    assert escrow() == D("0.00")
    assert Notification.objects.filter(user=listing.seller, kind=kinds.NOTICE_PAYOUT).exists()
    assert ledger_problems() == []


def test_release_due_pays_every_purchase_past_its_window(buyer):
    first, second = ListingFactory(), ListingFactory()
    done = buy(buyer, first, key="a")
    waiting = buy(buyer, second, key="b")
    past_window(done)

    assert purchases_release_due() == 1

    assert Purchase.objects.get(pk=done.pk).status == S.RELEASED
    assert Purchase.objects.get(pk=waiting.pk).status == S.PAID


def test_a_release_takes_the_sellers_outstanding_debt_first(buyer, listing):
    # given the seller owes ₹100 from an earlier refunded sale
    earlier = buy(buyer, ListingFactory(seller=listing.seller), key="earlier")
    SellerDebt.objects.create(seller=listing.seller, purchase=earlier, amount=D("100.00"))
    purchase = buy(buyer, listing, key="now")
    past_window(purchase)

    purchase_release(purchase_id=purchase.pk)

    debt = SellerDebt.objects.get()
    assert debt.recovered == D("100.00")
    assert available(listing.seller) == D("14.00")
    assert ledger.platform_balance(kinds.RECEIVABLE) == D("100.00")


def test_a_disputed_purchase_is_not_released_by_the_beat_but_is_when_forced(buyer, listing):
    purchase = buy(buyer, listing)
    Purchase.objects.filter(pk=purchase.pk).update(status=S.DISPUTED)
    past_window(purchase)

    assert purchases_release_due() == 0
    assert purchase_release(purchase_id=purchase.pk, force=True).status == S.RELEASED


# --- Refunds -----------------------------------------------------------------------------------


def test_a_refund_to_the_wallet_returns_the_price_and_takes_the_coupon_back(buyer, listing):
    purchase = buy(buyer, listing)

    refunded = purchase_refund(purchase_id=purchase.pk, to=RefundTo.WALLET, reason="no good")

    assert refunded.status == S.REFUNDED
    assert available(buyer) == D("500.00")
    assert escrow() == D("0.00")
    assert LockerCoupon.objects.get(owner=buyer).status == CouponStatus.GONE
    listing.coupon.refresh_from_db()
    assert listing.coupon.status == CouponStatus.SOLD
    with pytest.raises(PurchaseNotRefundable):
        purchase_refund(purchase_id=purchase.pk, to=RefundTo.WALLET)
    assert ledger_problems() == []


def test_a_refunded_verified_purchase_voids_the_buyers_fresh_code_at_the_brand(buyer):
    listing = verified_listing()
    old = listing.coupon.book_code
    purchase = buy(buyer, listing)
    fresh = CouponCode.objects.get(holder=buyer)

    purchase_refund(purchase_id=purchase.pk, to=RefundTo.WALLET, reason="did not work")

    fresh.refresh_from_db()
    old.refresh_from_db()
    assert fresh.status == CodeStatus.VOID  # the refunded buyer can't spend it
    assert old.status == CodeStatus.VOID  # nor can the seller: it stays spent
    assert LockerCoupon.objects.get(owner=buyer).status == CouponStatus.GONE
    listing.coupon.refresh_from_db()
    assert listing.coupon.status == CouponStatus.SOLD
    voids = RedemptionAudit.objects.filter(
        code=fresh, action=AuditAction.VOID, order_reference=purchase.number
    )
    assert voids.count() == 1
    assert available(buyer) == D("500.00")
    assert ledger_problems() == []


def test_a_refund_ends_the_buyers_swap_offers_of_the_coupon_they_bought(buyer):
    # (Listing or offering it on is refused until the window ends: disputes' tests.)
    purchase = buy(buyer, verified_listing())
    bought = LockerCoupon.objects.get(owner=buyer)
    asked = ListingFactory(swap_welcome=True)
    exchange = Exchange.objects.create(
        requester=asked.seller,
        responder=buyer,
        offered=asked.coupon,
        wanted=bought,
        expires_at=timezone.now() + timedelta(hours=48),
    )

    purchase_refund(purchase_id=purchase.pk, to=RefundTo.WALLET)

    bought.refresh_from_db()
    exchange.refresh_from_db()
    assert bought.status == CouponStatus.GONE
    assert exchange.status == ExchangeStatus.WITHDRAWN


def test_a_card_purchase_refunded_to_the_gateway_goes_back_to_the_card(
    buyer, listing, django_capture_on_commit_callbacks
):
    purchase = buy(buyer, listing, method="razorpay")
    verify(purchase, pay_on_dev_gateway(purchase))

    with django_capture_on_commit_callbacks(execute=True):
        purchase_refund(purchase_id=purchase.pk, to=RefundTo.GATEWAY)

    refund = Refund.objects.get()
    assert (refund.gateway_amount, refund.wallet_amount) == (D("120.00"), D("0.00"))
    assert available(buyer) == D("500.00")  # nothing to the wallet
    assert escrow() == D("0.00")
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert ledger_problems() == []


# --- Reconciliation ----------------------------------------------------------------------------


def test_reconciliation_reports_escrow_that_does_not_match_the_open_purchases(buyer, listing):
    purchase = buy(buyer, listing)
    assert ledger_problems() == []

    # a purchase marked refunded without its money leaving escrow
    Purchase.objects.filter(pk=purchase.pk).update(status=S.REFUNDED)

    assert ledger_problems() == [
        "escrow account escrow:marketplace holds 120.00 but the paid and disputed marketplace "
        "purchases come to 0.00"
    ]
