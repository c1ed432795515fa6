"""Sending text messages: one small adapter, the backend chosen by SMS_BACKEND.

`console` prints messages (the embedded default), `locmem` keeps them in `outbox` for tests,
`twilio` sends them through Twilio's Messages API (TWILIO_* settings).

Errors: `SmsRejected` means the provider refused this message (bad number, unverified
sender ...) and retrying will not help. `SmsProviderUnavailable` and the `requests` errors
(connection refused, timeouts) are OSError subclasses, which the Celery task retries.
"""

import logging

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

BACKENDS = {
    "console": "accounts.sms.ConsoleBackend",
    "locmem": "accounts.sms.LocmemBackend",
    "twilio": "accounts.sms.TwilioBackend",
}

outbox: list[dict[str, str]] = []


class SmsRejected(Exception):
    """The provider refused the message for a reason a retry will not fix."""

    def __init__(self, message: str, *, code: int | str | None = None, status: int | None = None):
        self.message = message
        self.code = code
        self.status = status
        super().__init__(f"SMS rejected (HTTP {status}, code {code}): {message}")


class SmsProviderUnavailable(OSError):
    """The provider failed or asked us to slow down (5xx, 429): try again later."""


class ConsoleBackend:
    def send(self, *, to: str, body: str) -> str:
        logger.info("SMS to %s: %s", to, body)
        return "console"


class LocmemBackend:
    def send(self, *, to: str, body: str) -> str:
        outbox.append({"to": to, "body": body})
        return f"locmem-{len(outbox)}"


class TwilioBackend:
    """Twilio's Messages API over plain HTTPS: POST form fields, basic auth (SID, token)."""

    API_VERSION = "2010-04-01"
    # Connect fast, but give Twilio time to answer: a read timeout after the request reached
    # it may still have queued the message, so a retry can (rarely) send it twice.
    TIMEOUT = (5, 20)

    def __init__(self):
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        if not (self.account_sid and self.auth_token and self.from_number):
            raise ImproperlyConfigured(
                "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER."
            )
        base_url = settings.TWILIO_BASE_URL.rstrip("/")
        self.url = f"{base_url}/{self.API_VERSION}/Accounts/{self.account_sid}/Messages.json"

    def send(self, *, to: str, body: str) -> str:
        """Queue one message at Twilio; returns its message SID ("SM...").

        Raises SmsRejected (4xx but 429), SmsProviderUnavailable (5xx, 429), and the
        `requests` connection and timeout errors (all OSError subclasses).
        """
        response = requests.post(
            self.url,
            data={"To": to, "From": self.from_number, "Body": body},
            auth=(self.account_sid, self.auth_token),
            timeout=self.TIMEOUT,
        )
        if response.status_code >= 500 or response.status_code == 429:
            raise SmsProviderUnavailable(
                f"Twilio answered HTTP {response.status_code}; the message will be retried."
            )
        payload = _json_or_empty(response)
        if response.status_code >= 400:
            raise SmsRejected(
                str(payload.get("message") or response.reason or "Twilio refused the message."),
                code=payload.get("code"),
                status=response.status_code,
            )
        message_sid = payload.get("sid")
        if not message_sid:
            raise SmsProviderUnavailable("Twilio answered without a message sid.")
        logger.info("SMS queued at Twilio: %s (%s)", message_sid, payload.get("status"))
        return message_sid


def _json_or_empty(response: requests.Response) -> dict:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def get_backend():
    return import_string(BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND))()


def send_sms(*, to: str, body: str) -> str:
    """Send one message now; returns the provider's message id. Call it from a task."""
    return get_backend().send(to=to, body=body)
