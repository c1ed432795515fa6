"""Celery tasks for webhooks: thin wrappers around brands.webhooks.delivery."""

from celery import shared_task

from . import delivery


# No Celery retries: a failed attempt is rescheduled in the row (next_attempt_at) and the
# sweep below queues it when due, so a retry survives a lost message or a broker restart.
@shared_task(name="brands.deliver_webhook")
def deliver_webhook(*, delivery_id: int, attempts: int | None = None) -> str | None:
    return delivery.delivery_attempt(delivery_id=delivery_id, attempts=attempts)


@shared_task(name="brands.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    return delivery.deliveries_due_enqueue()
