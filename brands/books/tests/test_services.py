"""The books area's services: books, generate jobs (chunks, progress, tier limit, resume,
takeover), imports with their row report, and the book's status."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from brands.books import errors, selectors, services
from brands.models import BrandJob, DepartmentAccess, JobKind, JobStatus, Role, Tier
from brands.tests.factories import DepartmentFactory, brand_offer, brand_with_store, member
from offers import errors as offer_errors
from offers.models import BookStatus, CodeStatus, CouponCode, OfferKind
from offers.services import codes_generate

from .conftest import codes_of, make_book

pytestmark = pytest.mark.django_db

UNAMBIGUOUS = re.compile(r"DIWA-[2-9]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ]{4}")


def generate(editor, book, count, capture):
    with capture(execute=True):
        job = services.codes_generate_start(
            membership=editor, book=book, count=count, actor=editor.user
        )
    job.refresh_from_db()
    return job


# --- Books -----------------------------------------------------------------------------------


def test_book_create_makes_an_active_book_for_the_brands_unique_code_offer(editor, offer):
    book = services.book_create(
        membership=editor,
        actor=editor.user,
        offer=offer,
        name=" Festive ",
        code_pattern="FEST-****",
        max_redemptions_per_code=2,
        per_user_limit=3,
        lock_ttl_seconds=600,
        resale_allowed=True,
        swap_allowed=False,
    )

    assert (book.offer, book.name, book.status, book.code_pattern) == (
        offer,
        "Festive",
        BookStatus.ACTIVE,
        "FEST-****",
    )
    assert (book.max_redemptions_per_code, book.per_user_limit, book.lock_ttl_seconds) == (
        2,
        3,
        600,
    )
    assert (book.resale_allowed, book.swap_allowed) == (True, False)


@pytest.mark.parametrize("which", ["other_brand", "code_offer"])
def test_book_create_refuses_an_offer_that_is_not_the_brands_unique_code_offer(editor, which):
    other = brand_offer(brand_with_store(), kind=OfferKind.UNIQUE_CODE)
    shared_code = brand_offer(editor.brand, kind=OfferKind.CODE)
    offer = other if which == "other_brand" else shared_code

    with pytest.raises(errors.OfferNotEligible) as refused:
        services.book_create(
            membership=editor, actor=editor.user, offer=offer, name="x", code_pattern="****"
        )
    assert "offer" in refused.value.fields


def test_book_create_puts_a_bad_pattern_and_numbers_on_their_fields(editor, offer):
    with pytest.raises(Exception) as refused:
        services.book_create(
            membership=editor,
            actor=editor.user,
            offer=offer,
            name="x",
            code_pattern="NO RANDOM",
            per_user_limit=0,
        )
    assert set(refused.value.fields) == {"code_pattern", "per_user_limit"}


def test_a_department_limited_to_its_own_offers_sees_only_their_books(brand, offer, book):
    # given a department that sees only its own offers, with one offer of its own
    own = DepartmentFactory(brand=brand, access=DepartmentAccess.OWN)
    staff = member(brand, Role.EDITOR, department=own)
    own_book = make_book(brand_offer(brand, department=own, kind=OfferKind.UNIQUE_CODE))

    # then it sees that book only, and cannot start a book for the other offer
    assert list(selectors.books_for(staff)) == [own_book]
    assert selectors.book_for(staff, book.public_id) is None
    with pytest.raises(errors.OfferNotEligible):
        services.book_create(
            membership=staff, actor=staff.user, offer=offer, name="x", code_pattern="****"
        )


def test_book_update_changes_settings_and_a_closed_book_stays_closed(editor, book):
    services.book_update(book=book, actor=editor.user, name="Renamed", per_user_limit=2)
    book.refresh_from_db()
    assert (book.name, book.per_user_limit) == ("Renamed", 2)

    services.book_set_status(book=book, status=BookStatus.PAUSED, actor=editor.user)
    services.book_set_status(book=book, status=BookStatus.ACTIVE, actor=editor.user)
    services.book_set_status(book=book, status=BookStatus.CLOSED, actor=editor.user)
    with pytest.raises(errors.BookStatusRefused):
        services.book_set_status(book=book, status=BookStatus.ACTIVE, actor=editor.user)
    with pytest.raises(offer_errors.BookClosed):
        services.book_update(book=book, actor=editor.user, name="Again")


# --- Generating ------------------------------------------------------------------------------


def test_a_generate_job_makes_the_codes_in_chunks_and_records_its_progress(
    editor, book, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "GENERATE_CHUNK", 120)

    job = generate(editor, book, 500, django_capture_on_commit_callbacks)

    codes = codes_of(book)
    assert (job.kind, job.status, job.total, job.processed, job.percent) == (
        JobKind.GENERATE_CODES,
        JobStatus.DONE,
        500,
        500,
        100,
    )
    assert len(codes) == len(set(codes)) == 500
    assert all(UNAMBIGUOUS.fullmatch(code) for code in codes)
    # one audit row per chunk: 120 + 120 + 120 + 120 + 20
    assert book.audit.filter(action="generate", ok=True).count() == 5
    assert job.started_at and job.finished_at


def test_a_book_holds_at_most_the_tiers_codes(editor, book, django_capture_on_commit_callbacks):
    # given a basic brand's book that already holds 99,990 codes' worth of a running job
    BrandJob.objects.create(
        brand=editor.brand,
        kind=JobKind.GENERATE_CODES,
        book=book,
        total=99_990,
        processed=0,
        status=JobStatus.RUNNING,
    )
    codes_generate(book=book, count=5)

    # then 6 more would pass the limit of 100,000 and 5 do not
    with pytest.raises(errors.BookLimitReached) as refused:
        services.codes_generate_start(membership=editor, book=book, count=6, actor=editor.user)
    assert "100,000" in refused.value.fields["count"][0]
    assert (
        services.codes_generate_start(
            membership=editor, book=book, count=5, actor=editor.user
        ).total
        == 5
    )


def test_a_pro_brand_may_ask_for_a_million_codes(offer, book):
    offer.brand_link.brand.tier = Tier.PRO
    offer.brand_link.brand.save()
    owner = member(offer.brand_link.brand, Role.EDITOR)

    job = services.codes_generate_start(
        membership=owner, book=book, count=1_000_000, actor=owner.user
    )
    assert job.total == 1_000_000
    with pytest.raises(errors.BookLimitReached):
        services.codes_generate_start(membership=owner, book=book, count=1, actor=owner.user)


def test_generate_refuses_a_pattern_too_weak_and_a_closed_book(editor, book):
    book.code_pattern = "A##"  # 64 codes
    book.save()
    with pytest.raises(offer_errors.PatternTooWeak) as refused:
        services.codes_generate_start(membership=editor, book=book, count=10, actor=editor.user)
    assert "count" in refused.value.fields

    book.status = BookStatus.CLOSED
    book.save()
    with pytest.raises(offer_errors.BookClosed):
        services.codes_generate_start(membership=editor, book=book, count=1, actor=editor.user)


def test_a_job_that_died_part_way_resumes_without_duplicates(
    editor, book, django_capture_on_commit_callbacks
):
    # given a job of 500 whose runner committed 200 codes (and said so) and then died
    job = BrandJob.objects.create(
        brand=editor.brand,
        kind=JobKind.GENERATE_CODES,
        book=book,
        total=500,
        processed=200,
        status=JobStatus.RUNNING,
        created_by=editor.user,
    )
    codes_generate(book=book, count=200)
    BrandJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - services.STALE_AFTER - timedelta(seconds=1)
    )

    # when somebody resumes it
    with django_capture_on_commit_callbacks(execute=True):
        services.job_resume(job=job, actor=editor.user)

    # then it made the 300 missing codes, no more
    job.refresh_from_db()
    codes = codes_of(book)
    assert (job.status, job.processed) == (JobStatus.DONE, 500)
    assert len(codes) == len(set(codes)) == 500


def test_a_second_delivery_of_a_running_job_leaves_it_to_its_runner(editor, book):
    job = BrandJob.objects.create(
        brand=editor.brand,
        kind=JobKind.GENERATE_CODES,
        book=book,
        total=50,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
    )

    assert services.job_run(job_id=job.pk) is False
    assert not CouponCode.objects.filter(book=book).exists()
    with pytest.raises(errors.JobNotResumable):
        services.job_resume(job=job, actor=editor.user)


def test_a_job_fails_with_the_reason_when_its_book_is_closed_meanwhile(editor, book):
    job = BrandJob.objects.create(
        brand=editor.brand, kind=JobKind.GENERATE_CODES, book=book, total=50
    )
    book.status = BookStatus.CLOSED
    book.save()

    services.job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == str(offer_errors.BookClosed.default_message)
    assert services.job_resumable(job)


# --- Importing -------------------------------------------------------------------------------


def import_file(editor, book, name, content, capture=None):
    return services.codes_import_start(
        membership=editor, book=book, name=name, content=content, actor=editor.user
    )


def test_an_import_reports_every_row_that_was_not_added(editor, book):
    # given a book with one of the codes, and a file with a header, repeats and bad rows
    make = CouponCode.objects.create
    make(book=book, code="ALREADY-1")
    content = (
        f"code\nSAVE-001\nSAVE-002\nSAVE-001\nALREADY-1\nbad!char\n{'X' * 65}\n\nok_under_score\n"
    ).encode()

    # when
    job = import_file(editor, book, "codes.csv", content)

    # then
    assert (job.kind, job.status, job.total, job.processed) == (
        JobKind.IMPORT_CODES,
        JobStatus.DONE,
        7,
        7,
    )
    report = job.report
    assert (report["created"], report["duplicates_in_file"], report["duplicates_in_book"]) == (
        3,
        1,
        1,
    )
    assert (report["invalid_characters"], report["too_long"]) == (1, 1)
    assert sorted((row["line"], row["problem"]) for row in report["problems"]) == [
        (4, "duplicate_in_file"),
        (5, "duplicate_in_book"),
        (6, "invalid_characters"),
        (7, "too_long"),
    ]
    assert set(codes_of(book)) == {"ALREADY-1", "SAVE-001", "SAVE-002", "ok_under_score"}


def test_an_excel_file_is_imported_from_its_first_column(editor, book):
    workbook = Workbook()
    sheet = workbook.active
    for row in (["Coupon code", "note"], ["XL-1", "a"], [123456, "typed as a number"], [None]):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = import_file(editor, book, "codes.xlsx", buffer.getvalue())

    assert job.status == JobStatus.DONE
    assert set(codes_of(book)) == {"XL-1", "123456"}


@pytest.mark.parametrize(
    ("name", "content"),
    [("codes.csv", b"\xff\xfe\x00A"), ("codes.xlsx", b"PK\x03\x04 not a zip"), ("e.csv", b"")],
)
def test_an_unreadable_file_is_refused_on_the_file_field(editor, book, name, content):
    with pytest.raises(errors.ImportFileInvalid) as refused:
        import_file(editor, book, name, content)
    assert "file" in refused.value.fields
    assert not BrandJob.objects.exists()


def test_a_large_import_runs_as_a_job_in_chunks(
    editor, book, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "IMPORT_INLINE_BYTES", 10)
    monkeypatch.setattr(services, "IMPORT_CHUNK", 40)
    content = "\n".join(f"BULK-{n:04d}" for n in range(150)).encode()

    with django_capture_on_commit_callbacks(execute=True):
        job = import_file(editor, book, "big.csv", content)
        assert job.status == JobStatus.QUEUED

    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.report["created"]) == (
        JobStatus.DONE,
        150,
        150,
        150,
    )
    assert book.audit.filter(action="import", ok=True).count() == 4  # 40 + 40 + 40 + 30
    assert len(codes_of(book)) == 150


def test_an_import_that_died_part_way_resumes_from_its_last_chunk(
    editor, book, monkeypatch, django_capture_on_commit_callbacks
):
    # given an import of 100 rows whose runner committed the first 60 (with its report)
    monkeypatch.setattr(services, "IMPORT_INLINE_BYTES", 10)
    content = "\n".join([*(f"R-{n:03d}" for n in range(99)), "R-000"]).encode()
    job = import_file(editor, book, "big.csv", content)  # queued, not run
    first = "\n".join(f"R-{n:03d}" for n in range(60)).encode()
    from offers.services import code_rows_from_csv, codes_import

    partial = codes_import(book=book, rows=code_rows_from_csv(first))
    BrandJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, processed=60, total=100, report=partial.as_dict()
    )
    job.refresh_from_db()

    # when it is resumed
    with django_capture_on_commit_callbacks(execute=True):
        services.job_resume(job=job, actor=editor.user)

    # then the other 39 codes are added, and the repeat of R-000 is a repeat in the file
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.report["created"], job.report["duplicates_in_file"]) == (99, 1)
    assert job.report["duplicates_in_book"] == 0
    assert len(codes_of(book)) == 99


def test_book_code_totals_counts_each_book_in_one_query(
    editor, book, offer, django_assert_num_queries
):
    other = make_book(offer, name="Other")
    codes_generate(book=book, count=4)
    CouponCode.objects.filter(pk=book.codes.first().pk).update(
        claimed_at=timezone.now(), redemption_count=1, status=CodeStatus.REDEEMED
    )
    CouponCode.objects.filter(pk=book.codes.last().pk).update(
        claimed_at=timezone.now(), status=CodeStatus.ASSIGNED
    )

    with django_assert_num_queries(1):
        totals = selectors.book_code_totals([book.pk, other.pk])

    assert totals[book.pk] == selectors.CodeTotals(total=4, available=2, claimed=2, redeemed=1)
    assert totals[other.pk] == selectors.CodeTotals()
