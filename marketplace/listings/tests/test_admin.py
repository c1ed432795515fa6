"""Operators see listings, filter and search them, and withdraw them."""

import pytest

from accounts.models import User
from accounts.tests.factories import PASSWORD, sign_in_verified
from marketplace.models import CouponStatus, ListingStatus
from marketplace.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

LISTINGS = "/admin/marketplace/listing/"
SUSPENSIONS = "/admin/marketplace/suspension/"


@pytest.fixture
def operator_client(client):
    sign_in_verified(client, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    return client


def test_the_listing_list_filters_by_status_and_searches_titles(operator_client):
    live = ListingFactory(title="₹200 off at Myntra")
    ListingFactory(title="₹50 off at Ajio", status=ListingStatus.WITHDRAWN)

    found = operator_client.get(LISTINGS, {"q": "Myntra"}).content.decode()
    withdrawn = operator_client.get(LISTINGS, {"status__exact": "withdrawn"}).content.decode()
    verified = operator_client.get(LISTINGS, {"verified__exact": "1"}).content.decode()

    assert "Myntra" in found and "Ajio" not in found
    assert "Ajio" in withdrawn and "Myntra" not in withdrawn
    assert "Myntra" not in verified
    assert operator_client.get(f"{LISTINGS}{live.pk}/change/").status_code == 200


def test_an_operator_withdraws_a_listing_through_the_service(operator_client):
    listing = ListingFactory()

    response = operator_client.post(f"{LISTINGS}{listing.pk}/withdraw/")

    assert response.status_code == 302
    listing.refresh_from_db()
    listing.coupon.refresh_from_db()
    assert listing.status == ListingStatus.WITHDRAWN
    assert listing.coupon.status == CouponStatus.ACTIVE


def test_bulk_withdraw_reports_the_refused(operator_client):
    live = ListingFactory()
    sold = ListingFactory(status=ListingStatus.SOLD)

    response = operator_client.post(
        LISTINGS,
        {"action": "withdraw_selected", "_selected_action": [live.pk, sold.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "1 listing withdrawn." in page and "Refused" in page
    live.refresh_from_db()
    assert live.status == ListingStatus.WITHDRAWN
