"""Till redeem benchmark: 50 tills, each with its own API key, redeeming codes through the real
till API on gunicorn, against one short write per request through the same HTTP stack.

    .venv/bin/python bench/brand_till.py [--duration 10] [--rounds 2] [--clients 50]

It recreates its own database (BENCH_TILL_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/coupzii_bench_till) and uses Redis database 14
(BENCH_TILL_REDIS_URL), so it never collides with bench/run.py. It migrates, then makes two
verified pro brands (25 keys each, the pro tier's limit), each with a unique-code offer, one
book, a budget on the offer (so the budget guard's conditional UPDATE is in the path) and 25
keys; each client gets its own key and its own codes (as each till redeems its own customers'
codes), and one shopper account whose Bearer token the baseline sends.

gunicorn runs deploy/gunicorn.conf.py with DEBUG off (bench.settings: throttles in the path
with limits no run reaches). Each round, baseline then subject, every client one request at a
time for `--duration` seconds:

- subject: POST /api/v1/brand/till/redeem/ with `Authorization: ApiKey czk_...`, a fresh
  Idempotency-Key, a code of the client's, an order amount and two SKUs: key authentication
  (one indexed read, last use written at most once a minute), the code found among the
  brand's books, offers' code_redeem (row lock, audit row, discount), the till guard (the
  brand, webhook subscriptions) and the budget guard (one conditional UPDATE), the answer.
- baseline: POST /bench/one-write/ (bench/urls.py), signed in with a Bearer token: one short
  transaction that locks and updates the caller's own user row.

Ratio = subject redemptions/s / baseline writes/s (medians over the rounds); p50/p95/p99 per
side. Afterwards it checks that every code answered 200 is redeemed once, that the budget's
count equals the redemptions, and that the audit has one ok redeem per answered code.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 (the project root goes on the path first)
    GUNICORN_CONFIG,
    RESULTS_DIR,
    VENV_BIN,
    BenchError,
    check_redis,
    fetch,
    free_port,
    fresh_database,
    last_lines,
    ms_percentiles,
    run_manage,
    server_environment,
    stop_gunicorn,
    without_password,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coupzii_bench_till"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
LOG = RESULTS_DIR / "gunicorn_till.log"
KEYS_PER_BRAND = 25
CODES_PER_CLIENT = 4000
WARMUP_SECONDS = 3
TIMEOUT_SECONDS = 20


def setup_script(clients: int) -> str:
    """Python for `manage.py shell -c`: brands, books, codes, keys and shoppers, as JSON."""
    return f"""
import json
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from accounts.models import User
from accounts.tokens import tokens_issue
from brands.models import Brand, BrandOffer, BrandStatus, BrandStore, Tier
from brands.till import budgets, services
from catalog.models import Merchant
from offers.models import CouponBook, CouponCode, DiscountType, Offer, OfferKind, OfferStatus

clients = {clients}
per_brand = {KEYS_PER_BRAND}
keys, tokens, prefixes = [], [], []
for b in range((clients + per_brand - 1) // per_brand):
    brand = Brand.objects.create(
        name=f"Bench brand {{b}}", slug=f"bench-{{b}}", work_email=f"b{{b}}@bench.test",
        website="https://bench.test", tier=Tier.PRO, status=BrandStatus.VERIFIED,
    )
    merchant = Merchant.objects.create(
        name=f"Bench store {{b}}", slug=f"bench-store-{{b}}", website="https://bench.test",
        tracking_url_template="https://track.bench.test/?sub={{click_id}}",
    )
    BrandStore.objects.create(brand=brand, merchant=merchant)
    offer = Offer.objects.create(
        merchant=merchant, kind=OfferKind.UNIQUE_CODE, title=f"10% off {{b}}",
        discount_type=DiscountType.PERCENTAGE, discount_value=Decimal("10"),
        starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() + timedelta(days=30),
        status=OfferStatus.ACTIVE,
    )
    BrandOffer.objects.create(offer=offer, brand=brand)
    book = CouponBook.objects.create(offer=offer, name="bench", per_user_limit=1)
    budgets.budget_create(brand=brand, offer=offer, max_redemptions=10_000_000)
    for n in range(min(per_brand, clients - b * per_brand)):
        client = b * per_brand + n
        _key, raw = services.api_key_create(brand=brand, name=f"till {{client}}", created_by=None)
        keys.append(raw)
        prefix = f"T{{client:02d}}X"
        prefixes.append(prefix)
        CouponCode.objects.bulk_create(
            (CouponCode(book=book, code=f"{{prefix}}{{i:06d}}") for i in range({CODES_PER_CLIENT})),
            batch_size=5000,
        )
        user = User.objects.create_user(f"baseline{{client}}@bench.test")
        tokens.append(tokens_issue(user=user)["access"])
print("BENCH-TILL " + json.dumps({{"keys": keys, "tokens": tokens, "prefixes": prefixes}}))
"""


def start_gunicorn(environment: dict[str, str]) -> subprocess.Popen:
    """bench/run.py's start, with a log of its own (bench/run.py may be running too)."""
    command = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONFIG), "coupzii.wsgi"]
    with LOG.open("w") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_serving(process: subprocess.Popen, base_url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited:\n{last_lines(LOG.read_text())}")
        try:
            if fetch(base_url + "/bench/bare/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise BenchError(f"gunicorn did not answer:\n{last_lines(LOG.read_text())}")


class Client:
    """One till: its key, its codes (used in order), its baseline token."""

    def __init__(self, key: str, token: str, prefix: str):
        self.key, self.token, self.prefix = key, token, prefix
        self.next_code = 0
        self.redeemed: list[str] = []

    def code(self) -> str:
        if self.next_code >= CODES_PER_CLIENT:
            raise BenchError("a client ran out of codes: raise CODES_PER_CLIENT")
        code = f"{self.prefix}{self.next_code:06d}"
        self.next_code += 1
        return code


def hammer(base_url: str, clients: list[Client], seconds: float, *, subject: bool):
    """Every client POSTs one request at a time for `seconds`; requests finishing after the
    deadline count neither in the rate nor in the latencies (their answers are checked)."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def run(client: Client) -> None:
        while time.monotonic() < deadline and not failures:
            if subject:
                code = client.code()
                url = base_url + "/api/v1/brand/till/redeem/"
                headers = {
                    "Authorization": f"ApiKey {client.key}",
                    "Idempotency-Key": secrets.token_hex(16),
                    "Content-Type": "application/json",
                }
                body = {
                    "code": code,
                    "order_reference": f"POS-{code}",
                    "order_amount": "1499.00",
                    "products": ["SKU-1", "SKU-2"],
                }
            else:
                url = base_url + "/bench/one-write/"
                headers = {
                    "Authorization": f"Bearer {client.token}",
                    "Content-Type": "application/json",
                }
                body = {}
            started = time.perf_counter()
            try:
                status, text = fetch(url, headers, json.dumps(body).encode(), TIMEOUT_SECONDS)
            except OSError as exc:
                failures.append(f"no answer: {exc}")
                return
            elapsed = (time.perf_counter() - started) * 1000
            if status not in (200, 201):
                failures.append(f"{url} {status}: {text[:300]}")
                return
            if subject:
                client.redeemed.append(code)
            if time.monotonic() <= deadline:
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(failures[0])
    p50, p95, p99 = ms_percentiles(latencies)
    return {"per_second": len(latencies) / seconds, "p50": p50, "p95": p95, "p99": p99}


def check_after(environment: dict[str, str], redeemed: int) -> str:
    script = """
from brands.models import Budget
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit
print("BENCH-CHECK", CouponCode.objects.filter(status=CodeStatus.REDEEMED).count(),
      RedemptionAudit.objects.filter(action=AuditAction.REDEEM, ok=True).count(),
      sum(Budget.objects.values_list("redemptions_used", flat=True)))
"""
    output = run_manage(environment, "shell", "-c", script)
    line = next(line for line in output.splitlines() if line.startswith("BENCH-CHECK"))
    codes, audits, budget = (int(n) for n in line.split()[1:])
    if not codes == audits == budget == redeemed:
        raise BenchError(
            f"after the run: {redeemed} answered, {codes} codes redeemed, {audits} ok audit "
            f"rows, budgets counted {budget}"
        )
    return f"{redeemed} redemptions answered = codes redeemed = audit rows = budget count"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args(argv)
    urls = {
        "database": os.environ.get("BENCH_TILL_DATABASE_URL", DEFAULT_DATABASE_URL),
        "cache": os.environ.get("BENCH_TILL_REDIS_URL", DEFAULT_REDIS_URL),
        "broker": "",
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_TILL_REDIS_URL")
    port = free_port()
    environment = server_environment(urls, port)
    # No broker: nothing in a redeem queues a task here (no webhook endpoints).
    environment["CELERY_BROKER_URL"] = ""
    run_manage(environment, "migrate", "--noinput")
    output = run_manage(environment, "shell", "-c", setup_script(args.clients))
    line = next(line for line in output.splitlines() if line.startswith("BENCH-TILL "))
    setup = json.loads(line.removeprefix("BENCH-TILL "))
    columns = (setup["keys"], setup["tokens"], setup["prefixes"])
    clients = [Client(*values) for values in zip(*columns, strict=True)]
    print(f"database {without_password(urls['database'])}, redis {urls['cache']}")
    print(f"{len(clients)} tills, own key and codes each; {args.rounds} x {args.duration} s")
    base_url = f"http://127.0.0.1:{port}"
    process = start_gunicorn(environment)
    try:
        wait_until_serving(process, base_url)
        for subject in (False, True):
            hammer(base_url, clients, WARMUP_SECONDS, subject=subject)
        rounds = {"baseline": [], "subject": []}
        for number in range(1, args.rounds + 1):
            for side in ("baseline", "subject"):
                result = hammer(base_url, clients, args.duration, subject=side == "subject")
                rounds[side].append(result)
                print(
                    f"  round {number} {side:<8} {result['per_second']:8.1f}/s  p50 "
                    f"{result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  "
                    f"p99 {result['p99']:6.1f} ms"
                )
    finally:
        stop_gunicorn(process)
    median = {
        side: {
            field: statistics.median(r[field] for r in results)
            for field in ("per_second", "p50", "p95", "p99")
        }
        for side, results in rounds.items()
    }
    ratio = median["subject"]["per_second"] / median["baseline"]["per_second"]
    print(check_after(environment, sum(len(c.redeemed) for c in clients)))
    print(
        f"till redeem {median['subject']['per_second']:.1f}/s (p50 {median['subject']['p50']:.1f}"
        f" ms, p95 {median['subject']['p95']:.1f} ms, p99 {median['subject']['p99']:.1f} ms) vs "
        f"one write {median['baseline']['per_second']:.1f}/s (p95 "
        f"{median['baseline']['p95']:.1f} ms): ratio {ratio:.3f}"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"brand_till: {error}", file=sys.stderr)
        sys.exit(1)
