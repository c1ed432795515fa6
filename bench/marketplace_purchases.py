"""Marketplace purchase throughput: buyers paying from their wallets for listed coupons, each
buyer in a process of its own (as gunicorn's workers would run them) on listings of its own,
against plain inserts of the same purchase rows from the same processes, on PostgreSQL.

    BENCH_DATABASE_URL=postgres://.../coupzii_bench_market .venv/bin/python \
        bench/marketplace_purchases.py [--purchases 2000] [--buyers 8] [--rounds 1]

It recreates the benchmark database (BENCH_DATABASE_URL), migrates it, makes `--buyers` buyers
(each with enough in the wallet) and sellers, and a live listing per purchase (coupon rows in
the sellers' lockers, listings written directly: the subject is buying, not listing). Each
round:

- subject: `--purchases` calls of `purchase_create(method="wallet")`, split over the buyer
  processes, each on its own listings, all started together: the listing's row lock, the
  purchase row, the ledger transaction (buyer available -> escrow:marketplace), the coupon
  moved to the buyer's locker, the listing sold, the notices queued after commit. Purchases
  per second = purchases / wall time from the common start to the last buyer's finish.
- baseline: the subject's purchase rows inserted again by `Purchase.objects.create` (new
  numbers and keys, on listings the unique index allows: status `refunded`), one row per
  statement, from the same processes; three times, the median reported.

After the subject it checks every listing sold once, escrow equals the purchases' prices and
the ledger is sound (`ledger_problems() == []`). Nothing in a purchase is serialised on a row
shared between buyers (escrow is a platform account: its postings are inserts), so the rate
should scale with the buyer processes; the ratio says what a purchase costs against one insert.
"""

import argparse
import datetime
import os
import secrets
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cashback_sync import (  # noqa: E402 (the project root goes on the path first)
    broker_queue_clear,
    migrate,
    ms_percentiles,
    positive_int,
    services_prepare,
)
from bench.checkout import Buyers, wall_seconds  # noqa: E402
from bench.run import BenchError, without_password  # noqa: E402

BASELINE_REPEATS = 3
PRICE = Decimal("120.00")
FEE = Decimal("6.00")
COPIED_FIELDS = ("listing_id", "buyer_id", "seller_id", "price", "fee", "method", "pay_by")


# --- Setup ------------------------------------------------------------------------------------


def people_create(buyers: int) -> tuple[list[int], list[int]]:
    """Buyers with money in the wallet, and one seller per buyer; their ids."""
    from accounts.models import User

    def make(role: str, n: int) -> User:
        user = User(email=f"{role}{n}@coupzii.test", full_name=f"{role.title()} {n}")
        user.set_unusable_password()
        user.save()
        return user

    return (
        [make("buyer", n).pk for n in range(buyers)],
        [make("seller", n).pk for n in range(buyers)],
    )


def wallets_fill(buyer_ids: list[int], amount: Decimal) -> None:
    from accounts.models import User
    from wallet import services as ledger
    from wallet.models import AccountKind, TransactionKind

    for buyer in User.objects.filter(pk__in=buyer_ids):
        ledger.transaction_post(
            kind=TransactionKind.WELCOME_BONUS,
            idempotency_key=f"bench-fill:{buyer.pk}:{amount}",
            legs=[
                (ledger.platform_account(AccountKind.PROMOTIONS), -amount),
                (ledger.user_accounts(buyer)[AccountKind.AVAILABLE], amount),
            ],
            reference_type="bench",
            reference_id=str(buyer.pk),
        )


def listings_create(seller_ids: list[int], per_seller: int, tag: str) -> list[list[str]]:
    """`per_seller` live listings of each seller (their coupons in the locker); the listings'
    public ids, one list per seller."""
    from catalog.models import Merchant
    from catalog.services import code_digest
    from marketplace.models import Benefit, CouponStatus, Listing, LockerCoupon, Source

    merchant, _ = Merchant.objects.get_or_create(
        slug="bench-store",
        defaults={
            "name": "Bench Store",
            "website": "https://store.example/",
            "tracking_url_template": "https://track.example/c?sub={click_id}",
        },
    )
    expires = datetime.date.today() + datetime.timedelta(days=60)
    result = []
    for seller_id in seller_ids:
        coupons = LockerCoupon.objects.bulk_create(
            LockerCoupon(
                owner_id=seller_id,
                source=Source.MANUAL,
                status=CouponStatus.LISTED,
                code=(code := f"BENCH{tag}S{seller_id}N{n:06d}"),
                code_digest=code_digest(code),
                merchant=merchant,
                benefit=Benefit.FIXED,
                benefit_value=Decimal("200.00"),
                worth=Decimal("200.00"),
                expires_on=expires,
            )
            for n in range(per_seller)
        )
        listings = Listing.objects.bulk_create(
            Listing(
                seller_id=seller_id,
                coupon=coupon,
                price=PRICE,
                fee=FEE,
                code_digest=coupon.code_digest,
                merchant=merchant,
                title="Rs 200 off at Bench Store",
                worth=coupon.worth,
                expires_on=expires,
            )
            for coupon in coupons
        )
        result.append([str(listing.public_id) for listing in listings])
    return result


# --- The buyer processes ----------------------------------------------------------------------


def _buyer_main(conn, barrier, user_id: int) -> None:
    import django

    django.setup()
    from django.db import connection

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    connection.ensure_connection()
    conn.send(("ready", None))
    while True:
        command, args = conn.recv()
        if command == "stop":
            connection.close()
            return
        try:
            handler = {"buy": _buyer_purchases, "baseline": _buyer_inserts}[command]
            conn.send(("ok", handler(barrier, user, **args)))
        except threading.BrokenBarrierError:
            conn.send(("error", "another buyer failed"))
        except Exception as exc:  # noqa: BLE001 - reported by the parent, the run is void
            barrier.abort()
            conn.send(("error", repr(exc)))


def _buyer_purchases(barrier, user, *, listings: list[str], prefix: str) -> dict:
    from marketplace.purchases.services import purchase_create

    purchase_ms = []
    barrier.wait()
    started = time.monotonic()
    for n, listing in enumerate(listings):
        begun = time.perf_counter()
        purchase_create(
            buyer=user, listing_public_id=listing, method="wallet", idempotency_key=f"{prefix}-{n}"
        )
        purchase_ms.append((time.perf_counter() - begun) * 1000)
    return {"start": started, "end": time.monotonic(), "ms": purchase_ms}


def _buyer_inserts(barrier, user, *, prefix: str, tag: str) -> dict:
    """This buyer's purchases of the subject inserted again (as refunded rows, which the
    one-per-listing index lets through), one `Purchase.objects.create` each."""
    from marketplace.models import Purchase, PurchaseStatus
    from marketplace.purchases.services import NUMBER_ALPHABET, NUMBER_LENGTH

    rows = list(
        Purchase.objects.filter(buyer=user, idempotency_key__startswith=f"{prefix}-")
        .order_by("pk")
        .values(*COPIED_FIELDS)
    )
    barrier.wait()
    started = time.monotonic()
    for n, row in enumerate(rows):
        Purchase.objects.create(
            **row,
            status=PurchaseStatus.REFUNDED,
            number="MP-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH)),
            idempotency_key=f"baseline-{tag}-{n}",
        )
    return {"start": started, "end": time.monotonic(), "rows": len(rows)}


def checks(expected: int) -> None:
    from django.db.models import Sum

    from marketplace import kinds
    from marketplace.models import Listing, ListingStatus, Purchase, PurchaseStatus
    from wallet import services as ledger

    paid = Purchase.objects.filter(status=PurchaseStatus.PAID)
    if paid.count() != expected:
        raise BenchError(f"{paid.count()} purchases paid, {expected} expected")
    if Listing.objects.filter(status=ListingStatus.SOLD).count() != expected:
        raise BenchError("a listing was not sold, or sold twice")
    total = paid.aggregate(total=Sum("price"))["total"]
    if ledger.platform_balance(kinds.ESCROW) != total:
        raise BenchError("escrow:marketplace does not equal the paid purchases' prices")
    problems = ledger.ledger_problems()
    if problems:
        raise BenchError("the ledger is not sound: " + "; ".join(problems[:3]))


# --- The run ----------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--purchases", type=positive_int, default=2000)
    parser.add_argument("--buyers", type=positive_int, default=8)
    parser.add_argument("--rounds", type=positive_int, default=1)
    return parser.parse_args(argv)


def run(args) -> int:
    import redis

    urls = services_prepare()
    print(
        f"\nmarketplace purchases: {args.purchases:,} wallet purchases on distinct listings by "
        f"{args.buyers} buyer processes vs Purchase.objects.create of the same rows"
    )
    print("Load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"Services: {without_password(urls['database'])}, {urls['cache']}, {urls['broker']}")
    broker = redis.Redis.from_url(urls["broker"])
    migrate()
    buyer_ids, seller_ids = people_create(args.buyers)
    per_buyer = -(-args.purchases // args.buyers)
    wallets_fill(buyer_ids, PRICE * per_buyer * args.rounds)
    subjects, baselines, all_ms = [], [], []
    with Buyers(buyer_ids, target=_buyer_main) as buyers:
        for number in range(1, args.rounds + 1):
            listings = listings_create(seller_ids, per_buyer, tag=f"R{number}")
            broker_queue_clear(broker)
            prefix = f"r{number}"
            answers = buyers.run(
                "buy",
                [{"listings": listings[n], "prefix": f"{prefix}-b{n}"} for n in range(args.buyers)],
            )
            count = per_buyer * args.buyers
            seconds = wall_seconds(answers)
            checks(count * number)
            ms = [value for answer in answers for value in answer["ms"]]
            all_ms += ms
            subjects.append(count / seconds)
            print(
                f"  round {number} subject  {count / seconds:8.1f} purchases/s ({seconds:.1f} s; "
                f"ms per purchase p50/p95/p99 {ms_percentiles(ms)}; every listing sold once, "
                "escrow = paid prices, ledger sound)"
            )
            repeats = []
            for n in range(BASELINE_REPEATS):
                answers = buyers.run(
                    "baseline",
                    [
                        {"prefix": f"{prefix}-b{b}", "tag": f"{number}.{n}.{b}"}
                        for b in range(args.buyers)
                    ],
                )
                repeats.append(sum(a["rows"] for a in answers) / wall_seconds(answers))
            baseline = statistics.median(repeats)
            baselines.append(baseline)
            print(
                f"  round {number} baseline {baseline:8.1f} rows/s (Purchase.objects.create, "
                f"median of {', '.join(f'{r:.0f}' for r in repeats)})"
            )
    broker_queue_clear(broker)
    subject, baseline = statistics.median(subjects), statistics.median(baselines)
    print(
        f"\nmarketplace purchases: {subject:.1f} purchases/s vs {baseline:.0f} rows/s, ratio "
        f"{subject / baseline:.4f}; ms per purchase p50/p95/p99 {ms_percentiles(all_ms)}; "
        f"{os.cpu_count()} cores"
    )
    print(
        f"| {datetime.date.today().isoformat()} | marketplace purchases (wallet): "
        f"{args.purchases:,} purchases, {args.buyers} buyer processes on distinct listings, "
        f"PostgreSQL, every listing sold once, escrow = paid prices, ledger sound; vs "
        f"Purchase.objects.create of the same rows from the same processes | {subject:.1f} | "
        f"{ms_percentiles(all_ms)} | {baseline:.0f} | {subject / baseline:.4f} |"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BenchError as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
