"""Benchmark runner: gunicorn with DEBUG off on PostgreSQL and Redis, load from `hey`.

    .venv/bin/python bench/run.py [--duration 10] [--concurrency 16] [--rounds 2] [--only NAME]

Each benchmark compares a subject path with a bare baseline path served by the same gunicorn
process (deploy/gunicorn.conf.py) in the same run. Load comes from `hey` in a separate
process. Measurements alternate baseline, subject, baseline, subject so slow drift (CPU
frequency, noisy neighbours) hits both sides alike; each reported figure is the median of the
rounds. bench/README.md explains the numbers and keeps the results table.
"""

import argparse
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
        subject="/api/v1/offers/?page_size=20",
        baseline="/bench/one-query/",
        description="the offers list API, 20 a page, signed in, vs one query returned as JSON",
        signed_in=True,
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
IN_PROCESS = ("checkout", "cashback_sync")
RATED_SHARE = 0.7
CLAIM_CLIENTS = 16
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


# Python for `manage.py shell -c`: the ids benchmarks put in their paths, as JSON.
PATH_VALUES_SCRIPT = """
import json
from offers.selectors import offers_live
offer = offers_live().filter(kind="code").order_by("id").first()
print("BENCH-VALUES " + json.dumps({"offer": str(offer.public_id)}))
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


@dataclass(frozen=True)
class Result:
    benchmark: Benchmark
    subject: Measurement
    baseline: Measurement
    rated: Measurement | None = None

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


def ensure_hey() -> str:
    found = shutil.which("hey")
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError(
            "The load generator `hey` is not installed. Install it with "
            "`sudo apt-get install -y hey` and run again."
        )
    print("Installing hey: apt-get install -y hey")
    result = subprocess.run(
        ["apt-get", "install", "-y", "hey"], capture_output=True, text=True, check=False
    )
    found = shutil.which("hey")
    if result.returncode != 0 or not found:
        raise BenchError(
            "`apt-get install -y hey` failed (an `apt-get update` may be needed first):\n"
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
    url: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
    try:
        # The URL is always http://127.0.0.1:<port>/..., built by this script. Redirects are
        # answers here (the click-out's 302 points at a store we never call).
        with NO_REDIRECTS.open(request, timeout=10) as response:
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
    return Measurement(
        requests_per_second=statistics.median(m.requests_per_second for m in measurements),
        p50_ms=statistics.median(m.p50_ms for m in measurements),
        p95_ms=statistics.median(m.p95_ms for m in measurements),
        p99_ms=statistics.median(m.p99_ms for m in measurements),
        responses=sum(m.responses for m in measurements),
    )


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
            output = run_hey(hey, url, args.duration, args.concurrency, headers, follow=follow)
            measurement = parse_hey(output, url, benchmark.expect_status)
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


def warn_if_unsteady(side: str, measurements: list[Measurement]) -> None:
    # Rounds of one side should agree; when they do not, something else was using the CPU.
    rates = [m.requests_per_second for m in measurements]
    spread = (max(rates) - min(rates)) / max(rates)
    if spread > UNSTEADY_SPREAD:
        print(
            f"  warning: {side} rounds differ by {spread:.0%} in req/s; the machine was busy "
            "with something else, so run again before recording these numbers."
        )


def describe(measurement: Measurement) -> str:
    return (
        f"{measurement.requests_per_second:9.1f} req/s  "
        f"p50/p95/p99 {percentiles(measurement):>17} ms  "
        f"({measurement.responses} responses)"
    )


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
    url: str, client_headers: list[dict[str, str]], seconds: int, *, fresh_key: bool
) -> ClaimRun:
    """POST from one thread per client, one request at a time each, for `seconds`."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    codes: list[str] = []
    failures: list[str] = []

    def client(headers: dict[str, str]) -> None:
        while time.monotonic() < deadline and not failures:
            request_headers = {**headers, "Content-Type": "application/json"}
            if fresh_key:
                request_headers["Idempotency-Key"] = secrets.token_hex(16)
            started = time.perf_counter()
            status, text = fetch(url, request_headers, b"{}")
            latencies.append((time.perf_counter() - started) * 1000)
            if status not in (200, 201):
                failures.append(f"{status}: {text[:300]}")
            elif code := re.search(r'"code":\s*"([^"]+)"', text):
                codes.append(code.group(1))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(headers,)) for headers in client_headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(f"{url} failed under load: {failures[0]}")
    return ClaimRun(len(latencies) / (time.monotonic() - started), latencies, codes)


def measure_claims(environment: dict[str, str], base_url: str, args) -> tuple[ClaimRun, ClaimRun]:
    """Claims per second from CLAIM_CLIENTS shoppers at once, against one short write
    transaction per request from the same clients; then checks no code went out twice."""
    password = secrets.token_urlsafe(16)
    output = run_manage(environment, "shell", "-c", claim_setup_script(password))
    line = next(line for line in output.splitlines() if line.startswith("BENCH-CLAIM "))
    setup = json.loads(line.removeprefix("BENCH-CLAIM "))
    client_headers = [sign_in(base_url, email, password)[0] for email in setup["emails"]]
    claim_url = f"{base_url}/api/v1/offers/{setup['offer']}/claim/"
    print(f"\nclaim: {CLAIM_CLIENTS} shoppers claiming codes at once vs one write per POST")
    baseline = hammer(
        f"{base_url}/bench/one-write/", client_headers, args.duration, fresh_key=False
    )
    baseline_ms = ms_percentiles(baseline.latencies_ms)
    print(f"  baseline one-write {baseline.per_second:9.1f} req/s  p50/p95/p99 {baseline_ms} ms")
    subject = hammer(claim_url, client_headers, args.duration, fresh_key=True)
    duplicates = len(subject.codes) - len(set(subject.codes))
    subject_ms = ms_percentiles(subject.latencies_ms)
    print(
        f"  subject  claim {subject.per_second:9.1f} claims/s  p50/p95/p99 {subject_ms} ms  "
        f"({len(subject.codes)} codes, {duplicates} duplicates)"
    )
    if duplicates:
        raise BenchError(f"{duplicates} codes were handed out twice")
    return subject, baseline


def ms_percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return f"{at(0.50):.1f}/{at(0.95):.1f}/{at(0.99):.1f}"


def print_claim_report(subject: ClaimRun, baseline: ClaimRun) -> None:
    today = datetime.date.today().isoformat()
    ratio = subject.per_second / baseline.per_second
    print(
        f"claim: {subject.per_second:.0f} claims/s vs {baseline.per_second:.0f} writes/s, "
        f"ratio {ratio:.2f}, {len(subject.codes)} codes, 0 duplicates"
    )
    print(
        f"| {today} | claim: POST /api/v1/offers/<id>/claim/, {CLAIM_CLIENTS} clients, "
        f"PostgreSQL, 0 duplicates of {len(subject.codes)} | {subject.per_second:.0f} | "
        f"{ms_percentiles(subject.latencies_ms)} | {baseline.per_second:.0f} | {ratio:.2f} |"
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


def print_report(results: list[Result], setup: str, args) -> None:
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
            result.benchmark.subject,
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

    print("\nRows for the results table in bench/README.md:")
    today = datetime.date.today().isoformat()
    for result in results:
        benchmark = result.benchmark
        what = f"{benchmark.name}: {benchmark.subject} vs {benchmark.baseline}; {setup}"
        print(
            f"| {today} | {what} | {result.subject.requests_per_second:.0f} | "
            f"{percentiles(result.subject)} | {result.baseline.requests_per_second:.0f} | "
            f"{result.ratio:.2f} |"
        )
        if result.rated:
            print(
                f"| {today} | {benchmark.name} at {RATED_SHARE:.0%} of peak "
                f"({result.rated.requests_per_second:.0f} req/s) | "
                f"{result.rated.requests_per_second:.0f} | {percentiles(result.rated)} | - | - |"
            )


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
    """bench/checkout.py in its own process, like the cashback sync: buyer threads in one
    in-process Django and a fresh benchmark database of its own."""
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
    return next((status for status in statuses if status), 0)


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
    hey = ensure_hey()
    if not (VENV_BIN / "gunicorn").exists():
        raise BenchError(f"{VENV_BIN / 'gunicorn'} is missing: run `make setup` first.")

    urls = service_urls()
    fresh_database(urls["database"])
    check_redis(urls["cache"], "cache", "BENCH_REDIS_URL")
    check_redis(urls["broker"], "Celery broker", "BENCH_BROKER_URL")

    port = free_port()
    environment = server_environment(urls, port)
    workers, threads = gunicorn_workers()
    setup = (
        f"gunicorn {workers} workers x {threads} thread(s), hey -c {args.concurrency}, "
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
        results = [run_benchmark(benchmark, hey, base_url, args, auth) for benchmark in benchmarks]
        claims = (
            measure_claims(environment, base_url, args)
            if not args.only or "claim" in args.only
            else None
        )
    finally:
        stop_gunicorn(process)
    print_report(results, setup, args)
    print_login_report(login_ms)
    if claims:
        print_claim_report(*claims)
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
