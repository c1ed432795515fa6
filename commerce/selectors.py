"""Reads for pages, the API and the assistant: the priced cart, a shopper's orders, and the
delivered codes of an order."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from catalog import services as inventory
from catalog.models import ProductImage, VoucherCode, VoucherStatus
from coupzii.core.money import ZERO, quantize
from coupzii.core.validators import has_nul
from wallet.selectors import spendable_balance

from . import pricing
from .errors import PromoInvalid
from .models import (
    Cart,
    CartLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PromoCode,
    Refund,
    WebhookEvent,
)
from .services import promos


@dataclass
class CartRow:
    line: CartLine
    stock: int
    unit_price: Decimal
    line_total: Decimal
    discount: Decimal = ZERO
    problem: str = ""
    saving: Decimal = ZERO  # below face value, for the line's quantity

    @property
    def variant(self):
        return self.line.variant

    @property
    def product(self):
        return self.line.variant.product


@dataclass
class PricedCart:
    """A cart priced now (by `pricing.price_cart`): fresh prices and stock, the promo checked,
    the wallet share."""

    cart: Cart | None
    rows: list[CartRow]
    breakdown: pricing.Breakdown
    promo: PromoCode | None = None
    promo_text: str = ""
    promo_error: str = ""
    wallet_available: Decimal = ZERO
    use_wallet: bool = False
    problems: dict[str, list[str]] = field(default_factory=dict)
    savings: Decimal = ZERO

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def can_check_out(self) -> bool:
        return bool(self.rows) and not self.problems

    @property
    def item_count(self) -> int:
        return sum(row.line.quantity for row in self.rows)


def cart_lines(cart: Cart, *, images: bool = True) -> list[CartLine]:
    """The cart's lines with their cards (and, for pages, the cards' images)."""
    lines = cart.lines.select_related("variant__product__merchant")
    if images:
        lines = lines.prefetch_related(
            Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position"))
        )
    return list(lines)


def cart_priced(
    cart: Cart | None,
    *,
    user: User | None,
    lines: list[CartLine] | None = None,
    wallet: bool = True,
):
    """Read what pricing needs (lines, today's prices and stock, the promo's terms and uses,
    the wallet) and price the cart with `pricing.price_cart`. Problems (a card no longer sold,
    too few left, a quantity outside the limits, a promo that no longer applies) are collected
    as field messages rather than raised, so the page can show all of them at once. Without
    `wallet` the wallet's balance is not read (checkout, when the cart doesn't use it)."""
    lines = cart_lines(cart) if cart and lines is None else (lines or [])
    stock = inventory.stock_of(line.variant_id for line in lines)
    items = [_item(line, stock[line.variant_id]) for line in lines]
    promo, terms, promo_error = _promo(cart, user)
    signed_in = bool(user and user.is_authenticated)
    wallet = spendable_balance(user) if signed_in and wallet else ZERO
    use_wallet = bool(cart and cart.use_wallet and signed_in)
    price = pricing.price_cart(
        items,
        promo=terms,
        promo_code=promo.code if promo else "",
        promo_error=promo_error,
        wallet_available=wallet,
        use_wallet=use_wallet,
        gateway_minimum=quantize(settings.COMMERCE_GATEWAY_MINIMUM),
    )
    rows = [
        CartRow(
            line=line,
            stock=item.stock,
            unit_price=priced.unit_price,
            line_total=priced.line_total,
            discount=priced.discount,
            problem=priced.problem,
            saving=priced.saving,
        )
        for line, item, priced in zip(lines, items, price.items, strict=True)
    ]
    return PricedCart(
        cart=cart,
        rows=rows,
        breakdown=price.breakdown,
        promo=promo,
        promo_text=promos.promo_summary(promo) if promo else "",
        promo_error=price.problems.get("promo_code", [""])[0],
        wallet_available=wallet,
        use_wallet=use_wallet,
        problems=price.problems,
        savings=price.savings,
    )


def _item(line: CartLine, stock: int) -> pricing.CartItem:
    variant = line.variant
    return pricing.CartItem(
        key=variant.pk,
        sku=variant.sku,
        product_id=variant.product_id,
        category_id=variant.product.category_id,
        face_value=variant.face_value,
        unit_price=variant.price,
        quantity=line.quantity,
        stock=stock,
        min_quantity=variant.min_quantity,
        max_quantity=variant.max_quantity,
        on_sale=variant.is_active and variant.product.is_active,
    )


def _promo(cart: Cart | None, user):
    """The cart's promo code, its terms, and why it can't be used now ("" if it can)."""
    promo = cart.promo_code if cart else None
    if promo is None:
        return None, None, ""
    try:
        promos.check_promo_usable(
            promo, user=user if user and user.is_authenticated else None, now=timezone.now()
        )
    except PromoInvalid as refused:
        return promo, None, refused.message
    return promo, promos.promo_terms(promo), ""


# --- Orders ------------------------------------------------------------------------------------


def orders_of(user: User) -> QuerySet[Order]:
    """The user's orders, newest first, with their lines (for the list's item summary)."""
    return Order.objects.filter(user=user).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("variant__product"))
    )


def order_of(user: User, number: str) -> Order | None:
    """One of the user's orders with everything its page shows; None if it isn't theirs."""
    if has_nul(number):
        # A form field as sent (the dev gateway's pay form): PostgreSQL refuses NUL in a query.
        return None
    return (
        Order.objects.filter(user=user, number=(number or "").upper())
        .select_related("promo")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related(
                    "variant__product__merchant", "refund"
                ).prefetch_related("variant__product__images"),
            ),
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
            Prefetch("payments", queryset=Payment.objects.order_by("pk")),
            Prefetch("refunds", queryset=Refund.objects.order_by("pk")),
        )
        .first()
    )


def order_for_gateway_callback(number: str) -> Order | None:
    """Any user's order by number, with its payments: only for the payment callback, which
    runs without a session and proves itself with the gateway's signature instead."""
    return Order.objects.filter(number=(number or "").upper()).prefetch_related("payments").first()


def codes_by_line(order: Order) -> dict[int, list[VoucherCode]]:
    """The order's delivered codes, by line id, in one query. Only call it for an order the
    viewer owns (order_of) or an operator."""
    result: dict[int, list[VoucherCode]] = {line.pk: [] for line in order.lines.all()}
    for code in inventory.codes_for_lines(result):
        result[code.order_line_id].append(code)
    return result


def gift_card_codes_of(user: User) -> QuerySet[VoucherCode]:
    """The gift-card codes delivered on the user's orders, with card and brand (the
    marketplace's locker imports them). Only for that user's own eyes."""
    line_ids = OrderLine.objects.filter(order__user=user).values("pk")
    return VoucherCode.objects.filter(
        order_line_id__in=line_ids, status=VoucherStatus.DELIVERED
    ).select_related("variant__product__merchant", "variant__product__category")


# --- For you (offers' rail reads a shopper's orders through these) -----------------------------

# A gift card bought says more about a shopper's taste than a click (offers weighs a click 1).
ORDER_TASTE_WEIGHT = 5.0
ORDER_TASTE_ROWS = 500
# An order counts once it is paid, also when delivered or later refunded: the shopper chose it.
ORDERED = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED)


def order_taste(user_id: int, since) -> list[tuple]:
    """(brand, gift-card category, paid at, weight) of each line the shopper paid for since
    `since`, newest first: one query (registered with offers' taste sources)."""
    rows = (
        OrderLine.objects.filter(
            order__user_id=user_id, order__status__in=ORDERED, order__paid_at__gte=since
        )
        .order_by("-order__paid_at", "-pk")
        .values_list(
            "variant__product__merchant_id", "variant__product__category_id", "order__paid_at"
        )[:ORDER_TASTE_ROWS]
    )
    return [
        (merchant, category, paid_at, ORDER_TASTE_WEIGHT) for merchant, category, paid_at in rows
    ]


def shoppers_who_paid_since(since) -> set[int]:
    """Shoppers with an order paid since `since` (offers' rail refresh beat)."""
    return set(
        Order.objects.filter(status__in=ORDERED, paid_at__gte=since)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


def order_counts() -> dict[str, int]:
    """How many orders are in each status, every status present (operators' metrics)."""
    counts = dict(Order.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in OrderStatus.values}


# --- Operators' dashboard ---------------------------------------------------------------------


def webhook_events_refused() -> int:
    """Signed payment webhooks kept unprocessed because they could not be applied: the admin's
    webhook list shows them with "processed: no"."""
    return WebhookEvent.objects.filter(processed_at__isnull=True).count()
