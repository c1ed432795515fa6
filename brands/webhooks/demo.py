"""Demo data for webhooks: one endpoint per demo brand, with a delivery log to look at.

Each brand gets a second endpoint pointing at the site's development receiver
(`seed_dev_receivers`, embedded default only), which really receives and verifies deliveries.
The first endpoint's URL is on the reserved `.example` domain
(`https://webhooks.<slug>.example/coupzii`), which never resolves, and its log is written as
rows, not sent: three delivered events, one test ping and one event given up after seven
failed attempts, with the answers a real receiver might have given. Nothing in the log is
open, so the beat sweep sends none of it. An event the demo raises later (a redemption at the
till, say) is really queued to this endpoint and fails honestly ("The host name does not
resolve."), retrying as any would; point the endpoint at a receiver of your own to see one
delivered (WEBHOOKS_ALLOW_PRIVATE_URLS=1 lets it be on localhost).

Idempotent: the endpoint is found by its URL, the log rows by their fixed event ids.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from brands.models import DeliveryStatus, Webhook, WebhookDelivery

from . import events
from .events import event_body

# The demo secret is in the source, so it is no secret: fine for an endpoint that cannot
# receive anything.
DEMO_SECRET = "whsec_demo_not_secret"  # noqa: S105
# (event, hours ago, outcome, data): outcome "ok" (200 at once), "late" (500, then 200),
# or "failed" (503 seven times, given up).
LOG = [
    (events.PING, 72, "ok", {"message": "A test event from Coupzii."}),
    (events.CODE_REDEEMED, 50, "ok", {"code": "TILL-DEMO-0001", "order_amount": "1200.00"}),
    (events.CODE_REDEEMED, 26, "late", {"code": "TILL-DEMO-0002", "order_amount": "850.00"}),
    (events.BUDGET_80, 25, "failed", {"budget": "demo", "used_percent": 80}),
    (events.CODE_ROLLED_BACK, 3, "ok", {"code": "TILL-DEMO-0002"}),
]
RETRY_MINUTES = [0, 1, 6, 36, 156, 516, 1236]


def demo_url(brand) -> str:
    return f"https://webhooks.{brand.slug}.example/coupzii"


def seed_webhooks(brands, log=lambda message: None) -> None:
    for brand in brands:
        webhook, created = Webhook.objects.get_or_create(
            brand=brand, url=demo_url(brand), defaults={"secret": DEMO_SECRET, "events": []}
        )
        if created:
            log(f"webhook {webhook.url}")
        for index, entry in enumerate(LOG):
            _delivery(webhook, index, *entry)


def _delivery(webhook, index: int, event: str, hours_ago: int, outcome: str, data: dict):
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{webhook.url}#{index}")
    if WebhookDelivery.objects.filter(webhook=webhook, event_id=event_id).exists():
        return
    created_at = timezone.now() - timedelta(hours=hours_ago)
    body = event_body(event_id=event_id, event=event, brand=webhook.brand, data=data)
    body["created_at"] = created_at.isoformat().replace("+00:00", "Z")
    attempts = _attempts(created_at, outcome)
    last = attempts[-1]
    delivered = outcome != "failed"
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event_id=event_id,
        event=event,
        payload=body,
        status=DeliveryStatus.DELIVERED if delivered else DeliveryStatus.FAILED,
        attempts=len(attempts),
        response_status=last["status"],
        response_body=last["body"],
        error=last["error"],
        delivered_at=datetime.fromisoformat(last["at"]) if delivered else None,
        last_attempt_at=datetime.fromisoformat(last["at"]),
        attempt_log=attempts,
    )
    # created_at is set on insert (auto_now_add): put it back to when the event happened.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=created_at)


def _attempts(created_at, outcome: str) -> list[dict]:
    def attempt(minutes: int, status: int, body: str) -> dict:
        error = "" if 200 <= status < 300 else f"HTTP {status}"
        at = created_at + timedelta(minutes=minutes, seconds=1)
        return {"at": at.isoformat(), "status": status, "body": body, "error": error}

    if outcome == "ok":
        return [attempt(0, 200, '{"received": true}')]
    if outcome == "late":
        return [attempt(0, 500, "Internal Server Error"), attempt(1, 200, '{"received": true}')]
    return [attempt(minutes, 503, "Service Unavailable") for minutes in RETRY_MINUTES]


def seed_dev_receivers(brands, log=lambda message: None) -> None:
    """With the development receiver on (the embedded default), a second endpoint per brand
    that points at it: redeem at the till, or press "Send a test event", and the log shows a
    real delivery and the receiver's answer. Made last, so seeding itself sends nothing."""
    if not settings.WEBHOOKS_DEV_RECEIVER:
        return
    for brand in brands:
        public_id = uuid.uuid5(uuid.NAMESPACE_URL, f"coupzii-dev-receiver:{brand.slug}")
        path = reverse("brands:dev_webhook_receiver", args=[public_id])
        webhook, created = Webhook.objects.get_or_create(
            public_id=public_id,
            defaults={
                "brand": brand,
                "url": settings.SITE_URL.rstrip("/") + path,
                "secret": DEMO_SECRET,
                "events": [],
            },
        )
        if created:
            log(f"webhook {webhook.url} (the site's development receiver)")
