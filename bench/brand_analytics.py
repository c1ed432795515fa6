"""Brand analytics benchmark: the analytics page over a year of rollups, for a brand whose raw
tables hold 1,000,000 redemption audit rows, against a portal page that reads one rollup row.

    .venv/bin/python bench/brand_analytics.py [--requests 200] [--audit-rows 1000000]
                                              [--clicks 300000] [--offers 60]

It recreates its own database (BENCH_ANALYTICS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coupzii_bench_analytics) and uses Redis database 12
(BENCH_ANALYTICS_REDIS_URL), so it never collides with bench/run.py. It migrates, then makes
one verified brand with `--offers` offers in three departments, two code books on each of a
third of them, four products, and writes the raw rows with PostgreSQL COPY over the year up to
today: a view count per offer and day, `--clicks` clicks, and `--audit-rows` audit rows (40%
claims, 55% redeems with an order amount, a discount and one to three SKUs, 5% rollbacks with
the amounts negated). It then runs `manage.py brand_analytics_backfill` for the year (timed:
the rollup's own cost), and measures in-process through Django's test client with DEBUG off
(bench.settings), signed in as an analyst, every request the full middleware stack:

- subject pages: /brand/<slug>/analytics/ for the year (366 days) on the "by day" tab and on
  the "by offer" tab, the dashboard with its 90-day period, and GET /api/v1/brand/analytics/
  for the year;
- baseline: /bench/analytics-one-row/<slug>/, behind the same portal gate (membership, role),
  reading one OfferDay row and rendering the portal layout with it.

The sides alternate in rounds (baseline, subjects, baseline, subjects ...). Printed: p50/p95/
p99 per side in milliseconds, queries per request, and the ratio p95(subject) / p95(baseline).
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
import types
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 (the project root goes on the path first)
    BenchError,
    check_redis,
    fresh_database,
    run_manage,
    server_environment,
    without_password,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coupzii_bench_analytics"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
DAYS = 366
ROUNDS = 4
SKUS = ["TEE-01", "JEANS-02", "SNEAKER-03", "CAP-04"]


def environment() -> dict[str, str]:
    urls = {
        "database": os.environ.get("BENCH_ANALYTICS_DATABASE_URL", DEFAULT_DATABASE_URL),
        "cache": os.environ.get("BENCH_ANALYTICS_REDIS_URL", DEFAULT_REDIS_URL),
        "broker": os.environ.get("BENCH_ANALYTICS_REDIS_URL", DEFAULT_REDIS_URL),
    }
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_ANALYTICS_REDIS_URL")
    env = server_environment(urls, port=0)
    # The test client's host.
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    print(f"database {without_password(urls['database'])}, redis {urls['cache']}")
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()


# --- The data -----------------------------------------------------------------------------------


def make_brand(offer_count: int):
    from brands.models import BrandProduct, DepartmentAccess, Role
    from brands.tests.factories import (
        DepartmentFactory,
        brand_offer,
        brand_with_store,
        member,
    )
    from offers.models import CouponBook

    brand = brand_with_store(name="Bench Analytics", slug="bench-analytics")
    departments = [
        DepartmentFactory(brand=brand, name=name, access=DepartmentAccess.ALL)
        for name in ("Menswear", "Womenswear", "Footwear")
    ]
    offers = [
        brand_offer(brand, department=departments[index % 3], title=f"Offer {index}")
        for index in range(offer_count)
    ]
    books = []
    for offer in offers[: max(1, offer_count // 3)]:
        for number in (1, 2):
            books.append(
                CouponBook.objects.create(offer=offer, name=f"{offer.title} book {number}")
            )
    for sku in SKUS:
        BrandProduct.objects.create(brand=brand, sku=sku, name=sku.title())
    analyst = member(brand, Role.ANALYST)
    return brand, offers, books, analyst


def copy_rows(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def write_raw_rows(*, offers, books, audit_rows: int, clicks: int, rng: random.Random) -> None:
    from django.utils import timezone

    zone = timezone.get_default_timezone()
    today = timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    span = int((timezone.now() - start).total_seconds())

    def moment() -> datetime:
        return start + timedelta(seconds=rng.randrange(span))

    copy_rows(
        "offers_offerviewday",
        ["offer_id", "date", "views"],
        (
            (offer.pk, first + timedelta(days=day), rng.randint(50, 900))
            for offer in offers
            for day in range(DAYS)
        ),
    )
    merchant_id = offers[0].merchant_id
    copy_rows(
        "offers_click",
        ["id", "offer_id", "merchant_id", "created_at", "ip_hash", "user_agent", "referrer"],
        (
            (uuid4(rng), rng.choice(offers).pk, merchant_id, moment(), "", "", "")
            for _ in range(clicks)
        ),
    )
    copy_rows(
        "offers_redemptionaudit",
        [
            "book_id",
            "action",
            "ok",
            "reason",
            "order_reference",
            "idempotency_key",
            "order_amount",
            "discount_amount",
            "products",
            "credential",
            "created_at",
        ],
        (audit_row(rng, books, moment()) for _ in range(audit_rows)),
    )


def uuid4(rng: random.Random):
    import uuid

    return uuid.UUID(int=rng.getrandbits(128), version=4)


def audit_row(rng: random.Random, books, at: datetime) -> tuple:
    import json
    from decimal import Decimal

    book = rng.choice(books).pk
    draw = rng.random()
    if draw < 0.40:
        return (book, "claim", True, "", "", "", None, None, "[]", "", at)
    amount = Decimal(rng.randrange(30000, 600000)) / 100
    discount = (amount / 10).quantize(Decimal("0.01"))
    products = json.dumps(rng.sample(SKUS, k=rng.randint(1, 3)))
    if draw < 0.95:
        return (book, "redeem", True, "", "", "", amount, discount, products, "", at)
    return (book, "rollback", True, "", "", "", -amount, -discount, products, "", at)


# --- The baseline page --------------------------------------------------------------------------


def baseline_urlconf():
    """The site's URLs plus the baseline: a portal page reading one rollup row."""
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import path

    from bench import urls as bench_urls
    from brands import access
    from brands.models import OfferDay
    from brands.portal import brand_page

    template = engines["django"].from_string(
        '{% extends "brands/portal.html" %}{% block portal %}'
        "<p>{{ row.date }}: {{ row.redemptions }}</p>{% endblock %}"
    )

    @brand_page(access.VIEW_ANALYTICS)
    def one_row(request):
        row = OfferDay.objects.filter(brand=request.brand).order_by("-date").first()
        return HttpResponse(template.render({"row": row}, request))

    module = types.ModuleType("bench_analytics_urls")
    module.urlpatterns = [
        path("bench/analytics-one-row/<slug:brand_slug>/", one_row, name="bench-one-row"),
        *bench_urls.urlpatterns,
    ]
    return module


# --- Measuring ----------------------------------------------------------------------------------


def timed_get(client, url: str) -> tuple[float, int]:
    from django.db import connection, reset_queries

    reset_queries()
    began = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise BenchError(f"{url} answered {response.status_code}")
    return elapsed, len(connection.queries)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(client, sides: dict[str, str], requests: int) -> dict[str, dict]:
    from django.conf import settings
    from django.db import connection

    # Query counts need the debug cursor; its bookkeeping is the same for every side.
    connection.force_debug_cursor = True
    settings.DEBUG = False
    for url in sides.values():  # warm-up: templates compiled, caches filled
        for _ in range(3):
            timed_get(client, url)
    samples = {name: [] for name in sides}
    queries = dict.fromkeys(sides, 0)
    per_round = max(1, requests // ROUNDS)
    for _ in range(ROUNDS):
        for name, url in sides.items():
            for _ in range(per_round):
                elapsed, count = timed_get(client, url)
                samples[name].append(elapsed)
                queries[name] = count
    return {
        name: {
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "mean": statistics.fmean(values),
            "n": len(values),
            "queries": queries[name],
        }
        for name, values in samples.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per side")
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument("--clicks", type=int, default=300_000)
    parser.add_argument("--offers", type=int, default=60)
    args = parser.parse_args()

    env = environment()
    began = time.perf_counter()
    run_manage(env, "migrate", "--no-input")
    # Hashed static names, as production (bench/results/staticfiles/, like bench/run.py).
    run_manage(env, "collectstatic", "--no-input")
    print(f"migrated and collected static files in {time.perf_counter() - began:.1f} s")
    setup_django(env)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    rng = random.Random(2026)  # noqa: S311 - benchmark data, not security
    began = time.perf_counter()
    brand, offers, books, analyst = make_brand(args.offers)
    write_raw_rows(
        offers=offers, books=books, audit_rows=args.audit_rows, clicks=args.clicks, rng=rng
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"raw rows: {args.audit_rows:,} audit, {args.clicks:,} clicks, "
        f"{len(offers) * DAYS:,} view days, {len(offers)} offers, {len(books)} books "
        f"({time.perf_counter() - began:.1f} s)"
    )

    today = timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    began = time.perf_counter()
    call_command(
        "brand_analytics_backfill",
        "--start",
        str(first),
        "--end",
        str(today),
        "--brand",
        brand.slug,
        stdout=io.StringIO(),
    )
    rollup_seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        # As autovacuum would after the backfill: the planner sees the rollups' real size.
        cursor.execute("ANALYZE")
    from brands.models import BookDay, OfferDay, ProductDay

    print(
        f"rollup of {DAYS} days: {rollup_seconds:.1f} s -> {OfferDay.objects.count():,} offer "
        f"days, {BookDay.objects.count():,} book days, {ProductDay.objects.count():,} "
        "product days"
    )
    began = time.perf_counter()
    call_command(
        "brand_analytics_backfill",
        "--start",
        str(today - timedelta(days=1)),
        "--end",
        str(today),
        stdout=io.StringIO(),
    )
    print(f"beat's rollup (yesterday and today): {(time.perf_counter() - began) * 1000:.0f} ms")

    settings.ROOT_URLCONF = baseline_urlconf()
    client = Client()
    client.force_login(analyst.user)
    year = f"start_date={first}&end_date={today}"
    sides = {
        "baseline (one rollup row)": f"/bench/analytics-one-row/{brand.slug}/",
        "analytics, year, by day": f"/brand/{brand.slug}/analytics/?{year}&tab=day",
        "analytics, year, by offer": f"/brand/{brand.slug}/analytics/?{year}&tab=offer",
        "dashboard, 90 days": f"/brand/{brand.slug}/?period=90",
        "API analytics, year": f"/api/v1/brand/analytics/?{year}",
    }
    results = measure(client, sides, args.requests)
    baseline = results["baseline (one rollup row)"]["p95"]
    print()
    print("| side | n | p50 ms | p95 ms | p99 ms | queries | p95 / baseline p95 |")
    print("|---|---|---|---|---|---|---|")
    for name, figures in results.items():
        print(
            f"| {name} | {figures['n']} | {figures['p50']:.1f} | {figures['p95']:.1f} | "
            f"{figures['p99']:.1f} | {figures['queries']} | {figures['p95'] / baseline:.2f} |"
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
