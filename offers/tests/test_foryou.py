"""The "For you" rail (offers.foryou): what a shopper's clicks, claims, orders and locker make
it pick, how recency weighs, what it leaves out, the mix with trending, the Redis copy and
its rebuild, the refreshes, the API and the home page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_redis import get_redis_connection

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, MerchantFactory, VariantFactory, stock
from commerce.tests.factories import cart_with, pay, place
from coupzii.core.models import Watermark
from marketplace.models import Source
from marketplace.tests.factories import LockerCouponFactory
from offers import clickout, foryou, selectors, services, tasks, trending
from offers.foryou_sources import DEBOUNCE_SECONDS, rail_key
from offers.models import Click, CouponCode, OfferStatus
from offers.tests.books.factories import book_with_codes
from offers.tests.factories import ClickFactory, OfferFactory

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def titles(rail) -> list[str]:
    return [offer.title for offer in rail.offers]


@pytest.fixture
def fashion():
    return CategoryFactory(name="Fashion")


@pytest.fixture
def electronics():
    return CategoryFactory(name="Electronics")


# --- what the taste picks ----------------------------------------------------------------------


def test_a_shoppers_clicks_pick_offers_of_their_store_and_category(fashion, electronics):
    # given
    shopper = UserFactory()
    myntra, ajio = MerchantFactory(name="Myntra"), MerchantFactory(name="Ajio")
    clicked = OfferFactory(title="clicked", merchant=myntra, category=fashion)
    OfferFactory(title="same store", merchant=myntra)
    OfferFactory(title="same category", merchant=ajio, category=fashion)
    OfferFactory(title="unrelated", category=electronics, featured=True, clicks_count=1000)
    ClickFactory(offer=clicked, user=shopper)
    ClickFactory(offer=OfferFactory(title="someone else's"), user=UserFactory())

    # when
    rail = selectors.offers_for_you(shopper)

    # then: every picked offer comes first; the unrelated one only as a trending filler
    assert rail.personal
    assert sorted(titles(rail)[:3]) == ["clicked", "same category", "same store"]
    assert rail.reason == "Because you shop Fashion"


def test_recent_activity_outweighs_more_activity_long_ago(fashion, electronics):
    shopper = UserFactory()
    old_love = OfferFactory(title="electronics then", category=electronics)
    new_love = OfferFactory(title="fashion now", category=fashion)
    for _ in range(5):  # five clicks 90 days ago: 5 x 0.5^(90/14) ~ 0.06
        ClickFactory(offer=old_love, user=shopper, created_at=ago(days=90))
    ClickFactory(offer=new_love, user=shopper, created_at=ago(hours=1))  # one click: ~1.0

    rail = selectors.offers_for_you(shopper)

    assert titles(rail)[:2] == ["fashion now", "electronics then"]
    assert rail.reason == "Because you shop Fashion"


def test_a_click_on_an_offer_without_a_category_counts_for_its_stores_categories(fashion):
    shopper = UserFactory()
    store = MerchantFactory(name="Myntra", categories=[fashion])
    ClickFactory(offer=OfferFactory(title="uncategorised", merchant=store), user=shopper)
    OfferFactory(title="fashion elsewhere", category=fashion)

    taste = foryou.taste_of(shopper.pk, now=timezone.now())

    assert set(taste.categories) == {fashion.pk}
    assert "fashion elsewhere" in titles(selectors.offers_for_you(shopper))


def test_a_gift_card_order_teaches_the_rail_its_brand_and_category(fashion, electronics):
    # given a shopper whose only activity is a paid gift-card order for a fashion brand
    shopper = UserFactory()
    brand = MerchantFactory(name="Westside")
    variant = VariantFactory(product__merchant=brand, product__category=fashion)
    stock(variant, 2)
    OfferFactory(title="westside deal", merchant=brand)
    OfferFactory(title="fashion deal", category=fashion)
    OfferFactory(title="gadget deal", category=electronics, clicks_count=500)
    order = place(shopper, cart_with(shopper, (variant, 1)))
    pay(order)

    # when
    rail = selectors.offers_for_you(shopper)

    # then
    assert rail.personal
    assert sorted(titles(rail)[:2]) == ["fashion deal", "westside deal"]


def test_paying_for_an_order_updates_a_rail_already_built(
    fashion, electronics, django_capture_on_commit_callbacks
):
    # given a shopper whose rail was built from one click on a gadget store
    shopper = UserFactory()
    ClickFactory(user=shopper, offer=OfferFactory(title="gadget deal", category=electronics))
    brand = MerchantFactory(name="Westside")
    variant = VariantFactory(product__merchant=brand, product__category=fashion)
    stock(variant, 1)
    OfferFactory(title="westside deal", merchant=brand)
    assert "westside deal" not in titles(selectors.offers_for_you(shopper))

    # when they pay for a Westside gift card
    order = place(shopper, cart_with(shopper, (variant, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)

    # then the next read of the rail knows
    assert "westside deal" in titles(selectors.offers_for_you(shopper))


def test_coupons_kept_in_the_locker_count_for_their_store(electronics):
    shopper = UserFactory()
    croma = MerchantFactory(name="Croma")
    LockerCouponFactory(owner=shopper, merchant=croma, category=electronics)
    OfferFactory(title="croma deal", merchant=croma)
    OfferFactory(title="other deal", clicks_count=100)

    rail = selectors.offers_for_you(shopper)

    assert rail.personal
    assert titles(rail)[0] == "croma deal"
    # The offer names no category: the reason names the store the shopper keeps coupons of.
    assert rail.reason == "Because you shop at Croma"


def test_no_more_than_two_offers_of_one_store_lead_the_rail(fashion):
    shopper = UserFactory()
    big = MerchantFactory(name="Big")
    for number in range(5):
        OfferFactory(title=f"big {number}", merchant=big, category=fashion)
    OfferFactory(title="small", category=fashion)
    ClickFactory(offer=OfferFactory(merchant=big, category=fashion), user=shopper)

    picked = titles(selectors.offers_for_you(shopper))

    assert picked.index("small") < 3


# --- what it leaves out -----------------------------------------------------------------------


def test_claimed_used_ended_and_paused_offers_are_left_out(fashion):
    # given
    shopper = UserFactory()
    store = MerchantFactory(name="Myntra")
    ClickFactory(offer=OfferFactory(title="clicked", merchant=store), user=shopper)
    book = book_with_codes(3, offer__merchant=store, offer__title="claimed")
    services.code_claim(offer_or_book=book.offer, user=shopper)
    used = book_with_codes(1, offer__merchant=store, offer__title="in the locker")
    LockerCouponFactory(
        owner=shopper,
        merchant=store,
        source=Source.BOUGHT,
        book_code=CouponCode.objects.get(book=used),
    )
    OfferFactory(title="ended", merchant=store, starts_at=ago(days=9), ends_at=ago(days=1))
    OfferFactory(title="paused", merchant=store, status=OfferStatus.PAUSED)
    OfferFactory(title="still open", merchant=store)

    # when
    picked = titles(selectors.offers_for_you(shopper))

    # then
    assert "still open" in picked and "clicked" in picked
    assert not {"claimed", "in the locker", "ended", "paused"} & set(picked)


def test_an_offer_that_ends_after_the_rail_was_stored_is_dropped_at_read(fashion):
    shopper = UserFactory()
    store = MerchantFactory()
    ClickFactory(offer=OfferFactory(title="clicked", merchant=store), user=shopper)
    ending = OfferFactory(title="ending", merchant=store)
    assert "ending" in titles(selectors.offers_for_you(shopper))

    ending.ends_at = timezone.now() - timedelta(seconds=1)
    ending.save(update_fields=["ends_at"])
    stored = get_redis_connection("default").lrange(rail_key(shopper.pk), 0, -1)

    assert str(ending.pk).encode() in stored  # still in Redis...
    assert "ending" not in titles(selectors.offers_for_you(shopper))  # ...but not shown


# --- trending: the mix and the fallbacks ---------------------------------------------------------


def test_mixed_keeps_seven_personal_to_three_trending_without_repeats():
    personal = list(range(1, 21))
    hot = [100, 101, 3, 102, 103, 104]  # 3 is personal too: shown once

    rail = foryou.mixed(personal, hot, length=12)

    assert rail == [1, 2, 3, 100, 4, 5, 101, 6, 7, 102, 8, 9]
    assert len(set(rail)) == len(rail)


def test_mixed_fills_from_the_other_list_when_one_runs_out():
    assert foryou.mixed([1, 2], [7, 8, 9], length=10) == [1, 2, 7, 8, 9]
    assert foryou.mixed([], [7, 8], length=10) == [7, 8]


def test_the_rail_mixes_in_trending_offers_the_shopper_has_not_claimed(fashion, electronics):
    # given a fashion shopper and hot electronics offers
    shopper = UserFactory()
    for number in range(12):
        OfferFactory(title=f"fashion {number}", category=fashion)
    ClickFactory(offer=OfferFactory(title="fashion clicked", category=fashion), user=shopper)
    hot = [OfferFactory(title=f"hot {number}", category=electronics) for number in range(4)]
    for rank, offer in enumerate(hot):
        for _ in range(10 - rank):
            trending.record_click(offer.pk)

    # when
    picked = titles(selectors.offers_for_you(shopper, limit=10))

    # then: places 4, 7 and 10 are the hottest offers, the rest fashion
    assert [picked[3], picked[6], picked[9]] == ["hot 0", "hot 1", "hot 2"]
    assert all(title.startswith("fashion") for i, title in enumerate(picked) if i not in (3, 6, 9))


def test_visitors_and_shoppers_without_history_get_trending():
    OfferFactory(title="featured", featured=True)
    OfferFactory(title="plain")

    for user in (None, AnonymousUser(), UserFactory()):
        rail = selectors.offers_for_you(user)
        assert not rail.personal and rail.reason == ""
        assert titles(rail) == ["featured", "plain"]


def test_a_shopper_whose_stores_have_nothing_live_gets_trending():
    shopper = UserFactory()
    ended = OfferFactory(title="ended", starts_at=ago(days=9), ends_at=ago(days=1))
    ClickFactory(offer=ended, user=shopper, created_at=ago(days=2))
    OfferFactory(title="featured", featured=True)

    rail = selectors.offers_for_you(shopper)

    assert not rail.personal
    assert titles(rail) == ["featured"]


# --- Redis copy and refreshes --------------------------------------------------------------------


def test_the_rail_is_rebuilt_from_the_database_when_redis_lost_it(fashion):
    shopper = UserFactory()
    ClickFactory(offer=OfferFactory(title="clicked", category=fashion), user=shopper)
    for number in range(5):
        OfferFactory(title=f"fashion {number}", category=fashion)
    first = selectors.offers_for_you(shopper)
    assert get_redis_connection("default").exists(rail_key(shopper.pk))

    cache.clear()  # a Redis restart: the rail, trending, everything gone

    again = selectors.offers_for_you(shopper)
    assert titles(again) == titles(first) and again.reason == first.reason


def test_a_claim_refreshes_the_rail_without_the_claimed_offer(
    django_capture_on_commit_callbacks,
):
    shopper = UserFactory()
    store = MerchantFactory()
    ClickFactory(offer=OfferFactory(merchant=store), user=shopper)
    book = book_with_codes(2, offer__merchant=store, offer__title="claim me")
    assert "claim me" in titles(selectors.offers_for_you(shopper))

    with django_capture_on_commit_callbacks(execute=True):
        services.code_claim(offer_or_book=book.offer, user=shopper)

    assert "claim me" not in titles(selectors.offers_for_you(shopper))


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_a_claimed_offer_leaves_the_stored_rail_at_once_before_the_refresh_runs(
    monkeypatch, django_capture_on_commit_callbacks
):
    # given a stored rail with the offer, and workers that run the refresh a minute later
    queued = []
    monkeypatch.setattr(
        tasks.foryou_refresh_user, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    shopper = UserFactory()
    store = MerchantFactory()
    ClickFactory(offer=OfferFactory(merchant=store), user=shopper)
    book = book_with_codes(2, offer__merchant=store, offer__title="claim me")
    foryou.foryou_refresh(shopper.pk)
    assert "claim me" in titles(selectors.offers_for_you(shopper))

    # when the shopper claims a code of it
    with django_capture_on_commit_callbacks(execute=True):
        services.code_claim(offer_or_book=book.offer, user=shopper)

    # then the rail read now leaves it out, though the refresh has not run yet
    assert queued and get_redis_connection("default").exists(rail_key(shopper.pk))
    assert "claim me" not in titles(selectors.offers_for_you(shopper))


def test_a_written_click_refreshes_the_clickers_rail(fashion):
    shopper = UserFactory()
    OfferFactory(title="fashion deal", category=fashion)
    assert not selectors.offers_for_you(shopper).personal  # stored: trending for now
    clicked = OfferFactory(title="clicked", category=fashion)

    clickout.clicks_write(
        [
            {
                "id": "0b7c2f6e-6a43-4b8e-9f54-1d2f3a4b5c6d",
                "offer_id": clicked.pk,
                "merchant_id": clicked.merchant_id,
                "user_id": shopper.pk,
                "created_at": timezone.now().timestamp(),
                "ip_hash": "",
                "user_agent": "",
                "referrer": "",
            }
        ]
    )

    rail = selectors.offers_for_you(shopper)
    assert rail.personal and "fashion deal" in titles(rail)


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_a_burst_of_actions_queues_one_refresh_a_minute_later(monkeypatch):
    queued = []
    monkeypatch.setattr(
        tasks.foryou_refresh_user, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    shopper = UserFactory()

    for _ in range(3):
        services.foryou_refresh_soon(shopper.pk)

    assert queued == [{"args": [shopper.pk], "countdown": DEBOUNCE_SECONDS}]
    tasks.foryou_refresh_user(shopper.pk)  # the worker runs it: the next action queues again
    services.foryou_refresh_soon(shopper.pk)
    assert len(queued) == 2


def test_the_beat_refreshes_shoppers_active_since_its_last_run(fashion):
    # given two shoppers who clicked, and one who did nothing
    clickers = [UserFactory(), UserFactory()]
    idle = UserFactory()
    for shopper in clickers:
        ClickFactory(offer=OfferFactory(category=fashion), user=shopper)
    redis = get_redis_connection("default")

    # when
    refreshed = tasks.foryou_refresh_active()

    # then
    assert refreshed == 2
    assert all(redis.exists(rail_key(shopper.pk)) for shopper in clickers)
    assert not redis.exists(rail_key(idle.pk))
    assert Watermark.objects.get(name=foryou.WATERMARK).value > ago(minutes=1)

    # an hour later, only the shopper who clicked since is refreshed
    ClickFactory(offer=OfferFactory(category=fashion), user=idle, created_at=ago(minutes=1))
    Watermark.objects.filter(name=foryou.WATERMARK).update(value=ago(minutes=30))
    Click.objects.exclude(user=idle).update(created_at=ago(hours=1))
    assert tasks.foryou_refresh_active() == 1
    assert redis.exists(rail_key(idle.pk))


# --- served with a fixed number of queries -------------------------------------------------------


def _shopper_with_rail_of(size: int, category):
    shopper = UserFactory()
    for number in range(size):
        OfferFactory(title=f"pick {number}", category=category)
    ClickFactory(offer=OfferFactory(title="clicked", category=category), user=shopper)
    return shopper


@pytest.mark.parametrize("stored", [True, False], ids=["in redis", "rebuilt"])
def test_the_rail_costs_the_same_queries_for_one_offer_or_twenty(stored):
    counts = []
    for size in (0, 19):
        shopper = _shopper_with_rail_of(size, CategoryFactory())
        cache.clear()  # each measure starts from the same Redis: empty, or just this rail
        if stored:
            foryou.foryou_refresh(shopper.pk)
        with CaptureQueriesContext(connection) as queries:
            rail = selectors.offers_for_you(shopper, limit=20)
        assert len(rail.offers) == size + 1
        counts.append(len(queries))

    assert counts[0] == counts[1]
    if stored:
        assert counts[0] == 1


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


def test_the_api_answers_a_signed_in_shopper_with_their_picks(api, fashion):
    shopper = _shopper_with_rail_of(3, fashion)
    api.force_authenticate(shopper)

    body = api.get("/api/v1/offers/for-you/").json()

    assert body["personal"] is True
    assert body["reason"] == "Because you shop Fashion"
    assert body["count"] == 4
    assert {row["title"] for row in body["results"]} == {"pick 0", "pick 1", "pick 2", "clicked"}
    assert set(body["results"][0]) >= {"id", "title", "merchant", "category", "uses_today"}


def test_the_api_answers_a_visitor_with_trending_in_the_same_shape(api):
    OfferFactory(title="featured", featured=True)

    body = api.get("/api/v1/offers/for-you/").json()

    assert body["personal"] is False and body["reason"] == ""
    assert [row["title"] for row in body["results"]] == ["featured"]
    assert body["next"] is None


def test_the_api_costs_the_same_queries_for_one_offer_or_twenty(api):
    counts = []
    for size in (0, 19):
        shopper = _shopper_with_rail_of(size, CategoryFactory())
        api.force_authenticate(shopper)
        api.get("/api/v1/offers/for-you/")  # stores the rail
        with CaptureQueriesContext(connection) as queries:
            body = api.get("/api/v1/offers/for-you/", {"page_size": 50}).json()
        # All of this shopper's picks (trending may add the earlier shopper's click).
        assert body["count"] >= size + 1 and len(body["results"]) == body["count"]
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_for_you_endpoint_is_in_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    get = schema["paths"]["/api/v1/offers/for-you/"]["get"]
    body = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/ForYouPage")
    assert {"personal", "reason", "results"} <= set(
        schema["components"]["schemas"]["ForYouPage"]["properties"]
    )


# --- home page ---------------------------------------------------------------------------------


def test_home_shows_a_new_shopper_an_empty_picked_for_you_rail(client):
    OfferFactory.create_batch(2)
    client.force_login(UserFactory())

    html = client.get("/").content.decode()

    assert "Picked for you" in html
    assert "Nothing picked for you yet" in html


def test_home_shows_visitors_no_picked_for_you_rail(client):
    OfferFactory.create_batch(2)

    html = client.get("/").content.decode()

    assert "Picked for you" not in html


def test_home_shows_the_picks_with_why(client, fashion):
    shopper = _shopper_with_rail_of(3, fashion)
    client.force_login(shopper)

    html = client.get("/").content.decode()

    picked = html.split("Picked for you", 1)[1].split("Featured stores", 1)[0]
    assert "Because you shop Fashion" in picked
    assert "pick 0" in picked and "clicked" in picked
