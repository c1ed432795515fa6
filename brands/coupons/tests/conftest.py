"""Fixtures of the coupons area's tests: a verified brand with one store, its members."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from brands.models import Role
from brands.tests.factories import brand_with_store, member
from offers.models import DiscountType, OfferKind


@pytest.fixture
def brand(db):
    return brand_with_store()


@pytest.fixture
def store(brand):
    return brand.stores.select_related("merchant").get().merchant


@pytest.fixture
def editor(brand):
    return member(brand, Role.EDITOR)


@pytest.fixture
def analyst(brand):
    return member(brand, Role.ANALYST)


def coupon_fields(merchant, **overrides) -> dict:
    """What coupon_create takes for a 20%-off code offer of `merchant`."""
    now = timezone.now()
    values = {
        "merchant": merchant,
        "kind": OfferKind.CODE,
        "title": "20% off shoes",
        "code": "SHOES20",
        "discount_type": DiscountType.PERCENTAGE,
        "discount_value": Decimal("20"),
        "starts_at": now,
        "ends_at": now + timedelta(days=30),
    }
    values.update(overrides)
    return values
