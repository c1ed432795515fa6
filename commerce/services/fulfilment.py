"""After payment: deliver the codes and settle the ledger; or cancel and release everything;
and the operator's tools, refunds and fulfilment by hand.

Ledger keys (each step of an order moves money once, whatever is retried or races):
  order:<pk>:wallet-hold     checkout: the wallet share, available -> held
  order:<pk>:close           delivered (escrow and held -> sales) or cancelled (held ->
                             available): the two endings share a key, so only one happens
  payment:<pk>:capture       a capture: gateway -> escrow
  refund:<pk>                a refund: sales or escrow -> gateway and the wallet
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import User
from accounts.services import in_app_only_active, notification_send
from catalog import inventory
from catalog.inventory import NewCode
from coupzii.core.errors import DomainError, Forbidden
from coupzii.core.i18n import Text, in_every_language
from coupzii.core.money import ZERO, format_inr, from_paise
from wallet import ledger
from wallet.models import AccountKind, TransactionKind

from .. import pricing
from ..errors import InvalidTransition
from ..models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    PromoUsage,
    Refund,
    RefundStatus,
)

S = OrderStatus
REASON_MAX = 255


def order_lock(order: Order) -> Order:
    """The order row, locked and fresh. Every change of an order's status happens under this
    lock, which is what makes verify, webhook, timeout and operator races harmless."""
    return Order.objects.select_for_update().get(pk=order.pk)


SHOP_ACCOUNTS = (AccountKind.GATEWAY, AccountKind.ESCROW, AccountKind.SALES)


def money_lock(order: Order) -> None:
    """Lock the ledger accounts an order's payment, fulfilment or refund may post to, before
    posting any of them, in the order every shop path takes: (the order's row,) the shopper's
    available account, then the shop's accounts together in primary-key order.

    Checkout takes the shopper's available account first and the sales account last; without
    this a capture (gateway, escrow, then sales before the shopper's held account) met a
    wallet-only checkout of the same shopper (held, then sales) in a deadlock, and a capture
    met an operator's refund (sales, then gateway) in one whenever the sales account was
    older than the gateway's."""
    available = ledger.user_accounts(order.user)[AccountKind.AVAILABLE]
    ledger.accounts_lock({available.pk})
    ledger.accounts_lock({ledger.platform_account(kind).pk for kind in SHOP_ACCOUNTS})


def _event(order: Order, status: str, note: Text = "", actor: User | None = None) -> None:
    """Append a step to the order's timeline. `note` is rendered in every site language (a
    callable or lazy translation), so the shopper reads it in theirs; a plain str (a
    gateway's error) is stored as it is."""
    notes = {f"note_{code}": text[:255] for code, text in in_every_language(note).items()}
    OrderEvent.objects.create(
        order=order, status=status, note=notes["note_en"], actor=actor, **notes
    )


# --- Paid -> fulfilled -------------------------------------------------------------------------


def order_mark_paid(*, order: Order, note: Text = "") -> Order:
    """A pending order is paid: record it and deliver. Call inside a transaction holding the
    order's lock (or on an order created in the same transaction)."""
    if order.status != S.PENDING_PAYMENT:
        raise InvalidTransition()
    order.status = S.PAID
    order.paid_at = timezone.now()
    order.save(update_fields=["status", "paid_at", "updated_at"])
    _event(order, S.PAID, note)
    return _fulfil(order)


def _fulfil(order: Order, actor: User | None = None) -> Order:
    """Deliver the reserved codes. Lines whose codes went missing (voided, say) are topped up
    from stock; if that isn't enough the order stays paid and operators are told."""
    lines = list(order.lines.filter(refund__isnull=True))
    delivered = inventory.voucher_codes_deliver(order_line_ids=[line.pk for line in lines])
    short = [line for line in lines if delivered[line.pk] < line.quantity]
    for line in short:
        inventory.voucher_codes_reserve(
            variant_id=line.variant_id,
            quantity=line.quantity - delivered[line.pk],
            order_line_id=line.pk,
        )
    if short:
        delivered = inventory.voucher_codes_deliver(order_line_ids=[line.pk for line in lines])
        short = [line for line in lines if delivered[line.pk] < line.quantity]
    if short:
        _event(order, S.PAID, gettext_lazy("Waiting for codes from the brand."), actor)
        transaction.on_commit(lambda: _tell_operators_codes_short(order.number))
        return order
    _settle(order, actor)
    order.status = S.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["status", "fulfilled_at", "updated_at"])
    _event(order, S.FULFILLED, actor=actor)
    _notify_delivered(order)
    return order


def _settle(order: Order, actor: User | None) -> None:
    accounts = ledger.user_accounts(order.user)
    legs = [
        (ledger.platform_account(AccountKind.ESCROW), -order.gateway_amount),
        (accounts[AccountKind.HELD], -order.wallet_amount),
        (ledger.platform_account(AccountKind.SALES), order.total),
    ]
    legs = [(account, amount) for account, amount in legs if amount]
    if len(legs) < 2:
        return  # a fully discounted order moves no money
    ledger.transaction_post(
        kind=TransactionKind.ORDER_FULFILLED,
        idempotency_key=f"order:{order.pk}:close",
        legs=legs,
        reference_type="order",
        reference_id=order.number,
        actor=actor,
        memo=order.number,
    )


def _notify_delivered(order: Order) -> None:
    # The codes themselves go by email and SMS only: the in-app notice links to the order,
    # where they are shown to their owner, so no code sits in the notifications table.
    notification_send(
        user=order.user,
        kind="order_update",
        title=gettext_lazy("Your gift cards are ready"),
        body=lambda: (
            _("Order %(number)s is delivered. Open it to see your codes and PINs.")
            % {"number": order.number}
        ),
        link=f"/orders/{order.number}/",
        channels=(),
    )
    if not in_app_only_active():  # demo data: the codes go nowhere but the order page
        transaction.on_commit(lambda: _send_codes(order.pk))


def _send_codes(order_pk: int) -> None:
    from ..tasks import send_order_codes  # tasks import services

    send_order_codes.delay(order_id=order_pk)


def _tell_operators_codes_short(number: str) -> None:
    from ..tasks import alert_codes_short

    alert_codes_short.delay(order_number=number)


# --- Cancelled or failed -----------------------------------------------------------------------


def order_cancel(*, order: Order, status: str = S.CANCELLED, note: Text = "") -> Order:
    """Close an unpaid order: codes back on sale, the promo use released, the wallet share
    returned. Call inside a transaction holding the order's lock. Does nothing to an order
    that is no longer awaiting payment (it was paid meanwhile)."""
    if order.status != S.PENDING_PAYMENT:
        return order
    lines = list(order.lines.values_list("pk", flat=True))
    inventory.voucher_codes_release(order_line_ids=lines)
    now = timezone.now()
    PromoUsage.objects.filter(order=order, released_at__isnull=True).update(released_at=now)
    _release_wallet(order)
    order.payments.filter(status=PaymentStatus.CREATED).update(
        status=PaymentStatus.FAILED, updated_at=now
    )
    order.status = status
    order.closed_at = now
    order.save(update_fields=["status", "closed_at", "updated_at"])
    _event(order, status, note)
    message = (
        gettext_lazy(
            "Payment for order %(number)s failed. Nothing was charged; your cart items are free "
            "to buy again."
        )
        if status == S.FAILED
        else gettext_lazy("Order %(number)s was cancelled because it wasn't paid in time.")
    )
    notification_send(
        user=order.user,
        kind="order_update",
        title=gettext_lazy("Order not completed"),
        body=lambda: str(message) % {"number": order.number},
        link=f"/orders/{order.number}/",
        channels=("email",),
    )
    return order


def _release_wallet(order: Order) -> None:
    if not order.wallet_amount:
        return
    accounts = ledger.user_accounts(order.user)
    ledger.transaction_post(
        kind=TransactionKind.ORDER_WALLET_RELEASED,
        idempotency_key=f"order:{order.pk}:close",
        legs=[
            (accounts[AccountKind.HELD], -order.wallet_amount),
            (accounts[AccountKind.AVAILABLE], order.wallet_amount),
        ],
        reference_type="order",
        reference_id=order.number,
        memo=order.number,
    )


# --- Refunds -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def order_refund_lines(
    *, order: Order, line_ids: Sequence[int], operator: User, reason: str
) -> Refund:
    """Refund delivered lines the shopper hasn't used (the operator checked with the brand):
    their codes are voided, the wallet share goes back to the wallet at once and the card's
    share through the gateway after commit. Raises Forbidden, InvalidTransition, DomainError."""
    _check_operator(operator)
    reason = _reason(reason)
    order = order_lock(order)
    if order.status != S.FULFILLED:
        raise InvalidTransition(_("Only delivered orders can be refunded."))
    money_lock(order)
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
    refund = Refund.objects.create(
        order=order,
        payment=payment if to_gateway else None,
        amount=amount,
        wallet_amount=to_wallet,
        gateway_amount=to_gateway,
        reason=reason,
        created_by=operator,
        status=RefundStatus.PENDING if to_gateway else RefundStatus.PROCESSED,
    )
    OrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(refund=refund)
    inventory.voucher_codes_void(order_line_ids=[line.pk for line in lines])
    _post_refund(refund, source=AccountKind.SALES, actor=operator)
    order.refunded_amount += amount
    if not order.lines.filter(refund__isnull=True).exists():
        order.status = S.REFUNDED
    order.save(update_fields=["refunded_amount", "status", "updated_at"])
    # The timeline entry is the refund itself, whether or not it closes the order: labelled
    # with the order's status it would read "Delivered" above "Refunded ₹…".
    _event(
        order,
        S.REFUNDED,
        # A reason the site wrote (gettext_noop) reads in each language; an operator's as typed.
        lambda: (
            _("Refunded %(amount)s: %(reason)s")
            % {"amount": format_inr(amount), "reason": _(reason)}
        ),
        operator,
    )
    _notify_refund(refund)
    return refund


def _refunded_to_gateway(payment: Payment | None):
    # This payment's refunds only: a duplicate capture on the same order, refunded in full,
    # says nothing about what is left of the payment that paid for the lines.
    if payment is None:
        return ZERO
    return sum((r.gateway_amount for r in payment.refunds.all()), ZERO)


def refund_late_capture(*, order: Order, payment: Payment) -> Refund:
    """Money captured for an order that no longer wants it (cancelled, failed, or paid by
    another payment): send all of it back. Call under the order's lock."""
    amount = from_paise(payment.amount_paise)
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        amount=amount,
        gateway_amount=amount,
        # Stored untranslated; the order page shows it in the reader's language.
        reason=gettext_noop("Payment arrived after the order was closed."),
    )
    _post_refund(refund, source=AccountKind.ESCROW, actor=None)
    _event(
        order,
        S.REFUNDED,
        lambda: (
            _("A late payment of %(amount)s is being refunded.") % {"amount": format_inr(amount)}
        ),
    )
    _notify_refund(refund)
    return refund


def _post_refund(refund: Refund, *, source: str, actor: User | None) -> None:
    if not refund.amount:
        return  # a line a promo paid for in full: its codes are voided, no money moves
    legs = [(ledger.platform_account(source), -refund.amount)]
    if refund.gateway_amount:
        legs.append((ledger.platform_account(AccountKind.GATEWAY), refund.gateway_amount))
    if refund.wallet_amount:
        available = ledger.user_accounts(refund.order.user)[AccountKind.AVAILABLE]
        legs.append((available, refund.wallet_amount))
    ledger.transaction_post(
        kind=TransactionKind.ORDER_REFUND,
        idempotency_key=f"refund:{refund.pk}",
        legs=legs,
        reference_type="order",
        reference_id=refund.order.number,
        actor=actor,
        memo=refund.reason,
    )
    if refund.gateway_amount:
        transaction.on_commit(lambda: _send_refund(refund.pk))


def _send_refund(refund_pk: int) -> None:
    from ..tasks import send_refund

    send_refund.delay(refund_id=refund_pk)


def _notify_refund(refund: Refund) -> None:
    if not (refund.wallet_amount or refund.gateway_amount):
        return  # nothing was paid for these lines, so nothing is on its way

    def body() -> str:
        parts = []
        if refund.wallet_amount:
            parts.append(
                _("%(amount)s to your Coupzii wallet")
                % {"amount": format_inr(refund.wallet_amount)}
            )
        if refund.gateway_amount:
            parts.append(
                _("%(amount)s to your card, UPI or bank in 5 to 7 working days")
                % {"amount": format_inr(refund.gateway_amount)}
            )
        return _("Order %(number)s: %(parts)s.") % {
            "number": refund.order.number,
            "parts": "; ".join(parts),
        }

    notification_send(
        user=refund.order.user,
        kind="order_update",
        title=gettext_lazy("Refund on its way"),
        body=body,
        link=f"/orders/{refund.order.number}/",
    )


# --- Operator: fulfil by hand ------------------------------------------------------------------


@transaction.atomic(durable=True)
def order_fulfil_retry(*, order: Order, operator: User) -> Order:
    """Try again to deliver a paid order that was short of codes (after an import)."""
    _check_operator(operator)
    order = order_lock(order)
    if order.status != S.PAID:
        raise InvalidTransition(_("Only paid orders waiting for codes can be fulfilled."))
    money_lock(order)
    return _fulfil(order, operator)


@transaction.atomic(durable=True)
def order_line_fulfil_by_hand(
    *, line: OrderLine, codes: Sequence[NewCode], operator: User
) -> Order:
    """Deliver codes the operator got from the brand for a line that ran short, then finish
    the order if nothing else is missing. Raises DomainError for the wrong number of codes or
    a code already in the inventory."""
    _check_operator(operator)
    order = order_lock(line.order)
    if order.status != S.PAID:
        raise InvalidTransition(_("Only paid orders waiting for codes can be fulfilled."))
    money_lock(order)
    line = order.lines.select_related("variant").get(pk=line.pk)
    missing = line.quantity - inventory.delivered_counts([line.pk])[line.pk]
    if not codes or len(codes) > missing:
        message = _("This line needs %(n)d more code(s).") % {"n": missing}
        raise DomainError(message, fields={"codes": [message]})
    try:
        inventory.voucher_codes_add_delivered(
            variant=line.variant, codes=codes, order_line_id=line.pk
        )
    except IntegrityError:
        message = _("One of these codes is already in the inventory.")
        raise DomainError(message, fields={"codes": [message]}) from None
    return _fulfil(order, operator)


def _check_operator(operator: User) -> None:
    if not (operator.is_active and operator.is_staff):
        raise Forbidden()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        message = _("Give a reason of up to %(n)d characters.") % {"n": REASON_MAX}
        raise DomainError(message, fields={"reason": [message]})
    return reason
