"""PostgreSQL races between areas that the areas' own race tests don't meet: a seller withdrawing
a listing while buyers pay for it, and the expiry sweep withdrawing a listing while a buyer pays
for it. Each leaves one outcome: sold (and the withdrawal refused or skipped), or withdrawn (and
nobody charged); escrow always equals the open purchases."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from commerce.tests.factories import wallet_credit
from coupzii.tests.races import failures, race, successes
from marketplace import kinds
from marketplace.errors import ListingNotForSale
from marketplace.listings.services import listing_withdraw, listings_withdraw_expiring
from marketplace.models import (
    CouponStatus,
    Listing,
    ListingStatus,
    LockerCoupon,
    Purchase,
    PurchaseStatus,
)
from marketplace.purchases.services import purchase_create
from marketplace.tests.factories import ListingFactory
from wallet import services as ledger
from wallet.ledger import ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PRICE = D("120.00")
START = D("500.00")


def buyers(n: int) -> list:
    people = [UserFactory() for _ in range(n)]
    for person in people:
        wallet_credit(person, str(START))
    return people


def buy(person, listing):
    return lambda: purchase_create(
        buyer=person, listing_public_id=listing.public_id, method="wallet", idempotency_key="k"
    )


def assert_one_outcome(listing: Listing, people: list) -> None:
    """Sold to one buyer who alone paid, or withdrawn with nobody charged; money in step."""
    listing.refresh_from_db()
    coupon = LockerCoupon.objects.get(pk=listing.coupon_id)
    paid = list(Purchase.objects.filter(listing=listing, status=PurchaseStatus.PAID))
    charged = [p.pk for p in people if ledger.balances(p)["available"] != START]
    if listing.status == ListingStatus.SOLD:
        assert len(paid) == 1 and charged == [paid[0].buyer_id]
        assert coupon.status == CouponStatus.SOLD
        assert ledger.platform_balance(kinds.ESCROW) == PRICE
    else:
        assert listing.status in (ListingStatus.WITHDRAWN, ListingStatus.EXPIRED)
        assert paid == [] and charged == []
        assert coupon.status == CouponStatus.ACTIVE  # back in the seller's locker
        assert ledger.platform_balance(kinds.ESCROW) == D("0.00")
        assert not LockerCoupon.objects.filter(source="bought").exists()
    assert ledger_problems() == []


def test_a_seller_withdrawing_while_buyers_pay_leaves_one_outcome():
    # given a live listing and five buyers
    listing = ListingFactory(price=PRICE)
    people = buyers(5)

    # when the seller withdraws it as they all buy it
    withdraw = lambda: listing_withdraw(seller=listing.seller, listing=listing)  # noqa: E731
    results = race([withdraw, *(buy(person, listing) for person in people)])

    # then either the withdrawal or one sale won, never both
    withdrawn, purchases = results[0], results[1:]
    sold = successes(purchases)
    assert len(sold) <= 1
    assert isinstance(withdrawn, ListingNotForSale) == bool(sold)
    assert all(isinstance(refused, ListingNotForSale) for refused in failures(purchases))
    assert_one_outcome(listing, people)


def test_the_expiry_sweep_running_while_a_buyer_pays_leaves_one_outcome():
    # given a listing whose coupon expires tomorrow: due for withdrawal now
    listing = ListingFactory(price=PRICE)
    Listing.objects.filter(pk=listing.pk).update(withdraw_at=timezone.now() - timedelta(minutes=1))
    people = buyers(2)

    # when the sweep runs as two buyers pay
    results = race([listings_withdraw_expiring, *(buy(person, listing) for person in people)])

    # then the listing was swept (nobody paid) or sold (the sweep skipped it)
    swept, sold = results[0], successes(results[1:])
    assert swept + len(sold) == 1
    assert_one_outcome(listing, people)
