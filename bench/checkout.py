"""Checkout throughput benchmark: gift-card orders from cart to delivered codes through the dev
gateway, with buyers in processes of their own (as gunicorn's workers would run them), against
plain inserts of the same order rows from the same processes, on PostgreSQL.

    .venv/bin/python bench/checkout.py [--orders 1000] [--buyers 8] [--rounds 1] [--sample 20]
                                       [--paths card,wallet_promo] [--profile]

Also run by `bench/run.py --only checkout [--orders N]` and by a full `bench/run.py`. It
recreates the benchmark database (BENCH_DATABASE_URL), migrates it, and makes `--buyers`
shoppers (each with a phone, so delivery goes by email and SMS), one gift card in four
denominations with enough voucher codes for every order, and a promo code. It then starts one
process per buyer (spawned, each its own Django and database connection) and keeps them for
the whole run. Each round, for each path:

- subject: `--orders` checkouts split over the buyer processes, each buyer its own user and
  cart, one order after another, all started together: `cart_line_set` (one card) ->
  `order_place` (codes reserved with SKIP LOCKED, the gateway order opened) -> the dev
  gateway's `pay` (the shopper paying on Razorpay's page) -> `payment_verify` (the browser's
  report: signature, fetch, capture, the ledger, codes delivered, the order fulfilled, the
  delivery task queued on the broker) -> `webhook_receive` of the same payment's signed
  `payment.captured` (changes nothing, records the event). Path `card` pays it all by card;
  path `wallet_promo` first puts Rs 100 in the buyer's wallet (step `topup`, a ledger credit
  as a confirmed cashback would make), and the cart carries a 5% promo code and uses the
  wallet, so the card pays the rest. Orders per second = orders / wall time from the common
  start to the last buyer's finish.
- baseline: the subject's order rows inserted again by `Order.objects.create`, one row per
  statement, from the same processes, each inserting its own buyer's rows (a new number and key
  each); three times, the median reported.

After each subject it checks that every order is fulfilled, every line has exactly its codes,
no code went to two lines, the ledger is sound (`ledger_problems() == []`), escrow is empty and
sales equal the orders' totals. Then it runs `--sample` more checkouts of each path one at a
time under Django's CaptureQueriesContext and prints the statements per order, by step and by
verb and table. bench/README.md explains the numbers and keeps the results table.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import math
import multiprocessing
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

PATHS = ("card", "wallet_promo")
STEPS = {
    "card": ("cart", "place", "pay", "verify", "webhook"),
    "wallet_promo": ("topup", "cart", "place", "pay", "verify", "webhook"),
}
BASELINE_REPEATS = 3
FACE_VALUES = (Decimal("250.00"), Decimal("500.00"), Decimal("1000.00"), Decimal("2000.00"))
DISCOUNT = Decimal("0.97")  # sold 3% below face value
PROMO_CODE = "BENCH5"  # 5% off, no cap, as many uses as the run needs
TOPUP = Decimal("100.00")  # the wallet's share of each wallet_promo order
PROCESS_START_TIMEOUT = 600  # seconds for a buyer to set Django up and connect (slow when loaded)
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


@dataclass
class Run:
    """One side of a round: how long, and (subject) each order's steps in milliseconds."""

    orders: int
    seconds: float
    order_ms: list[float] = field(default_factory=list)
    step_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds


# --- Setup ------------------------------------------------------------------------------------


def buyers_create(count: int) -> list[int]:
    """Shoppers with an email and a phone (delivery goes by both) and their carts; their ids."""
    from accounts.models import User
    from commerce.services.cart import cart_of_user

    ids = []
    for n in range(count):
        user = User(
            email=f"buyer{n}@coupzii.test", full_name=f"Buyer {n}", phone=f"+9198765{n:05d}"
        )
        user.set_unusable_password()
        user.save()
        cart_of_user(user)
        ids.append(user.pk)
    return ids


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


def promo_create() -> None:
    """The wallet_promo path's code: 5% off every card, live, no cap on uses."""
    from django.utils import timezone

    from commerce.models import PromoCode, PromoKind

    PromoCode.objects.create(
        code=PROMO_CODE,
        kind=PromoKind.PERCENT,
        value=Decimal("5.00"),
        starts_at=timezone.now() - datetime.timedelta(days=1),
        usage_limit=None,
        per_user_limit=32767,
    )


# --- One checkout -----------------------------------------------------------------------------


def wallet_topup(user, key: str) -> None:
    """TOPUP into the buyer's available balance from promotions, as a bonus would."""
    from wallet import ledger
    from wallet.models import AccountKind, TransactionKind

    available = ledger.user_accounts(user)[AccountKind.AVAILABLE]
    ledger.transaction_post(
        kind=TransactionKind.WELCOME_BONUS,
        idempotency_key=f"bench-topup:{key}",
        legs=[(ledger.platform_account(AccountKind.PROMOTIONS), -TOPUP), (available, TOPUP)],
        reference_type="bench",
        reference_id=str(user.pk),
    )


def checkout_one(user, cart, sku: str, key: str, path: str, step_clock) -> None:
    """A buyer's whole checkout of one card, as the pages and the gateway drive it.
    `step_clock(step)` is entered around each step (a timer, or a query capture)."""
    from commerce.gateways import gateway
    from commerce.models import Payment
    from commerce.services import payments
    from commerce.services.cart import cart_line_set, cart_update
    from commerce.services.checkout import order_place

    if path == "wallet_promo":
        with step_clock("topup"):
            wallet_topup(user, key)
    with step_clock("cart"):
        if path == "wallet_promo":
            # One change of the cart, as the cart page's form sends it: card, code, wallet.
            cart_update(
                cart=cart, user=user, sku=sku, quantity=1, promo_code=PROMO_CODE, use_wallet=True
            )
        else:
            cart_line_set(cart=cart, sku=sku, quantity=1)
    with step_clock("place"):
        order = order_place(
            user=user, cart=cart, email=user.email, phone=user.phone, idempotency_key=key
        )
    # What the checkout answer hands Razorpay Checkout (the page's or the API's read, not the
    # service's: outside the steps, inside the wall time).
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


# --- The buyer processes ----------------------------------------------------------------------


def _buyer_main(conn, barrier, user_id: int) -> None:
    """A buyer process: Django set up from the environment the parent prepared, then commands
    from the parent until told to stop. Each timed command waits at the shared barrier, so all
    buyers start together, and answers its start and finish on the system's monotonic clock."""
    import django

    django.setup()
    from django.db import connection

    from accounts.models import User
    from commerce.services.cart import cart_of_user

    user = User.objects.get(pk=user_id)
    cart = cart_of_user(user)
    connection.ensure_connection()
    conn.send(("ready", None))
    while True:
        command, args = conn.recv()
        if command == "stop":
            connection.close()
            return
        try:
            handler = {"checkout": _buyer_checkouts, "baseline": _buyer_inserts}[command]
            conn.send(("ok", handler(barrier, user, cart, **args)))
        except threading.BrokenBarrierError:
            conn.send(("error", "another buyer failed"))
        except Exception as exc:  # noqa: BLE001 - reported by the parent, the run is void
            barrier.abort()
            conn.send(("error", repr(exc)))


def _buyer_checkouts(barrier, user, cart, *, path, count, skus, offset, prefix) -> dict:
    order_ms, step_ms = [], defaultdict(list)
    barrier.wait()
    started = time.monotonic()
    for n in range(count):
        timer = StepTimer()
        checkout_one(user, cart, skus[(offset + n) % len(skus)], f"{prefix}-{n}", path, timer)
        order_ms.append(sum(timer.ms.values()))
        for step, ms in timer.ms.items():
            step_ms[step].append(ms)
    return {"start": started, "end": time.monotonic(), "order_ms": order_ms, "step_ms": step_ms}


def _buyer_inserts(barrier, user, cart, *, prefix, tag) -> dict:
    """This buyer's orders of the subject (idempotency keys `prefix-*`) inserted again."""
    from commerce.models import Order
    from commerce.services.checkout import NUMBER_ALPHABET, NUMBER_LENGTH

    rows = list(
        Order.objects.filter(user=user, idempotency_key__startswith=f"{prefix}-")
        .order_by("pk")
        .values(*COPIED_FIELDS)
    )
    barrier.wait()
    started = time.monotonic()
    for n, row in enumerate(rows):
        Order.objects.create(
            **row,
            number="CZ" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH)),
            idempotency_key=f"baseline-{tag}-{user.pk}-{n}",
        )
    return {"start": started, "end": time.monotonic(), "rows": len(rows)}


class Buyers:
    """One buyer process per user, spawned once and kept for the run. `target(conn, barrier,
    user_id)` is the buyer's loop (this benchmark's `_buyer_main` by default; the marketplace's
    passes its own)."""

    def __init__(self, user_ids: list[int], target=None):
        self.user_ids = user_ids
        context = multiprocessing.get_context("spawn")
        self.barrier = context.Barrier(len(user_ids) + 1)
        self.conns = []
        self.processes = []
        for n, user_id in enumerate(user_ids):
            parent, child = context.Pipe()
            process = context.Process(
                target=target or _buyer_main,
                args=(child, self.barrier, user_id),
                name=f"buyer-{n}",
                daemon=True,
            )
            self.conns.append(parent)
            self.processes.append(process)

    def __enter__(self) -> "Buyers":
        from django.db import connections

        connections.close_all()  # nothing of the parent's connections reaches a child
        for process in self.processes:
            process.start()
        for conn in self.conns:
            if not conn.poll(PROCESS_START_TIMEOUT):
                raise BenchError("a buyer process did not start in time")
            status, detail = conn.recv()
            if status != "ready":
                raise BenchError(f"a buyer process failed to start: {detail}")
        return self

    def __exit__(self, *exc):
        for conn, process in zip(self.conns, self.processes, strict=True):
            with contextlib.suppress(OSError):
                conn.send(("stop", {}))
            process.join(timeout=10)
            if process.is_alive():
                process.kill()

    def run(self, command: str, per_buyer: list[dict]) -> list[dict]:
        """Send each buyer its command, start them together, collect their answers."""
        for conn, args in zip(self.conns, per_buyer, strict=True):
            conn.send((command, args))
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait()
        answers, failures = [], []
        for n, conn in enumerate(self.conns):
            status, detail = conn.recv()
            if status == "ok":
                answers.append(detail)
            else:
                failures.append(f"buyer {n}: {detail}")
        if failures:
            self.barrier.reset()
            raise BenchError("a buyer failed:\n" + "\n".join(failures[:5]))
        return answers


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


def wall_seconds(answers: list[dict]) -> float:
    """From the first buyer's start to the last one's finish (one monotonic clock)."""
    return max(a["end"] for a in answers) - min(a["start"] for a in answers)


def subject_timed(
    buyers: Buyers, skus: list[str], orders: int, prefix: str, path: str, sampler
) -> Run:
    counts = shares(orders, len(buyers.user_ids))
    per_buyer = [
        {"path": path, "count": count, "skus": skus, "offset": n, "prefix": f"{prefix}-b{n}"}
        for n, count in enumerate(counts)
    ]
    with sampler:
        answers = buyers.run("checkout", per_buyer)
    run = Run(orders, wall_seconds(answers))
    for answer in answers:
        run.order_ms += answer["order_ms"]
        for step, values in answer["step_ms"].items():
            run.step_ms[step] += values
    return run


def baseline_timed(buyers: Buyers, prefix: str, tag: str) -> Run:
    """The subject's order rows inserted again, one `Order.objects.create` each, each buyer
    process its own rows."""
    per_buyer = [
        {"prefix": f"{prefix}-b{n}", "tag": f"{tag}-{n}"} for n in range(len(buyers.user_ids))
    ]
    answers = buyers.run("baseline", per_buyer)
    return Run(sum(a["rows"] for a in answers), wall_seconds(answers))


def platform_balance_of(kind: str) -> Decimal:
    from wallet import ledger

    if hasattr(ledger, "platform_balance"):
        return ledger.platform_balance(kind)
    return ledger.platform_account(kind).balance  # before platform balances were read-only


def checks(expected_orders: int) -> dict[str, int]:
    """Every checkout so far was fulfilled with exactly its codes, no code went out twice, and
    the ledger is sound with nothing left in escrow."""
    from django.db.models import Count, Sum

    from catalog.models import VoucherCode, VoucherStatus
    from commerce import ledger_kinds
    from commerce.models import Order, OrderLine, OrderStatus, WebhookEvent
    from wallet.ledger import ledger_problems

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
    escrow = platform_balance_of(ledger_kinds.ESCROW)
    sales = platform_balance_of(ledger_kinds.SALES)
    totals = orders.aggregate(total=Sum("total"))["total"]
    if escrow != 0 or sales != totals:
        raise BenchError(f"escrow holds {escrow}, sales {sales} for orders totalling {totals}")
    webhooks = WebhookEvent.objects.filter(result="captured").count()
    return {"codes": delivered.count(), "webhooks": webhooks, "sales": sales}


# --- Queries and profile ----------------------------------------------------------------------


# Django quotes table names; hand-written statements may not.
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


def queries_sampled(user_id: int, skus: list[str], sample: int, path: str) -> StepQueries:
    from accounts.models import User
    from commerce.services.cart import cart_of_user

    user = User.objects.get(pk=user_id)
    cart = cart_of_user(user)
    capture = StepQueries()
    for n in range(sample):
        checkout_one(user, cart, skus[n % len(skus)], f"q-{path}-{n}", path, capture)
    return capture


def print_queries(capture: StepQueries, sample: int, path: str) -> float:
    total = sum(capture.by_step.values()) / sample
    steps = ", ".join(f"{step} {capture.by_step[step] / sample:.1f}" for step in STEPS[path])
    what = f"statements per checkout (mean of {sample}, one at a time)"
    print(f"\n{path}: {what}: {total:.1f}: {steps}")
    for step in STEPS[path]:
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


def profile_checkouts(user_id: int, skus: list[str], sample: int) -> None:
    """`sample` more card checkouts one at a time under cProfile (not a result): the project's
    functions by cumulative time, then everything by own time."""
    from accounts.models import User
    from commerce.services.cart import cart_of_user

    user = User.objects.get(pk=user_id)
    cart = cart_of_user(user)
    profiler = cProfile.Profile()
    timer = StepTimer()
    profiler.enable()
    started = time.perf_counter()
    for n in range(sample):
        checkout_one(user, cart, skus[n % len(skus)], f"p-{n}", "card", timer)
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


def paths_arg(text: str) -> tuple[str, ...]:
    paths = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = set(paths) - set(PATHS)
    if not paths or unknown:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PATHS)}")
    return paths


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--orders", type=positive_int, default=1000, help="checkouts per round and path (1000)"
    )
    parser.add_argument("--buyers", type=positive_int, default=8, help="buyer processes (8)")
    parser.add_argument("--rounds", type=positive_int, default=1, help="rounds per side (1)")
    parser.add_argument(
        "--sample", type=positive_int, default=20, help="checkouts whose statements are counted"
    )
    parser.add_argument("--paths", type=paths_arg, default=PATHS, help="card,wallet_promo (both)")
    parser.add_argument(
        "--profile", action="store_true", help="then `--sample` card checkouts under cProfile"
    )
    return parser.parse_args(argv)


def run(args) -> int:
    import redis

    urls = services_prepare()

    from commerce.gateways import gateway

    print(
        f"\ncheckout: {args.orders:,} gift-card checkouts per path (cart -> order -> dev gateway "
        f"-> verify -> webhook) by {args.buyers} buyer processes vs Order.objects.create of the "
        f"same rows from the same processes; paths: {', '.join(args.paths)}"
    )
    print("Load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"Services: {without_password(urls['database'])}, {urls['cache']}, {urls['broker']}")
    broker = redis.Redis.from_url(urls["broker"])
    started = time.perf_counter()
    migrate()
    if not gateway().is_dev:
        raise BenchError("RAZORPAY_KEY_ID is set: the benchmark pays through the dev gateway")
    checkouts = len(args.paths) * (args.orders * args.rounds + args.sample)
    needed = checkouts + (args.sample if args.profile else 0)
    skus = gift_card_create(math.ceil(needed / len(FACE_VALUES)) + 10)
    promo_create()
    user_ids = buyers_create(args.buyers)
    print(f"Prepared in {time.perf_counter() - started:.0f} s (migrate, buyers, codes)")

    results: dict[str, tuple[list[Run], list[Run]]] = {}
    done = 0
    with Buyers(user_ids) as buyers:
        print(f"{args.buyers} buyer processes started")
        for number in range(1, args.rounds + 1):
            for path in args.paths:
                subjects, baselines = results.setdefault(path, ([], []))
                broker_queue_clear(broker)
                prefix = f"r{number}-{path}"
                sampler = ActivitySampler(urls["database"])
                subject = subject_timed(buyers, skus, args.orders, prefix, path, sampler)
                queued = broker.llen("celery")
                done += args.orders
                checked = checks(done)
                subjects.append(subject)
                print(
                    f"  round {number} {path:<12} subject  {subject.per_second:8.1f} orders/s  "
                    f"({subject.seconds:.1f} s; ms per order p50/p95/p99 "
                    f"{ms_percentiles(subject.order_ms)}; {checked['codes']:,} codes delivered "
                    f"once each, {checked['webhooks']:,} webhooks, {queued:,} tasks queued; "
                    "ledger sound)"
                )
                for step in STEPS[path]:
                    print(f"      {step:<8} ms p50/p95/p99 {ms_percentiles(subject.step_ms[step])}")
                print(f"      {sampler.describe()}")
                # The inserts take a second or less, where a busy neighbour moves the rate by
                # half: the median of a few repeats (the same rows, new numbers and keys).
                repeats = [
                    baseline_timed(buyers, prefix, f"{number}.{path}.{n}")
                    for n in range(BASELINE_REPEATS)
                ]
                baseline = sorted(repeats, key=lambda run: run.per_second)[len(repeats) // 2]
                baselines.append(baseline)
                rates = ", ".join(f"{run.per_second:.0f}" for run in repeats)
                print(
                    f"  round {number} {path:<12} baseline {baseline.per_second:8.1f} rows/s    "
                    f"(Order.objects.create, median of {rates}; {baseline.seconds:.2f} s)"
                )
    queries = {}
    for path in args.paths:
        capture = queries_sampled(user_ids[0], skus, args.sample, path)
        queries[path] = print_queries(capture, args.sample, path)
        done += args.sample
    if args.profile:
        profile_checkouts(user_ids[0], skus, args.sample)
        done += args.sample
    checks(done)
    broker_queue_clear(broker)
    report(args, results, queries)
    return 0


def report(args, results: dict[str, tuple[list[Run], list[Run]]], queries: dict) -> None:
    print(
        f"\nMedian of {args.rounds} round(s) per side; ratio = subject orders/s / baseline rows/s."
    )
    rows = []
    today = datetime.date.today().isoformat()
    for path, (subjects, baselines) in results.items():
        subject_rate = statistics.median(run.per_second for run in subjects)
        baseline_rate = statistics.median(run.per_second for run in baselines)
        ratio = subject_rate / baseline_rate
        order_ms = ms_percentiles([ms for run in subjects for ms in run.order_ms])
        print(
            f"checkout {path}: {subject_rate:.1f} orders/s vs {baseline_rate:.0f} rows/s "
            f"Order.objects.create, ratio {ratio:.4f}; ms per checkout p50/p95/p99 {order_ms}; "
            f"{queries[path]:.0f} statements per checkout; {os.cpu_count()} cores"
        )
        rows.append(
            f"| {today} | checkout {path}: {args.orders:,} orders, {args.buyers} buyer "
            f"processes, PostgreSQL, all fulfilled, no code twice, ledger sound, "
            f"{queries[path]:.0f} statements per order; vs Order.objects.create of the same rows "
            f"from the same processes; p50/p95/p99 = ms per checkout | {subject_rate:.1f} | "
            f"{order_ms} | {baseline_rate:.0f} | {ratio:.4f} |"
        )
    print("\nRows for the results table in bench/README.md:")
    print("\n".join(rows))


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
