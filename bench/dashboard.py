"""Operators' dashboard benchmark: the admin's home over a year of history with 1,000,000
clicks, against Django's plain admin index (the app list the operators had before).

    .venv/bin/python bench/dashboard.py [--requests 200] [--clicks 1000000] [--orders 40000]
                                        [--cashback 120000] [--stores 40]

It recreates its own database (BENCH_DASHBOARD_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coupzii_bench_dashboard) and uses Redis database 10
(BENCH_DASHBOARD_REDIS_URL), so it never collides with bench/run.py. It migrates, makes
`--stores` stores with five offers each in eight categories, a gift card per category and
20,000 shoppers, then writes a year of raw rows up to today: a view count per offer and day,
`--clicks` clicks with PostgreSQL COPY, `--orders` orders (every status, some refunded),
`--cashback` cashback events (reported, confirmed, declined) and paid withdrawals. It runs
`manage.py rollups_backfill` for the year (timed: the rollup's own cost) and the beat task's
recent roll (timed), then measures in-process through Django's test client with DEBUG off
(bench.settings), signed in as an operator who passed their second factor, every request the
full middleware stack:

- subjects: /admin/ (its default range), /admin/ over the whole year, the same right after a
  roll (the figures' cache made stale before every request, so they are added up from the
  rollups each time), and the year's CSV export of the revenue chart;
- baseline: Django's own admin index (the app list, no dashboard) behind the same admin gate,
  at /bench/admin-index/.

The sides alternate in rounds (baseline, subjects, baseline, subjects ...). Printed: p50/p95/
p99 per side in milliseconds, queries per request, the ratio p95(subject) / p95(baseline), and
whether each subject's p95 is under the issue's 300 ms.
"""

import argparse
import io
import os
import random
import sys
import time
import types
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.brand_analytics import copy_rows, measure, setup_django  # noqa: E402
from bench.run import (  # noqa: E402 (the project root goes on the path first)
    BenchError,
    check_redis,
    fresh_database,
    run_manage,
    server_environment,
    without_password,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coupzii_bench_dashboard"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
DAYS = 366
SHOPPERS = 20_000
BUDGET_MS = 300
CATEGORIES = ["Fashion", "Electronics", "Food", "Travel", "Beauty", "Grocery", "Home", "Books"]
NETWORKS = ["admitad", "cuelinks", "vcommission"]


def environment() -> dict[str, str]:
    urls = {
        "database": os.environ.get("BENCH_DASHBOARD_DATABASE_URL", DEFAULT_DATABASE_URL),
        "cache": os.environ.get("BENCH_DASHBOARD_REDIS_URL", DEFAULT_REDIS_URL),
        "broker": os.environ.get("BENCH_DASHBOARD_REDIS_URL", DEFAULT_REDIS_URL),
    }
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_DASHBOARD_REDIS_URL")
    env = server_environment(urls, port=0)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    print(f"database {without_password(urls['database'])}, redis {urls['cache']}")
    return env


# --- The data -----------------------------------------------------------------------------------


@contextmanager
def history_timestamps(*models):
    """Let bulk_create keep the past created_at / updated_at given to each row: the history
    happened over the year, not at the moment the benchmark writes it."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Year:
    """Moments over the year up to now, weighted like a shop's traffic: more at weekends,
    growing through the year."""

    def __init__(self, rng: random.Random):
        from django.utils import timezone

        self.rng = rng
        self.zone = timezone.get_default_timezone()
        self.today = timezone.localdate()
        self.first = self.today - timedelta(days=DAYS - 1)
        self.now = timezone.now()
        days = [self.first + timedelta(days=offset) for offset in range(DAYS)]
        weights = [
            (1.4 if day.weekday() >= 5 else 1.0) * (1 + i / DAYS) for i, day in enumerate(days)
        ]
        self.days, self.weights = days, weights

    def moment(self) -> datetime:
        day = self.rng.choices(self.days, weights=self.weights)[0]
        start = datetime.combine(day, datetime.min.time(), tzinfo=self.zone)
        moment = start + timedelta(seconds=self.rng.randrange(86_400))
        return min(moment, self.now - timedelta(seconds=1))

    def moments(self, count: int) -> list[datetime]:
        days = self.rng.choices(self.days, weights=self.weights, k=count)
        out = []
        for day in days:
            start = datetime.combine(day, datetime.min.time(), tzinfo=self.zone)
            moment = start + timedelta(seconds=self.rng.randrange(86_400))
            out.append(min(moment, self.now - timedelta(seconds=1)))
        return out


def make_catalog(store_count: int):
    from catalog.tests.factories import (
        CategoryFactory,
        MerchantFactory,
        ProductFactory,
        VariantFactory,
    )
    from offers.tests.factories import OfferFactory

    categories = [CategoryFactory(name=name) for name in CATEGORIES]
    stores, offers = [], []
    for index in range(store_count):
        category = categories[index % len(categories)]
        store = MerchantFactory(
            name=f"Store {index:02d}",
            categories=[category],
            affiliate_network=NETWORKS[index % len(NETWORKS)],
        )
        stores.append(store)
        offers += [OfferFactory(merchant=store, category=category) for _ in range(5)]
    variants = [
        VariantFactory(product=ProductFactory(merchant=stores[index], category=category))
        for index, category in enumerate(categories)
    ]
    return stores, offers, variants


def make_shoppers(year: Year):
    from accounts.models import User

    joined = year.moments(SHOPPERS)
    with history_timestamps(User):
        User.objects.bulk_create(
            [
                User(
                    email=f"shopper{index}@bench.coupzii.test",
                    full_name=f"Shopper {index}",
                    # Django's "unusable password": the shoppers never sign in here.
                    password="!",  # noqa: S106
                    date_joined=joined[index],
                    created_at=joined[index],
                    updated_at=joined[index],
                )
                for index in range(SHOPPERS)
            ],
            batch_size=2_000,
        )
    return list(
        User.objects.filter(email__endswith="@bench.coupzii.test").values_list("pk", flat=True)
    )


def write_views_and_clicks(*, offers, user_ids, clicks: int, year: Year) -> None:
    rng = year.rng
    copy_rows(
        "offers_offerviewday",
        ["offer_id", "date", "views"],
        (
            (offer.pk, year.first + timedelta(days=day), rng.randint(40, 700))
            for offer in offers
            for day in range(DAYS)
        ),
    )
    # A few stores take most clicks, as on a real cashback site.
    weights = [1 / (1 + index % 40) for index in range(len(offers))]
    chosen = rng.choices(offers, weights=weights, k=clicks)
    moments = year.moments(clicks)
    copy_rows(
        "offers_click",
        [
            "id",
            "offer_id",
            "merchant_id",
            "user_id",
            "created_at",
            "ip_hash",
            "user_agent",
            "referrer",
        ],
        (
            (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                offer.pk,
                offer.merchant_id,
                rng.choice(user_ids) if rng.random() < 0.7 else None,
                moment,
                "",
                "",
                "",
            )
            for offer, moment in zip(chosen, moments, strict=True)
        ),
    )


def write_orders(*, variants, user_ids, count: int, year: Year) -> None:
    from commerce.models import Order, OrderLine, OrderStatus

    rng = year.rng
    statuses = [
        (OrderStatus.FULFILLED, 70),
        (OrderStatus.PAID, 2),
        (OrderStatus.REFUNDED, 4),
        (OrderStatus.FAILED, 12),
        (OrderStatus.CANCELLED, 10),
        (OrderStatus.PENDING_PAYMENT, 2),
    ]
    orders, lines = [], []
    for index, placed in enumerate(year.moments(count)):
        status = rng.choices([s for s, _ in statuses], weights=[w for _, w in statuses])[0]
        variant = rng.choice(variants)
        quantity = rng.randint(1, 3)
        total = variant.price * quantity
        paid = status in (OrderStatus.FULFILLED, OrderStatus.PAID, OrderStatus.REFUNDED)
        order = Order(
            number=f"BENCH{index:09d}",
            user_id=rng.choice(user_ids),
            status=status,
            subtotal=total,
            discount=Decimal("0.00"),
            total=total,
            wallet_amount=Decimal("0.00"),
            gateway_amount=total,
            refunded_amount=total if status == OrderStatus.REFUNDED else Decimal("0.00"),
            email="shopper@bench.coupzii.test",
            idempotency_key=f"bench-{index}",
            pay_by=placed + timedelta(minutes=15),
            paid_at=placed + timedelta(minutes=2) if paid else None,
            fulfilled_at=placed + timedelta(minutes=3)
            if status != OrderStatus.PAID and paid
            else None,
            closed_at=placed + timedelta(minutes=15)
            if not paid and status != OrderStatus.PENDING_PAYMENT
            else None,
            created_at=placed,
            updated_at=placed,
        )
        orders.append(order)
        lines.append((variant, quantity))
    with history_timestamps(Order):
        Order.objects.bulk_create(orders, batch_size=2_000)
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                variant=variant,
                product_name=variant.product.name,
                face_value=variant.face_value,
                unit_price=variant.price,
                quantity=quantity,
                discount=Decimal("0.00"),
            )
            for order, (variant, quantity) in zip(orders, lines, strict=True)
        ],
        batch_size=2_000,
    )


def write_cashback(*, stores, user_ids, count: int, year: Year) -> None:
    from wallet.models import CashbackEvent, CashbackSource, CashbackStatus

    rng = year.rng
    events = []
    for index, reported in enumerate(year.moments(count)):
        store = rng.choice(stores)
        sale = Decimal(rng.randrange(50_000, 800_000)) / 100
        commission = (sale * Decimal("0.08")).quantize(Decimal("0.01"))
        cashback = (commission * Decimal("0.6")).quantize(Decimal("0.01"))
        # Each store confirms after its own delay; a sale is settled only once that has passed.
        delay = timedelta(days=rng.gammavariate(6, 3 + stores.index(store) % 8))
        settled = reported + delay < year.now
        status = CashbackStatus.PENDING
        if settled:
            status = CashbackStatus.DECLINED if rng.random() < 0.12 else CashbackStatus.CONFIRMED
        events.append(
            CashbackEvent(
                sub_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                user_id=rng.choice(user_ids),
                merchant=store,
                network=store.affiliate_network,
                network_txn_id=f"BENCH{index:09d}",
                sale_amount=sale,
                commission=commission,
                cashback=cashback,
                status=status,
                source=CashbackSource.PULL,
                occurred_at=reported - timedelta(hours=2),
                confirmed_at=reported + delay if status == CashbackStatus.CONFIRMED else None,
                declined_at=reported + delay if status == CashbackStatus.DECLINED else None,
                created_at=reported,
                updated_at=reported + delay if settled else reported,
            )
        )
    with history_timestamps(CashbackEvent):
        CashbackEvent.objects.bulk_create(events, batch_size=2_000)


def write_payouts(*, user_ids, year: Year) -> None:
    from wallet.models import PayoutMethod, Withdrawal, WithdrawalStatus

    rng = year.rng
    withdrawals = []
    for index, requested in enumerate(year.moments(len(user_ids) // 3)):
        paid = requested + timedelta(days=rng.randint(1, 4))
        if paid >= year.now:
            continue
        withdrawals.append(
            Withdrawal(
                user_id=user_ids[index],
                method=PayoutMethod.UPI,
                amount=Decimal(rng.randrange(100, 2_000)),
                destination="shopper@upi",
                status=WithdrawalStatus.PAID,
                idempotency_key=f"bench-{index}",
                utr=f"BENCHUTR{index:08d}",
                approved_at=paid - timedelta(hours=6),
                completed_at=paid,
                created_at=requested,
                updated_at=paid,
            )
        )
    with history_timestamps(Withdrawal):
        Withdrawal.objects.bulk_create(withdrawals, batch_size=2_000)


# --- The baseline page --------------------------------------------------------------------------


def baseline_urlconf():
    """The site's URLs plus Django's own admin index, behind the same admin gate, and the
    dashboard with its figures' cache made stale first (as right after beat's roll)."""
    from django.contrib import admin
    from django.core.cache import cache
    from django.urls import path

    from bench import urls as bench_urls
    from coupzii.core import rollups
    from coupzii.dashboard import views as dashboard_views

    def dashboard_cold(request):
        # What a roll does to the readers' caches: one INCR, then every figure is re-added.
        cache.add(rollups.GENERATION_KEY, 0, timeout=None)
        cache.incr(rollups.GENERATION_KEY)
        return dashboard_views.dashboard(request)

    module = types.ModuleType("bench_dashboard_urls")
    module.urlpatterns = [
        path("bench/admin-index/", admin.site.admin_view(admin.site.index), name="bench-index"),
        path("bench/dashboard-cold/", admin.site.admin_view(dashboard_cold), name="bench-cold"),
        *bench_urls.urlpatterns,
    ]
    return module


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per side")
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=40_000)
    parser.add_argument("--cashback", type=int, default=120_000)
    parser.add_argument("--stores", type=int, default=40)
    args = parser.parse_args()

    env = environment()
    began = time.perf_counter()
    run_manage(env, "migrate", "--no-input")
    run_manage(env, "collectstatic", "--no-input")
    print(f"migrated and collected static files in {time.perf_counter() - began:.1f} s")
    setup_django(env)

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.tests.factories import UserFactory, sign_in_verified
    from coupzii.core import rollups

    year = Year(random.Random(2026))  # noqa: S311 - benchmark data, not security
    began = time.perf_counter()
    stores, offers, variants = make_catalog(args.stores)
    user_ids = make_shoppers(year)
    write_views_and_clicks(offers=offers, user_ids=user_ids, clicks=args.clicks, year=year)
    write_orders(variants=variants, user_ids=user_ids, count=args.orders, year=year)
    write_cashback(stores=stores, user_ids=user_ids, count=args.cashback, year=year)
    write_payouts(user_ids=user_ids, year=year)
    analyze()
    print(
        f"raw rows: {args.clicks:,} clicks, {len(offers) * DAYS:,} view days, {args.orders:,} "
        f"orders, {args.cashback:,} cashback events, {SHOPPERS:,} shoppers, "
        f"{len(stores)} stores ({time.perf_counter() - began:.1f} s)"
    )

    began = time.perf_counter()
    call_command("rollups_backfill", "--days", str(DAYS), stdout=io.StringIO())
    print(f"rollup of {DAYS} days: {time.perf_counter() - began:.1f} s")
    analyze()
    began = time.perf_counter()
    rollups.roll_recent()
    print(f"beat's recent roll: {(time.perf_counter() - began) * 1000:.0f} ms")

    settings.ROOT_URLCONF = baseline_urlconf()
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    sign_in_verified(client, operator)
    year_range = f"start={year.first}&end={year.today}"
    sides = {
        "baseline (Django's admin index)": "/bench/admin-index/",
        "dashboard, default range": "/admin/",
        "dashboard, the year": f"/admin/?{year_range}",
        "dashboard, the year, right after a roll": f"/bench/dashboard-cold/?{year_range}",
        "revenue CSV, the year": f"/admin/dashboard/export/revenue.csv?{year_range}",
    }
    results = measure(client, sides, args.requests)
    baseline = results["baseline (Django's admin index)"]["p95"]
    print()
    print("| side | n | p50 ms | p95 ms | p99 ms | queries | p95 / baseline p95 | under 300 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, figures in results.items():
        under = (
            "" if name.startswith("baseline") else ("yes" if figures["p95"] < BUDGET_MS else "NO")
        )
        print(
            f"| {name} | {figures['n']} | {figures['p50']:.1f} | {figures['p95']:.1f} | "
            f"{figures['p99']:.1f} | {figures['queries']} | "
            f"{figures['p95'] / baseline:.2f} | {under} |"
        )
    load = os.getloadavg()[0]
    print(f"\nload average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
