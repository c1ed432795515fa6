"""Operators verify, reject and suspend brands in the back office, and set their tier."""

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.factories import PASSWORD, sign_in_verified
from brands.models import BrandStatus, BrandStore, Role
from brands.tests.factories import BrandFactory, member
from catalog.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

BRANDS = "/admin/brands/brand/"


@pytest.fixture
def operator():
    return User.objects.create_superuser("ops@coupzii.in", PASSWORD)


@pytest.fixture
def operator_client(client, operator):
    sign_in_verified(client, operator)
    return client


def test_the_brand_list_filters_by_status_and_searches(operator_client):
    BrandFactory(name="Waiting Co", status=BrandStatus.PENDING)
    BrandFactory(name="Live Co")

    pending = operator_client.get(BRANDS, {"status__exact": "pending"}).content.decode()
    found = operator_client.get(BRANDS, {"q": "Live"}).content.decode()

    assert "Waiting Co" in pending and "Live Co" not in pending
    assert "Live Co" in found and "Waiting Co" not in found


def test_the_brand_page_shows_its_stores_and_members(operator_client):
    brand = BrandFactory()
    BrandStore.objects.create(brand=brand, merchant=MerchantFactory(name="Chumbak"))
    owner = member(brand, Role.OWNER)

    page = operator_client.get(f"{BRANDS}{brand.pk}/change/").content.decode()

    assert "Chumbak" in page
    assert owner.user.email in page


def test_an_operator_verifies_a_brand_and_the_owners_hear(
    operator_client, operator, django_capture_on_commit_callbacks
):
    brand = BrandFactory(status=BrandStatus.PENDING)
    owner = member(brand, Role.OWNER)

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(f"{BRANDS}{brand.pk}/verify/")

    assert response.status_code == 302
    brand.refresh_from_db()
    assert (brand.status, brand.verified_by) == (BrandStatus.VERIFIED, operator)
    assert mail.outbox[-1].to == [owner.user.email]


def test_an_operator_rejects_with_a_reason(operator_client):
    brand = BrandFactory(status=BrandStatus.PENDING)

    operator_client.post(f"{BRANDS}{brand.pk}/reject/", {"reason": "Website does not exist"})

    brand.refresh_from_db()
    assert (brand.status, brand.status_reason) == (BrandStatus.REJECTED, "Website does not exist")


def test_a_reject_without_a_reason_is_a_form_error(operator_client):
    brand = BrandFactory(status=BrandStatus.PENDING)

    response = operator_client.post(f"{BRANDS}{brand.pk}/reject/", {"reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    brand.refresh_from_db()
    assert brand.status == BrandStatus.PENDING


def test_suspend_and_tier(operator_client):
    brand = BrandFactory()

    operator_client.post(f"{BRANDS}{brand.pk}/suspend/", {"reason": "Misleading offers"})
    operator_client.post(f"{BRANDS}{brand.pk}/tier/", {"tier": "pro"})

    brand.refresh_from_db()
    assert (brand.status, brand.tier) == (BrandStatus.SUSPENDED, "pro")


def test_bulk_verify_reports_the_refused(operator_client):
    waiting = BrandFactory(status=BrandStatus.PENDING)
    verified = BrandFactory()

    response = operator_client.post(
        BRANDS,
        {"action": "verify_selected", "_selected_action": [waiting.pk, verified.pk]},
        follow=True,
    )

    waiting.refresh_from_db()
    assert waiting.status == BrandStatus.VERIFIED
    assert "verified already" in response.content.decode()


def test_an_operator_adds_a_store_no_brand_owns(operator_client):
    brand = BrandFactory()
    merchant = MerchantFactory()

    operator_client.post(f"{BRANDS}{brand.pk}/add-store/", {"merchant": merchant.pk})

    assert BrandStore.objects.get(merchant=merchant).brand == brand


@pytest.mark.parametrize(
    "model",
    [
        "department",
        "membership",
        "invitation",
        "apikey",
        "webhook",
        "webhookdelivery",
        "brandjob",
        "budget",
    ],
)
def test_the_other_brand_models_have_a_list(operator_client, model):
    assert operator_client.get(f"/admin/brands/{model}/").status_code == 200
