"""The marketplace as a state machine: hypothesis drives random histories of coupons added (the
same code in several lockers, and codes claimed from a resale-allowed book), listings made and
withdrawn, purchases paid from the wallet or through the dev gateway (paid, failed, expired,
paid late), disputes opened and decided, releases after the window, refunds after release and
swaps asked, accepted, rejected and cancelled, all through the areas' real services, and after
every step checks that the money and the codes agree with the purchases.

Each example runs inside a savepoint its `teardown` rolls back (as the shop's machine does);
callbacks registered for the commit run at the end of every step, as after a real commit.
"""

import contextlib
import json
import os
from collections import Counter
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from commerce.gateways import gateway
from commerce.models import Payment
from commerce.services.payments import (
    payables_expire_overdue,
    payment_report_failure,
    payment_verify,
)
from commerce.tests.factories import wallet_credit
from coupzii.core.errors import DomainError
from marketplace import kinds
from marketplace.disputes.services import (
    dispute_decide,
    dispute_open,
    purchase_refund_after_release,
)
from marketplace.listings.services import listing_create, listing_withdraw
from marketplace.locker.services import (
    locker_coupon_add,
    locker_coupon_update,
    locker_import_held,
)
from marketplace.models import (
    HOLDS_LISTING,
    IN_ESCROW,
    LIVE_OR_SOLD,
    Benefit,
    CouponStatus,
    Dispute,
    DisputeStatus,
    Exchange,
    ExchangeStatus,
    Listing,
    ListingStatus,
    LockerCoupon,
    Purchase,
    PurchaseStatus,
    Source,
)
from marketplace.purchases.services import purchase_create, purchases_release_due
from marketplace.swaps.services import (
    exchange_accept,
    exchange_cancel,
    exchange_reject,
    exchange_request,
)
from offers import services as offer_services
from offers.models import CodeStatus, CouponBook, CouponCode
from offers.tests.factories import OfferFactory
from wallet import services as ledger
from wallet.tests.factories import operator

pytestmark = pytest.mark.django_db

S = PurchaseStatus
ZERO = D("0.00")
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("MARKET_MACHINE_EXAMPLES", "6")),
    stateful_step_count=int(os.environ.get("MARKET_MACHINE_STEPS", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
USERS = 3
# Few codes, so the same code often sits in two lockers and two sellers try to list it.
CODES = ("MACHINE-AAA1", "MACHINE-BBB2", "MACHINE-CCC3", "MACHINE-DDD4")
# Fees of 5% on these are whole paise (SQLite keeps decimals as floats).
PRICES = (D("50.00"), D("120.00"), D("180.00"))
FREE_BOOK_CODES = 12
ESCROW_HELD = list(IN_ESCROW)


def _sum(rows, field) -> D:
    return rows.aggregate(total=Sum(field))["total"] or ZERO


class MarketMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic._from_testcase = True  # durable services may run inside it
        self._atomic.__enter__()
        self.staff = operator()
        self.users = [UserFactory() for _ in range(USERS)]
        for user in self.users:
            wallet_credit(user, "400.00")
        self.merchant = MerchantFactory()
        offer = OfferFactory(kind="unique_code", merchant=self.merchant)
        self.book = CouponBook.objects.create(
            offer=offer, name="Resale book", resale_allowed=True, swap_allowed=True
        )
        for n in range(FREE_BOOK_CODES):
            CouponCode.objects.create(book=self.book, code=f"BOOK-{n:04d}")
        self.keys = Counter()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _step(self, action):
        """Run a step; a refusal is fine (the invariants judge what it left). What the step
        scheduled for the commit runs after it, as after a commit."""
        with TestCase.captureOnCommitCallbacks(execute=True), contextlib.suppress(DomainError):
            return action()
        return None

    def _ids(self, model, **filters) -> list[int]:
        return sorted(model.objects.filter(**filters).values_list("pk", flat=True))

    def _pick(self, data, model, **filters):
        return model.objects.get(pk=data.draw(st.sampled_from(self._ids(model, **filters))))

    # --- Lockers ---------------------------------------------------------------------------

    @rule(user=st.integers(0, USERS - 1), code=st.sampled_from(CODES))
    def add_coupon(self, user, code):
        self._step(
            lambda: locker_coupon_add(
                owner=self.users[user],
                code=code,
                source=Source.MANUAL,
                benefit=Benefit.FIXED,
                merchant=self.merchant,
                benefit_value=D("200.00"),
                expires_on=timezone.localdate() + timedelta(days=30),
            )
        )

    @rule(user=st.integers(0, USERS - 1))
    def claim_book_code(self, user):
        shopper = self.users[user]
        self._step(lambda: offer_services.code_claim(offer_or_book=self.book, user=shopper))
        self._step(lambda: locker_import_held(user=shopper))
        for coupon in LockerCoupon.objects.filter(owner=shopper, worth=None):
            self._step(lambda c=coupon: locker_coupon_update(coupon=c, changes={"worth": "150"}))

    @rule(user=st.integers(0, USERS - 1), amount=st.sampled_from(["50.00", "200.00"]))
    def top_up(self, user, amount):
        wallet_credit(self.users[user], amount)

    # --- Listings --------------------------------------------------------------------------

    @precondition(lambda self: self._ids(LockerCoupon, status=CouponStatus.ACTIVE))
    @rule(data=st.data(), price=st.sampled_from(PRICES), swap=st.booleans())
    def list_coupon(self, data, price, swap):
        coupon = self._pick(data, LockerCoupon, status=CouponStatus.ACTIVE)
        self._step(
            lambda: listing_create(
                seller=coupon.owner,
                coupon=coupon,
                price=min(price, coupon.worth or price),
                swap_welcome=swap,
            )
        )

    @precondition(lambda self: self._ids(Listing, status=ListingStatus.LIVE))
    @rule(data=st.data())
    def withdraw(self, data):
        listing = self._pick(data, Listing, status=ListingStatus.LIVE)
        self._step(lambda: listing_withdraw(seller=listing.seller, listing=listing))

    # --- Buying ----------------------------------------------------------------------------

    @precondition(lambda self: self._ids(Listing, status=ListingStatus.LIVE))
    @rule(
        data=st.data(),
        buyer=st.integers(0, USERS - 1),
        method=st.sampled_from(["wallet", "razorpay"]),
        retry=st.booleans(),
    )
    def buy(self, data, buyer, method, retry):
        listing = self._pick(data, Listing, status=ListingStatus.LIVE)
        shopper = self.users[buyer]
        if not retry:
            self.keys[shopper.pk] += 1
        key = f"key-{self.keys[shopper.pk]}"
        before = Purchase.objects.filter(buyer=shopper, idempotency_key=key).first()
        purchase = self._step(
            lambda: purchase_create(
                buyer=shopper,
                listing_public_id=listing.public_id,
                method=method,
                idempotency_key=key,
            )
        )
        if before is not None and purchase is not None:
            assert purchase.pk == before.pk  # the same key is the first purchase

    def _payment(self, purchase) -> Payment:
        return Payment.objects.filter(
            payable_kind=kinds.PAYABLE, payable_ref=str(purchase.pk)
        ).first()

    @precondition(
        lambda self: self._ids(
            Purchase, method="razorpay", status__in=[S.PENDING_PAYMENT, S.FAILED, S.EXPIRED]
        )
    )
    @rule(data=st.data())
    def pay(self, data):
        """The dev gateway captures: in time it delivers; after a failure or expiry (a late
        capture) the payment path refunds it."""
        purchase = self._pick(
            data, Purchase, method="razorpay", status__in=[S.PENDING_PAYMENT, S.FAILED, S.EXPIRED]
        )
        payment = self._payment(purchase)
        if payment is None or payment.gateway_payment_id:
            return

        def capture():
            dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
            return payment_verify(
                user=purchase.buyer,
                gateway_order_id=dev.callback["razorpay_order_id"],
                payment_id=dev.callback["razorpay_payment_id"],
                signature=dev.callback["razorpay_signature"],
            )

        self._step(capture)

    @precondition(lambda self: self._ids(Purchase, status=S.PENDING_PAYMENT))
    @rule(data=st.data())
    def fail(self, data):
        purchase = self._pick(data, Purchase, status=S.PENDING_PAYMENT)
        payment = self._payment(purchase)

        def decline():
            dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=False)
            metadata = json.loads(dev.callback["error[metadata]"])
            return payment_report_failure(
                user=purchase.buyer,
                gateway_order_id=metadata["order_id"],
                payment_id=metadata["payment_id"],
            )

        self._step(decline)

    @precondition(lambda self: self._ids(Purchase, status=S.PENDING_PAYMENT))
    @rule(data=st.data())
    def expire(self, data):
        purchase = self._pick(data, Purchase, status=S.PENDING_PAYMENT)
        Purchase.objects.filter(pk=purchase.pk).update(pay_by=timezone.now() - timedelta(seconds=1))
        self._step(payables_expire_overdue)

    # --- After payment ---------------------------------------------------------------------

    @precondition(lambda self: self._ids(Purchase, status=S.PAID))
    @rule(data=st.data())
    def dispute(self, data):
        purchase = self._pick(data, Purchase, status=S.PAID)
        self._step(
            lambda: dispute_open(
                buyer=purchase.buyer, number=purchase.number, note="The code did not work."
            )
        )

    @precondition(
        lambda self: self._ids(Dispute, status__in=[DisputeStatus.OPEN, DisputeStatus.ANSWERED])
    )
    @rule(
        data=st.data(),
        outcome=st.sampled_from(["refund", "release"]),
        refund_to=st.sampled_from(["gateway", "wallet"]),
    )
    def decide(self, data, outcome, refund_to):
        dispute = self._pick(data, Dispute, status__in=[DisputeStatus.OPEN, DisputeStatus.ANSWERED])
        self._step(
            lambda: dispute_decide(
                operator=self.staff,
                public_id=dispute.public_id,
                outcome=outcome,
                refund_to=refund_to,
            )
        )

    @precondition(lambda self: self._ids(Purchase, status=S.PAID))
    @rule(data=st.data())
    def release(self, data):
        """The window of one purchase ends and the beat task runs."""
        purchase = self._pick(data, Purchase, status=S.PAID)
        Purchase.objects.filter(pk=purchase.pk).update(
            window_ends_at=timezone.now() - timedelta(seconds=1)
        )
        self._step(purchases_release_due)

    @precondition(lambda self: self._ids(Purchase, status=S.RELEASED))
    @rule(data=st.data())
    def refund_after_release(self, data):
        purchase = self._pick(data, Purchase, status=S.RELEASED)
        self._step(
            lambda: purchase_refund_after_release(
                operator=self.staff, number=purchase.number, note="Operator's call."
            )
        )

    # --- Swaps -----------------------------------------------------------------------------

    @precondition(
        lambda self: (
            self._ids(Listing, status=ListingStatus.LIVE)
            and self._ids(LockerCoupon, status__in=[CouponStatus.ACTIVE, CouponStatus.LISTED])
        )
    )
    @rule(data=st.data(), cash=st.sampled_from(["0", "30.00"]))
    def swap_request(self, data, cash):
        listing = self._pick(data, Listing, status=ListingStatus.LIVE)
        offered = self._pick(
            data, LockerCoupon, status__in=[CouponStatus.ACTIVE, CouponStatus.LISTED]
        )
        self._step(
            lambda: exchange_request(
                requester=offered.owner,
                wanted_public_id=listing.public_id,
                offered_public_id=offered.public_id,
                cash=cash,
            )
        )

    @precondition(lambda self: self._ids(Exchange, status=ExchangeStatus.PENDING))
    @rule(data=st.data(), answer=st.sampled_from(["accept", "accept", "reject", "cancel"]))
    def swap_answer(self, data, answer):
        exchange = self._pick(data, Exchange, status=ExchangeStatus.PENDING)
        if answer == "accept":
            self._step(
                lambda: exchange_accept(responder=exchange.responder, public_id=exchange.public_id)
            )
        elif answer == "reject":
            self._step(
                lambda: exchange_reject(responder=exchange.responder, public_id=exchange.public_id)
            )
        else:
            self._step(
                lambda: exchange_cancel(requester=exchange.requester, public_id=exchange.public_id)
            )

    # --- Invariants ------------------------------------------------------------------------

    @invariant()
    def the_ledger_is_sound(self):
        assert ledger.ledger_problems() == []

    @invariant()
    def escrow_holds_exactly_the_open_purchases(self):
        escrow = ledger.platform_balance(kinds.ESCROW)
        assert escrow == _sum(Purchase.objects.filter(status__in=ESCROW_HELD), "price")

    @invariant()
    def no_balance_is_negative(self):
        for user in self.users:
            for kind, amount in ledger.balances(user).items():
                assert amount >= ZERO, (user.pk, kind, amount)

    @invariant()
    def a_code_is_live_or_sold_in_one_listing_at_most(self):
        digests = Counter(
            Listing.objects.filter(status__in=LIVE_OR_SOLD).values_list("code_digest", flat=True)
        )
        assert all(count == 1 for count in digests.values()), digests

    @invariant()
    def a_listing_is_held_by_one_purchase_at_most(self):
        held = Counter(
            Purchase.objects.filter(status__in=HOLDS_LISTING).values_list("listing_id", flat=True)
        )
        assert all(count == 1 for count in held.values()), held

    @invariant()
    def a_live_listing_offers_a_listed_coupon_of_its_seller(self):
        live = Listing.objects.filter(status=ListingStatus.LIVE)
        for listing in live.select_related("coupon"):
            assert listing.coupon.owner_id == listing.seller_id
            assert listing.coupon.status == CouponStatus.LISTED, (
                f"live listing {listing.pk} of a {listing.coupon.status} coupon"
            )

    @invariant()
    def a_buyer_who_paid_holds_one_coupon_for_it(self):
        received = Counter()
        for purchase in Purchase.objects.select_related("buyer_coupon", "listing"):
            if purchase.status in (S.PAID, S.DISPUTED, S.RELEASED):
                coupon = purchase.buyer_coupon
                assert coupon is not None and coupon.owner_id == purchase.buyer_id
                assert coupon.source == Source.BOUGHT
                assert purchase.listing.status == ListingStatus.SOLD
                received[coupon.pk] += 1
            elif purchase.status in (S.PENDING_PAYMENT, S.FAILED, S.EXPIRED):
                assert purchase.buyer_coupon_id is None  # no code without paying
            if purchase.status == S.REFUNDED and purchase.buyer_coupon_id:
                # The money went back: the buyer no longer holds what they bought.
                assert purchase.buyer_coupon.status == CouponStatus.GONE
        assert all(count == 1 for count in received.values())
        bought = set(LockerCoupon.objects.filter(source=Source.BOUGHT).values_list("pk", flat=True))
        delivered = set(
            Purchase.objects.exclude(buyer_coupon=None).values_list("buyer_coupon_id", flat=True)
        )
        assert bought == delivered  # every bought coupon came from one purchase

    @invariant()
    def a_resold_book_code_is_void_for_its_seller(self):
        for purchase in Purchase.objects.filter(
            verified=True, status__in=[S.PAID, S.DISPUTED, S.RELEASED]
        ).select_related("listing__coupon__book_code", "buyer_coupon__book_code"):
            sold = purchase.listing.coupon.book_code
            fresh = purchase.buyer_coupon.book_code
            assert sold is not None and sold.status == CodeStatus.VOID
            assert fresh is not None and fresh.holder_id == purchase.buyer_id


def test_the_marketplace_keeps_money_and_codes_in_step_through_random_histories():
    run_state_machine_as_test(MarketMachine, settings=MACHINE_SETTINGS)


def test_a_refund_after_release_takes_down_the_buyers_relisting_of_the_coupon():
    """Found by the machine: a verified purchase (re-keyed, so its new code can be listed),
    released to the seller, relisted by its buyer, then refunded after release by an operator:
    the buyer's listing of it comes down with the coupon, so they can't sell it as well."""
    from marketplace.purchases.tests.conftest import verified_listing

    listing = verified_listing()
    buyer = UserFactory()
    wallet_credit(buyer, "500.00")
    with TestCase.captureOnCommitCallbacks(execute=True):
        purchase = purchase_create(
            buyer=buyer, listing_public_id=listing.public_id, method="wallet", idempotency_key="k"
        )
        Purchase.objects.filter(pk=purchase.pk).update(
            window_ends_at=timezone.now() - timedelta(seconds=1)
        )
        purchases_release_due()
    relisted = listing_create(
        seller=buyer, coupon=purchase.buyer_coupon, price=D("100.00"), swap_welcome=False
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        purchase_refund_after_release(operator=operator(), number=purchase.number, note="Refund.")

    relisted.refresh_from_db()
    assert relisted.status != ListingStatus.LIVE
