"""The shop's daily rollups (OrderDay, SalesDay) against the raw rows, their range reads, and
an old day rolled again by the recent run after a refund."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, ProductFactory, VariantFactory, stock
from commerce import rollups
from commerce.models import Order, OrderDay, OrderLine, OrderStatus, SalesDay
from commerce.services import refunds
from commerce.tests.factories import cart_with, pay, place
from coupzii.core.rollups import roll_range, roll_recent
from wallet.tests.factories import operator

pytestmark = pytest.mark.django_db

IST = timezone.get_default_timezone()
DAY = date(2026, 11, 10)
S = OrderStatus


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=IST)


def raw_order(user, *, status, created, paid=None, lines=(), refunded="0.00") -> Order:
    """An order as history holds it: lines of (variant, quantity, unit price, discount)."""
    subtotal = sum((D(price) * quantity for _, quantity, price, _ in lines), D("0.00"))
    discount = sum((D(line_discount) for *_, line_discount in lines), D("0.00"))
    order = Order.objects.create(
        number=uuid.uuid4().hex[:12].upper(),
        user=user,
        status=status,
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
        gateway_amount=subtotal - discount,
        refunded_amount=D(refunded),
        email=user.email,
        idempotency_key=uuid.uuid4().hex,
        pay_by=created + timedelta(minutes=30),
        paid_at=paid,
    )
    Order.objects.filter(pk=order.pk).update(created_at=created)
    for variant, quantity, price, line_discount in lines:
        OrderLine.objects.create(
            order=order,
            variant=variant,
            product_name=variant.product.name,
            face_value=variant.face_value,
            unit_price=D(price),
            quantity=quantity,
            discount=D(line_discount),
        )
    return order


def order_days() -> dict[tuple[date, str], tuple[int, D, D]]:
    return {(r.date, r.status): (r.orders, r.total, r.refunded) for r in OrderDay.objects.all()}


def sales_days() -> dict[tuple[date, str], tuple[int, int, D]]:
    rows = SalesDay.objects.select_related("category")
    return {(r.date, r.category.slug): (r.orders, r.cards, r.revenue) for r in rows}


@pytest.fixture
def cards():
    fashion, food = CategoryFactory(slug="fashion"), CategoryFactory(slug="food")
    return {
        "myntra": VariantFactory(product=ProductFactory(category=fashion)),
        "ajio": VariantFactory(product=ProductFactory(category=fashion)),
        "zomato": VariantFactory(product=ProductFactory(category=food)),
    }


def test_orders_are_counted_on_the_day_placed_by_their_status_now(cards):
    asha = UserFactory()
    card = (cards["zomato"], 1, "490.00", "0.00")
    raw_order(asha, status=S.FULFILLED, created=at(DAY, 9), paid=at(DAY, 9, 5), lines=[card])
    raw_order(
        asha,
        status=S.FULFILLED,
        created=at(DAY, 22),
        paid=at(DAY + timedelta(1), 9),
        lines=[(cards["myntra"], 2, "980.00", "60.00")],
    )
    raw_order(
        asha,
        status=S.REFUNDED,
        created=at(DAY, 10),
        paid=at(DAY, 10, 1),
        lines=[card],
        refunded="490.00",
    )
    raw_order(asha, status=S.CANCELLED, created=at(DAY, 11), lines=[card])
    raw_order(asha, status=S.PENDING_PAYMENT, created=at(DAY + timedelta(1), 0, 0), lines=[card])

    assert rollups.order_days_roll(DAY, DAY + timedelta(days=1)) == 4

    assert order_days() == {
        (DAY, S.FULFILLED): (2, D("2390.00"), D("0.00")),
        (DAY, S.REFUNDED): (1, D("490.00"), D("490.00")),
        (DAY, S.CANCELLED): (1, D("490.00"), D("0.00")),
        (DAY + timedelta(1), S.PENDING_PAYMENT): (1, D("490.00"), D("0.00")),
    }


def test_sales_count_each_category_on_the_day_paid_after_discounts_before_refunds(cards):
    asha = UserFactory()
    # one order, two fashion lines and a food line, paid just before midnight in India
    raw_order(
        asha,
        status=S.FULFILLED,
        created=at(DAY, 23, 50),
        paid=at(DAY, 23, 59, 59),
        lines=[
            (cards["myntra"], 2, "980.00", "30.00"),
            (cards["ajio"], 1, "450.00", "10.00"),
            (cards["zomato"], 3, "95.00", "0.00"),
        ],
    )
    # refunded since: still a sale of the day it was paid
    raw_order(
        asha,
        status=S.REFUNDED,
        created=at(DAY + timedelta(1), 0),
        refunded="450.00",
        paid=at(DAY + timedelta(1), 0, 0, 0),
        lines=[(cards["ajio"], 1, "450.00", "0.00")],
    )
    # never paid: no sale
    raw_order(asha, status=S.FAILED, created=at(DAY, 12), lines=[(cards["ajio"], 1, "450.00", "0")])

    assert rollups.sales_days_roll(DAY, DAY + timedelta(days=1)) == 3

    assert sales_days() == {
        (DAY, "fashion"): (1, 3, D("2370.00")),  # 2 x 980 - 30 + 450 - 10
        (DAY, "food"): (1, 3, D("285.00")),
        (DAY + timedelta(1), "fashion"): (1, 1, D("450.00")),
    }


def test_rolling_again_changes_nothing(cards):
    asha = UserFactory()
    line = (cards["zomato"], 1, "490.00", "0.00")
    raw_order(asha, status=S.PAID, created=at(DAY, 9), paid=at(DAY, 9, 1), lines=[line])
    rollups.order_days_roll(DAY, DAY)
    rollups.sales_days_roll(DAY, DAY)
    before = (order_days(), sales_days())

    rollups.order_days_roll(DAY, DAY)
    rollups.sales_days_roll(DAY, DAY)

    assert (order_days(), sales_days()) == before
    assert (OrderDay.objects.count(), SalesDay.objects.count()) == (1, 1)


def test_a_refund_of_an_order_placed_days_ago_is_rolled_into_its_day_by_the_recent_run():
    # given an order delivered ten days ago through the real checkout, rolled since
    shopper = UserFactory()
    variant = VariantFactory()
    stock(variant, 2)
    cart_with(shopper, (variant, 1))
    order = place(shopper)
    pay(order)
    assert order.status == S.FULFILLED
    placed = timezone.now() - timedelta(days=10)
    Order.objects.filter(pk=order.pk).update(created_at=placed, paid_at=placed)
    old_day, today = timezone.localdate(placed), timezone.localdate()
    roll_range(start=old_day - timedelta(days=1), end=today)
    assert order_days() == {(old_day, S.FULFILLED): (1, D("490.00"), D("0.00"))}

    # when an operator refunds it today and the recent run comes
    refunds.order_refund_lines(
        order=order, line_ids=[order.lines.get().pk], operator=operator(), reason="Unused"
    )
    roll_recent()

    # then its old day shows it refunded, and its sale stays on the day it was paid
    assert order_days() == {(old_day, S.REFUNDED): (1, D("490.00"), D("490.00"))}
    assert list(SalesDay.objects.values_list("date", "orders", "revenue")) == [
        (old_day, 1, D("490.00"))
    ]


def test_the_reads_give_orders_revenue_and_categories_best_first(cards, django_assert_num_queries):
    fashion, food = cards["myntra"].product.category, cards["zomato"].product.category
    OrderDay.objects.create(date=DAY, status=S.PAID, orders=2, total=D("10.00"))
    OrderDay.objects.create(date=DAY, status=S.FAILED, orders=1, total=D("5.00"))
    OrderDay.objects.create(date=DAY + timedelta(40), status=S.PAID, orders=9)
    SalesDay.objects.create(date=DAY, category=fashion, orders=1, cards=2, revenue=D("100.50"))
    SalesDay.objects.create(date=DAY, category=food, orders=2, cards=5, revenue=D("80.00"))
    SalesDay.objects.create(
        date=DAY + timedelta(1), category=food, orders=1, cards=1, revenue=D("30.00")
    )
    end = DAY + timedelta(days=1)

    with django_assert_num_queries(1):
        orders = rollups.order_counts_by_day_and_status(start=DAY, end=end)
    with django_assert_num_queries(1):
        revenue = rollups.revenue_by_day(start=DAY, end=end)
    with django_assert_num_queries(1):
        categories = rollups.sales_by_category(start=DAY, end=end)

    assert orders == {(DAY, S.PAID): 2, (DAY, S.FAILED): 1}
    assert revenue == {DAY: D("180.50"), end: D("30.00")}
    assert categories == [(food.name, D("110.00"), 6), (fashion.name, D("100.50"), 2)]


def test_categories_are_named_in_the_readers_language_or_in_english_when_untranslated():
    fashion = CategoryFactory(name_en="Fashion", name_hi="फ़ैशन")
    travel = CategoryFactory(name_en="Travel", name_hi="")
    SalesDay.objects.create(date=DAY, category=fashion, orders=1, cards=1, revenue=D("20.00"))
    SalesDay.objects.create(date=DAY, category=travel, orders=1, cards=1, revenue=D("10.00"))

    with translation.override("hi"):
        hindi = rollups.sales_by_category(start=DAY, end=DAY)
    with translation.override("en"):
        english = rollups.sales_by_category(start=DAY, end=DAY)

    assert [name for name, _, _ in hindi] == ["फ़ैशन", "Travel"]
    assert [name for name, _, _ in english] == ["Fashion", "Travel"]
