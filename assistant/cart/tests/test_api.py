"""POST /api/v1/assistant/analyze-cart/: sign-in, 400 field messages, the ranked options with
figures as strings (checked against the published schema), 404 for an unknown store."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.tests.factories import MerchantFactory
from coupzii.tests.schema import assert_matches_schema
from offers.tests.books.factories import book_with_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/assistant/analyze-cart/"


def coat(**changes) -> dict:
    return {"name": "Coat", "category": "fashion", "price": "2500.00", "quantity": 1, **changes}


def test_analyze_cart_needs_a_signed_in_shopper(store):
    response = APIClient().post(URL, {"store": "zara", "items": [coat()]}, format="json")

    assert response.status_code == 401


def test_analyze_cart_ranks_the_ways_to_pay(api, store, locker_coupon, listing):
    response = api.post(URL, {"store": "zara", "items": [coat()]}, format="json")

    assert response.status_code == 200, response.content
    assert_matches_schema(response, method="post", path=URL)
    body = response.json()
    assert body["subtotal"] == "2500.00"
    best = body["options"][0]
    # The locker's ₹400 off Fashion: ₹2,100 at the store, four ₹500 cards at ₹470 save ₹120.
    assert best["coupon"]["source"] == "locker"
    assert best["coupon"]["ref"] == str(locker_coupon.public_id)
    assert (best["discount"], best["gift_card_saving"], best["pay_now"]) == (
        "400.00",
        "120.00",
        "1980.00",
    )
    assert (best["cashback"], best["net"]) == ("105.00", "1875.00")
    assert body["full_price"]["pay_now"] == "2500.00"
    card = body["cards"][0]
    assert card["type"] == "pay_option"
    # See the code in the locker, add the gift cards to the cart, go to the store.
    assert [(action["method"], action["url"]) for action in card["actions"]] == [
        ("get", reverse("marketplace:locker-coupon", args=[locker_coupon.public_id])),
        ("post", reverse("commerce:gift-card", args=["zara-gift-card"])),
        ("get", reverse("merchant_detail", args=["zara"])),
    ]
    assert card["actions"][1]["fields"] == {"sku": "zara-500", "quantity": "4"}
    assert "MYSECRET400" not in response.content.decode()


def test_analyze_cart_explains_what_does_not_apply(api, store, locker_coupon):
    response = api.post(URL, {"store": "zara", "items": [coat(price="1500.00")]}, format="json")

    assert response.status_code == 200
    [reason] = [r for r in response.json()["rejected"] if r["source"] == "locker"]
    assert reason["reason_code"] == "min_order_not_met"
    assert "₹2,000.00" in reason["reason"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"store": "zara", "items": []}, "items"),
        ({"store": "zara", "items": [coat()] * 101}, "items"),
        ({"store": "zara", "items": [coat(price="0")]}, "items"),
        ({"store": "zara", "items": [coat(price="-5")]}, "items"),
        ({"store": "zara", "items": [coat(price="12.345")]}, "items"),
        ({"store": "zara", "items": [coat(price="99999999999.00")]}, "items"),
        ({"store": "zara", "items": [coat(quantity=0)]}, "items"),
        ({"store": "zara", "items": [coat(quantity=100)]}, "items"),
        ({"store": "zara", "items": [{"price": "10", "quantity": 1}]}, "items"),
        ({"store": "not a slug!", "items": [coat()]}, "store"),
        ({"items": [coat()]}, "store"),
    ],
)
def test_analyze_cart_answers_400_with_field_messages(api, store, body, field):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_every_field_error_is_a_list_of_messages_as_the_schema_says(api, store):
    # an empty list's own error, and the first item's missing price, under their top-level field
    for items, expected in (
        ([], "Ensure this field has at least 1 elements."),
        ([{"name": "Coat", "quantity": 1}], "0: price: This field is required."),
    ):
        body = api.post(URL, {"store": "zara", "items": items}, format="json").json()

        assert body["error"]["fields"]["items"] == [expected]


def test_analyze_cart_answers_404_for_an_unknown_store(api, store):
    response = api.post(URL, {"store": "nowhere", "items": [coat()]}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "cart_unknown_store"


def test_a_cart_whose_total_is_too_large_is_refused(api, store):
    huge = coat(price="9999999999.00", quantity=99)

    response = api.post(URL, {"store": "zara", "items": [huge]}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cart_invalid"


def test_analyze_cart_shows_a_code_the_shopper_holds_instead_of_a_claim(client, api, shopper):
    nike = MerchantFactory(name="Nike", slug="nike")
    book = book_with_codes(3, offer__merchant=nike, offer__discount_value=Decimal("200.00"))
    client.force_login(shopper)
    client.post(reverse("offer_claim", args=[book.offer.public_id]))  # holds the one code allowed

    body = api.post(
        URL,
        {"store": "nike", "items": [{"name": "Shoes", "price": "2000", "quantity": 1}]},
        format="json",
    ).json()

    cards = [card for card in body["cards"] if card["ref"] == str(book.offer.public_id)]
    assert cards
    for card in cards:
        labels = [button["label"] for button in card["actions"]]
        assert "Claim code" not in labels and "Open My codes" in labels
