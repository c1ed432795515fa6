"""The cart: lines, promo code and the wallet toggle, for signed-in users and, by a token, for
visitors; the visitor's cart joins the user's at sign-in. The owner is passed in (a user or a
visitor's token): where the token is kept (the browser session) is commerce/session.py's."""

import contextlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product, Variant
from coupzii.core import rowsql

from .. import locks
from ..errors import CartFull, CartInvalid, InvalidTransition, ProductNotFound, PromoInvalid
from ..models import Cart, CartLine, Order, OrderStatus, PromoCode
from . import promos

# --- Finding the cart --------------------------------------------------------------------------


def cart_of_user(user: User, *, create: bool = True) -> Cart | None:
    if not create:
        return Cart.objects.filter(user=user).first()
    try:
        with transaction.atomic():
            cart, _created = Cart.objects.get_or_create(user=user)
    except IntegrityError:
        # Two first requests at once: the other one made it.
        cart = Cart.objects.get(user=user)
    return cart


def cart_of_visitor(token: str | None, *, create: bool = True) -> Cart | None:
    """A signed-out visitor's cart by its token; with `create`, a new cart (with a new token,
    for the caller to keep) when the token finds none."""
    cart = Cart.objects.filter(token=token, user__isnull=True).first() if token else None
    if cart is None and create:
        cart = Cart.objects.create(token=uuid.uuid4())
    return cart


def cart_item_count(cart: Cart | None) -> int:
    """How many cards the cart holds (the header badge's number)."""
    return sum(cart.lines.values_list("quantity", flat=True)) if cart else 0


# --- Lines -------------------------------------------------------------------------------------


def variant_for_sale(sku: str) -> Variant:
    """The denomination on sale under `sku`, with its card. Hand-written
    (`coupzii.core.rowsql`): every change of a cart runs it, and the ORM's Python for this
    join cost several times the statement."""
    variant, product = rowsql.shape(Variant, "v"), rowsql.shape(Product, "p")
    found = rowsql.fetch_one(
        f"SELECT {variant.columns}, {product.columns} FROM {variant.table} v "  # noqa: S608
        f"JOIN {product.table} p ON p.id = v.product_id "
        "WHERE v.sku = %s AND v.is_active AND p.is_active",
        [str(sku)],
        variant,
        product,
    )
    if found is None:
        raise ProductNotFound(fields={"sku": [str(ProductNotFound.default_message)]})
    on_sale, card = found
    on_sale.product = card
    return on_sale


@transaction.atomic
def cart_line_set(*, cart: Cart, sku: str, quantity: int, add: bool = False) -> CartLine | None:
    """Set (or with `add`, increase) the quantity of a denomination in the cart; 0 removes it.

    Raises ProductNotFound, CartInvalid (outside the denomination's per-order limits) and
    CartFull. Stock is checked when the cart is priced, where it can change minute to minute.
    """
    return _line_set(cart=cart, sku=sku, quantity=quantity, add=add)


def _line_set(*, cart: Cart, sku: str, quantity: int, add: bool = False) -> CartLine | None:
    """cart_line_set's work, inside the caller's transaction (no savepoint of its own)."""
    variant = variant_for_sale(sku)
    # One writer per cart; the same UPDATE marks the cart changed (for the stale-cart sweep).
    locks.cart_lock_touch(cart.pk)
    # Every line at once: the one for this card, and how many there are (one query).
    lines = {line.variant_id: line for line in _lines_of(cart)}
    line = lines.get(variant.pk)
    if add and line:
        quantity += line.quantity
    if quantity <= 0:
        if line:
            line.delete()
        return None
    _check_quantity(variant, quantity)
    if line is None:
        if len(lines) >= settings.COMMERCE_MAX_CART_LINES:
            raise CartFull()
        line = CartLine(cart=cart, variant=variant)
    line.quantity = quantity
    line.save()
    return line


def _lines_of(cart: Cart) -> list[CartLine]:
    # Hand-written (`coupzii.core.rowsql`): every change of a cart reads its lines.
    line = rowsql.shape(CartLine, "l")
    return rowsql.fetch_all(
        f"SELECT {line.columns} FROM {line.table} l WHERE l.cart_id = %s",  # noqa: S608
        [cart.pk],
        line,
    )


def _check_quantity(variant: Variant, quantity: int) -> None:
    if quantity < variant.min_quantity or quantity > variant.max_quantity:
        message = _("Choose between %(low)d and %(high)d of this card per order.") % {
            "low": variant.min_quantity,
            "high": variant.max_quantity,
        }
        raise CartInvalid(message, fields={"quantity": [message]})


def cart_line_remove(*, cart: Cart, sku: str) -> None:
    CartLine.objects.filter(cart=cart, variant__sku=sku).delete()


# --- Promo code and wallet ---------------------------------------------------------------------


def cart_promo_apply(*, cart: Cart, code: str, user: User | None) -> PromoCode:
    """Attach a promo code after checking it exists, is live, and (for a signed-in user) has
    uses left; whether it applies to the lines is shown with the cart's price. Raises
    PromoInvalid with a message for the code field."""
    promo = _promo_usable(code, user)
    cart.promo_code = promo
    cart.save(update_fields=["promo_code", "updated_at"])
    return promo


def _promo_usable(code: str, user: User | None) -> PromoCode:
    promo = promos.promo_find(code)
    promos.check_promo_usable(promo, user=user, now=timezone.now())
    return promo


def cart_promo_remove(*, cart: Cart) -> None:
    cart.promo_code = None
    cart.save(update_fields=["promo_code", "updated_at"])


def cart_use_wallet(*, cart: Cart, use: bool) -> None:
    cart.use_wallet = bool(use)
    cart.save(update_fields=["use_wallet", "updated_at"])


_UNSET = object()


@transaction.atomic
def cart_update(
    *,
    cart: Cart,
    user: User | None,
    sku: str | None = None,
    quantity: int = 0,
    promo_code=_UNSET,
    use_wallet=_UNSET,
) -> Cart:
    """Several cart changes as one: set a line's quantity (when `sku` is given), set or clear
    (with "") the promo code, turn the wallet on or off. If any is refused, none happens (one
    transaction, no savepoint inside it; the code and the wallet saved in one UPDATE)."""
    if sku is not None:
        _line_set(cart=cart, sku=sku, quantity=quantity)
    changed = []
    if promo_code is not _UNSET:
        cart.promo_code = _promo_usable(promo_code, user) if promo_code else None
        changed.append("promo_code")
    if use_wallet is not _UNSET:
        cart.use_wallet = bool(use_wallet)
        changed.append("use_wallet")
    if changed:
        cart.save(update_fields=[*changed, "updated_at"])
    return cart


def cart_empty(*, cart: Cart) -> None:
    """What checkout does once the order is placed."""
    cart.lines.all().delete()
    cart.promo_code = None
    cart.use_wallet = False
    cart.save(update_fields=["promo_code", "use_wallet", "updated_at"])


# --- Sign-in -----------------------------------------------------------------------------------


def cart_merge_at_login(*, user: User, token: str | None) -> Cart | None:
    """Move the lines of the visitor's cart with `token` into the user's cart, at sign-in;
    returns the user's cart (None if they have none and the visitor had none).

    Quantities of the same denomination add up, within its per-order limit; the visitor's
    promo code comes along unless the user's cart has one. The visitor's cart is deleted.
    """
    with transaction.atomic():
        guest = locks.guest_cart_lock(token)
        if guest is not None:
            _merge(guest, cart_of_user(user))
            guest.delete()
    return cart_of_user(user, create=False)


# --- Trying a failed order again ---------------------------------------------------------------

RETRYABLE_STATUSES = (OrderStatus.FAILED, OrderStatus.CANCELLED)


@transaction.atomic
def cart_refill_from_order(*, user: User, order: Order) -> list[str]:
    """Put a failed or cancelled order's cards back in the user's cart, with its promo code
    (if it can still be used) and its wallet choice, so they can check out again. A card
    already in the cart keeps the larger of the two quantities: pressing "Try again" twice
    doesn't double it. Returns the names of the cards that can't be bought any more and
    were left out. Raises InvalidTransition for an order that didn't fail."""
    if order.user_id != user.pk or order.status not in RETRYABLE_STATUSES:
        raise InvalidTransition(_("Only an order that wasn't completed can be tried again."))
    cart = cart_of_user(user)
    left_out = []
    for line in order.lines.select_related("variant"):
        current = CartLine.objects.filter(cart=cart, variant=line.variant).first()
        quantity = max(line.quantity, current.quantity if current else 0)
        try:
            cart_line_set(cart=cart, sku=line.variant.sku, quantity=quantity)
        except (ProductNotFound, CartInvalid, CartFull):
            left_out.append(line.product_name)
    if order.promo_id and cart.promo_code_id is None:
        # Expired or used up meanwhile: the cart is simply priced without it.
        with contextlib.suppress(PromoInvalid):
            cart_promo_apply(cart=cart, code=order.promo.code, user=user)
    if order.wallet_amount:
        cart_use_wallet(cart=cart, use=True)
    return left_out


def _merge(guest: Cart, cart: Cart) -> None:
    mine = {line.variant_id: line for line in cart.lines.select_related("variant")}
    room = settings.COMMERCE_MAX_CART_LINES - len(mine)
    for line in guest.lines.select_related("variant"):
        if line.variant_id in mine:
            kept = mine[line.variant_id]
            kept.quantity = min(kept.quantity + line.quantity, line.variant.max_quantity)
            kept.save(update_fields=["quantity"])
        elif room > 0:
            CartLine.objects.create(cart=cart, variant=line.variant, quantity=line.quantity)
            room -= 1
    if cart.promo_code_id is None and guest.promo_code_id:
        cart.promo_code_id = guest.promo_code_id
    cart.use_wallet = cart.use_wallet or guest.use_wallet
    cart.save(update_fields=["promo_code", "use_wallet", "updated_at"])


def carts_delete_stale(*, days: int = 30) -> int:
    """Visitors' carts untouched for `days`: nobody can reach them once the session is gone."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = Cart.objects.filter(user__isnull=True, updated_at__lt=cutoff).delete()
    return deleted
