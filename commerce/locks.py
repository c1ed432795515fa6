"""Every row lock the shop takes (each `select_for_update` in commerce is here), and the order
they are taken in, so that no two paths can meet in a deadlock:

    the shopper's available account (checkout's per-shopper lock, in the ledger)
    -> the cart -> the promo code                          (placing an order)
    the payable's row (an order) -> the payer's available account -> their other accounts
                                                           (payment reports, fulfilment, refunds)
    a refund's row                                         (sending it, the gateway's report)
    the dev gateway's payment                              (the dev gateway's own books)

Where a path locks several rows of one table, it locks them in primary-key order.
"""

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from coupzii.core import rowsql
from wallet import services as ledger
from wallet.models import AccountKind

from .models import Cart, DevGatewayPayment, Order, PromoCode, Refund


def order_lock(order_id: int) -> Order:
    """The order row, locked and fresh, with its shopper (read, not locked). Every change of an
    order's status happens under this lock, which is what makes verify, webhook, timeout and
    operator races harmless."""
    # Hand-written (`coupzii.core.rowsql`): every payment report takes this lock, and the ORM's
    # Python for a locked join cost several times the statement.
    order, user = rowsql.shape(Order, "o"), rowsql.shape(User, "u")
    found = rowsql.fetch_one(
        f"SELECT {order.columns}, {user.columns} FROM {order.table} o "  # noqa: S608 (_meta)
        f"JOIN {user.table} u ON u.id = o.user_id WHERE o.id = %s{rowsql.for_update(of='o')}",
        [order_id],
        order,
        user,
    )
    if found is None:
        raise Order.DoesNotExist(f"Order {order_id} does not exist.")
    locked, shopper = found
    locked.user = shopper
    return locked


def money_lock(order: Order) -> None:
    """Lock the shopper's available account before posting any of an order's payment,
    fulfilment or refund, in the order every shop path takes: (the order's row,) the
    shopper's available account, then (inside the ledger) the shopper's other accounts in
    primary-key order. The shop's own accounts (gateway, escrow:shop, sales) are platform
    accounts, never locked: posting to them is an insert, so captures of different orders
    never wait for each other."""
    ledger.user_account_lock(order.user, AccountKind.AVAILABLE)


def cart_lock(cart_id: int) -> Cart | None:
    """One writer per cart: a line changed in another tab waits for the checkout or merge."""
    cart = rowsql.shape(Cart, "c")
    return rowsql.fetch_one(
        f"SELECT {cart.columns} FROM {cart.table} c "  # noqa: S608 (columns from _meta)
        f"WHERE c.id = %s{rowsql.for_update()}",
        [cart_id],
        cart,
    )


def cart_lock_touch(cart_id: int) -> bool:
    """`cart_lock` taken by the UPDATE that marks the cart changed (its `updated_at`), for a
    change of its lines: one statement instead of a lock and an update. False if no cart."""
    return bool(Cart.objects.filter(pk=cart_id).update(updated_at=timezone.now()))


def guest_cart_lock(token) -> Cart | None:
    """The signed-out visitor's cart with this token, locked for merging into the shopper's."""
    if not token:
        return None
    return Cart.objects.select_for_update().filter(token=token, user__isnull=True).first()


def promo_lock(promo_id: int) -> PromoCode:
    """Uses of a promo are counted and recorded under its row lock, so a code limited to one
    use can't be taken by two checkouts at once."""
    return PromoCode.objects.select_for_update().get(pk=promo_id)


def refund_lock(refund_id: int) -> Refund:
    """A refund's row, with its payment (read, not locked), held through the gateway calls
    that send it."""
    return (
        Refund.objects.select_for_update(of=("self",)).select_related("payment").get(pk=refund_id)
    )


def refund_lock_matching(found: Q) -> Refund | None:
    """The first refund matching `found`, locked: the gateway's report of a refund waits for
    the sender that holds it."""
    return Refund.objects.select_for_update().filter(found).order_by("pk").first()


def dev_gateway_payment_lock(gateway_payment_id: str) -> DevGatewayPayment | None:
    return (
        DevGatewayPayment.objects.select_for_update()
        .filter(gateway_payment_id=gateway_payment_id)
        .first()
    )
