"""One day of offer activity read from the raw rows: views, clicks, claims, redemptions net
of rollbacks, revenue and discount, per offer and book and per product SKU."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from offers import selectors, services
from offers.models import AuditAction, OfferViewDay, RedemptionAudit
from offers.tests.books.factories import book_with_codes
from offers.tests.factories import ClickFactory, OfferFactory

pytestmark = pytest.mark.django_db

ActivityRow = selectors.ActivityRow
ProductRow = selectors.ProductActivityRow


def redeem(book, code, key, amount, products):
    return services.code_redeem(
        book=book,
        code=code,
        actor=None,
        idempotency_key=key,
        order_amount=D(amount),
        products=products,
        credential="tk_1",
    )


@pytest.fixture
def busy_day():
    """Today: a deal with views and clicks; a unique-code offer (10% off) with two claims,
    three redeems and one of them rolled back; yesterday's rows that must not count."""
    today = timezone.localdate()
    deal = OfferFactory()
    book = book_with_codes(5, max_redemptions_per_code=5)
    book.offer.discount_type = "percentage"
    book.offer.discount_value = D("10")
    book.offer.save()
    offer = book.offer
    OfferViewDay.objects.create(offer=deal, date=today, views=40)
    OfferViewDay.objects.create(offer=offer, date=today, views=25)
    OfferViewDay.objects.create(offer=deal, date=today - timedelta(days=1), views=99)
    ClickFactory.create_batch(3, offer=deal)
    ClickFactory(offer=offer)
    ClickFactory(offer=deal, created_at=timezone.now() - timedelta(days=2))
    for _ in range(2):
        services.code_claim(offer_or_book=offer, user=UserFactory())
    codes = list(book.codes.order_by("id"))
    redeem(book, codes[0], "r1", "1000.00", ["SKU-A", "SKU-B"])
    redeem(book, codes[0], "r2", "250.50", ["SKU-A"])
    redeem(book, codes[1], "r3", "400.00", ["SKU-B", "SKU-B"])
    services.code_redeem_rollback(book=book, idempotency_key="r2", actor=None)
    # a refused attempt and a validate count for nothing
    services.code_validate(book=book, code=codes[2], actor=None, order_amount=D("10"))
    return today, deal, offer, book


def test_offer_activity_sums_the_days_raw_rows(busy_day):
    today, deal, offer, book = busy_day

    rows = selectors.offer_activity_for_day(day=today)

    assert rows == [
        ActivityRow(offer_id=deal.pk, book_id=None, views=40, clicks=3),
        ActivityRow(offer_id=offer.pk, book_id=None, views=25, clicks=1),
        ActivityRow(
            offer_id=offer.pk,
            book_id=book.pk,
            claims=2,
            redemptions=2,  # three redeems, one rolled back
            revenue=D("1400.00"),
            discount=D("140.00"),
        ),
    ]


def test_offer_activity_matches_the_audit_exactly(busy_day):
    today, _deal, _offer, book = busy_day
    ok = RedemptionAudit.objects.filter(book=book, ok=True)

    [book_row] = [row for row in selectors.offer_activity_for_day(day=today) if row.book_id]

    redeems = ok.filter(action=AuditAction.REDEEM)
    rollbacks = ok.filter(action=AuditAction.ROLLBACK)
    assert book_row.redemptions == redeems.count() - rollbacks.count()
    assert book_row.revenue == sum(row.order_amount for row in [*redeems, *rollbacks])
    assert book_row.discount == sum(row.discount_amount for row in [*redeems, *rollbacks])
    assert book_row.claims == ok.filter(action=AuditAction.CLAIM).count()


def test_product_activity_counts_each_basket_naming_a_sku_once(busy_day):
    today, _deal, offer, _book = busy_day

    rows = selectors.product_activity_for_day(day=today)

    assert rows == [
        # r1 (1000, SKU-A and SKU-B); r2 (250.50, SKU-A) was rolled back
        ProductRow(
            offer_id=offer.pk,
            sku="SKU-A",
            redemptions=1,
            revenue=D("1000.00"),
            discount=D("100.00"),
        ),
        # r1 and r3 (400, SKU-B named twice)
        ProductRow(
            offer_id=offer.pk,
            sku="SKU-B",
            redemptions=2,
            revenue=D("1400.00"),
            discount=D("140.00"),
        ),
    ]


def test_activity_is_limited_to_the_offers_asked_for(busy_day):
    today, deal, offer, _book = busy_day

    only_deal = selectors.offer_activity_for_day(day=today, offer_ids=[deal.pk])

    assert [row.offer_id for row in only_deal] == [deal.pk]
    assert selectors.product_activity_for_day(day=today, offer_ids=[deal.pk]) == []
    assert selectors.offer_activity_for_day(day=today, offer_ids=[]) == []
    assert len(selectors.product_activity_for_day(day=today, offer_ids={offer.pk})) == 2


def test_a_rollback_counts_on_its_own_day(busy_day):
    today, _deal, _offer, _book = busy_day
    # the r2 redeem happened yesterday; its rollback today
    RedemptionAudit.objects.filter(idempotency_key="r2", action=AuditAction.REDEEM).update(
        created_at=timezone.now() - timedelta(days=1)
    )

    [book_row] = [row for row in selectors.offer_activity_for_day(day=today) if row.book_id]
    [yesterday] = [
        row
        for row in selectors.offer_activity_for_day(day=today - timedelta(days=1))
        if row.book_id
    ]

    assert (book_row.redemptions, book_row.revenue) == (1, D("1149.50"))
    assert (yesterday.redemptions, yesterday.revenue) == (1, D("250.50"))


def test_days_are_india_days_whatever_the_active_time_zone():
    offer = OfferFactory()
    # 23:59 and 00:00 in India on the night of 6 to 7 December
    ClickFactory(offer=offer, created_at=datetime(2026, 12, 6, 18, 29, 59, tzinfo=UTC))
    ClickFactory(offer=offer, created_at=datetime(2026, 12, 6, 18, 30, tzinfo=UTC))

    with timezone.override("UTC"):
        sixth = selectors.offer_activity_for_day(day=date(2026, 12, 6))
        seventh = selectors.offer_activity_for_day(day=date(2026, 12, 7))

    assert [row.clicks for row in sixth] == [1]
    assert [row.clicks for row in seventh] == [1]


def test_activity_runs_a_fixed_number_of_queries(django_assert_num_queries):
    today = timezone.localdate()
    for count in (1, 12):
        books = [book_with_codes(2) for _ in range(count)]
        for number, book in enumerate(books):
            OfferViewDay.objects.create(offer=book.offer, date=today, views=3)
            ClickFactory(offer=book.offer)
            redeem(book, book.codes.first(), f"k{count}-{number}", "500", ["SKU-1", "SKU-2"])
        offer_ids = [book.offer_id for book in books]

        with django_assert_num_queries(3):
            rows = selectors.offer_activity_for_day(day=today, offer_ids=offer_ids)
        with django_assert_num_queries(1):
            products = selectors.product_activity_for_day(day=today, offer_ids=offer_ids)

        assert len(rows) == 2 * count
        assert len(products) == 2 * count
