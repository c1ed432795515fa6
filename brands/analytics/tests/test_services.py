import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brands.analytics.demo import ActivityPlan, activity_write
from brands.analytics.services import analytics_rollup, analytics_rollup_range
from brands.analytics.tasks import analytics_rollup_recent
from brands.models import BookDay, BrandProduct, OfferDay, ProductDay
from brands.tests.factories import brand_offer, brand_with_store
from offers.models import AuditAction, CouponBook, OfferViewDay
from offers.tests.factories import ClickFactory, OfferFactory

from .helpers import ZERO, at, audit, days_between, expected_days, redeem_and_rollback

pytestmark = pytest.mark.django_db

D = Decimal


def _rolled_up(offer_ids):
    figures = {}
    for row in OfferDay.objects.filter(offer_id__in=offer_ids):
        figures[("offer", row.offer_id, row.date)] = {
            "views": row.views,
            "clicks": row.clicks,
            "claims": row.claims,
            "redemptions": row.redemptions,
            "revenue": row.revenue,
            "discount": row.discount,
        }
    for row in BookDay.objects.filter(book__offer_id__in=offer_ids):
        figures[("book", row.book_id, row.date)] = {
            "views": 0,
            "clicks": 0,
            "claims": row.claims,
            "redemptions": row.redemptions,
            "revenue": row.revenue,
            "discount": row.discount,
        }
    for row in ProductDay.objects.filter(offer_id__in=offer_ids):
        figures[("product", (row.product_id, row.offer_id), row.date)] = {
            "views": 0,
            "clicks": 0,
            "claims": 0,
            "redemptions": row.redemptions,
            "revenue": row.revenue,
            "discount": row.discount,
        }
    return figures


def _nonzero(figures):
    return {key: value for key, value in figures.items() if any(v for v in value.values())}


@pytest.fixture
def shop():
    brand = brand_with_store()
    offers = [brand_offer(brand) for _ in range(3)]
    books = [CouponBook.objects.create(offer=offer, name=f"Book {offer.pk}") for offer in offers]
    books.append(CouponBook.objects.create(offer=offers[0], name="Second book"))
    products = {
        sku: BrandProduct.objects.create(brand=brand, sku=sku, name=sku).pk
        for sku in ("TEE", "JEANS", "CAP")
    }
    return brand, offers, books, products


def test_rollup_matches_the_raw_rows_exactly_over_several_days(shop):
    # given: five days of generated activity, plus the edges by hand
    brand, offers, books, products = shop
    today = timezone.localdate()
    first = today - timedelta(days=6)
    rng = random.Random(7)
    for offer in offers:
        activity_write(
            offer=offer,
            books=[book for book in books if book.offer_id == offer.pk],
            first_day=first,
            days=5,
            plan=ActivityPlan(
                views=60,
                click_rate=0.3,
                claim_rate=0.6,
                redeem_rate=0.8,
                rollback_rate=0.3,
                skus=["TEE", "JEANS", "CAP", "UNLISTED"],
            ),
            rng=rng,
        )
    day = first + timedelta(days=1)
    # A redeem at 23:50 in Kolkata rolled back at 00:10: the rollback counts the next day
    # (both moments are the same UTC day).
    redeem_and_rollback(
        books[1],
        at(day, 23, 50),
        at(day + timedelta(days=1), 0, 10),
        amount=D("1000.00"),
        discount=D("100.00"),
        products=["TEE", "TEE"],
    )
    # Refused rows and validations count for nothing.
    audit(books[0], AuditAction.REDEEM, at(day, 12), ok=False, amount=D("50.00"))
    audit(books[0], AuditAction.VALIDATE, at(day, 12), amount=D("70.00"), discount=D("7.00"))
    audit(books[0], AuditAction.CLAIM, at(day, 1), ok=False)
    # Another brand's offer and an offer of no brand are never in this brand's rollup.
    other = brand_offer(brand_with_store())
    other_book = CouponBook.objects.create(offer=other, name="Other")
    audit(other_book, AuditAction.REDEEM, at(day, 10), amount=D("10.00"), discount=D("1.00"))
    plain = OfferFactory()
    ClickFactory(offer=plain, created_at=at(day, 10))
    OfferViewDay.objects.create(offer=plain, date=day, views=5)

    # when
    analytics_rollup_range(start=first, end=today, brand=brand)

    # then
    offer_ids = [offer.pk for offer in offers]
    expected = _nonzero(expected_days(offer_ids, products))
    assert expected, "the generator made activity"
    assert _rolled_up(offer_ids) == expected
    assert not OfferDay.objects.filter(offer__in=[other, plain]).exists()
    edge = OfferDay.objects.get(offer=offers[1], date=day + timedelta(days=1))
    assert edge.redemptions == expected[("offer", offers[1].pk, edge.date)]["redemptions"]
    assert any(key[0] == "product" for key in expected)
    assert set(ProductDay.objects.values_list("product_id", flat=True)) <= set(products.values())


def test_rollup_is_idempotent_and_picks_up_late_rows(shop):
    brand, offers, books, _products = shop
    day = timezone.localdate() - timedelta(days=1)
    redeem = audit(
        books[0],
        AuditAction.REDEEM,
        at(day, 9),
        amount=D("500.00"),
        discount=D("50.00"),
        products=["CAP"],
    )
    analytics_rollup(day=day, brand=brand)
    analytics_rollup(day=day, brand=brand)
    row = OfferDay.objects.get(offer=offers[0], date=day)
    assert (row.redemptions, row.revenue, row.discount) == (1, D("500.00"), D("50.00"))
    assert OfferDay.objects.filter(date=day).count() == 1

    # A rollback the same day, then a view flush: the next run replaces the day's figures.
    audit(
        books[0],
        AuditAction.ROLLBACK,
        at(day, 11),
        amount=D("-500.00"),
        discount=D("-50.00"),
        products=["CAP"],
        reverses=redeem,
    )
    OfferViewDay.objects.create(offer=offers[0], date=day, views=40)
    analytics_rollup(day=day, brand=brand)

    row = OfferDay.objects.get(offer=offers[0], date=day)
    assert (row.views, row.redemptions, row.revenue, row.discount) == (40, 0, ZERO, ZERO)
    assert not BookDay.objects.filter(date=day).exists()
    assert not ProductDay.objects.filter(date=day).exists()


def test_rollup_of_one_brand_leaves_other_brands_rows(shop):
    brand, offers, _books, _ = shop
    other = brand_offer(brand_with_store())
    day = timezone.localdate()
    OfferViewDay.objects.create(offer=other, date=day, views=3)
    OfferViewDay.objects.create(offer=offers[0], date=day, views=4)
    analytics_rollup(day=day)
    assert OfferDay.objects.filter(date=day).count() == 2

    OfferViewDay.objects.filter(offer=offers[0]).update(views=9)
    analytics_rollup(day=day, brand=brand)

    assert OfferDay.objects.get(offer=other).views == 3
    assert OfferDay.objects.get(offer=offers[0]).views == 9


def test_rollup_runs_a_fixed_number_of_queries_whatever_the_activity(shop):
    brand, offers, books, _ = shop
    day = timezone.localdate() - timedelta(days=2)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            analytics_rollup(day=day, brand=brand)
        return len(captured)

    audit(
        books[0],
        AuditAction.REDEEM,
        at(day, 9),
        amount=D("1.00"),
        discount=D("0.10"),
        products=["TEE"],
    )
    few = queries()
    for offer, book in zip(offers, books, strict=False):
        ClickFactory(offer=offer, created_at=at(day, 8))
        OfferViewDay.objects.create(offer=offer, date=day, views=7)
        for hour in range(3):
            audit(book, AuditAction.CLAIM, at(day, hour))
            audit(
                book,
                AuditAction.REDEEM,
                at(day, hour + 3),
                amount=D("2.00"),
                discount=D("0.20"),
                products=["JEANS", "CAP"],
            )
    many = queries()
    assert many == few
    assert OfferDay.objects.filter(date=day).count() == 3


def test_beat_task_rolls_up_today_and_yesterday(shop):
    _brand, offers, _books, _ = shop
    today = timezone.localdate()
    for day in (today - timedelta(days=2), today - timedelta(days=1), today):
        OfferViewDay.objects.create(offer=offers[0], date=day, views=5)

    written = analytics_rollup_recent.delay().get()

    assert written == 2
    assert set(OfferDay.objects.values_list("date", flat=True)) == {
        today - timedelta(days=1),
        today,
    }


def test_backfill_command_rolls_up_a_range(shop):
    brand, offers, _, _ = shop
    today = timezone.localdate()
    first = today - timedelta(days=4)
    for day in days_between(first, today):
        OfferViewDay.objects.create(offer=offers[1], date=day, views=day.day)
    call_command(
        "brand_analytics_backfill",
        "--start",
        str(first),
        "--end",
        str(today),
        "--brand",
        brand.slug,
    )
    assert sorted(OfferDay.objects.values_list("date", "views")) == [
        (day, day.day) for day in days_between(first, today)
    ]


def test_backfill_command_refuses_a_reversed_range():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("brand_analytics_backfill", "--start", "2026-02-02", "--end", "2026-02-01")
