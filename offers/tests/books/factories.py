"""factory_boy factories for unique-code books: a live unique-code offer, books and codes.

Self-contained (its own merchant and offer factories) so the book tests depend on nothing but
the models.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.models import Merchant
from offers.models import (
    BookStatus,
    CouponBook,
    CouponCode,
    DiscountType,
    Offer,
    OfferKind,
    OfferStatus,
)


class BookMerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"book-store-{n}")
    website = "https://store.example.in/"
    tracking_url_template = "https://track.example.in/?sub={click_id}"


class UniqueCodeOfferFactory(factory.django.DjangoModelFactory):
    """A live unique-code offer: active, started a day ago, ending in thirty days."""

    class Meta:
        model = Offer

    merchant = factory.SubFactory(BookMerchantFactory)
    kind = OfferKind.UNIQUE_CODE
    title = factory.Sequence(lambda n: f"Flat ₹{100 + n} off your first order")
    discount_type = DiscountType.FIXED
    discount_value = Decimal("100.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    status = OfferStatus.ACTIVE


class CouponBookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponBook

    offer = factory.SubFactory(UniqueCodeOfferFactory)
    name = factory.Sequence(lambda n: f"Launch batch {n}")
    code_pattern = "ZOMA-####-????"
    status = BookStatus.ACTIVE


class CouponCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponCode

    book = factory.SubFactory(CouponBookFactory)
    code = factory.Sequence(lambda n: f"CODE{n:06d}")


def book_with_codes(count: int, **book_fields) -> CouponBook:
    """A book with `count` available codes C<book pk>X00001, C<book pk>X00002 ... in id order."""
    book = CouponBookFactory(**book_fields)
    CouponCode.objects.bulk_create(
        CouponCode(book=book, code=f"C{book.pk}X{number:05d}") for number in range(1, count + 1)
    )
    return book
