"""The till API: what a code gives, lock, redeem with an Idempotency-Key, roll back, unlock;
the brand's books only, the key's scope, field messages, every attempt on the audit."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import tokens_issue
from brands.models import Role
from brands.tests.factories import brand_with_store, member
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit

from .helpers import TILL, brand_book, brand_of, key_client, redeem, till_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return brand_book(codes=("SAVE-0001", "SAVE-0002"), percent="20")


@pytest.fixture
def till(book):
    key, raw = till_key(brand_of(book))
    client = key_client(raw)
    client.key = key
    return client


def test_validate_says_what_the_code_gives_for_the_basket(till):
    response = till.post(
        TILL + "validate/",
        {"code": "save-0001", "order_amount": "1000.00", "products": ["SKU-1"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applies"] is True
    assert body["discount"] == "200.00" and body["payable"] == "800.00"
    assert body["code"] == "SAVE-0001" and body["uses_left"] == 1
    row = RedemptionAudit.objects.get(action=AuditAction.VALIDATE)
    assert row.credential == str(till.key.public_id) and row.products == ["SKU-1"]


def test_redeem_answers_the_discount_and_a_repeat_with_the_key_answers_the_same(till, book):
    first = redeem(till, "SAVE-0001", "k-1", products=["SKU-1", "SKU-2"])
    assert first.status_code == 200, first.json()
    assert first.json()["discount"] == "200.00" and first.json()["status"] == "redeemed"
    again = redeem(till, "SAVE-0001", "k-1", products=["SKU-1", "SKU-2"])
    assert again.status_code == 200 and again.json()["redeemed_at"] == first.json()["redeemed_at"]
    rows = RedemptionAudit.objects.filter(action=AuditAction.REDEEM, ok=True)
    assert rows.count() == 1
    assert rows.get().credential == str(till.key.public_id)


def test_a_used_code_is_refused_and_the_refusal_is_audited_with_the_key(till):
    redeem(till, "SAVE-0001", "k-1")
    response = redeem(till, "SAVE-0001", "k-2", reference="ORD-2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "code_redeemed"
    refused = RedemptionAudit.objects.get(action=AuditAction.REDEEM, ok=False)
    assert refused.credential == str(till.key.public_id)


def test_redeem_needs_an_idempotency_key_and_good_fields(till):
    no_key = till.post(
        TILL + "redeem/",
        {"code": "SAVE-0001", "order_reference": "O", "order_amount": "10"},
        format="json",
    )
    assert no_key.status_code == 400
    assert no_key.json()["error"]["code"] == "idempotency_key_required"
    bad = redeem(till, "SAVE-0001", "k-3", amount="ten", products="SKU-1")
    assert bad.status_code == 400
    fields = bad.json()["error"]["fields"]
    assert "order_amount" in fields and "products" in fields
    assert CouponCode.objects.get(code="SAVE-0001").status == CodeStatus.AVAILABLE


def test_a_code_of_another_brand_is_not_found(till):
    brand_book(codes=("OTHER-1",))
    response = redeem(till, "OTHER-1", "k-4")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "code_not_found"


def test_a_code_in_two_books_asks_for_the_book(till, book):
    second = brand_book(brand_of(book), codes=("SAVE-0001",), name="Second batch")
    asked = redeem(till, "SAVE-0001", "k-5")
    assert asked.status_code == 400
    error = asked.json()["error"]
    assert error["code"] == "book_required" and "book" in error["fields"]
    assert {b["id"] for b in error["books"]} == {str(book.public_id), str(second.public_id)}
    chosen = redeem(till, "SAVE-0001", "k-5", book=str(second.public_id))
    assert chosen.status_code == 200 and chosen.json()["book"] == str(second.public_id)
    assert CouponCode.objects.get(book=book, code="SAVE-0001").status == CodeStatus.AVAILABLE


def test_a_key_scoped_to_one_book_does_not_reach_the_others(book):
    other = brand_book(brand_of(book), codes=("ELSE-1",))
    _, raw = till_key(brand_of(book), book=book)
    response = redeem(key_client(raw), "ELSE-1", "k-6")
    assert response.status_code == 404
    assert CouponCode.objects.get(book=other).status == CodeStatus.AVAILABLE


def test_rollback_within_a_day_undoes_the_redemption_once(till):
    redeem(till, "SAVE-0001", "k-7")
    response = till.post(TILL + "rollback/", {"idempotency_key": "k-7"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["discount_returned"] == "200.00"
    assert CouponCode.objects.get(code="SAVE-0001").status == CodeStatus.AVAILABLE
    rollback = RedemptionAudit.objects.get(action=AuditAction.ROLLBACK, ok=True)
    assert rollback.credential == str(till.key.public_id)
    again = till.post(TILL + "rollback/", {"idempotency_key": "k-7"}, format="json")
    assert again.status_code == 409
    # The code can be redeemed again, with a new key.
    assert redeem(till, "SAVE-0001", "k-8").status_code == 200


def test_rollback_after_a_day_is_refused(till):
    redeem(till, "SAVE-0001", "k-9")
    RedemptionAudit.objects.filter(idempotency_key="k-9").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    response = till.post(TILL + "rollback/", {"idempotency_key": "k-9"}, format="json")
    assert response.status_code in (409, 422)
    assert CouponCode.objects.get(code="SAVE-0001").status == CodeStatus.REDEEMED


def test_a_multi_use_code_redeems_up_to_its_limit():
    book = brand_book(codes=("MULTI",), uses=2)
    _, raw = till_key(brand_of(book))
    till = key_client(raw)
    assert redeem(till, "MULTI", "m-1").json()["uses_left"] == 1
    assert redeem(till, "MULTI", "m-2", reference="ORD-2").json()["status"] == "redeemed"
    assert redeem(till, "MULTI", "m-3", reference="ORD-3").status_code == 409


def test_a_code_locked_by_one_till_is_refused_to_another(till, book):
    _, other_raw = till_key(brand_of(book))
    other = key_client(other_raw)
    locked = till.post(TILL + "lock/", {"code": "SAVE-0001", "order_reference": "A"}, format="json")
    assert locked.status_code == 200 and locked.json()["status"] == "locked"
    assert redeem(other, "SAVE-0001", "x-1").json()["error"]["code"] == "code_locked"
    assert other.post(TILL + "unlock/", {"code": "SAVE-0001"}, format="json").status_code == 409
    assert till.post(TILL + "unlock/", {"code": "SAVE-0001"}, format="json").status_code == 200
    assert redeem(other, "SAVE-0001", "x-1").status_code == 200


def test_staff_who_may_use_the_till_call_it_with_their_token(book):
    brand = brand_of(book)
    cashier = member(brand, Role.TILL)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=cashier.user)['access']}")
    response = redeem(client, "SAVE-0001", "s-1", HTTP_X_BRAND=brand.slug)
    assert response.status_code == 200, response.json()
    assert RedemptionAudit.objects.get(ok=True).actor == cashier.user

    analyst = member(brand, Role.ANALYST)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=analyst.user)['access']}")
    assert redeem(client, "SAVE-0002", "s-2").status_code == 403


def test_no_credentials_get_401():
    response = APIClient().post(TILL + "validate/", {}, format="json")
    assert response.status_code == 401


def test_the_schema_documents_the_till(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/brand/till/redeem/" in schema and "tillApiKey" in schema
    assert brand_with_store()
