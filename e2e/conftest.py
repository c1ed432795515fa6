"""Browser journeys: a live gunicorn on PostgreSQL and Redis, driven by Debian's Chromium.

The server runs with DEBUG off on a freshly created database, so the journeys see what a
shopper would. A failing journey leaves a screenshot in e2e/artifacts/.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import psycopg
import pytest
import redis
from cryptography.fernet import Fernet
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "e2e" / "artifacts"
# What the site sends, where journeys can read it: emails as files, SMS in the worker's log.
MAIL_DIR = ARTIFACTS / "mail"
WORKER_LOG = ARTIFACTS / "worker.log"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 800}},
}
DATABASE_URL = os.environ.get("E2E_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coupzii_e2e")
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/2")
BROKER_URL = os.environ.get("E2E_BROKER_URL", "redis://127.0.0.1:6379/5")
# Prometheus: the scraper's token, and each process group's multiprocess folder.
METRICS_TOKEN = "e2e-metrics-token"
METRICS_DIR = Path(tempfile.gettempdir()) / f"coupzii-e2e-metrics-{os.getpid()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str) -> None:
    """Drop and recreate the journey database so every run starts from the same state."""
    info = psycopg.conninfo.conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    name = info.pop("dbname")
    try:
        admin = psycopg.connect(
            **{**info, "dbname": "postgres"}, autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as exc:
        pytest.exit(f"e2e needs PostgreSQL at {url}: {exc}", returncode=2)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def fresh_redis(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    except redis.ConnectionError as exc:
        pytest.exit(f"e2e needs Redis at {url}: {exc}", returncode=2)


def server_env(port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="coupzii.settings.base",
        DEBUG="false",
        SECRET_KEY="e2e-" + Fernet.generate_key().decode(),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=BROKER_URL,
        # django-environ reads filemail:///x as the relative path x (from ROOT, the cwd).
        EMAIL_URL=f"filemail:///{MAIL_DIR.relative_to(ROOT)}",
        SMS_BACKEND="console",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESSLOG="",
        WEB_CONCURRENCY="2",
        # Chromium opens speculative connections that send nothing; each would hold a sync
        # worker until its timeout and stall the journey. Threads absorb them, as nginx does
        # in front of the real site.
        GUNICORN_THREADS="8",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    return env


def metrics_env(env: dict[str, str], group: str) -> dict[str, str]:
    """A process group's own Prometheus multiprocess folder, fresh (as deploy/ mounts one per
    container); manage.py commands run without one."""
    folder = METRICS_DIR / group
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return {**env, "PROMETHEUS_MULTIPROC_DIR": str(folder)}


def worker_env(env: dict[str, str]) -> dict[str, str]:
    return {**metrics_env(env, "worker"), "CELERY_METRICS_PORT": str(free_port())}


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_healthy(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.exit(f"gunicorn exited with {process.returncode} before serving", returncode=2)
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.exit(f"{url}/health/ did not answer 200 within {seconds}s", returncode=2)


def start(command: list[str], env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    output = log.open("w") if log else None
    return subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=15)


@pytest.fixture(scope="session")
def live_env() -> dict[str, str]:
    """The environment the live server runs with (for manage.py commands in journeys)."""
    return server_env(free_port())


@pytest.fixture(scope="session")
def live_worker_env(live_env) -> dict[str, str]:
    """The environment the Celery worker runs with (CELERY_METRICS_PORT is its scrape port)."""
    return worker_env(live_env)


@pytest.fixture(scope="session")
def live_url(live_env, live_worker_env):
    fresh_database(DATABASE_URL)
    fresh_redis(REDIS_URL)
    fresh_redis(BROKER_URL)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.rmtree(MAIL_DIR, ignore_errors=True)
    env = live_env
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "seed_demo", "--force")
    gunicorn = start(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "coupzii.wsgi"],
        metrics_env(env, "web"),
    )
    # The production topology: tasks (SMS, notifications) run in a worker off the broker.
    worker = start(
        [sys.executable, "-m", "celery", "-A", "coupzii", "worker", "--pool", "solo", "-l", "INFO"],
        live_worker_env,
        log=WORKER_LOG,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, gunicorn)
        yield url
    finally:
        stop(gunicorn)
        stop(worker)


def last_email_to(address: str, *, timeout: float = 10) -> str:
    """The body of the newest email the site sent to `address`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(MAIL_DIR.glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True)
        for path in files:
            text = path.read_text()
            if f"To: {address}" in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} within {timeout}s")


def last_sms_code(phone: str, *, after: int = 0, timeout: float = 15) -> str:
    """The 6-digit code in the newest SMS to `phone` that the worker logged after offset `after`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = WORKER_LOG.read_text()[after:]
        codes = re.findall(rf"SMS to {re.escape(phone)}: [^0-9]*(\d{{6}})", log)
        if codes:
            return codes[-1]
        time.sleep(0.2)
    raise AssertionError(f"no SMS to {phone} within {timeout}s")


def worker_log_size() -> int:
    return WORKER_LOG.stat().st_size if WORKER_LOG.exists() else 0


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.exit(f"Chromium not found at {CHROMIUM}: apt-get install chromium", returncode=2)
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh, throwaway user-data dir.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(params=list(DEVICES))
def page(request, browser, live_url):
    """A page in a fresh browser context sized like the device; base_url is the live server."""
    context = browser.new_context(base_url=live_url, locale="en-IN", **DEVICES[request.param])
    # Generous: CI machines share two cores with gunicorn, a worker and PostgreSQL.
    context.set_default_timeout(30_000)
    violations = watch_policy_violations(context)
    page = context.new_page()
    page.device = request.param
    yield page
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=ARTIFACTS / f"{request.node.name}.png", full_page=True, animations="disabled"
        )
    context.close()
    if violations:
        pytest.fail("the browser reported policy violations:\n" + "\n".join(violations))


# What Chromium writes to the console when a page breaks its Content-Security-Policy (a refused
# script, style, frame or connection) or sends a Permissions-Policy it can't parse.
POLICY_VIOLATION = re.compile(r"Content Security Policy|Permissions-Policy|Permissions Policy")


def watch_policy_violations(context) -> list[str]:
    """Collect every policy violation any page of `context` reports, popups included."""
    violations: list[str] = []

    def on_console(message):
        if POLICY_VIOLATION.search(message.text):
            violations.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def on_page_error(error):
        if POLICY_VIOLATION.search(str(error)):
            violations.append(f"page error: {error}")

    def watch(page):
        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    context.on("page", watch)
    return violations


def snapshot(page, name: str) -> None:
    """Keep a screenshot of a passing step for a person to look at (e2e/artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=ARTIFACTS / f"{name}-{page.device}.png", full_page=True, animations="disabled"
    )


def assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the {page.device} screen"


class _StorePage(BaseHTTPRequestHandler):
    """A merchant's landing page: where a click-out ends, with the sub-id in its URL."""

    def do_GET(self):
        body = b"<!doctype html><title>Test store</title><h1>Welcome to the store</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def local_store(live_env: dict[str, str], merchant_slug: str) -> Iterator[str]:
    """Send the merchant's click-outs to a local store page instead of an affiliate network;
    yields the store's base URL (it lands on /landing?sub=<click id>)."""
    server = HTTPServer(("127.0.0.1", 0), _StorePage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    template = f"{url}/landing?sub={{click_id}}"
    script = (
        "from catalog.models import Merchant\n"
        f"m = Merchant.objects.get(slug={merchant_slug!r})\n"
        f"m.tracking_url_template = {template!r}\n"
        "m.save()\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=live_env, check=True
    )
    try:
        yield url
    finally:
        server.shutdown()
