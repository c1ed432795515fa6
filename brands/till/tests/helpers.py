"""Shared set-up for the till's tests: a brand with a book of codes, keys, API calls."""

from decimal import Decimal

from rest_framework.test import APIClient

from brands.models import BrandOffer
from brands.tests.factories import brand_with_store
from brands.till import services
from offers.models import CouponBook, CouponCode, DiscountType
from offers.tests.books.factories import UniqueCodeOfferFactory

TILL = "/api/v1/brand/till/"


def brand_book(brand=None, *, codes=("SAVE-0001",), uses=1, percent=None, **book_fields):
    """A book of `brand`'s (a new brand with a store when None): ₹100 off, or `percent`% off,
    with the given codes."""
    brand = brand or brand_with_store()
    store = brand.stores.select_related("merchant").first()
    offer_fields = {"merchant": store.merchant}
    if percent is not None:
        offer_fields.update(discount_type=DiscountType.PERCENTAGE, discount_value=Decimal(percent))
    offer = UniqueCodeOfferFactory(**offer_fields)
    BrandOffer.objects.create(offer=offer, brand=brand)
    book = CouponBook.objects.create(
        offer=offer,
        name=book_fields.pop("name", f"Book of {offer.title}"),
        max_redemptions_per_code=uses,
        **book_fields,
    )
    CouponCode.objects.bulk_create(CouponCode(book=book, code=code) for code in codes)
    return book


def brand_of(book):
    return book.offer.brand_link.brand


def till_key(brand, **scope):
    key, raw = services.api_key_create(brand=brand, name="Till 1", created_by=None, **scope)
    return key, raw


def key_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"ApiKey {raw}")
    return client


def redeem(client, code, key="order-1", *, amount="1000.00", reference="ORD-1", **extra):
    headers = {name: value for name, value in extra.items() if name.startswith("HTTP_")}
    fields = {name: value for name, value in extra.items() if name not in headers}
    body = {"code": code, "order_reference": reference, "order_amount": amount, **fields}
    return client.post(TILL + "redeem/", body, format="json", HTTP_IDEMPOTENCY_KEY=key, **headers)
