"""After payment: deliver the codes and settle the ledger; or cancel and release everything;
the order's timeline and notices; and the operator's tools for fulfilment by hand. (Refunds
are in `refunds`, payments in `payments`; `order_payable` connects orders to them.)

Ledger keys (each step of an order moves money once, whatever is retried or races):
  order:<pk>:wallet-hold     checkout: the wallet share, available -> held
  order:<pk>:close           delivered (escrow and held -> sales) or cancelled (held ->
                             available): the two endings share a key, so only one happens
  payment:<pk>:capture       a capture: gateway -> escrow (services.payments)
  refund:<pk>                a refund: sales or escrow -> gateway and the wallet (services.refunds)
"""

from collections.abc import Sequence
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import in_app_only_active, notification_send, operators_notify
from catalog import services as inventory
from catalog.services import NewCode
from coupzii.core import rowsql
from coupzii.core.errors import DomainError, Forbidden
from coupzii.core.i18n import Text, in_every_language
from coupzii.core.money import format_inr
from offers import services as offers_services
from wallet import services as ledger
from wallet.models import AccountKind

from .. import ledger_kinds, locks
from ..errors import InvalidTransition
from ..models import Order, OrderEvent, OrderLine, OrderStatus, PromoUsage, Refund

S = OrderStatus


def order_event_add(order: Order, status: str, note: Text = "", actor: User | None = None) -> None:
    """Append a step to the order's timeline. `note` is rendered in every site language (a
    callable or lazy translation), so the shopper reads it in theirs; a plain str (a
    gateway's error) is stored as it is."""
    _order_event(order, status, note, actor).save()


def _order_event(order: Order, status: str, note: Text = "", actor: User | None = None):
    notes = {f"note_{code}": text[:255] for code, text in in_every_language(note).items()}
    return OrderEvent(order=order, status=status, note=notes["note_en"], actor=actor, **notes)


def _order_save(order: Order, fields: list[str], steps: list[OrderEvent]) -> None:
    """The order's changed fields in one UPDATE and its new timeline steps in one INSERT."""
    order.save(update_fields=[*fields, "updated_at"])
    OrderEvent.objects.bulk_create(steps)


# --- Paid -> fulfilled -------------------------------------------------------------------------


def order_mark_paid(*, order: Order, note: Text = "") -> Order:
    """A pending order is paid: record it and deliver. Call inside a transaction holding the
    order's lock (or on an order created in the same transaction)."""
    if order.status != S.PENDING_PAYMENT:
        raise InvalidTransition()
    order.status = S.PAID
    order.paid_at = timezone.now()
    # What they bought says what they shop for: their "For you" rail is recomputed soon.
    transaction.on_commit(partial(offers_services.foryou_refresh_soon, order.user_id), robust=True)
    # Written together with what delivery does next (delivered, or waiting for codes).
    return _fulfil(order, changed=["status", "paid_at"], steps=[_order_event(order, S.PAID, note)])


def _fulfil(
    order: Order,
    actor: User | None = None,
    *,
    changed: list[str] | None = None,
    steps: list[OrderEvent] | None = None,
) -> Order:
    """Deliver the reserved codes. Lines whose codes went missing (voided, say) are topped up
    from stock; if that isn't enough the order stays paid and operators are told. `changed`
    fields of the order and timeline `steps` not yet written are written with this step's."""
    changed, steps = list(changed or []), list(steps or [])
    lines = _lines_not_refunded(order)
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
        steps.append(
            _order_event(order, S.PAID, gettext_lazy("Waiting for codes from the brand."), actor)
        )
        if changed:
            _order_save(order, changed, steps)
        else:
            OrderEvent.objects.bulk_create(steps)
        transaction.on_commit(lambda: _tell_operators_codes_short(order.number))
        return order
    _settle(order, actor)
    order.status = S.FULFILLED
    order.fulfilled_at = timezone.now()
    steps.append(_order_event(order, S.FULFILLED, actor=actor))
    _order_save(order, [*dict.fromkeys([*changed, "status", "fulfilled_at"])], steps)
    _notify_delivered(order)
    return order


def _lines_not_refunded(order: Order) -> list[OrderLine]:
    # Hand-written (`coupzii.core.rowsql`): every capture delivers, and the ORM's Python for
    # this read cost several times the statement.
    line = rowsql.shape(OrderLine, "l")
    return rowsql.fetch_all(
        f"SELECT {line.columns} FROM {line.table} l "  # noqa: S608 (columns from _meta)
        "WHERE l.order_id = %s AND l.refund_id IS NULL ORDER BY l.id",
        [order.pk],
        line,
    )


def _settle(order: Order, actor: User | None) -> None:
    # The shopper's accounts are read only when the wallet paid a share.
    held = ledger.user_accounts(order.user)[AccountKind.HELD] if order.wallet_amount else None
    legs = [
        (ledger.platform_account(ledger_kinds.ESCROW), -order.gateway_amount),
        (held, -order.wallet_amount),
        (ledger.platform_account(ledger_kinds.SALES), order.total),
    ]
    legs = [(account, amount) for account, amount in legs if amount]
    if len(legs) < 2:
        return  # a fully discounted order moves no money
    ledger.transaction_post(
        kind=ledger_kinds.ORDER_FULFILLED,
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


def order_codes_short_tell(*, order_number: str) -> None:
    """Tell the operators a paid order is waiting for codes."""
    operators_notify(
        title=lambda: _("Order %(number)s is paid but short of codes") % {"number": order_number},
        body=lambda: _("Import codes for its gift card, or fulfil it by hand, from the admin."),
        link="/admin/commerce/order/?q=" + order_number,
    )


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
    order.status = status
    order.closed_at = now
    order.save(update_fields=["status", "closed_at", "updated_at"])
    order_event_add(order, status, note)
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
        kind=ledger_kinds.ORDER_WALLET_RELEASED,
        idempotency_key=f"order:{order.pk}:close",
        legs=[
            (accounts[AccountKind.HELD], -order.wallet_amount),
            (accounts[AccountKind.AVAILABLE], order.wallet_amount),
        ],
        reference_type="order",
        reference_id=order.number,
        memo=order.number,
    )


def order_refund_notify(order: Order, refund: Refund) -> None:
    """Tell the shopper a refund of their order is on its way, and where to."""
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
            "number": order.number,
            "parts": "; ".join(parts),
        }

    notification_send(
        user=order.user,
        kind="order_update",
        title=gettext_lazy("Refund on its way"),
        body=body,
        link=f"/orders/{order.number}/",
    )


# --- Operator: fulfil by hand ------------------------------------------------------------------


@transaction.atomic(durable=True)
def order_fulfil_retry(*, order: Order, operator: User) -> Order:
    """Try again to deliver a paid order that was short of codes (after an import)."""
    operator_check(operator)
    order = locks.order_lock(order.pk)
    if order.status != S.PAID:
        raise InvalidTransition(_("Only paid orders waiting for codes can be fulfilled."))
    locks.money_lock(order)
    return _fulfil(order, operator)


@transaction.atomic(durable=True)
def order_line_fulfil_by_hand(
    *, line: OrderLine, codes: Sequence[NewCode], operator: User
) -> Order:
    """Deliver codes the operator got from the brand for a line that ran short, then finish
    the order if nothing else is missing. Raises DomainError for the wrong number of codes or
    a code already in the inventory."""
    operator_check(operator)
    order = locks.order_lock(line.order_id)
    if order.status != S.PAID:
        raise InvalidTransition(_("Only paid orders waiting for codes can be fulfilled."))
    locks.money_lock(order)
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


def operator_check(operator: User) -> None:
    if not (operator.is_active and operator.is_staff):
        raise Forbidden()
