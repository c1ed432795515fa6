"""When cashback will really arrive: what is learned from each store's history (and its
network's), the tracker's ranges on the page and in the API, the store page's line, and the
nightly task."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from offers.tests.factories import ClickFactory
from wallet import arrival
from wallet.arrival import arrival_estimates_refresh
from wallet.models import ArrivalEstimate, CashbackEvent
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.tasks import learn_cashback_arrival
from wallet.tests.arrival_history import past_sales
from wallet.tests.factories import sale_for, with_status

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo(settings.TIME_ZONE)
WALLET = "/wallet/"
CASHBACK_API = "/api/v1/wallet/cashback/"
DASH = "\u2013"  # the en dash between a range's dates


def days(n: int, hours: int = 0) -> timedelta:
    return timedelta(days=n, hours=hours)


def ist(*args) -> datetime:
    return datetime(*args, tzinfo=IST)


def confirmations(merchant, delays: list[int], *, network="admitad", ago: int = 100):
    """Sales reported at 10:00 IST `ago` days back (one a minute), each confirmed that many
    calendar days later."""
    start = timezone.now().astimezone(IST).replace(hour=10, minute=0) - days(ago)
    reported = [start + timedelta(minutes=i) for i in range(len(delays))]
    return past_sales(
        merchant, network=network, reported=reported, confirmed_after=[days(d) for d in delays]
    )


def pending_sale(user, merchant, *, network="admitad") -> CashbackEvent:
    click = ClickFactory(user=user, offer__merchant=merchant, merchant=merchant)
    return cashback_report(sale=sale_for(click, network=network))


def reported_on(event: CashbackEvent, day: datetime) -> CashbackEvent:
    CashbackEvent.objects.filter(pk=event.pk).update(created_at=day)
    event.refresh_from_db()
    return event


# --- Learning ---------------------------------------------------------------------------------


def test_a_store_with_enough_history_gets_its_own_range_from_its_confirmations():
    # given 40 confirmations after 1..40 days (each once)
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(store, list(range(1, 41)))

    arrival_estimates_refresh()

    own = ArrivalEstimate.objects.get(network="admitad", merchant=store)
    # 10% of the 40 sales come before day 5; half by day 20; 80% (32 sales) by day 32
    assert (own.confirm_low_days, own.confirm_median_days, own.confirm_high_days) == (5, 20, 32)
    assert own.confirmed == 40 and own.declined == 0 and own.decline_median_days is None
    store.refresh_from_db()
    assert store.learned_confirm_days == 20 and store.learned_from_network is False


def test_the_range_end_is_rounded_up_to_the_day_that_reaches_80_percent():
    # given 79% of the sales confirmed by day 10 and the rest on day 30
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(store, [10] * 79 + [30] * 21)

    arrival_estimates_refresh()

    own = ArrivalEstimate.objects.get(network="admitad", merchant=store)
    assert own.confirm_high_days == 30  # day 10 covers only 79%: the promise would break


def test_a_store_with_little_history_uses_its_networks_figure_flagged_as_such():
    # given a busy store and a new one on the same network, and a third with no sales at all
    busy = MerchantFactory(affiliate_network="cuelinks")
    new = MerchantFactory(affiliate_network="cuelinks")
    quiet = MerchantFactory(affiliate_network="cuelinks")
    confirmations(busy, [30] * 30, network="cuelinks")
    confirmations(new, [2] * 10, network="cuelinks")

    arrival_estimates_refresh()

    assert not ArrivalEstimate.objects.filter(merchant=new).exists()
    network = ArrivalEstimate.objects.get(network="cuelinks", merchant=None)
    assert network.confirmed == 40  # every store's sales count towards the network's
    for store in (new, quiet):
        store.refresh_from_db()
        assert store.learned_confirm_days == network.confirm_median_days == 30
        assert store.learned_from_network is True


def test_stores_dealt_with_directly_share_no_figure():
    busy = MerchantFactory(affiliate_network="direct")
    new = MerchantFactory(affiliate_network="direct")
    confirmations(busy, [40] * 25, network="direct")
    confirmations(new, [5] * 5, network="direct")

    arrival_estimates_refresh()

    assert not ArrivalEstimate.objects.filter(network="direct", merchant=None).exists()
    new.refresh_from_db()
    assert new.learned_confirm_days is None


def test_declines_are_learned_apart_and_a_reversal_is_not_a_decline():
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(store, [20] * 20)
    start = timezone.now() - days(90)
    past_sales(store, reported=[start] * 3, declined_after=[days(6), days(8), days(9)])
    # a sale confirmed on day 20 and reversed on day 60: a return, not the store's decision
    reversed_sale = past_sales(store, reported=[start], confirmed_after=[days(20)])[0]
    CashbackEvent.objects.filter(pk=reversed_sale.pk).update(
        status="declined", declined_at=start + days(60), reversed_at=start + days(60)
    )

    arrival_estimates_refresh()

    own = ArrivalEstimate.objects.get(network="admitad", merchant=store)
    assert own.declined == 3 and own.decline_median_days == 8
    assert own.confirmed == 21


def test_days_are_counted_in_india_so_a_sale_confirmed_after_midnight_there_took_a_day():
    store = MerchantFactory(affiliate_network="admitad")
    # reported at 23:30 IST, confirmed an hour later (00:30 IST the next day)
    late_evening = (timezone.now() - days(30)).astimezone(IST).replace(hour=23, minute=30)
    past_sales(store, reported=[late_evening] * 20, confirmed_after=[timedelta(hours=1)] * 20)

    arrival_estimates_refresh()

    own = ArrivalEstimate.objects.get(network="admitad", merchant=store)
    assert own.confirm_low_days == own.confirm_high_days == 1


def test_only_the_last_years_confirmations_count_and_old_figures_are_dropped():
    # given a store whose 25 confirmations happened more than a year ago
    store = MerchantFactory(affiliate_network="direct")
    confirmations(store, [10] * 25, network="direct", ago=400)
    store.learned_confirm_days = 12
    store.save()

    assert arrival_estimates_refresh() == 0

    assert not ArrivalEstimate.objects.exists()
    store.refresh_from_db()
    assert store.learned_confirm_days is None and store.learned_from_network is False


def test_learning_twice_gives_the_same_rows():
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(store, list(range(5, 35)))
    arrival_estimates_refresh()
    first = list(ArrivalEstimate.objects.values_list("network", "merchant", "confirm_high_days"))

    assert arrival_estimates_refresh() == 2

    again = list(ArrivalEstimate.objects.values_list("network", "merchant", "confirm_high_days"))
    assert sorted(again, key=str) == sorted(first, key=str)


def test_the_nightly_task_learns_the_estimates():
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(store, [12] * 20)

    assert learn_cashback_arrival.delay().get() == 2

    store.refresh_from_db()
    assert store.learned_confirm_days == 12


# --- The tracker ------------------------------------------------------------------------------


@pytest.fixture
def shopper():
    return UserFactory(full_name="Asha Verma")


@pytest.fixture
def signed_in(client, shopper):
    client.force_login(shopper)
    return client


def day_month(day: date) -> str:
    return f"{day.day} {day:%b}"


def test_a_pending_entry_shows_its_likely_range_and_the_stores_share(signed_in, shopper):
    # given Myntra confirms 10% before day 5, 80% by day 32; a sale reported 10 days ago
    myntra = MerchantFactory(name="Myntra", affiliate_network="admitad")
    confirmations(myntra, list(range(1, 41)))
    arrival_estimates_refresh()
    reported = timezone.now() - days(10)
    reported_on(pending_sale(shopper, myntra), reported)

    html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    day = reported.astimezone(IST).date()
    start, end = day + days(5), day + days(32)
    if start.year == end.year == timezone.localdate().year:
        assert f"Likely {day_month(start)} {DASH} {day_month(end)}" in html
    else:  # a range crossing the new year says the years
        assert f"Likely {day_month(start)} {start.year} {DASH} {day_month(end)} {end.year}" in html
    assert "80% of Myntra's cashback is confirmed by then" in html
    assert "Expected to confirm by" not in html


def test_a_pending_entry_past_its_range_says_it_is_taking_longer_than_usual(signed_in, shopper):
    myntra = MerchantFactory(name="Myntra", affiliate_network="admitad")
    confirmations(myntra, list(range(1, 41)))
    arrival_estimates_refresh()
    reported_on(pending_sale(shopper, myntra), timezone.now() - days(33))

    html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    assert "Taking longer than usual: most of Myntra's cashback is confirmed within 32 days" in html
    assert "Likely" not in html


def test_a_range_still_ahead_is_not_late_and_says_the_year_when_it_crosses_one(signed_in, shopper):
    store = MerchantFactory(name="Ajio", affiliate_network="admitad")
    confirmations(store, [20] * 10 + [40] * 10)  # low 20, high 40
    arrival_estimates_refresh()
    event = pending_sale(shopper, store)
    today = timezone.localdate()
    reported_on(event, ist(today.year, 12, 15, 12))

    html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    assert f"Likely 4 Jan {today.year + 1} {DASH} 24 Jan {today.year + 1}" in html
    assert "80% of Ajio's cashback is confirmed by then" in html


def test_a_store_without_history_shows_its_networks_range_labelled_as_the_networks(
    signed_in, shopper
):
    busy = MerchantFactory(affiliate_network="vcommission")
    confirmations(busy, [30] * 25, network="vcommission")
    new = MerchantFactory(name="Bewakoof", affiliate_network="vcommission")
    arrival_estimates_refresh()
    event = reported_on(pending_sale(shopper, new, network="vcommission"), timezone.now())

    html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    end = timezone.localdate() + days(30)
    assert f"{DASH} {day_month(end)}" in html
    assert "80% of cashback through vCommission, the network that tracks this store" in html
    assert event.merchant.name in html


def test_nothing_learned_keeps_the_expected_date_wording(signed_in, shopper):
    event = pending_sale(shopper, MerchantFactory())

    html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    assert "Expected to confirm by" in html
    assert event.expected_confirmation.strftime("%-d %b %Y") in html
    assert "Likely" not in html


def test_confirmed_entries_show_when_they_were_confirmed_not_a_range(signed_in, shopper):
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(store, [10] * 20)
    arrival_estimates_refresh()
    click = ClickFactory(user=shopper, offer__merchant=store, merchant=store)
    sale = sale_for(click)
    cashback_report(sale=sale)
    cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))

    html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    assert "Confirmed on" in html and "Likely" not in html


def test_the_range_reads_in_hindi_with_hindi_month_names(signed_in, shopper):
    store = MerchantFactory(name="Myntra", affiliate_network="admitad")
    confirmations(store, [20] * 10 + [40] * 10)
    arrival_estimates_refresh()
    today = timezone.localdate()
    reported_on(pending_sale(shopper, store), ist(today.year, 12, 15, 12))
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"

    html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    assert f"4 जनवरी {today.year + 1}" in html and f"24 जनवरी {today.year + 1}" in html


@pytest.mark.parametrize("entries", [1, 15])
def test_the_tracker_reads_every_entrys_estimate_in_one_query(
    signed_in, shopper, entries, django_assert_num_queries
):
    # given pending entries at as many stores, each with an estimate of its own
    for number in range(entries):
        store = MerchantFactory(affiliate_network="admitad")
        confirmations(store, [10 + number] * 20)
        pending_sale(shopper, store)
    arrival_estimates_refresh()

    # the user, 4 for the balance cards, count, page, the estimates, claimable clicks,
    # claims, unread notifications
    with django_assert_num_queries(11):
        html = signed_in.get(WALLET, {"tab": "cashback"}).content.decode()

    assert html.count("Likely ") == entries


# --- The API ----------------------------------------------------------------------------------


@pytest.fixture
def api(shopper):
    client = APIClient()
    client.force_authenticate(shopper)
    return client


def test_the_api_gives_each_pending_cashback_its_expected_arrival(api, shopper):
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(store, list(range(1, 41)))
    arrival_estimates_refresh()
    event = reported_on(pending_sale(shopper, store), ist(2026, 11, 1, 12))

    body = api.get(CASHBACK_API).json()

    (row,) = body["results"]
    assert row["expected_arrival"] == {
        "from": "2026-11-06",
        "to": "2026-12-03",
        "share": 80,
        "basis": "store",
    }
    detail = api.get(f"{CASHBACK_API}{event.public_id}/").json()
    assert detail["expected_arrival"] == row["expected_arrival"]


def test_the_api_says_null_when_nothing_is_learned_and_network_when_borrowed(api, shopper):
    busy = MerchantFactory(affiliate_network="cuelinks")
    confirmations(busy, [30] * 25, network="cuelinks")
    arrival_estimates_refresh()
    pending_sale(shopper, MerchantFactory(affiliate_network="cuelinks"), network="cuelinks")
    pending_sale(shopper, MerchantFactory(affiliate_network="direct"), network="direct")

    rows = api.get(CASHBACK_API).json()["results"]

    by_network = {row["network"]: row["expected_arrival"] for row in rows}
    assert by_network["direct"] is None
    assert by_network["cuelinks"]["basis"] == "network"
    assert by_network["cuelinks"]["share"] == 80


@pytest.mark.parametrize("entries", [1, 12])
def test_the_api_list_reads_the_estimates_in_one_query(
    api, shopper, entries, django_assert_num_queries
):
    for number in range(entries):
        store = MerchantFactory(affiliate_network="admitad")
        confirmations(store, [10 + number] * 20)
        pending_sale(shopper, store)
    arrival_estimates_refresh()

    # count, page with stores, the estimates
    with django_assert_num_queries(3):
        rows = api.get(CASHBACK_API).json()["results"]

    assert len(rows) == entries and all(row["expected_arrival"] for row in rows)


def test_expected_arrival_is_in_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    components = schema["components"]["schemas"]
    field = components["CashbackEvent"]["properties"]["expected_arrival"]
    assert "ExpectedArrival" in str(field) and field.get("nullable", True)
    shape = components["ExpectedArrival"]["properties"]
    assert set(shape) == {"from", "to", "share", "basis"}
    assert components["ArrivalBasisEnum"]["enum"] == ["store", "network"]


# --- The store page ---------------------------------------------------------------------------


def store_page(client, merchant) -> str:
    return client.get(reverse("merchant_detail", args=[merchant.slug])).content.decode()


def test_the_store_page_says_how_long_the_store_usually_takes(client):
    store = MerchantFactory(affiliate_network="admitad", confirmation_days=45)
    confirmations(store, [12] * 20 + [40] * 5)
    arrival_estimates_refresh()

    html = store_page(client, store)

    assert "Usually confirms in about 12 days" in html
    assert "network's typical time" not in html and "in 45 days" not in html


def test_the_store_page_labels_the_networks_figure(client):
    busy = MerchantFactory(affiliate_network="admitad")
    confirmations(busy, [25] * 25)
    new = MerchantFactory(affiliate_network="admitad")
    arrival_estimates_refresh()

    html = store_page(client, new)

    assert "Usually confirms in about 25 days (the network's typical time)" in html


def test_the_store_page_keeps_the_stated_days_when_nothing_is_learned(client):
    store = MerchantFactory(affiliate_network="direct", confirmation_days=45)

    assert "Usually confirms in 45 days" in store_page(client, store)


def test_a_pending_entry_of_a_store_on_another_network_uses_that_networks_figure():
    # the estimate is chosen by the sale's network, not the store's current one
    store = MerchantFactory(affiliate_network="admitad")
    confirmations(MerchantFactory(affiliate_network="cuelinks"), [7] * 20, network="cuelinks")
    arrival_estimates_refresh()
    event = pending_sale(UserFactory(), store, network="cuelinks")

    (attached,) = arrival.arrivals_attach([event])

    assert attached.expected_arrival.basis == "network"
    assert attached.expected_arrival.days == 7
