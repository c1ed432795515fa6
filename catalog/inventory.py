"""Voucher-code inventory: add codes, reserve them for order lines, deliver, release, void.

Commerce calls these inside its own transactions; they never open a durable transaction of
their own. Codes are handed out with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent
checkouts take different codes instead of queueing behind each other.
"""

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coupzii.core.errors import DomainError
from coupzii.core.validators import code_problem

from .models import Variant, VoucherCode, VoucherStatus

V = VoucherStatus
# What one code may be, after normalising (spaces dropped, upper case): long enough for any
# brand's codes, short enough that a pasted paragraph is refused. Its characters follow the
# one rule for every code (coupzii.core.validators.code_problem).
CODE_MAX_LENGTH = 100
PIN_MAX_LENGTH = 40


class InvalidVoucherCode(DomainError):
    code = "invalid_voucher_code"
    default_message = _("A voucher code or PIN is not valid.")


def voucher_code_problem(code: str) -> str | None:
    """Why a code (once normalised) can't go into the inventory, or None."""
    return code_problem(normalise_code(code), max_length=CODE_MAX_LENGTH)


def voucher_pin_problem(pin: str) -> str | None:
    """A PIN is optional; one that is given follows the code rule."""
    pin = pin.strip()
    return code_problem(pin, max_length=PIN_MAX_LENGTH) if pin else None


def _checked(codes: Sequence["NewCode"]) -> Sequence["NewCode"]:
    for new_code in codes:
        problem = voucher_code_problem(new_code.code) or voucher_pin_problem(new_code.pin)
        if problem:
            raise InvalidVoucherCode(problem)
    return codes


def code_digest(code: str) -> str:
    """A keyed hash of a normalised code: equal for equal codes, so duplicates are refused by
    a unique index even though the code itself is stored encrypted."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def sellable_from() -> date:
    """Codes expiring before this date are not sold: a card must leave the shopper time to use
    it (CATALOG_MIN_CODE_VALIDITY_DAYS)."""
    return timezone.localdate() + timedelta(days=settings.CATALOG_MIN_CODE_VALIDITY_DAYS)


def sellable_codes() -> QuerySet[VoucherCode]:
    return VoucherCode.objects.filter(status=V.AVAILABLE).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=sellable_from())
    )


def stock_of(variant_ids: Iterable[int]) -> dict[int, int]:
    """Sellable codes per variant, in one query; 0 for variants with none."""
    variant_ids = list(variant_ids)
    counts = dict.fromkeys(variant_ids, 0)
    rows = (
        sellable_codes()
        .filter(variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(n=Count("pk"))
        .values_list("variant_id", "n")
    )
    counts.update(rows)
    return counts


@dataclass(frozen=True)
class NewCode:
    code: str
    pin: str = ""
    expires_on: date | None = None


def voucher_codes_add(*, variant: Variant, codes: Sequence[NewCode]) -> list[VoucherCode]:
    """Put codes on sale. Raises InvalidVoucherCode for a code or PIN that breaks the code
    rule, IntegrityError if any is already in the inventory (the whole batch is refused); the
    admin import reports both row by row before calling this."""
    rows = [
        VoucherCode(
            variant=variant,
            code=normalise_code(c.code),
            pin=c.pin.strip(),
            code_digest=code_digest(c.code),
            expires_on=c.expires_on,
        )
        for c in _checked(codes)
    ]
    with transaction.atomic():
        return VoucherCode.objects.bulk_create(rows)


def duplicate_digests(digests: Iterable[str]) -> set[str]:
    return set(
        VoucherCode.objects.filter(code_digest__in=list(digests)).values_list(
            "code_digest", flat=True
        )
    )


def voucher_codes_reserve(*, variant_id: int, quantity: int, order_line_id: int) -> int:
    """Reserve up to `quantity` sellable codes of the variant for the order line, soonest
    expiry first. Returns how many it got; the caller decides whether fewer is an error.
    Must run inside the caller's transaction (the row locks last until it commits)."""
    pks = list(
        sellable_codes()
        .filter(variant_id=variant_id)
        # Codes without an expiry last on every database (SQLite sorts NULL first).
        .order_by(F("expires_on").asc(nulls_last=True), "pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:quantity]
    )
    if pks:
        VoucherCode.objects.filter(pk__in=pks).update(
            status=V.RESERVED, order_line_id=order_line_id, reserved_at=timezone.now()
        )
    return len(pks)


def voucher_codes_reserve_lines(wanted: Sequence[tuple[int, int, int]]) -> dict[int, int]:
    """`voucher_codes_reserve` for several order lines at once: `wanted` holds (order line id,
    variant id, quantity), one line per variant. Returns how many codes each line got. On
    PostgreSQL it is one statement whatever the number of lines (each variant's codes picked
    by a LATERAL sub-select with FOR UPDATE SKIP LOCKED); elsewhere one line after another."""
    got = {line_id: 0 for line_id, _variant, _quantity in wanted}
    wanted = sorted(wanted, key=lambda row: row[1])
    if connection.vendor != "postgresql" or len({row[1] for row in wanted}) < len(wanted):
        for line_id, variant_id, quantity in wanted:
            got[line_id] = voucher_codes_reserve(
                variant_id=variant_id, quantity=quantity, order_line_id=line_id
            )
        return got
    table = connection.ops.quote_name(VoucherCode._meta.db_table)
    rows = ", ".join(["(%s::bigint, %s::bigint, %s::integer)"] * len(wanted))
    sql = (
        f"WITH wanted (line_id, variant_id, quantity) AS (VALUES {rows}), "  # noqa: S608
        "picked AS ("
        "SELECT wanted.line_id, code.id FROM wanted CROSS JOIN LATERAL ("
        f"SELECT v.id FROM {table} v WHERE v.variant_id = wanted.variant_id "
        "AND v.status = %s AND (v.expires_on IS NULL OR v.expires_on >= %s) "
        # Soonest expiry first, codes without one last: as voucher_codes_reserve.
        "ORDER BY v.expires_on ASC NULLS LAST, v.id LIMIT wanted.quantity "
        "FOR UPDATE SKIP LOCKED) code) "
        f"UPDATE {table} SET status = %s, order_line_id = picked.line_id, reserved_at = %s "
        f"FROM picked WHERE {table}.id = picked.id RETURNING picked.line_id"
    )
    params = [value for row in wanted for value in row]
    params += [V.AVAILABLE, sellable_from(), V.RESERVED, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for (line_id,) in cursor.fetchall():
            got[line_id] += 1
    return got


def voucher_codes_release(*, order_line_ids: Iterable[int]) -> int:
    """Put an unpaid order's reserved codes back on sale."""
    return VoucherCode.objects.filter(
        order_line_id__in=list(order_line_ids), status=V.RESERVED
    ).update(status=V.AVAILABLE, order_line_id=None, reserved_at=None)


def voucher_codes_deliver(*, order_line_ids: Iterable[int]) -> dict[int, int]:
    """Deliver the lines' reserved codes. Returns delivered codes per line (all of them, those
    delivered before included), so the caller can see which lines are short. One statement on
    PostgreSQL: the UPDATE's returned rows plus those delivered before, which the statement's
    own SELECT still sees as they were."""
    line_ids = list(order_line_ids)
    if connection.vendor != "postgresql" or not line_ids:
        VoucherCode.objects.filter(order_line_id__in=line_ids, status=V.RESERVED).update(
            status=V.DELIVERED, delivered_at=timezone.now()
        )
        return delivered_counts(line_ids)
    table = connection.ops.quote_name(VoucherCode._meta.db_table)
    sql = (
        f"WITH done AS (UPDATE {table} SET status = %s, delivered_at = %s "  # noqa: S608
        "WHERE order_line_id = ANY(%s) AND status = %s RETURNING order_line_id) "
        "SELECT order_line_id, count(*) FROM (SELECT order_line_id FROM done UNION ALL "
        f"SELECT order_line_id FROM {table} WHERE order_line_id = ANY(%s) AND status = %s) "
        "AS delivered GROUP BY order_line_id"
    )
    params = [V.DELIVERED, timezone.now(), line_ids, V.RESERVED, line_ids, V.DELIVERED]
    counts = dict.fromkeys(line_ids, 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts.update(cursor.fetchall())
    return counts


def delivered_counts(order_line_ids: Iterable[int]) -> dict[int, int]:
    line_ids = list(order_line_ids)
    counts = dict.fromkeys(line_ids, 0)
    counts.update(
        VoucherCode.objects.filter(order_line_id__in=line_ids, status=V.DELIVERED)
        .values("order_line_id")
        .annotate(n=Count("pk"))
        .values_list("order_line_id", "n")
    )
    return counts


def voucher_codes_add_delivered(
    *, variant: Variant, codes: Sequence[NewCode], order_line_id: int
) -> list[VoucherCode]:
    """Codes an operator got from the brand by hand for one order line, delivered at once.
    Raises InvalidVoucherCode (see voucher_codes_add), IntegrityError for a code already in
    the inventory."""
    now = timezone.now()
    rows = [
        VoucherCode(
            variant=variant,
            code=normalise_code(c.code),
            pin=c.pin.strip(),
            code_digest=code_digest(c.code),
            expires_on=c.expires_on,
            status=V.DELIVERED,
            order_line_id=order_line_id,
            reserved_at=now,
            delivered_at=now,
        )
        for c in _checked(codes)
    ]
    with transaction.atomic():
        return VoucherCode.objects.bulk_create(rows)


def voucher_codes_void(*, order_line_ids: Iterable[int]) -> int:
    """Take refunded lines' codes out of circulation for good."""
    return VoucherCode.objects.filter(
        order_line_id__in=list(order_line_ids), status__in=[V.RESERVED, V.DELIVERED]
    ).update(status=V.VOID)


def voucher_codes_void_by_pks(*, pks: Iterable[int]) -> int:
    """Take codes an operator found bad out of sale for good; returns how many changed. Only
    available and reserved codes: a delivered one is the shopper's and comes back only through
    a refund of its line. A voided reserved code leaves its line short; paying the order tops
    it up from stock, or it waits for codes (order_fulfil_retry, fulfil by hand)."""
    return VoucherCode.objects.filter(
        pk__in=list(pks), status__in=[V.AVAILABLE, V.RESERVED]
    ).update(status=V.VOID)


def codes_for_lines(order_line_ids: Iterable[int]) -> QuerySet[VoucherCode]:
    """The delivered codes of these order lines, for showing to their owner."""
    return VoucherCode.objects.filter(
        order_line_id__in=list(order_line_ids), status=V.DELIVERED
    ).order_by("order_line_id", "pk")
