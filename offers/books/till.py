"""At the till: lock a code for checkout, unlock it, redeem it, void it."""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import errors
from ..models import (
    AuditAction,
    BookStatus,
    CodeStatus,
    CouponBook,
    CouponCode,
    OfferStatus,
    RedemptionAudit,
)
from .common import (
    IDEMPOTENCY_KEY_MAX_LENGTH,
    _actor_id,
    _audit,
    _code_for_update,
    _refusal,
    _refusals_audited,
)

logger = logging.getLogger(__name__)

# --- At the till: lock, unlock, redeem, void -------------------------------------------------


def _refuse_unusable(row: CouponCode, book: CouponBook, now: datetime) -> None:
    """Raise if the code can no longer be locked or redeemed."""
    if row.status == CodeStatus.REDEEMED:
        raise _refusal(errors.CodeAlreadyRedeemed(), code=row)
    if row.status == CodeStatus.VOID:
        raise _refusal(errors.CodeVoid(), code=row)
    if row.status == CodeStatus.EXPIRED:
        raise _refusal(errors.CodeExpired(), code=row)
    if book.status == BookStatus.CLOSED:
        raise _refusal(errors.BookClosed(), code=row)
    offer = book.offer
    if offer.status == OfferStatus.EXPIRED or (offer.ends_at and offer.ends_at <= now):
        # The offer ended; the nightly sweep may not have marked its codes yet.
        raise _refusal(errors.CodeExpired(), code=row, reason="offer ended")


def _refuse_unusable_or_locked(
    row: CouponCode, book: CouponBook, now: datetime, *, actor, order_reference: str
) -> None:
    """What lock and redeem both require: a usable code that nobody else holds locked."""
    _refuse_unusable(row, book, now)
    if _lock_is_live(row, now) and not _holds_lock(
        row, actor=actor, order_reference=order_reference
    ):
        raise _refusal(errors.CodeLocked(), code=row)


def _lock_is_live(row: CouponCode, now: datetime) -> bool:
    return row.status == CodeStatus.LOCKED and (row.locked_until is None or row.locked_until > now)


def _holds_lock(row: CouponCode, *, actor, order_reference: str) -> bool:
    """Whether the live lock on `row` was taken by this actor (and, when both name one, for
    this order)."""
    lock = (
        RedemptionAudit.objects.filter(code=row, action=AuditAction.LOCK, ok=True)
        .order_by("-id")
        .first()
    )
    if lock is None or lock.actor_id != _actor_id(actor):
        return False
    return not (order_reference and lock.order_reference) or lock.order_reference == order_reference


def _release_status(row: CouponCode) -> str:
    return CodeStatus.ASSIGNED if row.holder_id else CodeStatus.AVAILABLE


def code_lock(
    *,
    book: CouponBook,
    code: str | CouponCode,
    actor,
    ip: str | None = None,
    order_reference: str = "",
) -> CouponCode:
    """Hold an assigned or available code for one checkout for `book.lock_ttl_seconds`.

    Locking again by the same actor for the same order extends the lock. Raises
    CodeNotFound, CodeLocked (another checkout holds it), CodeAlreadyRedeemed, CodeVoid,
    CodeExpired, BookClosed.
    """
    with (
        _refusals_audited(
            action=AuditAction.LOCK,
            book_id=book.pk,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
        ),
        transaction.atomic(durable=True),
    ):
        now = timezone.now()
        row = _code_for_update(book_id=book.pk, code=code)
        current_book = CouponBook.objects.select_related("offer").get(pk=book.pk)
        _refuse_unusable_or_locked(
            row, current_book, now, actor=actor, order_reference=order_reference
        )
        row.status = CodeStatus.LOCKED
        row.locked_until = now + timedelta(seconds=current_book.lock_ttl_seconds)
        row.save(update_fields=["status", "locked_until", "updated_at"])
        _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.LOCK,
            ok=True,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
            reason=f"until {row.locked_until.isoformat()}",
        )
    return row


def code_unlock(
    *,
    book: CouponBook,
    code: str | CouponCode,
    actor,
    ip: str | None = None,
    order_reference: str = "",
    force: bool = False,
) -> CouponCode:
    """End a checkout's lock: the code goes back to its holder, or back to the pool.

    Only the actor who locked it may unlock a live lock, unless `force` (an operator).
    Raises CodeNotFound, CodeNotLocked, CodeLocked.
    """
    with (
        _refusals_audited(
            action=AuditAction.UNLOCK,
            book_id=book.pk,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
        ),
        transaction.atomic(durable=True),
    ):
        now = timezone.now()
        row = _code_for_update(book_id=book.pk, code=code)
        if row.status != CodeStatus.LOCKED:
            raise _refusal(errors.CodeNotLocked(), code=row, reason=f"status {row.status}")
        if (
            not force
            and _lock_is_live(row, now)
            and not _holds_lock(row, actor=actor, order_reference=order_reference)
        ):
            raise _refusal(errors.CodeLocked(), code=row)
        row.status = _release_status(row)
        row.locked_until = None
        row.save(update_fields=["status", "locked_until", "updated_at"])
        _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.UNLOCK,
            ok=True,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
            reason="forced" if force else "",
        )
    return row


def code_redeem(
    *,
    book: CouponBook,
    code: str | CouponCode,
    actor,
    idempotency_key: str,
    order_reference: str = "",
    ip: str | None = None,
) -> CouponCode:
    """Use the code once. It becomes `redeemed` when it has been used
    `book.max_redemptions_per_code` times; until then it goes back to its holder (or pool).

    Idempotent by key within the book: a repeat with the key of a successful redemption of
    this code returns the code and changes nothing (and writes no second row; the first one
    records it). A code locked by another checkout cannot be redeemed until that lock ends.

    Raises InvalidIdempotencyKey, IdempotencyKeyReused (the key redeemed another code),
    CodeNotFound, CodeLocked, CodeAlreadyRedeemed, CodeVoid, CodeExpired, BookClosed.
    """
    key = (idempotency_key or "").strip()
    audited = partial(
        _refusals_audited,
        action=AuditAction.REDEEM,
        book_id=book.pk,
        actor=actor,
        ip=ip,
        order_reference=order_reference,
        idempotency_key=key,
    )
    with audited():
        if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise _refusal(errors.InvalidIdempotencyKey())
        try:
            return _redeem(
                book=book, code=code, actor=actor, key=key, order_reference=order_reference, ip=ip
            )
        except IntegrityError:
            # The partial unique constraint on (book, key) for successful redeems: another
            # code was redeemed with this key between our check and our insert, and our
            # transaction rolled back. Answer as if we had come second.
            first = _successful_redeem(book_id=book.pk, key=key)
            if first is None:
                raise
            row = CouponCode.objects.get(pk=first.code_id)
            if _same_code(row, code):
                return row
            raise _refusal(
                errors.IdempotencyKeyReused(), reason=f"key redeemed code id {row.pk}"
            ) from None


def _successful_redeem(*, book_id: int, key: str) -> RedemptionAudit | None:
    return RedemptionAudit.objects.filter(
        book_id=book_id, action=AuditAction.REDEEM, ok=True, idempotency_key=key
    ).first()


def _same_code(row: CouponCode, code: str | CouponCode) -> bool:
    if isinstance(code, CouponCode):
        return row.pk == code.pk
    typed = str(code).strip()
    return row.code in (typed, typed.upper())


def _redeem(*, book, code, actor, key: str, order_reference: str, ip: str | None) -> CouponCode:
    with transaction.atomic(durable=True):
        now = timezone.now()
        row = _code_for_update(book_id=book.pk, code=code)
        # Looked up under the row lock: a repeat racing its original waits above and then
        # sees the original's committed row here.
        first = _successful_redeem(book_id=book.pk, key=key)
        if first is not None:
            if first.code_id == row.pk:
                return row
            raise _refusal(errors.IdempotencyKeyReused(), code=row)
        current_book = CouponBook.objects.select_related("offer").get(pk=book.pk)
        _refuse_unusable_or_locked(
            row, current_book, now, actor=actor, order_reference=order_reference
        )
        row.redemption_count += 1
        if row.redemption_count >= current_book.max_redemptions_per_code:
            row.status = CodeStatus.REDEEMED
        else:
            row.status = _release_status(row)
        row.locked_until = None
        row.save(update_fields=["redemption_count", "status", "locked_until", "updated_at"])
        _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.REDEEM,
            ok=True,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
            idempotency_key=key,
            reason=f"use {row.redemption_count} of {current_book.max_redemptions_per_code}",
        )
    return row


def code_void(
    *,
    book: CouponBook,
    code: str | CouponCode,
    actor,
    reason: str = "",
    ip: str | None = None,
) -> CouponCode:
    """Cancel a code that has not been used: it can never be claimed, locked or redeemed.

    The holder keeps it in their list (shown as cancelled) and it still counts towards their
    limit. Raises CodeNotFound, CodeVoid, CodeAlreadyRedeemed, CodeExpired.
    """
    with (
        _refusals_audited(action=AuditAction.VOID, book_id=book.pk, actor=actor, ip=ip),
        transaction.atomic(durable=True),
    ):
        row = _code_for_update(book_id=book.pk, code=code)
        if row.status == CodeStatus.VOID:
            raise _refusal(errors.CodeVoid(), code=row)
        if row.status == CodeStatus.REDEEMED:
            raise _refusal(errors.CodeAlreadyRedeemed(), code=row)
        if row.status == CodeStatus.EXPIRED:
            raise _refusal(errors.CodeExpired(), code=row)
        row.status = CodeStatus.VOID
        row.locked_until = None
        row.save(update_fields=["status", "locked_until", "updated_at"])
        _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.VOID,
            ok=True,
            actor=actor,
            ip=ip,
            reason=reason,
        )
    return row
