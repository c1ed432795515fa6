"""What the optimiser is fed for a shopper at a store: their own locker only, other sellers'
listings, the store's live offers, gift cards and cashback; never a code; a fixed number of
queries however many candidates there are."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assistant.cart import analysis_cards, analysis_data, cart_analyze
from assistant.cart.candidates import candidates_for
from catalog.tests.factories import MerchantFactory
from marketplace.models import CouponStatus
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from offers.models import OfferStatus
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def by_source(candidates) -> dict:
    grouped = {}
    for candidate in candidates:
        grouped.setdefault(candidate.source, []).append(candidate)
    return grouped


def test_candidates_gather_each_kind_for_the_store(shopper, store, locker_coupon, listing):
    candidates = by_source(candidates_for(user=shopper, store_slug="zara", now=timezone.now()))

    [mine] = candidates["locker"]
    assert mine.ref == str(locker_coupon.public_id)
    assert (mine.benefit, mine.value, mine.min_order) == ("flat", D("400.00"), D("2000.00"))
    # A Fashion coupon covers Shoes too.
    assert mine.categories == frozenset({"fashion", "shoes"})
    [offer] = candidates["offer"]
    assert (offer.benefit, offer.value, offer.max_discount) == ("percent", D("10.00"), D("300"))
    [bought] = candidates["listing"]
    assert (bought.ref, bought.cost) == (str(listing.public_id), D("120.00"))
    [card] = candidates["gift_card"]
    assert (card.ref, card.product, card.stock) == ("zara-500", "zara-gift-card", 4)
    [cashback] = candidates["cashback"]
    assert (cashback.benefit, cashback.value, cashback.confirmation_days) == (
        "cashback_percent",
        D("5.00"),
        45,
    )


def test_another_shoppers_locker_and_the_shoppers_own_listings_never_appear(shopper, store):
    LockerCouponFactory(merchant=store, code="NOTYOURS123")
    own = LockerCouponFactory(owner=shopper, merchant=store, code="MINE12345")
    selling = LockerCouponFactory(
        owner=shopper, merchant=store, code="SELLING77", status=CouponStatus.LISTED
    )
    ListingFactory(coupon=selling)

    candidates = candidates_for(user=shopper, store_slug="zara", now=timezone.now())

    assert [c.ref for c in candidates if c.source == "locker"] == [str(own.public_id)]
    assert [c for c in candidates if c.source == "listing"] == []


def test_other_stores_ended_offers_and_used_coupons_are_left_out(shopper, store):
    other = MerchantFactory(slug="hm")
    OfferFactory(merchant=other)
    LockerCouponFactory(owner=shopper, merchant=other)
    OfferFactory(merchant=store, status=OfferStatus.PAUSED)
    LockerCouponFactory(owner=shopper, merchant=store, status=CouponStatus.USED)

    candidates = by_source(candidates_for(user=shopper, store_slug="zara", now=timezone.now()))

    assert len(candidates["offer"]) == 1
    assert "locker" not in candidates


def test_a_recently_expired_coupon_is_explained(shopper, store):
    LockerCouponFactory(
        owner=shopper,
        merchant=store,
        status=CouponStatus.EXPIRED,
        expires_on=timezone.localdate() - timedelta(days=2),
    )

    analysis = cart_analyze(
        user=shopper, store="zara", items=[{"name": "Coat", "price": D("3000"), "quantity": 1}]
    )

    assert [r.reason_code for r in analysis.rejected if r.candidate.source == "locker"] == [
        "expired"
    ]


def test_the_query_count_does_not_grow_with_the_candidates(
    shopper, store, django_assert_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            candidates_for(user=shopper, store_slug="zara", now=timezone.now())
        return len(queries)

    few = count()
    for n in range(15):
        LockerCouponFactory(owner=shopper, merchant=store)
        OfferFactory(merchant=store)
        ListingFactory(coupon=LockerCouponFactory(merchant=store, code=f"SELL{n:05d}"))

    with django_assert_num_queries(few):
        candidates = candidates_for(user=shopper, store_slug="zara", now=timezone.now())
    assert len(candidates) >= 45


def test_codes_never_reach_the_model_nor_the_cards(shopper, store, locker_coupon, listing):
    analysis = cart_analyze(
        user=shopper,
        store="zara",
        items=[{"name": "Coat", "category": "fashion", "price": D("2500"), "quantity": 1}],
    )

    blob = repr(analysis_data(analysis)) + repr(analysis_cards(analysis))
    for code in ("ZARA10", "MYSECRET400", "SELLERCODE99"):
        assert code not in blob


def test_a_shopper_without_coupons_still_gets_gift_cards_and_cashback(store):
    analysis = cart_analyze(
        user=UserFactory(),
        store="zara",
        items=[{"name": "Jeans", "category": "", "price": D("1000"), "quantity": 1}],
    )

    # 10% code: ₹900 at the store; one ₹500 card for ₹470 saves ₹30; 5% cashback on ₹900.
    best = analysis.best
    assert (best.discount, best.gift_card_saving, best.pay_now) == (
        D("100.00"),
        D("30.00"),
        D("870.00"),
    )
    assert best.cashback_amount == D("45.00")
    assert best.net == D("825.00")


def test_a_gift_card_sold_two_at_a_time_is_planned_two_at_a_time(store):
    from catalog.models import Variant

    Variant.objects.filter(sku="zara-500").update(min_quantity=2)

    analysis = cart_analyze(
        user=UserFactory(),
        store="zara",
        items=[{"name": "Jeans", "category": "", "price": D("1000"), "quantity": 1}],
    )

    # ₹900 after the 10% code has room for one ₹500 card, which the cart would refuse alone;
    # the ₹1,000 without the code takes two.
    plans = [option.gift_card for option in analysis.options if option.gift_card]
    assert plans and all(plan.quantity >= 2 for plan in plans)
    with_code = [option for option in analysis.options if option.coupon]
    assert with_code and all(option.gift_card is None for option in with_code)
    (card,) = [
        c
        for c in candidates_for(user=UserFactory(), store_slug="zara", now=timezone.now())
        if c.source == "gift_card"
    ]
    assert card.min_quantity == 2
