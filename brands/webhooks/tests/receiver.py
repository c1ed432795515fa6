"""A brand's webhook receiver on loopback: it checks every delivery's signature with the
sample the Webhooks page documents, and answers with errors on purpose when told to."""

import json
import threading
from http.server import BaseHTTPRequestHandler

from brands.webhooks.receiver import receiver_verify
from coupzii.tests.loopback import LoopbackServer

coupzii_verify = receiver_verify()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        receiver = self.server.loopback
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = dict(self.headers.items())
        verified = coupzii_verify(receiver.secret, headers, body)
        status, answer = receiver.answer(path=self.path, verified=verified)
        receiver.record(path=self.path, headers=headers, body=body, verified=verified)
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", f"{receiver.url}/moved")
        self.send_header("Content-Type", "text/plain")
        encoded = answer.encode()
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format, *args):
        pass


class WebhookReceiver(LoopbackServer):
    """`fail_first` requests answer `fail_status`; then 200 for a verified delivery, 401 for
    one whose signature or timestamp is wrong. `requests` holds what arrived."""

    handler = _Handler
    thread_name = "webhook-receiver"

    def __init__(self, *, secret: str, fail_first: int = 0, fail_status: int = 500, answer_body=""):
        self.secret = secret
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.answer_body = answer_body
        self.requests: list[dict] = []
        self._lock = threading.Lock()

    def answer(self, *, path: str, verified: bool) -> tuple[int, str]:
        with self._lock:
            seen = len(self.requests)
        if seen < self.fail_first:
            return self.fail_status, self.answer_body or "failing on purpose"
        if not verified:
            return 401, "bad signature"
        return 200, self.answer_body or "ok"

    def record(self, *, path: str, headers: dict, body: bytes, verified: bool) -> None:
        with self._lock:
            self.requests.append(
                {
                    "path": path,
                    "headers": headers,
                    "body": body,
                    "json": json.loads(body) if body else None,
                    "verified": verified,
                }
            )

    @property
    def hook_url(self) -> str:
        return f"{self.url}/coupzii/webhooks"
