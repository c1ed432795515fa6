"""Marketplace browse benchmark: /marketplace/ and GET /api/v1/marketplace/listings/ with
filters and sorts, 20 a page, over many live listings, against one plain SELECT of 20 listing
rows measured in the same run.

    .venv/bin/python bench/marketplace_browse.py [--requests 400] [--listings 10000]
                                                  [--ended 2000]

It recreates its own database (BENCH_MARKET_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coupzii_bench_market) and uses Redis database 13
(BENCH_MARKET_REDIS_URL), so it never collides with bench/run.py. It migrates, then writes
`--listings` live listings and `--ended` sold or withdrawn ones (each with its locker coupon,
its code encrypted) from 300 sellers over 40 stores in 8 categories, with prices, worths and
expiry dates spread out, and runs ANALYZE. It measures in-process through Django's test client
with DEBUG off (bench.settings), every request through the full middleware stack, signed out
(browsing needs no account):

- subject "page": /marketplace/ with a filter combination drawn at random per request from
  category, store, price range, least saving, expiring soon, verified only, each sort, and
  pages 1 to 3;
- subject "API": /api/v1/marketplace/listings/ with the same combinations;
- baseline: /bench/market-one-query/, one plain SELECT of 20 live listing rows (newest first)
  returned as JSON.

The sides alternate in rounds (baseline, page, API, baseline, ...). Printed: p50/p95/p99 and
mean per side in milliseconds, queries per request, and the ratio subject req/s / baseline
req/s (one client: baseline mean / subject mean).
"""

import argparse
import os
import random
import statistics
import sys
import time
import types
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.brand_analytics import (  # noqa: E402 (the project root goes on the path first)
    percentile,
    timed_get,
)
from bench.run import (  # noqa: E402
    BenchError,
    check_redis,
    fresh_database,
    run_manage,
    server_environment,
    without_password,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coupzii_bench_market"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
ROUNDS = 4
SELLERS = 300
STORES = 40
CATEGORIES = 8
COMBINATIONS = 200
BATCH = 2000


def environment() -> dict[str, str]:
    urls = {
        "database": os.environ.get("BENCH_MARKET_DATABASE_URL", DEFAULT_DATABASE_URL),
        "cache": os.environ.get("BENCH_MARKET_REDIS_URL", DEFAULT_REDIS_URL),
        "broker": os.environ.get("BENCH_MARKET_REDIS_URL", DEFAULT_REDIS_URL),
    }
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_MARKET_REDIS_URL")
    env = server_environment(urls, port=0)
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


def make_listings(*, live: int, ended: int, rng: random.Random) -> tuple[list, list]:
    """Sellers, stores, categories, and `live` + `ended` listings with their coupons."""
    from django.utils import timezone

    from accounts.models import User
    from catalog.models import Category, Merchant
    from catalog.services import code_digest
    from marketplace.listings.services import listing_fee, withdraw_time
    from marketplace.listings.titles import stored_title
    from marketplace.models import Benefit, CouponStatus, Listing, LockerCoupon, Source

    categories = [
        Category.objects.create(name=f"Category {n}", slug=f"category-{n}")
        for n in range(CATEGORIES)
    ]
    stores = []
    for n in range(STORES):
        store = Merchant.objects.create(
            name=f"Store {n}", slug=f"store-{n}", website=f"https://store{n}.example"
        )
        store.categories.add(categories[n % CATEGORIES])
        stores.append(store)
    sellers = User.objects.bulk_create(
        User(email=f"seller{n}@coupzii.test", full_name=f"Seller {n}") for n in range(SELLERS)
    )
    today = timezone.localdate()
    for first in range(0, live + ended, BATCH):
        coupons, listings = [], []
        for number in range(first, min(first + BATCH, live + ended)):
            store = stores[number % STORES]
            percent = rng.random() < 0.4
            worth = Decimal(rng.randrange(50, 1500))
            code = f"BENCH{number:08d}"
            coupon = LockerCoupon(
                owner=sellers[number % SELLERS],
                source=Source.MANUAL,
                status=CouponStatus.LISTED if number < live else CouponStatus.SOLD,
                code=code,
                code_digest=code_digest(code),
                merchant=store,
                category=categories[(number % STORES) % CATEGORIES],
                benefit=Benefit.PERCENT if percent else Benefit.FIXED,
                benefit_value=Decimal(rng.choice([10, 15, 20, 25])) if percent else worth,
                max_discount=worth if percent else None,
                worth=worth,
                expires_on=today + timedelta(days=rng.randrange(2, 120)),
            )
            coupons.append(coupon)
        LockerCoupon.objects.bulk_create(coupons)
        for index, coupon in enumerate(coupons):
            number = first + index
            price = max(
                Decimal("1.00"),
                (coupon.worth * Decimal(rng.uniform(0.2, 0.9))).quantize(Decimal("1.00")),
            )
            status = "live" if number < live else rng.choice(["sold", "withdrawn"])
            listings.append(
                Listing(
                    seller_id=coupon.owner_id,
                    coupon=coupon,
                    status=status,
                    price=price,
                    fee=listing_fee(price),
                    swap_welcome=rng.random() < 0.3,
                    verified=rng.random() < 0.2,
                    # A sold or withdrawn one keeps its digest only once per code: fine here,
                    # every code is different.
                    code_digest=coupon.code_digest,
                    merchant=coupon.merchant,
                    category=coupon.category,
                    title=stored_title(coupon),
                    worth=coupon.worth,
                    expires_on=coupon.expires_on,
                    withdraw_at=withdraw_time(coupon.expires_on),
                )
            )
        Listing.objects.bulk_create(listings)
    return categories, stores


def combinations(categories, stores, rng: random.Random) -> list[str]:
    """Query strings of filter, sort and page combinations, most with one or two filters."""
    from urllib.parse import urlencode

    sorts = ["newest", "price", "saving", "expiry"]
    queries = []
    for _ in range(COMBINATIONS):
        query = {"sort": rng.choice(sorts)}
        draw = rng.random()
        if draw < 0.3:
            query["category"] = rng.choice(categories).slug
        elif draw < 0.55:
            query["store"] = rng.choice(stores).slug
        if rng.random() < 0.3:
            low = rng.randrange(0, 400)
            query["min_price"] = str(low)
            query["max_price"] = str(low + rng.randrange(50, 800))
        if rng.random() < 0.2:
            query["min_discount"] = str(rng.choice([100, 250, 500]))
        if rng.random() < 0.2:
            query["expiring"] = "on"
        if rng.random() < 0.2:
            query["verified"] = "on"
        narrowed = len(query) > 2 or set(query) - {"sort", "category", "store"}
        if not narrowed and rng.random() < 0.3:
            # Only where there are surely three pages: the API answers 404 past the end.
            query["page"] = str(rng.choice([2, 3]))
        queries.append(urlencode(query))
    return queries


# --- The baseline view --------------------------------------------------------------------------


def baseline_urlconf():
    """The site's URLs plus the baseline: one plain SELECT of 20 live listing rows as JSON."""
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.cache import never_cache
    from django.views.decorators.http import require_GET

    from bench import urls as bench_urls
    from marketplace.models import Listing

    @never_cache
    @require_GET
    def one_query(request):
        rows = list(
            Listing.objects.filter(status="live")
            .order_by("-created_at")
            .values("public_id", "title", "price")[:20]
        )
        return JsonResponse(
            {
                "results": [
                    {"id": str(row["public_id"]), "title": row["title"], "price": str(row["price"])}
                    for row in rows
                ]
            }
        )

    module = types.ModuleType("bench_market_urls")
    module.urlpatterns = [
        path("bench/market-one-query/", one_query, name="bench-market-one-query"),
        *bench_urls.urlpatterns,
    ]
    return module


# --- Measuring ----------------------------------------------------------------------------------


def measure(client, sides: dict, requests: int, rng: random.Random) -> dict[str, dict]:
    """`sides`: name -> a function giving the next URL. Rounds alternate the sides."""
    from django.conf import settings
    from django.db import connection

    connection.force_debug_cursor = True  # query counts; the same bookkeeping for every side
    settings.DEBUG = False
    for next_url in sides.values():  # warm-up: templates compiled, connections open
        for _ in range(10):
            timed_get(client, next_url())
    samples = {name: [] for name in sides}
    queries = {name: set() for name in sides}
    per_round = max(1, requests // ROUNDS)
    for _ in range(ROUNDS):
        for name, next_url in sides.items():
            for _ in range(per_round):
                elapsed, count = timed_get(client, next_url())
                samples[name].append(elapsed)
                queries[name].add(count)
    return {
        name: {
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "mean": statistics.fmean(values),
            "n": len(values),
            "queries": "/".join(str(count) for count in sorted(queries[name])),
        }
        for name, values in samples.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per side")
    parser.add_argument("--listings", type=int, default=10_000, help="live listings")
    parser.add_argument("--ended", type=int, default=2_000, help="sold or withdrawn listings")
    args = parser.parse_args()

    env = environment()
    began = time.perf_counter()
    run_manage(env, "migrate", "--no-input")
    run_manage(env, "collectstatic", "--no-input")
    print(f"migrated and collected static files in {time.perf_counter() - began:.1f} s")
    setup_django(env)

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    rng = random.Random(2026)  # noqa: S311 - benchmark data, not security
    began = time.perf_counter()
    categories, stores = make_listings(live=args.listings, ended=args.ended, rng=rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{args.listings:,} live and {args.ended:,} ended listings, {SELLERS} sellers, "
        f"{STORES} stores, {CATEGORIES} categories ({time.perf_counter() - began:.1f} s)"
    )

    settings.ROOT_URLCONF = baseline_urlconf()
    queries = combinations(categories, stores, rng)
    client = Client()
    sides = {
        "baseline (one SELECT of 20 rows)": lambda: "/bench/market-one-query/",
        "page /marketplace/": lambda: f"/marketplace/?{rng.choice(queries)}",
        "API listings": lambda: (
            "/api/v1/marketplace/listings/?" + rng.choice(queries).replace("=on", "=true")
        ),
    }
    results = measure(client, sides, args.requests, rng)
    baseline = results["baseline (one SELECT of 20 rows)"]
    print()
    print("| side | n | p50 ms | p95 ms | p99 ms | mean ms | queries | ratio (req/s vs baseline) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, figures in results.items():
        print(
            f"| {name} | {figures['n']} | {figures['p50']:.1f} | {figures['p95']:.1f} | "
            f"{figures['p99']:.1f} | {figures['mean']:.1f} | {figures['queries']} | "
            f"{baseline['mean'] / figures['mean']:.2f} |"
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
