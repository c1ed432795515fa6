"""Cashback sync benchmark: a network's sales pulled over HTTP and ingested, then the same
report again with some sales confirmed and some declined, against plain bulk writes of the same
rows, on PostgreSQL.

    .venv/bin/python bench/cashback_sync.py [--rows 100000] [--shoppers 2000] [--rounds 1]
                                            [--confirm 0.3] [--decline 0.1] [--profile]

Also run by `bench/run.py --only cashback_sync` and by a full `bench/run.py`. It recreates the
benchmark database (BENCH_DATABASE_URL), migrates it, makes `--shoppers` shoppers and `--rows`
clicks (written by offers' own click writer), and starts the loopback Admitad in a process of
its own (as a network is another machine: its JSON encoding does not share our interpreter),
loaded with one pending sale per click, spread over the sync's look-back window. Each round
then times:

- subject: `wallet.networks.sync.sync_network("admitad", ...)`, the beat task's own path, twice:
  1. every sale new and pending: every report page over HTTP, mapping, click matching,
     CashbackEvents, pending ledger credits with cached balances, and after the last page one
     notice per shopper (its email delivery queued on the Celery broker);
  2. after the network confirmed `--confirm` and declined `--decline` of the sales (picked at
     random, fixed seed): the whole window again, every unchanged sale read and skipped, and
     each changed one moved: its event's status, its ledger step (pending -> available, or
     pending -> cashback_payable), and its notice with its email queued.
  Rows/s = (sales + status changes) / (time of sync 1 + time of sync 2).
- baseline: the same writes to the events table alone, with nothing else: into an emptied
  table, `CashbackEvent.objects.bulk_create` of the rows sync 1 wrote, 500 a statement, then
  one `UPDATE ... FROM (VALUES ...)` of the changed rows' status and times, 500 a statement,
  each statement committed on its own as each sync page is. Rows/s = (sales + changes) / time.
- and, after the subject, a third sync of the same window, every sale unchanged.

After each subject it checks the result: one event per sale, all matched, as many confirmed and
declined as the network changed, `ledger_problems()` empty, and the shoppers' pending and
available balances summing to the cashback of their pending and confirmed events. The wallet
tables are truncated before each subject and baseline, so every round starts from the same
state. bench/README.md explains the numbers and keeps the results table.
"""

import argparse
import base64
import contextlib
import cProfile
import datetime
import io
import json
import logging
import multiprocessing
import os
import pstats
import random
import re
import secrets
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 (the project root goes on the path first)
    RESULTS_DIR,
    BenchError,
    check_redis,
    fresh_database,
    server_environment,
    service_urls,
    without_password,
)

NETWORK = "admitad"
PAGE_SIZE = 500  # Admitad's largest page, and sync_network's ingest batch
BASELINE_BATCH = 500
SEED = 5
# Columns the baseline copies from the subject's events: everything but the keys and the
# timestamps that bulk_create sets itself.
COPIED_FIELDS = (
    "click_id",
    "sub_id",
    "user_id",
    "merchant_id",
    "network",
    "network_txn_id",
    "sale_amount",
    "commission",
    "cashback",
    "status",
    "source",
    "occurred_at",
    "expected_confirmation",
    "confirmed_at",
    "declined_at",
    "reversed_at",
    "raw_payload",
)
# (cashback kind, value, days to confirm) of the stores the clicks go to.
MERCHANTS = [
    ("percent", Decimal("2.50"), 30),
    ("percent", Decimal("4.00"), 45),
    ("percent", Decimal("6.50"), 60),
    ("flat", Decimal("75.00"), 45),
]


# --- Setup ------------------------------------------------------------------------------------


def configure_django(urls: dict[str, str]) -> None:
    """The benchmark server's environment (DEBUG off, fresh secrets, PostgreSQL, Redis)."""
    os.environ.update(server_environment(urls, port=0))
    import django

    django.setup()
    # One INFO line per sync would interleave with the rounds' own lines.
    logging.getLogger("wallet.networks.sync").setLevel(logging.WARNING)


def services_prepare() -> dict[str, str]:
    """For an in-process benchmark: a fresh database, Redis checked, Django set up on them.
    Returns the service URLs."""
    urls = service_urls()
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_REDIS_URL")
    check_redis(urls["broker"], "Celery broker", "BENCH_BROKER_URL")
    configure_django(urls)
    return urls


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def shoppers_create(count: int) -> list[int]:
    """Shoppers with an email (so each notice queues an email delivery) and no password."""
    from accounts.models import User

    users = []
    for n in range(count):
        user = User(email=f"shopper{n}@coupzii.test", full_name=f"Shopper {n}")
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    return list(
        User.objects.filter(email__endswith="@coupzii.test")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def stores_create() -> list[tuple[int, int]]:
    """(offer id, merchant id) of one live deal per store in MERCHANTS. Bench fixtures, written
    directly as bench/run.py's claim setup writes its book."""
    from django.utils import timezone

    from catalog.models import Merchant
    from offers.models import Offer, OfferKind, OfferStatus

    stores = []
    for n, (kind, value, days) in enumerate(MERCHANTS):
        merchant = Merchant.objects.create(
            name=f"Bench Store {n}",
            slug=f"bench-store-{n}",
            website="https://store.example/",
            affiliate_network=NETWORK,
            tracking_url_template="https://track.example/c?sub={click_id}",
            cashback_kind=kind,
            cashback_value=value,
            confirmation_days=days,
        )
        offer = Offer.objects.create(
            merchant=merchant,
            kind=OfferKind.DEAL,
            title=f"Bench deal {n}",
            starts_at=timezone.now() - datetime.timedelta(days=60),
            status=OfferStatus.ACTIVE,
        )
        stores.append((offer.pk, merchant.pk))
    return stores


@dataclass(frozen=True)
class Sale:
    click_id: str
    occurred_at: datetime.datetime
    sale_amount: Decimal
    commission: Decimal


def clicks_and_sales(
    rows: int, shopper_ids: list[int], stores, since: datetime.datetime, until: datetime.datetime
) -> list[Sale]:
    """`rows` clicks written by offers' click writer, and one sale per click a little later,
    spread evenly over the look-back window (a minute in from either end)."""
    from offers.clickout import clicks_write

    # Seeded, so every run loads the same sales; nothing secret comes from it.
    rng = random.Random(SEED)  # noqa: S311
    start = since + datetime.timedelta(minutes=1)
    span = (until - start - datetime.timedelta(minutes=1)).total_seconds()
    sales = []
    clicks = []
    for n in range(rows):
        offer_id, merchant_id = stores[n % len(stores)]
        occurred_at = start + datetime.timedelta(seconds=span * n / rows)
        click_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        clicks.append(
            {
                "id": click_id,
                "offer_id": offer_id,
                "merchant_id": merchant_id,
                "user_id": rng.choice(shopper_ids),
                "created_at": (occurred_at - datetime.timedelta(minutes=7)).timestamp(),
                "ip_hash": secrets.token_hex(32),
                "user_agent": "Mozilla/5.0 (bench)",
                "referrer": "",
            }
        )
        sale_amount = Decimal(rng.randrange(150_00, 8_000_00)) / 100
        rate = Decimal(rng.randrange(400, 1000)) / 10_000  # the store pays 4-10%
        commission = (sale_amount * rate).quantize(Decimal("0.01"))
        sales.append(Sale(click_id, occurred_at, sale_amount, commission))
    for first in range(0, rows, 10_000):
        clicks_write(clicks[first : first + 10_000])
    return sales


def wallet_tables_empty() -> None:
    """Truncate what a sync writes. TRUNCATE fires no row triggers, so the ledger's append-only
    guard does not refuse it; this is a throwaway database."""
    from django.db import connection

    from accounts.models import Notification
    from wallet.models import Account, CashbackEvent, Posting, Transaction

    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table)
        for model in (Posting, Transaction, Account, CashbackEvent, Notification)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    # The platform accounts went with the truncate: recreate them (and forget their old ids).
    from wallet.ledger import platform_accounts_create

    platform_accounts_create()


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum does on a production server between
    syncs (they run 6 hours apart). The bench server may run with autovacuum off; without
    this, the planner reads a table of 100,000 events as the empty one it last saw."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def autovacuum_setting() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0]


def deliveries_queued(broker) -> tuple[int, int]:
    """(deliveries, messages) waiting on the bench broker: notifications_send queues its
    deliveries a few hundred a message (accounts.deliver_notifications), notification_send one
    a message."""
    deliveries = 0
    raw_messages = broker.lrange("celery", 0, -1)
    for raw in raw_messages:
        message = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        if message["headers"]["task"] == "accounts.deliver_notifications":
            deliveries += len(kwargs["deliveries"])
        else:
            deliveries += 1
    return deliveries, len(raw_messages)


def broker_queue_clear(broker) -> None:
    # Nothing consumes the bench broker: drop the queued email deliveries between rounds.
    broker.delete("celery")


# --- The network, in a process of its own --------------------------------------------------


def _network_serve(conn) -> None:
    """The loopback networks' process: serves on a port of its own until told to stop, loading
    and changing sales as the benchmark asks through `conn`."""
    from wallet.networks.base import SaleStatus
    from wallet.tests.loopback_networks import LoopbackNetworks

    with LoopbackNetworks() as networks:
        txn_ids: list[str] = []
        conn.send(networks.url)
        while True:
            command, argument = conn.recv()
            reply = None
            if command == "stop":
                return
            if command == "add":
                txn_ids += networks.add_sales(NETWORK, argument)
                reply = list(txn_ids)
            elif command == "statuses":
                for txn_id, status in argument:
                    networks.set_status(NETWORK, txn_id, status)
            elif command == "reset":
                for txn_id in txn_ids:
                    networks.set_status(NETWORK, txn_id, SaleStatus.PENDING)
            elif command == "settings":
                reply = networks.affiliate_settings(page_size=argument)
            conn.send(reply)


class NetworkProcess:
    """The loopback Admitad in a child process (spawned, so it shares nothing with Django's
    connections), driven over a pipe: `add(rows)`, `set_statuses(pairs)`, `reset()`."""

    def __enter__(self) -> "NetworkProcess":
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_network_serve, args=(child,), name="loopback-network", daemon=True
        )
        self.process.start()
        child.close()
        self.url = self._answer()
        return self

    def __exit__(self, *exc_info) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(("stop", None))
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)

    def _answer(self):
        if not self.conn.poll(300):
            raise BenchError("the loopback network process stopped answering")
        return self.conn.recv()

    def _call(self, command: str, argument=None):
        self.conn.send((command, argument))
        return self._answer()

    def add(self, rows: list[dict]) -> list[str]:
        """Load sales; returns every transaction id loaded so far, in order."""
        return self._call("add", rows)

    def set_statuses(self, changes: list[tuple[str, str]]) -> None:
        self._call("statuses", changes)

    def reset(self) -> None:
        """Every sale pending again, as before the first sync."""
        self._call("reset")

    def affiliate_settings(self, *, page_size: int) -> dict:
        return self._call("settings", page_size)


def status_changes(txn_ids: list[str], *, confirm: float, decline: float) -> list[tuple[str, str]]:
    """(transaction id, new status) for `confirm` of the sales confirmed and `decline` of them
    declined, picked at random with a fixed seed."""
    from wallet.networks.base import SaleStatus

    rng = random.Random(SEED + 1)  # noqa: S311 (a fixed pick, nothing secret)
    picked = rng.sample(txn_ids, int(len(txn_ids) * confirm) + int(len(txn_ids) * decline))
    confirmed = int(len(txn_ids) * confirm)
    return [(txn_id, SaleStatus.CONFIRMED) for txn_id in picked[:confirmed]] + [
        (txn_id, SaleStatus.DECLINED) for txn_id in picked[confirmed:]
    ]


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class QueryCount:
    """Statements sent to PostgreSQL, by verb and table; counted, never stored."""

    by_kind: Counter = field(default_factory=Counter)

    TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"')

    def __call__(self, execute, sql, params, many, context):
        head = sql[:2000]
        verb = head.lstrip().split(None, 1)[0].upper() if head.strip() else "?"
        table = self.TABLE.search(head)
        self.by_kind[(verb, table[1] if table else "")] += 1
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class SyncRun:
    seconds: float
    rows: int
    page_ms: list[float]
    queries: QueryCount
    totals: object
    cpu: float  # CPU seconds of this process and of its PostgreSQL backend

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds


def cpu_seconds() -> float:
    """CPU time so far of this process and of its PostgreSQL backend (read from /proc: the
    server runs on this machine): what a sync costs whatever else the machine runs, where
    its wall time moves with the load."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        backend = 0.0  # another machine's server: this process alone
    return time.process_time() + backend


def sync_timed(rows: int, since, until) -> SyncRun:
    """One sync_network over the window. The time of each page's ingest (its transaction,
    while its shoppers' accounts are locked) is taken by wrapping the sync module's reference
    to cashback_ingest: the real service runs, only a clock is read around it."""
    from unittest import mock

    from django.db import connection

    from wallet.networks import sync

    page_ms: list[float] = []
    ingest = sync.cashback_ingest

    def timed_ingest(**kwargs):
        started = time.perf_counter()
        try:
            return ingest(**kwargs)
        finally:
            page_ms.append((time.perf_counter() - started) * 1000)

    queries = QueryCount()
    timing = mock.patch.object(sync, "cashback_ingest", timed_ingest)
    with timing, connection.execute_wrapper(queries):
        cpu = cpu_seconds()
        started = time.perf_counter()
        totals = sync.sync_network(name=NETWORK, since=since, until=until, batch_size=PAGE_SIZE)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
    return SyncRun(seconds, rows, page_ms, queries, totals, cpu)


def subject_check(rows: int, *, confirmed: int, declined: int) -> dict[str, int]:
    """The subject wrote what the live sync must: one matched event per sale, as many
    confirmed and declined as the network changed, and a sound ledger whose pending and
    available balances hold exactly the cashback of the pending and confirmed events."""
    from django.db.models import Sum

    from accounts.models import Notification
    from wallet.ledger import ledger_problems
    from wallet.models import Account, AccountKind, CashbackEvent, CashbackStatus, Transaction

    events = CashbackEvent.objects.count()
    matched = CashbackEvent.objects.filter(user__isnull=False).count()
    if events != rows or matched != rows:
        raise BenchError(f"the sync wrote {events} events ({matched} matched), not {rows}")
    statuses = {
        status: CashbackEvent.objects.filter(status=status).count()
        for status in (CashbackStatus.CONFIRMED, CashbackStatus.DECLINED)
    }
    if statuses != {CashbackStatus.CONFIRMED: confirmed, CashbackStatus.DECLINED: declined}:
        raise BenchError(f"the events' statuses are {statuses}, not {confirmed}/{declined}")
    problems = ledger_problems()
    if problems:
        raise BenchError("ledger_problems() after the sync:\n" + "\n".join(problems[:20]))
    for kind, status in (
        (AccountKind.PENDING, CashbackStatus.PENDING),
        (AccountKind.AVAILABLE, CashbackStatus.CONFIRMED),
    ):
        cashback = CashbackEvent.objects.filter(status=status).aggregate(total=Sum("cashback"))
        balances = Account.objects.filter(user__isnull=False, kind=kind).aggregate(
            total=Sum("balance")
        )
        if balances["total"] != cashback["total"]:
            raise BenchError(
                f"{kind} balances sum to {balances['total']}, the {status} events' cashback "
                f"to {cashback['total']}"
            )
    return {
        "transactions": Transaction.objects.count(),
        "notifications": Notification.objects.count(),
    }


MOVED_COLUMNS = ("status", "confirmed_at", "declined_at", "reversed_at", "updated_at")


def baseline_rows() -> tuple[list[dict], list[tuple]]:
    """The rows as the subject's first sync inserted them (pending), and for each one its
    second sync moved, (row number, status and times as that sync wrote them)."""
    from wallet.models import CashbackEvent, CashbackStatus

    inserts, changes = [], []
    rows = CashbackEvent.objects.order_by("pk").values(*COPIED_FIELDS, "updated_at")
    for number, row in enumerate(rows):
        moved = tuple(row[column] for column in MOVED_COLUMNS)
        inserts.append(
            {
                **{key: value for key, value in row.items() if key != "updated_at"},
                "status": CashbackStatus.PENDING,
                "confirmed_at": None,
                "declined_at": None,
                "reversed_at": None,
            }
        )
        if row["status"] != CashbackStatus.PENDING:
            changes.append((number, *moved))
    return inserts, changes


def baseline_timed(inserts: list[dict], changes: list[tuple]) -> float:
    """Seconds to build and bulk-insert the rows, BASELINE_BATCH a statement, then to update
    the changed rows' status and times by `UPDATE ... FROM (VALUES ...)`, BASELINE_BATCH a
    statement; each statement committed on its own, as each sync page is. The statistics are
    refreshed between the two, untimed, as they are between the subject's syncs."""
    from django.db import connection

    from wallet.models import CashbackEvent

    table = connection.ops.quote_name(CashbackEvent._meta.db_table)
    started = time.perf_counter()
    ids = []
    for first in range(0, len(inserts), BASELINE_BATCH):
        created = CashbackEvent.objects.bulk_create(
            [CashbackEvent(**row) for row in inserts[first : first + BASELINE_BATCH]]
        )
        ids += [event.pk for event in created]
    inserted = time.perf_counter()
    analyze()  # not timed, as between the subject's two syncs
    started += time.perf_counter() - inserted
    with connection.cursor() as cursor:
        for first in range(0, len(changes), BASELINE_BATCH):
            batch = changes[first : first + BASELINE_BATCH]
            values = ", ".join(
                ["(%s, %s, %s::timestamptz, %s::timestamptz, %s::timestamptz, %s::timestamptz)"]
                * len(batch)
            )
            cursor.execute(
                f"UPDATE {table} AS e SET status = v.status, confirmed_at = v.confirmed_at, "  # noqa: S608
                "declined_at = v.declined_at, reversed_at = v.reversed_at, "
                f"updated_at = v.updated_at FROM (VALUES {values}) AS v(id, status, "
                "confirmed_at, declined_at, reversed_at, updated_at) WHERE e.id = v.id",
                [value for number, *moved in batch for value in (ids[number], *moved)],
            )
            if cursor.rowcount != len(batch):
                raise BenchError("the baseline update did not find every changed row")
    seconds = time.perf_counter() - started
    if CashbackEvent.objects.count() != len(inserts):
        raise BenchError("the baseline bulk insert did not write every row")
    return seconds


def ms_percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return f"{at(0.50):.1f}/{at(0.95):.1f}/{at(0.99):.1f}"


def queries_per_page(run: SyncRun) -> str:
    pages = max(1, len(run.page_ms))
    parts = [
        f"{count / pages:.1f} {verb} {table}".rstrip()
        for (verb, table), count in run.queries.by_kind.most_common()
    ]
    return f"{run.queries.total / pages:.1f} per page: " + ", ".join(parts)


def profile_sync(rows: int, since, until, *, name: str) -> None:
    """A sync under cProfile (slower than the timed ones; not reported as a result):
    where the time goes, as the project's own functions by cumulative time and everything by
    time spent inside. The stats file opens with `python -m pstats` or snakeviz."""
    profiler = cProfile.Profile()
    profiler.enable()
    run = sync_timed(rows, since, until)
    profiler.disable()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"cashback_sync_{name}.prof"
    profiler.dump_stats(path)
    print(f"\nprofile of the {name}: {run.seconds:.1f} s under cProfile, {path.relative_to(ROOT)}")
    for order, restriction in (("cumulative", (re.escape(str(ROOT)), 25)), ("tottime", (15,))):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order)
        if order == "cumulative":
            # strip_dirs() would drop the paths the project filter needs: filter first.
            stats = pstats.Stats(profiler, stream=text).sort_stats(order)
        stats.print_stats(*restriction)
        print(text.getvalue().split("\n", 3)[-1].rstrip())


# --- Main -------------------------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=positive_int, default=100_000, help="sales (100000)")
    parser.add_argument("--shoppers", type=positive_int, default=2000, help="shoppers (2000)")
    parser.add_argument("--rounds", type=positive_int, default=1, help="rounds per side (1)")
    parser.add_argument(
        "--confirm", type=share, default=0.3, help="share of sales confirmed in sync 2 (0.3)"
    )
    parser.add_argument(
        "--decline", type=share, default=0.1, help="share of sales declined in sync 2 (0.1)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="then both syncs once more under cProfile"
    )
    args = parser.parse_args(argv)
    if args.confirm + args.decline > 1:
        parser.error("--confirm and --decline add up to more than 1")
    return args


@dataclass
class Round:
    new: SyncRun  # sync 1: every sale new
    moved: SyncRun  # sync 2: some confirmed, some declined, the rest unchanged
    resync: SyncRun  # sync 3: nothing changed
    baseline: float  # seconds

    @property
    def subject_seconds(self) -> float:
        return self.new.seconds + self.moved.seconds


def run(args) -> int:
    import redis

    urls = services_prepare()

    from django.conf import settings
    from django.utils import timezone

    print(
        f"\ncashback_sync: {args.rows:,} {NETWORK} sales over loopback HTTP (pages of "
        f"{PAGE_SIZE}, the network in a process of its own), {args.shoppers:,} shoppers; then "
        f"{args.confirm:.0%} confirmed and {args.decline:.0%} declined; vs bulk writes of the "
        "same rows"
    )
    print("Load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"Services: {without_password(urls['database'])}, {urls['cache']}, {urls['broker']}")
    broker = redis.Redis.from_url(urls["broker"])
    started = time.perf_counter()
    migrate()
    until = timezone.now()
    since = until - datetime.timedelta(days=settings.WALLET_SYNC_LOOKBACK_DAYS)
    shopper_ids = shoppers_create(args.shoppers)
    sales = clicks_and_sales(args.rows, shopper_ids, stores_create(), since, until)
    analyze()
    print(f"Server autovacuum: {autovacuum_setting()} (the run analyzes after setup and each sync)")
    with NetworkProcess() as network:
        txn_ids = network.add(
            [
                {
                    "sub_id": sale.click_id,
                    "sale_amount": sale.sale_amount,
                    "commission": sale.commission,
                    "occurred_at": sale.occurred_at,
                }
                for sale in sales
            ]
        )
        changes = status_changes(txn_ids, confirm=args.confirm, decline=args.decline)
        confirmed = sum(1 for _, status in changes if status == "confirmed")
        declined = len(changes) - confirmed
        settings.AFFILIATE_NETWORKS = network.affiliate_settings(page_size=PAGE_SIZE)
        print(f"Prepared in {time.perf_counter() - started:.0f} s (migrate, shoppers, clicks)")

        rounds: list[Round] = []
        for number in range(1, args.rounds + 1):
            wallet_tables_empty()
            broker_queue_clear(broker)
            network.reset()
            new = sync_timed(args.rows, since, until)
            if new.totals.created != args.rows or new.totals.unmatched:
                raise BenchError(f"sync 1 reported {new.totals}, not {args.rows} created")
            analyze()  # not timed: sync 2 runs hours after sync 1
            network.set_statuses(changes)
            moved = sync_timed(args.rows, since, until)
            if moved.totals.updated != len(changes) or moved.totals.created:
                raise BenchError(f"sync 2 reported {moved.totals}, not {len(changes)} updated")
            queued, messages = deliveries_queued(broker)
            checked = subject_check(args.rows, confirmed=confirmed, declined=declined)
            print(
                f"  round {number} subject  sync 1 (new)   {new.per_second:9.1f} rows/s  "
                f"({new.seconds:.1f} s, CPU {new.cpu:.1f} s, {len(new.page_ms)} pages; ingest "
                f"per page p50/p95/p99 {ms_percentiles(new.page_ms)} ms)"
            )
            print(
                f"  round {number} subject  sync 2 (moves) {len(changes) / moved.seconds:9.1f} "
                f"changes/s ({moved.seconds:.1f} s, CPU {moved.cpu:.1f} s, for {len(changes):,} "
                f"changes in {args.rows:,} rows; ingest per page p50/p95/p99 "
                f"{ms_percentiles(moved.page_ms)} ms); {checked['transactions']:,} ledger "
                f"transactions, {checked['notifications']:,} notifications, {queued:,} emails "
                f"queued in {messages:,} broker messages; ledger sound"
            )
            analyze()
            resync = sync_timed(args.rows, since, until)
            if resync.totals.unchanged != args.rows or resync.totals.created:
                raise BenchError(f"sync 3 reported {resync.totals}, not all unchanged")
            print(
                f"  round {number} re-sync  unchanged      {resync.per_second:9.1f} rows/s  "
                f"({resync.seconds:.1f} s)"
            )
            inserts, moves = baseline_rows()
            wallet_tables_empty()
            baseline = baseline_timed(inserts, moves)
            rounds.append(Round(new, moved, resync, baseline))
            print(
                f"  round {number} subject  both syncs     "
                f"{(args.rows + len(changes)) / rounds[-1].subject_seconds:9.1f} rows/s  "
                f"({rounds[-1].subject_seconds:.1f} s)"
            )
            print(
                f"  round {number} baseline bulk writes    "
                f"{(args.rows + len(changes)) / baseline:9.1f} rows/s  ({baseline:.1f} s: "
                f"{args.rows:,} inserted, {len(moves):,} updated)"
            )
        print(f"  sync 1 queries: {queries_per_page(rounds[-1].new)}")
        print(f"  sync 2 queries: {queries_per_page(rounds[-1].moved)}")
        print(f"  sync 3 queries: {queries_per_page(rounds[-1].resync)}")
        if args.profile:
            wallet_tables_empty()
            broker_queue_clear(broker)
            network.reset()
            profile_sync(args.rows, since, until, name="new")
            analyze()
            network.set_statuses(changes)
            profile_sync(args.rows, since, until, name="moves")
    broker_queue_clear(broker)
    report(args, rounds, len(changes))
    return 0


def report(args, rounds: list[Round], changes: int) -> None:
    rows = args.rows + changes
    subject_rate = statistics.median(rows / r.subject_seconds for r in rounds)
    baseline_rate = statistics.median(rows / r.baseline for r in rounds)
    new_rate = statistics.median(r.new.per_second for r in rounds)
    moved_seconds = statistics.median(r.moved.seconds for r in rounds)
    resync_seconds = statistics.median(r.resync.seconds for r in rounds)
    ratio = subject_rate / baseline_rate
    page_ms = ms_percentiles([ms for r in rounds for run in (r.new, r.moved) for ms in run.page_ms])
    print(f"\nMedian of {args.rounds} round(s) per side; ratio = subject rows/s / baseline rows/s.")
    print(
        f"cashback_sync: {subject_rate:.0f} rows/s vs {baseline_rate:.0f} rows/s of bulk writes, "
        f"ratio {ratio:.3f} ({args.rows:,} new sales at {new_rate:.0f} rows/s, then "
        f"{changes:,} status changes in {moved_seconds:.1f} s); unchanged re-sync "
        f"{resync_seconds:.1f} s ({args.rows / resync_seconds:.0f} rows/s)"
    )
    print("\nRows for the results table in bench/README.md:")
    today = datetime.date.today().isoformat()
    print(
        f"| {today} | cashback_sync: sync_network of {args.rows:,} new pending {NETWORK} sales, "
        f"then of the same window with {args.confirm:.0%} confirmed and {args.decline:.0%} "
        f"declined ({changes:,} changes), over loopback HTTP to a network process, pages of "
        f"{PAGE_SIZE}, {args.shoppers:,} shoppers, PostgreSQL, ledger sound; vs bulk_create "
        f"and UPDATE ... FROM VALUES of the same rows; rows = sales + changes; p50/p95/p99 = "
        f"ingest ms per page | {subject_rate:.0f} | {page_ms} | {baseline_rate:.0f} | "
        f"{ratio:.3f} |"
    )
    print(
        f"| {today} | cashback_sync: third sync of the same window, {args.rows:,} sales "
        f"unchanged ({resync_seconds:.1f} s) | {args.rows / resync_seconds:.0f} | - | - | - |"
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
