"""The locker in the back office: listed and shown read-only, the code masked everywhere."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, sign_in_verified
from marketplace.tests.factories import LockerCouponFactory

pytestmark = pytest.mark.django_db


def test_operators_see_locker_coupons_with_the_code_masked(client):
    coupon = LockerCouponFactory(code="SECRETCODE4321")
    sign_in_verified(client, UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:marketplace_lockercoupon_changelist"))
    page = client.get(reverse("admin:marketplace_lockercoupon_change", args=[coupon.pk]))

    for response in (listing, page):
        text = response.content.decode()
        assert response.status_code == 200
        assert "••••4321" in text and "SECRETCODE" not in text
    assert client.get(reverse("admin:marketplace_lockercoupon_add")).status_code == 403
