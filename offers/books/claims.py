"""Handing codes to shoppers: claim a free code, or assign a given one."""

import hashlib
import logging
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from coupzii.core.locks import redis_lock

from .. import clickout, errors
from ..foryou_sources import foryou_refresh_soon
from ..models import (
    AuditAction,
    BookStatus,
    CodeStatus,
    CouponBook,
    CouponCode,
    Offer,
    OfferKind,
    OfferStatus,
    RedemptionAudit,
)
from .common import (
    CLAIM_KEY_TTL,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    _audit,
    _code_for_update,
    _refusal,
    _refusals_audited,
)

logger = logging.getLogger(__name__)

# --- Handing codes to shoppers ---------------------------------------------------------------


def _offer_is_live(offer: Offer, now: datetime) -> bool:
    return (
        offer.kind == OfferKind.UNIQUE_CODE
        and offer.status == OfferStatus.ACTIVE
        and offer.starts_at <= now
        and (offer.ends_at is None or offer.ends_at > now)
        and offer.merchant.is_active
    )


def _hand_out(row: CouponCode, *, book: CouponBook, user, now: datetime) -> None:
    """Make `user` the holder of `row` (locked by the caller) in their next claim slot.

    Raises ClaimLimitReached when the user holds `book.per_user_limit` codes of the book.
    """
    for _attempt in range(book.per_user_limit):
        held = CouponCode.objects.filter(book_id=book.pk, holder=user).count()
        if held >= book.per_user_limit:
            break
        row.holder = user
        row.claim_slot = held + 1
        row.status = CodeStatus.ASSIGNED
        row.claimed_at = now
        try:
            # A savepoint, so a lost race leaves the transaction usable for another try.
            with transaction.atomic():
                row.save(
                    update_fields=["holder", "claim_slot", "status", "claimed_at", "updated_at"]
                )
        except IntegrityError:
            # Another claim of the same user took this slot and committed first: the unique
            # (book, holder, claim_slot) constraint stopped us. The next count sees it.
            continue
        return
    raise _refusal(errors.ClaimLimitReached(), book_id=book.pk)


def code_claim(
    *,
    offer_or_book: Offer | CouponBook,
    user,
    ip: str | None = None,
    idempotency_key: str = "",
) -> CouponCode:
    """Give `user` a free code of the offer (the first available one of its active books, in
    id order), or of that one book. Returns the code with `book.offer.merchant` loaded.

    The limit is per book: the shopper holds at most `book.per_user_limit` codes of it,
    whatever their status. With `idempotency_key`, a repeat by the same user for the same
    offer within a day returns the first code instead of claiming another.

    Raises ClaimNotAllowed (offer not live, no active book), ClaimLimitReached,
    BookExhausted, InvalidIdempotencyKey, and Busy if the same key is being claimed
    right now and does not finish within ten seconds.
    """
    if isinstance(offer_or_book, CouponBook):
        offer_id, book_id = offer_or_book.offer_id, offer_or_book.pk
    else:
        offer_id, book_id = offer_or_book.pk, None
    key = (idempotency_key or "").strip()
    if not key:
        return _claim(offer_id=offer_id, book_id=book_id, user=user, ip=ip, key="")
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        # Printable only: a NUL from a forged form field would fail the audit lookup below
        # on PostgreSQL (a DataError) instead of being refused.
        raise errors.InvalidIdempotencyKey()
    # Two requests with one key (a retried tap) must not both claim: they take turns, and
    # the second finds the first's audit row.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    with redis_lock(f"offers:claim:{user.pk}:{offer_id}:{digest}", ttl=30, wait=10):
        replayed = _claim_replayed(offer_id=offer_id, user=user, key=key)
        if replayed is not None:
            return replayed
        return _claim(offer_id=offer_id, book_id=book_id, user=user, ip=ip, key=key)


def _claim_replayed(*, offer_id: int, user, key: str) -> CouponCode | None:
    first = (
        RedemptionAudit.objects.filter(
            actor=user,
            action=AuditAction.CLAIM,
            ok=True,
            idempotency_key=key,
            book__offer_id=offer_id,
            created_at__gte=timezone.now() - CLAIM_KEY_TTL,
        )
        .order_by("-id")
        .first()
    )
    if first is None or first.code_id is None:
        return None
    return CouponCode.objects.select_related("book__offer__merchant").get(pk=first.code_id)


def _claim(*, offer_id: int, book_id: int | None, user, ip: str | None, key: str) -> CouponCode:
    with (
        _refusals_audited(
            action=AuditAction.CLAIM, book_id=None, actor=user, ip=ip, idempotency_key=key
        ),
        transaction.atomic(durable=True),
    ):
        now = timezone.now()
        offer = Offer.objects.select_related("merchant").get(pk=offer_id)
        books = CouponBook.objects.filter(offer_id=offer_id).order_by("id")
        if book_id is not None:
            books = books.filter(pk=book_id)
        books = list(books)
        # A refusal is filed under the book asked for, or the offer's first book.
        any_book_id = books[0].pk if books else None
        if not _offer_is_live(offer, now):
            raise _refusal(errors.ClaimNotAllowed(), book_id=any_book_id, reason="offer not live")
        active_books = [book for book in books if book.status == BookStatus.ACTIVE]
        if not active_books:
            raise _refusal(errors.ClaimNotAllowed(), book_id=any_book_id, reason="no active book")

        full_book = empty_book = None
        for book in active_books:
            book.offer = offer
            if CouponCode.objects.filter(book_id=book.pk, holder=user).count() >= (
                book.per_user_limit
            ):
                full_book = full_book or book
                continue
            # SKIP LOCKED: a code another claim is taking right now is passed over, not
            # waited for. Partly used codes (multi-use, redeemed without a holder) stay out.
            row = (
                CouponCode.objects.select_for_update(skip_locked=True)
                .filter(book_id=book.pk, status=CodeStatus.AVAILABLE, redemption_count=0)
                .order_by("id")
                .first()
            )
            if row is None:
                empty_book = empty_book or book
                continue
            _hand_out(row, book=book, user=user, now=now)
            row.book = book
            _audit(
                book_id=book.pk,
                code=row,
                action=AuditAction.CLAIM,
                ok=True,
                actor=user,
                ip=ip,
                idempotency_key=key,
            )
            # robust: a counter Redis could not take is logged, and the claim still stands.
            transaction.on_commit(partial(clickout.claim_count, offer.pk), robust=True)
            # The claimed offer leaves the shopper's "For you" rail; their taste moved too.
            transaction.on_commit(partial(foryou_refresh_soon, user.pk), robust=True)
            return row
        # Someone who already has their codes hears that, rather than "all gone".
        if full_book is not None:
            raise _refusal(errors.ClaimLimitReached(), book_id=full_book.pk)
        raise _refusal(errors.BookExhausted(), book_id=empty_book.pk)


def code_assign(*, book: CouponBook, code: str | CouponCode, user, actor, ip: str | None = None):
    """An operator or brand hands one particular available code of the book to `user`.

    The book's per-shopper limit applies as it does to claims. Raises CodeNotFound,
    CodeUnavailable (already someone's, used, void or expired), ClaimNotAllowed (book
    paused), BookClosed, ClaimLimitReached.
    """
    with (
        _refusals_audited(action=AuditAction.ASSIGN, book_id=book.pk, actor=actor, ip=ip),
        transaction.atomic(durable=True),
    ):
        now = timezone.now()
        row = _code_for_update(book_id=book.pk, code=code)
        current_book = CouponBook.objects.get(pk=book.pk)
        if current_book.status == BookStatus.CLOSED:
            raise _refusal(errors.BookClosed(), code=row)
        if current_book.status != BookStatus.ACTIVE:
            raise _refusal(errors.ClaimNotAllowed(), code=row, reason="book paused")
        if row.status != CodeStatus.AVAILABLE or row.holder_id or row.redemption_count:
            raise _refusal(errors.CodeUnavailable(), code=row, reason=f"status {row.status}")
        try:
            _hand_out(row, book=current_book, user=user, now=now)
        except errors.ClaimLimitReached as error:
            raise _refusal(error, code=row) from None
        _audit(
            book_id=book.pk,
            code=row,
            action=AuditAction.ASSIGN,
            ok=True,
            actor=actor,
            ip=ip,
            reason=f"to user {user.public_id}",
        )
    return row
