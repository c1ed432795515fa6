"""Constants and the audit trail shared by every book action."""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from .. import errors
from ..models import (
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
    )


def _refusal(
    error: errors.BookError,
    *,
    code: CouponCode | None = None,
    book_id: int | None = None,
    reason: str = "",
) -> errors.BookError:
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
) -> Iterator[None]:
    """Write an ok=False audit row for a BookError raised in the block, then re-raise it.

    The block holds the action's own transaction: it has rolled back by the time the row is
    written here, so the refusal's row commits on its own.
    """
    try:
        yield
    except errors.BookError as error:
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
            )
        raise


def _code_for_update(*, book_id: int, code: str | CouponCode) -> CouponCode:
    """The book's code row, locked FOR UPDATE. `code` is a row or the code as typed (stripped;
    generated codes are upper case, so a code typed in lower case is found too)."""
    rows = CouponCode.objects.select_for_update().filter(book_id=book_id)
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
