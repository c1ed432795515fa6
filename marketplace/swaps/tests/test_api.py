"""The swaps API under /api/v1/exchanges/: ask (201), list mine, read one, accept, reject,
cancel. Another shopper's swap is 404; bad input 400 by field."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coupzii.tests.schema import assert_matches_schema
from marketplace.models import Exchange, ExchangeStatus
from marketplace.tests.factories import ListingFactory, LockerCouponFactory

from .helpers import ask

pytestmark = pytest.mark.django_db
EXCHANGES = "/api/v1/exchanges/"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_asking_answers_201_with_the_swap(ravi, listing, offered):
    body = {"wanted": str(listing.coupon.public_id), "offered": str(offered.public_id)}

    response = api_for(ravi).post(EXCHANGES, {**body, "cash": "10.50"}, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "pending"
    assert data["role"] == "outgoing"
    assert data["cash"] == "10.50"
    assert data["listing"] == str(listing.public_id)
    assert "code" not in data["wanted"]
    assert_matches_schema(response, method="POST", path=EXCHANGES)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"offered": "x"}, "offered"),
        ({"cash": "-1"}, "cash"),
        ({"cash": "10000.01"}, "cash"),
        ({"message": "m" * 301}, "message"),
    ],
)
def test_bad_input_is_a_400_by_field(ravi, listing, offered, body, field):
    base = {"wanted": str(listing.coupon.public_id), "offered": str(offered.public_id)}

    response = api_for(ravi).post(EXCHANGES, {**base, **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_refusals_have_their_codes(asha, ravi, listing, offered):
    api = api_for(ravi)
    base = {"wanted": str(listing.coupon.public_id), "offered": str(offered.public_id)}

    not_mine = api.post(
        EXCHANGES, {**base, "offered": str(LockerCouponFactory().public_id)}, format="json"
    )
    unlisted = api.post(
        EXCHANGES, {**base, "wanted": str(LockerCouponFactory().public_id)}, format="json"
    )
    too_much = api.post(EXCHANGES, {**base, "cash": "600"}, format="json")
    api.post(EXCHANGES, base, format="json")
    twice = api.post(EXCHANGES, base, format="json")
    asha_coupon = str(LockerCouponFactory(owner=asha).public_id)
    own = api_for(asha).post(EXCHANGES, {**base, "offered": asha_coupon}, format="json")

    assert (not_mine.status_code, not_mine.json()["error"]["code"]) == (404, "coupon_not_found")
    assert (unlisted.status_code, unlisted.json()["error"]["code"]) == (404, "listing_not_found")
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (409, "insufficient_funds")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "exchange_already_pending")
    assert (own.status_code, own.json()["error"]["code"]) == (409, "own_listing")


def test_the_list_shows_incoming_or_outgoing_and_filters_by_status(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)

    incoming = api_for(asha).get(EXCHANGES).json()
    outgoing = api_for(ravi).get(EXCHANGES, {"role": "outgoing"}).json()
    none_accepted = api_for(asha).get(EXCHANGES, {"status": "accepted"}).json()
    bad = api_for(asha).get(EXCHANGES, {"role": "sideways"})

    assert [e["id"] for e in incoming["results"]] == [str(exchange.public_id)]
    assert incoming["results"][0]["role"] == "incoming"
    assert [e["id"] for e in outgoing["results"]] == [str(exchange.public_id)]
    assert none_accepted["results"] == []
    assert bad.status_code == 400


@pytest.mark.parametrize("swaps", [1, 20])
def test_the_list_runs_two_queries_whatever_the_page_size(asha, swaps, django_assert_num_queries):
    for _ in range(swaps):
        requester = UserFactory()
        ask(requester, ListingFactory(coupon__owner=asha), LockerCouponFactory(owner=requester))
    api = api_for(asha)

    with django_assert_num_queries(2):  # count, page with both coupons, users and listing
        response = api.get(EXCHANGES, {"page_size": 20})

    assert len(response.json()["results"]) == swaps
    assert_matches_schema(response, method="GET", path=EXCHANGES)


def test_the_owner_accepts_and_both_see_it_accepted(asha, ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    url = f"{EXCHANGES}{exchange.public_id}/"

    accepted = api_for(asha).post(f"{url}accept/")
    seen = api_for(ravi).get(url)

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert seen.json()["status"] == "accepted"
    again = api_for(asha).post(f"{url}accept/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "exchange_not_pending")


def test_reject_and_cancel_belong_to_each_side(asha, ravi, listing, offered):
    rejected = ask(ravi, listing, offered)
    cancelled = ask(ravi, listing, LockerCouponFactory(owner=ravi))

    wrong_side = api_for(ravi).post(f"{EXCHANGES}{rejected.public_id}/reject/")
    reject = api_for(asha).post(f"{EXCHANGES}{rejected.public_id}/reject/")
    cancel = api_for(ravi).post(f"{EXCHANGES}{cancelled.public_id}/cancel/")

    assert wrong_side.status_code == 404
    assert reject.json()["status"] == ExchangeStatus.REJECTED
    assert cancel.json()["status"] == ExchangeStatus.CANCELLED


def test_someone_elses_swap_is_404_everywhere(ravi, listing, offered):
    exchange = ask(ravi, listing, offered)
    api = api_for(UserFactory())
    url = f"{EXCHANGES}{exchange.public_id}/"

    answers = [api.get(url)] + [api.post(f"{url}{a}/") for a in ("accept", "reject", "cancel")]

    assert {r.status_code for r in answers} == {404}
    assert Exchange.objects.get().status == ExchangeStatus.PENDING


def test_signed_out_is_401():
    assert APIClient().get(EXCHANGES).status_code == 401
    assert APIClient().post(EXCHANGES, {}, format="json").status_code == 401
