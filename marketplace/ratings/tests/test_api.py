"""Ratings over the API: 201 with the rating, 404 for a purchase that is not mine, 409 the
second time or when not completed, 400 by field; in the schema."""

import pytest
from django.utils.functional import Promise
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coupzii.tests.schema import assert_matches_schema
from marketplace.models import PurchaseStatus
from marketplace.ratings.forms import STARS

from .conftest import completed_purchase

pytestmark = pytest.mark.django_db
RATINGS = "/api/v1/marketplace/ratings/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_buyer_rates_once_and_a_stranger_gets_404(purchase):
    body = {"number": purchase.number, "stars": 4, "comment": "Worked"}

    rated = api_for(purchase.buyer).post(RATINGS, body, format="json")
    again = api_for(purchase.buyer).post(RATINGS, body, format="json")
    stranger = api_for(UserFactory()).post(RATINGS, body, format="json")

    assert rated.status_code == 201
    assert (rated.json()["stars"], rated.json()["comment"]) == (4, "Worked")
    assert_matches_schema(rated, method="POST", path=RATINGS)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "rating_not_allowed")
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "purchase_not_found")
    assert APIClient().post(RATINGS, body, format="json").status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "number"),
        ({"number": "MP-X", "stars": "abc"}, "stars"),
        ({"number": "MP-X", "stars": 6}, "stars"),
        ({"number": "MP-X", "stars": 3.5}, "stars"),
        ({"number": "MP-X", "stars": 3, "comment": "x" * 501}, "comment"),
        ({"number": "x" * 1000, "stars": 3}, "number"),
    ],
)
def test_bad_input_is_400_by_field(body, field):
    response = api_for(UserFactory()).post(RATINGS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_sale_still_in_its_window_cannot_be_rated_yet():
    purchase = completed_purchase(status=PurchaseStatus.PAID)

    response = api_for(purchase.seller).post(
        RATINGS, {"number": purchase.number, "stars": 5}, format="json"
    )

    assert response.status_code == 409


def test_star_labels_are_translated_when_shown_not_at_import():
    assert all(isinstance(label, Promise) for _stars, label in STARS)
