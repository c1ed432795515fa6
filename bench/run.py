"""Benchmark runner: gunicorn with DEBUG off on PostgreSQL and Redis, load from `hey`.

    .venv/bin/python bench/run.py [--duration 10] [--concurrency 16] [--rounds 2] [--only NAME]

Each benchmark compares a subject path with a bare baseline path served by the same gunicorn
process (deploy/gunicorn.conf.py) in the same run. Load comes from `hey` in a separate
process. Measurements alternate baseline, subject, baseline, subject so slow drift (CPU
frequency, noisy neighbours) hits both sides alike; each reported figure is the median of the
rounds. bench/README.md explains the numbers and keeps the results table.
"""

import argparse
import concurrent.futures
import contextlib
import dataclasses
import datetime
import json
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
from cryptography.fernet import Fernet
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
GUNICORN_LOG = RESULTS_DIR / "gunicorn.log"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
VENV_BIN = ROOT / ".venv" / "bin"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coupzii_bench"
# Databases 3 and 4 keep benchmark keys apart from anything else on a shared local Redis.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/4"

# Long enough for every worker to open its PostgreSQL and Redis connections and import
# lazily loaded modules; the numbers from this run are thrown away.
WARMUP_SECONDS = 3
STARTUP_TIMEOUT_SECONDS = 60
# gunicorn's graceful_timeout is 30 s; past that the process group gets SIGKILL.
STOP_TIMEOUT_SECONDS = 40
# Rounds of one side whose req/s differ by more than this fraction get a warning.
UNSTEADY_SPREAD = 0.15


@dataclass(frozen=True)
class Benchmark:
    name: str
    subject: str
    baseline: str
    description: str
    # The subject is requested with the bench user's `Authorization: Bearer` access token.
    signed_in: bool = False
    # Redirects are measured as answered (302), not followed to the store.
    expect_status: int = 200
    # Also measure the subject's p99 at 70% of its peak rate (a latency budget, not a peak).
    rated_p99: bool = False
    # The subject is not one URL but the offers list over many filter, sort and page
    # combinations (offer_list_paths), drawn at random per request by `wrk` and a Lua script
    # (`hey` takes one URL); both sides then go through wrk. Adds the page cache's hit rate
    # and a cold-cache round.
    varied: bool = False


# One entry per benchmark. A new baseline view goes in bench/urls.py next to `bare`.
BENCHMARKS = [
    Benchmark(
        name="health",
        subject="/health/",
        baseline="/bench/bare/",
        description="/health/ (SELECT 1, Redis set+get, broker connect) vs a bare JSON view",
    ),
    Benchmark(
        name="me",
        subject="/api/v1/auth/me/",
        baseline="/bench/me-unauthenticated/",
        description="GET me with a JWT access token vs the same view with no authentication",
        signed_in=True,
    ),
    Benchmark(
        name="offers",
        subject="/api/v1/offers/",
        baseline="/bench/one-query/",
        description=(
            "the offers list API over its filter, sort and page combinations at random, "
            "signed in, vs one query returned as JSON"
        ),
        signed_in=True,
        varied=True,
    ),
    Benchmark(
        name="clickout",
        subject="/go/{offer}/",
        baseline="/bench/redirect/",
        description="the click-out redirect (cached offer, buffered click) vs a bare redirect",
        expect_status=302,
        rated_p99=True,
    ),
]
# Benchmarks that run in a Django process of their own (no gunicorn, no hey), after the rest.
IN_PROCESS = ("checkout", "cashback_sync", "marketplace_browse")
RATED_SHARE = 0.7
CLAIM_CLIENTS = 16
# hey's own default; a stall of several seconds (workers recycling) is measured, not an error.
HAMMER_TIMEOUT_SECONDS = 20
CLAIM_CODES = 60_000


def claim_setup_script(password: str) -> str:
    """A book of CLAIM_CODES codes on a live unique-code offer, and one shopper per client
    (each client claims for its own shopper, one claim at a time, like a person would)."""
    return f"""
import json
from allauth.account.models import EmailAddress
from accounts.models import User
from offers.books import codes_generate
from offers.models import CouponBook
from offers.selectors import offers_live
offer = offers_live().filter(kind="unique_code").order_by("id").first()
book = CouponBook.objects.create(
    offer=offer, name="bench", per_user_limit=30000, code_pattern="BENCH-********"
)
codes_generate(book=book, count={CLAIM_CODES})
emails = []
for n in range({CLAIM_CLIENTS}):
    email = f"claimer{{n}}@coupzii.test"
    user = User.objects.create_user(email, {password!r})
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    emails.append(email)
print("BENCH-CLAIM " + json.dumps({{"offer": str(offer.public_id), "emails": emails}}))
"""


# Python for `manage.py shell -c`: the ids benchmarks put in their paths, the merchant and
# category slugs the offers list is filtered by and how long it caches a page, as JSON.
PATH_VALUES_SCRIPT = """
import json
from catalog.models import Category, Merchant
from offers.api import LIST_CACHE_SECONDS
from offers.selectors import offers_live
offer = offers_live().filter(kind="code").order_by("id").first()
values = {
    "offer": str(offer.public_id),
    "merchants": list(Merchant.objects.order_by("slug").values_list("slug", flat=True)),
    "categories": list(Category.objects.order_by("slug").values_list("slug", flat=True)),
    "page_cache_seconds": LIST_CACHE_SECONDS,
}
print("BENCH-VALUES " + json.dumps(values))
"""

# The user whose token the signed-in benchmarks send; made by the runner, verified email.
BENCH_EMAIL = "bench@coupzii.test"
BENCH_PASSWORD = secrets.token_urlsafe(16)
LOGIN_SAMPLES = 30


def bench_user_script(password: str) -> str:
    """Python for `manage.py shell -c`: the bench user with this password and a verified email."""
    return f"""
from allauth.account.models import EmailAddress
from accounts.models import User
email = {BENCH_EMAIL!r}
user = User.objects.filter(email=email).first() or User.objects.create_user(email)
user.set_password({password!r})
user.save()
defaults = {{"verified": True, "primary": True}}
EmailAddress.objects.update_or_create(user=user, email=email, defaults=defaults)
"""


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    responses: int
    # Offers list pages written to the cache during the measurement: one per page the view
    # had to build (a miss). None where nobody counted.
    cache_fills: int | None = None
    # Workers gunicorn recycled during the measurement (max_requests): each new worker
    # imports the site before it serves, so a round with several answers less.
    worker_restarts: int = 0

    @property
    def hit_rate(self) -> float | None:
        if self.cache_fills is None or not self.responses:
            return None
        return max(0.0, 1 - self.cache_fills / self.responses)


@dataclass(frozen=True)
class Result:
    benchmark: Benchmark
    subject: Measurement
    baseline: Measurement
    rated: Measurement | None = None
    # Varied benchmarks: the subject's first round after the cache was flushed, and how
    # many distinct paths the subject was drawn from.
    cold: Measurement | None = None
    paths: int | None = None

    @property
    def ratio(self) -> float:
        return self.subject.requests_per_second / self.baseline.requests_per_second


class BenchError(Exception):
    """A precondition or a measurement failed; the message says what and how to fix it."""


# --- Services -----------------------------------------------------------------------------


def service_urls() -> dict[str, str]:
    return {
        "database": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        "cache": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        "broker": os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL),
    }


def without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def fresh_database(database_url: str) -> None:
    """Drop and create the benchmark database, so every run measures the same empty schema."""
    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name:
        raise BenchError(f"BENCH_DATABASE_URL names no database: {without_password(database_url)}")
    maintenance_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance_url, autocommit=True, connect_timeout=5) as conn:
            identifier = sql.Identifier(name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    except psycopg.Error as exc:
        raise BenchError(
            f"PostgreSQL is not reachable at {without_password(maintenance_url)} "
            f"(set BENCH_DATABASE_URL): {exc}"
        ) from exc


def check_redis(url: str, role: str, variable: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise BenchError(
            f"Redis ({role}) is not reachable at {without_password(url)} (set {variable}): {exc}"
        ) from exc
    finally:
        client.close()


# --- Load generator -----------------------------------------------------------------------


def ensure_load_generator(command: str) -> str:
    """The path of `hey` or `wrk` (Debian packages of the same names), installed when missing
    and running as root."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError(
            f"The load generator `{command}` is not installed. Install it with "
            f"`sudo apt-get install -y {command}` and run again."
        )
    print(f"Installing {command}: apt-get install -y {command}")
    result = subprocess.run(
        ["apt-get", "install", "-y", command], capture_output=True, text=True, check=False
    )
    found = shutil.which(command)
    if result.returncode != 0 or not found:
        raise BenchError(
            f"`apt-get install -y {command}` failed (an `apt-get update` may be needed first):\n"
            + last_lines(result.stdout + result.stderr)
        )
    return found


def run_hey(
    hey: str,
    url: str,
    seconds: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
    *,
    follow: bool = True,
    rate_per_worker: float | None = None,
) -> str:
    header_flags = [
        flag for name, value in (headers or {}).items() for flag in ("-H", f"{name}: {value}")
    ]
    options = [] if follow else ["-disable-redirects"]
    if rate_per_worker:
        options += ["-q", f"{rate_per_worker:.2f}"]
    command = [hey, "-z", f"{seconds}s", "-c", str(concurrency), *options, *header_flags, url]
    # hey stops itself after -z; the timeout only guards against a wedged server.
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise BenchError(
            f"{' '.join(command)} failed:\n{last_lines(result.stdout + result.stderr)}"
        )
    return result.stdout


def parse_hey(output: str, url: str, expect_status: int = 200) -> Measurement:
    """Read requests/second and the latency percentiles from hey's summary."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    # hey prints "50%% in 0.0123 secs" (a doubled percent sign); accept one or two.
    latencies = dict(re.findall(r"^\s*(\d+)%+ in ([\d.]+) secs", output, re.MULTILINE))
    statuses = {
        int(code): int(count)
        for code, count in re.findall(r"^\s*\[(\d+)\]\s+(\d+) responses", output, re.MULTILINE)
    }
    if not rate or not {"50", "95", "99"} <= latencies.keys():
        raise BenchError(f"Could not read hey's summary for {url}:\n{output}")
    # Any error or non-200 means the run measured something other than the view.
    if "Error distribution:" in output:
        errors = output.split("Error distribution:", 1)[1].strip()
        raise BenchError(f"hey saw request errors on {url}:\n{errors}")
    other = {code: count for code, count in statuses.items() if code != expect_status}
    if other or not statuses:
        raise BenchError(f"{url} answered other than {expect_status} under load: {statuses}")
    return Measurement(
        requests_per_second=float(rate.group(1)),
        p50_ms=float(latencies["50"]) * 1000,
        p95_ms=float(latencies["95"]) * 1000,
        p99_ms=float(latencies["99"]) * 1000,
        responses=statuses[expect_status],
    )


# --- gunicorn -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(urls: dict[str, str], port: int) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            # Fresh throwaway secrets: the development ones are refused with DEBUG off, and
            # the benchmark database holds nothing that must stay readable between runs.
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": urls["database"],
            "REDIS_URL": urls["cache"],
            "CELERY_BROKER_URL": urls["broker"],
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            # An access line per request would cost about as much as the bare view itself.
            "GUNICORN_ACCESSLOG": "",
        }
    )
    return environment


def gunicorn_workers() -> tuple[int, int]:
    """Workers and threads as deploy/gunicorn.conf.py computes them in this environment."""
    config = runpy.run_path(str(GUNICORN_CONFIG))
    return config["workers"], config["threads"]


def run_manage(environment: dict[str, str], *arguments: str) -> str:
    command = [str(VENV_BIN / "python"), "manage.py", *arguments]
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(arguments)} failed:\n{last_lines(result.stdout + result.stderr)}"
        )
    return result.stdout


def path_values(environment: dict[str, str]) -> dict[str, str]:
    """Ids the benchmark paths need (a live offer), read from the seeded database."""
    output = run_manage(environment, "shell", "-c", PATH_VALUES_SCRIPT)
    line = next(line for line in output.splitlines() if line.startswith("BENCH-VALUES "))
    return json.loads(line.removeprefix("BENCH-VALUES "))


def with_values(benchmark: Benchmark, values: dict[str, str]) -> Benchmark:
    return dataclasses.replace(benchmark, subject=benchmark.subject.format(**values))


def start_gunicorn(environment: dict[str, str]) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONFIG), "coupzii.wsgi"]
    # A file, not a pipe: nobody reads the pipe while hey runs, and a full pipe blocks workers.
    with GUNICORN_LOG.open("w") as log:
        # Its own session, so the whole process group (master and workers) can be stopped
        # together, and a Ctrl-C in the terminal reaches only this runner.
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_gunicorn(process: subprocess.Popen) -> None:
    # A second Ctrl-C while stopping would leave workers behind; finish the stop first.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            signal_group(process.pid, signal.SIGKILL)
            process.wait()
        # Workers outlive a master that died abnormally; take out whatever is left.
        signal_group(process.pid, signal.SIGKILL)
    finally:
        signal.signal(signal.SIGINT, previous)


def signal_group(group_id: int, signal_number: int) -> None:
    # The group is gone once every process in it has exited; nothing left to signal.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group_id, signal_number)


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


def fetch(
    url: str, headers: dict[str, str] | None = None, body: bytes | None = None, timeout: int = 10
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
    try:
        # The URL is always http://127.0.0.1:<port>/..., built by this script. Redirects are
        # answers here (the click-out's 302 points at a store we never call).
        with NO_REDIRECTS.open(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def wait_until_serving(process: subprocess.Popen, base_url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"gunicorn exited with status {process.returncode}:\n{last_lines(log_text())}"
            )
        try:
            status, _ = fetch(base_url + "/bench/bare/")
        except OSError:
            status = None
        if status == 200:
            return
        time.sleep(0.25)
    raise BenchError(
        f"gunicorn did not answer within {STARTUP_TIMEOUT_SECONDS} s:\n{last_lines(log_text())}"
    )


def check_paths(base_url: str, benchmarks: list[Benchmark], auth: dict[str, str]) -> None:
    """Every path must answer as expected before load; /health/ names what is down if not."""
    for benchmark in benchmarks:
        for path, headers in (
            (benchmark.baseline, {}),
            (benchmark.subject, subject_headers(benchmark, auth)),
        ):
            status, body = fetch(base_url + path, headers)
            if status != benchmark.expect_status:
                raise BenchError(f"{path} answered {status} before the benchmark:\n{body[:2000]}")


def log_text() -> str:
    return GUNICORN_LOG.read_text(errors="replace") if GUNICORN_LOG.exists() else ""


def last_lines(text: str, count: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


# --- Measuring ----------------------------------------------------------------------------


def median_of(measurements: list[Measurement]) -> Measurement:
    fills = [m.cache_fills for m in measurements]
    return Measurement(
        requests_per_second=statistics.median(m.requests_per_second for m in measurements),
        p50_ms=statistics.median(m.p50_ms for m in measurements),
        p95_ms=statistics.median(m.p95_ms for m in measurements),
        p99_ms=statistics.median(m.p99_ms for m in measurements),
        responses=sum(m.responses for m in measurements),
        # Summed like the responses, so the hit rate is over all the rounds' requests.
        cache_fills=None if None in fills else sum(fills),
        worker_restarts=sum(m.worker_restarts for m in measurements),
    )


def worker_restarts() -> int:
    """Workers gunicorn has recycled so far in this run, as its log says."""
    return log_text().count("Autorestarting worker")


def with_restarts(measurement: Measurement, before: int) -> Measurement:
    return dataclasses.replace(measurement, worker_restarts=worker_restarts() - before)


def subject_headers(benchmark: Benchmark, auth: dict[str, str]) -> dict[str, str]:
    return auth if benchmark.signed_in else {}


def sign_in(
    base_url: str, email: str = BENCH_EMAIL, password: str = BENCH_PASSWORD
) -> tuple[dict[str, str], float]:
    """One API password login: the Bearer header for signed-in benchmarks, and its time in ms."""
    body = json.dumps({"email": email, "password": password}).encode()
    started = time.perf_counter()
    status, text = fetch(
        f"{base_url}/api/v1/auth/login/", {"Content-Type": "application/json"}, body
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        raise BenchError(f"The bench user could not sign in ({status}):\n{text[:1000]}")
    access = re.search(r'"access":\s*"([^"]+)"', text).group(1)
    return {"Authorization": f"Bearer {access}"}, elapsed_ms


def measure_password_logins(base_url: str) -> list[float]:
    """Sequential API logins, one at a time: the latency a person waits, mostly Argon2."""
    print(f"\npassword login: {LOGIN_SAMPLES} sequential POST /api/v1/auth/login/")
    return [sign_in(base_url)[1] for _ in range(LOGIN_SAMPLES)]


def run_benchmark(
    benchmark: Benchmark, hey: str, base_url: str, args, auth: dict[str, str]
) -> Result:
    print(f"\n{benchmark.name}: {benchmark.description}")
    sides = (
        ("baseline", benchmark.baseline, {}),
        ("subject", benchmark.subject, subject_headers(benchmark, auth)),
    )
    follow = benchmark.expect_status == 200
    for _side, path, headers in sides:
        run_hey(hey, base_url + path, WARMUP_SECONDS, args.concurrency, headers, follow=follow)
    rounds: dict[str, list[Measurement]] = {"baseline": [], "subject": []}
    for number in range(1, args.rounds + 1):
        # Alternating the two sides spreads any drift over both instead of one.
        for side, path, headers in sides:
            url = base_url + path
            restarts = worker_restarts()
            output = run_hey(hey, url, args.duration, args.concurrency, headers, follow=follow)
            measurement = with_restarts(parse_hey(output, url, benchmark.expect_status), restarts)
            rounds[side].append(measurement)
            print(f"  round {number} {side:<8} {path:<16} {describe(measurement)}")
    for side, measurements in rounds.items():
        warn_if_unsteady(side, measurements)
    subject = median_of(rounds["subject"])
    rated = None
    if benchmark.rated_p99:
        rated = measure_rated(benchmark, hey, base_url, args, subject.requests_per_second)
    return Result(benchmark, subject, median_of(rounds["baseline"]), rated)


def measure_rated(benchmark: Benchmark, hey: str, base_url: str, args, peak: float) -> Measurement:
    """The subject held at 70% of its peak: the latency a shopper sees on a busy, not a
    saturated, server."""
    rate = peak * RATED_SHARE
    url = base_url + benchmark.subject
    output = run_hey(
        hey,
        url,
        args.duration,
        args.concurrency,
        follow=benchmark.expect_status == 200,
        rate_per_worker=rate / args.concurrency,
    )
    measurement = parse_hey(output, url, benchmark.expect_status)
    print(f"  at {RATED_SHARE:.0%} of peak ({rate:.0f} req/s offered): {describe(measurement)}")
    return measurement


# --- Varied paths: the offers list over many combinations, through wrk --------------------

# Filters of GET /api/v1/offers/ that are not slugs of the seeded catalogue.
OFFER_SORTS = ("popular", "newest", "ending", "cashback")
OFFER_KINDS = ("code", "deal", "unique_code")
OFFER_DISCOUNT_TYPES = ("percentage", "fixed", "bogo", "free_shipping")
OFFER_PAGE_SIZE = 20
# The unfiltered list is also asked for 50 a page, as a "show more" client would.
OFFER_LONG_PAGE_SIZE = 50
WRK_THREADS = 2
# Fills of the offers list cache are recognised by this part of their Redis key
# (KEY_PREFIX:version:api:offers:<catalog version>:<language>:<digest>).
OFFER_PAGE_KEY_PART = b":api:offers:"

# Each request asks for a path drawn at random from the file named after `--`, with the
# headers given by -H; done() prints what the runner reads (latencies in microseconds).
WRK_SCRIPT = """\
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local paths = {}
function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  math.randomseed(tonumber(args[2]) * 100 + id)
end

function request()
  return wrk.format(nil, paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-WRK requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def offer_list_filters(values: dict) -> list[dict[str, str]]:
    """The filter combinations a shopper can pick on the offers list, each to be asked for
    with every sort: none, each merchant, each category, each kind, each discount type, with
    and without cashback, two minimum discounts, and each category with each kind."""
    filters: list[dict[str, str]] = [{}]
    filters += [{"merchant": slug} for slug in values["merchants"]]
    filters += [{"category": slug} for slug in values["categories"]]
    filters += [{"kind": kind} for kind in OFFER_KINDS]
    filters += [{"discount_type": kind} for kind in OFFER_DISCOUNT_TYPES]
    filters += [{"has_cashback": "true"}, {"has_cashback": "false"}]
    filters += [{"min_discount": "10"}, {"min_discount": "25"}]
    filters += [
        {"category": slug, "kind": kind} for slug in values["categories"] for kind in OFFER_KINDS
    ]
    return filters


def offer_list_paths(base_url: str, auth: dict[str, str], values: dict) -> list[str]:
    """Every page of every filter and sort combination that has offers. The first page of
    each is asked for once, to read its `count` (which also fills the cache: it is flushed
    before measuring). Empty lists are left out: they cost the view less than a real page.
    A later page that does not answer (a 404 past the end) stops wrk's run."""
    first_pages = []
    for filters in offer_list_filters(values):
        for sort in OFFER_SORTS:
            first_pages.append({**filters, "sort": sort, "page_size": str(OFFER_PAGE_SIZE)})
            if not filters:
                first_pages.append({"sort": sort, "page_size": str(OFFER_LONG_PAGE_SIZE)})

    def pages_of(query: dict[str, str]) -> list[str]:
        path = "/api/v1/offers/?" + urllib.parse.urlencode(query)
        status, text = fetch(base_url + path, auth)
        if status != 200:
            raise BenchError(f"{path} answered {status} before the benchmark:\n{text[:2000]}")
        count = json.loads(text)["count"]
        pages = -(-count // int(query["page_size"]))
        later = [
            "/api/v1/offers/?" + urllib.parse.urlencode({**query, "page": str(number)})
            for number in range(2, pages + 1)
        ]
        return [path, *later] if count else []

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        paths = [path for found in pool.map(pages_of, first_pages) for path in found]
    return paths


def run_wrk(
    wrk: str,
    base_url: str,
    paths_file: Path,
    seconds: int,
    concurrency: int,
    headers: dict[str, str],
    seed: int,
) -> Measurement:
    """`seconds` of load from `concurrency` connections, each request for a random path of
    `paths_file`; any error or status of 400 and above stops the run."""
    header_flags = [flag for name, value in headers.items() for flag in ("-H", f"{name}: {value}")]
    script = RESULTS_DIR / "varied_paths.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        wrk,
        "-t",
        str(min(WRK_THREADS, concurrency)),
        "-c",
        str(concurrency),
        "-d",
        f"{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        *header_flags,
        base_url + "/",
        "--",
        str(paths_file),
        str(seed),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    figures = re.search(r"^BENCH-WRK (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not figures:
        raise BenchError(
            f"{' '.join(command)} failed:\n{last_lines(result.stdout + result.stderr)}"
        )
    numbers = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", figures.group(1))}
    errors = {
        kind: numbers[kind]
        for kind in ("connect", "read", "write", "status", "timeout")
        if numbers[kind]
    }
    # Any error means the run measured something other than the view (status: 400 and up).
    if errors or not numbers["requests"]:
        raise BenchError(f"wrk saw errors on the paths of {paths_file}: {errors}\n{result.stdout}")
    return Measurement(
        requests_per_second=numbers["requests"] / (numbers["duration_us"] / 1e6),
        p50_ms=numbers["p50_us"] / 1000,
        p95_ms=numbers["p95_us"] / 1000,
        p99_ms=numbers["p99_us"] / 1000,
        responses=numbers["requests"],
    )


class CacheFills:
    """Counts the offers list pages written to the cache: one per request whose page was not
    cached (the view builds the page and stores it), so hits = responses - fills.

    Redis's own keyspace_hits/misses cannot say this: they are counted for the whole server
    (every database, whoever else uses it) and for every read a request makes (the token's
    revoked-login check, the catalog version, the uses-today counters). Instead Redis
    publishes a keyspace event for every SET in the cache's database while the benchmark runs
    (`notify-keyspace-events` gets E and $, and is put back afterwards), and a thread here
    counts those whose key is an offers list page.

    A round's count runs from one `mark()` to the next: each SETs a marker key, and Redis
    publishes events in the order it runs the commands, so the count stops exactly at the
    marker. A page built for a counted response was stored before the response went out, so
    before the load stopped and the marker was set; requests still in the server when wrk
    stopped (it does not count them) mostly finish after the marker."""

    MARK_KEY = b"bench:cache-fills:mark"

    def __init__(self, cache_url: str):
        self.client = redis.Redis.from_url(cache_url)
        database = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"__keyevent@{database}__:set"
        self.previous: str | None = None
        self.fills = 0
        self.at_mark = 0
        self.marked = threading.Event()
        self.lock = threading.Lock()
        self.pubsub = None
        self.thread: threading.Thread | None = None

    def __enter__(self) -> "CacheFills":
        self.previous = self.client.config_get("notify-keyspace-events")["notify-keyspace-events"]
        # E: keyevent channels; $: string commands (SET). A stands for all the classes.
        flags = self.previous + ("" if "E" in self.previous else "E")
        flags += "" if "$" in flags or "A" in flags else "$"
        if flags != self.previous:
            self.client.config_set("notify-keyspace-events", flags)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(**{self.channel: self._count})
        self.thread = self.pubsub.run_in_thread(sleep_time=0.05, daemon=True)
        return self

    def _count(self, message) -> None:
        key = message["data"]
        with self.lock:
            if key.endswith(self.MARK_KEY):
                self.at_mark, self.fills = self.fills, 0
                self.marked.set()
            elif OFFER_PAGE_KEY_PART in key:
                self.fills += 1

    def mark(self) -> int:
        """The fills since the previous mark."""
        self.marked.clear()
        self.client.set(self.MARK_KEY, 1, ex=3600)
        if not self.marked.wait(timeout=30):
            raise BenchError("Redis sent no keyspace event for the marker key within 30 s.")
        with self.lock:
            return self.at_mark

    def __exit__(self, *exc_info) -> None:
        if self.thread:
            self.thread.stop()
            self.thread.join(timeout=5)
        if self.pubsub:
            self.pubsub.close()
        if self.previous is not None:
            self.client.config_set("notify-keyspace-events", self.previous)
        self.client.close()


def run_varied_benchmark(
    benchmark: Benchmark,
    wrk: str,
    base_url: str,
    args,
    auth: dict[str, str],
    values: dict,
    cache_url: str,
) -> Result:
    """The offers list over all its combinations: warm-up, then one round right after the
    cache was flushed (reported on its own), the subject's load until the cache's lifetime
    has passed since the flush, then baseline and subject alternating."""
    print(f"\n{benchmark.name}: {benchmark.description}")
    paths = offer_list_paths(base_url, auth, values)
    subject_file = RESULTS_DIR / f"{benchmark.name}_paths.txt"
    subject_file.write_text("\n".join(paths) + "\n")
    baseline_file = RESULTS_DIR / f"{benchmark.name}_baseline_paths.txt"
    baseline_file.write_text(benchmark.baseline + "\n")
    print(
        f"  {len(paths)} paths: {len(offer_list_filters(values))} filter combinations x "
        f"{len(OFFER_SORTS)} sorts, every page (list in {subject_file.relative_to(ROOT)})"
    )
    sides = (
        ("baseline", baseline_file, {}),
        ("subject", subject_file, subject_headers(benchmark, auth)),
    )
    seeds = iter(range(1, 1000))
    for _side, paths_file, headers in sides:
        run_wrk(wrk, base_url, paths_file, WARMUP_SECONDS, args.concurrency, headers, next(seeds))

    def measure(side: str, paths_file: Path, headers: dict[str, str]) -> Measurement:
        # The previous round's last requests finish before this one starts.
        time.sleep(1)
        fills.mark()
        restarts = worker_restarts()
        measurement = run_wrk(
            wrk, base_url, paths_file, args.duration, args.concurrency, headers, next(seeds)
        )
        built = fills.mark()
        measurement = with_restarts(measurement, restarts)
        return dataclasses.replace(measurement, cache_fills=built if side == "subject" else None)

    rounds: dict[str, list[Measurement]] = {"baseline": [], "subject": []}
    with CacheFills(cache_url) as fills:
        # The whole cache database (pages, catalog version, counters, throttle windows),
        # once the warm-up's last requests have finished.
        time.sleep(1)
        fills.client.flushdb()
        cold = measure(*sides[1])
        print(f"  cold    subject  (cache flushed first) {describe(cold)}")
        # Then the subject's load goes on until a page cached at the flush would have
        # expired, so the measured rounds start from the cache's steady state, not from
        # a cache still filling up.
        filling = values["page_cache_seconds"] - args.duration
        if filling > 0:
            print(f"  filling: {filling} s more of the subject's load (discarded)")
            run_wrk(wrk, base_url, subject_file, filling, args.concurrency, sides[1][2], 999)
        for number in range(1, args.rounds + 1):
            for side, paths_file, headers in sides:
                measurement = measure(side, paths_file, headers)
                rounds[side].append(measurement)
                label = benchmark.subject if side == "subject" else benchmark.baseline
                print(f"  round {number} {side:<8} {label:<16} {describe(measurement)}")
    for side, measurements in rounds.items():
        warn_if_unsteady(side, measurements)
    subject = median_of(rounds["subject"])
    return Result(benchmark, subject, median_of(rounds["baseline"]), cold=cold, paths=len(paths))


def warn_if_unsteady(side: str, measurements: list[Measurement]) -> None:
    # Rounds of one side should agree; when they do not, something else was using the CPU.
    rates = [m.requests_per_second for m in measurements]
    spread = (max(rates) - min(rates)) / max(rates)
    if spread > UNSTEADY_SPREAD:
        recycled = sum(m.worker_restarts for m in measurements)
        cause = (
            f"gunicorn recycled {recycled} worker(s) during them (max_requests) or the machine "
            "was busy"
            if recycled
            else "the machine was busy with something else"
        )
        print(
            f"  warning: {side} rounds differ by {spread:.0%} in req/s; {cause}, so run "
            "again before recording these numbers."
        )


def describe(measurement: Measurement) -> str:
    text = (
        f"{measurement.requests_per_second:9.1f} req/s  "
        f"p50/p95/p99 {percentiles(measurement):>17} ms  "
        f"({measurement.responses} responses)"
    )
    if measurement.hit_rate is not None:
        text += f"  cache hits {measurement.hit_rate:.1%} ({measurement.cache_fills} pages built)"
    if measurement.worker_restarts:
        text += f"  {measurement.worker_restarts} worker(s) recycled"
    return text


def percentiles(measurement: Measurement) -> str:
    return f"{measurement.p50_ms:.1f}/{measurement.p95_ms:.1f}/{measurement.p99_ms:.1f}"


# --- Report -------------------------------------------------------------------------------


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, ["-" * width for width in widths], *rows]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


# --- Claims ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRun:
    per_second: float
    latencies_ms: list[float]
    codes: list[str]


def hammer(
    url: str, client_headers: list[dict[str, str]], seconds: int, *, claims: bool
) -> ClaimRun:
    """POST from one thread per client, one request at a time each, for `seconds`. Claims
    carry a fresh Idempotency-Key each and must answer with a code. As with hey and wrk, the
    requests still running at the deadline count neither in the rate nor in the latencies
    (their answers are still checked)."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    codes: list[str] = []
    failures: list[str] = []

    def client(headers: dict[str, str]) -> None:
        while time.monotonic() < deadline and not failures:
            request_headers = {**headers, "Content-Type": "application/json"}
            if claims:
                request_headers["Idempotency-Key"] = secrets.token_hex(16)
            started = time.perf_counter()
            try:
                status, text = fetch(url, request_headers, b"{}", timeout=HAMMER_TIMEOUT_SECONDS)
            except OSError as exc:
                failures.append(f"no answer within {HAMMER_TIMEOUT_SECONDS} s: {exc}")
                return
            if time.monotonic() <= deadline:
                latencies.append((time.perf_counter() - started) * 1000)
            code = re.search(r'"code":\s*"([^"]+)"', text)
            if status not in (200, 201):
                failures.append(f"{status}: {text[:300]}")
            elif claims and not code:
                failures.append(f"a claim answered {status} without a code: {text[:300]}")
            elif code:
                codes.append(code.group(1))

    threads = [threading.Thread(target=client, args=(headers,)) for headers in client_headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(f"{url} failed under load: {failures[0]}")
    if not latencies:
        raise BenchError(f"{url}: no request finished within {seconds} s")
    return ClaimRun(len(latencies) / seconds, latencies, codes)


def claim_measurement(run: ClaimRun) -> Measurement:
    p50, p95, p99 = ms_percentiles(run.latencies_ms)
    return Measurement(run.per_second, p50, p95, p99, responses=len(run.latencies_ms))


@dataclass(frozen=True)
class ClaimResult:
    subject: Measurement
    baseline: Measurement
    # Codes handed out over the whole benchmark (warm-up included), all of them distinct.
    codes: int

    @property
    def ratio(self) -> float:
        return self.subject.requests_per_second / self.baseline.requests_per_second


def measure_claims(environment: dict[str, str], base_url: str, args) -> ClaimResult:
    """Claims per second from CLAIM_CLIENTS signed-in shoppers at once, against one short
    write transaction per request on each client's own row, signed in the same way: a
    warm-up of both, then baseline and subject alternating for `--rounds` rounds. Then checks
    that no code went out twice."""
    password = secrets.token_urlsafe(16)
    output = run_manage(environment, "shell", "-c", claim_setup_script(password))
    line = next(line for line in output.splitlines() if line.startswith("BENCH-CLAIM "))
    setup = json.loads(line.removeprefix("BENCH-CLAIM "))
    client_headers = [sign_in(base_url, email, password)[0] for email in setup["emails"]]
    claim_path = f"/api/v1/offers/{setup['offer']}/claim/"
    print(
        f"\nclaim: {CLAIM_CLIENTS} signed-in shoppers claiming codes at once vs one write "
        "per POST on each one's own row, signed in the same way"
    )
    sides = (("baseline", "/bench/one-write/", False), ("subject", claim_path, True))
    codes: list[str] = []
    # Every worker opens its connections and loads the views before anything is measured.
    for _side, path, claims in sides:
        codes += hammer(base_url + path, client_headers, WARMUP_SECONDS, claims=claims).codes
    rounds: dict[str, list[Measurement]] = {"baseline": [], "subject": []}
    for number in range(1, args.rounds + 1):
        # Alternating the two sides spreads any drift over both instead of one.
        for side, path, claims in sides:
            restarts = worker_restarts()
            run = hammer(base_url + path, client_headers, args.duration, claims=claims)
            codes += run.codes
            measurement = with_restarts(claim_measurement(run), restarts)
            rounds[side].append(measurement)
            label = "claim" if claims else path
            print(f"  round {number} {side:<8} {label:<18} {describe(measurement)}")
    for side, measurements in rounds.items():
        warn_if_unsteady(side, measurements)
    duplicates = len(codes) - len(set(codes))
    print(f"  {len(codes)} codes handed out, warm-up included; {duplicates} duplicates")
    if duplicates:
        raise BenchError(f"{duplicates} codes were handed out twice")
    return ClaimResult(median_of(rounds["subject"]), median_of(rounds["baseline"]), len(codes))


def ms_percentiles(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return at(0.50), at(0.95), at(0.99)


def print_claim_report(claim: ClaimResult, args) -> None:
    today = datetime.date.today().isoformat()
    subject, baseline = claim.subject, claim.baseline
    print(
        f"claim: {subject.requests_per_second:.0f} claims/s vs "
        f"{baseline.requests_per_second:.0f} writes/s, ratio {claim.ratio:.2f}, "
        f"{claim.codes} codes, 0 duplicates"
    )
    print(
        f"| {today} | claim: POST /api/v1/offers/<id>/claim/ vs /bench/one-write/ (a lock and "
        f"an update of the caller's own row), {CLAIM_CLIENTS} clients signed in with a JWT on "
        f"both sides, {args.rounds} x {args.duration} s per side alternating after a "
        f"{WARMUP_SECONDS} s warm-up, PostgreSQL, 0 duplicates of {claim.codes} | "
        f"{subject.requests_per_second:.0f} | {percentiles(subject)} | "
        f"{baseline.requests_per_second:.0f} | {claim.ratio:.2f} |"
    )


def print_login_report(login_ms: list[float]) -> None:
    ordered = sorted(login_ms)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(
        f"password login: median {statistics.median(login_ms):.1f} ms, p95 {p95:.1f} ms "
        f"over {len(login_ms)} sequential logins"
    )
    today = datetime.date.today().isoformat()
    print(
        f"| {today} | password login: POST /api/v1/auth/login/, {len(login_ms)} sequential | "
        f"- | median {statistics.median(login_ms):.1f} ms, p95 {p95:.1f} ms | - | - |"
    )


def print_report(results: list[Result], setup: str, server: str, args) -> None:
    print(f"\nMedian of {args.rounds} rounds per side; ratio = subject req/s / baseline req/s.")
    headers = [
        "benchmark",
        "subject",
        "req/s",
        "p50/p95/p99 ms",
        "baseline",
        "req/s",
        "p50/p95/p99 ms",
        "ratio",
    ]
    rows = [
        [
            result.benchmark.name,
            subject_label(result),
            f"{result.subject.requests_per_second:.0f}",
            percentiles(result.subject),
            result.benchmark.baseline,
            f"{result.baseline.requests_per_second:.0f}",
            percentiles(result.baseline),
            f"{result.ratio:.2f}",
        ]
        for result in results
    ]
    print(text_table(headers, rows))
    for result in results:
        if result.cold:
            print(
                f"{result.benchmark.name}: page cache hit rate {result.subject.hit_rate:.1%} "
                f"over the subject's rounds; right after a flush "
                f"{result.cold.requests_per_second:.0f} req/s, "
                f"p50/p95/p99 {percentiles(result.cold)} ms, hit rate {result.cold.hit_rate:.1%}"
            )

    print("\nRows for the results table in bench/README.md:")
    today = datetime.date.today().isoformat()
    for result in results:
        benchmark = result.benchmark
        what = f"{benchmark.name}: {subject_label(result)} vs {benchmark.baseline}; {setup}"
        if result.cold:
            what = (
                f"{benchmark.name}: GET {benchmark.subject} over {result.paths} filter, sort "
                f"and page combinations drawn at random, signed in, vs {benchmark.baseline}; "
                f"wrk -t {min(WRK_THREADS, args.concurrency)} -c {args.concurrency} on both "
                f"sides; {server}, {args.rounds} x {args.duration} s per side; "
                f"page cache hit rate {result.subject.hit_rate:.1%}"
            )
        print(
            f"| {today} | {what} | {result.subject.requests_per_second:.0f} | "
            f"{percentiles(result.subject)} | {result.baseline.requests_per_second:.0f} | "
            f"{result.ratio:.2f} |"
        )
        if result.cold:
            print(
                f"| {today} | {benchmark.name}, cold: the first {args.duration} s after "
                f"flushing the cache, page cache hit rate {result.cold.hit_rate:.1%} | "
                f"{result.cold.requests_per_second:.0f} | {percentiles(result.cold)} | - | - |"
            )
        if result.rated:
            print(
                f"| {today} | {benchmark.name} at {RATED_SHARE:.0%} of peak "
                f"({result.rated.requests_per_second:.0f} req/s) | "
                f"{result.rated.requests_per_second:.0f} | {percentiles(result.rated)} | - | - |"
            )


def subject_label(result: Result) -> str:
    if result.paths is None:
        return result.benchmark.subject
    return f"{result.benchmark.subject} ({result.paths} paths)"


# --- Main ---------------------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=positive_int, default=10, help="seconds per measurement (10)"
    )
    parser.add_argument(
        "--concurrency", type=positive_int, default=16, help="concurrent hey clients (16)"
    )
    parser.add_argument(
        "--rounds", type=positive_int, default=2, help="rounds per side, alternating (2)"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        choices=[*(benchmark.name for benchmark in BENCHMARKS), "claim", *IN_PROCESS],
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--orders",
        type=positive_int,
        help="checkouts for the checkout benchmark (bench/checkout.py's default)",
    )
    return parser.parse_args(argv)


def run_checkout(args) -> int:
    """bench/checkout.py in its own process, like the cashback sync: buyer processes (each its
    own Django) and a fresh benchmark database of its own."""
    command = [str(VENV_BIN / "python"), str(ROOT / "bench" / "checkout.py")]
    if args.orders:
        command += ["--orders", str(args.orders)]
    sys.stdout.flush()
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def run_in_process(args) -> int:
    """The in-process benchmarks asked for (both when there is no --only), one after the
    other; the first failure's exit status."""
    statuses = []
    if not args.only or "checkout" in args.only:
        statuses.append(run_checkout(args))
    if not args.only or "cashback_sync" in args.only:
        statuses.append(run_cashback_sync())
    if not args.only or "marketplace_browse" in args.only:
        statuses.append(run_script("marketplace_browse.py"))
    return next((status for status in statuses if status), 0)


def run_script(name: str) -> int:
    """bench/<name> in its own process, with its own database (bench/marketplace_browse.py)."""
    sys.stdout.flush()
    command = [str(VENV_BIN / "python"), str(ROOT / "bench" / name)]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def run_cashback_sync() -> int:
    """bench/cashback_sync.py in its own process: in-process Django, no gunicorn, and a fresh
    benchmark database of its own (so it runs after gunicorn has stopped)."""
    command = [str(VENV_BIN / "python"), str(ROOT / "bench" / "cashback_sync.py")]
    sys.stdout.flush()  # this runner's report first, then the child's
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def run(args) -> int:
    if args.only and set(args.only) <= set(IN_PROCESS):
        return run_in_process(args)
    benchmarks = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    hey = ensure_load_generator("hey")
    wrk = ensure_load_generator("wrk") if any(b.varied for b in benchmarks) else None
    if not (VENV_BIN / "gunicorn").exists():
        raise BenchError(f"{VENV_BIN / 'gunicorn'} is missing: run `make setup` first.")

    urls = service_urls()
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_REDIS_URL")
    check_redis(urls["broker"], "Celery broker", "BENCH_BROKER_URL")

    port = free_port()
    environment = server_environment(urls, port)
    workers, threads = gunicorn_workers()
    server = f"gunicorn {workers} workers x {threads} thread(s)"
    setup = (
        f"{server}, hey -c {args.concurrency}, "
        f"{args.rounds} x {args.duration} s per side, {os.cpu_count()} cores"
    )
    print(f"Setup: {setup}")
    # Load generator and server share these cores: anything else running skews the numbers.
    print("Load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"Services: {without_password(urls['database'])}, {urls['cache']}, {urls['broker']}")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    print("Preparing: migrate, collectstatic")
    run_manage(environment, "migrate", "--noinput")
    run_manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
    run_manage(environment, "shell", "-c", bench_user_script(BENCH_PASSWORD))
    run_manage(environment, "seed_demo", "--force")
    values = path_values(environment)
    benchmarks = [with_values(benchmark, values) for benchmark in benchmarks]

    base_url = f"http://127.0.0.1:{port}"
    process = start_gunicorn(environment)
    try:
        wait_until_serving(process, base_url)
        auth, _first_login_ms = sign_in(base_url)
        check_paths(base_url, benchmarks, auth)
        print(f"gunicorn is serving on {base_url} (log: {GUNICORN_LOG.relative_to(ROOT)})")
        login_ms = measure_password_logins(base_url)
        results = [
            run_varied_benchmark(benchmark, wrk, base_url, args, auth, values, urls["cache"])
            if benchmark.varied
            else run_benchmark(benchmark, hey, base_url, args, auth)
            for benchmark in benchmarks
        ]
        claims = (
            measure_claims(environment, base_url, args)
            if not args.only or "claim" in args.only
            else None
        )
    finally:
        stop_gunicorn(process)
    if results:
        print_report(results, setup, server, args)
    print_login_report(login_ms)
    if claims:
        print_claim_report(claims, args)
    return run_in_process(args)


def exit_on_signal(signal_number: int, frame) -> None:
    # SystemExit unwinds through the `finally` that stops gunicorn.
    raise SystemExit(128 + signal_number)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGHUP, exit_on_signal)
    try:
        return run(args)
    except BenchError as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; gunicorn stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
