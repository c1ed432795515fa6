"""Cashback sync benchmark: a network's sales pulled over HTTP and ingested, against a plain
bulk insert of the same rows, in one process on PostgreSQL.

    .venv/bin/python bench/cashback_sync.py [--rows 100000] [--shoppers 2000] [--rounds 1]
                                            [--profile]

Also run by `bench/run.py --only cashback_sync` and by a full `bench/run.py`. It recreates the
benchmark database (BENCH_DATABASE_URL), migrates it, makes `--shoppers` shoppers and `--rows`
clicks (written by offers' own click writer), and loads the loopback Admitad with one pending
sale per click, spread over the sync's look-back window. Each round then times:

- subject: `wallet.networks.sync.sync_network("admitad", ...)`, the beat task's own path:
  every report page over HTTP, mapping, click matching, CashbackEvents, pending ledger
  credits with cached balances, and a notification per shopper per page (its email delivery
  queued on the Celery broker after each page commits);
- baseline: `CashbackEvent.objects.bulk_create` of the same rows (every field value the sync
  wrote), 500 a statement and a commit, into an emptied table: no HTTP, no ledger;
- and, after the subject, a second sync of the same window, every sale unchanged.

After each subject it checks the result: one event per sale, all matched, `ledger_problems()`
empty, and the shoppers' pending balances summing to the events' cashback. The wallet tables
are truncated before each subject and baseline, so every round starts from the same state.
bench/README.md explains the numbers and keeps the results table.
"""

import argparse
import cProfile
import datetime
import io
import logging
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


def broker_queue_clear(broker) -> None:
    # Nothing consumes the bench broker: drop the queued email deliveries between rounds.
    broker.delete("celery")


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

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds


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
        started = time.perf_counter()
        totals = sync.sync_network(name=NETWORK, since=since, until=until, batch_size=PAGE_SIZE)
        seconds = time.perf_counter() - started
    return SyncRun(seconds, rows, page_ms, queries, totals)


def subject_check(rows: int) -> dict[str, int]:
    """The subject wrote what the live sync must: one matched event per sale and a sound
    ledger whose pending balances hold exactly the events' cashback."""
    from django.db.models import Sum

    from accounts.models import Notification
    from wallet.ledger import ledger_problems
    from wallet.models import Account, AccountKind, CashbackEvent, Transaction

    events = CashbackEvent.objects.count()
    matched = CashbackEvent.objects.filter(user__isnull=False).count()
    if events != rows or matched != rows:
        raise BenchError(f"the sync wrote {events} events ({matched} matched), not {rows}")
    problems = ledger_problems()
    if problems:
        raise BenchError("ledger_problems() after the sync:\n" + "\n".join(problems[:20]))
    cashback = CashbackEvent.objects.aggregate(total=Sum("cashback"))["total"]
    pending = Account.objects.filter(user__isnull=False, kind=AccountKind.PENDING).aggregate(
        total=Sum("balance")
    )["total"]
    if pending != cashback:
        raise BenchError(f"pending balances sum to {pending}, the events' cashback to {cashback}")
    return {
        "transactions": Transaction.objects.count(),
        "notifications": Notification.objects.count(),
        "cashback": cashback,
    }


def baseline_rows() -> list[dict]:
    from wallet.models import CashbackEvent

    return list(CashbackEvent.objects.order_by("pk").values(*COPIED_FIELDS))


def baseline_timed(rows: list[dict]) -> float:
    """Seconds to build and bulk-insert the rows, BASELINE_BATCH a statement, each batch
    committed on its own as each sync page is."""
    from wallet.models import CashbackEvent

    started = time.perf_counter()
    for first in range(0, len(rows), BASELINE_BATCH):
        CashbackEvent.objects.bulk_create(
            [CashbackEvent(**row) for row in rows[first : first + BASELINE_BATCH]]
        )
    seconds = time.perf_counter() - started
    if CashbackEvent.objects.count() != len(rows):
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
    """One more sync under cProfile (slower than the timed ones; not reported as a result):
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


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=positive_int, default=100_000, help="sales (100000)")
    parser.add_argument("--shoppers", type=positive_int, default=2000, help="shoppers (2000)")
    parser.add_argument("--rounds", type=positive_int, default=1, help="rounds per side (1)")
    parser.add_argument(
        "--profile", action="store_true", help="then one more sync under cProfile, printed"
    )
    return parser.parse_args(argv)


def run(args) -> int:
    import redis

    urls = services_prepare()

    from django.conf import settings
    from django.utils import timezone

    from wallet.tests.loopback_networks import LoopbackNetworks

    print(
        f"\ncashback_sync: {args.rows:,} {NETWORK} sales over loopback HTTP (pages of "
        f"{PAGE_SIZE}), {args.shoppers:,} shoppers, vs bulk_create of the same rows"
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
    with LoopbackNetworks() as networks:
        networks.add_sales(
            NETWORK,
            (
                {
                    "sub_id": sale.click_id,
                    "sale_amount": sale.sale_amount,
                    "commission": sale.commission,
                    "occurred_at": sale.occurred_at,
                }
                for sale in sales
            ),
        )
        settings.AFFILIATE_NETWORKS = networks.affiliate_settings(page_size=PAGE_SIZE)
        print(f"Prepared in {time.perf_counter() - started:.0f} s (migrate, shoppers, clicks)")

        subjects: list[SyncRun] = []
        resyncs: list[SyncRun] = []
        baselines: list[float] = []
        copied: list[dict] = []
        for number in range(1, args.rounds + 1):
            wallet_tables_empty()
            broker_queue_clear(broker)
            subject = sync_timed(args.rows, since, until)
            if subject.totals.created != args.rows or subject.totals.unmatched:
                raise BenchError(f"the sync reported {subject.totals}, not {args.rows} created")
            queued = broker.llen("celery")
            checked = subject_check(args.rows)
            subjects.append(subject)
            print(
                f"  round {number} subject  sync_network  {subject.per_second:9.1f} rows/s  "
                f"({subject.seconds:.1f} s, {len(subject.page_ms)} pages; ingest per page "
                f"p50/p95/p99 {ms_percentiles(subject.page_ms)} ms; "
                f"{checked['transactions']:,} ledger transactions, "
                f"{checked['notifications']:,} notifications, {queued:,} emails queued; "
                "ledger sound)"
            )
            resync = sync_timed(args.rows, since, until)
            if resync.totals.unchanged != args.rows or resync.totals.created:
                raise BenchError(f"the re-sync reported {resync.totals}, not all unchanged")
            resyncs.append(resync)
            print(
                f"  round {number} re-sync  unchanged     {resync.per_second:9.1f} rows/s  "
                f"({resync.seconds:.1f} s)"
            )
            if not copied:
                copied = baseline_rows()
            wallet_tables_empty()
            baseline = baseline_timed(copied)
            baselines.append(baseline)
            print(
                f"  round {number} baseline bulk_create   {args.rows / baseline:9.1f} rows/s  "
                f"({baseline:.1f} s)"
            )
        print(f"  subject queries: {queries_per_page(subjects[-1])}")
        print(f"  re-sync queries: {queries_per_page(resyncs[-1])}")
        if args.profile:
            wallet_tables_empty()
            broker_queue_clear(broker)
            profile_sync(args.rows, since, until, name="subject")
            profile_sync(args.rows, since, until, name="resync")
    broker_queue_clear(broker)
    report(args, subjects, resyncs, baselines)
    return 0


def report(args, subjects: list[SyncRun], resyncs: list[SyncRun], baselines: list[float]) -> None:
    subject_rate = statistics.median(run.per_second for run in subjects)
    baseline_rate = statistics.median(args.rows / seconds for seconds in baselines)
    resync_seconds = statistics.median(run.seconds for run in resyncs)
    ratio = subject_rate / baseline_rate
    page_ms = ms_percentiles([ms for run in subjects for ms in run.page_ms])
    queries = subjects[-1].queries.total / max(1, len(subjects[-1].page_ms))
    print(f"\nMedian of {args.rounds} round(s) per side; ratio = subject rows/s / baseline rows/s.")
    print(
        f"cashback_sync: {subject_rate:.0f} rows/s vs {baseline_rate:.0f} rows/s bulk_create, "
        f"ratio {ratio:.3f}; unchanged re-sync {resync_seconds:.1f} s "
        f"({args.rows / resync_seconds:.0f} rows/s); {queries:.0f} queries per page of {PAGE_SIZE}"
    )
    print("\nRows for the results table in bench/README.md:")
    today = datetime.date.today().isoformat()
    print(
        f"| {today} | cashback_sync: sync_network of {args.rows:,} pending {NETWORK} sales over "
        f"loopback HTTP, pages of {PAGE_SIZE}, {args.shoppers:,} shoppers, PostgreSQL, ledger "
        f"sound; vs bulk_create of the same rows; p50/p95/p99 = ingest ms per page | "
        f"{subject_rate:.0f} | {page_ms} | {baseline_rate:.0f} | {ratio:.3f} |"
    )
    print(
        f"| {today} | cashback_sync: second sync of the same window, {args.rows:,} sales "
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
