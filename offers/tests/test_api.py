"""The offers read API: the list with its filters and sorts, one offer, trending and
expiring. Lists run a fixed number of SQL queries and one Redis MGET whatever the page size;
unique codes never appear."""

from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import CashbackKind
from catalog.tests.factories import CategoryFactory, MerchantFactory
from coupzii.core import counters
from offers import clickout, trending
from offers.models import (
    CodeStatus,
    CouponBook,
    CouponCode,
    DiscountType,
    OfferKind,
    OfferStatus,
)
from offers.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

OFFERS = "/api/v1/offers/"
TRENDING = "/api/v1/offers/trending/"
EXPIRING = "/api/v1/offers/expiring/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def redis_commands(monkeypatch):
    """Every Redis round trip made while a test runs: single commands by name, and a
    pipeline as one "PIPELINE" (it is sent in one round trip)."""
    sent: list[str] = []
    single = redis.Redis.execute_command
    pipelined = redis.client.Pipeline.execute

    def execute_command(self, *args, **options):
        sent.append(str(args[0]).upper())
        return single(self, *args, **options)

    def execute(self, *args, **kwargs):
        sent.append("PIPELINE")
        return pipelined(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", execute_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
    return sent


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def ahead(**delta):
    return timezone.now() + timedelta(**delta)


def offer_url(offer) -> str:
    return f"{OFFERS}{offer.public_id}/"


def listed(api, url=OFFERS, **params) -> list[str]:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return [offer["title"] for offer in response.json()["results"]]


# --- the representation --------------------------------------------------------------------


def test_an_offer_shows_its_public_id_merchant_category_cashback_and_click_url(api):
    # given
    fashion = CategoryFactory(name="Fashion")
    myntra = MerchantFactory(
        name="Myntra",
        brand_color="#ff3f6c",
        cashback_kind=CashbackKind.PERCENT,
        cashback_value=Decimal("7.00"),
    )
    offer = OfferFactory(
        merchant=myntra,
        category=fashion,
        kind=OfferKind.CODE,
        code="MYNTRA200",
        title="₹200 off on ₹999",
        discount_type=DiscountType.FIXED,
        discount_value=Decimal("200"),
        min_order=Decimal("999"),
        exclusive=True,
        verified=True,
    )

    # when
    body = api.get(OFFERS).json()

    # then
    (card,) = body["results"]
    assert card["id"] == str(offer.public_id)
    assert card["code"] == "MYNTRA200"
    assert card["discount_value"] == "200.00"
    assert card["min_order"] == "999.00"
    assert card["max_discount"] is None
    assert (card["exclusive"], card["verified"], card["featured"]) == (True, True, False)
    assert card["cashback_label"] == "Up to 7% cashback"
    assert card["merchant"] == {
        "slug": "myntra",
        "name": "Myntra",
        "logo_url": None,
        "brand_color": "#ff3f6c",
    }
    assert card["category"] == {"slug": "fashion", "name": "Fashion"}
    assert card["click_url"] == f"/go/{offer.public_id}/"
    assert card["uses_today"] == 0
    assert card["is_live"] is True
    assert str(offer.pk) not in {card["id"], card["merchant"]["slug"]}


def test_a_deal_has_no_code_and_unique_codes_are_never_exposed(api):
    # given
    deal = OfferFactory(title="deal", kind=OfferKind.DEAL)
    unique = OfferFactory(title="unique", kind=OfferKind.UNIQUE_CODE, code="SHOULD-NOT-SHOW")
    book = CouponBook.objects.create(offer=unique, name="Diwali book")
    CouponCode.objects.create(book=book, code="ZOMA-1234-ABCD")

    # when
    list_response = api.get(OFFERS)
    detail_response = api.get(offer_url(unique))

    # then
    codes = {card["title"]: card["code"] for card in list_response.json()["results"]}
    assert codes == {"deal": None, "unique": None}
    assert detail_response.json()["code"] is None
    for response in (list_response, detail_response):
        assert b"ZOMA-1234-ABCD" not in response.content
        assert b"SHOULD-NOT-SHOW" not in response.content
    assert deal.code == ""


def test_an_offer_says_whether_a_personal_code_can_be_claimed_now(api):
    # given a unique-code offer with a free code, one whose only code is taken, and a deal
    ready = OfferFactory(title="ready", kind=OfferKind.UNIQUE_CODE)
    CouponCode.objects.create(book=CouponBook.objects.create(offer=ready, name="A"), code="A-1")
    spent = OfferFactory(title="spent", kind=OfferKind.UNIQUE_CODE)
    taken = CouponCode.objects.create(
        book=CouponBook.objects.create(offer=spent, name="B"), code="B-1"
    )
    CouponCode.objects.filter(pk=taken.pk).update(status=CodeStatus.ASSIGNED)
    OfferFactory(title="deal", kind=OfferKind.DEAL)

    # when
    listed_cards = api.get(OFFERS).json()["results"]
    detail = api.get(offer_url(spent)).json()

    # then
    claimable = {card["title"]: card["claimable"] for card in listed_cards}
    assert claimable == {"ready": True, "spent": False, "deal": False}
    assert detail["claimable"] is False


def test_uses_today_comes_from_the_redis_counter(api):
    busy, quiet = OfferFactory(title="busy", clicks_count=5), OfferFactory(title="quiet")
    today = timezone.localdate().isoformat()
    counters.incr(f"offer:uses-today:{busy.pk}:{today}", 12)

    uses = {card["title"]: card["uses_today"] for card in api.get(OFFERS).json()["results"]}
    detail = api.get(offer_url(busy)).json()

    assert uses == {"busy": 12, "quiet": 0}
    assert detail["uses_today"] == 12
    assert quiet.pk != busy.pk


# --- filters ---------------------------------------------------------------------------------


def test_the_list_never_shows_expired_future_or_paused_offers(api):
    OfferFactory(title="live")
    OfferFactory(title="expired", starts_at=ago(days=9), ends_at=ago(days=1))
    OfferFactory(title="future", starts_at=ahead(days=1), ends_at=ahead(days=9))
    OfferFactory(title="paused", status=OfferStatus.PAUSED)

    for sort in ["popular", "newest", "ending", "cashback"]:
        assert listed(api, sort=sort) == ["live"]
    assert listed(api, url=EXPIRING, within_days=30) == ["live"]
    assert listed(api, url=TRENDING) == ["live"]


def test_the_list_filters_by_merchant_and_by_category_including_its_children(api):
    fashion = CategoryFactory(name="Fashion")
    shoes = CategoryFactory(name="Shoes", parent=fashion)
    OfferFactory(title="dresses", category=fashion, merchant=MerchantFactory(name="Myntra"))
    OfferFactory(title="sneakers", category=shoes)
    OfferFactory(title="phones", category=CategoryFactory(name="Electronics"))

    assert listed(api, merchant="myntra") == ["dresses"]
    assert sorted(listed(api, category="fashion")) == ["dresses", "sneakers"]
    assert listed(api, category="shoes") == ["sneakers"]
    assert listed(api, category="nowhere") == []


def test_the_list_filters_by_kind_discount_type_and_minimum_discount(api):
    OfferFactory(title="code 20%", kind=OfferKind.CODE, discount_value=Decimal("20"))
    OfferFactory(title="deal 5%", discount_value=Decimal("5"))
    OfferFactory(title="₹500 off", discount_type=DiscountType.FIXED, discount_value=500)
    OfferFactory(title="bogo", discount_type=DiscountType.BOGO, discount_value=None)

    assert listed(api, kind="code") == ["code 20%"]
    assert listed(api, discount_type="bogo") == ["bogo"]
    assert sorted(listed(api, min_discount="10")) == ["code 20%", "₹500 off"]
    assert sorted(listed(api, min_discount="10", discount_type="percentage")) == ["code 20%"]


def test_the_list_filters_by_cashback(api):
    OfferFactory(title="earns", merchant=MerchantFactory(cashback_value=Decimal("4")))
    OfferFactory(
        title="none", merchant=MerchantFactory(cashback_kind=CashbackKind.NONE, cashback_value=0)
    )

    assert listed(api, has_cashback="true") == ["earns"]
    assert listed(api, has_cashback="false") == ["none"]


def test_the_list_sorts(api):
    # given
    percent = MerchantFactory(cashback_kind=CashbackKind.PERCENT, cashback_value=Decimal("3"))
    flat = MerchantFactory(cashback_kind=CashbackKind.FLAT, cashback_value=Decimal("100"))
    OfferFactory(
        title="old, popular, 3%",
        merchant=percent,
        starts_at=ago(days=5),
        ends_at=ahead(days=20),
        clicks_count=90,
    )
    OfferFactory(
        title="new, ₹100",
        merchant=flat,
        starts_at=ago(hours=1),
        ends_at=ahead(hours=6),
        clicks_count=10,
    )
    OfferFactory(
        title="mid, open-ended, 9%",
        merchant=percent,
        cashback_kind=CashbackKind.PERCENT,
        cashback_value=Decimal("9"),
        starts_at=ago(days=2),
        ends_at=None,
        clicks_count=50,
    )

    # then
    assert listed(api) == ["old, popular, 3%", "mid, open-ended, 9%", "new, ₹100"]
    assert listed(api, sort="newest") == ["new, ₹100", "mid, open-ended, 9%", "old, popular, 3%"]
    assert listed(api, sort="ending") == ["new, ₹100", "old, popular, 3%"]
    assert listed(api, sort="cashback") == ["mid, open-ended, 9%", "old, popular, 3%", "new, ₹100"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"sort": "cheapest"}, ["sort"]),
        ({"kind": "voucher"}, ["kind"]),
        ({"discount_type": "half"}, ["discount_type"]),
        ({"min_discount": "ten"}, ["min_discount"]),
        ({"min_discount": "-5"}, ["min_discount"]),
        ({"has_cashback": "perhaps"}, ["has_cashback"]),
        ({"merchant": "no spaces"}, ["merchant"]),
        ({"sort": "x", "kind": "y"}, ["kind", "sort"]),
    ],
)
def test_bad_filter_values_answer_400_with_their_fields(api, params, fields):
    response = api.get(OFFERS, params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert sorted(error["fields"]) == fields
    assert all(error["fields"][field] for field in fields)


@pytest.mark.parametrize("within_days", ["0", "31", "soon"])
def test_expiring_refuses_a_bad_number_of_days(api, within_days):
    response = api.get(EXPIRING, {"within_days": within_days})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["within_days"]


# --- one offer -------------------------------------------------------------------------------


def test_an_ended_offer_is_still_shown_but_not_live(api):
    ended = OfferFactory(starts_at=ago(days=9), ends_at=ago(days=1))

    response = api.get(offer_url(ended))

    assert response.status_code == 200
    assert response.json()["is_live"] is False


@pytest.mark.parametrize("state", ["unknown", "paused", "future", "merchant closed"])
def test_an_offer_that_is_not_public_answers_404_in_the_error_shape(api, state):
    offer = {
        "unknown": lambda: OfferFactory.build(),
        "paused": lambda: OfferFactory(status=OfferStatus.PAUSED),
        "future": lambda: OfferFactory(starts_at=ahead(days=1), ends_at=ahead(days=2)),
        "merchant closed": lambda: OfferFactory(merchant=MerchantFactory(is_active=False)),
    }[state]()

    response = api.get(offer_url(offer))

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "No such offer.", "fields": {}}
    }


# --- trending and expiring -------------------------------------------------------------------


def test_trending_follows_the_trending_order(api):
    cold, hot, warm = (
        OfferFactory(title="cold"),
        OfferFactory(title="hot"),
        OfferFactory(title="warm"),
    )
    for offer, clicks in [(hot, 5), (warm, 3), (cold, 1)]:
        for _ in range(clicks):
            trending.record_click(offer.pk)

    assert listed(api, url=TRENDING) == ["hot", "warm", "cold"]
    assert listed(api, url=TRENDING, page_size=2) == ["hot", "warm"]
    assert listed(api, url=TRENDING, page_size=2, page=2) == ["cold"]


def test_trending_falls_back_to_top_offers_when_nothing_was_clicked(api):
    OfferFactory(title="plain", clicks_count=3)
    OfferFactory(title="featured", featured=True)

    assert listed(api, url=TRENDING) == ["featured", "plain"]


def test_expiring_lists_offers_ending_within_the_days_soonest_first(api):
    OfferFactory(title="in 2 days", ends_at=ahead(days=2))
    OfferFactory(title="in 1 hour", ends_at=ahead(hours=1))
    OfferFactory(title="in 10 days", ends_at=ahead(days=10))

    assert listed(api, url=EXPIRING) == ["in 1 hour", "in 2 days"]
    assert listed(api, url=EXPIRING, within_days=14) == ["in 1 hour", "in 2 days", "in 10 days"]


# --- a fixed cost per list ---------------------------------------------------------------------


def many_offers(count: int = 55):
    fashion = CategoryFactory(name="Fashion")
    merchants = MerchantFactory.create_batch(5, categories=[fashion])
    offers = [
        OfferFactory(merchant=merchants[n % 5], category=fashion, ends_at=ahead(hours=n + 1))
        for n in range(count)
    ]
    today = timezone.localdate().isoformat()
    for offer in offers[::3]:
        counters.incr(f"offer:uses-today:{offer.pk}:{today}")
    # The steady state the counts below describe: today's counters and the trending hours
    # already rebuilt from the click table (which a fresh Redis does once, on its first read).
    clickout.uses_today_rebuild()
    trending.hours_rebuild()
    return offers


@pytest.mark.parametrize(
    ("url", "params", "queries"),
    [
        (OFFERS, {}, 2),  # count, page
        (OFFERS, {"sort": "cashback", "has_cashback": "true", "category": "fashion"}, 2),
        (OFFERS, {"sort": "ending", "min_discount": "5", "kind": "deal"}, 2),
        (EXPIRING, {"within_days": 7}, 2),
        (TRENDING, {}, 2),  # nothing trending: the top offers
    ],
)
@pytest.mark.parametrize("page_size", [1, 50])
def test_offer_lists_run_a_fixed_number_of_queries_and_one_mget(
    api, url, params, queries, page_size, django_assert_num_queries, redis_commands
):
    many_offers()

    with django_assert_num_queries(queries):
        response = api.get(url, {**params, "page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    assert redis_commands.count("MGET") == 1  # every offer's uses-today counter at once


@pytest.mark.parametrize("page_size", [1, 50])
def test_trending_runs_a_fixed_number_of_queries_when_offers_are_hot(
    api, page_size, django_assert_num_queries, redis_commands
):
    for offer in many_offers():
        trending.record_click(offer.pk)
    redis_commands.clear()

    with django_assert_num_queries(3):  # hot offers exist, count, page
        response = api.get(TRENDING, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert redis_commands.count("MGET") == 1


def test_every_list_makes_the_same_redis_round_trips_for_one_offer_or_fifty(api, redis_commands):
    many_offers()
    for url, params in [(OFFERS, {}), (EXPIRING, {"within_days": 7}), (TRENDING, {})]:
        api.get(url, params)  # warm the trending ranking's one-minute cache
        trips = []
        for page_size in (1, 50):
            redis_commands.clear()
            api.get(url, {**params, "page_size": page_size})
            trips.append(list(redis_commands))
        assert trips[0] == trips[1], url


def test_the_read_endpoints_are_in_the_schema(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    for path in [
        "/api/v1/offers/",
        "/api/v1/offers/{public_id}/",
        "/api/v1/offers/trending/",
        "/api/v1/offers/expiring/",
        "/api/v1/categories/",
        "/api/v1/merchants/",
        "/api/v1/merchants/{slug}/",
        "/api/v1/search/",
        "/api/v1/search/autocomplete/",
    ]:
        assert "get" in paths[path], path
    offer_list = paths["/api/v1/offers/"]["get"]
    assert {p["name"] for p in offer_list["parameters"]} >= {
        "merchant",
        "category",
        "kind",
        "discount_type",
        "min_discount",
        "has_cashback",
        "sort",
        "page",
        "page_size",
    }
    assert "400" in offer_list["responses"]


def test_a_repeated_offer_list_comes_from_the_cache_with_fresh_uses_today(
    api, django_assert_num_queries, django_capture_on_commit_callbacks
):
    offers = many_offers()
    first = api.get(OFFERS, {"page_size": 5}).json()
    top = next(offer for offer in offers if str(offer.public_id) == first["results"][0]["id"])
    clickout.click_record(
        snapshot=clickout.offer_for_clickout(top.public_id), user_id=None, ip="203.0.113.9"
    )

    with django_assert_num_queries(0):
        again = api.get(OFFERS, {"page_size": 5}).json()

    assert [row["id"] for row in again["results"]] == [row["id"] for row in first["results"]]
    assert again["results"][0]["uses_today"] == first["results"][0]["uses_today"] + 1


def test_changing_an_offer_retires_the_cached_lists(api, django_capture_on_commit_callbacks):
    offers = many_offers()
    before = api.get(OFFERS, {"page_size": 100}).json()["count"]

    with django_capture_on_commit_callbacks(execute=True):
        offers[0].status = "paused"
        offers[0].save()

    assert api.get(OFFERS, {"page_size": 100}).json()["count"] == before - 1
