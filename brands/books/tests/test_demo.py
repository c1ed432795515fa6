"""The books demo: a book per brand with codes, claims and redemptions, seeded once."""

import pytest

from brands.books.demo import DEMO_CODES, REDEEMED, SHOPPERS, seed_books
from brands.tests.factories import brand_with_store
from offers.models import CodeStatus, CouponBook, CouponCode

pytestmark = pytest.mark.django_db


def test_seed_books_makes_a_book_with_claimed_and_redeemed_codes_once(monkeypatch):
    monkeypatch.setattr("brands.books.demo.DEMO_CODES", 200)
    brands = [brand_with_store(), brand_with_store()]

    assert seed_books(brands) == 2
    seed_books(brands)

    for brand in brands:
        book = CouponBook.objects.get(offer__brand_link__brand=brand)
        codes = CouponCode.objects.filter(book=book)
        assert codes.count() == 200
        assert codes.filter(holder__isnull=False).count() == SHOPPERS
        assert codes.filter(status=CodeStatus.REDEEMED).count() == REDEEMED
    assert DEMO_CODES == 3_000
