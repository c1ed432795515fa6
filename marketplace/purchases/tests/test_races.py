"""PostgreSQL races: ten buyers for one listing (one sale; the others refused before any money
moves, wallet or card), and a release running twice at once (the seller is paid once)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from commerce.models import Payment
from commerce.tests.factories import wallet_credit
from coupzii.tests.races import failures, race, successes
from marketplace import kinds
from marketplace.errors import ListingNotForSale
from marketplace.models import ListingStatus, LockerCoupon, Purchase, PurchaseStatus
from marketplace.purchases.services import purchase_create, purchase_release
from marketplace.tests.factories import ListingFactory
from wallet import services as ledger
from wallet.ledger import ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def buyers(n: int) -> list:
    people = [UserFactory() for _ in range(n)]
    for person in people:
        wallet_credit(person, "500.00")
    return people


def attempt(buyer, listing, method):
    return lambda: purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method=method, idempotency_key="k"
    )


def test_ten_wallet_buyers_at_once_make_one_sale_and_only_the_winner_pays():
    listing = ListingFactory()
    people = buyers(10)

    results = race([attempt(person, listing, "wallet") for person in people])

    won = successes(results)
    assert len(won) == 1 and won[0].status == PurchaseStatus.PAID
    assert all(isinstance(refused, ListingNotForSale) for refused in failures(results))
    charged = [p for p in people if ledger.balances(p)["available"] != D("500.00")]
    assert [p.pk for p in charged] == [won[0].buyer_id]
    assert ledger.platform_balance(kinds.ESCROW) == D("120.00")
    assert LockerCoupon.objects.filter(source="bought").count() == 1
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SOLD
    assert ledger_problems() == []


def test_card_and_wallet_buyers_at_once_hold_the_listing_once_and_the_rest_never_pay():
    listing = ListingFactory()
    people = buyers(10)
    methods = ["razorpay", "wallet"] * 5

    results = race([attempt(p, listing, m) for p, m in zip(people, methods, strict=True)])

    won = successes(results)
    assert len(won) == 1
    assert len(failures(results)) == 9
    assert Purchase.objects.count() == 1
    # a gateway order was opened for the winner only, if the winner paid by card
    expected_payments = 1 if won[0].method == "razorpay" else 0
    assert Payment.objects.filter(payable_kind=kinds.PAYABLE).count() == expected_payments
    losers = [p for p in people if p.pk != won[0].buyer_id]
    assert all(ledger.balances(p)["available"] == D("500.00") for p in losers)
    assert ledger_problems() == []


def test_a_release_running_twice_at_once_pays_the_seller_once():
    listing = ListingFactory()
    (buyer,) = buyers(1)
    purchase = purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method="wallet", idempotency_key="k"
    )
    Purchase.objects.filter(pk=purchase.pk).update(
        window_ends_at=timezone.now() - timedelta(seconds=1)
    )

    results = race([lambda: purchase_release(purchase_id=purchase.pk) for _ in range(4)])

    assert all(r.status == PurchaseStatus.RELEASED for r in results)
    assert ledger.balances(listing.seller)["available"] == D("114.00")
    assert ledger.platform_balance(kinds.ESCROW) == D("0.00")
    assert ledger_problems() == []
