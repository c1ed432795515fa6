"""A store with one of everything the optimiser weighs, for the cart tests."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from catalog.tests.factories import (
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    VariantFactory,
    stock,
)
from marketplace.models import Benefit
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from offers.models import DiscountType, OfferKind
from offers.tests.factories import OfferFactory


@pytest.fixture
def store(db):
    """Zara: 5% cashback confirmed in 45 days, a 10%-off code (at most ₹300), a ₹500 gift card
    sold for ₹470 (4 in stock), Fashion with Shoes under it."""
    fashion = CategoryFactory(name="Fashion", slug="fashion")
    CategoryFactory(name="Shoes", slug="shoes", parent=fashion)
    zara = MerchantFactory(name="Zara", slug="zara", categories=[fashion])
    OfferFactory(
        merchant=zara,
        kind=OfferKind.CODE,
        code="ZARA10",
        title="10% off everything",
        discount_type=DiscountType.PERCENTAGE,
        discount_value=D("10"),
        max_discount=D("300"),
    )
    card = VariantFactory(
        product=ProductFactory(merchant=zara, name="Zara Gift Card", slug="zara-gift-card"),
        sku="zara-500",
        face_value=D("500"),
        price=D("470"),
    )
    stock(card, 4)
    return zara


@pytest.fixture
def locker_coupon(shopper, store):
    """The shopper's ₹400 off Fashion above ₹2,000 (its code never leaves the locker)."""
    return LockerCouponFactory(
        owner=shopper,
        merchant=store,
        code="MYSECRET400",
        benefit=Benefit.FIXED,
        benefit_value=D("400"),
        worth=D("400"),
        min_order=D("2000"),
        category=store.categories.get(slug="fashion"),
        expires_on=timezone.localdate() + timedelta(days=10),
    )


@pytest.fixture
def listing(store):
    """Another seller's ₹200-off coupon for ₹120."""
    seller_coupon = LockerCouponFactory(merchant=store, code="SELLERCODE99")
    return ListingFactory(coupon=seller_coupon, price=D("120.00"), fee=D("6.00"))
