"""The dashboard's figures, checked against the raw rows: varied history over 45 days (orders of
every status, refunds, three categories, clicks by members and visitors, views, cashback in
each stage incl. an unknown store, withdrawals) is rolled by the backfill command, then every
figure of period_totals, range_figures and cashback_balances is compared with the same figure
computed here in plain Python from the rows. And range_figures costs as many queries for a
year as for a week."""

import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import CategoryFactory, MerchantFactory, ProductFactory, VariantFactory
from commerce.models import Order, OrderLine, OrderStatus
from coupzii.dashboard import figures
from offers.models import Click, OfferViewDay
from offers.tests.factories import OfferFactory
from wallet import ledger
from wallet.models import (
    Account,
    AccountKind,
    CashbackEvent,
    CashbackSource,
    CashbackStatus,
    TransactionKind,
    Withdrawal,
    WithdrawalStatus,
)

pytestmark = pytest.mark.django_db

ZERO = D("0.00")
HISTORY_DAYS = 45
PAID = {OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED}


def local_day(moment: datetime | None) -> date | None:
    return None if moment is None else timezone.localdate(moment)


@dataclass
class History:
    """The raw rows the test made, as plain Python values to compute the figures from."""

    today: date
    clicks: list[tuple[datetime, int]]  # (created_at, merchant id)
    views: list[tuple[date, int, int]]  # (date, merchant id, views)
    orders: list[tuple[datetime, str, datetime | None, list[tuple[str, int, D]]]]
    events: list[dict]
    payouts: list[tuple[datetime, D]]
    joined: list[tuple[datetime, bool]]  # (date_joined, is_staff)
    stores: dict[int, tuple[str, str]]  # id -> (name, slug)


class Moments:
    """Random moments on a day, never after now (today is only partly over)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.now()
        self.zone = timezone.get_default_timezone()

    def on(self, day: date) -> datetime:
        start = datetime.combine(day, datetime.min.time(), tzinfo=self.zone)
        seconds = min(86_399, (self.now - start).total_seconds() - 1)
        # A quarter of them in the last or first minutes of the day: midnight in India.
        if self.rng.random() < 0.25:
            picked = self.rng.choice([0, 1, max(0, seconds - 1)])
        else:
            picked = self.rng.uniform(0, max(0, seconds))
        return start + timedelta(seconds=picked)

    def after(self, moment: datetime, most_days: int) -> datetime | None:
        later = moment + timedelta(days=self.rng.uniform(0, most_days))
        return later if later < self.now else None


@pytest.fixture
def history() -> History:
    rng = random.Random(16)
    moments = Moments(rng)
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS)]
    stores = [
        MerchantFactory(name=f"Store {letter}", slug=f"store-{letter.lower()}")
        for letter in "ABCDEFGHIJKL"
    ]
    offers = [OfferFactory(merchant=store) for store in stores for _ in range(2)]
    categories = [CategoryFactory(name=name) for name in ("Fashion", "Food", "Travel")]
    variants = [
        VariantFactory(product=ProductFactory(category=category), face_value=face, price=price)
        for category in categories
        for face, price in ((D("500.00"), D("490.00")), (D("1000.00"), D("975.50")))
    ]
    joined = []
    shoppers = []
    for n in range(14):
        when = moments.on(rng.choice(days))
        staff = n % 5 == 0
        shoppers.append(UserFactory(date_joined=when, is_staff=staff))
        joined.append((when, staff))

    # views, a day's row per offer
    views = []
    view_rows = []
    for day in days:
        for offer in rng.sample(offers, 6):
            count = rng.randint(1, 300)
            view_rows.append(OfferViewDay(offer=offer, date=day, views=count))
            views.append((day, offer.merchant_id, count))
    OfferViewDay.objects.bulk_create(view_rows)

    # clicks by members and visitors; the first stores clicked most
    click_rows = []
    for _ in range(600):
        offer = offers[min(int(rng.expovariate(0.25)), len(offers) - 1)]
        click_rows.append(
            Click(
                offer=offer,
                merchant_id=offer.merchant_id,
                user=rng.choice([None, *shoppers]),
                created_at=moments.on(rng.choice(days)),
            )
        )
    Click.objects.bulk_create(click_rows)
    clicks = [(click.created_at, click.merchant_id) for click in click_rows]

    orders = []
    for n in range(90):
        status = list(OrderStatus)[n % len(OrderStatus)]
        placed = moments.on(rng.choice(days))
        paid = None
        if status in PAID:
            paid = placed + timedelta(minutes=rng.choice([1, 30, 600]))
            if paid >= moments.now:
                paid = placed
        lines = [
            (rng.choice(variants), rng.randint(1, 3), D(rng.choice(["0.00", "10.00", "25.50"])))
            for _ in range(rng.randint(1, 3))
        ]
        orders.append(_order(rng.choice(shoppers), status, placed, paid, lines))

    events = []
    for n in range(120):
        reported = moments.on(rng.choice(days))
        confirmed = declined = None
        if n % 3 == 1:
            confirmed = moments.after(reported, 20)
        elif n % 3 == 2:
            declined = moments.after(reported, 20)
        if n % 11 == 0 and confirmed:  # confirmed, then clawed back
            declined = moments.after(confirmed, 5)
        events.append(
            _event(
                merchant=None if n % 9 == 0 else rng.choice(stores),
                network=rng.choice(["cuelinks", "admitad"]),
                reported=reported,
                confirmed=confirmed,
                declined=declined,
                sale=D(rng.randint(100, 9000)),
                commission=None if n % 7 == 0 else D(rng.randint(5, 700)) / 4,
                cashback=D(rng.randint(0, 400)) / 2,
            )
        )

    payouts = []
    for n in range(30):
        status = [WithdrawalStatus.PAID, WithdrawalStatus.REJECTED, WithdrawalStatus.APPROVED][
            n % 3
        ]
        done = moments.on(rng.choice(days)) if status != WithdrawalStatus.APPROVED else None
        amount = D(rng.randint(100, 5000))
        _withdrawal(rng.choice(shoppers), status, amount, done)
        if status == WithdrawalStatus.PAID:
            payouts.append((done, amount))

    for shopper in shoppers[:4]:
        _balances(shopper, available=D(rng.randint(1, 900)), pending=D(rng.randint(1, 900)))

    return History(
        today=today,
        clicks=clicks,
        views=views,
        orders=orders,
        events=events,
        payouts=payouts,
        joined=joined,
        stores={store.pk: (store.name, store.slug) for store in stores},
    )


def _order(user, status, placed, paid, lines):
    net = [
        (variant, quantity, variant.price * quantity - discount, discount)
        for variant, quantity, discount in lines
    ]
    subtotal = sum((variant.price * quantity for variant, quantity, _, _ in net), ZERO)
    discount = sum((line_discount for *_, line_discount in net), ZERO)
    total = subtotal - discount
    order = Order.objects.create(
        number=uuid.uuid4().hex[:12].upper(),
        user=user,
        status=status,
        subtotal=subtotal,
        discount=discount,
        total=total,
        gateway_amount=total,
        refunded_amount=total if status == OrderStatus.REFUNDED else ZERO,
        email=user.email,
        idempotency_key=uuid.uuid4().hex,
        pay_by=placed + timedelta(minutes=30),
        paid_at=paid,
    )
    Order.objects.filter(pk=order.pk).update(created_at=placed)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant=variant,
            product_name=variant.product.name,
            face_value=variant.face_value,
            unit_price=variant.price,
            quantity=quantity,
            discount=line_discount,
        )
        for variant, quantity, _, line_discount in net
    )
    category_lines = [(v.product.category.name, q, amount) for v, q, amount, _ in net]
    return placed, status, paid, category_lines


def _event(*, merchant, network, reported, confirmed, declined, sale, commission, cashback):
    status = CashbackStatus.PENDING
    if confirmed:
        status = CashbackStatus.CONFIRMED
    if declined:
        status = CashbackStatus.DECLINED
    row = CashbackEvent.objects.create(
        sub_id=uuid.uuid4().hex,
        merchant=merchant,
        network=network,
        network_txn_id=uuid.uuid4().hex,
        sale_amount=sale,
        commission=commission,
        cashback=cashback,
        status=status,
        source=CashbackSource.PULL,
        occurred_at=reported - timedelta(hours=2),
        confirmed_at=confirmed,
        declined_at=declined,
    )
    CashbackEvent.objects.filter(pk=row.pk).update(created_at=reported)
    return {
        "merchant": merchant.pk if merchant else None,
        "reported": reported,
        "confirmed": confirmed,
        "declined": declined,
        "commission": commission or ZERO,
        "cashback": cashback,
    }


def _withdrawal(user, status, amount, done):
    key = uuid.uuid4().hex
    Withdrawal.objects.create(
        user=user,
        method="upi",
        amount=amount,
        destination="shopper@upi",
        status=status,
        idempotency_key=key,
        utr=key[:16] if status == WithdrawalStatus.PAID else "",
        completed_at=done,
    )


def _balances(user, *, available: D, pending: D) -> None:
    accounts = ledger.user_accounts(user)
    for kind, amount, source in (
        (TransactionKind.WELCOME_BONUS, available, (AccountKind.PROMOTIONS, AccountKind.AVAILABLE)),
        (
            TransactionKind.CASHBACK_PENDING,
            pending,
            (AccountKind.CASHBACK_PAYABLE, AccountKind.PENDING),
        ),
    ):
        ledger.transaction_post(
            kind=kind,
            idempotency_key=f"figures-test:{user.pk}:{kind}",
            legs=[(ledger.platform_account(source[0]), -amount), (accounts[source[1]], amount)],
            reference_type="test",
            reference_id=str(user.pk),
        )


def backfill() -> None:
    call_command("rollups_backfill", "--days", str(HISTORY_DAYS + 5), stdout=StringIO())


# --- The expected figures, from the rows ------------------------------------------------------


def expected_totals(h: History, length: int) -> figures.PeriodTotals:
    first = h.today - timedelta(days=length - 1)

    def within(moment) -> bool:
        day = local_day(moment)
        return day is not None and first <= day <= h.today

    return figures.PeriodTotals(
        revenue=sum(
            (amount for _, _, paid, lines in h.orders if within(paid) for *_, amount in lines),
            ZERO,
        ),
        orders=sum(1 for placed, status, _, _ in h.orders if within(placed) and status in PAID),
        new_shoppers=sum(1 for when, staff in h.joined if within(when) and not staff),
        clicks=sum(1 for when, _ in h.clicks if within(when)),
        cashback_reported=sum((e["cashback"] for e in h.events if within(e["reported"])), ZERO),
        cashback_confirmed=sum((e["cashback"] for e in h.events if within(e["confirmed"])), ZERO),
    )


def test_period_totals_match_the_raw_rows(history):
    backfill()

    totals = figures.period_totals()

    assert set(totals) == {"today", "7d", "30d"}
    assert totals["today"] == expected_totals(history, 1)
    assert totals["7d"] == expected_totals(history, 7)
    assert totals["30d"] == expected_totals(history, 30)
    # the history gives every figure something to count over 30 days
    assert all(value for value in vars(totals["30d"]).values())


def test_range_figures_match_the_raw_rows(history):
    # given the history rolled, and a range that leaves out its first days
    backfill()
    start, end = history.today - timedelta(days=39), history.today
    days = [start + timedelta(days=n) for n in range(40)]

    def in_range(moment) -> bool:
        day = local_day(moment)
        return day is not None and start <= day <= end

    # when
    got = figures.range_figures(start=start, end=end)

    # then every figure is what the rows say
    assert (got.start, got.end, got.days) == (start, end, days)

    revenue = defaultdict(lambda: ZERO)
    paid_orders, by_status = Counter(), Counter()
    categories = defaultdict(lambda: [ZERO, 0])
    for placed, status, paid, lines in history.orders:
        if in_range(paid):
            for category, quantity, amount in lines:
                revenue[local_day(paid)] += amount
                categories[category][0] += amount
                categories[category][1] += quantity
        if in_range(placed):
            by_status[status] += 1
            if status in PAID:
                paid_orders[local_day(placed)] += 1
    assert got.revenue_by_day == [revenue[day] for day in days]
    assert got.orders_by_day == [paid_orders[day] for day in days]
    assert got.orders_by_status == [
        (status.value, str(status.label), by_status[status]) for status in OrderStatus
    ]
    assert all(count for _, _, count in got.orders_by_status)
    assert got.sales_by_category == sorted(
        ((name, revenue_, cards) for name, (revenue_, cards) in categories.items()),
        key=lambda row: (-row[1], row[0]),
    )
    assert len(got.sales_by_category) == 3

    views = Counter()
    for day, _, count in history.views:
        views[day] += count
    clicks, store_clicks = Counter(), Counter()
    for when, merchant_id in history.clicks:
        if in_range(when):
            clicks[local_day(when)] += 1
            store_clicks[merchant_id] += 1
    assert got.views_by_day == [views[day] for day in days]
    assert got.clicks_by_day == [clicks[day] for day in days]
    top_clicks = sorted(store_clicks.items(), key=lambda item: (-item[1], history.stores[item[0]]))
    assert got.top_stores_by_clicks == [
        (*history.stores[merchant_id], count) for merchant_id, count in top_clicks[:10]
    ]
    assert len(store_clicks) > 10  # the top ten leaves some out

    stage_cashback = {
        stage: defaultdict(lambda: ZERO) for stage in ("reported", "confirmed", "declined")
    }
    stage_events = Counter()
    store_commission = defaultdict(lambda: ZERO)
    commission_reported = ZERO
    for event in history.events:
        for stage in ("reported", "confirmed", "declined"):
            if in_range(event[stage]):
                stage_cashback[stage][local_day(event[stage])] += event["cashback"]
                stage_events[stage] += 1
        if in_range(event["reported"]):
            commission_reported += event["commission"]
            if event["merchant"] is not None:
                store_commission[event["merchant"]] += event["commission"]
    assert got.cashback_by_day == {
        stage: [by_day[day] for day in days] for stage, by_day in stage_cashback.items()
    }
    top_commission = sorted(
        ((merchant_id, total) for merchant_id, total in store_commission.items() if total > 0),
        key=lambda item: (-item[1], history.stores[item[0]]),
    )
    assert got.top_stores_by_commission == [
        (*history.stores[merchant_id], total) for merchant_id, total in top_commission[:10]
    ]

    payouts = defaultdict(lambda: ZERO)
    for done, amount in history.payouts:
        if in_range(done):
            payouts[local_day(done)] += amount
    assert got.payouts_by_day == [payouts[day] for day in days]

    assert [(key, count) for key, _, count in got.funnel] == [
        ("views", sum(views[day] for day in days)),
        ("clicks", sum(clicks.values())),
        ("reported", stage_events["reported"]),
        ("confirmed", stage_events["confirmed"]),
        ("paid_out", sum(1 for done, _ in history.payouts if in_range(done))),
    ]
    assert all(label for _, label, _ in got.funnel)
    assert got.funnel_money == {
        "commission_reported": commission_reported,
        "cashback_confirmed": sum(stage_cashback["confirmed"].values(), ZERO),
        "paid_out": sum(payouts.values(), ZERO),
    }


def test_cashback_balances_are_the_sums_of_the_shoppers_balances(history):
    balances = defaultdict(lambda: ZERO)
    for account in Account.objects.filter(user__isnull=False):
        balances[account.kind] += account.balance

    got = figures.cashback_balances()

    assert got == {
        "pending": balances["pending"],
        "payable": balances["available"],
        "held": balances["held"],
    }
    assert got["pending"] > 0 and got["payable"] > 0


def test_a_year_costs_as_many_queries_as_a_week(history):
    backfill()
    today = history.today
    cache.clear()  # the figures' cache: count the queries that add them up

    with CaptureQueriesContext(connection) as week:
        figures.range_figures(start=today - timedelta(days=6), end=today)
    with CaptureQueriesContext(connection) as year:
        figures.range_figures(start=today - timedelta(days=365), end=today)
    with CaptureQueriesContext(connection) as periods:
        figures.period_totals()
    with CaptureQueriesContext(connection) as balances:
        figures.cashback_balances()

    assert len(week) == len(year) == 8
    assert len(periods) == 5
    assert len(balances) == 1


def test_an_empty_site_gives_zeros_for_every_day():
    today = timezone.localdate()

    got = figures.range_figures(start=today - timedelta(days=2), end=today)
    totals = figures.period_totals()

    assert got.revenue_by_day == [ZERO] * 3 and got.clicks_by_day == [0] * 3
    assert got.cashback_by_day == {
        stage: [ZERO] * 3 for stage in ("reported", "confirmed", "declined")
    }
    assert got.top_stores_by_clicks == got.sales_by_category == []
    assert totals["30d"] == figures.PeriodTotals(ZERO, 0, 0, 0, ZERO, ZERO)


@pytest.mark.parametrize("days", [0, 367])
def test_a_range_backwards_or_longer_than_366_days_is_refused(days):
    today = timezone.localdate()
    start = today + timedelta(days=1) if days == 0 else today - timedelta(days=days - 1)

    with pytest.raises(ValueError):
        figures.range_figures(start=start, end=today)


def test_figures_are_served_from_the_cache_until_the_rollups_change(history):
    # given the figures of a range read once
    backfill()
    today = history.today
    # Six days, no preset of the page: the figures the after-roll warming caches are others.
    start = today - timedelta(days=5)
    first = figures.range_figures(start=start, end=today)

    # a second read costs no query
    with CaptureQueriesContext(connection) as again:
        assert figures.range_figures(start=start, end=today) == first
    assert len(again) == 0

    # when a click lands and beat rolls the recent days
    offer = OfferFactory(merchant=MerchantFactory())
    Click.objects.create(offer=offer, merchant=offer.merchant, created_at=timezone.now())
    call_command("rollups_backfill", "--days", "2", stdout=StringIO())

    # then the next read adds it up again and counts the click
    with CaptureQueriesContext(connection) as fresh:
        after = figures.range_figures(start=start, end=today)
    assert len(fresh) == 8
    assert after.clicks_by_day[-1] == first.clicks_by_day[-1] + 1


def test_figures_are_added_up_when_redis_is_unreachable(history, caplog):
    backfill()
    today = history.today
    expected = figures.range_figures(start=today - timedelta(days=6), end=today)
    unreachable = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }

    with override_settings(CACHES=unreachable):
        got = figures.range_figures(start=today - timedelta(days=6), end=today)

    assert got == expected
    assert "rollup generation unreadable" in caplog.text


def test_new_shoppers_leave_out_operators_and_brand_staff():
    from brands.tests.factories import brand_with_store, member

    today = timezone.localdate()
    UserFactory()
    UserFactory(is_staff=True)
    member(brand_with_store())

    totals = figures.period_totals(today=today)

    assert [totals[key].new_shoppers for key in ("today", "7d", "30d")] == [1, 1, 1]
