"""Cart arithmetic, pure: subtotal, the promo discount and its split over lines, the wallet
share and what is left to pay online. No database: pages, the API, checkout and the property
tests all call the same functions with plain values.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from coupzii.core.money import PAISE, ZERO, quantize

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
