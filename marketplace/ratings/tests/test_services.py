"""Ratings: buyer and seller rate each other once, after completion, within 30 days."""

import pytest

from accounts.tests.factories import UserFactory
from marketplace import errors
from marketplace.listings.selectors import seller_reputation
from marketplace.models import Purchase, PurchaseStatus, Rating
from marketplace.ratings.selectors import rating_allowed
from marketplace.ratings.services import rating_give

from .conftest import completed_purchase

pytestmark = pytest.mark.django_db


def test_the_buyer_rates_the_seller_and_the_seller_the_buyer(purchase):
    given = rating_give(rater=purchase.buyer, number=purchase.number, stars=5, comment=" Great ")
    back = rating_give(rater=purchase.seller, number=purchase.number, stars=4)

    assert (given.ratee, given.stars, given.comment) == (purchase.seller, 5, "Great")
    assert (back.ratee, back.stars) == (purchase.buyer, 4)


def test_a_purchase_is_rated_once_by_each_side(purchase):
    rating_give(rater=purchase.buyer, number=purchase.number, stars=5)

    with pytest.raises(errors.RatingNotAllowed):
        rating_give(rater=purchase.buyer, number=purchase.number, stars=1)
    assert Rating.objects.count() == 1
    assert not rating_allowed(purchase.buyer, purchase)
    assert rating_allowed(purchase.seller, purchase)


@pytest.mark.parametrize(
    "status", [PurchaseStatus.PAID, PurchaseStatus.DISPUTED, PurchaseStatus.REFUNDED]
)
def test_only_a_completed_purchase_can_be_rated(status):
    purchase = completed_purchase(status=status)

    with pytest.raises(errors.RatingNotAllowed):
        rating_give(rater=purchase.buyer, number=purchase.number, stars=5)


def test_ratings_close_30_days_after_completion():
    within = completed_purchase(released_days_ago=29.9)
    late = completed_purchase(released_days_ago=30.1)

    rating_give(rater=within.buyer, number=within.number, stars=3)
    with pytest.raises(errors.RatingNotAllowed):
        rating_give(rater=late.buyer, number=late.number, stars=3)


def test_someone_else_cannot_rate_a_purchase(purchase):
    with pytest.raises(errors.PurchaseNotFound):
        rating_give(rater=UserFactory(), number=purchase.number, stars=5)


@pytest.mark.parametrize("stars", [0, 6, "5", True])
def test_stars_are_one_to_five(purchase, stars):
    with pytest.raises(errors.RatingInvalid) as refused:
        rating_give(rater=purchase.buyer, number=purchase.number, stars=stars)
    assert "stars" in refused.value.fields


def test_a_rating_shows_in_the_sellers_reputation(purchase):
    rating_give(rater=purchase.buyer, number=purchase.number, stars=4)
    rating_give(rater=purchase.seller, number=purchase.number, stars=2)  # about the buyer

    reputation = seller_reputation([purchase.seller_id])[purchase.seller_id]

    assert reputation["ratings"] == 1
    assert reputation["rating"] == 4


def test_ratings_a_seller_got_as_a_buyer_are_not_in_their_seller_reputation(purchase):
    # given: the seller of one sale bought on another, and their seller rated them as a buyer
    rating_give(rater=purchase.buyer, number=purchase.number, stars=5)
    as_buyer = completed_purchase()
    Purchase.objects.filter(pk=as_buyer.pk).update(buyer=purchase.seller)
    rating_give(rater=as_buyer.seller, number=as_buyer.number, stars=1)

    reputation = seller_reputation([purchase.seller_id])[purchase.seller_id]

    assert (reputation["ratings"], reputation["rating"]) == (1, 5)


def test_a_sellers_average_rating_is_rounded_to_one_place():
    first, second, third = completed_purchase(), completed_purchase(), completed_purchase()
    Purchase.objects.filter(pk__in=[second.pk, third.pk]).update(seller=first.seller)
    for purchase, stars in ((first, 5), (second, 4), (third, 4)):
        rating_give(rater=purchase.buyer, number=purchase.number, stars=stars)

    reputation = seller_reputation([first.seller_id])[first.seller_id]

    assert str(reputation["rating"]) == "4.3"
