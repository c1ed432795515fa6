"""Fixtures of the purchase tests: a buyer with money in the wallet, listings (plain and
verified, whose coupon is a code of a resale-allowed book held by the seller)."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from catalog.services import code_digest
from commerce.tests.factories import wallet_credit
from marketplace.models import Source
from marketplace.tests.factories import ListingFactory
from offers.models import CodeStatus, CouponBook, CouponCode
from offers.tests.factories import OfferFactory


@pytest.fixture
def buyer():
    user = UserFactory(full_name="Ravi Kumar")
    wallet_credit(user, "500.00")
    return user


@pytest.fixture
def listing():
    return ListingFactory()


def verified_listing(*, free_codes: int = 2, price: str = "120.00"):
    """A listing of a book code (resale allowed) that its seller claimed; `free_codes` more
    codes of the book are available to re-key with."""
    listing = ListingFactory(verified=True, price=Decimal(price))
    seller = listing.seller
    book = CouponBook.objects.create(
        offer=OfferFactory(kind="unique_code"), name="Resale book", resale_allowed=True
    )
    held = CouponCode.objects.create(
        book=book, code="SELLER-CODE-1", status=CodeStatus.ASSIGNED, holder=seller, claim_slot=1
    )
    for n in range(free_codes):
        CouponCode.objects.create(book=book, code=f"FRESH-{n}")
    coupon = listing.coupon
    coupon.code, coupon.code_digest = held.code, code_digest(held.code)
    coupon.book_code, coupon.source = held, Source.CLAIMED
    coupon.save()
    listing.code_digest = coupon.code_digest
    listing.save(update_fields=["code_digest"])
    return listing


@pytest.fixture
def razorpay_loopback():
    # As commerce's tests do: Razorpay on a loopback port, the real SDK pointed at it.
    from django.test import override_settings

    from commerce.tests.loopback_razorpay import LoopbackRazorpay

    with LoopbackRazorpay() as loopback, override_settings(**loopback.settings()):
        yield loopback
