"""Operators see swaps (read-only, filtered by status) and ratings."""

import pytest

from accounts.models import User
from accounts.tests.factories import PASSWORD, sign_in_verified
from marketplace.ratings.services import rating_give
from marketplace.ratings.tests.conftest import completed_purchase
from marketplace.swaps.services import exchange_reject

from .helpers import ask

pytestmark = pytest.mark.django_db

SWAPS = "/admin/marketplace/exchange/"
RATINGS = "/admin/marketplace/rating/"


@pytest.fixture
def operator_client(client):
    sign_in_verified(client, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    return client


def test_the_swap_list_filters_by_status_and_changes_nothing(
    operator_client, asha, ravi, listing, offered
):
    exchange = ask(ravi, listing, offered)
    exchange_reject(responder=asha, public_id=exchange.public_id)

    rejected = operator_client.get(SWAPS, {"status__exact": "rejected"})
    pending = operator_client.get(SWAPS, {"status__exact": "pending"})
    page = operator_client.get(f"{SWAPS}{exchange.pk}/change/")

    assert ravi.email in rejected.content.decode()
    assert ravi.email not in pending.content.decode()
    assert page.status_code == 200
    assert operator_client.get(f"{SWAPS}add/").status_code == 403


def test_the_rating_list_shows_ratings(operator_client):
    purchase = completed_purchase()
    rating_give(rater=purchase.buyer, number=purchase.number, stars=4, comment="Worked well")

    response = operator_client.get(RATINGS, {"stars__exact": "4"})

    assert "Worked well" in response.content.decode()
