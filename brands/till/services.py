"""The till's writes: API keys (create shown once, revoke, last use) and the till actions
(validate, lock, unlock, redeem, roll back) on the brand's unique codes.

The till actions find the code among the brand's books (or the key's one book or store) and
hand over to offers' book services, which lock the code row, tell tills apart by user and
key (credential), audit every attempt (refused ones too) and run the redemption guards
(budgets.BudgetGuard, guards.TillGuard) in the redemption's own transaction.
"""

import hashlib
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from brands import access
from brands.models import ApiKey, Brand, BrandStatus, BrandStore, Membership
from brands.tiers import limits_for
from offers import errors as offer_errors
from offers import services as offer_services
from offers.models import AuditAction, CodeStatus, CouponBook, CouponCode, RedemptionAudit

from . import errors

logger = logging.getLogger(__name__)

KEY_PREFIX = "czk_"
# 30 random bytes are 40 url-safe characters: "czk_" + 40.
KEY_RANDOM_BYTES = 30
KEY_SHOWN_PREFIX_LENGTH = 12
# last_used_at is written at most this often per key: a till calling every second must not
# turn its key row into a hot row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- API keys ----------------------------------------------------------------------------------


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *,
    brand: Brand,
    name: str,
    created_by,
    book: CouponBook | None = None,
    merchant=None,
) -> tuple[ApiKey, str]:
    """Make a till key for `brand`, optionally limited to one of its books or stores.

    Returns the key row and the key itself, which is never stored (only its SHA-256 and its
    first characters) and must be shown now. Raises KeyLimitReached (the tier's live keys),
    KeyScopeInvalid (a book or store of another brand, or both at once).
    """
    raw_key = KEY_PREFIX + secrets.token_urlsafe(KEY_RANDOM_BYTES)
    return _api_key_store(
        brand=brand, name=name, created_by=created_by, book=book, merchant=merchant, raw=raw_key
    ), raw_key


@transaction.atomic
def _api_key_store(*, brand, name, created_by, book, merchant, raw: str) -> ApiKey:
    """Store a key whose text the caller chose (api_key_create's random one, or the demo's
    documented one)."""
    _check_scope(brand=brand, book=book, merchant=merchant)
    # The brand row lock queues two admins creating keys at once, so the count below cannot
    # be read by both before either inserts (the tier limit holds).
    Brand.objects.select_for_update().filter(pk=brand.pk).first()
    live = ApiKey.objects.filter(brand=brand, revoked_at__isnull=True).count()
    if live >= limits_for(brand).api_keys:
        raise errors.KeyLimitReached()
    return ApiKey.objects.create(
        brand=brand,
        name=name.strip()[:80],
        prefix=raw[:KEY_SHOWN_PREFIX_LENGTH],
        key_hash=key_hash(raw),
        book=book,
        merchant=merchant,
        created_by=created_by,
    )


def _check_scope(*, brand, book, merchant) -> None:
    if book is not None and merchant is not None:
        raise errors.KeyScopeInvalid()
    if book is not None and not brand_books(brand).filter(pk=book.pk).exists():
        raise errors.KeyScopeInvalid()
    if (
        merchant is not None
        and not BrandStore.objects.filter(brand=brand, merchant=merchant).exists()
    ):
        raise errors.KeyScopeInvalid()


def api_key_revoke(*, brand: Brand, public_id, revoked_by) -> ApiKey:
    """Revoke one of the brand's keys: its very next request is refused (keys are looked up
    in the database on every request, never cached). Revoking twice changes nothing.
    Raises KeyNotFound."""
    key = ApiKey.objects.filter(brand=brand, public_id=public_id).first()
    if key is None:
        raise errors.KeyNotFound()
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )
    key.refresh_from_db()
    return key


def api_key_touch(key: ApiKey) -> bool:
    """Record that `key` was used now, at most once a minute: the row read for this request
    says when it was last written, and the conditional UPDATE keeps concurrent requests from
    writing it twice. Returns whether it wrote."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return False
    written = (
        ApiKey.objects.filter(pk=key.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION))
        .update(last_used_at=now)
    )
    return bool(written)


# --- Where a code lives --------------------------------------------------------------------------


def brand_books(brand: Brand):
    """The brand's code books: those of the offers filed under it."""
    return CouponBook.objects.filter(offer__brand_link__brand=brand)


@dataclass(frozen=True)
class TillScope:
    """Who is at the till: a key (its brand, optional book or store, public id as the
    audit's credential) or a member of the brand's staff signed in (`actor`)."""

    brand: Brand
    actor: object = None
    credential: str = ""
    book_id: int | None = None
    merchant_id: int | None = None
    # A member's department view (access.offers_visible_q on the book's offer): a member of a
    # department limited to its own offers must not use, nor see, another department's codes.
    visible: Q | None = None

    @classmethod
    def for_key(cls, key: ApiKey) -> "TillScope":
        return cls(
            brand=key.brand,
            credential=str(key.public_id),
            book_id=key.book_id,
            merchant_id=key.merchant_id,
        )

    @classmethod
    def for_member(cls, *, membership: Membership) -> "TillScope":
        return cls(
            brand=membership.brand,
            actor=membership.user,
            visible=access.offers_visible_q(membership, prefix="offer__brand_link__"),
        )

    def books(self):
        books = brand_books(self.brand)
        if self.book_id is not None:
            books = books.filter(pk=self.book_id)
        if self.merchant_id is not None:
            books = books.filter(offer__merchant_id=self.merchant_id)
        if self.visible is not None:
            books = books.filter(self.visible)
        return books


def _typed(code: str) -> list[str]:
    typed = (code or "").strip()
    return list({typed, typed.upper()})


def book_for_code(*, scope: TillScope, code: str, book=None) -> CouponBook:
    """The book of the scope holding `code` (as typed, or in upper case).

    `book` (a public id) picks one when the code is in several. When the code is in none,
    the scope's only book is returned so offers refuses (and audits) the attempt there.
    Raises BookNotFound (`book` is not one of the scope's), BookRequired (the code is in
    several books: their names and ids are in `extra`), offers' CodeNotFound.
    """
    _check_brand_open(scope)
    books = scope.books().select_related("offer")
    if book:
        found = books.filter(public_id=book).first() if _is_uuid(book) else None
        if found is None:
            raise errors.BookNotFound(fields={"book": [str(errors.BookNotFound.default_message)]})
        return found
    holding = list(
        books.filter(pk__in=CouponCode.objects.filter(code__in=_typed(code)).values("book_id"))[:10]
    )
    if len(holding) == 1:
        return holding[0]
    if len(holding) > 1:
        message = str(errors.BookRequired.default_message)
        raise errors.BookRequired(
            fields={"book": [message]},
            extra={"books": [{"id": str(b.public_id), "name": b.name} for b in holding]},
        )
    only = list(books[:2])
    if len(only) == 1:
        return only[0]
    # No book to file the refusal under: RedemptionAudit rows belong to a book.
    logger.info("till code not found in brand %s (no book to audit it under)", scope.brand.pk)
    raise offer_errors.CodeNotFound()


def _check_brand_open(scope: TillScope) -> None:
    # Keys of a suspended brand are refused when they authenticate; members signed in on the
    # page or the API reach here.
    if scope.brand.status == BrandStatus.SUSPENDED:
        raise errors.BrandSuspended()


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- The till's actions --------------------------------------------------------------------------


@dataclass
class TillResult:
    """What a till action did: the book and code, and for validate and redeem the quote."""

    book: CouponBook
    code: CouponCode
    applies: bool = True
    discount: Decimal | None = None
    payable: Decimal | None = None
    reason: str = ""
    reason_code: str = ""
    audit: RedemptionAudit | None = None

    @property
    def uses_left(self) -> int:
        if self.code.status not in (CodeStatus.AVAILABLE, CodeStatus.ASSIGNED, CodeStatus.LOCKED):
            return 0
        return max(0, self.book.max_redemptions_per_code - self.code.redemption_count)


def till_validate(
    *,
    scope: TillScope,
    code: str,
    order_amount: Decimal,
    products: Sequence[str] = (),
    book=None,
    order_reference: str = "",
    ip: str | None = None,
) -> TillResult:
    """What `code` gives for this basket (audited, changes nothing). Raises as
    book_for_code and offers' code_validate do."""
    found = book_for_code(scope=scope, code=code, book=book)
    row, quote = offer_services.code_validate(
        book=found,
        code=code,
        actor=scope.actor,
        order_amount=order_amount,
        products=products,
        credential=scope.credential,
        ip=ip,
        order_reference=order_reference,
    )
    return TillResult(
        book=found,
        code=row,
        applies=quote.applies,
        discount=quote.discount,
        payable=quote.payable,
        reason=quote.reason,
        reason_code=quote.reason_code,
    )


def till_lock(
    *,
    scope: TillScope,
    code: str,
    order_reference: str = "",
    order_amount: Decimal | None = None,
    products: Sequence[str] = (),
    book=None,
    ip: str | None = None,
) -> TillResult:
    """Hold the code for this checkout for the book's lock time. Raises as book_for_code and
    offers' code_lock do (CodeLocked when another till holds it)."""
    found = book_for_code(scope=scope, code=code, book=book)
    row = offer_services.code_lock(
        book=found,
        code=code,
        actor=scope.actor,
        ip=ip,
        order_reference=order_reference,
        order_amount=order_amount,
        products=products,
        credential=scope.credential,
    )
    return TillResult(book=found, code=row)


def till_unlock(
    *, scope: TillScope, code: str, order_reference: str = "", book=None, ip: str | None = None
) -> TillResult:
    """End this till's lock on the code. Raises as book_for_code and offers' code_unlock do
    (CodeLocked when another till holds it)."""
    found = book_for_code(scope=scope, code=code, book=book)
    row = offer_services.code_unlock(
        book=found,
        code=code,
        actor=scope.actor,
        ip=ip,
        order_reference=order_reference,
        credential=scope.credential,
    )
    return TillResult(book=found, code=row)


def till_redeem(
    *,
    scope: TillScope,
    code: str,
    idempotency_key: str,
    order_reference: str = "",
    order_amount: Decimal | None = None,
    products: Sequence[str] = (),
    book=None,
    ip: str | None = None,
) -> TillResult:
    """Use the code once for this order (multi-use codes up to their book's limit). A repeat
    with the same `idempotency_key` answers the first redemption. Raises as book_for_code
    and offers' code_redeem do, and BudgetExhausted (the brand's budget guard)."""
    found = book_for_code(scope=scope, code=code, book=book)
    row = offer_services.code_redeem(
        book=found,
        code=code,
        actor=scope.actor,
        idempotency_key=idempotency_key,
        order_reference=order_reference,
        ip=ip,
        order_amount=order_amount,
        products=products,
        credential=scope.credential,
    )
    audit = (
        RedemptionAudit.objects.filter(
            book=found, action=AuditAction.REDEEM, ok=True, idempotency_key=idempotency_key.strip()
        )
        .order_by("id")
        .first()
    )
    discount = audit.discount_amount if audit else None
    amount = audit.order_amount if audit else None
    return TillResult(
        book=found,
        code=row,
        discount=discount,
        payable=None if amount is None or discount is None else amount - discount,
        audit=audit,
    )


def till_rollback(
    *,
    scope: TillScope,
    idempotency_key: str,
    book=None,
    reason: str = "",
    ip: str | None = None,
) -> RedemptionAudit:
    """Undo the redemption made with `idempotency_key` in one of the scope's books, within
    24 hours: the code's use, and (through the guards) the budget it spent. Returns the
    rollback's audit row. Raises BookRequired (the key redeemed in several books),
    BookNotFound, and as offers' code_redeem_rollback does."""
    found = _book_for_redeem_key(scope=scope, key=(idempotency_key or "").strip(), book=book)
    return offer_services.code_redeem_rollback(
        book=found,
        idempotency_key=idempotency_key,
        actor=scope.actor,
        credential=scope.credential,
        ip=ip,
        reason=reason,
    )


def _book_for_redeem_key(*, scope: TillScope, key: str, book) -> CouponBook:
    _check_brand_open(scope)
    books = scope.books()
    if book:
        found = books.filter(public_id=book).first() if _is_uuid(book) else None
        if found is None:
            raise errors.BookNotFound(fields={"book": [str(errors.BookNotFound.default_message)]})
        return found
    redeemed_in = RedemptionAudit.objects.filter(
        action=AuditAction.REDEEM, ok=True, idempotency_key=key
    ).values("book_id")
    holding = list(books.filter(pk__in=redeemed_in)[:10]) if key else []
    if len(holding) == 1:
        return holding[0]
    if len(holding) > 1:
        raise errors.BookRequired(
            fields={"book": [str(errors.BookRequired.default_message)]},
            extra={"books": [{"id": str(b.public_id), "name": b.name} for b in holding]},
        )
    only = list(books[:2])
    if len(only) == 1:
        return only[0]  # offers refuses with RedeemNotFound, audited in that book
    raise offer_errors.RedeemNotFound()
