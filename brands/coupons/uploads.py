"""Bulk upload of coupons as a BrandJob: read and limit the file, check every row (a dry
run), then, once the member confirms, write them all in one transaction. Small files run in
the request; larger ones in a Celery task while the page shows the job's progress.

A job's `params["stage"]` says which pass it is in: "check" (the dry run) or "write"; its
`report` holds every row with its refusals by column, and a summary.
"""

import csv
import io
import uuid
from pathlib import PurePosixPath
from zipfile import BadZipFile, ZipFile

import openpyxl
import tablib
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.results import RowResult
from openpyxl.utils.exceptions import InvalidFileException

from coupzii.core.errors import Conflict, DomainError

from ..models import BrandJob, JobKind, JobStatus, Membership
from .resources import COLUMN_NAMES, COLUMNS, CouponResource, progress_key

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_ROWS = 5000
# An .xlsx of 5,000 rows unpacks to a few MB; past this it is not a sheet of coupons.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
# Blank rows a spreadsheet may carry after the last one (formatting), read before giving up.
TRAILING_BLANK_ROWS = 1000
#: Files with more rows than this are checked and written by a Celery task.
BACKGROUND_ROWS = 500
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
CHECK, WRITE = "check", "write"


class UploadRefused(DomainError):
    """The file itself was refused (size, type, encoding, rows): `fields["file"]`."""

    code = "upload_refused"
    default_message = _("This file cannot be uploaded.")

    def __init__(self, message):
        super().__init__(message, fields={"file": [str(message)]})


# --- Reading the file ----------------------------------------------------------------------


def upload_read(*, name: str, content: bytes) -> tuple[tablib.Dataset, str]:
    """The file's rows as a Dataset, and its format ("csv" or "xlsx").

    Raises UploadRefused for a file too large, of another type, not UTF-8, without rows, or
    with more than MAX_UPLOAD_ROWS rows.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            gettext("The file is larger than %(mb)s MB: split it into several files.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    file_format = FORMATS.get(PurePosixPath(name or "").suffix.lower())
    if file_format is None:
        raise UploadRefused(gettext("Upload a .csv or .xlsx file (Excel: Save as .xlsx)."))
    dataset = _csv_dataset(content) if file_format == "csv" else _xlsx_dataset(content)
    # Spreadsheets often end in blank rows: drop those at the end only, so the row numbers
    # in the report stay those of the file.
    while len(dataset) and all(_blank(value) for value in dataset[-1]):
        del dataset[-1]
    if not dataset.headers or not len(dataset):
        raise UploadRefused(gettext("The file has no rows under its first (column names) row."))
    if len(dataset) > MAX_UPLOAD_ROWS:
        raise UploadRefused(
            gettext("The file has %(rows)s rows; at most %(max)s can be uploaded at once.")
            % {"rows": len(dataset), "max": MAX_UPLOAD_ROWS}
        )
    return dataset, file_format


def _csv_dataset(content: bytes) -> tablib.Dataset:
    try:
        # utf-8-sig drops the byte-order mark Excel writes at the start of a "CSV UTF-8" file.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(
            gettext("The CSV file is not UTF-8: in Excel use Save as > CSV UTF-8.")
        ) from None
    if "\x00" in text:
        raise UploadRefused(gettext("The file is not a CSV text file."))
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise UploadRefused(
            gettext("The CSV file cannot be read: %(error)s.") % {"error": exc}
        ) from None
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    width = len(rows[0])
    dataset.headers = rows[0]
    for row in rows[1:]:
        # Rows shorter or longer than the header (a trailing comma, a missing cell) still
        # line up with their columns.
        dataset.append((row + [""] * width)[:width])
    return dataset


def _xlsx_dataset(content: bytes) -> tablib.Dataset:
    """The workbook's first sheet, read row by row and given up on past the row limit: a
    small .xlsx can unpack to gigabytes (it is a zip of XML), so neither its unpacked size
    nor its rows are trusted before they are counted."""
    try:
        with ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise UploadRefused(
                gettext("The workbook is too large once unpacked: split it into several files.")
            )
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            rows = []
            for row in workbook.active.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_UPLOAD_ROWS + 1 + TRAILING_BLANK_ROWS:
                    raise UploadRefused(
                        gettext("The file has more than %(max)s rows.") % {"max": MAX_UPLOAD_ROWS}
                    )
        finally:
            workbook.close()
    # openpyxl raises many kinds for a file that is not a workbook, or a broken one.
    except (BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError):
        raise UploadRefused(
            gettext("The file cannot be read as an Excel workbook (.xlsx).")
        ) from None
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    width = len(rows[0])
    dataset.headers = [("" if value is None else str(value)) for value in rows[0]]
    for row in rows[1:]:
        dataset.append((row + [None] * width)[:width])
    return dataset


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- The template ----------------------------------------------------------------------------


def upload_template(*, file_format: str) -> bytes:
    """The columns and one example row, as CSV (UTF-8 with a byte-order mark, so Excel reads
    it as UTF-8) or XLSX."""
    dataset = tablib.Dataset(headers=list(COLUMN_NAMES))
    dataset.append([example for _name, _required, example in COLUMNS])
    if file_format == "xlsx":
        return dataset.export("xlsx")
    return ("\ufeff" + dataset.export("csv")).encode("utf-8")


# --- The job ---------------------------------------------------------------------------------


def upload_start(
    *, membership: Membership, actor, name: str, content: bytes, confirm: bool = False
) -> BrandJob:
    """Keep the file and check every row: now for a small file (the job comes back done,
    with its report), in the background for a large one (it comes back queued). With
    `confirm`, rows that all pass the check are then written without asking again.

    Raises UploadRefused.
    """
    dataset, file_format = upload_read(name=name, content=content)
    job = BrandJob(
        brand=membership.brand,
        kind=JobKind.UPLOAD_COUPONS,
        params={
            "filename": PurePosixPath(name).name[:200],
            "format": file_format,
            "stage": CHECK,
            "membership": membership.pk,
            "confirm": bool(confirm),
        },
        total=len(dataset),
        created_by=actor,
    )
    # A random name: the original one says whose file it is, and could be guessed.
    job.file.save(f"{uuid.uuid4().hex}.{file_format}", ContentFile(content), save=False)
    job.save()
    _run_or_queue(job)
    job.refresh_from_db()
    return job


def upload_confirm(*, job: BrandJob, actor) -> BrandJob:
    """Write the checked rows (all of them, or none if any is refused now).

    Raises Conflict unless the job's check finished with every row accepted.
    """
    with transaction.atomic():
        job = BrandJob.objects.select_for_update().get(pk=job.pk)
        if job.params.get("stage") != CHECK or job.status != JobStatus.DONE:
            raise Conflict(gettext("This upload is not waiting for a confirmation."))
        if not _all_accepted(job):
            raise Conflict(gettext("Fix the refused rows and upload the file again."))
        _queue_write(job, actor_id=actor.pk)
    _run_or_queue(job)
    job.refresh_from_db()
    return job


def _run_or_queue(job: BrandJob) -> None:
    if job.total <= BACKGROUND_ROWS:
        upload_run(job_id=job.pk)
        return
    from .tasks import upload_coupons

    transaction.on_commit(lambda: upload_coupons.delay(job.pk))


def upload_run(*, job_id: int) -> BrandJob:
    """The job's pass (check or write). Runs once: a job that is not queued is left alone."""
    with transaction.atomic():
        job = BrandJob.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.QUEUED:
            return job
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
    try:
        report = _import(job)
    except Exception as exc:
        BrandJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=str(gettext("The upload stopped: %(error)s") % {"error": exc})[:300],
            finished_at=timezone.now(),
        )
        raise
    write = job.params.get("stage") == WRITE
    BrandJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED if write and not report["written"] else JobStatus.DONE,
        processed=job.total,
        report=report,
        error="" if not write or report["written"] else str(report["summary"])[:300],
        finished_at=timezone.now(),
    )
    cache.delete(progress_key(job.public_id))
    job.refresh_from_db()
    if not write and job.params.get("confirm") and _all_accepted(job):
        # Asked to write straight away (the API's dry_run=false): the second pass runs here,
        # in the same request or task.
        _queue_write(job, actor_id=job.created_by_id)
        return upload_run(job_id=job.pk)
    return job


def _all_accepted(job: BrandJob) -> bool:
    report = job.report or {}
    return job.status == JobStatus.DONE and not report.get("refused") and not report.get("errors")


def _queue_write(job: BrandJob, *, actor_id) -> None:
    job.params = {**job.params, "stage": WRITE, "confirmed_by": actor_id}
    job.status = JobStatus.QUEUED
    job.processed = 0
    job.save(update_fields=["params", "status", "processed", "updated_at"])


def _import(job: BrandJob) -> dict:
    membership = (
        Membership.objects.select_related("brand", "department", "user")
        .filter(pk=job.params.get("membership"), brand=job.brand_id)
        .first()
    )
    if membership is None:
        return _report_refused_file(gettext("The person who uploaded this file left the brand."))
    with job.file.open("rb") as handle:
        content = handle.read()
    try:
        dataset, _format = upload_read(name=job.file.name, content=content)
    except UploadRefused as exc:
        return _report_refused_file(exc.message)
    resource = CouponResource(
        membership=membership, actor=membership.user, job_public_id=job.public_id
    )
    dry_run = job.params.get("stage") != WRITE
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    return _report(result, dataset, dry_run=dry_run)


def _report(result, dataset, *, dry_run: bool) -> dict:
    """Every row (its number in the file, title, accepted, refusals by column) and a summary."""
    rows = []
    for index, row_result in enumerate(result.rows):
        number = index + 2  # the file's row: its first row names the columns
        errors = {}
        if row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            errors = {
                field: [str(message) for message in messages]
                for field, messages in row_result.validation_error.message_dict.items()
            }
        elif row_result.import_type == RowResult.IMPORT_TYPE_ERROR:
            errors = {"__all__": [str(error.error) for error in row_result.errors]}
        title = str(dataset[index][dataset.headers.index("title")] or "")[:160]
        rows.append({"row": number, "title": title, "accepted": not errors, "errors": errors})
    base_errors = [str(error.error) for error in result.base_errors]
    refused = sum(1 for row in rows if not row["accepted"])
    accepted = len(rows) - refused
    written = 0 if dry_run or refused or base_errors else accepted
    return {
        "rows": rows,
        "accepted": accepted,
        "refused": refused,
        "errors": base_errors,
        "written": written,
        "summary": _summary(accepted, refused, base_errors, dry_run=dry_run, written=written),
    }


def _summary(accepted, refused, base_errors, *, dry_run, written) -> str:
    if base_errors:
        return " ".join(base_errors)
    if refused:
        return gettext(
            "%(refused)s of %(total)s rows are refused: nothing was saved. Fix them and "
            "upload the file again."
        ) % {"refused": refused, "total": accepted + refused}
    if dry_run:
        return gettext("All %(total)s rows can be saved as drafts.") % {"total": accepted}
    return gettext("%(written)s offers saved as drafts.") % {"written": written}


def _report_refused_file(message: str) -> dict:
    return {
        "rows": [],
        "accepted": 0,
        "refused": 0,
        "errors": [str(message)],
        "written": 0,
        "summary": str(message),
    }


def upload_progress(job: BrandJob) -> int:
    """Rows done so far: the job row's count once it is written, else what the running
    import last reported (through the cache, as its transaction is not visible yet)."""
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        return job.total
    reported = cache.get(progress_key(job.public_id)) or 0
    return min(job.total, max(job.processed, int(reported)))
