"""Checkout throughput benchmark: gift-card orders from cart to delivered codes through the dev
gateway, with concurrent buyers, against plain inserts of the same order rows, in one process
on PostgreSQL.

    .venv/bin/python bench/checkout.py [--orders 1000] [--buyers 8] [--rounds 1] [--sample 20]
                                       [--profile]

Also run by `bench/run.py --only checkout [--orders N]` and by a full `bench/run.py`. It
recreates the benchmark database (BENCH_DATABASE_URL), migrates it, and makes `--buyers`
shoppers (each with a phone, so delivery goes by email and SMS) and one gift card in four
denominations with enough voucher codes for every order. Each round then times:

- subject: `--orders` checkouts split over `--buyers` threads, each buyer its own user and cart,
  one order after another: `cart_line_set` (one ₹500 card) -> `order_place` (codes reserved
  with SKIP LOCKED, the gateway order opened) -> the dev gateway's `pay` (the shopper paying on
  Razorpay's page) -> `payment_verify` (the browser's report: signature, fetch, capture, the
  ledger, codes delivered, the order fulfilled, the delivery task queued on the broker) ->
  `webhook_receive` of the same payment's signed `payment.captured` (changes nothing, records
  the event). Orders per second = orders / wall time from the buyers' start to the last one.
- baseline: the same number of `Order.objects.create` calls with the field values the subject
  wrote (a new number and key each), from the same number of threads, one row per statement;
  three times, the median reported.

After each subject it checks that every order is fulfilled, every line has exactly its codes,
no code went to two lines, the ledger is sound (`ledger_problems() == []`) and escrow is empty.
Then it runs `--sample` more checkouts one at a time under Django's CaptureQueriesContext and
prints the statements per order, by step and by verb and table. bench/README.md explains the
numbers and keeps the results table.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import math
import os
import pstats
import re
import secrets
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
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
from bench.run import (  # noqa: E402
    RESULTS_DIR,
    BenchError,
    without_password,
)

STEPS = ("cart", "place", "pay", "verify", "webhook")
BASELINE_REPEATS = 3
FACE_VALUES = (Decimal("250.00"), Decimal("500.00"), Decimal("1000.00"), Decimal("2000.00"))
DISCOUNT = Decimal("0.97")  # sold 3% below face value
# Columns the baseline copies from the subject's orders: all but the keys and timestamps.
COPIED_FIELDS = (
    "user_id",
    "status",
    "subtotal",
    "discount",
    "total",
    "wallet_amount",
    "gateway_amount",
    "refunded_amount",
    "promo_id",
    "email",
    "phone",
    "pay_by",
    "paid_at",
    "fulfilled_at",
    "closed_at",
)


@dataclass(frozen=True)
class Buyer:
    user: object
    cart: object


@dataclass
class Run:
    """One side of a round: how long, and (subject) each order's steps in seconds."""

    orders: int
    seconds: float
    order_ms: list[float] = field(default_factory=list)
    step_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds


# --- Setup ------------------------------------------------------------------------------------


def buyers_create(count: int) -> list[Buyer]:
    """Shoppers with an email and a phone (delivery goes by both) and their carts."""
    from accounts.models import User
    from commerce.services.cart import cart_of_user

    buyers = []
    for n in range(count):
        user = User(
            email=f"buyer{n}@coupzii.test", full_name=f"Buyer {n}", phone=f"+9198765{n:05d}"
        )
        user.set_unusable_password()
        user.save()
        buyers.append(Buyer(user, cart_of_user(user)))
    return buyers


def gift_card_create(codes_per_variant: int) -> list[str]:
    """One gift card in four denominations, each with `codes_per_variant` codes on sale; the
    SKUs. Bench fixtures, written directly as cashback_sync's stores are; the codes go in
    through the inventory service, encrypted as an import would."""
    from catalog import inventory
    from catalog.inventory import NewCode
    from catalog.models import Category, Merchant, Product, Variant

    category = Category.objects.create(name="Bench cards", slug="bench-cards")
    merchant = Merchant.objects.create(
        name="Bench Brand",
        slug="bench-brand",
        website="https://brand.example/",
        tracking_url_template="https://track.example/c?sub={click_id}",
    )
    product = Product.objects.create(
        merchant=merchant, category=category, name="Bench Gift Card", slug="bench-gift-card"
    )
    expires_on = datetime.date.today() + datetime.timedelta(days=365)
    skus = []
    for face in FACE_VALUES:
        sku = f"bench-{face:.0f}"
        variant = Variant.objects.create(
            product=product,
            sku=sku,
            face_value=face,
            price=(face * DISCOUNT).quantize(Decimal("0.01")),
        )
        for first in range(0, codes_per_variant, 2000):
            inventory.voucher_codes_add(
                variant=variant,
                codes=[
                    NewCode(code=f"{sku}-{n:08d}", pin=f"{n % 10000:04d}", expires_on=expires_on)
                    for n in range(first, min(codes_per_variant, first + 2000))
                ],
            )
        skus.append(sku)
    return skus


# --- One checkout -----------------------------------------------------------------------------


def checkout_one(buyer: Buyer, sku: str, key: str, step_clock=None) -> None:
    """A buyer's whole checkout of one card, as the pages and the gateway drive it.
    `step_clock(step)` is entered around each step (a timer, or a query capture)."""
    from commerce.gateways import gateway
    from commerce.models import Payment
    from commerce.services import payments
    from commerce.services.cart import cart_line_set
    from commerce.services.checkout import order_place

    user = buyer.user
    with step_clock("cart"):
        cart_line_set(cart=buyer.cart, sku=sku, quantity=1)
    with step_clock("place"):
        order = order_place(
            user=user, cart=buyer.cart, email=user.email, phone=user.phone, idempotency_key=key
        )
        # What the checkout answer hands Razorpay Checkout.
        gateway_order_id = (
            Payment.objects.filter(order=order).values_list("gateway_order_id", flat=True).get()
        )
    with step_clock("pay"):
        dev = gateway().pay(gateway_order_id=gateway_order_id, succeed=True)
    with step_clock("verify"):
        payments.payment_verify(
            user=user,
            gateway_order_id=dev.callback["razorpay_order_id"],
            payment_id=dev.callback["razorpay_payment_id"],
            signature=dev.callback["razorpay_signature"],
        )
    with step_clock("webhook"):
        payments.webhook_receive(
            body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
        )


class StepTimer:
    """`with timer(step):` adds the block's milliseconds to that step."""

    def __init__(self):
        self.ms: dict[str, float] = {}
        self._step = ""
        self._started = 0.0

    def __call__(self, step: str):
        self._step = step
        return self

    def __enter__(self):
        self._started = time.perf_counter()

    def __exit__(self, *exc):
        self.ms[self._step] = (time.perf_counter() - self._started) * 1000


# --- Measuring --------------------------------------------------------------------------------


class ActivitySampler:
    """What the buyers' database sessions are doing, sampled from pg_stat_activity on a
    connection of its own every `interval` seconds while the subject runs: running a statement,
    waiting for a row lock (and on which statement), or inside a transaction between statements
    (Python working while the transaction's locks are held)."""

    QUERY = (
        "SELECT state, wait_event_type, query FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'"
    )

    def __init__(self, database_url: str, interval: float = 0.02):
        self.database_url = database_url
        self.interval = interval
        self.samples = 0
        self.states: Counter = Counter()
        self.blocked: Counter = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self._stop.is_set():
                self.samples += 1
                for state, wait_type, query in conn.execute(self.QUERY).fetchall():
                    if state == "active" and wait_type == "Lock":
                        self.states["waiting for a lock"] += 1
                        verb, table = statement_kind(query)
                        lock = " FOR UPDATE" if "FOR UPDATE" in query.upper() else ""
                        self.blocked[f"{verb} {table}{lock}"] += 1
                    elif state == "active":
                        self.states["running a statement"] += 1
                    elif state == "idle in transaction":
                        self.states["in a transaction between statements"] += 1
                self._stop.wait(self.interval)

    def describe(self) -> str:
        samples = max(1, self.samples)
        states = ", ".join(f"{n / samples:.1f} {state}" for state, n in self.states.most_common())
        blocked = ", ".join(f"{n / samples:.2f} {what}" for what, n in self.blocked.most_common(4))
        blocked = blocked or "nothing"
        return (
            f"sessions at a time (mean of {self.samples} samples): {states}; blocked on {blocked}"
        )


def shares(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def in_threads(work, counts: list[int]) -> float:
    """Run `work(index, count)` in one thread per count, started together once every thread
    has its database connection open; the wall seconds from the start to the last finish."""
    from django.db import connection

    barrier = threading.Barrier(len(counts) + 1)
    failures: list[str] = []

    def thread(index: int, count: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            work(index, count)
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:  # noqa: BLE001 - reported below, the run is void
            failures.append(f"thread {index}: {exc!r}")
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(n, c)) for n, c in enumerate(counts)]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if failures:
        raise BenchError("a thread failed:\n" + "\n".join(failures[:5]))
    return seconds


def subject_timed(
    buyers: list[Buyer], skus: list[str], orders: int, round_no: int, sampler: ActivitySampler
) -> Run:
    run = Run(orders, 0.0)
    lock = threading.Lock()

    def work(index: int, count: int) -> None:
        buyer = buyers[index]
        for n in range(count):
            timer = StepTimer()
            sku = skus[(index + n) % len(skus)]
            checkout_one(buyer, sku, f"r{round_no}-b{index}-{n}", timer)
            with lock:
                run.order_ms.append(sum(timer.ms.values()))
                for step, ms in timer.ms.items():
                    run.step_ms[step].append(ms)

    with sampler:
        run.seconds = in_threads(work, shares(orders, len(buyers)))
    return run


def baseline_timed(rows: list[dict], buyers: int, round_no: str) -> Run:
    """The subject's order rows inserted again, one `Order.objects.create` each, from the same
    number of threads; each gets a new number and key (both unique)."""
    from commerce.models import Order
    from commerce.services.checkout import NUMBER_ALPHABET, NUMBER_LENGTH

    counts = shares(len(rows), buyers)
    starts = [sum(counts[:n]) for n in range(buyers)]

    def work(index: int, count: int) -> None:
        for n in range(starts[index], starts[index] + count):
            Order.objects.create(
                **rows[n],
                number="CZ"
                + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH)),
                idempotency_key=f"baseline-r{round_no}-{n}",
            )

    return Run(len(rows), in_threads(work, counts))


def subject_rows(round_no: int) -> list[dict]:
    from commerce.models import Order

    orders = Order.objects.filter(idempotency_key__startswith=f"r{round_no}-").order_by("pk")
    return list(orders.values(*COPIED_FIELDS))


def checks(expected_orders: int) -> dict[str, int]:
    """Every checkout so far was fulfilled with exactly its codes, no code went out twice, and
    the ledger is sound with nothing left in escrow."""
    from django.db.models import Count, Sum

    from catalog.models import VoucherCode, VoucherStatus
    from commerce.models import Order, OrderLine, OrderStatus, WebhookEvent
    from wallet.ledger import ledger_problems, platform_balance
    from wallet.models import AccountKind

    orders = Order.objects.exclude(idempotency_key__startswith="baseline-")
    statuses = Counter(orders.values_list("status", flat=True))
    if statuses != {OrderStatus.FULFILLED: expected_orders}:
        raise BenchError(f"expected {expected_orders} fulfilled orders, found {dict(statuses)}")
    delivered = VoucherCode.objects.filter(status=VoucherStatus.DELIVERED)
    wanted = OrderLine.objects.filter(order__in=orders).aggregate(n=Sum("quantity"))["n"]
    per_line = Counter(
        delivered.values("order_line_id").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    lines = OrderLine.objects.filter(order__in=orders).count()
    digests = delivered.values("code_digest").distinct().count()
    if delivered.count() != wanted or per_line != {1: lines} or digests != wanted:
        raise BenchError(
            f"codes: {delivered.count()} delivered ({digests} distinct) for {wanted} wanted, "
            f"codes per line {dict(per_line)}"
        )
    if VoucherCode.objects.filter(status=VoucherStatus.RESERVED).exists():
        raise BenchError("codes are still reserved after every order was fulfilled")
    problems = ledger_problems()
    if problems:
        raise BenchError("ledger_problems() after the checkouts:\n" + "\n".join(problems[:20]))
    escrow = platform_balance(AccountKind.ESCROW)
    sales = platform_balance(AccountKind.SALES)
    totals = orders.aggregate(total=Sum("total"))["total"]
    if escrow != 0 or sales != totals:
        raise BenchError(f"escrow holds {escrow}, sales {sales} for orders totalling {totals}")
    webhooks = WebhookEvent.objects.filter(result="captured").count()
    return {"codes": delivered.count(), "webhooks": webhooks, "sales": sales}


# --- Queries and profile ----------------------------------------------------------------------


# Django quotes table names; the ledger's hand-written balance UPDATE doesn't.
TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?')


def statement_kind(sql: str) -> tuple[str, str]:
    head = sql.lstrip()[:2000]
    verb = head.split(None, 1)[0].upper() if head else "?"
    if verb == "RELEASE":
        verb = "RELEASE SAVEPOINT"
    table = TABLE.search(head)
    return verb, table[1] if table else ""


class StepQueries:
    """`with capture(step):` records the block's statements under that step."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.by_step: Counter = Counter()
        self.by_kind: Counter = Counter()
        self.by_step_kind: Counter = Counter()
        self._step = ""
        self._context = None

    def __call__(self, step: str):
        from django.test.utils import CaptureQueriesContext

        self._step = step
        self._context = CaptureQueriesContext(self.connection)
        return self

    def __enter__(self):
        self._context.__enter__()

    def __exit__(self, *exc):
        self._context.__exit__(*exc)
        for query in self._context.captured_queries:
            kind = statement_kind(query["sql"])
            self.by_step[self._step] += 1
            self.by_kind[kind] += 1
            self.by_step_kind[(self._step, *kind)] += 1


def queries_sampled(buyer: Buyer, skus: list[str], sample: int) -> StepQueries:
    capture = StepQueries()
    for n in range(sample):
        checkout_one(buyer, skus[n % len(skus)], f"q-{n}", capture)
    return capture


def print_queries(capture: StepQueries, sample: int) -> float:
    total = sum(capture.by_step.values()) / sample
    steps = ", ".join(f"{step} {capture.by_step[step] / sample:.1f}" for step in STEPS)
    print(f"\nstatements per checkout (mean of {sample}, one at a time): {total:.1f}: {steps}")
    for step in STEPS:
        kinds = sorted(
            ((verb, table, n) for (s, verb, table), n in capture.by_step_kind.items() if s == step),
            key=lambda row: -row[2],
        )
        parts = ", ".join(f"{n / sample:g} {verb} {table}".rstrip() for verb, table, n in kinds)
        print(f"  {step:<8} {capture.by_step[step] / sample:5.1f}  {parts}")
    verbs = Counter()
    for (verb, _table), n in capture.by_kind.items():
        verbs[verb] += n
    print("  by verb: " + ", ".join(f"{verb} {n / sample:g}" for verb, n in verbs.most_common()))
    return total


def profile_checkouts(buyer: Buyer, skus: list[str], sample: int) -> None:
    """`sample` more checkouts one at a time under cProfile (not a result): the project's
    functions by cumulative time, then everything by own time."""
    profiler = cProfile.Profile()
    timer = StepTimer()
    profiler.enable()
    started = time.perf_counter()
    for n in range(sample):
        checkout_one(buyer, skus[n % len(skus)], f"p-{n}", timer)
    seconds = time.perf_counter() - started
    profiler.disable()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / "checkout.prof"
    profiler.dump_stats(path)
    print(
        f"\nprofile: {sample} checkouts one at a time under cProfile, {seconds:.1f} s, "
        f"{path.relative_to(ROOT)}"
    )
    # The project's own modules (the venv lives under the project folder: left out).
    project = re.escape(str(ROOT)) + r"/(?!\.venv/)"
    for order, restriction in (("cumulative", (project, 30)), ("tottime", (15,))):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        if order == "tottime":
            stats = stats.strip_dirs()  # (strip_dirs forgets a sort: sort after it)
        stats.sort_stats(order).print_stats(*restriction)
        print(text.getvalue().split("\n", 3)[-1].rstrip())


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--orders", type=positive_int, default=1000, help="checkouts per round (1000)"
    )
    parser.add_argument("--buyers", type=positive_int, default=8, help="buyer threads (8)")
    parser.add_argument("--rounds", type=positive_int, default=1, help="rounds per side (1)")
    parser.add_argument(
        "--sample", type=positive_int, default=20, help="checkouts whose statements are counted"
    )
    parser.add_argument(
        "--profile", action="store_true", help="then `--sample` checkouts under cProfile"
    )
    return parser.parse_args(argv)


def run(args) -> int:
    import redis

    urls = services_prepare()

    from commerce.gateways import gateway

    print(
        f"\ncheckout: {args.orders:,} gift-card checkouts (cart -> order -> dev gateway -> "
        f"verify -> webhook) by {args.buyers} buyer threads vs Order.objects.create of the "
        "same rows"
    )
    print("Load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"Services: {without_password(urls['database'])}, {urls['cache']}, {urls['broker']}")
    broker = redis.Redis.from_url(urls["broker"])
    started = time.perf_counter()
    migrate()
    if not gateway().is_dev:
        raise BenchError("RAZORPAY_KEY_ID is set: the benchmark pays through the dev gateway")
    needed = args.orders * args.rounds + args.sample * (2 if args.profile else 1)
    skus = gift_card_create(math.ceil(needed / len(FACE_VALUES)) + 10)
    buyers = buyers_create(args.buyers)
    print(f"Prepared in {time.perf_counter() - started:.0f} s (migrate, buyers, codes)")

    subjects: list[Run] = []
    baselines: list[Run] = []
    for number in range(1, args.rounds + 1):
        broker_queue_clear(broker)
        sampler = ActivitySampler(urls["database"])
        subject = subject_timed(buyers, skus, args.orders, number, sampler)
        queued = broker.llen("celery")
        checked = checks(args.orders * number)
        subjects.append(subject)
        print(
            f"  round {number} subject  checkout        {subject.per_second:8.1f} orders/s  "
            f"({subject.seconds:.1f} s; ms per order p50/p95/p99 "
            f"{ms_percentiles(subject.order_ms)}; {checked['codes']:,} codes delivered once "
            f"each, {checked['webhooks']:,} webhooks, {queued:,} deliveries queued; "
            "ledger sound)"
        )
        for step in STEPS:
            print(f"      {step:<8} ms p50/p95/p99 {ms_percentiles(subject.step_ms[step])}")
        print(f"      {sampler.describe()}")
        rows = subject_rows(number)
        # The inserts take a second or less, where a busy neighbour moves the rate by half:
        # the median of a few repeats (each the same inserts, with new numbers and keys).
        repeats = [
            baseline_timed(rows, args.buyers, f"{number}.{n}") for n in range(BASELINE_REPEATS)
        ]
        baseline = sorted(repeats, key=lambda run: run.per_second)[len(repeats) // 2]
        baselines.append(baseline)
        rates = ", ".join(f"{run.per_second:.0f}" for run in repeats)
        print(
            f"  round {number} baseline Order.create    {baseline.per_second:8.1f} rows/s    "
            f"(median of {rates}; {baseline.seconds:.1f} s)"
        )
    capture = queries_sampled(buyers[0], skus, args.sample)
    queries = print_queries(capture, args.sample)
    if args.profile:
        profile_checkouts(buyers[0], skus, args.sample)
    checks(args.orders * args.rounds + args.sample * (2 if args.profile else 1))
    broker_queue_clear(broker)
    report(args, subjects, baselines, queries)
    return 0


def report(args, subjects: list[Run], baselines: list[Run], queries: float) -> None:
    subject_rate = statistics.median(run.per_second for run in subjects)
    baseline_rate = statistics.median(run.per_second for run in baselines)
    ratio = subject_rate / baseline_rate
    order_ms = ms_percentiles([ms for run in subjects for ms in run.order_ms])
    print(
        f"\nMedian of {args.rounds} round(s) per side; ratio = subject orders/s / baseline rows/s."
    )
    print(
        f"checkout: {subject_rate:.1f} orders/s vs {baseline_rate:.0f} rows/s "
        f"Order.objects.create, ratio {ratio:.4f}; {queries:.0f} statements per checkout; "
        f"{os.cpu_count()} cores"
    )
    print("\nRow for the results table in bench/README.md:")
    today = datetime.date.today().isoformat()
    print(
        f"| {today} | checkout: {args.orders:,} orders, cart_line_set -> order_place -> dev "
        f"gateway pay -> payment_verify -> webhook, {args.buyers} buyer threads, PostgreSQL, "
        f"all fulfilled, no code twice, ledger sound, {queries:.0f} statements per order; vs "
        f"Order.objects.create of the same rows from {args.buyers} threads; p50/p95/p99 = ms "
        f"per order | {subject_rate:.1f} | {order_ms} | {baseline_rate:.0f} | {ratio:.4f} |"
    )


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
