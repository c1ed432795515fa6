"""Reads about unique-code books and codes, shared by the shopper pages, the API and the admin."""

import uuid

from django.db.models import Count, Exists, OuterRef, QuerySet

from .. import errors
from ..models import AuditAction, CodeStatus, CouponBook, CouponCode, Offer, RedemptionAudit


def codes_for_holder(user) -> QuerySet[CouponCode]:
    """The codes `user` holds, newest claim first, with book, offer and merchant joined (one
    query per page, whatever its size)."""
    return (
        CouponCode.objects.filter(holder=user)
        .select_related("book__offer__merchant")
        .order_by("-claimed_at", "-id")
    )


def offer_for_claim(public_id: uuid.UUID | str) -> Offer:
    """The offer with this public id, live or not (the claim service decides), with its
    merchant. Raises OfferNotFound."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise errors.OfferNotFound() from exc
    offer = Offer.objects.select_related("merchant").filter(public_id=public_id).first()
    if offer is None:
        raise errors.OfferNotFound()
    return offer


def book_code_counts(book: CouponBook) -> dict[str, int]:
    """{status: how many of the book's codes have it}, every status present (one query)."""
    counts = dict.fromkeys(CodeStatus.values, 0)
    rows = (
        CouponCode.objects.filter(book=book)
        .order_by()
        .values("status")
        .annotate(total=Count("id"))
        .values_list("status", "total")
    )
    counts.update(rows)
    return counts


def redemption_for_key(*, book: CouponBook, idempotency_key: str) -> RedemptionAudit | None:
    """The successful redeem made in `book` with this idempotency key (its audit row, with the
    code joined and `rolled_back` annotated), or None. One query."""
    key = (idempotency_key or "").strip()
    if not key:
        return None
    rollbacks = RedemptionAudit.objects.filter(
        reverses=OuterRef("pk"), action=AuditAction.ROLLBACK, ok=True
    )
    return (
        RedemptionAudit.objects.filter(
            book=book, action=AuditAction.REDEEM, ok=True, idempotency_key=key
        )
        .select_related("code")
        .annotate(rolled_back=Exists(rollbacks))
        .first()
    )
