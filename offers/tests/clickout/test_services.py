"""The click-out: /go/<offer>/ and the click API, the Redis buffer and its batch writer."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_redis import get_redis_connection

from accounts.tests.factories import UserFactory
from catalog.models import Merchant
from offers import trending
from offers.clickout import services as clickout
from offers.models import Click, Offer

pytestmark = pytest.mark.django_db

TEMPLATE = "https://track.example/c?sub={click_id}&url=https%3A%2F%2Fshop.example"


@pytest.fixture
def merchant():
    return Merchant.objects.create(
        name="Shop",
        slug="shop",
        website="https://shop.example",
        tracking_url_template=TEMPLATE,
        cashback_kind="percent",
        cashback_value=Decimal("5"),
    )


def make_offer(merchant, **fields) -> Offer:
    defaults = {
        "kind": "code",
        "code": "SAVE10",
        "title": "10% off",
        "discount_type": "percentage",
        "discount_value": Decimal("10"),
        "starts_at": timezone.now() - timedelta(days=1),
        "ends_at": timezone.now() + timedelta(days=5),
    }
    return Offer.objects.create(merchant=merchant, **{**defaults, **fields})


@pytest.fixture
def offer(merchant):
    return make_offer(merchant)


@pytest.fixture
def buffered(settings):
    # With a broker, clicks go through the Redis buffer and the batch writer.
    settings.CELERY_TASK_ALWAYS_EAGER = False


def sub_id(location: str) -> uuid.UUID:
    return uuid.UUID(location.split("sub=")[1].split("&")[0])


def test_go_redirects_to_the_store_with_the_click_id_as_sub_id(client, offer):
    response = client.get(f"/go/{offer.public_id}/", HTTP_USER_AGENT="Mozilla/5.0 (Android)")

    assert response.status_code == 302
    assert response["Location"].startswith("https://track.example/c?sub=")
    click = Click.objects.get(pk=sub_id(response["Location"]))
    assert (click.offer, click.merchant, click.user) == (offer, offer.merchant, None)
    assert click.user_agent == "Mozilla/5.0 (Android)"
    assert click.ip_hash and "127.0.0.1" not in click.ip_hash
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_signed_in_shoppers_click_is_theirs(client, offer):
    user = UserFactory()
    client.force_login(user)

    response = client.get(f"/go/{offer.public_id}/")

    assert Click.objects.get(pk=sub_id(response["Location"])).user == user


def test_each_click_gets_its_own_id(client, offer):
    first = client.get(f"/go/{offer.public_id}/")["Location"]
    second = client.get(f"/go/{offer.public_id}/")["Location"]

    assert sub_id(first) != sub_id(second)
    assert Click.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"status": "paused"},
        {"status": "expired"},
        {
            "ends_at": timezone.now() - timedelta(minutes=1),
            "starts_at": timezone.now() - timedelta(days=2),
        },
        {"starts_at": timezone.now() + timedelta(days=1), "ends_at": None},
    ],
)
def test_an_offer_that_is_not_live_is_not_redirected(client, merchant, change):
    offer = make_offer(merchant, **change)

    response = client.get(f"/go/{offer.public_id}/")

    assert response.status_code == 302
    assert response["Location"] == "/merchants/shop/"
    assert not Click.objects.exists()


def test_an_unknown_offer_is_404(client):
    assert client.get(f"/go/{uuid.uuid4()}/").status_code == 404


def test_pausing_an_offer_stops_its_cached_redirect(
    client, offer, django_capture_on_commit_callbacks
):
    client.get(f"/go/{offer.public_id}/")  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        offer.status = "paused"
        offer.save()

    assert client.get(f"/go/{offer.public_id}/")["Location"] == "/merchants/shop/"


def test_a_repeat_click_costs_no_sql_at_all(client, offer, buffered, django_assert_num_queries):
    client.get(f"/go/{offer.public_id}/")

    with django_assert_num_queries(0):
        response = client.get(f"/go/{offer.public_id}/")
    assert response.status_code == 302


def test_api_click_answers_click_id_redirect_and_code(client, offer):
    response = client.post(f"/api/v1/offers/{offer.public_id}/click/")

    body = response.json()
    assert response.status_code == 200
    assert body["code"] == "SAVE10"
    assert body["redirect_url"] == TEMPLATE.replace("{click_id}", body["click_id"])
    assert Click.objects.filter(pk=body["click_id"]).exists()


# --- the demo store ---------------------------------------------------------------------------

DEMO_TEMPLATE = (
    "https://track.coupzii.test/cuelinks/shop?sub={click_id}&url=https%3A%2F%2Fshop.example"
)


@pytest.fixture
def demo_offer(merchant):
    Merchant.objects.filter(pk=merchant.pk).update(tracking_url_template=DEMO_TEMPLATE)
    return make_offer(merchant)


def test_a_demo_merchants_click_out_lands_on_the_local_demo_store(client, demo_offer):
    # when a shopper clicks out on a demo merchant, whose link points at a .test host
    response = client.get(f"/go/{demo_offer.public_id}/")

    # then they land on this site's demo store page with the click id as the sub-id
    assert response.status_code == 302
    assert response["Location"].startswith("/demo-store/shop/?sub=")
    click_id = sub_id(response["Location"])
    assert Click.objects.filter(pk=click_id).exists()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Welcome to Shop" in html and "Demo store" in html
    assert f'data-testid="demo-store-sub-id">{click_id}</code>' in html
    assert "stands in for shop.example" in html and "nothing can be bought" in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_the_demo_store_offers_no_purchase_it_cannot_make(client, demo_offer):
    # No affiliate network has a postback secret on the embedded default, so no button.
    html = client.get(client.get(f"/go/{demo_offer.public_id}/")["Location"]).content.decode()

    main = html[html.index('id="main"') : html.index("</main>")]
    assert "<form" not in main and "<button" not in main


def test_the_api_click_gives_an_app_the_demo_stores_full_address(client, demo_offer):
    body = client.post(f"/api/v1/offers/{demo_offer.public_id}/click/").json()

    assert body["redirect_url"] == f"http://testserver/demo-store/shop/?sub={body['click_id']}"


def test_the_demo_store_without_a_click_id_says_so(client, merchant):
    html = client.get("/demo-store/shop/?sub=not-a-uuid").content.decode()

    assert "did not come through a Coupzii click-out" in html
    assert client.get("/demo-store/no-such-store/").status_code == 404


def test_without_demo_hosts_every_link_goes_to_the_network_and_there_is_no_demo_store(
    client, demo_offer, settings
):
    settings.OFFERS_DEMO_STORE_HOSTS = []

    response = client.get(f"/go/{demo_offer.public_id}/")

    assert response["Location"].startswith("https://track.coupzii.test/cuelinks/shop?sub=")
    assert client.get("/demo-store/shop/").status_code == 404


def test_api_click_on_an_ended_offer_is_a_clear_409(client, merchant):
    offer = make_offer(merchant, status="expired")

    response = client.post(f"/api/v1/offers/{offer.public_id}/click/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_ended"


def test_the_click_apis_refusals_are_in_its_schema(client, merchant):
    ended = make_offer(merchant, status="expired")

    unknown = client.post(f"/api/v1/offers/{uuid.uuid4()}/click/")
    refused = client.post(f"/api/v1/offers/{ended.public_id}/click/")

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    documented = schema["paths"]["/api/v1/offers/{public_id}/click/"]["post"]["responses"]
    assert {str(unknown.status_code), str(refused.status_code)} == {"404", "409"}
    assert {"404", "409"} <= set(documented)


def test_deals_send_no_code(client, merchant):
    offer = make_offer(merchant, kind="deal", code="")

    assert client.post(f"/api/v1/offers/{offer.public_id}/click/").json()["code"] == ""


def test_buffered_clicks_are_written_in_batches_and_the_buffer_emptied(client, offer, buffered):
    snapshot = clickout.offer_for_clickout(offer.public_id)
    ids = {
        clickout.click_record(snapshot=snapshot, user_id=None, ip="203.0.113.9")
        for _ in range(2500)
    }
    assert not Click.objects.exists()  # nothing written on the request path

    written = clickout.buffered_clicks_write()

    assert written == 2500
    assert set(Click.objects.values_list("id", flat=True)) == ids
    assert get_redis_connection("default").llen(clickout._key(clickout.BUFFER_KEY)) == 0


def test_writing_a_batch_twice_creates_no_duplicates(offer, buffered):
    snapshot = clickout.offer_for_clickout(offer.public_id)
    clickout.click_record(snapshot=snapshot, user_id=None, ip="203.0.113.9")
    raw = get_redis_connection("default").lrange(clickout._key(clickout.BUFFER_KEY), 0, -1)

    # a writer that crashed after inserting but before trimming runs again
    import json

    clickout.clicks_write([json.loads(item) for item in raw])
    clickout.buffered_clicks_write()

    assert Click.objects.count() == 1


def test_clicks_on_a_deleted_offer_do_not_block_the_batch(merchant, buffered):
    doomed, kept = make_offer(merchant), make_offer(merchant)
    for offer in (doomed, kept):
        snapshot = clickout.offer_for_clickout(offer.public_id)
        clickout.click_record(snapshot=snapshot, user_id=None, ip="203.0.113.9")
    doomed.delete()

    assert clickout.buffered_clicks_write() == 1
    assert Click.objects.get().offer == kept


def test_counters_flush_adds_clicks_to_the_offer(client, offer):
    for _ in range(3):
        client.get(f"/go/{offer.public_id}/")

    clickout.counters_flush()

    offer.refresh_from_db()
    assert offer.clicks_count == 3
    assert clickout.counters_flush() == 0  # nothing counted twice


def test_clicks_feed_uses_today_and_trending(client, merchant):
    hot, cold = make_offer(merchant), make_offer(merchant)
    for _ in range(3):
        client.get(f"/go/{hot.public_id}/")
    client.get(f"/go/{cold.public_id}/")

    assert clickout.uses_today([hot.id, cold.id]) == {hot.id: 3, cold.id: 1}
    assert trending.top_offer_ids(5) == [hot.id, cold.id]


def test_older_clicks_weigh_less_in_trending(merchant):
    old, recent = make_offer(merchant), make_offer(merchant)
    now = timezone.now().timestamp()
    for _ in range(3):
        trending.record_click(old.id, now=now - 20 * 3600)  # 3 clicks 20 hours ago
    trending.record_click(recent.id, now=now)  # 1 click now

    assert trending.top_offer_ids(2, now=now) == [recent.id, old.id]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_batch_writer_loses_nothing_while_clicks_pour_in(settings):
    # given clicks arriving from 8 threads while the writer runs again and again
    settings.CELERY_TASK_ALWAYS_EAGER = False
    merchant = Merchant.objects.create(
        name="Shop", slug="shop", website="https://shop.example", tracking_url_template=TEMPLATE
    )
    snapshot = clickout._snapshot(make_offer(merchant))
    done = threading.Event()

    def shopper(_):
        return [
            clickout.click_record(snapshot=snapshot, user_id=None, ip="203.0.113.9")
            for _ in range(250)
        ]

    def writer():
        try:
            while not done.is_set():
                clickout.buffered_clicks_write()
        finally:
            connection.close()

    writer_thread = threading.Thread(target=writer)
    writer_thread.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        recorded = {click_id for batch in pool.map(shopper, range(8)) for click_id in batch}
    done.set()
    writer_thread.join()

    # when the writer drains what is left
    clickout.buffered_clicks_write()

    # then every click is in the database exactly once
    assert len(recorded) == 2000
    assert Click.objects.count() == 2000
    assert set(Click.objects.values_list("id", flat=True)) == recorded


def test_uses_today_and_trending_are_rebuilt_from_the_clicks_when_redis_lost_them(merchant):
    # given clicks written to the database, then Redis restarted (or a fresh process on the
    # embedded in-process Redis)
    hot, cold = make_offer(merchant), make_offer(merchant, code="SAVE20")
    for offer, clicks in ((hot, 3), (cold, 1)):
        snapshot = clickout.offer_for_clickout(offer.public_id)
        for _ in range(clicks):
            clickout.click_record(snapshot=snapshot, user_id=None, ip="203.0.113.9")
    assert Click.objects.count() == 4
    cache.clear()

    # then the pages' numbers come back from the click table, once
    assert clickout.uses_today([hot.pk, cold.pk]) == {hot.pk: 3, cold.pk: 1}
    assert trending.top_offer_ids(5) == [hot.pk, cold.pk]
    clickout.click_record(
        snapshot=clickout.offer_for_clickout(cold.public_id), user_id=None, ip="203.0.113.9"
    )
    assert clickout.uses_today([cold.pk]) == {cold.pk: 2}  # counted on top, not rebuilt again


def test_a_rebuild_never_lowers_counts_of_clicks_still_buffered(merchant, buffered):
    offer = make_offer(merchant)
    snapshot = clickout.offer_for_clickout(offer.public_id)
    for _ in range(2):
        clickout.click_record(snapshot=snapshot, user_id=None, ip="203.0.113.9")
    assert not Click.objects.exists()  # still in the Redis buffer

    assert clickout.uses_today_rebuild() == 0
    assert trending.hours_rebuild() == 0

    assert clickout.uses_today([offer.pk]) == {offer.pk: 2}
    assert trending.top_offer_ids(5) == [offer.pk]
