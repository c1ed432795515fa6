"""The listings API: browse, one listing, list a coupon, withdraw; the schema."""

import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, MerchantFactory
from marketplace.models import CouponStatus, Listing, ListingStatus, Suspension
from marketplace.tests.factories import ListingFactory, LockerCouponFactory

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/marketplace/listings/"


@pytest.fixture
def api():
    return APIClient()


def _signed_in(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _listing(**fields):
    coupon_fields = {
        key.removeprefix("coupon__"): fields.pop(key) for key in list(fields) if "coupon__" in key
    }
    coupon = LockerCouponFactory(status=CouponStatus.LISTED, **coupon_fields)
    return ListingFactory(coupon=coupon, category=coupon.category, **fields)


def test_browse_answers_listings_without_codes(api):
    listing = _listing(price=D("120"))

    response = api.get(LISTINGS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == str(listing.public_id)
    assert row["title"] == f"₹200 off at {listing.merchant.name}"
    assert (row["price"], row["worth"], row["saving"]) == ("120.00", "200.00", "80.00")
    assert row["store"] == {"slug": listing.merchant.slug, "name": listing.merchant.name}
    assert row["dispute_hours"] == 72
    assert listing.coupon.code not in json.dumps(body)


def test_browse_filters_and_sorts(api):
    fashion = CategoryFactory(name="Fashion")
    store = MerchantFactory()
    cheap = _listing(coupon__merchant=store, coupon__category=fashion, price=D("50"))
    dear = _listing(coupon__merchant=store, coupon__category=fashion, price=D("150"))
    _listing(price=D("10"))  # another store, no category
    soon = timezone.localdate() + timedelta(days=2)
    verified = _listing(
        coupon__merchant=store, coupon__category=fashion, coupon__expires_on=soon, verified=True
    )

    def ids(query):
        response = api.get(LISTINGS + query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    in_store = f"?store={store.slug}&category={fashion.slug}"
    assert ids(in_store + "&sort=price") == [
        str(cheap.public_id),
        str(verified.public_id),
        str(dear.public_id),
    ]
    assert ids(in_store + "&min_price=60&max_price=200&sort=price") == [
        str(verified.public_id),
        str(dear.public_id),
    ]
    assert ids(in_store + "&verified=true") == [str(verified.public_id)]
    assert ids(in_store + "&expiring=true") == [str(verified.public_id)]
    assert ids(in_store + "&sort=saving")[0] == str(cheap.public_id)


@pytest.mark.parametrize(
    "query",
    [
        "?sort=cheapest",
        "?min_price=abc",
        "?min_price=50&max_price=10",
        "?verified=maybe",
        "?page_size=1000",
        "?store=not a slug",
    ],
)
def test_browse_answers_400_with_field_messages_for_a_bad_query(api, query):
    response = api.get(LISTINGS + query)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_browse_runs_the_same_queries_for_one_or_twenty_listings(api):
    _listing(coupon__category=CategoryFactory())
    with CaptureQueriesContext(connection) as one:
        api.get(LISTINGS)
    for _ in range(25):
        _listing(coupon__category=CategoryFactory())
    with CaptureQueriesContext(connection) as twenty:
        response = api.get(LISTINGS)
    assert len(response.json()["results"]) == 20
    assert len(twenty) == len(one)


def test_one_listing_has_the_sellers_reputation_and_no_code(api):
    listing = _listing(verified=True)
    response = api.get(f"{LISTINGS}{listing.public_id}/")
    body = response.json()
    assert response.status_code == 200
    assert body["seller"] == {"rating": None, "ratings": 0, "sales": 0}
    assert body["coupon_id"] == str(listing.coupon.public_id)
    assert body["dispute_hours"] == 24
    assert listing.coupon.code not in json.dumps(body)


def test_a_listing_not_for_sale_is_404(api):
    listing = ListingFactory(status=ListingStatus.WITHDRAWN)
    response = api.get(f"{LISTINGS}{listing.public_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "listing_not_found"


def test_listing_a_coupon_answers_201_with_fee_and_payout():
    coupon = LockerCouponFactory()
    client = _signed_in(coupon.owner)

    response = client.post(
        LISTINGS,
        {"coupon_id": str(coupon.public_id), "price": "150.00", "swap_welcome": True},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["price"], body["fee"], body["payout"]) == ("150.00", "7.50", "142.50")
    assert body["status"] == "live" and body["swap_welcome"] is True
    assert coupon.code not in json.dumps(body)


def test_listing_needs_sign_in(api):
    coupon = LockerCouponFactory()
    response = api.post(LISTINGS, {"coupon_id": str(coupon.public_id), "price": "10"})
    assert response.status_code == 401


def test_listing_someone_elses_coupon_is_404():
    response = _signed_in(UserFactory()).post(
        LISTINGS, {"coupon_id": str(LockerCouponFactory().public_id), "price": "10"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "coupon_not_found"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"price": "250"}, "price"),
        ({"price": "0.5"}, "price"),
        ({"price": "x"}, "price"),
        ({"price": "10", "coupon_id": "nope"}, "coupon_id"),
        ({}, "price"),
    ],
)
def test_listing_bad_input_is_400_by_field(payload, field):
    coupon = LockerCouponFactory()
    response = _signed_in(coupon.owner).post(
        LISTINGS, {"coupon_id": str(coupon.public_id), **payload}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_listing_refusals_answer_403_and_409():
    listed = ListingFactory()
    same_code = LockerCouponFactory(code=listed.coupon.code)
    response = _signed_in(same_code.owner).post(
        LISTINGS, {"coupon_id": str(same_code.public_id), "price": "10"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "code_already_listed"

    coupon = LockerCouponFactory()
    Suspension.objects.create(user=coupon.owner, until=timezone.now() + timedelta(days=1))
    response = _signed_in(coupon.owner).post(
        LISTINGS, {"coupon_id": str(coupon.public_id), "price": "10"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "seller_suspended"


def test_withdraw_my_listing():
    listing = _listing()
    client = _signed_in(listing.seller)
    response = client.post(f"{LISTINGS}{listing.public_id}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = client.post(f"{LISTINGS}{listing.public_id}/withdraw/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "listing_not_for_sale"


def test_withdraw_someone_elses_listing_is_404():
    listing = _listing()
    response = _signed_in(UserFactory()).post(f"{LISTINGS}{listing.public_id}/withdraw/")
    assert response.status_code == 404
    assert Listing.objects.get().status == ListingStatus.LIVE


def test_every_listing_operation_documents_its_statuses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    # (404 of a list: a page past the end.)
    assert set(paths[LISTINGS]["get"]["responses"]) >= {"200", "400", "404"}
    assert set(paths[LISTINGS]["post"]["responses"]) >= {"201", "400", "401", "403", "404", "409"}
    detail = paths[LISTINGS + "{public_id}/"]["get"]["responses"]
    assert set(detail) >= {"200", "404"}
    withdraw = paths[LISTINGS + "{public_id}/withdraw/"]["post"]["responses"]
    assert set(withdraw) >= {"200", "401", "404", "409"}
