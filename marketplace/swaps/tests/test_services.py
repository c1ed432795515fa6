"""Swaps: asking, accepting (both codes move or neither), declining, cancelling, expiry and
withdrawal when a coupon is sold elsewhere."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from commerce.tests.factories import wallet_credit
from marketplace import errors
from marketplace.models import (
    CouponStatus,
    Exchange,
    ExchangeStatus,
    ListingStatus,
    LockerCoupon,
    PaymentMethod,
    Source,
)
from marketplace.purchases.services import purchase_create
from marketplace.swaps.services import (
    exchange_accept,
    exchange_cancel,
    exchange_reject,
    exchange_request,
    exchanges_expire,
    exchanges_withdraw_for,
)
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from wallet.errors import InsufficientFunds
from wallet.services import balances

from .helpers import ask, spend

pytestmark = pytest.mark.django_db


def held_codes(user) -> set[str]:
    return {
        c.code
        for c in LockerCoupon.objects.filter(owner=user).exclude(
            status__in=[CouponStatus.GONE, CouponStatus.SOLD]
        )
    }


# --- Asking -------------------------------------------------------------------------------------


def test_a_swap_request_waits_48_hours_and_tells_the_coupons_owner(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered, cash="50", message="Fair?")

    assert exchange.status == ExchangeStatus.PENDING
    assert (exchange.requester, exchange.responder) == (ravi, asha)
    assert exchange.listing == listing
    assert exchange.cash == Decimal("50.00")
    hours = (exchange.expires_at - timezone.now()).total_seconds() / 3600
    assert 47.9 < hours <= 48
    notice = Notification.objects.get(user=asha)
    assert "swap offer" in notice.title.lower()
    assert notice.link == f"/marketplace/swaps/{exchange.public_id}/"


def test_a_swap_can_name_the_listing_instead_of_the_coupon(ravi, listing, offered):
    exchange = exchange_request(
        requester=ravi, wanted_public_id=listing.public_id, offered_public_id=offered.public_id
    )

    assert exchange.wanted == listing.coupon


def test_a_coupon_that_is_not_listed_cannot_be_asked_for(ravi, offered):
    unlisted = LockerCouponFactory()

    with pytest.raises(errors.ListingNotFound):
        exchange_request(
            requester=ravi, wanted_public_id=unlisted.public_id, offered_public_id=offered.public_id
        )


def test_nobody_swaps_for_their_own_coupon(asha, listing):
    with pytest.raises(errors.OwnListing):
        ask(asha, listing, LockerCouponFactory(owner=asha))


def test_only_your_own_active_coupon_can_be_offered(ravi, listing):
    with pytest.raises(errors.CouponNotFound):
        ask(ravi, listing, LockerCouponFactory())
    with pytest.raises(errors.CouponNotAvailable):
        ask(ravi, listing, LockerCouponFactory(owner=ravi, status=CouponStatus.USED))
    expired = LockerCouponFactory(owner=ravi, expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(errors.CouponNotAvailable):
        ask(ravi, listing, expired)


def test_a_coupon_you_listed_yourself_can_be_offered(ravi, listing):
    mine = ListingFactory(coupon__owner=ravi)

    exchange = ask(ravi, listing, mine.coupon)

    assert exchange.offered == mine.coupon


def test_rupees_must_be_in_the_wallet_and_within_the_limit(ravi, listing, offered):
    with pytest.raises(InsufficientFunds):
        ask(ravi, listing, offered, cash="500.01")
    with pytest.raises(errors.ExchangeInvalid) as refused:
        ask(ravi, listing, offered, cash="10000.01")
    assert "cash" in refused.value.fields
    with pytest.raises(errors.ExchangeInvalid):
        ask(ravi, listing, offered, cash="-1")
    assert not Exchange.objects.exists()


def test_the_same_offer_twice_is_refused_while_the_first_waits(ravi, listing, offered):
    ask(ravi, listing, offered)

    with pytest.raises(errors.ExchangeAlreadyPending):
        ask(ravi, listing, offered)
    assert Exchange.objects.count() == 1


def test_a_code_the_other_side_already_holds_cannot_be_offered(asha, ravi, listing):
    offered = LockerCouponFactory(owner=ravi, code="SAMECODE1")
    LockerCouponFactory(owner=asha, code="SAMECODE1")

    with pytest.raises(errors.CouponNotAvailable):
        ask(ravi, listing, offered)


# --- Accepting ----------------------------------------------------------------------------------


def test_accepting_moves_both_codes_and_withdraws_the_listing(asha, ravi, listing, offered):
    wanted = listing.coupon
    exchange = ask(ravi, listing, offered)

    exchange_accept(responder=asha, public_id=exchange.public_id)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.ACCEPTED
    assert exchange.decided_at is not None
    listing.refresh_from_db()
    assert listing.status == ListingStatus.WITHDRAWN
    wanted.refresh_from_db()
    offered.refresh_from_db()
    assert (wanted.status, offered.status) == (CouponStatus.GONE, CouponStatus.GONE)
    assert held_codes(ravi) == {wanted.code}
    assert held_codes(asha) == {offered.code}
    received = LockerCoupon.objects.get(owner=ravi, status=CouponStatus.ACTIVE)
    assert received.source == Source.SWAPPED
    assert Notification.objects.filter(user=ravi, title__icontains="accepted").exists()


def test_accepting_pays_the_rupees_from_the_requester_to_the_owner(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered, cash="75.50")

    exchange_accept(responder=asha, public_id=exchange.public_id)

    assert balances(ravi)["available"] == Decimal("424.50")
    assert balances(asha)["available"] == Decimal("75.50")


def test_without_the_rupees_at_accept_nothing_moves(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered, cash="300")
    spend(ravi, "300.00")

    with pytest.raises(InsufficientFunds):
        exchange_accept(responder=asha, public_id=exchange.public_id)

    exchange.refresh_from_db()
    listing.refresh_from_db()
    assert exchange.status == ExchangeStatus.PENDING
    assert listing.status == ListingStatus.LIVE
    assert held_codes(asha) == {listing.coupon.code}
    assert held_codes(ravi) == {offered.code}
    assert balances(asha)["available"] == Decimal("0.00")


def test_accepting_withdraws_the_offered_coupons_listing_too(asha, ravi, listing):
    ravis_listing = ListingFactory(coupon__owner=ravi)
    exchange = ask(ravi, listing, ravis_listing.coupon)

    exchange_accept(responder=asha, public_id=exchange.public_id)

    ravis_listing.refresh_from_db()
    assert ravis_listing.status == ListingStatus.WITHDRAWN
    assert held_codes(asha) == {ravis_listing.coupon.code}


def test_accepting_withdraws_other_pending_swaps_for_either_coupon(asha, ravi, listing, offered):
    other = LockerCouponFactory(owner=ravi)
    exchange = ask(ravi, listing, offered)
    rival = ask(ravi, listing, other)
    elsewhere = ListingFactory()
    for_offered = ask(ravi, elsewhere, offered)

    exchange_accept(responder=asha, public_id=exchange.public_id)

    rival.refresh_from_db()
    for_offered.refresh_from_db()
    assert rival.status == ExchangeStatus.WITHDRAWN
    assert for_offered.status == ExchangeStatus.WITHDRAWN


def test_only_the_coupons_owner_can_accept(ravi, listing, offered):
    exchange = ask(ravi, listing, offered)

    with pytest.raises(errors.ExchangeNotFound):
        exchange_accept(responder=ravi, public_id=exchange.public_id)


def test_a_swap_for_a_coupon_sold_meanwhile_is_withdrawn_at_accept(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    LockerCoupon.objects.filter(pk=offered.pk).update(status=CouponStatus.USED)

    with pytest.raises(errors.ExchangeWithdrawn):
        exchange_accept(responder=asha, public_id=exchange.public_id)

    exchange.refresh_from_db()
    listing.refresh_from_db()
    assert exchange.status == ExchangeStatus.WITHDRAWN
    assert listing.status == ListingStatus.LIVE
    assert held_codes(asha) == {listing.coupon.code}


def test_a_swap_past_48_hours_cannot_be_accepted(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    Exchange.objects.filter(pk=exchange.pk).update(expires_at=timezone.now())

    with pytest.raises(errors.ExchangeNotPending):
        exchange_accept(responder=asha, public_id=exchange.public_id)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.EXPIRED


def test_an_answered_swap_cannot_be_accepted_again(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    exchange_accept(responder=asha, public_id=exchange.public_id)

    with pytest.raises(errors.ExchangeNotPending):
        exchange_accept(responder=asha, public_id=exchange.public_id)


def test_a_coupon_being_paid_for_by_card_is_not_swapped_away(asha, ravi, listing, offered):
    from accounts.tests.factories import UserFactory
    from commerce.tests.factories import wallet_credit  # noqa: F401  (buyer pays by card)

    exchange = ask(ravi, listing, offered)
    purchase_create(
        buyer=UserFactory(),
        listing_public_id=listing.public_id,
        method=PaymentMethod.RAZORPAY,
        idempotency_key="card-1",
    )

    with pytest.raises(errors.CouponBeingBought):
        exchange_accept(responder=asha, public_id=exchange.public_id)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.PENDING


# --- Rejecting, cancelling, expiry, withdrawal --------------------------------------------------


def test_the_owner_declines_and_the_requester_is_told(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)

    exchange_reject(responder=asha, public_id=exchange.public_id)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.REJECTED
    assert Notification.objects.filter(user=ravi, title__icontains="declined").exists()
    with pytest.raises(errors.ExchangeNotPending):
        exchange_reject(responder=asha, public_id=exchange.public_id)


def test_the_requester_cancels_but_the_owner_cannot(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)

    with pytest.raises(errors.ExchangeNotFound):
        exchange_cancel(requester=asha, public_id=exchange.public_id)
    exchange_cancel(requester=ravi, public_id=exchange.public_id)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.CANCELLED
    assert Notification.objects.filter(user=asha, title__icontains="cancelled").exists()
    with pytest.raises(errors.ExchangeNotPending):
        exchange_accept(responder=asha, public_id=exchange.public_id)


def test_the_sweep_expires_swaps_past_48_hours_only(ravi, listing, offered):
    old = ask(ravi, listing, offered)
    fresh = ask(ravi, listing, LockerCouponFactory(owner=ravi))
    Exchange.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert exchanges_expire() == 1
    assert exchanges_expire() == 0

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (ExchangeStatus.EXPIRED, ExchangeStatus.PENDING)
    assert Notification.objects.filter(user=ravi, title__icontains="expired").count() == 1


def test_the_expiry_task_runs_the_sweep(ravi, listing, offered):
    from marketplace.swaps.tasks import exchanges_expire_task

    old = ask(ravi, listing, offered)
    Exchange.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert exchanges_expire_task.delay().get() == 1


def test_withdraw_for_closes_pending_swaps_of_those_coupons(ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    untouched = ask(ravi, ListingFactory(), LockerCouponFactory(owner=ravi))

    assert exchanges_withdraw_for(coupon_ids=[offered.pk]) == 1

    exchange.refresh_from_db()
    untouched.refresh_from_db()
    assert (exchange.status, untouched.status) == (ExchangeStatus.WITHDRAWN, "pending")
    assert exchanges_withdraw_for(coupon_ids=[]) == 0


def test_selling_the_wanted_coupon_withdraws_its_swaps(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    buyer = UserFactory()
    wallet_credit(buyer, "500.00")

    purchase_create(
        buyer=buyer,
        listing_public_id=listing.public_id,
        method=PaymentMethod.WALLET,
        idempotency_key="buy-1",
    )

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.WITHDRAWN
    with pytest.raises(errors.ExchangeNotPending):
        exchange_accept(responder=asha, public_id=exchange.public_id)


def test_a_code_from_a_book_that_forbids_swaps_cannot_be_offered(ravi, listing):
    from offers.models import CodeStatus, CouponBook, CouponCode
    from offers.tests.factories import OfferFactory

    book = CouponBook.objects.create(offer=OfferFactory(kind="unique_code"), name="No swaps")
    held = CouponCode.objects.create(
        book=book, code="BOOK-1", status=CodeStatus.ASSIGNED, holder=ravi, claim_slot=1
    )
    offered = LockerCouponFactory(owner=ravi, book_code=held, source=Source.CLAIMED)

    with pytest.raises(errors.CouponNotSwappable):
        ask(ravi, listing, offered)

    book.swap_allowed = True
    book.save(update_fields=["swap_allowed"])
    assert ask(ravi, listing, offered).status == ExchangeStatus.PENDING


def test_marking_the_offered_coupon_used_withdraws_the_swap(ravi, listing, offered):
    from marketplace.locker.services import locker_coupon_mark_used

    exchange = ask(ravi, listing, offered)

    locker_coupon_mark_used(coupon=offered)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.WITHDRAWN


def test_a_coupon_swapped_away_can_no_longer_be_bought(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    exchange_accept(responder=asha, public_id=exchange.public_id)
    buyer = UserFactory()
    wallet_credit(buyer, "500.00")

    with pytest.raises(errors.ListingNotForSale):
        purchase_create(
            buyer=buyer,
            listing_public_id=listing.public_id,
            method=PaymentMethod.WALLET,
            idempotency_key="late",
        )
    assert balances(buyer)["available"] == Decimal("500.00")


def test_the_rupees_show_on_both_wallet_statements_linked_to_the_swap(asha, ravi, listing, offered):
    from wallet.selectors import statement_for, statement_lines

    exchange = ask(ravi, listing, offered, cash="40")
    exchange_accept(responder=asha, public_id=exchange.public_id)

    paid = statement_lines(ravi, statement_for(ravi))[0]
    received = statement_lines(asha, statement_for(asha))[0]

    assert (paid.available, received.available) == (Decimal("-40.00"), Decimal("40.00"))
    assert paid.link == received.link == f"/marketplace/swaps/{exchange.public_id}/"
