"""Unique-code books: generating and importing codes, handing them to shoppers, the till's
lock -> redeem cycle, and the sweeps that release stale locks and expire ended offers.

Every action appends a RedemptionAudit row, refused ones included. Each action runs as a
top-level transaction (`atomic(durable=True)`, so call these outside any transaction): a
refusal rolls its transaction back, then writes its audit row on its own, so the row is
committed although the action was not.

How the races are handled:

- a claim takes the first available code with FOR UPDATE SKIP LOCKED, so shoppers claiming at
  once each get a different row instead of queueing on the same one; the unique
  (book, holder, claim_slot) constraint keeps one shopper within the book's limit when their
  own claims race;
- lock, unlock, redeem and void take FOR UPDATE on the one code row, so they queue per code;
- generate and import take FOR NO KEY UPDATE on the book, so two batches into one book queue,
  while claims carry on (their audit rows need only FOR KEY SHARE on the book row).
"""

import csv
import hashlib
import io
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.notifications import notification_send
from coupzii.core import counters
from coupzii.core.locks import redis_lock

from . import errors
from .models import (
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

logger = logging.getLogger(__name__)

# Unambiguous characters only: no 0/O, 1/I/L, so a code read aloud at a till is typed right.
DIGITS = "23456789"
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
PATTERN_CHARSETS = {"#": DIGITS, "?": LETTERS, "*": DIGITS + LETTERS}
PATTERN_LITERAL = re.compile(r"[A-Za-z0-9_-]")
CODE_MAX_LENGTH = 64
CODE_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,64}")
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


# --- Generating and importing codes ----------------------------------------------------------


@dataclass(frozen=True)
class CodePattern:
    """A parsed code pattern: each position is a literal or a set of characters."""

    positions: tuple[str, ...]
    literal: tuple[bool, ...]

    @property
    def space(self) -> int:
        """How many different codes the pattern can make."""
        total = 1
        for chars, is_literal in zip(self.positions, self.literal, strict=True):
            if not is_literal:
                total *= len(chars)
        return total

    def random_code(self) -> str:
        # One uniform draw over the whole space, spelled out in mixed radix: exactly uniform,
        # and far fewer calls into the OS's random source than one per character.
        number = secrets.randbelow(self.space)
        chars = []
        for position, is_literal in zip(
            reversed(self.positions), reversed(self.literal), strict=True
        ):
            if is_literal:
                chars.append(position)
            else:
                number, index = divmod(number, len(position))
                chars.append(position[index])
        return "".join(reversed(chars))


def code_pattern_parse(pattern: str) -> CodePattern:
    """Parse '#' (digit), '?' (letter), '*' (either); letters, digits, '-' and '_' are copied.

    Raises InvalidPattern for other characters, a pattern without any random position, or
    one longer than a code may be.
    """
    if not pattern or len(pattern) > CODE_MAX_LENGTH:
        raise _refusal(errors.InvalidPattern(), reason=f"pattern {pattern!r}")
    positions, literal = [], []
    for char in pattern:
        if char in PATTERN_CHARSETS:
            positions.append(PATTERN_CHARSETS[char])
            literal.append(False)
        elif PATTERN_LITERAL.fullmatch(char):
            positions.append(char)
            literal.append(True)
        else:
            raise _refusal(errors.InvalidPattern(), reason=f"pattern {pattern!r}")
    if all(literal):
        raise _refusal(errors.InvalidPattern(), reason=f"pattern {pattern!r} has no '#?*'")
    return CodePattern(positions=tuple(positions), literal=tuple(literal))


def _lock_book_for_writing(book_id: int) -> CouponBook:
    # NO KEY UPDATE, not UPDATE: claims and audit rows take KEY SHARE on the book through
    # their foreign keys, and must not wait for a long import.
    return CouponBook.objects.select_for_update(no_key=True).get(pk=book_id)


def _insert_codes(*, book_id: int, codes: list[str]) -> int:
    """Insert the codes the book does not have yet; returns how many were new.

    The caller holds the book's write lock, so the count difference is ours alone.
    """
    before = CouponCode.objects.filter(book_id=book_id).count()
    for start in range(0, len(codes), WRITE_BATCH):
        CouponCode.objects.bulk_create(
            [CouponCode(book_id=book_id, code=code) for code in codes[start : start + WRITE_BATCH]],
            ignore_conflicts=True,
        )
    return CouponCode.objects.filter(book_id=book_id).count() - before


def codes_generate(*, book: CouponBook, count: int, actor=None) -> int:
    """Add `count` new random codes to the book, made from its `code_pattern`; returns `count`.

    Codes come from `secrets`. Random codes can collide with each other or with the book's
    codes: the generator tops up until exactly `count` new codes exist.

    Raises InvalidCount (not 1..1,000,000), InvalidPattern, PatternTooWeak (the pattern's
    space is less than ten times the codes the book would hold), BookClosed.
    """
    with _refusals_audited(action=AuditAction.GENERATE, book_id=book.pk, actor=actor):
        if not isinstance(count, int) or not 1 <= count <= MAX_GENERATE:
            raise _refusal(errors.InvalidCount(), reason=f"count {count!r}")
        with transaction.atomic(durable=True):
            locked_book = _lock_book_for_writing(book.pk)
            if locked_book.status == BookStatus.CLOSED:
                raise _refusal(errors.BookClosed())
            pattern = code_pattern_parse(locked_book.code_pattern)
            existing = CouponCode.objects.filter(book_id=book.pk).count()
            if pattern.space < MIN_SPACE_FACTOR * (existing + count):
                raise _refusal(
                    errors.PatternTooWeak(),
                    reason=(
                        f"pattern {locked_book.code_pattern!r} makes {pattern.space} codes; "
                        f"{existing} + {count} asked"
                    ),
                )
            created = 0
            for _round in range(MAX_TOP_UP_ROUNDS):
                missing = count - created
                batch: set[str] = set()
                while len(batch) < missing:
                    batch.add(pattern.random_code())
                created += _insert_codes(book_id=book.pk, codes=list(batch))
                if created >= count:
                    break
            else:  # pragma: no cover - needs a space far smaller than MIN_SPACE_FACTOR allows
                raise _refusal(errors.PatternTooWeak(), reason="too many collisions")
            _audit(
                book_id=book.pk,
                action=AuditAction.GENERATE,
                ok=True,
                actor=actor,
                reason=f"{created} codes from pattern {locked_book.code_pattern}",
            )
    return created


def codes_import_csv(*, book: CouponBook, file, actor=None) -> dict:
    """Add the codes of a CSV file (the first column of each row) to the book.

    A header row ("code", "coupon code" ...) is skipped if present, blank rows are ignored,
    values are stripped. A code is 1 to 64 of A-Z a-z 0-9 - _. Returns
    {"created", "duplicates" (repeated in the file or already in the book), "invalid",
    "invalid_rows" (the first 20 line numbers)}.

    Raises ImportInvalid (not UTF-8 text, larger than 20 MB), BookClosed.
    """
    with _refusals_audited(action=AuditAction.IMPORT, book_id=book.pk, actor=actor):
        codes, duplicates, invalid_rows = _codes_from_csv(file)
        with transaction.atomic(durable=True):
            locked_book = _lock_book_for_writing(book.pk)
            if locked_book.status == BookStatus.CLOSED:
                raise _refusal(errors.BookClosed())
            created = _insert_codes(book_id=book.pk, codes=codes)
            duplicates += len(codes) - created
            report = {
                "created": created,
                "duplicates": duplicates,
                "invalid": len(invalid_rows),
                "invalid_rows": invalid_rows[:IMPORT_INVALID_ROWS_SHOWN],
            }
            _audit(
                book_id=book.pk,
                action=AuditAction.IMPORT,
                ok=True,
                actor=actor,
                reason=f"created {created}, duplicates {duplicates}, invalid {len(invalid_rows)}",
            )
    return report


def _codes_from_csv(file) -> tuple[list[str], int, list[int]]:
    """(unique valid codes in file order, duplicates within the file, invalid line numbers)."""
    data = file.read(IMPORT_MAX_BYTES + 1) if hasattr(file, "read") else file
    if isinstance(data, bytes | bytearray):
        if len(data) > IMPORT_MAX_BYTES:
            raise _refusal(errors.ImportInvalid(), reason="larger than 20 MB")
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _refusal(errors.ImportInvalid(), reason="not UTF-8") from exc
    elif isinstance(data, str):
        if len(data) > IMPORT_MAX_BYTES:
            raise _refusal(errors.ImportInvalid(), reason="larger than 20 MB")
        text = data.removeprefix("\ufeff")
    else:
        raise _refusal(errors.ImportInvalid(), reason=f"unreadable {type(data).__name__}")

    codes: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    invalid_rows: list[int] = []
    first_row = True
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            value = row[0].strip()
            is_first, first_row = first_row, False
            if is_first and value.lower() in IMPORT_HEADERS:
                continue
            if not CODE_FORMAT.fullmatch(value):
                invalid_rows.append(reader.line_num)
                continue
            if value in seen:
                duplicates += 1
                continue
            seen.add(value)
            codes.append(value)
    except csv.Error as exc:
        raise _refusal(errors.ImportInvalid(), reason=f"CSV error: {exc}") from exc
    return codes, duplicates, invalid_rows


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
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
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
            transaction.on_commit(partial(counters.incr, f"offer:claims:{offer.pk}"), robust=True)
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


# --- At the till: lock, unlock, redeem, void -------------------------------------------------


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
        _refuse_unusable(row, current_book, now)
        if _lock_is_live(row, now) and not _holds_lock(
            row, actor=actor, order_reference=order_reference
        ):
            raise _refusal(errors.CodeLocked(), code=row)
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
        _refuse_unusable(row, current_book, now)
        if _lock_is_live(row, now) and not _holds_lock(
            row, actor=actor, order_reference=order_reference
        ):
            raise _refusal(errors.CodeLocked(), code=row)
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


# --- Sweeps (run by the beat: book_tasks) ----------------------------------------------------


def locks_release_expired(*, now: datetime | None = None) -> int:
    """Give back codes whose checkout lock ran out: to their holder, else to the pool.

    Returns how many were released. Codes another transaction holds right now are skipped
    (SKIP LOCKED); the next run picks them up.
    """
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic(durable=True):
            rows = list(
                CouponCode.objects.select_for_update(skip_locked=True)
                .filter(Q(locked_until__lte=now) | Q(locked_until__isnull=True))
                .filter(status=CodeStatus.LOCKED)
                .order_by("id")
                .only("id", "book_id", "holder_id", "locked_until")[:SWEEP_BATCH]
            )
            if not rows:
                return released
            held = [row.pk for row in rows if row.holder_id]
            pooled = [row.pk for row in rows if not row.holder_id]
            CouponCode.objects.filter(pk__in=held).update(
                status=CodeStatus.ASSIGNED, locked_until=None, updated_at=now
            )
            CouponCode.objects.filter(pk__in=pooled).update(
                status=CodeStatus.AVAILABLE, locked_until=None, updated_at=now
            )
            RedemptionAudit.objects.bulk_create(
                RedemptionAudit(
                    book_id=row.book_id,
                    code_id=row.pk,
                    action=AuditAction.RELEASE,
                    ok=True,
                    reason=(
                        f"lock ended {row.locked_until.isoformat()}"
                        if row.locked_until
                        else "lock without an end"
                    ),
                )
                for row in rows
            )
            released += len(rows)


def offers_expire(*, now: datetime | None = None) -> int:
    """The daily sweep. Returns how many offers it expired.

    1. Active offers whose end has passed become `expired`.
    2. The unused codes (available, assigned, locked) of every ended offer's books become
       `expired`, each with an 'expire' audit row.
    3. Holders of assigned codes hear that their code ends soon: once when the offer ends
       within three days, once on its last day. Each (code, reminder) is sent once: a Redis
       key per pair is set before sending, so a rerun or a second sweep skips it.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        ended = list(
            Offer.objects.select_for_update()
            .filter(status=OfferStatus.ACTIVE, ends_at__lte=now)
            .order_by("pk")
        )
        for offer in ended:
            offer.status = OfferStatus.EXPIRED
            # save(), not update(): the click-out's cached snapshot is dropped on save.
            offer.save(update_fields=["status", "updated_at"])
    codes = _codes_expire(now=now)
    reminders = _expiry_reminders_send(now=now)
    logger.info(
        "expiry sweep: %s offers expired, %s codes expired, %s reminders sent",
        len(ended),
        codes,
        reminders,
    )
    return len(ended)


def _codes_expire(*, now: datetime) -> int:
    expired = 0
    while True:
        with transaction.atomic(durable=True):
            # Plain FOR UPDATE (no SKIP LOCKED): a code being redeemed right now is waited
            # for, not left unexpired until tomorrow. Only this sweep locks many codes, in
            # id order, so this cannot deadlock with the one-row actions.
            rows = list(
                CouponCode.objects.select_for_update(of=("self",))
                .filter(status__in=UNUSED_STATUSES, book__offer__ends_at__lte=now)
                .order_by("id")
                .only("id", "book_id")[:SWEEP_BATCH]
            )
            if not rows:
                return expired
            CouponCode.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=CodeStatus.EXPIRED, locked_until=None, updated_at=now
            )
            RedemptionAudit.objects.bulk_create(
                RedemptionAudit(
                    book_id=row.book_id,
                    code_id=row.pk,
                    action=AuditAction.EXPIRE,
                    ok=True,
                    reason="offer ended",
                )
                for row in rows
            )
            expired += len(rows)


def _start_of_local_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _expiry_reminders_send(*, now: datetime) -> int:
    today = timezone.localdate(now)
    horizon = _start_of_local_day(today + timedelta(days=REMINDER_DAYS + 1))
    codes = (
        CouponCode.objects.filter(
            status=CodeStatus.ASSIGNED,
            holder__isnull=False,
            book__offer__status=OfferStatus.ACTIVE,
            book__offer__ends_at__gt=now,
            book__offer__ends_at__lt=horizon,
        )
        .select_related("holder", "book__offer__merchant")
        .order_by("id")
    )
    sent = 0
    for code in codes.iterator(chunk_size=500):
        days_left = (timezone.localdate(code.book.offer.ends_at) - today).days
        reminder = "today" if days_left == 0 else "soon"
        key = f"offers:expiry-reminder:{code.pk}:{reminder}"
        # add() is atomic: of two sweeps (or a rerun), only one sends.
        if not cache.add(key, 1, timeout=REMINDER_KEY_TTL):
            continue
        try:
            _expiry_reminder_send(code=code, days_left=days_left)
        except Exception:
            cache.delete(key)
            raise
        sent += 1
    return sent


def _expiry_reminder_send(*, code: CouponCode, days_left: int) -> None:
    offer = code.book.offer
    holder = code.holder
    kind = REMINDER_KIND
    with translation.override(holder.language):
        merchant = Truncator(offer.merchant.name).chars(40)
        if days_left == 0:
            title = _("Your %(merchant)s code expires today") % {"merchant": merchant}
        elif days_left == 1:
            title = _("Your %(merchant)s code expires tomorrow") % {"merchant": merchant}
        else:
            title = ngettext(
                "Your %(merchant)s code expires in %(days)d day",
                "Your %(merchant)s code expires in %(days)d days",
                days_left,
            ) % {"merchant": merchant, "days": days_left}
        body = _("%(offer)s. Your code: %(code)s. Use it before %(end)s.") % {
            "offer": Truncator(offer.title).chars(120),
            "code": code.code,
            "end": formats.date_format(timezone.localtime(offer.ends_at), "j M Y, H:i"),
        }
    # Email and in-app only: a reminder is not worth a text message.
    notification_send(
        user=holder, kind=kind, title=title, body=body, link="/my-codes/", channels=("email",)
    )
