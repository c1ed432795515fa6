"""factory_boy factories for the marketplace: locker coupons and listings, built straight into
their tables (the services are what the tests exercise; these only set the scene)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.services import code_digest
from catalog.tests.factories import MerchantFactory
from marketplace.models import Benefit, CouponStatus, Listing, LockerCoupon, Source


class LockerCouponFactory(factory.django.DjangoModelFactory):
    """An active ₹200-off coupon added by hand, expiring in 30 days."""

    class Meta:
        model = LockerCoupon

    owner = factory.SubFactory(UserFactory)
    source = Source.MANUAL
    status = CouponStatus.ACTIVE
    code = factory.Sequence(lambda n: f"LOCKER{n:05d}")
    code_digest = factory.LazyAttribute(lambda coupon: code_digest(coupon.code))
    merchant = factory.SubFactory(MerchantFactory)
    benefit = Benefit.FIXED
    benefit_value = Decimal("200.00")
    worth = Decimal("200.00")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ListingFactory(factory.django.DjangoModelFactory):
    """A live listing of a fresh coupon at ₹120 with a 5% fee; the coupon is marked listed."""

    class Meta:
        model = Listing

    coupon = factory.SubFactory(LockerCouponFactory, status=CouponStatus.LISTED)
    seller = factory.SelfAttribute("coupon.owner")
    price = Decimal("120.00")
    fee = Decimal("6.00")
    code_digest = factory.SelfAttribute("coupon.code_digest")
    merchant = factory.SelfAttribute("coupon.merchant")
    title = factory.LazyAttribute(lambda listing: f"₹200 off at {listing.coupon.store_label}")
    worth = factory.SelfAttribute("coupon.worth")
    expires_on = factory.SelfAttribute("coupon.expires_on")
