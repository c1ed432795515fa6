"""Celery tasks of the shop: thin wrappers around services, each safe to run twice."""

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from accounts.notifications import operators_notify
from coupzii.core.errors import DomainError
from coupzii.core.money import format_inr

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
        except DomainError as refused:
            # One order the gateway can't account for must not stop the sweep for the rest.
            logger.error("could not expire %s: %s", order, refused.message)
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
        if refund.attempts + 1 >= REFUND_ATTEMPTS:
            alert_refund_stuck(refund_id=refund.pk)
            return "gave up"
        return "retry"


@shared_task(name="commerce.send_pending_refunds", ignore_result=True)
def send_pending_refunds() -> int:
    pending = Refund.objects.filter(
        status=RefundStatus.PENDING,
        gateway_refund_id="",
        gateway_amount__gt=0,
        attempts__lt=REFUND_ATTEMPTS,
    ).values_list("pk", flat=True)
    pending = list(pending[:100])
    for refund_id in pending:
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
    """A paid order is waiting for codes."""
    operators_notify(
        title=lambda: _("Order %(number)s is paid but short of codes") % {"number": order_number},
        body=lambda: _("Import codes for its gift card, or fulfil it by hand, from the admin."),
        link="/admin/commerce/order/?q=" + order_number,
    )


@shared_task(name="commerce.alert_refund_stuck", ignore_result=True)
def alert_refund_stuck(*, refund_id: int) -> None:
    """A refund the gateway refused, or that could not be sent after every attempt: the
    shopper is owed money that is not on its way."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    operators_notify(
        title=lambda: _("A refund on order %(number)s is stuck") % {"number": refund.order.number},
        body=lambda: (
            _("%(amount)s was not returned to the card: %(error)s")
            % {"amount": format_inr(refund.gateway_amount), "error": refund.last_error or "-"}
        ),
        link=f"/admin/commerce/refund/{refund.pk}/change/",
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
