"""Money going back, for any payable: a refund is opened by the payment path (a capture nobody
wanted, sent back in full) or by the payable's app (the shop's operators refunding delivered
lines); its ledger posting moves the money at once (to the gateway's account and the payer's
wallet); the gateway's share is sent after commit and retried until it lands or someone is
told; the gateway's reports (webhooks) finish it.

Ledger key: refund:<pk>, a refund (the payable's escrow or the shop's sales -> the gateway and
the payer's wallet).
"""

import logging
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from catalog import services as inventory
from coupzii.core.errors import DomainError
from coupzii.core.money import ZERO, format_inr, from_paise, to_paise
from wallet import services as ledger
from wallet.models import AccountKind

from .. import ledger_kinds, locks, pricing
from ..errors import GatewayUnavailable, InvalidTransition, PaymentInvalid, WebhookInvalid
from ..gateways import MAX_ID_LENGTH, gateway
from ..models import Order, OrderLine, OrderStatus, Payment, PaymentStatus, Refund, RefundStatus
from ..payables import payable_handler
from . import fulfilment

logger = logging.getLogger(__name__)
S = OrderStatus
REASON_MAX = 255
# Attempts at sending a refund's gateway share before operators are told it is stuck.
REFUND_ATTEMPTS = 10


# --- Opening a refund, for any payable ---------------------------------------------------------


def refund_open(
    *,
    kind: str,
    payable: Any,
    payment: Payment | None,
    amount: Decimal,
    gateway_amount: Decimal,
    wallet_amount: Decimal = ZERO,
    source_account: str,
    payer: User | None,
    reason: str,
    created_by: User | None = None,
) -> Refund:
    """Refund `amount` of a payable: `gateway_amount` to the card that paid (`payment`), sent
    after commit, and `wallet_amount` to the payer's wallet at once, both taken from the
    platform account `source_account`. Call under the payable's lock."""
    handler = payable_handler(kind)
    refund = Refund.objects.create(
        payable_kind=kind,
        payable_ref=handler.reference(payable),
        payment=payment if gateway_amount else None,
        amount=amount,
        wallet_amount=wallet_amount,
        gateway_amount=gateway_amount,
        reason=reason,
        created_by=created_by,
        status=RefundStatus.PENDING if gateway_amount else RefundStatus.PROCESSED,
        **handler.links(payable),
    )
    if not amount:
        return refund  # a line a promo paid for in full: its codes are voided, no money moves
    legs = [(ledger.platform_account(source_account), -amount)]
    if gateway_amount:
        legs.append((ledger.platform_account(ledger_kinds.GATEWAY), gateway_amount))
    if wallet_amount:
        legs.append((ledger.user_accounts(payer)[AccountKind.AVAILABLE], wallet_amount))
    ledger.transaction_post(
        kind=handler.refund_kind,
        idempotency_key=f"refund:{refund.pk}",
        legs=legs,
        reference_type=handler.ledger_reference_type,
        reference_id=handler.ledger_reference(payable),
        actor=created_by,
        memo=reason,
    )
    if gateway_amount:
        transaction.on_commit(lambda: _send_refund(refund.pk))
    return refund


def refund_late_capture(*, kind: str, payable: Any, payment: Payment) -> Refund:
    """Money captured for a payable that no longer wants it (closed, or paid by another
    payment): send all of it back from the payable's escrow. Call under the payable's lock."""
    handler = payable_handler(kind)
    amount = from_paise(payment.amount_paise)
    refund = refund_open(
        kind=kind,
        payable=payable,
        payment=payment,
        amount=amount,
        gateway_amount=amount,
        source_account=handler.escrow_account,
        payer=None,
        # Stored untranslated; pages show it in the reader's language.
        reason=gettext_noop("Payment arrived after the order was closed."),
    )
    handler.refunded(payable, refund=refund)
    return refund


def _send_refund(refund_pk: int) -> None:
    from ..tasks import send_refund  # tasks import services

    send_refund.delay(refund_id=refund_pk)


# --- The shop's refunds: delivered lines -------------------------------------------------------


@transaction.atomic(durable=True)
def order_refund_lines(
    *, order: Order, line_ids: Sequence[int], operator: User, reason: str
) -> Refund:
    """Refund delivered lines the shopper hasn't used (the operator checked with the brand):
    their codes are voided, the wallet share goes back to the wallet at once and the card's
    share through the gateway after commit. Raises Forbidden, InvalidTransition, DomainError."""
    fulfilment.operator_check(operator)
    reason = _reason(reason)
    order = locks.order_lock(order.pk)
    if order.status != S.FULFILLED:
        raise InvalidTransition(_("Only delivered orders can be refunded."))
    locks.money_lock(order)
    lines = list(order.lines.filter(pk__in=line_ids, refund__isnull=True))
    if not lines or len(lines) != len(set(line_ids)):
        raise DomainError(
            _("Choose lines of this order that are not refunded yet."),
            fields={"lines": [_("Choose lines of this order that are not refunded yet.")]},
        )
    amount = sum((line.net_amount for line in lines), ZERO)
    payment = order.payments.filter(status=PaymentStatus.CAPTURED).order_by("pk").first()
    to_gateway, to_wallet = pricing.refund_split(
        amount,
        gateway_paid=order.gateway_amount if payment else ZERO,
        gateway_refunded=_refunded_to_gateway(payment),
    )
    refund = refund_open(
        kind="order",
        payable=order,
        payment=payment,
        amount=amount,
        gateway_amount=to_gateway,
        wallet_amount=to_wallet,
        source_account=ledger_kinds.SALES,
        payer=order.user,
        reason=reason,
        created_by=operator,
    )
    OrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(refund=refund)
    inventory.voucher_codes_void(order_line_ids=[line.pk for line in lines])
    order.refunded_amount += amount
    if not order.lines.filter(refund__isnull=True).exists():
        order.status = S.REFUNDED
    order.save(update_fields=["refunded_amount", "status", "updated_at"])
    # The timeline entry is the refund itself, whether or not it closes the order: labelled
    # with the order's status it would read "Delivered" above "Refunded ₹…".
    fulfilment.order_event_add(
        order,
        S.REFUNDED,
        # A reason the site wrote (gettext_noop) reads in each language; an operator's as typed.
        lambda: (
            _("Refunded %(amount)s: %(reason)s")
            % {"amount": format_inr(amount), "reason": _(reason)}
        ),
        operator,
    )
    fulfilment.order_refund_notify(order, refund)
    return refund


def _refunded_to_gateway(payment: Payment | None):
    # This payment's refunds only: a duplicate capture on the same order, refunded in full,
    # says nothing about what is left of the payment that paid for the lines.
    if payment is None:
        return ZERO
    return sum((r.gateway_amount for r in payment.refunds.all()), ZERO)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        message = _("Give a reason of up to %(n)d characters.") % {"n": REASON_MAX}
        raise DomainError(message, fields={"reason": [message]})
    return reason


# --- Sending the gateway's share, after commit -------------------------------------------------


def refund_send(*, refund: Refund) -> Refund:
    """Send a refund's card share through the gateway, once. Safe to retry: a refund the
    gateway already holds (the answer was lost last time) is found by our reference first.
    Raises GatewayUnavailable and PaymentInvalid (nothing sent, or not known to be)."""
    with transaction.atomic():
        # The row stays locked through the gateway calls: the task sent at commit and the
        # beat sweep can reach the same refund at once, and both finding nothing under our
        # reference would both create it (a partial refund would be paid twice).
        refund = locks.refund_lock(refund.pk)
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
        if refund.gateway_amount == from_paise(refund.payment.amount_paise):
            Payment.objects.filter(pk=refund.payment_id).update(status=PaymentStatus.REFUNDED)
    return refund


def refund_send_or_retry(*, refund_id: int) -> str:
    """Send a refund (`refund_send`); when the gateway is down or refuses, count the attempt
    for the sweep to try again, and after REFUND_ATTEMPTS tell someone it is stuck. Returns
    the refund's status, "retry" or "gave up"."""
    refund = Refund.objects.get(pk=refund_id)
    try:
        return refund_send(refund=refund).status
    except (GatewayUnavailable, PaymentInvalid) as exc:
        # The sweep tries again; the reference we send makes that safe.
        Refund.objects.filter(pk=refund.pk).update(
            attempts=refund.attempts + 1, last_error=str(exc)[:255], updated_at=timezone.now()
        )
        logger.warning("refund %s not sent: %s", refund.public_id, exc)
        if refund.attempts + 1 >= REFUND_ATTEMPTS:
            refund_stuck_tell(refund_id=refund.pk)
            return "gave up"
        return "retry"


def refunds_send_pending(*, limit: int = 100) -> int:
    """The sweep: every refund whose gateway share has not reached the gateway yet, and that
    still has attempts left, is sent again."""
    pending = Refund.objects.filter(
        status=RefundStatus.PENDING,
        gateway_refund_id="",
        gateway_amount__gt=0,
        attempts__lt=REFUND_ATTEMPTS,
    ).values_list("pk", flat=True)
    pending = list(pending[:limit])
    for refund_id in pending:
        refund_send_or_retry(refund_id=refund_id)
    return len(pending)


# --- The gateway's reports ---------------------------------------------------------------------


def refund_reported(entity: dict, *, processed: bool) -> str:
    """A refund.processed or refund.failed webhook's refund entity: finish our refund. Returns
    what was done, for the event's record. Raises WebhookInvalid."""
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
    refund = locks.refund_lock_matching(found)
    if refund is None:
        return "ignored: unknown refund"
    refund.gateway_refund_id = refund_id
    refund.status = RefundStatus.PROCESSED if processed else RefundStatus.FAILED
    refund.save(update_fields=["gateway_refund_id", "status", "updated_at"])
    if not processed:
        # The ledger already shows the money returned; it hasn't been. A person must send it
        # again (or another way) and is told now.
        transaction.on_commit(lambda: _tell_stuck(refund.pk))
    return f"refund {refund.status}"


def _notes(entity: dict) -> dict:
    """An entity's notes: an object of key-value pairs; Razorpay writes none as `[]`."""
    notes = entity.get("notes")
    if notes in (None, []):
        return {}
    if not isinstance(notes, dict):
        raise WebhookInvalid(_("The refund's notes are not key-value pairs."))
    return notes


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _tell_stuck(refund_pk: int) -> None:
    from ..tasks import alert_refund_stuck  # tasks import services

    alert_refund_stuck.delay(refund_id=refund_pk)


def refund_stuck_tell(*, refund_id: int) -> None:
    """A refund the gateway refused, or that could not be sent after every attempt: its
    payable's app tells whoever must act (the shop tells its operators)."""
    refund = Refund.objects.get(pk=refund_id)
    handler = payable_handler(refund.payable_kind)
    handler.refund_stuck(handler.get(refund.payable_ref), refund=refund)
