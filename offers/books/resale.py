"""Verified resale: a code of a book that allows resale, sold on the marketplace, is re-keyed.
The seller's code is voided and a fresh available code of the same book is handed to the buyer,
with an audit row for each, so the seller cannot spend what they sold.

Unlike the other book actions this one is NOT durable: it runs inside the marketplace
purchase's transaction (the payment, the listing and the locker move with it or not at all).
So a refusal writes no audit row of its own: the purchase is refused, or refunded, instead.

The book's per-shopper limit is not applied to the buyer: the code they get replaces the one
the seller gave up (the codes in circulation do not grow), and they paid for it. Their claim
slot is the next free one, past the limit if need be (the (book, holder, claim_slot) index only
asks for a free one).
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from .. import errors
from ..models import AuditAction, CodeStatus, CouponCode
from .common import _audit, _void

# A buyer's own purchases of two codes of one book at once can pick the same slot: retry.
SLOT_ATTEMPTS = 5
ASSIGNED_FIELDS = ("holder", "claim_slot", "status", "claimed_at", "updated_at")


def code_resale_ready(*, code: CouponCode | int) -> bool:
    """Whether `code` can be re-keyed now: still assigned to its holder and unused, and its
    book has a free code to issue (read without locks: a check before taking payment)."""
    pk = code.pk if isinstance(code, CouponCode) else code
    row = CouponCode.objects.filter(pk=pk).values("book_id", "status", "redemption_count").first()
    if row is None or row["status"] != CodeStatus.ASSIGNED or row["redemption_count"]:
        return False
    return _free_codes(row["book_id"]).exists()


def _free_codes(book_id: int):
    return CouponCode.objects.filter(
        book_id=book_id, status=CodeStatus.AVAILABLE, redemption_count=0, holder__isnull=True
    )


def code_resell(*, code: CouponCode | int, seller, buyer, reference: str) -> CouponCode:
    """Void `seller`'s code and assign a fresh code of the same book to `buyer`; returns the
    fresh code. Call inside the caller's transaction (the purchase's).

    Raises CodeUnavailable (the code is not the seller's, or not unused and free: redeemed,
    void, expired, or locked at a till right now) and BookExhausted (no free code to issue);
    nothing is written then."""
    pk = code.pk if isinstance(code, CouponCode) else code
    with transaction.atomic():
        old = CouponCode.objects.select_for_update().get(pk=pk)
        if old.holder_id != seller.pk or old.status != CodeStatus.ASSIGNED or old.redemption_count:
            raise errors.CodeUnavailable()
        # SKIP LOCKED: a code a claim is handing out right now is passed over, as claims do.
        fresh = _free_codes(old.book_id).select_for_update(skip_locked=True).order_by("id").first()
        if fresh is None:
            raise errors.BookExhausted()
        _void(
            old,
            actor=seller,
            reason=f"resold on the marketplace ({reference})",
            order_reference=reference,
        )
        _assign(fresh, buyer=buyer)
        _audit(
            book_id=old.book_id,
            code=fresh,
            action=AuditAction.ASSIGN,
            ok=True,
            actor=buyer,
            reason=f"bought on the marketplace ({reference}), replacing code {old.pk}",
            order_reference=reference,
        )
    return fresh


def _assign(row: CouponCode, *, buyer) -> None:
    row.holder = buyer
    row.status = CodeStatus.ASSIGNED
    row.claimed_at = timezone.now()
    for _attempt in range(SLOT_ATTEMPTS):
        top = CouponCode.objects.filter(book_id=row.book_id, holder=buyer).aggregate(
            top=Max("claim_slot")
        )["top"]
        row.claim_slot = (top or 0) + 1
        try:
            with transaction.atomic():  # a savepoint: a lost slot race leaves us usable
                row.save(update_fields=[*ASSIGNED_FIELDS])
            return
        except IntegrityError:
            continue
    raise errors.CodeUnavailable()


def code_resale_revoke(*, code: CouponCode | int, buyer, reference: str) -> bool:
    """A marketplace purchase that re-keyed `code` to `buyer` was refunded: void the code they
    were given, with an audit row, so a refunded buyer holds no working code. Call inside the
    refund's transaction (NOT durable, like `code_resell`).

    The seller's original code stays void (it was voided at the brand and the seller was told
    it is spent). A code the buyer no longer holds unused (redeemed already, voided, or passed
    on) is left as it is; returns whether it was voided."""
    pk = code.pk if isinstance(code, CouponCode) else code
    with transaction.atomic():
        row = CouponCode.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.holder_id != buyer.pk or row.status != CodeStatus.ASSIGNED:
            return False
        if row.redemption_count:
            return False
        _void(
            row,
            actor=buyer,
            reason=f"marketplace purchase refunded ({reference})",
            order_reference=reference,
        )
    return True
