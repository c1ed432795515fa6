"""The disputes API: file (JSON or multipart with a screenshot), read, answer; 400 with field
messages, 404 for anyone else's, 409 when the purchase can't be disputed; in the schema."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from marketplace.models import Dispute, Purchase

from .conftest import paid_purchase, screenshot

pytestmark = pytest.mark.django_db
DISPUTES = "/api/v1/marketplace/disputes/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_buyer_files_with_a_screenshot_and_both_sides_read_it(buyer):
    purchase = paid_purchase(buyer)

    created = api_for(buyer).post(
        DISPUTES,
        {"number": purchase.number, "note": "Invalid code", "screenshot": screenshot()},
        format="multipart",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["purchase"], body["status"], body["role"]) == (purchase.number, "open", "buyer")
    assert body["has_screenshot"] is True
    assert body["seller_answered"] is False
    seller_view = api_for(purchase.seller).get(f"{DISPUTES}{body['id']}/")
    assert seller_view.json()["role"] == "seller"
    image = api_for(purchase.seller).get(body["screenshot_url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"


def test_the_seller_answers_and_the_buyer_cannot(buyer):
    purchase = paid_purchase(buyer)
    dispute_id = (
        api_for(buyer)
        .post(DISPUTES, {"number": purchase.number, "note": "x"}, format="json")
        .json()["id"]
    )
    answer_url = f"{DISPUTES}{dispute_id}/answer/"

    assert api_for(buyer).post(answer_url, {"answer": "me"}, format="json").status_code == 404
    empty = api_for(purchase.seller).post(answer_url, {"answer": ""}, format="json")
    answered = api_for(purchase.seller).post(answer_url, {"answer": "Works"}, format="json")
    again = api_for(purchase.seller).post(answer_url, {"answer": "Again"}, format="json")

    assert empty.status_code == 400
    assert "answer" in empty.json()["error"]["fields"]
    assert answered.status_code == 200
    assert (answered.json()["status"], answered.json()["answer"]) == ("answered", "Works")
    assert answered.json()["seller_answered"] is True
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "dispute_already_answered"


def test_bad_input_is_400_with_field_messages(buyer):
    purchase = paid_purchase(buyer)
    client = api_for(buyer)

    missing = client.post(DISPUTES, {}, format="json")
    blank = client.post(DISPUTES, {"number": purchase.number, "note": "  "}, format="json")
    not_image = client.post(
        DISPUTES,
        {"number": purchase.number, "note": "x", "screenshot": b"not an image"},
        format="multipart",
    )

    assert missing.status_code == 400
    assert {"number", "note"} <= set(missing.json()["error"]["fields"])
    assert blank.status_code == 400
    assert "note" in blank.json()["error"]["fields"]
    assert not_image.status_code == 400
    assert not Dispute.objects.exists()


def test_someone_elses_purchase_or_dispute_is_404_and_a_closed_window_409(buyer):
    purchase = paid_purchase(buyer)
    stranger = api_for(UserFactory())

    not_mine = stranger.post(DISPUTES, {"number": purchase.number, "note": "x"}, format="json")
    dispute_id = (
        api_for(buyer)
        .post(DISPUTES, {"number": purchase.number, "note": "x"}, format="json")
        .json()["id"]
    )
    late = paid_purchase(buyer)
    Purchase.objects.filter(pk=late.pk).update(window_ends_at=timezone.now())
    too_late = api_for(buyer).post(DISPUTES, {"number": late.number, "note": "x"}, format="json")

    assert not_mine.status_code == 404
    assert stranger.get(f"{DISPUTES}{dispute_id}/").status_code == 404
    assert stranger.get(f"{DISPUTES}{dispute_id}/screenshot/").status_code == 404
    assert too_late.status_code == 409
    assert too_late.json()["error"]["code"] == "dispute_not_allowed"
    assert APIClient().get(f"{DISPUTES}{dispute_id}/").status_code == 401


def test_the_schema_documents_every_status():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    assert {"201", "400", "401", "404", "409"} <= set(paths[DISPUTES]["post"]["responses"])
    detail = paths[DISPUTES + "{public_id}/"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(detail)
    answer = paths[DISPUTES + "{public_id}/answer/"]["post"]["responses"]
    assert {"200", "400", "401", "404", "409"} <= set(answer)
    assert "multipart/form-data" in paths[DISPUTES]["post"]["requestBody"]["content"]


@pytest.mark.parametrize("count", [1, 20])
def test_my_disputes_list_both_roles_in_fixed_queries(buyer, count, django_assert_num_queries):
    from coupzii.tests.schema import assert_matches_schema

    seller = UserFactory()
    for _ in range(count):
        purchase = paid_purchase(buyer, seller=seller, price="10.00")
        api_for(buyer).post(DISPUTES, {"number": purchase.number, "note": "x"}, format="json")
    api = api_for(buyer)

    with django_assert_num_queries(2):  # count, page with purchase and both parties
        mine = api.get(DISPUTES, {"page_size": 20})

    assert mine.status_code == 200
    assert [row["role"] for row in mine.json()["results"]] == ["buyer"] * count
    assert_matches_schema(mine, method="GET", path=DISPUTES)
    on_my_sales = api_for(seller).get(DISPUTES).json()["results"]
    assert [row["role"] for row in on_my_sales] == ["seller"] * count
    assert api_for(UserFactory()).get(DISPUTES).json()["results"] == []
    assert APIClient().get(DISPUTES).status_code == 401
