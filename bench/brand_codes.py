"""Brand code generation benchmark: a million unique codes made through the portal's real job
path, against a plain COPY of the same codes into the same table, on PostgreSQL.

    .venv/bin/python bench/brand_codes.py [--codes 1000000] [--rounds 1] [--pattern ...]

It recreates its own database (BENCH_CODES_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coupzii_bench_codes, so it never collides with
bench/run.py's coupzii_bench), migrates it, and makes a pro brand with a unique-code offer and
one book. Each round then times, on an emptied codes table:

- subject: `brands.books.services.codes_generate_start` (the book page's and the API's
  service): the tier and pattern checks under the book's lock, the BrandJob, and on commit the
  Celery task `brands.run_book_job` (run eagerly in this process: no broker is set) that
  generates the codes in chunks of 50,000, each chunk one transaction holding the book's write
  lock: it looks up which of its codes the book has (one probe of the unique index per
  50,000), COPYs the others in, writes its audit row and the job's progress.
  Codes/s = codes / (time until the job is done).
- baseline: the same codes, read back after the subject, written into the same table by one
  `COPY offers_couponcode (...) FROM STDIN` of the rows in COPY's text format, in one
  transaction: the fastest way PostgreSQL takes rows, with the same indexes, constraints and
  foreign-key checks to maintain. Codes/s = codes / time (formatting the rows included).

Between sides the codes (and the book's audit rows) are deleted and the table vacuumed and
analyzed, so both sides write into the same empty table. After the subject it checks that the
book holds exactly `--codes` distinct codes, all spelled from the pattern's unambiguous
alphabet, and that the job is done with `processed` = `--codes`.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 (the project root goes on the path first)
    BenchError,
    check_redis,
    fresh_database,
    server_environment,
    without_password,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coupzii_bench_codes"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
TARGET_SECONDS = 60


def services_prepare() -> dict[str, str]:
    urls = {
        "database": os.environ.get("BENCH_CODES_DATABASE_URL", DEFAULT_DATABASE_URL),
        "cache": os.environ.get("BENCH_CODES_REDIS_URL", DEFAULT_REDIS_URL),
        "broker": "",
    }
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_CODES_REDIS_URL")
    environment = server_environment(urls, port=0)
    # No broker: Celery runs the job's task eagerly, in this process, on commit (the task's
    # body is the worker's; only the hop through Redis is left out).
    environment["CELERY_BROKER_URL"] = ""
    os.environ.update(environment)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return urls


def fixtures(pattern: str):
    """A verified pro brand owning a store with a unique-code offer, an editor, one book."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from brands.models import Brand, BrandOffer, BrandStatus, BrandStore, Membership, Role, Tier
    from catalog.models import Merchant
    from offers.models import CouponBook, DiscountType, Offer, OfferKind, OfferStatus

    merchant = Merchant.objects.create(
        name="Bench Brand Store", slug="bench-brand-store", website="https://store.example/"
    )
    brand = Brand.objects.create(
        name="Bench Brand",
        slug="bench-brand",
        work_email="bench@brand.example",
        website="https://brand.example/",
        tier=Tier.PRO,
        status=BrandStatus.VERIFIED,
    )
    BrandStore.objects.create(brand=brand, merchant=merchant)
    offer = Offer.objects.create(
        merchant=merchant,
        kind=OfferKind.UNIQUE_CODE,
        title="Bench unique codes",
        discount_type=DiscountType.PERCENTAGE,
        starts_at=timezone.now() - timedelta(days=1),
        status=OfferStatus.ACTIVE,
    )
    BrandOffer.objects.create(offer=offer, brand=brand)
    user = User.objects.create(email="editor@brand.example", full_name="Bench Editor")
    membership = Membership.objects.create(brand=brand, user=user, role=Role.EDITOR)
    book = CouponBook.objects.create(offer=offer, name="Bench book", code_pattern=pattern)
    return membership, book


def empty_codes() -> None:
    """Empty the codes and audit tables (this database holds the one book), then VACUUM
    ANALYZE, so each side writes into the same empty table with fresh statistics."""
    from django.db import connection

    from offers.models import CouponCode, RedemptionAudit

    codes, audit = CouponCode._meta.db_table, RedemptionAudit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {codes}, {audit} CASCADE")
        cursor.execute(f"VACUUM ANALYZE {codes}")


def subject(membership, book, count: int) -> float:
    from django.db import transaction

    from brands.books import services
    from brands.models import BrandJob, JobStatus

    started = time.perf_counter()
    with transaction.atomic():
        job = services.codes_generate_start(
            membership=membership, book=book, count=count, actor=membership.user
        )
    seconds = time.perf_counter() - started
    job = BrandJob.objects.get(pk=job.pk)
    if job.status != JobStatus.DONE or job.processed != count:
        raise BenchError(f"the job ended {job.status} with {job.processed:,} of {count:,}")
    return seconds


def check_codes(book, count: int, pattern: str) -> list[str]:
    from offers.models import CouponCode
    from offers.services import DIGITS, LETTERS

    codes = list(CouponCode.objects.filter(book=book).values_list("code", flat=True))
    if len(codes) != count or len(set(codes)) != count:
        raise BenchError(f"the book holds {len(codes):,} codes ({len(set(codes)):,} distinct)")
    spelled = "".join(
        f"[{DIGITS}]"
        if char == "#"
        else f"[{LETTERS}]"
        if char == "?"
        else f"[{DIGITS}{LETTERS}]"
        if char == "*"
        else re.escape(char)
        for char in pattern
    )
    matcher = re.compile(spelled)
    if not all(matcher.fullmatch(code) for code in codes):
        raise BenchError("a code is not spelled from the pattern's alphabet")
    return codes


def baseline(book, codes: list[str]) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from offers.models import CouponCode

    now = timezone.now().isoformat()
    table = CouponCode._meta.db_table
    started = time.perf_counter()
    # The rows as COPY's text format in one go: the fastest a client can hand them over.
    text = "".join(f"{book.pk}\t{code}\tavailable\t0\t{now}\t{now}\n" for code in codes)
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {table} (book_id, code, status, redemption_count, created_at, updated_at) "
            "FROM STDIN"
        ) as copy,
    ):
        copy.write(text)
    seconds = time.perf_counter() - started
    written = CouponCode.objects.filter(book=book).count()
    if written != len(codes):
        raise BenchError(f"COPY wrote {written:,} of {len(codes):,}")
    return seconds


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=1_000_000, help="codes (1000000)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per side (1)")
    parser.add_argument(
        "--pattern",
        default="ZOMA-####-????",
        help="the book's code pattern (ZOMA-####-????: 1.1e9 codes possible)",
    )
    return parser.parse_args(argv)


def run(args) -> int:
    urls = services_prepare()
    print(
        f"\nbrand_codes: {args.codes:,} codes from {args.pattern!r} through the job path vs a "
        f"COPY of the same codes; {args.rounds} round(s); "
        f"database {without_password(urls['database'])}"
    )
    membership, book = fixtures(args.pattern)
    subject_rates, baseline_rates, subject_times = [], [], []
    for round_number in range(1, args.rounds + 1):
        empty_codes()
        seconds = subject(membership, book, args.codes)
        codes = check_codes(book, args.codes, args.pattern)
        subject_times.append(seconds)
        subject_rates.append(args.codes / seconds)
        empty_codes()
        copy_seconds = baseline(book, codes)
        baseline_rates.append(args.codes / copy_seconds)
        print(
            f"round {round_number}: job {seconds:.1f} s ({args.codes / seconds:,.0f} codes/s), "
            f"COPY {copy_seconds:.1f} s ({args.codes / copy_seconds:,.0f} codes/s)"
        )
    subject_rate = statistics.median(subject_rates)
    baseline_rate = statistics.median(baseline_rates)
    job_seconds = statistics.median(subject_times)
    verdict = "met" if job_seconds <= TARGET_SECONDS else "NOT met"
    print(
        f"\nsubject (job path): {subject_rate:,.0f} codes/s, {job_seconds:.1f} s "
        f"(target at most {TARGET_SECONDS} s: {verdict}; load average {os.getloadavg()[0]:.1f})"
        f"\nbaseline (COPY):    {baseline_rate:,.0f} codes/s"
        f"\nratio subject/baseline: {subject_rate / baseline_rate:.3f}"
    )
    print(
        f"\n| brand_codes | {args.codes:,} | {job_seconds:.1f} s | {subject_rate:,.0f}/s | "
        f"{baseline_rate:,.0f}/s | {subject_rate / baseline_rate:.3f} |"
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
