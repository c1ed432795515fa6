"""Celery tasks of the shop: thin wrappers around services, each safe to run twice."""

import logging

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notification_send

from .errors import GatewayUnavailable, PaymentInvalid
from .models import Order, OrderStatus, Refund, RefundStatus
from .services import delivery, payments
from .services.cart import carts_delete_stale

logger = logging.getLogger(__name__)
REFUND_ATTEMPTS = 10


@shared_task(name="commerce.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders() -> int:
    """Every minute: orders past their payment deadline are checked with the gateway and
    cancelled if unpaid, which puts their codes back on sale."""
    done = 0
    for order in payments.orders_overdue()[:200]:
        try:
            payments.order_expire(order=order)
            done += 1
        except GatewayUnavailable:
            logger.warning("gateway unavailable while expiring %s; next run retries", order)
    return done


@shared_task(name="commerce.send_refund", ignore_result=True)
def send_refund(*, refund_id: int) -> str:
    refund = Refund.objects.get(pk=refund_id)
    try:
        return payments.refund_send(refund=refund).status
    except (GatewayUnavailable, PaymentInvalid) as exc:
        # The beat task below tries again; the reference we send makes that safe.
        payments.refund_failed_attempt(refund=refund, error=str(exc))
        logger.warning("refund %s not sent: %s", refund.public_id, exc)
        return "retry"


@shared_task(name="commerce.send_pending_refunds", ignore_result=True)
def send_pending_refunds() -> int:
    pending = Refund.objects.filter(
        status=RefundStatus.PENDING,
        gateway_refund_id="",
        gateway_amount__gt=0,
        attempts__lt=REFUND_ATTEMPTS,
    ).values_list("pk", flat=True)
    for refund_id in pending[:100]:
        send_refund(refund_id=refund_id)
    return len(pending)


@shared_task(name="commerce.send_order_codes", ignore_result=True)
def send_order_codes(*, order_id: int) -> None:
    """Fan out: one task per channel, so a retried SMS never sends the email again."""
    order = Order.objects.get(pk=order_id)
    send_order_codes_email.delay(order_id=order_id)
    if order.phone:
        send_order_codes_sms.delay(order_id=order_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_order_codes_email(*, order_id: int) -> None:
    order = Order.objects.select_related("user").get(pk=order_id)
    if order.status == OrderStatus.FULFILLED:
        delivery.order_codes_email(order=order)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_order_codes_sms(*, order_id: int) -> None:
    order = Order.objects.select_related("user").get(pk=order_id)
    if order.status == OrderStatus.FULFILLED:
        delivery.order_codes_sms(order=order)


@shared_task(name="commerce.alert_codes_short", ignore_result=True)
def alert_codes_short(*, order_number: str) -> None:
    """A paid order is waiting for codes: tell every operator, by email too."""
    for operator in User.objects.filter(is_staff=True, is_active=True):
        with translation.override(operator.language):
            title = _("Order %(number)s is paid but short of codes") % {"number": order_number}
        notification_send(
            user=operator,
            kind="operations",
            title=title,
            body=_("Import codes for its gift card, or fulfil it by hand, from the admin."),
            link="/admin/commerce/order/?q=" + order_number,
            channels=("email",),
        )


@shared_task(name="commerce.delete_stale_carts", ignore_result=True)
def delete_stale_carts() -> int:
    return carts_delete_stale()


@shared_task(name="commerce.deliver_dev_webhook", ignore_result=True)
def deliver_dev_webhook(*, body: str, signature: str, event_id: str) -> str:
    """The dev gateway's webhook, delivered through the same service as Razorpay's."""
    return payments.webhook_receive(
        body=body.encode(), signature=signature, event_id=event_id
    ).result
