"""The till page: check a code for a basket, lock, redeem and roll back with plain form posts;
a clear message for each refusal; a till member sees only the till."""

import pytest

from brands.models import Role
from brands.tests.factories import brand_with_store, member, sign_in_member
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit

from .helpers import brand_book, brand_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return brand_book(codes=("PAGE-1", "PAGE-2"), percent="10")


@pytest.fixture
def cashier(client, book):
    membership = member(brand_of(book), Role.TILL)
    sign_in_member(client, membership)
    return membership


def till_url(book):
    return f"/brand/{brand_of(book).slug}/till/"


def post(client, till_book, action, **fields):
    data = {
        "code": "PAGE-1",
        "order_amount": "800",
        "products": "SKU-1, SKU-2",
        "order_reference": "ORD-9",
        "idempotency_key": "page-key-1",
        "action": action,
        **fields,
    }
    return client.post(till_url(till_book), data)


def test_a_till_member_sees_the_till_and_only_the_till(client, book, cashier):
    response = client.get(till_url(book))
    assert response.status_code == 200
    assert response["Permissions-Policy"].count("camera=(self)") == 1
    labels = [item["label"] for item in response.context["brand_nav"]]
    assert [str(label) for label in labels] == ["Till"]
    assert "No redemptions in the last 24 hours" in response.content.decode()
    assert client.get(f"/brand/{brand_of(book).slug}/till/keys/").status_code == 403


def test_check_shows_the_discount_and_what_is_left_to_pay(client, book, cashier):
    page = post(client, book, "check").content.decode()
    assert "₹80.00 off · pay ₹720.00" in page
    assert CouponCode.objects.get(code="PAGE-1").status == CodeStatus.AVAILABLE


def test_redeem_then_roll_back_from_the_list(client, book, cashier):
    page = post(client, book, "redeem").content.decode()
    assert "Redeemed: ₹80.00 off · pay ₹720.00" in page
    assert CouponCode.objects.get(code="PAGE-1").status == CodeStatus.REDEEMED
    listing = client.get(till_url(book)).content.decode()
    assert "ORD-9" in listing and "Roll back" in listing
    response = client.post(
        till_url(book) + "rollback/", {"idempotency_key": "page-key-1", "book": book.public_id}
    )
    assert response.status_code == 302
    assert CouponCode.objects.get(code="PAGE-1").status == CodeStatus.AVAILABLE
    assert "Rolled back" in client.get(till_url(book)).content.decode()
    assert RedemptionAudit.objects.get(action=AuditAction.ROLLBACK, ok=True).actor == cashier.user


def test_refusals_are_shown_plainly(client, book, cashier):
    post(client, book, "redeem")
    page = post(client, book, "redeem", idempotency_key="page-key-2").content.decode()
    assert "This code has already been used." in page
    missing = post(client, book, "check", code="NOPE-1").content.decode()
    assert "does not belong" in missing or "not" in missing
    no_amount = post(client, book, "redeem", order_amount="", idempotency_key="k3")
    assert no_amount.context["form"].errors["order_amount"]


def test_a_code_in_two_books_asks_which_one(client, book, cashier):
    brand_book(brand_of(book), codes=("PAGE-1",), name="Other batch")
    page = post(client, book, "check").content.decode()
    assert "This code is in several books. Which one?" in page and "Other batch" in page
    chosen = post(client, book, "check", book=str(book.public_id)).content.decode()
    assert "₹80.00 off" in chosen


def test_lock_and_unlock_from_the_page(client, book, cashier):
    assert "Locked for this checkout." in post(client, book, "lock").content.decode()
    assert CouponCode.objects.get(code="PAGE-1").status == CodeStatus.LOCKED
    assert "Unlocked." in post(client, book, "unlock").content.decode()
    assert CouponCode.objects.get(code="PAGE-1").status == CodeStatus.AVAILABLE


def test_the_till_is_not_for_strangers_or_analysts(client, book):
    analyst = member(brand_of(book), Role.ANALYST)
    sign_in_member(client, analyst)
    assert client.get(till_url(book)).status_code == 403
    assert client.get(f"/brand/{brand_with_store().slug}/till/").status_code == 404


def test_the_recent_list_runs_a_fixed_number_of_queries(
    client, book, cashier, django_assert_max_num_queries
):
    for n in range(2):
        post(client, book, "redeem", code=f"PAGE-{n + 1}", idempotency_key=f"q{n}")
    with django_assert_max_num_queries(20):
        assert client.get(till_url(book)).status_code == 200
