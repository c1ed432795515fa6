"""Rupee amounts: Decimal only, quantized to paise with ROUND_HALF_UP, Indian digit grouping.

Amounts are never floats. Paise integers exist only at the payment-gateway boundary
(`to_paise` / `from_paise`).
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PAISE = Decimal("0.01")
ZERO = Decimal("0.00")
# Every amount column is DecimalField(max_digits=12, decimal_places=2). A larger amount is
# refused by PostgreSQL (DataError) and stored by SQLite in a form that cannot be read back,
# so every boundary checks an amount with `column_amount` before anything is written.
MAX_DIGITS = 12
DECIMAL_PLACES = 2
MAX_AMOUNT = Decimal("9999999999.99")
RUPEE_SIGN = "\u20b9"

# "₹1,23,456.78", "Rs. 500", "INR 99.5", "-₹10": one optional sign before or after an optional
# currency marker, then digits plain or grouped the Indian (12,34,567) or Western (1,234,567)
# way. Stray commas ("0,5", "1,,2") are refused: a decimal comma must not become 10x the amount.
_GROUPED = r"\d+|\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})*,\d{3}"
_AMOUNT_RE = re.compile(
    rf"^(?:(?P<sign>-)\s*)?(?:\u20b9|rs\.?|inr)?\s*(?:(?P<sign2>-)\s*)?"
    rf"(?P<digits>{_GROUPED})(?:\.(?P<fraction>\d+))?$",
    re.IGNORECASE,
)


class InvalidAmount(ValueError):
    """Raised when text or a value cannot be read as a rupee amount."""


def quantize(value: Decimal | int | str) -> Decimal:
    """Round to whole paise, half up (₹0.005 -> ₹0.01), the rule used at every step."""
    try:
        return to_decimal(value).quantize(PAISE, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        # More digits than the decimal context holds: far beyond any real amount.
        raise InvalidAmount(f"Amount out of range: {value!r}") from exc


def fits_column(amount: Decimal) -> bool:
    """Whether a quantized amount fits an amount column (12 digits, 2 of them paise)."""
    return abs(amount) <= MAX_AMOUNT


def column_amount(value: Decimal | int | str) -> Decimal:
    """`value` quantized to paise and checked to fit an amount column.

    Raises InvalidAmount for anything that is not a finite amount or is beyond ±MAX_AMOUNT.
    """
    amount = quantize(value)
    if not fits_column(amount):
        raise InvalidAmount(f"Amount beyond {MAX_AMOUNT}: {value!r}")
    return amount


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Read an amount exactly; floats are refused because they cannot hold paise exactly."""
    if isinstance(value, bool | float):
        raise InvalidAmount("Money must not be a float or bool; pass a Decimal, int or str.")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise InvalidAmount(f"Not an amount: {value!r}") from exc
    else:
        raise InvalidAmount(f"Not an amount: {value!r}")
    if not result.is_finite():
        raise InvalidAmount(f"Not a finite amount: {value!r}")
    return result


def parse_inr(text: str) -> Decimal:
    """Read what a person types ("₹1,23,456.78", "Rs 500", "99.5") as a quantized Decimal.

    Raises InvalidAmount for anything else, including amounts finer than a paisa, which are
    refused rather than silently rounded, and amounts too large for an amount column.
    """
    match = _AMOUNT_RE.match(text.strip().replace("\u00a0", " "))
    if not match:
        raise InvalidAmount(f"Not a rupee amount: {text!r}")
    fraction = match["fraction"] or ""
    if len(fraction) > 2:
        raise InvalidAmount(f"Amounts have at most two decimal places (paise): {text!r}")
    if match["sign"] and match["sign2"]:
        raise InvalidAmount(f"Two minus signs: {text!r}")
    negative = bool(match["sign"] or match["sign2"])
    amount = Decimal(f"{match['digits'].replace(',', '')}.{fraction or '0'}")
    return column_amount(-amount if negative else amount)


def format_inr(value: Decimal | int | str, *, symbol: bool = True) -> str:
    """Write an amount the Indian way, always with paise: ₹1,23,456.78, ₹250.00 (lakh and
    crore grouping). The one rule for every amount on pages, in emails and in the admin, so
    ₹96.00 never stands next to ₹250.
    """
    amount = quantize(value)
    sign = "-" if amount < 0 else ""
    rupees, _, fraction = f"{abs(amount):.2f}".partition(".")
    return f"{sign}{RUPEE_SIGN if symbol else ''}{_group_indian(rupees)}.{fraction}"


def _group_indian(digits: str) -> str:
    # The last three digits form one group; every group before them has two (12,34,567).
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def to_paise(value: Decimal | int | str) -> int:
    """Rupees to integer paise for gateway APIs (Razorpay takes amounts in paise)."""
    amount = to_decimal(value)
    if amount != quantize(amount):
        raise InvalidAmount(f"{value!r} is not a whole number of paise")
    return int(amount * 100)


def from_paise(paise: int) -> Decimal:
    """Integer paise from a gateway back to rupees."""
    if isinstance(paise, bool) or not isinstance(paise, int):
        raise InvalidAmount(f"Paise must be an int: {paise!r}")
    return quantize(Decimal(paise) / 100)
