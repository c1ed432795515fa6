"""Offers' daily rollup (StoreDay) against the raw rows, and its range reads."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from offers import rollups
from offers.models import Click, OfferViewDay, StoreDay
from offers.tests.factories import ClickFactory, OfferFactory

pytestmark = pytest.mark.django_db

IST = timezone.get_default_timezone()
DAY = date(2026, 11, 10)


def at(day: date, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=IST)


def store_days() -> dict[tuple[str, date], tuple[int, int, int]]:
    return {
        (row.merchant.slug, row.date): (row.views, row.clicks, row.member_clicks)
        for row in StoreDay.objects.select_related("merchant")
    }


def test_a_store_day_sums_its_offers_views_and_counts_clicks_by_members_and_visitors():
    # given two stores, one with two offers, views and clicks on two days
    myntra, ajio = MerchantFactory(slug="myntra"), MerchantFactory(slug="ajio")
    shirts, shoes = OfferFactory(merchant=myntra), OfferFactory(merchant=myntra)
    denim = OfferFactory(merchant=ajio)
    OfferViewDay.objects.create(offer=shirts, date=DAY, views=40)
    OfferViewDay.objects.create(offer=shoes, date=DAY, views=2)
    OfferViewDay.objects.create(offer=denim, date=DAY + timedelta(days=1), views=7)
    asha = UserFactory()
    ClickFactory(offer=shirts, user=asha, created_at=at(DAY, 10))
    ClickFactory(offer=shoes, user=None, created_at=at(DAY, 11))
    ClickFactory(offer=shoes, user=None, created_at=at(DAY, 12))
    ClickFactory(offer=denim, user=asha, created_at=at(DAY, 9))

    # when
    written = rollups.store_days_roll(DAY, DAY + timedelta(days=1))

    # then Myntra: 42 views, 3 clicks of which 1 signed in; Ajio's views and click apart
    assert written == 3
    assert store_days() == {
        ("myntra", DAY): (42, 3, 1),
        ("ajio", DAY): (0, 1, 1),
        ("ajio", DAY + timedelta(days=1)): (7, 0, 0),
    }


def test_clicks_fall_on_the_day_of_india_not_utc():
    # 18:29:59 UTC is 23:59:59 in India; 18:30 UTC is midnight, the next day
    offer = OfferFactory(merchant=MerchantFactory(slug="zomato"))
    ClickFactory(offer=offer, created_at=at(DAY, 23, 59, 59, 999999))
    ClickFactory(offer=offer, created_at=at(DAY + timedelta(days=1), 0, 0))
    ClickFactory(offer=offer, created_at=at(DAY, 0, 0))
    ClickFactory(offer=offer, created_at=at(DAY, 0, 0) - timedelta(microseconds=1))

    rollups.store_days_roll(DAY, DAY + timedelta(days=1))

    assert store_days() == {
        ("zomato", DAY): (0, 2, 0),
        ("zomato", DAY + timedelta(days=1)): (0, 1, 0),
    }


def test_rolling_again_changes_nothing_and_a_day_emptied_since_loses_its_row():
    offer = OfferFactory(merchant=MerchantFactory(slug="nykaa"))
    ClickFactory(offer=offer, created_at=at(DAY, 10))
    gone = ClickFactory(offer=offer, created_at=at(DAY + timedelta(days=1), 10))
    rollups.store_days_roll(DAY, DAY + timedelta(days=1))
    first = store_days()

    rollups.store_days_roll(DAY, DAY + timedelta(days=1))
    assert (
        store_days()
        == first
        == {
            ("nykaa", DAY): (0, 1, 0),
            ("nykaa", DAY + timedelta(days=1)): (0, 1, 0),
        }
    )

    Click.objects.filter(pk=gone.pk).delete()
    rollups.store_days_roll(DAY, DAY + timedelta(days=1))
    assert store_days() == {("nykaa", DAY): (0, 1, 0)}


def test_a_roll_leaves_days_outside_its_range_alone():
    offer = OfferFactory(merchant=MerchantFactory(slug="tata"))
    ClickFactory(offer=offer, created_at=at(DAY, 10))
    rollups.store_days_roll(DAY, DAY)
    ClickFactory(offer=offer, created_at=at(DAY, 11))

    rollups.store_days_roll(DAY + timedelta(days=1), DAY + timedelta(days=40))

    assert store_days() == {("tata", DAY): (0, 1, 0)}


def test_a_range_longer_than_a_chunk_is_rolled_whole():
    offer = OfferFactory(merchant=MerchantFactory(slug="boat"))
    days = [DAY + timedelta(days=n) for n in (0, 30, 31, 62, 80)]
    for day in days:
        ClickFactory(offer=offer, created_at=at(day, 12))

    assert rollups.store_days_roll(DAY, DAY + timedelta(days=80)) == 5
    assert sorted(day for _, day in store_days()) == days


def test_the_reads_give_totals_per_day_and_the_top_stores_most_clicked_first(
    django_assert_num_queries,
):
    names = ["Amazon", "Flipkart", "Myntra"]
    stores = [MerchantFactory(name=name, slug=name.lower()) for name in names]
    for store, views, clicks in zip(stores, (5, 9, 1), (3, 7, 0), strict=True):
        StoreDay.objects.create(merchant=store, date=DAY, views=views, clicks=clicks)
    StoreDay.objects.create(merchant=stores[0], date=DAY + timedelta(days=1), clicks=5)
    StoreDay.objects.create(merchant=stores[2], date=DAY + timedelta(days=9), clicks=50)

    with django_assert_num_queries(1):
        by_day = rollups.store_figures_by_day(start=DAY, end=DAY + timedelta(days=1))
    with django_assert_num_queries(1):
        top = rollups.top_stores_by_clicks(start=DAY, end=DAY + timedelta(days=1), limit=10)

    assert by_day == {DAY: (15, 10), DAY + timedelta(days=1): (0, 5)}
    # Amazon 8 over two days, Flipkart 7; Myntra's 50 clicks are outside the range
    assert top == [("Amazon", "amazon", 8), ("Flipkart", "flipkart", 7)]
    assert rollups.top_stores_by_clicks(start=DAY, end=DAY, limit=1) == [
        ("Flipkart", "flipkart", 7)
    ]


def test_clicks_and_views_written_days_late_are_rolled_by_the_next_recent_run():
    # given a recent run, then a buffer backlog drained after an outage: a click made three
    # days ago and views counted for that day, written only now
    from coupzii.core import rollups as runner

    today = timezone.localdate()
    three_days_ago = today - timedelta(days=rollups.BACKLOG_DAYS)
    offer = OfferFactory(merchant=MerchantFactory(slug="myntra"))
    runner.roll_recent()
    ClickFactory(offer=offer, created_at=at(three_days_ago, 20))
    OfferViewDay.objects.create(offer=offer, date=three_days_ago, views=9)

    # when beat rolls again
    runner.roll_recent()

    # then that day has the click and the views
    assert store_days()[("myntra", three_days_ago)] == (9, 1, 0)
