"""Fixtures of the scan tests: a shopper, their API client, a store, and its screenshot."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory

from .screens import coupon_screenshot


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def api(shopper):
    client = APIClient()
    client.force_authenticate(shopper)
    return client


@pytest.fixture
def merchant():
    return MerchantFactory(name="Myntra", slug="myntra", website="https://www.myntra.com/")


@pytest.fixture
def screenshot(merchant):
    """A PNG upload of a Myntra coupon: FEST250, ₹250 off, minimum ₹999, till 31/12/2030."""
    png = coupon_screenshot(
        store="Myntra",
        code="FEST250",
        lines=("Flat ₹250 off", "Min order ₹999", "Valid till 31/12/2030"),
    )
    return SimpleUploadedFile("IMG_2041.PNG", png, content_type="image/png")
