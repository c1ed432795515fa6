"""Fixtures every assistant test folder uses: a shopper and an API client signed in as them."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory


@pytest.fixture
def shopper(db):
    return UserFactory()


@pytest.fixture
def api(shopper):
    """The API as the test's `shopper` (a folder may give its own shopper)."""
    client = APIClient()
    client.force_authenticate(shopper)
    return client
