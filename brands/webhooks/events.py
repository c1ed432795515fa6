"""The events a brand's webhooks receive, and `event_emit`, which every area calls to send one.

An event is written as one `WebhookDelivery` row per subscribed endpoint inside the caller's
transaction, and handed to Celery only after that transaction commits: a redemption that rolls
back sends nothing, and a committed one is never lost, because a row that no task picked up is
found again by the beat sweep (`tasks.deliveries_due`).
"""

import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, DeliveryStatus, Webhook, WebhookDelivery

CODE_REDEEMED = "code.redeemed"
CODE_ROLLED_BACK = "code.rolled_back"
BOOK_EXHAUSTED = "book.exhausted"
BUDGET_80 = "budget.80"
BUDGET_100 = "budget.100"
COUPON_APPROVED = "coupon.approved"
# Sent only on request, to one endpoint, from the portal's "send a test event".
PING = "ping"

# The events an endpoint may subscribe to, with what the portal says about each.
EVENT_CHOICES = [
    (CODE_REDEEMED, _("A code was redeemed")),
    (CODE_ROLLED_BACK, _("A redemption was rolled back")),
    (BOOK_EXHAUSTED, _("A book ran out of codes")),
    (BUDGET_80, _("A budget reached 80%")),
    (BUDGET_100, _("A budget was used up")),
    (COUPON_APPROVED, _("A coupon was approved")),
]
EVENTS = frozenset(name for name, _label in EVENT_CHOICES)


def event_body(*, event_id: uuid.UUID, event: str, brand: Brand, data: dict) -> dict:
    """What the endpoint receives, as stored on the delivery: the same bytes on every retry."""
    # Decimals, dates and UUIDs become strings once, here, so the stored payload is plain JSON.
    plain_data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return {
        "id": str(event_id),
        "event": event,
        "created_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "brand": brand.slug,
        "data": plain_data,
    }


def event_emit(*, brand: Brand, event: str, data: dict) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of `brand` subscribed to it (an endpoint with
    no events listed receives all). Call it inside your own transaction: the rows are written
    there, and the sending starts only once it commits. The deliveries share one fresh
    `event_id`, which the receiver uses to de-duplicate retries.

    Returns the deliveries written (none when no endpoint wants the event).
    Raises ValueError for an event name that is not one of `EVENTS`.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    endpoints = [
        webhook
        for webhook in Webhook.objects.filter(brand=brand, active=True).order_by("pk")
        if not webhook.events or event in webhook.events
    ]
    if not endpoints:
        return []
    return deliveries_create(brand=brand, webhooks=endpoints, event=event, data=data)


def deliveries_create(
    *, brand: Brand, webhooks: list[Webhook], event: str, data: dict
) -> list[WebhookDelivery]:
    """One delivery per webhook for one new event, sent after the commit."""
    event_id = uuid.uuid4()
    body = event_body(event_id=event_id, event=event, brand=brand, data=data)
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                webhook=webhook,
                event_id=event_id,
                event=event,
                payload=body,
                status=DeliveryStatus.PENDING,
                # Due at once: if the task queued after the commit is lost, the beat sweep
                # sends it.
                next_attempt_at=now,
            )
            for webhook in webhooks
        ]
    )
    delivery_ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=delivery_ids))
    return deliveries


def deliveries_enqueue(*, delivery_ids: list[int], attempts: int = 0) -> None:
    """Queue one task per delivery; `attempts` is the count they stand at now, so that of
    two tasks for one delivery (this one and the sweep's) only one makes the attempt."""
    from . import tasks  # the tasks module imports the delivery code, which imports this one

    for delivery_id in delivery_ids:
        tasks.deliver_webhook.delay(delivery_id=delivery_id, attempts=attempts)
