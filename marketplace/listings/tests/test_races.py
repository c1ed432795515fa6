"""PostgreSQL races: one code listed by two sellers at once, one coupon listed twice at once."""

from decimal import Decimal as D

import pytest

from coupzii.tests.races import failures, race, successes
from marketplace.errors import CodeAlreadyListed, CouponNotAvailable
from marketplace.listings.services import listing_create
from marketplace.models import CouponStatus, Listing, LockerCoupon
from marketplace.tests.factories import LockerCouponFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _list(coupon):
    return lambda: listing_create(
        seller=coupon.owner, coupon=coupon, price=D("100"), swap_welcome=False
    )


def test_two_sellers_listing_one_code_at_once_leave_one_listing():
    # given: the same code in two lockers
    first = LockerCouponFactory(code="SAMECODE2026")
    second = LockerCouponFactory(code="samecode2026")

    # when
    results = race([_list(first), _list(second)])

    # then
    assert len(successes(results)) == 1
    assert [type(error) for error in failures(results)] == [CodeAlreadyListed]
    assert Listing.objects.count() == 1
    statuses = sorted(LockerCoupon.objects.values_list("status", flat=True))
    assert statuses == sorted([CouponStatus.ACTIVE, CouponStatus.LISTED])


def test_many_sellers_listing_one_code_at_once_leave_one_listing():
    coupons = [LockerCouponFactory(code="CROWDED99") for _ in range(6)]

    results = race([_list(coupon) for coupon in coupons])

    assert len(successes(results)) == 1
    assert all(isinstance(error, CodeAlreadyListed) for error in failures(results))
    assert Listing.objects.count() == 1


def test_listing_one_coupon_twice_at_once_makes_one_listing():
    coupon = LockerCouponFactory()

    results = race([_list(coupon), _list(coupon), _list(coupon)])

    assert len(successes(results)) == 1
    assert all(
        isinstance(error, CouponNotAvailable | CodeAlreadyListed) for error in failures(results)
    )
    assert Listing.objects.filter(coupon=coupon).count() == 1
