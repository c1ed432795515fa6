"""Fixtures of the rating tests: a sale completed yesterday (the seller was paid)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from marketplace.models import ListingStatus, PaymentMethod, Purchase, PurchaseStatus
from marketplace.tests.factories import ListingFactory


def completed_purchase(*, released_days_ago: float = 1, status=PurchaseStatus.RELEASED):
    listing = ListingFactory(status=ListingStatus.SOLD)
    released_at = timezone.now() - timedelta(days=released_days_ago)
    return Purchase.objects.create(
        number=f"MP-T{Purchase.objects.count() + 1:07d}",
        listing=listing,
        buyer=UserFactory(full_name="Ravi Kumar"),
        seller=listing.seller,
        price=listing.price,
        fee=listing.fee,
        method=PaymentMethod.WALLET,
        status=status,
        idempotency_key="k",
        pay_by=released_at - timedelta(days=1),
        paid_at=released_at - timedelta(days=1),
        released_at=released_at if status == PurchaseStatus.RELEASED else None,
    )


@pytest.fixture
def purchase():
    return completed_purchase()
