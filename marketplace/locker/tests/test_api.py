"""The locker API, /api/v1/locker/: shapes (checked against the published schema), filters,
pages with a fixed number of queries, 400 field messages, 409s, and 404 for another shopper's
coupon on every route."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from coupzii.tests.schema import assert_matches_schema
from marketplace.models import CouponStatus, LockerCoupon, Source
from marketplace.tests.factories import ListingFactory, LockerCouponFactory

pytestmark = pytest.mark.django_db

LOCKER = "/api/v1/locker/"


def one(coupon) -> str:
    return f"{LOCKER}{coupon.public_id}/"


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_locker_needs_a_signed_in_shopper():
    assert APIClient().get(LOCKER).status_code == 401


def test_the_list_matches_the_schema_and_hides_sold_coupons(api, user):
    LockerCouponFactory(owner=user, code="LISTME0001")
    LockerCouponFactory(owner=user, status=CouponStatus.SOLD)
    LockerCouponFactory()  # someone else's
    response = api.get(LOCKER)
    assert response.status_code == 200
    assert_matches_schema(response, method="get", path="/api/v1/locker/")
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["code"] == "LISTME0001" and row["status"] == "active"
    assert row["worth"] == "200.00" and row["merchant"]["slug"]


def test_the_list_filters_by_status_and_source(api, user):
    LockerCouponFactory(owner=user, status=CouponStatus.USED)
    LockerCouponFactory(owner=user, source=Source.CLAIMED)
    assert api.get(LOCKER, {"status": "used"}).json()["count"] == 1
    assert api.get(LOCKER, {"source": "claimed"}).json()["count"] == 1
    assert api.get(LOCKER, {"source": "claimed", "status": "used"}).json()["count"] == 0


def test_an_unknown_filter_value_is_a_400_naming_the_parameter(api):
    response = api.get(LOCKER, {"status": "lost"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_costs_a_fixed_number_of_queries(api, user, count, django_assert_num_queries):
    LockerCouponFactory.create_batch(count, owner=user)
    # the page's count and the page itself (merchant and category joined)
    with django_assert_num_queries(2):
        response = api.get(LOCKER)
    assert len(response.json()["results"]) == count


def test_adding_by_hand_answers_201_with_the_coupon(api, user):
    merchant = MerchantFactory(name="Nykaa", website="https://www.nykaa.com/")
    response = api.post(
        LOCKER,
        {
            "code": "glow 15",
            "store": "nykaa.com",
            "benefit": "percent",
            "benefit_value": "15",
            "max_discount": "300",
            "expires_on": None,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert_matches_schema(response, method="post", path="/api/v1/locker/")
    body = response.json()
    assert body["code"] == "GLOW15" and body["source"] == "manual"
    assert body["merchant"]["slug"] == merchant.slug and body["worth"] == "300.00"
    assert LockerCoupon.objects.get(owner=user).merchant == merchant


def test_bad_input_is_a_400_with_a_message_per_field(api):
    response = api.post(
        LOCKER,
        {"code": "x", "benefit": "fixed", "benefit_value": "-3", "expires_on": "2001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"code", "benefit_value", "expires_on"} <= set(fields)


def test_a_malformed_body_is_a_400_not_a_500(api):
    response = api.post(
        LOCKER,
        {"code": "OK1234", "benefit": "cashback", "benefit_value": "1e400", "merchant": "nope"},
        format="json",
    )
    assert response.status_code == 400
    assert {"benefit", "benefit_value"} <= set(response.json()["error"]["fields"])


def test_a_code_already_held_is_a_409(api, user):
    LockerCouponFactory(owner=user, code="SAVE20")
    response = api.post(LOCKER, {"code": "save 20", "benefit": "bogo"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "code_already_in_locker"


def test_read_change_use_and_delete_one_coupon(api, user):
    coupon = LockerCouponFactory(owner=user, code="MINE000001")
    got = api.get(one(coupon))
    assert got.status_code == 200
    assert_matches_schema(got, method="get", path="/api/v1/locker/{public_id}/")

    changed = api.patch(one(coupon), {"notes": "for the weekend"}, format="json")
    assert changed.status_code == 200 and changed.json()["notes"] == "for the weekend"
    assert changed.json()["code"] == "MINE000001"

    used = api.post(f"{one(coupon)}used/")
    assert used.status_code == 200 and used.json()["status"] == "used"
    assert_matches_schema(used, method="post", path="/api/v1/locker/{public_id}/used/")

    assert api.delete(one(coupon)).status_code == 204
    assert api.get(one(coupon)).status_code == 404


def test_a_patch_with_a_bad_field_is_a_400(api, user):
    coupon = LockerCouponFactory(owner=user)
    response = api.patch(one(coupon), {"benefit_value": "0"}, format="json")
    assert response.status_code == 400
    assert "benefit_value" in response.json()["error"]["fields"]


def test_a_listed_coupon_is_a_409_to_change_or_delete(api, user):
    coupon = ListingFactory(coupon__owner=user).coupon
    assert api.patch(one(coupon), {"notes": "x"}, format="json").status_code == 409
    response = api.delete(one(coupon))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "coupon_listed"


def test_another_shoppers_coupon_is_404_on_every_route(api):
    coupon = LockerCouponFactory(code="THEIRS0001")
    assert api.get(one(coupon)).status_code == 404
    assert api.patch(one(coupon), {"notes": "x"}, format="json").status_code == 404
    assert api.delete(one(coupon)).status_code == 404
    response = api.post(f"{one(coupon)}used/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "coupon_not_found"
    coupon.refresh_from_db()
    assert (coupon.status, coupon.notes) == (CouponStatus.ACTIVE, "")


def test_every_locker_operation_documents_its_errors():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith(LOCKER)}
    paths = {p: ops for p, ops in paths.items() if not p.startswith(f"{LOCKER}scans/")}
    assert len(paths) == 3
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
            if "{public_id}" in path:
                assert "404" in operation["responses"], (method, path)
            if method in {"post", "patch"}:
                assert "400" in operation["responses"] or path.endswith("used/"), (method, path)


def test_expiry_dates_before_today_are_refused_but_today_is_fine(api):
    from django.utils import timezone

    today = timezone.localdate()
    yesterday = api.post(
        LOCKER,
        {
            "code": "OLD001",
            "benefit": "bogo",
            "expires_on": (today - timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    body = {"code": "NEW001", "benefit": "bogo", "expires_on": today.isoformat()}
    fine = api.post(LOCKER, body, format="json")
    assert yesterday.status_code == 400 and fine.status_code == 201
