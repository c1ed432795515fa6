"""SENTRY_DSN turns on error reports; unset, nothing is sent. A loopback server that accepts
Sentry envelopes (POST /api/<project>/envelope/) plays Sentry, so the real SDK runs."""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import sentry_sdk

from coupzii.tests.loopback import LoopbackServer

ROOT = Path(__file__).resolve().parents[2]

# A process on the base settings whose one request fails in a view, as a shopper's might.
FAILING_REQUEST = """
import django, sentry_sdk
django.setup()
from django.test import Client
from django.test.utils import override_settings
with override_settings(ROOT_URLCONF="coupzii.tests.raising_urls", ALLOWED_HOSTS=["testserver"]):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/", HTTP_X_REQUEST_ID="req-12345678")
print(response.status_code, sentry_sdk.get_client().is_active())
sentry_sdk.flush(timeout=10)
"""


class _EnvelopeHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.loopback.receive(self.path, self.headers, body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class LoopbackSentry(LoopbackServer):
    """Keeps the events of every envelope posted to it, with the auth header they came with."""

    handler = _EnvelopeHandler
    thread_name = "loopback-sentry"

    def __init__(self):
        self.events: list[dict] = []
        self.auth_headers: list[str] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def receive(self, path: str, headers, body: bytes) -> None:
        # An envelope: a header line, then (item header line, payload line) pairs.
        lines = body.split(b"\n")
        with self._lock:
            self.paths.append(path)
            self.auth_headers.append(headers.get("X-Sentry-Auth", ""))
            for header_line, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header_line).get("type") == "event":
                    self.events.append(json.loads(payload))

    def dsn(self, key: str = "publickey", project: int = 42) -> str:
        host = self.url.removeprefix("http://")
        return f"http://{key}@{host}/{project}"


def run_failing_request(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="coupzii.settings.base",
        DATABASE_URL="sqlite:///:memory:",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", FAILING_REQUEST],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_with_sentry_dsn_an_unhandled_error_is_reported():
    with LoopbackSentry() as sentry:
        finished = run_failing_request(
            SENTRY_DSN=sentry.dsn(), SENTRY_ENVIRONMENT="staging", SENTRY_RELEASE="abc123"
        )

    assert finished.stdout.split() == ["500", "True"]
    assert sentry.paths and all(path == "/api/42/envelope/" for path in sentry.paths)
    assert "sentry_key=publickey" in sentry.auth_headers[0]
    [event] = [e for e in sentry.events if e.get("level") == "error" and "exception" in e]
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "simulated failure"
    assert event["environment"] == "staging"
    assert event["release"] == "abc123"
    assert event["tags"]["request_id"] == "req-12345678"
    # no personal data: no cookies, no client address
    assert "cookies" not in event.get("request", {})
    assert "ip_address" not in event.get("user", {})


def test_without_sentry_dsn_the_sdk_is_not_started():
    finished = run_failing_request(SENTRY_ENVIRONMENT="staging")

    assert finished.stdout.split() == ["500", "False"]
    # nor in the test process, which runs on the same settings
    assert not sentry_sdk.get_client().is_active()
