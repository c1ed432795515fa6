"""Cart arithmetic, pure: subtotal, the promo discount and its split over lines, the wallet
share and what is left to pay online, and the problems that stop a checkout. No database:
`price_cart()` is the one place a cart is priced, for the cart page, the API, checkout's
re-pricing under locks and the order summary; the property tests call it with plain values.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from coupzii.core.money import PAISE, ZERO, format_inr, quantize

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PricedLine:
    """A cart line as pricing sees it."""

    key: int  # the variant's pk: lines are matched back by it
    product_id: int
    category_id: int
    unit_price: Decimal
    quantity: int

    @property
    def total(self) -> Decimal:
        return quantize(self.unit_price * self.quantity)


@dataclass(frozen=True)
class Promo:
    """The parts of a promo code the arithmetic needs."""

    kind: str  # "percent" or "flat"
    value: Decimal
    max_discount: Decimal | None = None
    min_order: Decimal = ZERO
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()

    def applies_to(self, line: PricedLine) -> bool:
        if not self.product_ids and not self.category_ids:
            return True
        return line.product_id in self.product_ids or line.category_id in self.category_ids


@dataclass(frozen=True)
class Breakdown:
    subtotal: Decimal
    discount: Decimal
    wallet: Decimal
    payable: Decimal
    # The discount's share on each line, by line key; the shares add up to `discount`.
    line_discounts: dict[int, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount


def eligible_subtotal(lines: Sequence[PricedLine], promo: Promo) -> Decimal:
    return sum((line.total for line in lines if promo.applies_to(line)), ZERO)


def promo_discount(lines: Sequence[PricedLine], promo: Promo) -> Decimal:
    """The discount on the lines the promo applies to: never more than those lines cost nor
    the promo's cap, never negative; zero below the promo's minimum order."""
    base = eligible_subtotal(lines, promo)
    if base <= ZERO or base < promo.min_order:
        return ZERO
    if promo.kind == "percent":
        # Rounded down to the paisa: a discount never exceeds the advertised percentage.
        discount = (base * promo.value / HUNDRED).quantize(PAISE, rounding=ROUND_DOWN)
    else:
        discount = quantize(promo.value)
    if promo.max_discount is not None:
        discount = min(discount, quantize(promo.max_discount))
    return max(ZERO, min(discount, base))


def split_discount(
    lines: Sequence[PricedLine], promo: Promo, discount: Decimal
) -> dict[int, Decimal]:
    """Share `discount` over the eligible lines in proportion to their totals, in whole paise
    (largest remainder), so the shares add up to the discount exactly and no share is larger
    than its line."""
    shares = dict.fromkeys((line.key for line in lines), ZERO)
    eligible = [line for line in lines if promo.applies_to(line)]
    base = sum((line.total for line in eligible), ZERO)
    if discount <= ZERO or base <= ZERO:
        return shares
    paise = int(discount / PAISE)
    exact = {line.key: Decimal(paise) * line.total / base for line in eligible}
    floors = {key: int(value) for key, value in exact.items()}
    left = paise - sum(floors.values())
    by_remainder = sorted(exact, key=lambda key: (floors[key] - exact[key], key))
    for key in by_remainder[:left]:
        floors[key] += 1
    for key, share in floors.items():
        shares[key] = (Decimal(share) * PAISE).quantize(PAISE)
    return shares


def wallet_share(total: Decimal, available: Decimal, gateway_minimum: Decimal) -> Decimal:
    """How much of `total` the wallet pays: as much as it holds, except that an online
    payment can't be smaller than the gateway's minimum, so the wallet leaves at least that
    much (or pays everything)."""
    wallet = max(ZERO, min(quantize(available), total))
    rest = total - wallet
    if ZERO < rest < gateway_minimum:
        wallet = max(ZERO, total - gateway_minimum)
    return wallet


def breakdown(
    lines: Sequence[PricedLine],
    *,
    promo: Promo | None = None,
    wallet_available: Decimal = ZERO,
    use_wallet: bool = False,
    gateway_minimum: Decimal = Decimal("1.00"),
) -> Breakdown:
    subtotal = sum((line.total for line in lines), ZERO)
    discount = promo_discount(lines, promo) if promo else ZERO
    shares = (
        split_discount(lines, promo, discount)
        if promo
        else dict.fromkeys((line.key for line in lines), ZERO)
    )
    total = subtotal - discount
    wallet = wallet_share(total, wallet_available, gateway_minimum) if use_wallet else ZERO
    return Breakdown(subtotal, discount, wallet, total - wallet, shares)


def refund_split(
    amount: Decimal, *, gateway_paid: Decimal, gateway_refunded: Decimal
) -> tuple[Decimal, Decimal]:
    """(to the gateway, to the wallet): money goes back the way it came, the card's share
    first, so a refund never pays more to the card than the card paid."""
    to_gateway = max(ZERO, min(amount, gateway_paid - gateway_refunded))
    return to_gateway, amount - to_gateway


def promo_live(starts_at: datetime, ends_at: datetime | None, now: datetime) -> bool:
    return starts_at <= now and (ends_at is None or now < ends_at)


# --- The whole cart ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CartItem:
    """A cart line with what pricing and its checks need, read now: today's price and stock."""

    key: int  # the variant's pk
    sku: str
    product_id: int
    category_id: int
    face_value: Decimal
    unit_price: Decimal
    quantity: int
    stock: int
    min_quantity: int = 1
    max_quantity: int = 10
    on_sale: bool = True  # the card and its denomination are still sold

    @property
    def line(self) -> PricedLine:
        return PricedLine(
            key=self.key,
            product_id=self.product_id,
            category_id=self.category_id,
            unit_price=quantize(self.unit_price),
            quantity=self.quantity,
        )


@dataclass(frozen=True)
class ItemPrice:
    """One line priced: its total, its share of the discount, what it saves on face value and
    what stops it being bought ("" when nothing)."""

    key: int
    unit_price: Decimal
    line_total: Decimal
    discount: Decimal
    saving: Decimal
    problem: str = ""


@dataclass(frozen=True)
class CartPrice:
    items: tuple[ItemPrice, ...]
    breakdown: Breakdown
    # What must change before checkout, by field: "lines.<sku>", "promo_code", "payable".
    problems: dict[str, list[str]]
    # Saved on face value: the prices below it, and the promo discount.
    savings: Decimal

    def item(self, key: int) -> ItemPrice:
        return next(item for item in self.items if item.key == key)


def price_cart(
    items: Sequence[CartItem],
    *,
    promo: Promo | None = None,
    promo_code: str = "",
    promo_error: str = "",
    wallet_available: Decimal = ZERO,
    use_wallet: bool = False,
    gateway_minimum: Decimal = Decimal("1.00"),
) -> CartPrice:
    """Price a cart and say what stops it being checked out.

    `promo` is the applied code's terms, or None; `promo_error` says why a code on the cart
    can't be used now (expired, used up: the caller counts its uses), and then it gives
    nothing. A usable code that gives nothing on these lines gets its reason here."""
    lines = [item.line for item in items]
    terms = None if promo_error else promo
    result = breakdown(
        lines,
        promo=terms,
        wallet_available=wallet_available,
        use_wallet=use_wallet,
        gateway_minimum=gateway_minimum,
    )
    problems: dict[str, list[str]] = {}
    priced = []
    for item, line in zip(items, lines, strict=True):
        problem = item_problem(item)
        if problem:
            problems.setdefault(f"lines.{item.sku}", []).append(problem)
        priced.append(
            ItemPrice(
                key=item.key,
                unit_price=line.unit_price,
                line_total=line.total,
                discount=result.line_discounts.get(item.key, ZERO),
                saving=(item.face_value - line.unit_price) * item.quantity,
                problem=problem,
            )
        )
    if not promo_error and terms is not None and lines and result.discount == ZERO:
        promo_error = why_no_discount(lines, terms, promo_code)
    if promo_error:
        problems["promo_code"] = [promo_error]
    minimum = quantize(gateway_minimum)
    if ZERO < result.payable < minimum:
        problems["payable"] = [
            _("The amount to pay online must be at least %(min)s.") % {"min": format_inr(minimum)}
        ]
    face = sum((item.face_value * item.quantity for item in items), ZERO)
    return CartPrice(
        items=tuple(priced),
        breakdown=result,
        problems=problems,
        savings=face - result.subtotal + result.discount,
    )


def item_problem(item: CartItem) -> str:
    if not item.on_sale:
        return _("This gift card is no longer sold. Remove it to continue.")
    if item.stock == 0:
        return _("Out of stock. Remove it to continue.")
    if item.quantity > item.stock:
        return _("Only %(n)d left.") % {"n": item.stock}
    if not item.min_quantity <= item.quantity <= item.max_quantity:
        return _("Choose between %(low)d and %(high)d of this card per order.") % {
            "low": item.min_quantity,
            "high": item.max_quantity,
        }
    return ""


def why_no_discount(lines: Sequence[PricedLine], promo: Promo, code: str) -> str:
    """Why a live promo gives nothing on these lines: the field message for the cart."""
    base = eligible_subtotal(lines, promo)
    if base <= 0:
        return _("%(code)s doesn't apply to the gift cards in your cart.") % {"code": code}
    return _("Add %(more)s more of eligible gift cards to use %(code)s.") % {
        "more": format_inr(promo.min_order - base),
        "code": code,
    }
