"""The unique-code API: POST /api/v1/offers/<id>/claim/ and GET /api/v1/offers/my-codes/."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from offers import books
from offers.models import CouponCode, OfferStatus, RedemptionAudit
from offers.tests.books.factories import book_with_codes

pytestmark = pytest.mark.django_db

MY_CODES = "/api/v1/offers/my-codes/"


def claim_url(offer) -> str:
    return f"/api/v1/offers/{offer.public_id}/claim/"


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_both_endpoints_need_authentication():
    book = book_with_codes(1)
    anonymous = APIClient()

    responses = [anonymous.post(claim_url(book.offer)), anonymous.get(MY_CODES)]

    assert [response.status_code for response in responses] == [401, 401]
    assert {response.json()["error"]["code"] for response in responses} == {"not_authenticated"}
    assert not CouponCode.objects.filter(holder__isnull=False).exists()


def test_claim_answers_the_code_with_its_offer(api, user):
    book = book_with_codes(2, name="Diwali batch")
    offer = book.offer

    response = api.post(claim_url(offer), REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 201
    code = CouponCode.objects.get(holder=user)
    assert response.json() == {
        "code": code.code,
        "status": "assigned",
        "book": "Diwali batch",
        "offer_id": str(offer.public_id),
        "offer_title": offer.title,
        "merchant": offer.merchant.name,
        "merchant_slug": offer.merchant.slug,
        "claimed_at": response.json()["claimed_at"],
        "expires_at": response.json()["expires_at"],
        "redemption_count": 0,
        "uses_left": 1,
    }
    assert response.json()["claimed_at"]
    assert response.json()["expires_at"]
    assert RedemptionAudit.objects.get(code=code).client_ip == "203.0.113.5"


def test_claim_past_the_limit_answers_409_with_the_error_shape(api):
    book = book_with_codes(3)
    api.post(claim_url(book.offer))

    response = api.post(claim_url(book.offer))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "claim_limit_reached"
    assert error["message"]
    assert error["fields"] == {}


def test_claim_from_an_exhausted_book_answers_409(api):
    book = book_with_codes(1)
    books.code_claim(offer_or_book=book.offer, user=UserFactory())

    response = api.post(claim_url(book.offer))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "book_exhausted"


def test_claim_of_an_offer_that_is_not_live_answers_409(api):
    book = book_with_codes(1)
    book.offer.status = OfferStatus.PAUSED
    book.offer.save()

    response = api.post(claim_url(book.offer))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_not_allowed"


def test_claim_of_an_unknown_offer_answers_404(api):
    response = api.post(f"/api/v1/offers/{uuid.uuid4()}/claim/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "offer_not_found"


def test_claim_repeated_with_the_same_idempotency_key_answers_the_same_code(api, user):
    book = book_with_codes(5, per_user_limit=3)

    first = api.post(claim_url(book.offer), HTTP_IDEMPOTENCY_KEY="3f1c-claim")
    again = api.post(claim_url(book.offer), HTTP_IDEMPOTENCY_KEY="3f1c-claim")
    other = api.post(claim_url(book.offer), HTTP_IDEMPOTENCY_KEY="9a7e-claim")

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 201)
    assert again.json() == first.json()
    assert other.json()["code"] != first.json()["code"]
    assert CouponCode.objects.filter(holder=user).count() == 2


def test_the_same_idempotency_key_from_another_user_is_a_new_claim(api):
    book = book_with_codes(5)
    other = APIClient()
    other.force_authenticate(UserFactory())

    mine = api.post(claim_url(book.offer), HTTP_IDEMPOTENCY_KEY="same-key")
    theirs = other.post(claim_url(book.offer), HTTP_IDEMPOTENCY_KEY="same-key")

    assert mine.json()["code"] != theirs.json()["code"]


def test_claim_refuses_an_idempotency_key_longer_than_80_characters(api):
    book = book_with_codes(1)

    response = api.post(claim_url(book.offer), HTTP_IDEMPOTENCY_KEY="k" * 81)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"


def claim_codes(user, count: int) -> list[CouponCode]:
    claimed = []
    for _ in range(count):
        book = book_with_codes(1)
        claimed.append(books.code_claim(offer_or_book=book.offer, user=user))
    return claimed


def test_my_codes_lists_only_the_callers_codes_newest_first(api, user):
    older, newer = claim_codes(user, 2)
    CouponCode.objects.filter(pk=older.pk).update(claimed_at=timezone.now() - timedelta(days=1))
    claim_codes(UserFactory(), 2)

    response = api.get(MY_CODES)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["code"] for item in body["results"]] == [newer.code, older.code]


def test_my_codes_filters_by_status(api, user):
    used, kept = claim_codes(user, 2)
    books.code_redeem(book=used.book, code=used, actor=UserFactory(), idempotency_key="k1")

    redeemed = api.get(MY_CODES, {"status": "redeemed"}).json()["results"]
    assigned = api.get(MY_CODES, {"status": "assigned"}).json()["results"]

    assert [(item["code"], item["uses_left"]) for item in redeemed] == [(used.code, 0)]
    assert [item["code"] for item in assigned] == [kept.code]


@pytest.mark.parametrize("path", [MY_CODES, "/api/v1/me/codes/"])
def test_my_codes_refuses_an_unknown_status_as_its_schema_documents(api, path):
    response = api.get(path, {"status": "lost"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status"}
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "400" in schema["paths"][path]["get"]["responses"]


@pytest.mark.parametrize("page_size", [1, 30])
def test_my_codes_runs_a_fixed_number_of_queries_whatever_the_page_size(
    api, user, page_size, django_assert_num_queries
):
    claim_codes(user, 30)

    # One COUNT for the paginator and one SELECT joining book, offer and merchant.
    with django_assert_num_queries(2):
        response = api.get(MY_CODES, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_my_codes_is_empty_for_a_new_shopper(api):
    response = api.get(MY_CODES)

    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_the_endpoints_are_in_the_openapi_schema(api):
    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    claim = paths["/api/v1/offers/{public_id}/claim/"]["post"]
    assert set(claim["responses"]) >= {"201", "400", "404", "409"}
    assert any(param["name"] == "Idempotency-Key" for param in claim["parameters"])
    assert "/api/v1/offers/my-codes/" in paths
    assert response.json()["components"]["schemas"]["MyCode"]["properties"]["uses_left"]
