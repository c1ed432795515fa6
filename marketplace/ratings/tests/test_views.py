"""The rating page and the ratings API."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from marketplace.models import PurchaseStatus, Rating

from .conftest import completed_purchase

pytestmark = pytest.mark.django_db
API = "/api/v1/marketplace/ratings/"


def page(purchase):
    return f"/marketplace/ratings/{purchase.number}/"


def test_the_buyer_rates_the_seller_on_the_page(client, purchase):
    client.force_login(purchase.buyer)

    form = client.get(page(purchase))
    sent = client.post(page(purchase), {"stars": "4", "comment": "Worked"}, follow=True)

    assert form.status_code == 200
    assert "Rate the seller" in form.content.decode()
    assert sent.status_code == 200
    assert "You gave 4 stars" in sent.content.decode()
    assert Rating.objects.get().ratee == purchase.seller


def test_the_page_shows_the_missing_stars(client, purchase):
    client.force_login(purchase.seller)

    response = client.post(page(purchase), {"comment": "?"})

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_purchase_not_yet_complete_shows_why_it_cannot_be_rated(client):
    purchase = completed_purchase(status=PurchaseStatus.PAID)
    client.force_login(purchase.buyer)

    response = client.get(page(purchase))

    assert "This purchase can't be rated" in response.content.decode()


def test_someone_elses_purchase_is_not_found(client, purchase):
    client.force_login(UserFactory())

    assert client.get(page(purchase)).status_code == 404


def test_the_api_rates_once_and_answers_201(purchase):
    api = APIClient()
    api.force_authenticate(purchase.buyer)

    first = api.post(API, {"number": purchase.number, "stars": 5}, format="json")
    again = api.post(API, {"number": purchase.number, "stars": 5}, format="json")

    assert first.status_code == 201
    assert first.json()["stars"] == 5
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "rating_not_allowed"


def test_the_api_refuses_bad_stars_and_other_peoples_purchases(purchase):
    api = APIClient()
    api.force_authenticate(purchase.buyer)
    bad = api.post(API, {"number": purchase.number, "stars": 9}, format="json")
    api.force_authenticate(UserFactory())
    stranger = api.post(API, {"number": purchase.number, "stars": 5}, format="json")
    anonymous = APIClient().post(API, {"number": purchase.number, "stars": 5}, format="json")

    assert bad.status_code == 400
    assert "stars" in bad.json()["error"]["fields"]
    assert stranger.status_code == 404
    assert anonymous.status_code == 401
