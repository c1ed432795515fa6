"""The daily locker task (marketplace.expiry_nudges): coupons past their day expire, and coupons
expiring within 7 days get one notice to sell or swap, with a suggested price when their worth
is known."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from marketplace import kinds
from marketplace.locker import services, tasks
from marketplace.models import CouponStatus
from marketplace.tests.factories import LockerCouponFactory

pytestmark = pytest.mark.django_db


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def test_a_coupon_expiring_within_a_week_gets_one_notice_with_a_suggested_price(
    django_capture_on_commit_callbacks,
):
    # given a ₹250 coupon expiring in 3 days
    coupon = LockerCouponFactory(worth=Decimal("250.00"), expires_on=in_days(3))

    # when the task runs twice
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.expiry_nudges.delay().get()
        second = tasks.expiry_nudges.delay().get()

    # then one notice, linking to the coupon, suggesting ₹150 (60% of ₹250)
    assert first["nudged"] == 1 and second["nudged"] == 0
    notice = Notification.objects.get(user=coupon.owner)
    assert notice.kind == kinds.NOTICE_EXPIRY
    assert notice.link == reverse("marketplace:locker-coupon", args=[coupon.public_id])
    assert "expires in 3 days" in notice.title
    assert "₹150.00" in notice.body and "swap" in notice.body
    coupon.refresh_from_db()
    assert coupon.reminded_at is not None


def test_no_price_is_suggested_when_the_worth_is_unknown():
    LockerCouponFactory(benefit="bogo", worth=None, benefit_value=None, expires_on=in_days(1))
    assert services.locker_expiry_nudges() == 1
    notice = Notification.objects.get()
    assert "₹" not in notice.body and "expires tomorrow" in notice.title


def test_only_active_coupons_within_the_week_are_nudged():
    LockerCouponFactory(expires_on=in_days(8))
    LockerCouponFactory(expires_on=None)
    LockerCouponFactory(expires_on=in_days(2), status=CouponStatus.USED)
    LockerCouponFactory(expires_on=in_days(2), status=CouponStatus.LISTED)
    LockerCouponFactory(expires_on=in_days(2), reminded_at=timezone.now())
    today = LockerCouponFactory(expires_on=in_days(0))
    assert services.locker_expiry_nudges() == 1
    assert Notification.objects.get().user == today.owner


def test_the_task_also_expires_coupons_past_their_day():
    past = LockerCouponFactory(expires_on=in_days(-1))
    result = tasks.expiry_nudges.delay().get()
    past.refresh_from_db()
    assert result == {"expired": 1, "nudged": 0}
    assert past.status == CouponStatus.EXPIRED
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("worth", "price"),
    [
        ("250.00", "150.00"),
        ("99.00", "59.00"),  # 59.4 -> 59
        ("75.00", "45.00"),
        ("1.00", "1.00"),
        ("0.50", None),  # below a listing's least price of ₹1
        (None, None),
    ],
)
def test_the_suggested_price_is_60_percent_in_whole_rupees(worth, price):
    worth = Decimal(worth) if worth else None
    expected = Decimal(price) if price else None
    assert services.suggested_price(worth) == expected


def test_a_new_expiry_earns_a_new_nudge():
    coupon = LockerCouponFactory(expires_on=in_days(2))
    services.locker_expiry_nudges()
    services.locker_coupon_update(coupon=coupon, changes={"expires_on": in_days(5)})
    assert services.locker_expiry_nudges() == 1
