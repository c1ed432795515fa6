"""Celery tasks of the shop: thin wrappers around services, each safe to run twice."""

from celery import shared_task

from .services import delivery, fulfilment, payments, refunds
from .services.cart import carts_delete_stale


@shared_task(name="commerce.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders() -> int:
    """Every minute: payables (orders, and any other app's) past their payment deadline are
    checked with the gateway and closed if unpaid, which puts an order's codes back on sale."""
    return payments.payables_expire_overdue()


@shared_task(name="commerce.send_refund", ignore_result=True)
def send_refund(*, refund_id: int) -> str:
    return refunds.refund_send_or_retry(refund_id=refund_id)


@shared_task(name="commerce.send_pending_refunds", ignore_result=True)
def send_pending_refunds() -> int:
    return refunds.refunds_send_pending()


@shared_task(name="commerce.send_order_codes", ignore_result=True)
def send_order_codes(*, order_id: int) -> None:
    """Fan out: one task per channel, so a retried SMS never sends the email again."""
    for channel in delivery.order_codes_channels(order_id=order_id):
        task = send_order_codes_email if channel == "email" else send_order_codes_sms
        task.delay(order_id=order_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_order_codes_email(*, order_id: int) -> None:
    delivery.order_codes_send(order_id=order_id, channel="email")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_order_codes_sms(*, order_id: int) -> None:
    delivery.order_codes_send(order_id=order_id, channel="sms")


@shared_task(name="commerce.alert_codes_short", ignore_result=True)
def alert_codes_short(*, order_number: str) -> None:
    """A paid order is waiting for codes."""
    fulfilment.order_codes_short_tell(order_number=order_number)


@shared_task(name="commerce.alert_refund_stuck", ignore_result=True)
def alert_refund_stuck(*, refund_id: int) -> None:
    """A refund the gateway refused, or that could not be sent after every attempt: the
    payer is owed money that is not on its way."""
    refunds.refund_stuck_tell(refund_id=refund_id)


@shared_task(name="commerce.delete_stale_carts", ignore_result=True)
def delete_stale_carts() -> int:
    return carts_delete_stale()


@shared_task(name="commerce.deliver_dev_webhook", ignore_result=True)
def deliver_dev_webhook(*, body: str, signature: str, event_id: str) -> str:
    """The dev gateway's webhook, delivered through the same service as Razorpay's."""
    return payments.webhook_receive(
        body=body.encode(), signature=signature, event_id=event_id
    ).result
