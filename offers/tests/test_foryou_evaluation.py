"""Does "For you" beat trending? An offline evaluation on generated shoppers, run in the suite.

Fifty shoppers each like one or two of ten categories and have three months of history
(click-outs, claimed codes, gift-card orders, locker coupons), mostly in those categories.
Trending is dominated by two popular categories that none of them favours (crowds of visitors
click those). The hit rate of a rail is the share of its top ten offers in the shopper's
favourite categories; the For you rail must beat trending by a clear margin.
"""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, MerchantFactory, VariantFactory
from commerce.models import Order, OrderLine, OrderStatus
from marketplace.models import LockerCoupon
from marketplace.tests.factories import LockerCouponFactory
from offers import selectors
from offers.models import Click, CodeStatus, CouponCode, OfferKind
from offers.tests.books.factories import book_with_codes
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

SHOPPERS = 50
CATEGORIES = 10
POPULAR = 2  # the first two categories: what the crowd clicks
STORES_PER_CATEGORY = 3
OFFERS_PER_STORE = 4
ACTIONS_PER_SHOPPER = (10, 20)
IN_FAVOURITES = 0.8
TOP = 10
# How much better the rail must do than trending, in hit-rate points.
MARGIN = 0.3


def _catalog(rng):
    """Categories, their stores, live offers (one unique-code offer per store, with a book)
    and a gift card per store."""
    categories = [CategoryFactory(name=f"Category {number}") for number in range(CATEGORIES)]
    stores = {}
    for category in categories:
        stores[category.pk] = []
        for _ in range(STORES_PER_CATEGORY):
            store = MerchantFactory(categories=[category])
            offers = [
                OfferFactory(merchant=store, category=category, clicks_count=rng.randint(0, 50))
                for _ in range(OFFERS_PER_STORE - 1)
            ]
            book = book_with_codes(
                40,
                offer__merchant=store,
                offer__category=category,
                offer__kind=OfferKind.UNIQUE_CODE,
            )
            offers.append(book.offer)
            variant = VariantFactory(product__merchant=store, product__category=category)
            stores[category.pk].append({"store": store, "offers": offers, "variant": variant})
    return categories, stores


def _crowd_clicks(stores, popular, now):
    """Visitors (not signed in) click the popular categories' offers all day."""
    clicks = [
        Click(
            offer=offer,
            merchant=entry["store"],
            created_at=now - timedelta(minutes=5 + number * 7),
            user=None,
        )
        for category in popular
        for entry in stores[category.pk]
        for offer in entry["offers"]
        for number in range(6)
    ]
    Click.objects.bulk_create(clicks)


def _history(shopper, favourites, categories, stores, rng, now, order_numbers):
    """Mostly-favourite actions over the last 90 days, of every kind a source reads."""
    clicks = []
    for _ in range(rng.randint(*ACTIONS_PER_SHOPPER)):
        category = (
            rng.choice(favourites) if rng.random() < IN_FAVOURITES else rng.choice(categories)
        )
        entry = rng.choice(stores[category.pk])
        when = now - timedelta(days=rng.uniform(0, 90))
        action = rng.random()
        if action < 0.6:
            offer = rng.choice(entry["offers"])
            clicks.append(
                Click(offer=offer, merchant=entry["store"], user=shopper, created_at=when)
            )
        elif action < 0.75:
            _claim(shopper, entry["offers"][-1], when)
        elif action < 0.9:
            _paid_order(shopper, entry["variant"], when, order_numbers)
        else:
            coupon = LockerCouponFactory(owner=shopper, merchant=entry["store"], category=category)
            # created_at is set on insert: move it back to when the coupon was added.
            LockerCoupon.objects.filter(pk=coupon.pk).update(created_at=when)
    Click.objects.bulk_create(clicks)


def _claim(shopper, offer, when):
    if CouponCode.objects.filter(book__offer=offer, holder=shopper).exists():
        return
    code = CouponCode.objects.filter(book__offer=offer, status=CodeStatus.AVAILABLE).first()
    code.holder, code.claim_slot, code.status, code.claimed_at = (
        shopper,
        1,
        CodeStatus.ASSIGNED,
        when,
    )
    code.save()


def _paid_order(shopper, variant, when, order_numbers):
    number = f"CZEVAL{next(order_numbers):06d}"
    price = Decimal("490.00")
    order = Order.objects.create(
        number=number,
        user=shopper,
        status=OrderStatus.FULFILLED,
        subtotal=price,
        total=price,
        gateway_amount=price,
        email=shopper.email,
        idempotency_key=number,
        pay_by=when,
        paid_at=when,
        fulfilled_at=when,
    )
    OrderLine.objects.create(
        order=order,
        variant=variant,
        product_name=variant.product.name,
        face_value=variant.face_value,
        unit_price=price,
        quantity=1,
    )


def _hit_rate(offers, favourite_ids) -> float:
    top = list(offers)[:TOP]
    return sum(offer.category_id in favourite_ids for offer in top) / TOP


def test_for_you_beats_trending_on_shoppers_favourite_categories(capsys):
    # given
    rng = random.Random(16)
    now = timezone.now()
    categories, stores = _catalog(rng)
    popular, others = categories[:POPULAR], categories[POPULAR:]
    _crowd_clicks(stores, popular, now)
    order_numbers = iter(range(1, 10**6))
    shoppers = []
    for _ in range(SHOPPERS):
        shopper = UserFactory()
        favourites = rng.sample(others, rng.choice([1, 2]))
        _history(shopper, favourites, categories, stores, rng, now, order_numbers)
        shoppers.append((shopper, {category.pk for category in favourites}))

    # when
    trending = list(selectors.offers_trending(TOP))
    rails = [
        (selectors.offers_for_you(shopper, TOP), favourites) for shopper, favourites in shoppers
    ]

    # then
    for_you_hits = sum(_hit_rate(rail.offers, fav) for rail, fav in rails) / SHOPPERS
    trending_hits = sum(_hit_rate(trending, fav) for _shopper, fav in shoppers) / SHOPPERS
    with capsys.disabled():
        print(
            f"\nFor you evaluation ({SHOPPERS} shoppers, top {TOP}): "
            f"for you hit rate {for_you_hits:.2f}, trending hit rate {trending_hits:.2f}"
        )
    assert all(rail.personal for rail, _fav in rails)
    assert {offer.category_id for offer in trending} <= {category.pk for category in popular}
    assert for_you_hits >= trending_hits + MARGIN
    assert for_you_hits >= 0.5
