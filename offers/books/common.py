"""Constants and the audit trail shared by every book action."""

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from coupzii.core.errors import DomainError
from coupzii.core.money import InvalidAmount, column_amount

from .. import errors
from ..models import (
    AuditAction,
    CodeStatus,
    CouponCode,
    RedemptionAudit,
)

logger = logging.getLogger(__name__)

# Unambiguous characters only: no 0/O, 1/I/L, so a code read aloud at a till is typed right.
DIGITS = "23456789"
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
PATTERN_CHARSETS = {"#": DIGITS, "?": LETTERS, "*": DIGITS + LETTERS}
PATTERN_LITERAL = re.compile(r"[A-Za-z0-9_-]")
CODE_MAX_LENGTH = 64
# A book may fill at most a tenth of its pattern's space: collisions stay rare while
# generating, and a guessed code is wrong at least nine times in ten.
MIN_SPACE_FACTOR = 10
MAX_GENERATE = 1_000_000
WRITE_BATCH = 5_000
MAX_TOP_UP_ROUNDS = 25

IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_HEADERS = {
    "code",
    "codes",
    "coupon",
    "coupon code",
    "coupon_code",
    "voucher",
    "voucher code",
}
IMPORT_INVALID_ROWS_SHOWN = 20

IDEMPOTENCY_KEY_MAX_LENGTH = 80
# A till may undo a successful redeem for this long after it.
REDEEM_ROLLBACK_WINDOW = timedelta(hours=24)
# A basket's products: SKUs as text, this many at most, each this long at most.
PRODUCTS_MAX = 200
PRODUCT_SKU_MAX_LENGTH = 64
CREDENTIAL_MAX_LENGTH = 40
# A repeated claim with the same Idempotency-Key within this time returns the first code.
CLAIM_KEY_TTL = timedelta(days=1)

UNUSED_STATUSES = (CodeStatus.AVAILABLE, CodeStatus.ASSIGNED, CodeStatus.LOCKED)
SWEEP_BATCH = 1_000
REMINDER_DAYS = 3
REMINDER_KEY_TTL = 10 * 24 * 60 * 60
REMINDER_KIND = "code_expiring"


# --- Audit -----------------------------------------------------------------------------------


def _actor_id(actor) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor.pk


def _audit(
    *,
    book_id: int,
    action: str,
    ok: bool,
    code: CouponCode | None = None,
    code_id: int | None = None,
    actor=None,
    reason: str = "",
    ip: str | None = None,
    order_reference: str = "",
    idempotency_key: str = "",
    order_amount: Decimal | None = None,
    discount_amount: Decimal | None = None,
    products: Sequence[str] = (),
    credential: str = "",
    reverses: RedemptionAudit | None = None,
) -> RedemptionAudit:
    return RedemptionAudit.objects.create(
        book_id=book_id,
        code_id=code.pk if code is not None else code_id,
        action=action,
        actor_id=_actor_id(actor),
        ok=ok,
        reason=reason[:200],
        client_ip=ip or None,
        order_reference=(order_reference or "")[:80],
        idempotency_key=(idempotency_key or "")[:80],
        order_amount=order_amount,
        discount_amount=discount_amount,
        products=list(products),
        credential=(credential or "")[:CREDENTIAL_MAX_LENGTH],
        reverses=reverses,
    )


def _void(
    row: CouponCode, *, actor, reason: str, ip: str | None = None, order_reference: str = ""
) -> None:
    """Cancel `row` (locked by the caller) for good, with its audit row: the till's void and
    the marketplace's re-key and refund all end a code this way."""
    row.status = CodeStatus.VOID
    row.locked_until = None
    row.save(update_fields=["status", "locked_until", "updated_at"])
    _audit(
        book_id=row.book_id,
        code=row,
        action=AuditAction.VOID,
        ok=True,
        actor=actor,
        ip=ip,
        reason=reason,
        order_reference=order_reference,
    )


def _refusal(
    error: DomainError,
    *,
    code: CouponCode | None = None,
    book_id: int | None = None,
    reason: str = "",
) -> DomainError:
    """Attach what the audit row of this refusal should say (see `_refusals_audited`)."""
    error.audit_code_id = code.pk if code is not None else None
    error.audit_book_id = book_id
    error.audit_reason = reason
    return error


@contextmanager
def _refusals_audited(
    *,
    action: str,
    book_id: int | None,
    actor=None,
    ip: str | None = None,
    order_reference: str = "",
    idempotency_key: str = "",
    order_amount: Decimal | None = None,
    products: Sequence[str] = (),
    credential: str = "",
) -> Iterator[None]:
    """Write an ok=False audit row for a DomainError raised in the block (a BookError, or a
    redemption guard's refusal), then re-raise it.

    The block holds the action's own transaction: it has rolled back by the time the row is
    written here, so the refusal's row commits on its own.
    """
    try:
        yield
    except DomainError as error:
        refused_book_id = getattr(error, "audit_book_id", None) or book_id
        if refused_book_id is None:
            # No book to file it under (an offer without books): the log has it.
            logger.info("%s refused without a book: %s", action, error.code)
        else:
            detail = getattr(error, "audit_reason", "")
            _audit(
                book_id=refused_book_id,
                code_id=getattr(error, "audit_code_id", None),
                action=action,
                ok=False,
                actor=actor,
                reason=f"{error.code}: {detail}" if detail else error.code,
                ip=ip,
                order_reference=order_reference,
                idempotency_key=idempotency_key,
                order_amount=order_amount,
                products=products,
                credential=credential,
            )
        raise


# --- The basket a till sends -----------------------------------------------------------------


def _clean_order_amount(order_amount) -> Decimal | None:
    """The order amount as a column-sized Decimal (None stays None). Raises
    InvalidOrderAmount for a negative, float or too-large amount, or text that is none."""
    if order_amount is None:
        return None
    try:
        amount = column_amount(order_amount)
    except InvalidAmount:
        raise errors.InvalidOrderAmount() from None
    if amount < 0:
        raise errors.InvalidOrderAmount()
    return amount


def _clean_products(products) -> list[str]:
    """The basket's SKUs as stripped strings, in the order sent. Raises InvalidProducts."""
    if isinstance(products, str | bytes) or products is None:
        raise errors.InvalidProducts()
    cleaned = []
    for sku in products:
        if not isinstance(sku, str | int) or isinstance(sku, bool):
            raise errors.InvalidProducts()
        text = str(sku).strip()
        if not text or len(text) > PRODUCT_SKU_MAX_LENGTH:
            raise errors.InvalidProducts()
        cleaned.append(text)
    if len(cleaned) > PRODUCTS_MAX:
        raise errors.InvalidProducts()
    return cleaned


def _safe_products(products) -> list[str]:
    """What a refusal's audit row can record of a basket that may itself be invalid."""
    try:
        return _clean_products(products)
    except errors.InvalidProducts:
        return []


def _safe_amount(order_amount) -> Decimal | None:
    try:
        return _clean_order_amount(order_amount)
    except errors.InvalidOrderAmount:
        return None


# --- Redemption guards -----------------------------------------------------------------------


class RedemptionGuard(Protocol):
    """Something a higher app registers to take part in every redeem and rollback (a brand's
    budget, say). Both hooks run inside the action's transaction, after its audit row is
    written and the code row is locked; a DomainError raised refuses the action: the
    transaction rolls back and the refusal is audited with the error's code."""

    def on_redeem(self, *, book, code: CouponCode, audit: RedemptionAudit) -> None: ...

    def on_rollback(
        self, *, book, code: CouponCode, audit: RedemptionAudit, redeemed: RedemptionAudit
    ) -> None: ...


_guards: list[RedemptionGuard] = []


def redemption_guard_register(guard: RedemptionGuard) -> None:
    """Run `guard` in every redeem and rollback from now on (once, however often it is
    registered). Apps register theirs in AppConfig.ready()."""
    if guard not in _guards:
        _guards.append(guard)


def redemption_guard_unregister(guard: RedemptionGuard) -> None:
    """Stop running `guard` (tests, mostly). Unknown guards are ignored."""
    if guard in _guards:
        _guards.remove(guard)


def _guards_on_redeem(*, book, code: CouponCode, audit: RedemptionAudit) -> None:
    for guard in list(_guards):
        try:
            guard.on_redeem(book=book, code=code, audit=audit)
        except DomainError as error:
            raise _refusal(error, code=code, reason="refused by a redemption guard") from None


def _guards_on_rollback(
    *, book, code: CouponCode, audit: RedemptionAudit, redeemed: RedemptionAudit
) -> None:
    for guard in list(_guards):
        try:
            guard.on_rollback(book=book, code=code, audit=audit, redeemed=redeemed)
        except DomainError as error:
            raise _refusal(error, code=code, reason="refused by a redemption guard") from None


def _code_for_update(*, book_id: int, code: str | CouponCode) -> CouponCode:
    """The book's code row, locked FOR UPDATE. `code` is a row or the code as typed (stripped;
    generated codes are upper case, so a code typed in lower case is found too)."""
    return _find_code(CouponCode.objects.select_for_update(), book_id=book_id, code=code)


def _code_for_read(*, book_id: int, code: str | CouponCode) -> CouponCode:
    """The book's code row as `_code_for_update` finds it, without a lock (a validate)."""
    return _find_code(CouponCode.objects.all(), book_id=book_id, code=code)


def _find_code(rows, *, book_id: int, code: str | CouponCode) -> CouponCode:
    rows = rows.filter(book_id=book_id)
    if isinstance(code, CouponCode):
        typed = code.code
        row = rows.filter(pk=code.pk).first()
    else:
        typed = str(code).strip()
        row = rows.filter(code=typed).first()
        if row is None and typed.upper() != typed:
            row = rows.filter(code=typed.upper()).first()
    if row is None:
        raise _refusal(errors.CodeNotFound(), reason=f"typed {typed[:80]!r}")
    return row
