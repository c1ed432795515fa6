"""At the till: validate a code against a basket, lock it for checkout, unlock it, redeem it,
roll a redemption back, void it."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import errors
from ..discounts import DiscountQuote, offer_discount
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
    CREDENTIAL_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    REDEEM_ROLLBACK_WINDOW,
    _actor_id,
    _audit,
    _clean_order_amount,
    _clean_products,
    _code_for_read,
    _code_for_update,
    _guards_on_redeem,
    _guards_on_rollback,
    _refusal,
    _refusals_audited,
    _safe_amount,
    _safe_products,
    _void,
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
    if book.offer.status == OfferStatus.DRAFT:
        raise _refusal(errors.OfferNotPublished(), code=row)
    if _offer_ended(book, now):
        # The offer ended; the nightly sweep may not have marked its codes yet.
        raise _refusal(errors.CodeExpired(), code=row, reason="offer ended")


def _refuse_unusable_or_locked(
    row: CouponCode,
    book: CouponBook,
    now: datetime,
    *,
    actor,
    order_reference: str,
    credential: str = "",
) -> None:
    """What lock and redeem both require: a usable code that nobody else holds locked."""
    _refuse_unusable(row, book, now)
    if _lock_is_live(row, now) and not _holds_lock(
        row, actor=actor, order_reference=order_reference, credential=credential
    ):
        raise _refusal(errors.CodeLocked(), code=row)


def _offer_ended(book: CouponBook, now: datetime) -> bool:
    offer = book.offer
    return offer.status == OfferStatus.EXPIRED or bool(offer.ends_at and offer.ends_at <= now)


def _lock_is_live(row: CouponCode, now: datetime) -> bool:
    return row.status == CodeStatus.LOCKED and (row.locked_until is None or row.locked_until > now)


def _holds_lock(row: CouponCode, *, actor, order_reference: str, credential: str = "") -> bool:
    """Whether the live lock on `row` was taken by this actor with this till key (and, when
    both name one, for this order). Tills signed in with a key have no user: the key
    (`credential`) is what tells two of them apart."""
    lock = (
        RedemptionAudit.objects.filter(code=row, action=AuditAction.LOCK, ok=True)
        .order_by("-id")
        .first()
    )
    if lock is None or lock.actor_id != _actor_id(actor):
        return False
    if lock.credential != (credential or "")[:CREDENTIAL_MAX_LENGTH]:
        return False
    return not (order_reference and lock.order_reference) or lock.order_reference == order_reference


def _release_status(row: CouponCode) -> str:
    return CodeStatus.ASSIGNED if row.holder_id else CodeStatus.AVAILABLE


def code_validate(
    *,
    book: CouponBook,
    code: str | CouponCode,
    actor,
    order_amount: Decimal,
    products: Sequence[str] = (),
    credential: str = "",
    ip: str | None = None,
    order_reference: str = "",
) -> tuple[CouponCode, DiscountQuote]:
    """What `code` would give for this basket, changing nothing on the code.

    Every attempt writes a VALIDATE audit row: ok when the code is usable and the offer
    applies; refused (ok=False) when it is not. A basket below the offer's minimum order is
    not an error here: the quote says `applies=False` with its reason (and the row is
    refused), so the till can show what is missing. Raises InvalidOrderAmount,
    InvalidProducts, CodeNotFound, CodeLocked (another checkout holds it),
    CodeAlreadyRedeemed, CodeVoid, CodeExpired, BookClosed, OfferNotPublished.
    """
    with _refusals_audited(
        action=AuditAction.VALIDATE,
        book_id=book.pk,
        actor=actor,
        ip=ip,
        order_reference=order_reference,
        order_amount=_safe_amount(order_amount),
        products=_safe_products(products),
        credential=credential,
    ):
        amount = _clean_order_amount(order_amount)
        if amount is None:
            raise _refusal(errors.InvalidOrderAmount())
        basket = _clean_products(products)
        now = timezone.now()
        row = _code_for_read(book_id=book.pk, code=code)
        current_book = CouponBook.objects.select_related("offer").get(pk=book.pk)
        _refuse_unusable_or_locked(
            row,
            current_book,
            now,
            actor=actor,
            order_reference=order_reference,
            credential=credential,
        )
        quote = offer_discount(offer=current_book.offer, order_amount=amount)
        _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.VALIDATE,
            ok=quote.applies,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
            reason=quote.reason_code,
            order_amount=amount,
            discount_amount=quote.discount,
            products=basket,
            credential=credential,
        )
    return row, quote


def code_lock(
    *,
    book: CouponBook,
    code: str | CouponCode,
    actor,
    ip: str | None = None,
    order_reference: str = "",
    order_amount: Decimal | None = None,
    products: Sequence[str] = (),
    credential: str = "",
) -> CouponCode:
    """Hold an assigned or available code for one checkout for `book.lock_ttl_seconds`.

    Locking again by the same actor for the same order extends the lock. The basket
    (`order_amount`, `products`) and the till key's public id (`credential`) are recorded on
    the audit row; the minimum order is checked at redeem, when the basket is final. Raises
    InvalidOrderAmount, InvalidProducts, CodeNotFound, CodeLocked (another checkout holds
    it), CodeAlreadyRedeemed, CodeVoid, CodeExpired, BookClosed, OfferNotPublished.
    """
    with (
        _refusals_audited(
            action=AuditAction.LOCK,
            book_id=book.pk,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
            order_amount=_safe_amount(order_amount),
            products=_safe_products(products),
            credential=credential,
        ),
        transaction.atomic(durable=True),
    ):
        amount = _clean_order_amount(order_amount)
        basket = _clean_products(products)
        now = timezone.now()
        row = _code_for_update(book_id=book.pk, code=code)
        current_book = CouponBook.objects.select_related("offer").get(pk=book.pk)
        _refuse_unusable_or_locked(
            row,
            current_book,
            now,
            actor=actor,
            order_reference=order_reference,
            credential=credential,
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
            order_amount=amount,
            products=basket,
            credential=credential,
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
    credential: str = "",
) -> CouponCode:
    """End a checkout's lock: the code goes back to its holder, or back to the pool.

    Only the actor (and till key, `credential`) who locked it may unlock a live lock, unless
    `force` (an operator). Raises CodeNotFound, CodeNotLocked, CodeLocked.
    """
    with (
        _refusals_audited(
            action=AuditAction.UNLOCK,
            book_id=book.pk,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
            credential=credential,
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
            and not _holds_lock(
                row, actor=actor, order_reference=order_reference, credential=credential
            )
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
            credential=credential,
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
    order_amount: Decimal | None = None,
    products: Sequence[str] = (),
    credential: str = "",
) -> CouponCode:
    """Use the code once. It becomes `redeemed` when it has been used
    `book.max_redemptions_per_code` times; until then it goes back to its holder (or pool).

    With `order_amount`, the offer's discount for it is computed (offers.discounts) and an
    order below the offer's minimum is refused; the audit row records the amount, the
    discount, the `products` (SKUs) and `credential` (the till key's public id), refused
    attempts included. Registered redemption guards run in the same transaction after the
    row is written; one that raises refuses the redeem.

    Idempotent by key within the book: a repeat with the key of a successful redemption of
    this code returns the code and changes nothing (and writes no second row; the first one
    records it). A repeat whose redemption was rolled back is refused with
    RedeemAlreadyRolledBack: redeeming again takes a new key. A code locked by another
    checkout cannot be redeemed until that lock ends.

    Raises InvalidIdempotencyKey, IdempotencyKeyReused (the key redeemed another code),
    RedeemAlreadyRolledBack, InvalidOrderAmount, InvalidProducts, MinOrderNotMet,
    CodeNotFound, CodeLocked, CodeAlreadyRedeemed, CodeVoid, CodeExpired, BookClosed,
    OfferNotPublished, and whatever DomainError a guard raises.
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
        order_amount=_safe_amount(order_amount),
        products=_safe_products(products),
        credential=credential,
    )
    with audited():
        if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise _refusal(errors.InvalidIdempotencyKey())
        basket = Basket(
            amount=_clean_order_amount(order_amount),
            products=_clean_products(products),
            credential=credential,
        )
        try:
            return _redeem(
                book=book,
                code=code,
                actor=actor,
                key=key,
                order_reference=order_reference,
                ip=ip,
                basket=basket,
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


@dataclass(frozen=True)
class Basket:
    """What the till sent with a redeem, already checked."""

    amount: Decimal | None
    products: list[str]
    credential: str


def _successful_redeem(*, book_id: int, key: str) -> RedemptionAudit | None:
    return RedemptionAudit.objects.filter(
        book_id=book_id, action=AuditAction.REDEEM, ok=True, idempotency_key=key
    ).first()


def _rolled_back(redeemed: RedemptionAudit) -> bool:
    return RedemptionAudit.objects.filter(
        reverses=redeemed, action=AuditAction.ROLLBACK, ok=True
    ).exists()


def _same_code(row: CouponCode, code: str | CouponCode) -> bool:
    if isinstance(code, CouponCode):
        return row.pk == code.pk
    typed = str(code).strip()
    return row.code in (typed, typed.upper())


def _redeem(
    *, book, code, actor, key: str, order_reference: str, ip: str | None, basket: Basket
) -> CouponCode:
    with transaction.atomic(durable=True):
        now = timezone.now()
        row = _code_for_update(book_id=book.pk, code=code)
        # Looked up under the row lock: a repeat racing its original waits above and then
        # sees the original's committed row here.
        first = _successful_redeem(book_id=book.pk, key=key)
        if first is not None:
            if first.code_id != row.pk:
                raise _refusal(errors.IdempotencyKeyReused(), code=row)
            if _rolled_back(first):
                # Answering "redeemed" would tell the till a discount stands that was undone.
                raise _refusal(
                    errors.RedeemAlreadyRolledBack(), code=row, reason="redeem again: new key"
                )
            return row
        current_book = CouponBook.objects.select_related("offer").get(pk=book.pk)
        _refuse_unusable_or_locked(
            row,
            current_book,
            now,
            actor=actor,
            order_reference=order_reference,
            credential=basket.credential,
        )
        discount = None
        if basket.amount is not None:
            quote = offer_discount(offer=current_book.offer, order_amount=basket.amount)
            if not quote.applies:
                raise _refusal(errors.MinOrderNotMet(quote.reason), code=row)
            discount = quote.discount
        row.redemption_count += 1
        if row.redemption_count >= current_book.max_redemptions_per_code:
            row.status = CodeStatus.REDEEMED
        else:
            row.status = _release_status(row)
        row.locked_until = None
        row.save(update_fields=["redemption_count", "status", "locked_until", "updated_at"])
        audit = _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.REDEEM,
            ok=True,
            actor=actor,
            ip=ip,
            order_reference=order_reference,
            idempotency_key=key,
            reason=f"use {row.redemption_count} of {current_book.max_redemptions_per_code}",
            order_amount=basket.amount,
            discount_amount=discount,
            products=basket.products,
            credential=basket.credential,
        )
        _guards_on_redeem(book=current_book, code=row, audit=audit)
    return row


def code_redeem_rollback(
    *,
    book: CouponBook,
    idempotency_key: str,
    actor,
    credential: str = "",
    ip: str | None = None,
    reason: str = "",
) -> RedemptionAudit:
    """Undo the successful redeem made in `book` with `idempotency_key`, within
    REDEEM_ROLLBACK_WINDOW (24 hours) of it. Returns the ROLLBACK audit row (its `code` and
    `reverses`, the redeem, are loaded).

    The code's redemption count goes down by one; a code the redeem used up goes back to its
    holder (or the pool), or is expired when its offer has ended meanwhile; a void, expired
    or locked code keeps its status. The rollback row
    `reverses` the redeem and carries its order amount and discount negated and its
    products, so a day's sums net out. Registered guards' `on_rollback` run in the same
    transaction (a brand's budget is given back there).

    A rollback has no key of its own, so a repeat cannot be told from a second attempt: it
    is refused with RedeemAlreadyRolledBack (audited), never applied twice.

    Raises InvalidIdempotencyKey, RedeemNotFound, RedeemAlreadyRolledBack,
    RollbackWindowPassed, and whatever DomainError a guard raises.
    """
    key = (idempotency_key or "").strip()
    with _refusals_audited(
        action=AuditAction.ROLLBACK,
        book_id=book.pk,
        actor=actor,
        ip=ip,
        idempotency_key=key,
        credential=credential,
    ):
        if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise _refusal(errors.InvalidIdempotencyKey())
        try:
            return _rollback(
                book=book, key=key, actor=actor, credential=credential, ip=ip, reason=reason
            )
        except IntegrityError:
            # The unique constraint on ok rollbacks of one redeem: a concurrent rollback of
            # the same redeem committed first (the row lock below normally queues them).
            raise _refusal(errors.RedeemAlreadyRolledBack()) from None


def _rollback(
    *, book, key: str, actor, credential: str, ip: str | None, reason: str
) -> RedemptionAudit:
    with transaction.atomic(durable=True):
        now = timezone.now()
        redeemed = _successful_redeem(book_id=book.pk, key=key)
        if redeemed is None:
            raise _refusal(errors.RedeemNotFound(), reason=f"key {key[:60]!r}")
        # Every change to the code queues on its row: a redeem and a rollback of the same
        # code, or two rollbacks of one redeem, run one after the other, and each reads what
        # the one before committed (the checks below run after the lock is granted).
        row = CouponCode.objects.select_for_update().get(pk=redeemed.code_id)
        if _rolled_back(redeemed):
            raise _refusal(errors.RedeemAlreadyRolledBack(), code=row)
        if redeemed.created_at + REDEEM_ROLLBACK_WINDOW <= now:
            raise _refusal(errors.RollbackWindowPassed(), code=row)
        current_book = CouponBook.objects.select_related("offer").get(pk=book.pk)
        row.redemption_count = max(0, row.redemption_count - 1)
        if row.status == CodeStatus.REDEEMED:
            # The use is given back, but a code of an ended offer can no longer be used: the
            # expiry sweep has been past it already.
            row.status = (
                CodeStatus.EXPIRED if _offer_ended(current_book, now) else _release_status(row)
            )
        row.save(update_fields=["redemption_count", "status", "updated_at"])
        audit = _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.ROLLBACK,
            ok=True,
            actor=actor,
            ip=ip,
            order_reference=redeemed.order_reference,
            idempotency_key=key,
            reason=reason,
            order_amount=_negated(redeemed.order_amount),
            discount_amount=_negated(redeemed.discount_amount),
            products=redeemed.products,
            credential=credential,
            reverses=redeemed,
        )
        _guards_on_rollback(book=current_book, code=row, audit=audit, redeemed=redeemed)
    audit.code = row
    return audit


def _negated(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else -amount


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
        _void(row, actor=actor, ip=ip, reason=reason)
    return row
