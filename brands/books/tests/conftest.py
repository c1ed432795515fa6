"""Fixtures of the books area's tests: a verified brand with a unique-code offer, its
members, and a book."""

import pytest

from brands.models import Role, Tier
from brands.tests.factories import brand_offer, brand_with_store, member
from offers.models import CouponBook, OfferKind


@pytest.fixture
def brand(db):
    return brand_with_store(tier=Tier.BASIC)


@pytest.fixture
def offer(brand):
    return brand_offer(brand, kind=OfferKind.UNIQUE_CODE, title="Your own 15% off")


@pytest.fixture
def editor(brand):
    return member(brand, Role.EDITOR)


@pytest.fixture
def analyst(brand):
    return member(brand, Role.ANALYST)


@pytest.fixture
def book(offer):
    return make_book(offer)


def make_book(offer, **fields) -> CouponBook:
    values = {"name": "Diwali codes", "code_pattern": "DIWA-####-????", **fields}
    return CouponBook.objects.create(offer=offer, **values)


def codes_of(book) -> list[str]:
    return list(book.codes.order_by("id").values_list("code", flat=True))
