"""Payment reports from the gateway: the shopper's browser (verify, with Razorpay's
signature), webhooks (signed over the raw body), and our own check of unpaid orders at the
deadline. They may arrive in any order and any number of times; whichever comes first marks
the order paid and the others change nothing, because each one takes the order's row lock and
looks at the order's status and the payment's id before acting.
"""

import hashlib
import logging
import re
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from coupzii.core import metrics
from coupzii.core.money import from_paise, to_paise
from coupzii.core.parsers import UnsafeJson, loads_checked
from wallet import ledger
from wallet.models import AccountKind, TransactionKind

from ..errors import OrderNotFound, PaymentInvalid, WebhookInvalid
from ..gateways import MAX_ID_LENGTH, GatewayPayment, gateway
from ..models import (
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from .fulfilment import (
    money_lock,
    order_cancel,
    order_lock,
    order_mark_paid,
    refund_late_capture,
)

logger = logging.getLogger(__name__)
S = OrderStatus
PROVIDER = "razorpay"
# The start of a refused event's `result`; the rest is why.
REFUSED = "refused: "


# --- The browser's report ----------------------------------------------------------------------


def payment_verify(*, user: User, gateway_order_id: str, payment_id: str, signature: str) -> Order:
    """Check what Razorpay Checkout handed the shopper's browser and, if it holds, mark the
    order paid. Raises OrderNotFound (not the caller's order) and PaymentInvalid (bad
    signature, or the gateway reports another order, amount or currency); nothing is written
    when either is raised."""
    payment = _payment_of(user, gateway_order_id)
    provider = gateway()
    if not provider.payment_signature_valid(
        order_id=payment.gateway_order_id, payment_id=payment_id, signature=signature
    ):
        raise PaymentInvalid(
            _(
                "The payment signature doesn't match. Nothing was charged twice; "
                "if money left your account it will be refunded."
            )
        )
    recorded = Payment.objects.filter(gateway=payment.gateway, gateway_payment_id=payment_id)
    if recorded.exclude(status=PaymentStatus.CREATED).exists():
        return payment.order  # a retry, or the webhook came first: nothing more to do
    reported = provider.payment_fetch(payment_id)
    _check_matches(payment, reported)
    if reported.status == "authorized":
        reported = provider.payment_capture(reported)
    # Only a capture counts: a payment we've never seen that is already refunded (from the
    # gateway's dashboard, say) paid for nothing.
    if reported.status != "captured":
        raise PaymentInvalid(_("The gateway has not confirmed this payment yet."))
    return payment_captured(payment=payment, reported=reported, source="verify")


def payment_report_failure(*, user: User, gateway_order_id: str, payment_id: str) -> Order:
    """The browser says the payment failed. The browser is not trusted: the gateway is asked,
    and only a payment it reports as failed fails the order."""
    payment = _payment_of(user, gateway_order_id)
    if not payment_id:
        return payment.order
    reported = gateway().payment_fetch(payment_id)
    if reported.order_id != payment.gateway_order_id:
        raise PaymentInvalid()
    if reported.status == "failed":
        return payment_failed(payment=payment, reported=reported)
    return payment.order


def _payment_of(user: User, gateway_order_id: str) -> Payment:
    payment = (
        Payment.objects.select_related("order")
        .filter(gateway_order_id=gateway_order_id or "-", order__user=user)
        .order_by("pk")
        .first()
    )
    if payment is None:
        raise OrderNotFound()
    return payment


def _check_matches(payment: Payment, reported: GatewayPayment) -> None:
    if (
        reported.order_id != payment.gateway_order_id
        or reported.amount_paise != payment.amount_paise
        or reported.currency != "INR"
    ):
        raise PaymentInvalid(_("This payment doesn't match the order's amount."))


# --- Capture and failure, whoever reports them -------------------------------------------------


@transaction.atomic
def payment_captured(*, payment: Payment, reported: GatewayPayment, source: str) -> Order:
    """Record a captured payment against its order, once. A capture for an order that is
    closed, or already paid by another payment, is refunded in full."""
    order = order_lock(payment.order)
    existing = Payment.objects.filter(
        gateway=payment.gateway, gateway_payment_id=reported.id
    ).first()
    if existing and existing.status != PaymentStatus.CREATED:
        return order  # this capture was recorded before
    money_lock(order)
    payment = Payment.objects.get(pk=payment.pk)
    if payment.gateway_payment_id and payment.gateway_payment_id != reported.id:
        # A second successful payment on one gateway order: its own row, and refunded.
        payment = Payment.objects.create(
            order=order,
            gateway=payment.gateway,
            gateway_order_id=payment.gateway_order_id,
            amount_paise=reported.amount_paise,
        )
    payment.gateway_payment_id = reported.id
    payment.status = PaymentStatus.CAPTURED
    payment.method = reported.method
    payment.raw = [*payment.raw, {"source": source, "payment": reported.raw}]
    payment.save()
    ledger.transaction_post(
        kind=TransactionKind.ORDER_PAYMENT,
        idempotency_key=f"payment:{payment.pk}:capture",
        legs=[
            (ledger.platform_account(AccountKind.GATEWAY), -_rupees(payment)),
            (ledger.platform_account(AccountKind.ESCROW), _rupees(payment)),
        ],
        reference_type="order",
        reference_id=order.number,
        memo=reported.id,
    )
    if order.status == S.PENDING_PAYMENT and not _paid_by_other(order, payment):
        return order_mark_paid(
            order=order,
            note=lambda: _("Paid online (%(method)s).") % {"method": reported.method or "gateway"},
        )
    refund_late_capture(order=order, payment=payment)
    return order


def _paid_by_other(order: Order, payment: Payment) -> bool:
    return order.payments.filter(status=PaymentStatus.CAPTURED).exclude(pk=payment.pk).exists()


def _rupees(payment: Payment):
    return from_paise(payment.amount_paise)


@transaction.atomic
def payment_failed(*, payment: Payment, reported: GatewayPayment) -> Order:
    order = order_lock(payment.order)
    Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
        error=reported.error[:255], updated_at=timezone.now()
    )
    return order_cancel(order=order, status=S.FAILED, note=reported.error)


# --- Webhooks ----------------------------------------------------------------------------------


def webhook_receive(*, body: bytes, signature: str, event_id: str) -> WebhookEvent:
    """Check a Razorpay webhook's signature and apply it, once per event id. The event row and
    its effect commit together, so a crash between them can't lose or double either.

    Raises WebhookInvalid for a bad signature (nothing written), and for a signed body we
    can't apply (not JSON, `NaN` or `1e999`, a NUL, fields of the wrong shape): then only the
    event is kept, unprocessed and marked refused, for operators to read in the admin; a
    repeat of it is refused again.
    """
    if not gateway().webhook_signature_valid(body=body, signature=signature):
        metrics.WEBHOOK_FAILURES.labels(provider=PROVIDER, reason="signature").inc()
        raise WebhookInvalid(_("Bad webhook signature."))
    event_id = (event_id or "").strip()[:64] or "sha256:" + hashlib.sha256(body).hexdigest()[:57]
    try:
        payload, event_type = _event_read(body)
        return _event_apply(event_id=event_id, event_type=event_type, payload=payload)
    except WebhookInvalid as refusal:
        _event_keep_refused(event_id=event_id, body=body, refusal=refusal)
        metrics.WEBHOOK_FAILURES.labels(provider=PROVIDER, reason="unreadable").inc()
        raise


def _event_read(body: bytes) -> tuple[dict, str]:
    try:
        payload = loads_checked(body)
        event_type = str(payload["event"])[:64]
    except UnsafeJson as exc:
        raise WebhookInvalid(str(exc)) from None
    except (ValueError, KeyError, TypeError):
        raise WebhookInvalid(_("The webhook body is not a Razorpay event.")) from None
    return payload, event_type


def _event_apply(*, event_id: str, event_type: str, payload: dict) -> WebhookEvent:
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                provider=PROVIDER, event_id=event_id, event_type=event_type, payload=payload
            )
            event.result = _apply(event_type, payload)[:255]
            event.processed_at = timezone.now()
            event.save(update_fields=["result", "processed_at"])
            return event
    except IntegrityError:
        # Delivered before: the first delivery's row (and its effect) stand.
        existing = WebhookEvent.objects.filter(provider=PROVIDER, event_id=event_id).first()
        if existing is None:
            raise
        if existing.processed_at is None and existing.result.startswith(REFUSED):
            raise WebhookInvalid(existing.result.removeprefix(REFUSED)) from None
        return existing


def _event_keep_refused(*, event_id: str, body: bytes, refusal: WebhookInvalid) -> None:
    """Keep a signed event we could not apply, with nothing else: its effect rolled back.

    The body is kept as text, since what made it unreadable (NaN, 1e999, a NUL) can't be
    stored as JSON either; `processed` stays empty so the admin's filter finds it."""
    text = body.decode("utf-8", errors="replace").replace("\x00", "\\u0000")
    with transaction.atomic():
        WebhookEvent.objects.get_or_create(
            provider=PROVIDER,
            event_id=event_id,
            defaults={
                "event_type": _event_type_of(text),
                "payload": {"body_as_received": text},
                "result": f"{REFUSED}{refusal.message}"[:255],
            },
        )


def _event_type_of(text: str) -> str:
    # What the body says its event is, as far as a regex can tell, for the admin's filter.
    match = re.search(r'"event"\s*:\s*"([a-z_.]{1,64})"', text)
    return match[1] if match else "unreadable"


def _apply(event_type: str, payload: dict) -> str:
    if event_type in ("payment.captured", "order.paid", "payment.failed"):
        try:
            reported = GatewayPayment.from_entity(_entity(payload, "payment"))
        except PaymentInvalid:
            raise WebhookInvalid(_("The webhook's payment can't be read.")) from None
        payment = (
            Payment.objects.select_related("order")
            .filter(gateway_order_id=reported.order_id or "-")
            .order_by("pk")
            .first()
        )
        if payment is None:
            return "ignored: no order of ours"
        if event_type == "payment.failed":
            payment_failed(payment=payment, reported=reported)
            return "payment failed"
        try:
            _check_matches(payment, reported)
        except PaymentInvalid:
            logger.error("Webhook capture %s doesn't match its order's amount", reported.id)
            return "refused: amount or currency differs"
        payment_captured(payment=payment, reported=reported, source="webhook")
        return "captured"
    if event_type in ("refund.processed", "refund.failed"):
        return _refund_update(
            _entity(payload, "refund"), processed=event_type.endswith("processed")
        )
    return "ignored: event type"


def _entity(payload: dict, name: str) -> dict:
    try:
        entity = payload["payload"][name]["entity"]
    except (KeyError, TypeError):
        raise WebhookInvalid(_("The webhook has no %(name)s.") % {"name": name}) from None
    if not isinstance(entity, dict):
        raise WebhookInvalid()
    return entity


def _refund_update(entity: dict, *, processed: bool) -> str:
    refund_id = str(entity.get("id") or "")
    if not refund_id:
        return "ignored: unknown refund"
    if len(refund_id) > MAX_ID_LENGTH:
        raise WebhookInvalid(_("The refund's id is longer than Razorpay's ids."))
    # By the gateway's id, or by our reference in its notes: the webhook can overtake the
    # gateway's answer to refund_send, before that id is stored. refund_send holds the
    # refund's row lock until it has stored the answer, so this waits for it.
    found = Q(gateway_refund_id=refund_id)
    reference = _uuid(_notes(entity).get("coupzii_refund"))
    if reference:
        found |= Q(public_id=reference, gateway_refund_id__in=["", refund_id])
    refund = Refund.objects.select_for_update().filter(found).first()
    if refund is None:
        return "ignored: unknown refund"
    refund.gateway_refund_id = refund_id
    refund.status = RefundStatus.PROCESSED if processed else RefundStatus.FAILED
    refund.save(update_fields=["gateway_refund_id", "status", "updated_at"])
    if not processed:
        # The ledger already shows the money returned; it hasn't been. A person must send it
        # again (or another way) and is told now.
        transaction.on_commit(lambda: _alert_refund_stuck(refund.pk))
    return f"refund {refund.status}"


def _notes(entity: dict) -> dict:
    """An entity's notes: an object of key-value pairs; Razorpay writes none as `[]`."""
    notes = entity.get("notes")
    if notes in (None, []):
        return {}
    if not isinstance(notes, dict):
        raise WebhookInvalid(_("The refund's notes are not key-value pairs."))
    return notes


def _alert_refund_stuck(refund_pk: int) -> None:
    from ..tasks import alert_refund_stuck  # tasks import this module

    alert_refund_stuck.delay(refund_id=refund_pk)


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- Gateway calls after commit ----------------------------------------------------------------


def refund_send(*, refund: Refund) -> Refund:
    """Send a refund's card share through the gateway, once. Safe to retry: a refund the
    gateway already holds (the answer was lost last time) is found by our reference first."""
    with transaction.atomic():
        # The row stays locked through the gateway calls: the task sent at commit and the
        # beat sweep can reach the same refund at once, and both finding nothing under our
        # reference would both create it (a partial refund would be paid twice).
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment")
            .get(pk=refund.pk)
        )
        if refund.gateway_refund_id or refund.status != RefundStatus.PENDING or not refund.payment:
            return refund
        provider = gateway()
        reference = str(refund.public_id)
        payment_id = refund.payment.gateway_payment_id
        answer = next(
            (
                r
                for r in provider.refunds_of(payment_id)
                if (r.get("notes") or {}).get("coupzii_refund") == reference
            ),
            None,
        ) or provider.refund_create(
            payment_id=payment_id,
            amount_paise=to_paise(refund.gateway_amount),
            reference=reference,
        )
        refund.gateway_refund_id = str(answer.get("id") or "")[:64]
        refund.attempts += 1
        refund.last_error = ""
        fields = ["gateway_refund_id", "attempts", "last_error", "updated_at"]
        if answer.get("status") == "processed":
            refund.status = RefundStatus.PROCESSED
            fields.append("status")
        # Not the status otherwise: a refund.* webhook may have set it meanwhile.
        refund.save(update_fields=fields)
        if refund.gateway_amount == _rupees(refund.payment):
            Payment.objects.filter(pk=refund.payment_id).update(status=PaymentStatus.REFUNDED)
    return refund


def refund_failed_attempt(*, refund: Refund, error: str) -> None:
    Refund.objects.filter(pk=refund.pk).update(
        attempts=refund.attempts + 1, last_error=error[:255], updated_at=timezone.now()
    )


def order_expire(*, order: Order) -> Order:
    """An order past its payment deadline: ask the gateway first (a capture whose webhook was
    lost is still a capture), then cancel if nothing was paid."""
    payment = order.payments.order_by("pk").first()
    if payment is not None:
        provider = gateway()
        for reported in provider.order_payments(payment.gateway_order_id):
            if reported.amount_paise != payment.amount_paise:
                continue
            if reported.status == "authorized":
                # Authorised but not captured (a bank's late answer): capture it, as verify
                # would, rather than let the gateway return it days later.
                reported = provider.payment_capture(reported)
            if reported.status == "captured":
                return payment_captured(payment=payment, reported=reported, source="expiry")
    with transaction.atomic():
        locked = order_lock(order)
        return order_cancel(
            order=locked, status=S.CANCELLED, note=gettext_lazy("Not paid in time.")
        )


def orders_overdue():
    return Order.objects.filter(status=S.PENDING_PAYMENT, pay_by__lt=timezone.now()).order_by(
        "pay_by"
    )
