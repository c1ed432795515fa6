"""Writes of the books area: a brand's unique-code books (create, settings, pause, close) and
their codes, generated or imported as jobs with progress.

A job runs in chunks, each chunk one transaction that writes its codes and the job's
`processed` together (offers' on_progress callback runs inside it), so a job that died part
way resumes from exactly where its last chunk committed: no code is made twice, none lost.
Only one runner works on a job: the runner that claims it stamps `started_at`, and each chunk
commits only while the job still carries that stamp; a job whose runner stopped sending
progress for STALE_AFTER may be taken over (a redelivered task, or Resume).
"""

import logging
import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from coupzii.core.errors import DomainError
from coupzii.core.files import private_storage
from offers import errors as offer_errors
from offers import services as offer_services
from offers.models import BookStatus, CouponBook, CouponCode

from ..models import BrandJob, JobKind, JobStatus, Membership
from ..tiers import limits_for
from . import errors, selectors

logger = logging.getLogger(__name__)

GENERATE_CHUNK = 50_000
IMPORT_CHUNK = 20_000
# Files up to this size are imported during the request; larger ones by a worker.
IMPORT_INLINE_BYTES = 256 * 1024
IMPORT_MAX_BYTES = 20 * 1024 * 1024
# A running job that has written no progress for this long is taken to have died.
STALE_AFTER = timedelta(minutes=2)
# The book settings a brand may change; everything else (the offer) is fixed at creation.
BOOK_SETTINGS = (
    "name",
    "code_pattern",
    "max_redemptions_per_code",
    "per_user_limit",
    "lock_ttl_seconds",
    "resale_allowed",
    "swap_allowed",
)
LOCK_TTL_RANGE = (60, 7 * 24 * 60 * 60)
XLSX_MAGIC = b"PK\x03\x04"


class JobTakenOver(Exception):
    """Another runner claimed the job: this runner's chunk rolls back and it stops."""


def _refused(error_class: type[DomainError], field: str, message=None) -> DomainError:
    """The refusal with its message on `field`, where a form or the API shows it."""
    message = str(message or error_class.default_message)
    return error_class(message, fields={field: [message]})


# --- Books -----------------------------------------------------------------------------------


def book_create(*, membership: Membership, actor, offer, **settings) -> CouponBook:
    """A new active book for one of the brand's unique-code offers the member may see.

    Raises OfferNotEligible, InvalidPattern (with the field `code_pattern`), DomainError
    (a setting out of range, on its field).
    """
    eligible = selectors.offers_for_books(membership).filter(pk=getattr(offer, "pk", None))
    if not eligible.exists():
        raise errors.OfferNotEligible(
            fields={"offer": [str(errors.OfferNotEligible.default_message)]}
        )
    cleaned = _clean_settings(settings)
    return CouponBook.objects.create(offer=offer, status=BookStatus.ACTIVE, **cleaned)


def book_update(*, book: CouponBook, actor, **settings) -> CouponBook:
    """Change the book's settings (any of BOOK_SETTINGS). A new pattern applies to codes
    generated from now on. Raises InvalidPattern, DomainError, BookClosed."""
    cleaned = _clean_settings(settings, partial=True)
    with transaction.atomic():
        locked = CouponBook.objects.select_for_update(no_key=True).get(pk=book.pk)
        if locked.status == BookStatus.CLOSED:
            raise offer_errors.BookClosed()
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*cleaned, "updated_at"])
    return locked


def book_set_status(*, book: CouponBook, status: str, actor) -> CouponBook:
    """Pause (claims stop, the till still redeems codes already handed out), resume, or close
    (for good: no new codes). Raises BookStatusRefused."""
    if status not in BookStatus.values:
        raise errors.BookStatusRefused(fields={"status": [gettext("Unknown status.")]})
    with transaction.atomic():
        locked = CouponBook.objects.select_for_update(no_key=True).get(pk=book.pk)
        if locked.status == BookStatus.CLOSED and status != BookStatus.CLOSED:
            raise errors.BookStatusRefused()
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
    return locked


def _clean_settings(settings: dict, *, partial: bool = False) -> dict:
    unknown = set(settings) - set(BOOK_SETTINGS)
    if unknown:
        raise ValueError(f"not book settings: {sorted(unknown)}")
    cleaned = dict(settings)
    field_errors: dict[str, list[str]] = {}
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()[:120]
        if not cleaned["name"]:
            field_errors["name"] = [gettext("Give the book a name.")]
    elif not partial:
        field_errors["name"] = [gettext("Give the book a name.")]
    if "code_pattern" in cleaned:
        cleaned["code_pattern"] = str(cleaned["code_pattern"]).strip()
        try:
            offer_services.code_pattern_parse(cleaned["code_pattern"])
        except offer_errors.InvalidPattern as exc:
            field_errors["code_pattern"] = [exc.message]
    for name, low, high in (
        ("max_redemptions_per_code", 1, 1_000_000),
        ("per_user_limit", 1, 1_000),
        ("lock_ttl_seconds", *LOCK_TTL_RANGE),
    ):
        if name in cleaned and not (
            isinstance(cleaned[name], int) and low <= cleaned[name] <= high
        ):
            field_errors[name] = [
                gettext("Enter a whole number from %(low)s to %(high)s.")
                % {"low": f"{low:,}", "high": f"{high:,}"}
            ]
    for name in ("resale_allowed", "swap_allowed"):
        if name in cleaned:
            cleaned[name] = bool(cleaned[name])
    if field_errors:
        raise DomainError(next(iter(field_errors.values()))[0], fields=field_errors)
    return cleaned


# --- Generating codes ------------------------------------------------------------------------


def codes_generate_start(*, membership: Membership, book: CouponBook, count, actor) -> BrandJob:
    """Queue a job that adds `count` codes made from the book's pattern, up to the brand's
    tier limit per book (codes already in the book and those unfinished jobs will make
    count against it).

    Raises BookClosed, BookLimitReached and PatternTooWeak (on the field `count`),
    InvalidPattern.
    """
    limit = limits_for(membership.brand).codes_per_book
    with transaction.atomic():
        # The book's write lock: two jobs started at once see each other's reservation.
        locked = CouponBook.objects.select_for_update(no_key=True).get(pk=book.pk)
        if locked.status == BookStatus.CLOSED:
            raise offer_errors.BookClosed()
        if not isinstance(count, int) or count < 1:
            raise errors.BookLimitReached(
                gettext("Ask for at least one code."),
                fields={"count": [gettext("Ask for at least one code.")]},
            )
        holding = (
            CouponCode.objects.filter(book=locked).count()
            + selectors.unfinished_generate_total(locked)
            + count
        )
        if holding > limit:
            message = gettext(
                "A book may hold at most %(limit)s codes on your plan; this one would hold "
                "%(holding)s."
            ) % {"limit": f"{limit:,}", "holding": f"{holding:,}"}
            raise _refused(errors.BookLimitReached, "count", message)
        pattern = offer_services.code_pattern_parse(locked.code_pattern)
        if pattern.space < offer_services.MIN_SPACE_FACTOR * holding:
            raise _refused(offer_errors.PatternTooWeak, "count")
        job = BrandJob.objects.create(
            brand=membership.brand,
            kind=JobKind.GENERATE_CODES,
            book=locked,
            params={"count": count, "pattern": locked.code_pattern},
            total=count,
            created_by=actor,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_book_job

    run_book_job.delay(job_id)


# --- Importing codes -------------------------------------------------------------------------


def codes_import_start(
    *, membership: Membership, book: CouponBook, name: str, content: bytes, actor
) -> BrandJob:
    """Import the codes of a CSV (UTF-8, first column) or Excel (.xlsx, first sheet, first
    column) file: a small file now (the job comes back done, with its report), a large one
    by a worker (it comes back queued). The file is kept in private storage until the job
    is done.

    Raises ImportFileInvalid, BookClosed.
    """
    file_format = _file_format(name, content)
    rows = _rows_reader(file_format, content)  # reads the encoding / workbook now
    total = sum(1 for _row in rows) if len(content) <= IMPORT_INLINE_BYTES else 0
    stored = private_storage().save(
        f"brand-jobs/{uuid.uuid4().hex}.{file_format}", ContentFile(content)
    )
    with transaction.atomic():
        locked = CouponBook.objects.select_for_update(no_key=True).get(pk=book.pk)
        if locked.status == BookStatus.CLOSED:
            private_storage().delete(stored)
            raise offer_errors.BookClosed()
        job = BrandJob.objects.create(
            brand=membership.brand,
            kind=JobKind.IMPORT_CODES,
            book=locked,
            params={
                "filename": PurePosixPath(name or "").name[:200],
                "format": file_format,
                "file": stored,
            },
            total=total,
            created_by=actor,
        )
        if len(content) > IMPORT_INLINE_BYTES:
            transaction.on_commit(lambda: _enqueue(job.pk))
    if len(content) <= IMPORT_INLINE_BYTES:
        job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def _file_format(name: str, content: bytes) -> str:
    if not content or len(content) > IMPORT_MAX_BYTES:
        raise errors.ImportFileInvalid(
            fields={"file": [str(errors.ImportFileInvalid.default_message)]}
        )
    suffix = PurePosixPath(name or "").suffix.lower()
    if content.startswith(XLSX_MAGIC) or suffix == ".xlsx":
        return "xlsx"
    return "csv"


def _rows_reader(file_format: str, content: bytes):
    try:
        if file_format == "xlsx":
            return offer_services.code_rows_from_xlsx(content)
        return offer_services.code_rows_from_csv(content)
    except offer_errors.ImportInvalid as exc:
        raise errors.ImportFileInvalid(
            fields={"file": [str(errors.ImportFileInvalid.default_message)]}
        ) from exc


# --- Running jobs ----------------------------------------------------------------------------


def job_run(*, job_id: int) -> bool:
    """Run (or resume) the job: claim it, work through its remaining chunks, record how it
    ended. Returns False when another runner holds it and has sent progress lately (the
    caller may try again after STALE_AFTER), True otherwise (also for a job already done)."""
    token = _claim(job_id)
    if token is None:
        job = BrandJob.objects.filter(pk=job_id).only("status").first()
        return job is None or job.status != JobStatus.RUNNING
    job = BrandJob.objects.select_related("book", "brand", "created_by").get(pk=job_id)
    try:
        if job.kind == JobKind.GENERATE_CODES:
            _run_generate(job, token)
            _finish(job, token, status=JobStatus.DONE)
        else:
            report = _run_import(job, token)
            _finish(job, token, status=JobStatus.DONE, report=report)
            private_storage().delete(job.params.get("file", ""))
    except JobTakenOver:
        logger.info("job %s was taken over by another runner", job.public_id)
    except DomainError as exc:
        _finish(job, token, status=JobStatus.FAILED, error=exc.message)
    except Exception:
        _finish(job, token, status=JobStatus.FAILED, error=gettext("Something went wrong."))
        raise
    return True


def _claim(job_id: int):
    """Stamp the job as ours if it is queued, or running with no progress for STALE_AFTER."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, updated_at__lt=now - STALE_AFTER
    )
    claimed = BrandJob.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING, started_at=now, updated_at=now, error=""
    )
    return now if claimed else None


def _record(job: BrandJob, token, **fields) -> None:
    """Save progress inside the chunk's transaction, only while the job is still ours."""
    updated = BrandJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, started_at=token).update(
        updated_at=timezone.now(), **fields
    )
    if not updated:
        raise JobTakenOver()


def _finish(job: BrandJob, token, *, status: str, error: str = "", report=None) -> None:
    fields = {"status": status, "finished_at": timezone.now(), "error": error[:300]}
    if report is not None:
        fields["report"] = report
    if status == JobStatus.DONE and job.kind == JobKind.GENERATE_CODES:
        fields["processed"] = job.total
    BrandJob.objects.filter(pk=job.pk, started_at=token).update(updated_at=timezone.now(), **fields)


def _run_generate(job: BrandJob, token) -> None:
    done_before = BrandJob.objects.filter(pk=job.pk).values_list("processed", flat=True).get()
    remaining = job.total - done_before
    if remaining <= 0:
        return
    offer_services.codes_generate(
        book=job.book,
        count=remaining,
        actor=job.created_by,
        chunk_size=GENERATE_CHUNK,
        on_progress=lambda created: _record(job, token, processed=done_before + created),
        max_codes=limits_for(job.brand).codes_per_book,
    )


def _run_import(job: BrandJob, token) -> dict:
    latest = BrandJob.objects.filter(pk=job.pk).values("processed", "report", "total").get()
    with private_storage().open(job.params["file"], "rb") as stored:
        content = stored.read()
    file_format = job.params.get("format", "csv")
    if not latest["total"]:
        total = sum(1 for _row in _rows_reader(file_format, content))
        _record(job, token, total=total)
    resume = None
    if latest["processed"]:
        resume = offer_services.ImportReport.from_dict(latest["report"])
    report = offer_services.codes_import(
        book=job.book,
        rows=_rows_reader(file_format, content),
        actor=job.created_by,
        chunk_size=IMPORT_CHUNK,
        on_progress=lambda report: _record(
            job, token, processed=report.rows, report=report.as_dict()
        ),
        max_codes=limits_for(job.brand).codes_per_book,
        resume=resume,
    )
    return report.as_dict()


def job_resumable(job: BrandJob) -> bool:
    """Whether Resume may carry the job on: it failed, or its runner went quiet."""
    if job.status == JobStatus.FAILED:
        return True
    return job.status == JobStatus.RUNNING and job.updated_at < timezone.now() - STALE_AFTER


def job_resume(*, job: BrandJob, actor) -> BrandJob:
    """Queue a job that failed, or whose runner stopped part way, to carry on from its last
    committed chunk. Raises JobNotResumable."""
    with transaction.atomic():
        locked = BrandJob.objects.select_for_update().get(pk=job.pk)
        if not job_resumable(locked):
            raise errors.JobNotResumable()
        locked.status = JobStatus.QUEUED
        locked.error = ""
        locked.finished_at = None
        locked.save(update_fields=["status", "error", "finished_at", "updated_at"])
        transaction.on_commit(lambda: _enqueue(locked.pk))
    return locked
