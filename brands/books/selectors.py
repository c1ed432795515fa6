"""Reads of the books area: a member's books (scoped by department through the book's offer),
their code totals for a page of books in one query, a book's codes with search and status
filter, the rows of an export, and the book's jobs."""

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from offers.models import CodeStatus, CouponBook, CouponCode, Offer, OfferKind

from .. import access
from ..models import BrandJob, JobKind, JobStatus, Membership

BOOK_JOB_KINDS = (JobKind.GENERATE_CODES, JobKind.IMPORT_CODES)


@dataclass(frozen=True)
class CodeTotals:
    """A book's codes: all of them, still free, handed to shoppers, used at least once."""

    total: int = 0
    available: int = 0
    claimed: int = 0
    redeemed: int = 0


def books_for(membership: Membership) -> QuerySet[CouponBook]:
    """The brand's books this member may see, newest first, with their offer."""
    return (
        CouponBook.objects.filter(access.offers_visible_q(membership, prefix="offer__brand_link__"))
        .select_related("offer")
        .order_by("-created_at", "-id")
    )


def book_for(membership: Membership, public_id) -> CouponBook | None:
    """The book with this public id if the member may see it, else None (the caller 404s)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return books_for(membership).filter(public_id=public_id).first()


def book_code_totals(book_ids) -> dict[int, CodeTotals]:
    """{book id: CodeTotals} for these books, in one query whatever their number."""
    rows = (
        CouponCode.objects.filter(book_id__in=list(book_ids))
        .order_by()
        .values("book_id")
        .annotate(
            total=Count("id"),
            available=Count("id", filter=Q(status=CodeStatus.AVAILABLE)),
            claimed=Count("id", filter=Q(claimed_at__isnull=False)),
            redeemed=Count("id", filter=Q(redemption_count__gt=0)),
        )
    )
    totals = {
        row["book_id"]: CodeTotals(
            total=row["total"],
            available=row["available"],
            claimed=row["claimed"],
            redeemed=row["redeemed"],
        )
        for row in rows
    }
    return {book_id: totals.get(book_id, CodeTotals()) for book_id in book_ids}


def book_codes(book: CouponBook, *, status: str = "", q: str = "") -> QuerySet[CouponCode]:
    """The book's codes, newest first; `status` one of CodeStatus, `q` a code or its start
    (matched as typed and in upper case, as generated codes are)."""
    codes = CouponCode.objects.filter(book=book).order_by("-id")
    if status:
        codes = codes.filter(status=status)
    q = (q or "").strip()
    if q:
        codes = codes.filter(Q(code__startswith=q) | Q(code__startswith=q.upper()))
    return codes


EXPORT_COLUMNS = ("code", "status", "claimed_at", "redemption_count")


def book_export_rows(book: CouponBook):
    """(code, status, claimed at, redemptions) of every code of the book, streamed from the
    database in batches (a server-side cursor on PostgreSQL), oldest first."""
    return (
        CouponCode.objects.filter(book=book)
        .order_by("id")
        .values_list(*EXPORT_COLUMNS)
        .iterator(chunk_size=5_000)
    )


def offers_for_books(membership: Membership) -> QuerySet[Offer]:
    """The brand's unique-code offers this member may see: what a new book can be for."""
    return (
        Offer.objects.filter(kind=OfferKind.UNIQUE_CODE)
        .filter(access.offers_visible_q(membership, prefix="brand_link__"))
        .order_by("title")
    )


def book_jobs(book: CouponBook, *, limit: int = 5) -> list[BrandJob]:
    """The book's latest generate and import jobs, newest first."""
    return list(
        BrandJob.objects.filter(book=book, kind__in=BOOK_JOB_KINDS).order_by("-created_at")[:limit]
    )


def job_for(membership: Membership, public_id) -> BrandJob | None:
    """A generate or import job of a book this member may see, else None."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        BrandJob.objects.filter(
            public_id=public_id,
            brand=membership.brand,
            kind__in=BOOK_JOB_KINDS,
            book__in=books_for(membership).values("pk"),
        )
        .select_related("book")
        .first()
    )


def unfinished_generate_total(book: CouponBook) -> int:
    """Codes that queued or running generate jobs of the book have still to make."""
    jobs = BrandJob.objects.filter(
        book=book,
        kind=JobKind.GENERATE_CODES,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
    ).values_list("total", "processed")
    return sum(max(0, total - processed) for total, processed in jobs)
