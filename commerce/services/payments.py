"""Payments for any payable (`commerce.payables`: a shop order, a marketplace purchase): the
gateway order opened for it, and the reports of its payment, from the payer's browser (verify,
with Razorpay's signature), from webhooks (signed over the raw body), and from our own check at
the payable's deadline. They may arrive in any order and any number of times; whichever comes
first marks the payable paid and the others change nothing, because each one takes the
payable's lock (its handler's) and looks at the payable and its payments before acting.

Ledger key: payment:<pk>:capture, a capture (gateway -> the payable's escrow).
"""

import hashlib
import itertools
import logging
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from coupzii.core import metrics, rowsql
from coupzii.core.errors import DomainError
from coupzii.core.money import from_paise, to_paise
from coupzii.core.parsers import UnsafeJson, loads_checked
from wallet import services as ledger

from .. import ledger_kinds
from ..errors import GatewayUnavailable, OrderNotFound, PaymentInvalid, WebhookInvalid
from ..gateways import GatewayPayment, gateway
from ..models import Payment, PaymentStatus, WebhookEvent
from ..payables import PayableHandler, payable_handler, payable_kinds
from . import refunds

logger = logging.getLogger(__name__)
PROVIDER = "razorpay"
# The start of a refused event's `result`; the rest is why.
REFUSED = "refused: "
# Payables of each kind the expiry sweep takes per run (it runs every minute).
EXPIRY_BATCH = 200


# --- Opening a payment -------------------------------------------------------------------------


def payment_open(*, kind: str, payable: Any) -> Payment:
    """Open a gateway order for what the payable costs, to be paid by its payer. Call inside
    the transaction that creates the payable: the gateway call happens there on purpose, so
    that if it fails (GatewayUnavailable, PaymentInvalid) everything rolls back and the payer
    simply retries."""
    handler = payable_handler(kind)
    charge = handler.charge(payable)
    provider = gateway()
    amount_paise = to_paise(charge.amount)
    answer = provider.order_create(
        amount_paise=amount_paise,
        receipt=charge.receipt,
        notes=charge.notes,
        currency=charge.currency,
    )
    return Payment.objects.create(
        payable_kind=kind,
        payable_ref=handler.reference(payable),
        user=charge.user,
        gateway=provider.name,
        gateway_order_id=answer["id"],
        amount_paise=amount_paise,
        currency=charge.currency,
        raw=[answer],
        **handler.links(payable),
    )


# --- The browser's report ----------------------------------------------------------------------


def payment_verify(*, user: User, gateway_order_id: str, payment_id: str, signature: str) -> Any:
    """Check what Razorpay Checkout handed the payer's browser and, if it holds, mark the
    payable paid; returns the payable. Raises OrderNotFound (not the caller's payment) and
    PaymentInvalid (bad signature, or the gateway reports another order, amount or currency);
    nothing is written when either is raised."""
    rows = _payments_of(user, gateway_order_id)
    payment = rows[0]
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
    # The signature ties the payment to this gateway order, so its rows are all there are.
    if _recorded(rows, payment_id):
        # a retry, or the webhook came first: nothing more to do
        return payable_handler(payment.payable_kind).get(payment.payable_ref)
    reported = provider.payment_fetch(payment_id)
    _check_matches(payment, reported)
    if reported.status == "authorized":
        reported = provider.payment_capture(reported)
    # Only a capture counts: a payment we've never seen that is already refunded (from the
    # gateway's dashboard, say) paid for nothing.
    if reported.status != "captured":
        raise PaymentInvalid(_("The gateway has not confirmed this payment yet."))
    return payment_captured(payment=payment, reported=reported, source="verify")


def payment_report_failure(*, user: User, gateway_order_id: str, payment_id: str) -> Any:
    """The browser says the payment failed. The browser is not trusted: the gateway is asked,
    and only a payment it reports as failed fails the payable."""
    payment = _payments_of(user, gateway_order_id)[0]
    if payment_id:
        reported = gateway().payment_fetch(payment_id)
        if reported.order_id != payment.gateway_order_id:
            raise PaymentInvalid()
        if reported.status == "failed":
            return payment_failed(payment=payment, reported=reported)
    return payable_handler(payment.payable_kind).get(payment.payable_ref)


def _payments_of(user: User, gateway_order_id: str) -> list[Payment]:
    """The rows of the user's gateway order, the one checkout opened first. Raises
    OrderNotFound (none, or not the user's)."""
    rows = _payments_where(
        "p.gateway_order_id = %s AND p.user_id = %s", [str(gateway_order_id or "-"), user.pk]
    )
    if not rows:
        raise OrderNotFound()
    return rows


def _payments_where(condition: str, params: list) -> list[Payment]:
    """Payment rows matching `condition` (on alias p), oldest first. Hand-written
    (`coupzii.core.rowsql`): verify, the capture and the webhook each read them, and the ORM's
    Python for it cost several times the statement."""
    shape = rowsql.shape(Payment, "p")
    return rowsql.fetch_all(
        f"SELECT {shape.columns} FROM {shape.table} p "  # noqa: S608 (columns from _meta)
        f"WHERE {condition} ORDER BY p.id",
        params,
        shape,
    )


def _recorded(rows: list[Payment], payment_id: str) -> bool:
    """Whether the gateway's payment `payment_id` is recorded on one of `rows` already."""
    return any(
        row.gateway_payment_id == payment_id and row.status != PaymentStatus.CREATED for row in rows
    )


def _check_matches(payment: Payment, reported: GatewayPayment) -> None:
    if (
        reported.order_id != payment.gateway_order_id
        or reported.amount_paise != payment.amount_paise
        or reported.currency != payment.currency
    ):
        raise PaymentInvalid(_("This payment doesn't match the order's amount."))


# --- Capture and failure, whoever reports them -------------------------------------------------


@transaction.atomic
def payment_captured(*, payment: Payment, reported: GatewayPayment, source: str) -> Any:
    """Record a captured payment against its payable, once. A capture for a payable that no
    longer awaits payment (closed, or paid by another payment) is refunded in full."""
    handler = payable_handler(payment.payable_kind)
    payable = handler.lock(payment.payable_ref)
    # The payable's payments, read once under its lock: whether this capture was recorded
    # before, the row it goes on, and whether another payment paid already.
    rows = _payments_where(
        "p.payable_kind = %s AND p.payable_ref = %s", [payment.payable_kind, payment.payable_ref]
    )
    if _recorded([row for row in rows if row.gateway == payment.gateway], reported.id):
        return payable  # this capture was recorded before
    handler.lock_money(payable)
    payment = next(row for row in rows if row.pk == payment.pk)
    if payment.gateway_payment_id and payment.gateway_payment_id != reported.id:
        # A second successful payment on one gateway order: its own row, and refunded.
        payment = Payment.objects.create(
            payable_kind=payment.payable_kind,
            payable_ref=payment.payable_ref,
            user_id=payment.user_id,
            gateway=payment.gateway,
            gateway_order_id=payment.gateway_order_id,
            amount_paise=reported.amount_paise,
            currency=payment.currency,
            **handler.links(payable),
        )
    payment.gateway_payment_id = reported.id
    payment.status = PaymentStatus.CAPTURED
    payment.method = reported.method
    payment.raw = [*payment.raw, {"source": source, "payment": reported.raw}]
    payment.save(update_fields=["gateway_payment_id", "status", "method", "raw", "updated_at"])
    _post_capture(handler, payable, payment)
    paid_by_other = any(
        row.pk != payment.pk and row.status == PaymentStatus.CAPTURED for row in rows
    )
    if handler.awaiting_payment(payable) and not paid_by_other:
        return handler.paid(payable, method=reported.method)
    refunds.refund_late_capture(kind=payment.payable_kind, payable=payable, payment=payment)
    return payable


def _post_capture(handler: PayableHandler, payable: Any, payment: Payment) -> None:
    amount = from_paise(payment.amount_paise)
    ledger.transaction_post(
        kind=handler.capture_kind,
        idempotency_key=f"payment:{payment.pk}:capture",
        legs=[
            (ledger.platform_account(ledger_kinds.GATEWAY), -amount),
            (ledger.platform_account(handler.escrow_account), amount),
        ],
        reference_type=handler.ledger_reference_type,
        reference_id=handler.ledger_reference(payable),
        memo=payment.gateway_payment_id,
    )


@transaction.atomic
def payment_failed(*, payment: Payment, reported: GatewayPayment) -> Any:
    """The gateway reports the payment failed: the payable fails, unless it was paid (or
    closed) meanwhile."""
    handler = payable_handler(payment.payable_kind)
    payable = handler.lock(payment.payable_ref)
    Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
        error=reported.error[:255], updated_at=timezone.now()
    )
    if not handler.awaiting_payment(payable):
        return payable
    payable = handler.failed(payable, error=reported.error)
    _payments_close(payment.payable_kind, payment.payable_ref)
    return payable


def _payments_close(kind: str, reference: str) -> None:
    # The payable is closed: its gateway orders still open will never pay for it (a capture
    # on one now is refunded).
    Payment.objects.filter(
        payable_kind=kind, payable_ref=reference, status=PaymentStatus.CREATED
    ).update(status=PaymentStatus.FAILED, updated_at=timezone.now())


# --- Past the deadline -------------------------------------------------------------------------


def payable_expire(*, kind: str, payable: Any) -> Any:
    """A payable past its payment deadline: ask the gateway first (a capture whose webhook was
    lost is still a capture), then close it if nothing was paid. Raises GatewayUnavailable
    (nothing changed; the next sweep asks again)."""
    handler = payable_handler(kind)
    reference = handler.reference(payable)
    payment = (
        Payment.objects.filter(payable_kind=kind, payable_ref=reference).order_by("pk").first()
    )
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
        locked = handler.lock(reference)
        if not handler.awaiting_payment(locked):
            return locked
        locked = handler.expired(locked)
        _payments_close(kind, reference)
        return locked


def payables_expire_overdue() -> int:
    """The expiry sweep: every registered kind's payables past their deadline are checked with
    the gateway and closed if unpaid. A payable the gateway can't answer for now is left for
    the next run; one it can't account for must not stop the sweep for the rest."""
    done = 0
    for kind, handler in payable_kinds().items():
        for payable in itertools.islice(handler.overdue(limit=EXPIRY_BATCH), EXPIRY_BATCH):
            try:
                payable_expire(kind=kind, payable=payable)
                done += 1
            except GatewayUnavailable:
                logger.warning("gateway unavailable while expiring %s; next run retries", payable)
            except DomainError as refused:
                logger.error("could not expire %s: %s", payable, refused.message)
    return done


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
        rows = _payments_where("p.gateway_order_id = %s", [str(reported.order_id or "-")])
        if not rows:
            return "ignored: no order of ours"
        payment = rows[0]
        if event_type == "payment.failed":
            payment_failed(payment=payment, reported=reported)
            return "payment failed"
        try:
            _check_matches(payment, reported)
        except PaymentInvalid:
            logger.error("Webhook capture %s doesn't match its order's amount", reported.id)
            return "refused: amount or currency differs"
        # Recorded already (the browser's verify came first, or order.paid after
        # payment.captured): nothing to lock for.
        if not _recorded(rows, reported.id):
            payment_captured(payment=payment, reported=reported, source="webhook")
        return "captured"
    if event_type in ("refund.processed", "refund.failed"):
        return refunds.refund_reported(
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
