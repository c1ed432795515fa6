"""Listing, withdrawing and the expiry sweep."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory, stock
from marketplace.errors import (
    CodeAlreadyListed,
    CouponNotAvailable,
    CouponNotFound,
    ListingNotForSale,
    ListingNotFound,
    PriceTooHigh,
    PriceTooLow,
    SellerSuspended,
)
from marketplace.listings.services import (
    listing_create,
    listing_fee,
    listing_withdraw,
    listings_withdraw_expiring,
    seller_is_suspended,
    suspension_create,
)
from marketplace.models import (
    Benefit,
    CouponStatus,
    ListingStatus,
    Purchase,
    PurchaseStatus,
    Source,
    Suspension,
)
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from offers.models import CodeStatus
from offers.tests.books.factories import CouponBookFactory, CouponCodeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("price", "fee"),
    [
        (D("100.00"), D("5.00")),
        (D("10.10"), D("0.51")),
        (D("1.00"), D("0.05")),
        (D("0.10"), D("0.01")),
        (D("199.99"), D("10.00")),
    ],
)
def test_listing_fee_is_five_percent_half_up_at_least_a_paisa(price, fee):
    assert listing_fee(price) == fee


def test_listing_create_lists_the_coupon_with_fee_title_and_withdraw_time():
    coupon = LockerCouponFactory(expires_on=timezone.localdate() + timedelta(days=10))

    listing = listing_create(seller=coupon.owner, coupon=coupon, price=D("150"), swap_welcome=True)

    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.LISTED
    assert listing.status == ListingStatus.LIVE
    assert (listing.price, listing.fee, listing.payout) == (D("150.00"), D("7.50"), D("142.50"))
    assert listing.swap_welcome and not listing.verified
    assert listing.title == f"₹200 off at {coupon.merchant.name}"
    assert listing.worth == D("200.00") and listing.merchant == coupon.merchant
    # Withdrawn 24 hours before the end of the last day: when that day starts.
    last_day_start = timezone.localtime(listing.withdraw_at)
    assert last_day_start.date() == coupon.expires_on and last_day_start.hour == 0


def test_title_is_rendered_in_the_viewers_language():
    coupon = LockerCouponFactory(
        benefit=Benefit.PERCENT, benefit_value=D("20"), max_discount=D("150"), worth=D("150")
    )
    listing = listing_create(seller=coupon.owner, coupon=coupon, price=D("50"), swap_welcome=False)

    assert listing.display_title == f"20% off (up to ₹150) at {coupon.merchant.name}"
    with translation.override("hi"):
        assert listing.display_title  # whatever Hindi says, it is built, not stored English


def test_listing_create_refuses_a_price_above_what_the_coupon_saves():
    coupon = LockerCouponFactory(worth=D("200"))
    with pytest.raises(PriceTooHigh) as refused:
        listing_create(seller=coupon.owner, coupon=coupon, price=D("200.01"), swap_welcome=False)
    assert "price" in refused.value.fields
    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.ACTIVE


@pytest.mark.parametrize("price", [D("0"), D("0.99"), D("-5"), "abc"])
def test_listing_create_refuses_a_price_below_a_rupee(price):
    coupon = LockerCouponFactory()
    with pytest.raises(PriceTooLow):
        listing_create(seller=coupon.owner, coupon=coupon, price=price, swap_welcome=False)


def test_listing_create_refuses_someone_elses_coupon():
    coupon = LockerCouponFactory()
    with pytest.raises(CouponNotFound):
        listing_create(seller=UserFactory(), coupon=coupon, price=D("10"), swap_welcome=False)


@pytest.mark.parametrize("status", [CouponStatus.USED, CouponStatus.LISTED, CouponStatus.SOLD])
def test_listing_create_refuses_a_coupon_that_is_not_active(status):
    coupon = LockerCouponFactory(status=status)
    with pytest.raises(CouponNotAvailable):
        listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)


def test_listing_create_refuses_a_coupon_without_worth():
    coupon = LockerCouponFactory(benefit=Benefit.BOGO, benefit_value=None, worth=None)
    with pytest.raises(CouponNotAvailable):
        listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)


def test_listing_create_refuses_a_coupon_expiring_within_24_hours():
    coupon = LockerCouponFactory(expires_on=timezone.localdate())
    with pytest.raises(CouponNotAvailable) as refused:
        listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)
    assert "24 hours" in refused.value.message


def test_listing_create_accepts_a_coupon_without_expiry():
    coupon = LockerCouponFactory(expires_on=None)
    listing = listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)
    assert listing.withdraw_at is None


def test_a_suspended_seller_cannot_list_until_the_suspension_ends_or_is_lifted():
    coupon = LockerCouponFactory()
    suspension = Suspension.objects.create(
        user=coupon.owner, until=timezone.now() + timedelta(days=7), reason="3 lost disputes"
    )
    assert seller_is_suspended(coupon.owner)
    with pytest.raises(SellerSuspended):
        listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)

    suspension.lifted_at = timezone.now()
    suspension.save()
    assert not seller_is_suspended(coupon.owner)
    listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)


def test_an_operators_suspension_takes_the_sellers_live_listings_down():
    listing = ListingFactory()
    other_sellers = ListingFactory()

    suspension_create(
        user=listing.seller, until=timezone.now() + timedelta(days=7), reason="Fake codes"
    )

    listing.refresh_from_db()
    listing.coupon.refresh_from_db()
    other_sellers.refresh_from_db()
    assert listing.status == ListingStatus.WITHDRAWN
    assert listing.coupon.status == CouponStatus.ACTIVE
    assert other_sellers.status == ListingStatus.LIVE


def test_a_code_live_in_another_listing_cannot_be_listed_again():
    listing = ListingFactory()
    same_code = LockerCouponFactory(code=listing.coupon.code)
    with pytest.raises(CodeAlreadyListed):
        listing_create(seller=same_code.owner, coupon=same_code, price=D("10"), swap_welcome=False)


def test_a_code_sold_before_cannot_be_listed_again():
    listing = ListingFactory(status=ListingStatus.SOLD)
    same_code = LockerCouponFactory(code=listing.coupon.code.lower())
    with pytest.raises(CodeAlreadyListed):
        listing_create(seller=same_code.owner, coupon=same_code, price=D("10"), swap_welcome=False)


def test_a_withdrawn_code_can_be_listed_again():
    listing = ListingFactory(status=ListingStatus.WITHDRAWN)
    same_code = LockerCouponFactory(code=listing.coupon.code)
    listing_create(seller=same_code.owner, coupon=same_code, price=D("10"), swap_welcome=False)


def test_a_shop_gift_card_code_cannot_be_listed_by_someone_who_typed_it():
    voucher = stock(VariantFactory(), 1)[0]
    coupon = LockerCouponFactory(code=voucher.code)
    assert coupon.code_digest == voucher.code_digest
    with pytest.raises(CodeAlreadyListed):
        listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)


def test_the_buyer_of_a_gift_card_may_list_its_code():
    voucher = stock(VariantFactory(), 1)[0]
    coupon = LockerCouponFactory(code=voucher.code, source=Source.GIFT_CARD, voucher_id=voucher.pk)
    listing = listing_create(seller=coupon.owner, coupon=coupon, price=D("10"), swap_welcome=False)
    assert not listing.verified


def test_a_book_code_held_by_someone_else_cannot_be_listed():
    book_code = CouponCodeFactory(
        code="ZOMA-1234-ABCD", holder=UserFactory(), claim_slot=1, status=CodeStatus.ASSIGNED
    )
    typed = LockerCouponFactory(code="zoma-1234-abcd", merchant=book_code.book.offer.merchant)
    with pytest.raises(CodeAlreadyListed):
        listing_create(seller=typed.owner, coupon=typed, price=D("10"), swap_welcome=False)


def test_a_claimed_code_of_a_resale_book_lists_as_verified():
    seller = UserFactory()
    book = CouponBookFactory(resale_allowed=True)
    book_code = CouponCodeFactory(
        book=book, holder=seller, claim_slot=1, status=CodeStatus.ASSIGNED
    )
    coupon = LockerCouponFactory(
        owner=seller,
        code=book_code.code,
        source=Source.CLAIMED,
        book_code=book_code,
        merchant=book.offer.merchant,
    )
    listing = listing_create(seller=seller, coupon=coupon, price=D("80"), swap_welcome=False)
    assert listing.verified


def test_a_claimed_code_of_a_book_without_resale_lists_unverified():
    seller = UserFactory()
    book_code = CouponCodeFactory(holder=seller, claim_slot=1, status=CodeStatus.ASSIGNED)
    coupon = LockerCouponFactory(owner=seller, code=book_code.code, book_code=book_code)
    listing = listing_create(seller=seller, coupon=coupon, price=D("80"), swap_welcome=False)
    assert not listing.verified


def test_a_redeemed_book_code_cannot_be_listed():
    seller = UserFactory()
    book_code = CouponCodeFactory(holder=seller, claim_slot=1, status=CodeStatus.REDEEMED)
    coupon = LockerCouponFactory(owner=seller, code=book_code.code, book_code=book_code)
    with pytest.raises(CodeAlreadyListed):
        listing_create(seller=seller, coupon=coupon, price=D("80"), swap_welcome=False)


def test_listing_withdraw_puts_the_coupon_back_in_the_locker():
    listing = ListingFactory()
    listing_withdraw(seller=listing.seller, listing=listing)

    listing.refresh_from_db()
    listing.coupon.refresh_from_db()
    assert listing.status == ListingStatus.WITHDRAWN and listing.ended_at
    assert listing.coupon.status == CouponStatus.ACTIVE


def test_listing_withdraw_refuses_another_sellers_listing():
    listing = ListingFactory()
    with pytest.raises(ListingNotFound):
        listing_withdraw(seller=UserFactory(), listing=listing)


def test_listing_withdraw_refuses_a_sold_listing():
    listing = ListingFactory(status=ListingStatus.SOLD)
    with pytest.raises(ListingNotForSale):
        listing_withdraw(seller=listing.seller, listing=listing)


def _purchase(listing, status):
    return Purchase.objects.create(
        number=f"MP-{listing.pk:06d}",
        listing=listing,
        buyer=UserFactory(),
        seller=listing.seller,
        price=listing.price,
        fee=listing.fee,
        method="wallet",
        status=status,
        idempotency_key="k",
        pay_by=timezone.now() + timedelta(minutes=15),
    )


def test_listing_withdraw_refuses_while_a_buyer_is_paying():
    listing = ListingFactory()
    _purchase(listing, PurchaseStatus.PENDING_PAYMENT)
    with pytest.raises(ListingNotForSale):
        listing_withdraw(seller=listing.seller, listing=listing)


def test_the_sweep_withdraws_listings_a_day_before_their_coupon_expires():
    now = timezone.now()
    due = ListingFactory(withdraw_at=now - timedelta(minutes=1))
    later = ListingFactory(withdraw_at=now + timedelta(hours=1))
    paying = ListingFactory(withdraw_at=now - timedelta(minutes=1))
    _purchase(paying, PurchaseStatus.PENDING_PAYMENT)

    assert listings_withdraw_expiring() == 1
    assert listings_withdraw_expiring() == 0

    due.refresh_from_db()
    due.coupon.refresh_from_db()
    later.refresh_from_db()
    paying.refresh_from_db()
    assert due.status == ListingStatus.EXPIRED and due.coupon.status == CouponStatus.ACTIVE
    assert later.status == ListingStatus.LIVE and paying.status == ListingStatus.LIVE


def test_the_beat_task_runs_the_sweep():
    from marketplace.listings.tasks import listings_withdraw_expiring as task

    ListingFactory(withdraw_at=timezone.now() - timedelta(minutes=1))
    assert task.delay().get() == 1
