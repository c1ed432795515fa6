"""Placing an order: the cart re-priced under locks, codes reserved, the promo use recorded,
the wallet share held and the gateway order opened, all in one transaction."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from catalog import services as inventory
from coupzii.core import rowsql
from coupzii.core.money import ZERO
from wallet import services as ledger
from wallet.models import AccountKind

from .. import ledger_kinds, locks
from ..errors import CartEmpty, CartInvalid, IdempotencyKeyReused, OutOfStock
from ..models import (
    Cart,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PromoCode,
    PromoUsage,
)
from ..selectors import PricedCart, cart_lines, cart_priced
from . import fulfilment, payments
from .cart import cart_empty
from .order_payable import KIND

NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read over the phone
NUMBER_LENGTH = 8


@dataclass(frozen=True)
class OrderPlaced:
    """What `order_place_result` did: `created` is False for a retry of a key it had already
    placed an order for (the first order, unchanged), decided under the shopper's lock."""

    order: Order
    created: bool


def order_place(*, user: User, cart: Cart, email: str, phone: str, idempotency_key: str) -> Order:
    """`order_place_result`'s order, for callers that don't answer "created" or "repeated"."""
    return order_place_result(
        user=user, cart=cart, email=email, phone=phone, idempotency_key=idempotency_key
    ).order


@transaction.atomic(durable=True)
def order_place_result(
    *, user: User, cart: Cart, email: str, phone: str, idempotency_key: str
) -> OrderPlaced:
    """Turn the user's cart into an order awaiting payment (or, when the wallet covers all
    of it, a delivered one).

    A retry with the same idempotency key returns the first order, with `created` False.
    Raises CartEmpty, CartInvalid (with a field per problem), OutOfStock, PromoInvalid,
    InsufficientFunds, GatewayUnavailable (nothing is kept then) and IdempotencyKeyReused.
    """
    # The shopper's available-balance row is the per-user lock (as for withdrawals): two
    # checkouts of one shopper queue here, so the wallet share and the idempotency check
    # below see no other checkout in between.
    ledger.user_account_lock(user, AccountKind.AVAILABLE)
    earlier = _order_of_key(user, idempotency_key)
    if earlier:
        return OrderPlaced(_earlier(earlier, cart), created=False)
    priced = _price_under_locks(user, cart)
    order, lines = _create_order(user, priced, email=email, phone=phone, key=idempotency_key)
    _reserve_codes(lines)
    if priced.promo:
        PromoUsage.objects.create(
            promo=priced.promo, order=order, user=user, discount=order.discount
        )
    if order.wallet_amount:
        accounts = ledger.user_accounts(user)
        ledger.transaction_post(
            kind=ledger_kinds.ORDER_WALLET_HOLD,
            idempotency_key=f"order:{order.pk}:wallet-hold",
            legs=[
                (accounts[AccountKind.AVAILABLE], -order.wallet_amount),
                (accounts[AccountKind.HELD], order.wallet_amount),
            ],
            reference_type="order",
            reference_id=order.number,
            actor=user,
            memo=order.number,
        )
    cart_empty(cart=cart)
    if order.gateway_amount:
        # Inside the transaction on purpose: if the gateway fails, the order, its reserved
        # codes and the wallet hold all roll back, and the shopper simply retries.
        payments.payment_open(kind=KIND, payable=order)
    else:
        fulfilment.order_mark_paid(order=order, note=gettext_lazy("Paid from your Coupzii wallet."))
    return OrderPlaced(order, created=True)


def _order_of_key(user: User, key: str) -> Order | None:
    """The shopper's order placed under `key`, if any. Hand-written (`coupzii.core.rowsql`):
    every checkout asks, and the ORM's Python for it cost several times the statement."""
    order = rowsql.shape(Order, "o")
    return rowsql.fetch_one(
        f"SELECT {order.columns} FROM {order.table} o "  # noqa: S608 (columns from _meta)
        "WHERE o.user_id = %s AND o.idempotency_key = %s ORDER BY o.id LIMIT 1",
        [user.pk, str(key)],
        order,
    )


def _earlier(order: Order, cart: Cart) -> Order:
    # The cart is emptied when an order is placed, so a genuine retry finds it empty (or
    # refilled with new things, which is a new order and needs a new key).
    if cart.lines.exists():
        raise IdempotencyKeyReused()
    return order


def _price_under_locks(user: User, cart: Cart) -> PricedCart:
    # The cart's row too (cart_line_set takes it): a card added or changed in another tab
    # while the order is placed waits, instead of being emptied away with the bought ones.
    locks.cart_lock(cart.pk)
    lines = cart_lines(cart, images=False)
    if not lines:
        raise CartEmpty()
    if cart.promo_code_id:
        cart.promo_code = PromoCode.objects.get(pk=cart.promo_code_id)
        if cart.promo_code.usage_limit is not None:
            # Uses of a promo limited in all are counted and recorded under its row lock, so
            # a code limited to one use can't be taken by two checkouts at once. A shopper's
            # own uses are counted under the shopper's lock (taken first): a code with no
            # limit in all doesn't make every shopper's checkout queue behind the others'.
            cart.promo_code = locks.promo_lock(cart.promo_code_id)
    # The wallet's balance only matters (and is only read) when the cart uses it.
    priced = cart_priced(cart, user=user, lines=lines, wallet=cart.use_wallet)
    if priced.problems:
        raise CartInvalid(fields=priced.problems)
    return priced


def _create_order(
    user: User, priced: PricedCart, *, email: str, phone: str, key: str
) -> tuple[Order, list[OrderLine]]:
    b = priced.breakdown
    order = Order(
        user=user,
        subtotal=b.subtotal,
        discount=b.discount,
        total=b.total,
        wallet_amount=b.wallet,
        gateway_amount=b.payable,
        promo=priced.promo if b.discount else None,
        email=email,
        phone=phone,
        idempotency_key=key,
        pay_by=timezone.now() + timedelta(minutes=settings.COMMERCE_PAYMENT_WINDOW_MINUTES),
    )
    _insert_with_number(order)
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                variant=row.variant,
                # The order's record keeps one language (as refund reasons do), whatever the
                # shopper was reading in; English is the column every product has.
                product_name=row.product.name_en or row.product.name,
                face_value=row.variant.face_value,
                unit_price=row.unit_price,
                quantity=row.line.quantity,
                discount=row.discount,
            )
            for row in priced.rows
        ]
    )
    OrderEvent.objects.create(order=order, status=OrderStatus.PENDING_PAYMENT, actor=user)
    return order, lines


def _insert_with_number(order: Order) -> None:
    """Insert the order under a freshly drawn number. A number already taken (1 in 850
    billion) makes the INSERT do nothing (ON CONFLICT), and another is drawn: no savepoint
    is needed to survive the clash."""
    fields = [field for field in Order._meta.concrete_fields if not field.primary_key]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(Order._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({qn(Order._meta.get_field('number').column)}) DO NOTHING "
        f"RETURNING {qn(Order._meta.pk.column)}"
    )
    for _attempt in range(5):
        order.number = "CZ" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        values = [
            field.get_db_prep_save(field.pre_save(order, add=True), connection) for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is not None:
            order.pk = row[0]
            order._state.adding = False
            order._state.db = connection.alias
            return
    raise RuntimeError("Could not draw a free order number")


def _reserve_codes(lines: list[OrderLine]) -> None:
    """Reserve every line's codes (one statement on PostgreSQL); OutOfStock names the lines
    that got fewer than they want."""
    got = inventory.voucher_codes_reserve_lines(
        [(line.pk, line.variant_id, line.quantity) for line in lines]
    )
    short = {
        f"lines.{line.variant.sku}": [
            _("Only %(n)d left.") % {"n": got[line.pk]} if got[line.pk] else _("Out of stock.")
        ]
        for line in sorted(lines, key=lambda line: line.variant_id)
        if got[line.pk] < line.quantity
    }
    if short:
        raise OutOfStock(fields=short)


def payable_now(order: Order) -> Decimal:
    return order.gateway_amount if order.status == OrderStatus.PENDING_PAYMENT else ZERO
