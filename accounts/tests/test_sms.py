"""The SMS adapter against a loopback server that speaks Twilio's Messages API."""

import base64
import json
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import sms, tasks

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-test-auth-token"
FROM_NUMBER = "+15005550006"
# Twilio's magic test number for "not a valid phone number".
INVALID_NUMBER = "+15005550001"


class FakeTwilio(ThreadingHTTPServer):
    """Twilio's Messages endpoint as far as we use it: POST a form, get JSON back."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), TwilioHandler)
        self.requests: list[dict] = []
        self.outages = 0  # answer this many requests with 503 first

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class TwilioHandler(BaseHTTPRequestHandler):
    server: FakeTwilio

    def log_message(self, format, *args):  # keep the test output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode()
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "form": form}
        )
        if self.server.outages:
            self.server.outages -= 1
            return self._answer(503, {"code": 20500, "message": "Internal Server Error"})
        if self.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            return self._error(404, 20404, f"The requested resource {self.path} was not found")
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            return self._error(401, 20003, "Authenticate")
        if not form.get("Body"):
            return self._error(400, 21602, "Message body is required.")
        if form.get("To") == INVALID_NUMBER:
            return self._error(
                400, 21211, f"The 'To' number {form['To']} is not a valid phone number."
            )
        message_sid = "SM" + secrets.token_hex(16)
        uri = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message_sid}"
        return self._answer(
            201,
            {
                "account_sid": ACCOUNT_SID,
                "api_version": "2010-04-01",
                "body": form["Body"],
                "date_created": "Thu, 24 Jul 2025 05:01:45 +0000",
                "date_sent": None,
                "date_updated": "Thu, 24 Jul 2025 05:01:45 +0000",
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form["From"],
                "messaging_service_sid": None,
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": message_sid,
                "status": "queued",
                "subresource_uris": {"media": f"{uri}/Media.json"},
                "to": form["To"],
                "uri": f"{uri}.json",
            },
        )

    def _error(self, status: int, code: int, message: str):
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return self._answer(status, body)

    def _answer(self, status: int, body: dict):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def twilio(settings):
    server = FakeTwilio()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_BASE_URL = server.base_url
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_locmem_backend_keeps_messages_in_the_outbox():
    message_id = sms.send_sms(to="+919876543210", body="Your Coupzii code is 123456.")

    assert message_id == "locmem-1"
    assert sms.outbox == [{"to": "+919876543210", "body": "Your Coupzii code is 123456."}]


def test_twilio_backend_posts_the_message_and_returns_twilio_sid(twilio):
    body = "Coupzii: ₹150 कैशबैक पक्का हो गया"

    message_sid = sms.send_sms(to="+919876543210", body=body)

    assert message_sid.startswith("SM")
    assert len(message_sid) == 34
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"To": "+919876543210", "From": FROM_NUMBER, "Body": body}


def test_twilio_refusal_raises_sms_rejected_with_twilio_code_and_message(twilio):
    with pytest.raises(sms.SmsRejected) as refused:
        sms.send_sms(to=INVALID_NUMBER, body="Hello")

    assert refused.value.code == 21211
    assert refused.value.status == 400
    assert refused.value.message == f"The 'To' number {INVALID_NUMBER} is not a valid phone number."
    assert not isinstance(refused.value, OSError)  # the task must not retry it


def test_twilio_wrong_credentials_are_refused_not_retried(twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"

    with pytest.raises(sms.SmsRejected) as refused:
        sms.send_sms(to="+919876543210", body="Hello")

    assert (refused.value.status, refused.value.code) == (401, 20003)


def test_twilio_server_error_raises_an_error_the_task_retries(twilio):
    twilio.outages = 1

    with pytest.raises(OSError, match="HTTP 503"):
        sms.send_sms(to="+919876543210", body="Hello")


def test_twilio_unreachable_raises_an_error_the_task_retries(twilio, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.TWILIO_BASE_URL = f"http://127.0.0.1:{port}"

    with pytest.raises(OSError):
        sms.send_sms(to="+919876543210", body="Hello")


def test_send_sms_task_retries_after_a_twilio_outage(twilio):
    twilio.outages = 1

    # throw=False: run it the way a worker would, retrying instead of raising the first error.
    result = tasks.send_sms.apply(kwargs={"to": "+919876543210", "body": "Hello"}, throw=False)

    assert result.get().startswith("SM")
    assert len(twilio.requests) == 2


def test_twilio_backend_refuses_to_start_without_its_settings(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ""

    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        sms.send_sms(to="+919876543210", body="Hello")


def test_send_sms_task_does_not_retry_a_message_twilio_refused(twilio):
    result = tasks.send_sms.apply(kwargs={"to": INVALID_NUMBER, "body": "Hello"}, throw=False)

    assert result.failed()
    assert isinstance(result.result, sms.SmsRejected)
    assert len(twilio.requests) == 1
