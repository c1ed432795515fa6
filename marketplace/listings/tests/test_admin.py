"""Operators see listings, filter and search them, and withdraw them; they suspend sellers
(the suspension admin is marketplace.disputes.admin's, creating through listings' service) and
lift suspensions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from marketplace.listings.services import seller_is_suspended
from marketplace.models import CouponStatus, ListingStatus, Suspension
from marketplace.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

LISTINGS = "/admin/marketplace/listing/"
SUSPENSIONS = "/admin/marketplace/suspension/"
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


def test_an_operator_suspends_a_seller_and_lifts_it(operator_client):
    seller = UserFactory()
    until = timezone.localtime() + timedelta(days=7)

    response = operator_client.post(
        f"{SUSPENSIONS}add/",
        {
            "user": seller.pk,
            "until_0": until.strftime("%Y-%m-%d"),
            "until_1": until.strftime("%H:%M:%S"),
            "reason": "Sold codes that did not work",
        },
    )

    assert response.status_code == 302
    suspension = Suspension.objects.get()
    assert seller_is_suspended(seller)
    assert seller.email in operator_client.get(SUSPENSIONS).content.decode()

    operator_client.post(f"{SUSPENSIONS}{suspension.pk}/lift/")
    assert not seller_is_suspended(seller)


def test_a_suspension_ending_in_the_past_is_a_form_error(operator_client):
    response = operator_client.post(
        f"{SUSPENSIONS}add/",
        {"user": UserFactory().pk, "until_0": "2020-01-01", "until_1": "10:00:00", "reason": "x"},
    )
    assert response.status_code == 200
    assert "Choose a time in the future." in response.content.decode()
    assert not Suspension.objects.exists()


def test_the_listing_list_shows_prices_in_rupees_and_verified_as_an_icon(operator_client):
    ListingFactory(verified=True)

    page = operator_client.get(LISTINGS).content.decode()

    assert "₹120.00" in page and "₹6.00" in page
    assert "icon-yes.svg" in page
