"""Reads for pages, the API and the assistant: the priced cart, a shopper's orders, and the
delivered codes of an order."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog import inventory
from catalog.models import ProductImage, VoucherCode
from coupzii.core.money import ZERO, format_inr, quantize
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

    @property
    def variant(self):
        return self.line.variant

    @property
    def product(self):
        return self.line.variant.product


@dataclass
class PricedCart:
    """A cart priced now: fresh prices and stock, the promo checked, the wallet share."""

    cart: Cart | None
    rows: list[CartRow]
    breakdown: pricing.Breakdown
    promo: PromoCode | None = None
    promo_text: str = ""
    promo_error: str = ""
    wallet_available: Decimal = ZERO
    use_wallet: bool = False
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def can_check_out(self) -> bool:
        return bool(self.rows) and not self.problems

    @property
    def item_count(self) -> int:
        return sum(row.line.quantity for row in self.rows)


def cart_lines(cart: Cart) -> list[CartLine]:
    return list(
        cart.lines.select_related("variant__product__merchant").prefetch_related(
            Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position"))
        )
    )


def cart_priced(cart: Cart | None, *, user: User | None, lines: list[CartLine] | None = None):
    """Price the cart as it stands. Problems (a card no longer sold, too few left, a quantity
    outside the limits, a promo that no longer applies) are collected as field messages
    rather than raised, so the page can show all of them at once."""
    lines = cart_lines(cart) if cart and lines is None else (lines or [])
    stock = inventory.stock_of(line.variant_id for line in lines)
    rows = [_row(line, stock[line.variant_id]) for line in lines]
    priced = [_priced_line(row) for row in rows]
    problems: dict[str, list[str]] = {}
    for row in rows:
        if row.problem:
            problems.setdefault(f"lines.{row.variant.sku}", []).append(row.problem)

    promo, terms, promo_error = _promo(cart, user, priced)
    wallet = spendable_balance(user) if user and user.is_authenticated else ZERO
    use_wallet = bool(cart and cart.use_wallet and user and user.is_authenticated)
    result = pricing.breakdown(
        priced,
        promo=terms,
        wallet_available=wallet,
        use_wallet=use_wallet,
        gateway_minimum=quantize(settings.COMMERCE_GATEWAY_MINIMUM),
    )
    for row in rows:
        row.discount = result.line_discounts.get(row.variant.pk, ZERO)
    if promo_error:
        problems["promo_code"] = [promo_error]
    minimum = quantize(settings.COMMERCE_GATEWAY_MINIMUM)
    if ZERO < result.payable < minimum:
        problems["payable"] = [
            _("The amount to pay online must be at least %(min)s.") % {"min": format_inr(minimum)}
        ]
    return PricedCart(
        cart=cart,
        rows=rows,
        breakdown=result,
        promo=promo,
        promo_text=promos.promo_summary(promo) if promo else "",
        promo_error=promo_error,
        wallet_available=wallet,
        use_wallet=use_wallet,
        problems=problems,
    )


def _row(line: CartLine, stock: int) -> CartRow:
    variant = line.variant
    price = quantize(variant.price)
    row = CartRow(line=line, stock=stock, unit_price=price, line_total=price * line.quantity)
    if not (variant.is_active and variant.product.is_active):
        row.problem = _("This gift card is no longer sold. Remove it to continue.")
    elif stock == 0:
        row.problem = _("Out of stock. Remove it to continue.")
    elif line.quantity > stock:
        row.problem = _("Only %(n)d left.") % {"n": stock}
    elif not variant.min_quantity <= line.quantity <= variant.max_quantity:
        row.problem = _("Choose between %(low)d and %(high)d of this card per order.") % {
            "low": variant.min_quantity,
            "high": variant.max_quantity,
        }
    return row


def _priced_line(row: CartRow) -> pricing.PricedLine:
    return pricing.PricedLine(
        key=row.variant.pk,
        product_id=row.product.pk,
        category_id=row.product.category_id,
        unit_price=row.unit_price,
        quantity=row.line.quantity,
    )


def _promo(cart: Cart | None, user, lines: list[pricing.PricedLine]):
    promo = cart.promo_code if cart else None
    if promo is None:
        return None, None, ""
    try:
        promos.check_promo_usable(
            promo, user=user if user and user.is_authenticated else None, now=timezone.now()
        )
    except PromoInvalid as refused:
        return promo, None, refused.message
    terms = promos.promo_terms(promo)
    if lines and pricing.promo_discount(lines, terms) == ZERO:
        return promo, terms, promos.why_no_discount(promo, lines, terms)
    return promo, terms, ""


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


def order_counts() -> dict[str, int]:
    """How many orders are in each status, every status present (operators' metrics)."""
    counts = dict(Order.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in OrderStatus.values}
