"""Assistant benchmark: the cart optimiser for 200 candidates, and the offline engine answering
a fixed set of questions, each against a baseline measured in the same run, on PostgreSQL.

    .venv/bin/python bench/assistant.py [--runs 2000] [--questions-rounds 30] [--candidates 200]

It recreates its own database (BENCH_ASSISTANT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coupzii_bench_assistant) and uses Redis database 11
(BENCH_ASSISTANT_REDIS_URL), so it never collides with bench/run.py or the other benchmarks. It
migrates, then writes a catalog (40 stores with the names shoppers type, 12 categories, 1,600
live offers, gift cards with stock), 300 sellers' listings, and one shopper's locker. Then, in
process, with DEBUG off (bench.settings):

1. The optimiser, `assistant.cart.optimiser.cart_options`, for a 20-line cart and `--candidates`
   candidates (locker coupons, offers, listings, gift-card denominations, cashback rates, with
   categories, minimum orders and caps that make some apply and some not):
   - baseline: offers' own discount rule (`offers.selectors.offer_discount`) quoting each of
     the same coupons once on the cart's subtotal, one by one: the least any optimiser must
     do, with no categories, ranking, gift cards or cashback (so the ratio does not flatter);
   - subject "optimiser": `cart_options` on the same candidates (pure, no database);
   - subject "analyze-cart": `assistant.cart.cart_analyze` for the shopper at the store holding
     `--candidates` candidates: the selectors' reads and the optimiser, as the API and the
     chat run it.
   The sides alternate, `--runs` times each. The issue's budget is 50 ms (p95) for the
   optimiser on 200 candidates; the line says whether it is met.
2. The offline engine, `assistant.offline.OfflineEngine`, answering each of a fixed set of
   questions (English and Hinglish; offers, locker, listings, gift cards, wallet, cashback,
   a cart), every event of the answer consumed:
   - baseline: the site search's selector (`offers.selectors.search`) for the same words, its
     merchants and offers read: what the search page does before rendering;
   - subject: the engine's whole answer (parsing, tools through their selectors, the text).
   Skipped, with a line saying so, when the offline engine is not installed.

Printed: p50/p95/p99 and mean per side in milliseconds, and the ratio subject p95 / baseline
p95 (how many times the baseline's time the subject takes; lower is better).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.brand_analytics import percentile  # noqa: E402 (the project root goes on the path first)
from bench.run import (  # noqa: E402
    BenchError,
    check_redis,
    fresh_database,
    run_manage,
    server_environment,
    without_password,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coupzii_bench_assistant"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
BUDGET_MS = 50.0
STORE_NAMES = (
    "Zara", "Myntra", "Flipkart", "Amazon", "Swiggy", "Zomato", "Nykaa", "Ajio", "Croma",
    "Tata CLiQ", "BigBasket", "Blinkit", "PharmEasy", "Lenskart", "boAt", "Puma", "Nike",
    "Adidas", "Decathlon", "Uniqlo", "MakeMyTrip", "Cleartrip", "OYO", "BookMyShow",
    "Pepperfry", "Urban Ladder", "FirstCry", "Meesho", "Snapdeal", "Reliance Digital",
    "Vijay Sales", "Bata", "Titan", "Tanishq", "CaratLane", "Mamaearth", "Sugar", "Biba",
    "Bewakoof", "Hamleys",
)  # fmt: skip
CATEGORIES = (
    "fashion", "shoes", "electronics", "mobiles", "food", "grocery", "beauty", "travel",
    "home", "health", "kids", "entertainment",
)  # fmt: skip
OFFERS_PER_STORE = 40
SELLERS = 300
QUESTIONS = (
    "Zomato ke coupons",
    "best coupons for Myntra",
    "show my locker",
    "which coupons in my locker expire this week",
    "gift cards for Amazon",
    "what is my wallet balance",
    "my cashback from Flipkart",
    "Zara coupons on the marketplace",
    "Nykaa discount code",
    "my orders",
    "cheapest way to pay 2500 at Zara",
    "Swiggy offers",
)


def environment() -> dict[str, str]:
    urls = {
        "database": os.environ.get("BENCH_ASSISTANT_DATABASE_URL", DEFAULT_DATABASE_URL),
        "cache": os.environ.get("BENCH_ASSISTANT_REDIS_URL", DEFAULT_REDIS_URL),
        "broker": os.environ.get("BENCH_ASSISTANT_REDIS_URL", DEFAULT_REDIS_URL),
    }
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_ASSISTANT_REDIS_URL")
    env = server_environment(urls, port=0)
    print(f"database {without_password(urls['database'])}, redis {urls['cache']}")
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()


# --- The data -----------------------------------------------------------------------------------


def make_catalog(rng: random.Random, *, candidates: int):
    """Stores, categories, offers, gift cards, listings and a shopper with a locker. The
    first store ("zara") gets `candidates` candidates in all."""
    from accounts.models import User
    from catalog.models import CashbackKind, Category, Merchant

    categories = [
        Category.objects.create(name=slug.title(), slug=slug, position=n)
        for n, slug in enumerate(CATEGORIES)
    ]
    stores = []
    for n, name in enumerate(STORE_NAMES):
        store = Merchant.objects.create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            website=f"https://{n}.shop.example",
            cashback_kind=CashbackKind.PERCENT if n % 3 else CashbackKind.FLAT,
            cashback_value=Decimal(rng.choice(["2.5", "4", "6", "8"]) if n % 3 else "75"),
        )
        store.categories.add(categories[n % len(categories)], categories[(n + 1) % len(categories)])
        stores.append(store)
    shopper = User.objects.create_user(email="asha@coupzii.test", password=None, full_name="Asha")
    sellers = User.objects.bulk_create(
        User(email=f"seller{n}@coupzii.test", full_name=f"Seller {n}") for n in range(SELLERS)
    )
    zara = stores[0]
    # Zara: a share of each kind adding up to `candidates` (cashback is one: the store's rate);
    # the listings take what the division leaves.
    gift_cards = min(20, candidates // 10)
    per_kind = (candidates - gift_cards - 1) // 3
    listings = candidates - gift_cards - 1 - 2 * per_kind
    make_offers(stores, categories, rng, zara_offers=per_kind)
    make_gift_cards(stores, rng, zara_denominations=gift_cards)
    make_coupons(shopper, sellers, zara, categories, rng, locker=per_kind, listings=listings)
    return shopper, zara


def _terms(rng: random.Random, categories) -> dict:
    percent = rng.random() < 0.6
    return {
        "percent": percent,
        "value": Decimal(rng.choice(["5", "10", "15", "20", "25"]))
        if percent
        else Decimal(rng.choice(["100", "150", "250", "400", "750"])),
        "min_order": rng.choice([None, Decimal("499"), Decimal("1499"), Decimal("5000")]),
        "max_discount": rng.choice([None, Decimal("200"), Decimal("500")]) if percent else None,
        "category": rng.choice([None, None, *categories]),
    }


def make_offers(stores, categories, rng: random.Random, *, zara_offers: int) -> None:
    from django.utils import timezone

    from offers.models import DiscountType, Offer, OfferKind, OfferStatus

    now = timezone.now()
    offers = []
    for store in stores:
        count = zara_offers if store.slug == "zara" else OFFERS_PER_STORE
        for n in range(count):
            terms = _terms(rng, categories)
            kind = OfferKind.CODE if n % 2 else OfferKind.DEAL
            offers.append(
                Offer(
                    merchant=store,
                    category=terms["category"],
                    kind=kind,
                    title=f"{store.name}: {terms['value']}{'%' if terms['percent'] else ' off'}",
                    code=f"{store.slug[:6].upper()}{n:04d}" if kind == OfferKind.CODE else "",
                    discount_type=DiscountType.PERCENTAGE
                    if terms["percent"]
                    else DiscountType.FIXED,
                    discount_value=terms["value"],
                    min_order=terms["min_order"],
                    max_discount=terms["max_discount"],
                    starts_at=now - timedelta(days=2),
                    ends_at=now + timedelta(days=rng.randint(1, 60)),
                    status=OfferStatus.ACTIVE,
                )
            )
    Offer.objects.bulk_create(offers, batch_size=1000)


def make_gift_cards(stores, rng: random.Random, *, zara_denominations: int) -> None:
    from catalog.inventory import NewCode, voucher_codes_add
    from catalog.models import Product, Variant

    for n, store in enumerate(stores[:20]):
        product = Product.objects.create(
            merchant=store,
            category=store.categories.first(),
            name=f"{store.name} Gift Card",
            slug=f"{store.slug}-gift-card",
        )
        denominations = zara_denominations if n == 0 else 3
        for d in range(denominations):
            face = Decimal(250 * (d + 1))
            variant = Variant.objects.create(
                product=product,
                sku=f"{store.slug}-{int(face)}",
                face_value=face,
                price=face * Decimal(rng.choice(["0.93", "0.95", "0.97", "1"])),
                max_quantity=5,
            )
            voucher_codes_add(
                variant=variant,
                codes=[NewCode(code=f"GC{variant.pk}X{c:05d}", pin="1234") for c in range(4)],
            )


def make_coupons(shopper, sellers, zara, categories, rng, *, locker: int, listings: int) -> None:
    """`locker` coupons of the shopper's at Zara, and `listings` sellers' listings there."""
    from django.utils import timezone

    from catalog.services import code_digest
    from marketplace.models import (
        Benefit,
        CouponStatus,
        Listing,
        LockerCoupon,
        Source,
    )

    today = timezone.localdate()

    def coupon(owner, status, code: str, terms: dict, *, worth, expires_on) -> LockerCoupon:
        return LockerCoupon(
            owner=owner,
            source=Source.MANUAL,
            status=status,
            code=code,
            code_digest=code_digest(code),
            merchant=zara,
            category=terms["category"],
            benefit=Benefit.PERCENT if terms["percent"] else Benefit.FIXED,
            benefit_value=terms["value"],
            min_order=terms["min_order"],
            max_discount=terms["max_discount"],
            worth=worth,
            expires_on=expires_on,
        )

    coupons = []
    for n in range(locker):
        terms = _terms(rng, categories)
        coupons.append(
            coupon(
                shopper,
                CouponStatus.ACTIVE,
                f"ASHA{n:05d}",
                terms,
                worth=terms["max_discount"] or Decimal("500"),
                expires_on=today + timedelta(days=rng.randint(-3, 40)),
            )
        )
    listed = []
    for n in range(listings):
        terms = _terms(rng, categories)
        worth = terms["max_discount"] or (terms["value"] if not terms["percent"] else Decimal(300))
        listed.append(
            coupon(
                sellers[n % len(sellers)],
                CouponStatus.LISTED,
                f"SELL{n:05d}",
                terms,
                worth=worth,
                expires_on=today + timedelta(days=rng.randint(5, 40)),
            )
        )
    LockerCoupon.objects.bulk_create(coupons + listed, batch_size=1000)
    Listing.objects.bulk_create(
        [
            Listing(
                seller=coupon.owner,
                coupon=coupon,
                price=(coupon.worth * Decimal("0.4")).quantize(Decimal("0.01")),
                fee=(coupon.worth * Decimal("0.02")).quantize(Decimal("0.01")),
                code_digest=coupon.code_digest,
                merchant=zara,
                category=coupon.category,
                title=f"{coupon.benefit_value} off at Zara",
                worth=coupon.worth,
                expires_on=coupon.expires_on,
            )
            for coupon in listed
        ],
        batch_size=1000,
    )


# --- Measuring ----------------------------------------------------------------------------------


def bench_cart(rng: random.Random):
    from assistant.cart.optimiser import Cart, CartItem

    items = tuple(
        CartItem(
            name=f"Item {n}",
            category=rng.choice([*CATEGORIES, ""]),
            unit_price=Decimal(rng.randint(199, 4999)),
            quantity=rng.randint(1, 3),
        )
        for n in range(20)
    )
    return Cart(store="zara", items=items)


def quotes_baseline(candidates, subtotal):
    """Offers' discount rule on each coupon once, on the whole subtotal: no categories, no
    ranking, no gift cards, no cashback."""
    from offers.models import DiscountType, Offer
    from offers.selectors import offer_discount

    kinds = {"percent": DiscountType.PERCENTAGE, "flat": DiscountType.FIXED}
    offers = [
        Offer(
            discount_type=kinds.get(candidate.benefit, DiscountType.BOGO),
            discount_value=candidate.value,
            min_order=candidate.min_order,
            max_discount=candidate.max_discount,
        )
        for candidate in candidates
        if candidate.is_coupon
    ]

    def run():
        for offer in offers:
            offer_discount(offer=offer, order_amount=subtotal)

    return run, len(offers)


def timed(function) -> float:
    began = time.perf_counter()
    function()
    return (time.perf_counter() - began) * 1000


def summary(samples: dict[str, list[float]]) -> dict[str, dict]:
    """Each side's sample count, percentiles and mean, in milliseconds."""
    return {
        name: {
            "n": len(values),
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "mean": statistics.fmean(values),
        }
        for name, values in samples.items()
    }


def measure(sides: dict, runs: int) -> dict[str, dict]:
    """Each side `runs` times, alternating, after 3 discarded warm-up runs each."""
    for function in sides.values():
        for _ in range(3):
            function()
    samples = {name: [] for name in sides}
    for _ in range(runs):
        for name, function in sides.items():
            samples[name].append(timed(function))
    return summary(samples)


def print_table(results: dict[str, dict], baseline_name: str) -> None:
    baseline = results[baseline_name]
    print("| side | n | p50 ms | p95 ms | p99 ms | mean ms | p95 / baseline p95 |")
    print("|---|---|---|---|---|---|---|")
    for name, figures in results.items():
        print(
            f"| {name} | {figures['n']} | {figures['p50']:.2f} | {figures['p95']:.2f} | "
            f"{figures['p99']:.2f} | {figures['mean']:.2f} | "
            f"{figures['p95'] / baseline['p95']:.1f} |"
        )


def run_optimiser(shopper, rng: random.Random, runs: int) -> None:
    from django.utils import timezone

    from assistant.cart import cart_analyze
    from assistant.cart.candidates import candidates_for
    from assistant.cart.optimiser import cart_options

    now = timezone.now()
    today = timezone.localdate(now)
    cart = bench_cart(rng)
    candidates = candidates_for(user=shopper, store_slug="zara", now=now)
    analysis = cart_options(cart, candidates, today=today)
    kinds = {}
    for candidate in candidates:
        kinds[candidate.source] = kinds.get(candidate.source, 0) + 1
    print(
        f"\n1. The optimiser: {len(candidates)} candidates ({kinds}), a cart of "
        f"{len(cart.items)} lines ({cart.subtotal}); {len(analysis.options)} options, "
        f"{len(analysis.rejected)} left out with a reason; best net {analysis.best.net} "
        f"against {analysis.full_price.net} at full price"
    )
    baseline, quoted = quotes_baseline(candidates, cart.subtotal)
    items = [
        {
            "name": item.name,
            "category": item.category,
            "price": item.unit_price,
            "quantity": item.quantity,
        }
        for item in cart.items
    ]
    baseline_name = f"baseline: offer_discount x {quoted}, one by one"
    results = measure(
        {
            baseline_name: baseline,
            "optimiser (cart_options)": lambda: cart_options(cart, candidates, today=today),
            "analyze-cart (reads + optimiser)": lambda: cart_analyze(
                user=shopper, store="zara", items=items, now=now
            ),
        },
        runs,
    )
    print()
    print_table(results, baseline_name)
    p95 = results["optimiser (cart_options)"]["p95"]
    verdict = "within" if p95 <= BUDGET_MS else "OVER"
    print(f"\noptimiser p95 {p95:.2f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")


def run_engine(shopper, rounds: int) -> None:
    try:
        from assistant.offline import OfflineEngine
    except ImportError as exc:
        print(f"\n2. The offline engine: skipped, it is not installed ({exc})")
        return
    from django.utils import timezone

    from assistant.tools import ToolContext
    from offers.selectors import search

    engine = OfflineEngine()

    def answer(question: str):
        ctx = ToolContext(user=shopper, language="en", now=timezone.now())
        return list(engine.reply(ctx=ctx, history=[], message=question))

    def search_page(question: str):
        results = search(question)
        return list(results.merchants), list(results.offers)

    print(f"\n2. The offline engine: {len(QUESTIONS)} questions, {rounds} rounds")
    for question in QUESTIONS:
        events = answer(question)
        text = "".join(event.get("delta", "") for event in events if event["type"] == "text")
        tools = [event["name"] for event in events if event["type"] == "tool"]
        print(f"   {question!r}: tools {tools}, {len(text)} characters")
    samples = {"baseline: search selector, same words": [], "offline engine answer": []}
    for function in (search_page, answer):  # warm-up
        for question in QUESTIONS:
            function(question)
    for _ in range(rounds):
        for question in QUESTIONS:
            samples["baseline: search selector, same words"].append(
                timed(lambda q=question: search_page(q))
            )
            samples["offline engine answer"].append(timed(lambda q=question: answer(q)))
    results = summary(samples)
    print()
    print_table(results, "baseline: search selector, same words")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs per optimiser side")
    parser.add_argument("--questions-rounds", type=int, default=30, help="rounds of questions")
    parser.add_argument("--candidates", type=int, default=200, help="candidates at the store")
    args = parser.parse_args()

    env = environment()
    began = time.perf_counter()
    run_manage(env, "migrate", "--no-input")
    print(f"migrated in {time.perf_counter() - began:.1f} s")
    setup_django(env)

    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    rng = random.Random(2026)  # noqa: S311 - benchmark data, not security
    began = time.perf_counter()
    shopper, _zara = make_catalog(rng, candidates=args.candidates)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{len(STORE_NAMES)} stores, {len(CATEGORIES)} categories, offers, gift cards, "
        f"listings and a locker written ({time.perf_counter() - began:.1f} s)"
    )
    run_optimiser(shopper, rng, args.runs)
    run_engine(shopper, args.questions_rounds)
    load = os.getloadavg()[0]
    print(f"\nload average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
