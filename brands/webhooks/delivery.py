"""Sending one delivery: sign, POST, record the attempt, schedule the retry or give up.

How a delivery is sent exactly once at a time:

- Every open delivery (pending or retrying) has `next_attempt_at`, when it is due. A task is
  queued for it after the event's commit, and the beat sweep (`deliveries_due`) queues every
  due one each minute, so a lost broker message only delays a delivery.
- Two tasks may therefore hold the same delivery. An attempt first *claims* it: a conditional
  UPDATE that only succeeds while the delivery is open, due, and at the attempt count the task
  was queued with, and that moves `next_attempt_at` a lease into the future. The loser of the
  claim does nothing. A worker that dies mid-request leaves the lease to expire, and the sweep
  sends the delivery again (the receiver de-duplicates by event id).
- The HTTP request runs outside any transaction; its outcome is written in a short one.

Retries follow RETRY_DELAYS (with jitter) for about a day, then the delivery is given up.
An endpoint is disabled, and the brand's owners told, after GIVE_UPS_TO_DISABLE deliveries
given up in a row, or after FAILING_PERIOD_TO_DISABLE of nothing but failures.
"""

import hashlib
import hmac
import json
import random
import time
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from brands.models import DeliveryStatus, Webhook, WebhookDelivery

from . import guard

USER_AGENT = "Coupzii-Webhooks/1"
TIMEOUT_SECONDS = 10
RESPONSE_KEPT = 2000
# After the first attempt fails: 1 min, 5 min, 30 min, 2 h, 6 h, 12 h (20 h 36 min in all,
# at most 22 h 40 min with the jitter), so a delivery is given up within a day.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1
# Longer than the request's timeout: while it runs no other task may take the delivery.
LEASE = timedelta(minutes=2)
GIVE_UPS_TO_DISABLE = 5
FAILING_PERIOD_TO_DISABLE = timedelta(hours=24)
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-Coupzii-Signature value: v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>"))."""
    signed = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def body_bytes(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def request_headers(*, delivery: WebhookDelivery, secret: str, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Coupzii-Event": delivery.event,
        "X-Coupzii-Event-Id": str(delivery.event_id),
        "X-Coupzii-Timestamp": str(timestamp),
        "X-Coupzii-Signature": signature(secret=secret, timestamp=timestamp, body=body),
    }


@dataclass(frozen=True)
class Outcome:
    status: int | None
    body: str
    error: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST once; never raises for the receiver's or the network's failures."""
    refusal = guard.url_refusal(url)
    if refusal:
        return Outcome(status=None, body="", error=refusal)
    try:
        with guard.guarded_session() as session:
            response = session.post(
                url,
                data=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
                stream=True,
            )
            with response:
                text = _response_text(response)
    except guard.PrivateAddress as exc:
        return Outcome(status=None, body="", error=str(exc)[:300])
    except requests.Timeout:
        return Outcome(status=None, body="", error=f"No answer within {TIMEOUT_SECONDS} s.")
    except requests.RequestException as exc:
        return Outcome(status=None, body="", error=f"{type(exc).__name__}: {exc}"[:300])
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    if 300 <= response.status_code < 400:
        error = f"HTTP {response.status_code}: redirects are not followed"
    return Outcome(status=response.status_code, body=text, error=error)


def _response_text(response: requests.Response) -> str:
    # Read no more than we keep, and for no longer than the timeout: a receiver answering
    # with gigabytes, or a byte every few seconds, holds the worker for seconds, not hours.
    deadline = time.monotonic() + TIMEOUT_SECONDS
    raw = b""
    for chunk in response.iter_content(chunk_size=RESPONSE_KEPT):
        raw += chunk
        if len(raw) >= RESPONSE_KEPT * 4 or time.monotonic() > deadline:
            break
    return raw.decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_KEPT]


def delivery_claim(*, delivery_id: int, attempts: int | None = None) -> WebhookDelivery | None:
    """Take the delivery for one attempt (see the module's docstring); None if another task
    has it, it is not due, or it is closed. `attempts` is the count the task was queued at."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(pk=delivery_id, status__in=OPEN, next_attempt_at__lte=now)
    if attempts is not None:
        due = due.filter(attempts=attempts)
    claimed = due.update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook__brand").filter(pk=delivery_id).first()


def delivery_attempt(*, delivery_id: int, attempts: int | None = None) -> str | None:
    """One attempt at sending a delivery: the Celery task's whole body. Returns the status
    the delivery ended in, or None when there was nothing to do."""
    delivery = delivery_claim(delivery_id=delivery_id, attempts=attempts)
    if delivery is None:
        return None
    webhook = delivery.webhook
    if not webhook.active:
        outcome = Outcome(status=None, body="", error="The endpoint is disabled.")
    else:
        body = body_bytes(delivery)
        headers = request_headers(delivery=delivery, secret=webhook.secret, body=body)
        outcome = post(url=webhook.url, body=body, headers=headers)
    return attempt_record(delivery_id=delivery.pk, outcome=outcome)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th attempt failed."""
    base = RETRY_DELAYS[attempts - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (jitter, not a secret)


@transaction.atomic
def attempt_record(*, delivery_id: int, outcome: Outcome) -> str | None:
    """Write one attempt's outcome, and what follows from it for the delivery and endpoint."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        return None  # the endpoint was deleted while its delivery was on the wire
    webhook = (
        Webhook.objects.select_for_update().select_related("brand").get(pk=delivery.webhook_id)
    )
    delivery.last_attempt_at = now
    delivery.response_status = outcome.status
    delivery.response_body = outcome.body
    delivery.error = outcome.error[:300]
    delivery.attempt_log = [
        *delivery.attempt_log,
        {
            "at": now.isoformat(),
            "status": outcome.status,
            "body": outcome.body,
            "error": outcome.error[:300],
        },
    ]
    if outcome.delivered:
        _delivered(delivery, webhook, now)
    else:
        _failed(delivery, webhook, now)
    delivery.save()
    return delivery.status


def _delivered(delivery: WebhookDelivery, webhook: Webhook, now) -> None:
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.next_attempt_at = None
    if webhook.consecutive_failures or webhook.failing_since:
        webhook.consecutive_failures = 0
        webhook.failing_since = None
        webhook.save(update_fields=["consecutive_failures", "failing_since", "updated_at"])


def _failed(delivery: WebhookDelivery, webhook: Webhook, now) -> None:
    from .services import DisabledReason, webhook_disable  # services import this module

    if not webhook.active:
        # Nothing more is tried for an endpoint the brand or we switched off.
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        return
    gave_up = delivery.attempts >= MAX_ATTEMPTS
    if gave_up:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    changed = []
    if webhook.failing_since is None:
        webhook.failing_since = now
        changed.append("failing_since")
    # A delivery sent again by hand after it was given up is not counted a second time.
    if gave_up and delivery.attempts == MAX_ATTEMPTS:
        webhook.consecutive_failures += 1
        changed.append("consecutive_failures")
    if changed:
        webhook.save(update_fields=[*changed, "updated_at"])
    if webhook.consecutive_failures >= GIVE_UPS_TO_DISABLE:
        webhook_disable(webhook=webhook, reason=DisabledReason.GIVE_UPS)
    elif now - webhook.failing_since >= FAILING_PERIOD_TO_DISABLE:
        webhook_disable(webhook=webhook, reason=DisabledReason.FAILING)


SWEEP_BATCH = 1000


def deliveries_due_enqueue() -> int:
    """Queue a task for each open delivery that is due (the beat sweep, every minute):
    retries whose back-off has passed, and any delivery whose first task was lost.

    Rows locked by another sweep or an attempt being recorded are skipped (SKIP LOCKED): two
    beats never queue the same row in one pass, and the claim stops any duplicate anyway.
    """
    from .tasks import deliver_webhook  # tasks import this module

    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status__in=OPEN, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at")
            .values_list("pk", "attempts")[:SWEEP_BATCH]
        )

        def enqueue() -> None:
            for delivery_id, attempts in due:
                deliver_webhook.delay(delivery_id=delivery_id, attempts=attempts)

        transaction.on_commit(enqueue)
    return len(due)
