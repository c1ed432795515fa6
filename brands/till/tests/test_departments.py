"""Department scoping at the till: a member whose department sees only its own offers can
neither use nor see the codes of another department's books, on the page or the API."""

import pytest
from rest_framework.test import APIClient

from brands.models import BrandOffer, BrandStatus, DepartmentAccess, Role
from brands.tests.factories import DepartmentFactory, member, sign_in_member
from offers.models import CodeStatus, CouponCode

from .helpers import TILL, brand_book, brand_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    """Two books of one brand: Marketing's and Stores'; a cashier in Stores (own offers only)."""
    marketing_book = brand_book(codes=("MKT-1",), name="Marketing book")
    brand = brand_of(marketing_book)
    stores_book = brand_book(brand, codes=("STR-1",), name="Stores book")
    marketing = DepartmentFactory(brand=brand, name="Marketing", access=DepartmentAccess.OWN)
    stores = DepartmentFactory(brand=brand, name="Stores", access=DepartmentAccess.OWN)
    BrandOffer.objects.filter(offer=marketing_book.offer).update(department=marketing)
    BrandOffer.objects.filter(offer=stores_book.offer).update(department=stores)
    cashier = member(brand, Role.TILL, department=stores)
    return brand, marketing_book, stores_book, cashier


def _page_post(client, brand, code, action="redeem", key="dep-key-1"):
    return client.post(
        f"/brand/{brand.slug}/till/",
        {
            "code": code,
            "order_amount": "500",
            "order_reference": "ORD-D",
            "idempotency_key": key,
            "action": action,
        },
    )


def test_the_till_page_refuses_another_departments_code(client, setup):
    brand, _marketing_book, _stores_book, cashier = setup
    sign_in_member(client, cashier)
    page = _page_post(client, brand, "MKT-1").content.decode()
    assert "Redeemed" not in page
    assert CouponCode.objects.get(code="MKT-1").status == CodeStatus.AVAILABLE
    # Its own department's code still redeems.
    assert "Redeemed" in _page_post(client, brand, "STR-1", key="dep-key-2").content.decode()
    assert CouponCode.objects.get(code="STR-1").status == CodeStatus.REDEEMED


def test_the_till_page_lists_only_its_departments_redemptions(client, setup):
    brand, marketing_book, _stores_book, cashier = setup
    owner = member(brand, Role.OWNER)
    sign_in_member(client, owner)
    _page_post(client, brand, "MKT-1", key="owner-key")
    assert CouponCode.objects.get(code="MKT-1").status == CodeStatus.REDEEMED
    client.logout()
    sign_in_member(client, cashier)
    listing = client.get(f"/brand/{brand.slug}/till/")
    assert "ORD-D" not in listing.content.decode()
    rollback = client.post(
        f"/brand/{brand.slug}/till/rollback/",
        {"idempotency_key": "owner-key", "book": marketing_book.public_id},
    )
    assert rollback.status_code == 302
    assert CouponCode.objects.get(code="MKT-1").status == CodeStatus.REDEEMED


def test_the_till_api_refuses_another_departments_code_to_a_member(setup):
    brand, _marketing_book, _stores_book, cashier = setup
    api = APIClient()
    api.force_authenticate(cashier.user)
    response = api.post(
        TILL + "redeem/",
        {"code": "MKT-1", "order_reference": "ORD-A", "order_amount": "500"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="api-key-1",
        HTTP_X_BRAND=brand.slug,
    )
    assert response.status_code == 404, response.json()
    assert CouponCode.objects.get(code="MKT-1").status == CodeStatus.AVAILABLE


def test_a_suspended_brands_till_refuses_its_members_as_it_refuses_its_keys(client, setup):
    brand, _marketing_book, _stores_book, cashier = setup
    brand.status = BrandStatus.SUSPENDED
    brand.save(update_fields=["status"])
    sign_in_member(client, cashier)
    page = _page_post(client, brand, "STR-1").content.decode()
    assert "suspended" in page
    api = APIClient()
    api.force_authenticate(cashier.user)
    response = api.post(
        TILL + "redeem/",
        {"code": "STR-1", "order_reference": "ORD-A", "order_amount": "500"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="api-key-2",
        HTTP_X_BRAND=brand.slug,
    )
    assert response.status_code == 403, response.json()
    assert response.json()["error"]["code"] == "brand_suspended"
    assert CouponCode.objects.get(code="STR-1").status == CodeStatus.AVAILABLE
