"""The marketplace demo (`manage.py seed_demo`): what Asha's locker shows, and seeding twice."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from marketplace.models import CouponStatus, Listing, LockerCoupon

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_asha_has_a_coupon_that_expires_this_week_and_is_not_listed(seeded):
    asha = User.objects.get(email="asha@coupzii.test")
    this_week = timezone.localdate() + timedelta(days=7)

    soon = LockerCoupon.objects.filter(
        owner=asha, status=CouponStatus.ACTIVE, expires_on__lte=this_week
    )

    assert [(coupon.merchant.slug, coupon.expires_on) for coupon in soon] == [
        ("zomato", timezone.localdate() + timedelta(days=4))
    ]
    assert not Listing.objects.filter(coupon__in=soon).exists()


def test_seeding_again_adds_no_coupon_nor_listing(seeded):
    counts = (LockerCoupon.objects.count(), Listing.objects.count())

    call_command("seed_demo", stdout=io.StringIO())

    assert (LockerCoupon.objects.count(), Listing.objects.count()) == counts
