"""The books area's pages: list, create, edit, the book page with its jobs, generate, import,
codes, export, status; who may open them; fixed queries per page."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from brands.models import BrandJob, JobStatus, Role
from brands.tests.factories import brand_offer, brand_with_store, member, sign_in_member
from offers.models import BookStatus, CodeStatus, CouponBook, CouponCode, OfferKind
from offers.services import codes_generate

from .conftest import codes_of, make_book

pytestmark = pytest.mark.django_db


def url(name, brand, *args):
    return reverse(f"brands:{name}", args=[brand.slug, *args])


@pytest.fixture
def signed_in(client, editor):
    sign_in_member(client, editor)
    return client


def test_the_book_list_shows_an_empty_state(signed_in, brand):
    response = signed_in.get(url("book_list", brand))

    assert response.status_code == 200
    assert "No code books yet" in response.content.decode()


def test_the_book_list_shows_each_books_code_totals_in_a_fixed_number_of_queries(
    signed_in, brand, offer, django_assert_max_num_queries
):
    # given three books, one with codes of every kind
    book = make_book(offer)
    codes_generate(book=book, count=5)
    CouponCode.objects.filter(pk=book.codes.first().pk).update(
        claimed_at=timezone.now(), redemption_count=1, status=CodeStatus.REDEEMED
    )
    make_book(offer, name="Second")
    make_book(offer, name="Third")
    signed_in.get(url("book_list", brand))  # the session and the menu warmed up

    with django_assert_max_num_queries(12) as few:
        response = signed_in.get(url("book_list", brand))
    for number in range(10):
        make_book(offer, name=f"More {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(url("book_list", brand))

    page = response.content.decode()
    assert page.count('data-testid="book-row"') == 3
    assert "5 codes · 4 available · 1 claimed · 1 redeemed" in page


def test_an_editor_creates_a_book_and_lands_on_its_page(signed_in, brand, offer):
    response = signed_in.post(
        url("book_create", brand),
        {
            "offer": offer.public_id,
            "name": "Summer",
            "code_pattern": "SUMR-####",
            "max_redemptions_per_code": 1,
            "per_user_limit": 2,
            "lock_minutes": 10,
            "resale_allowed": "on",
        },
    )

    book = CouponBook.objects.get(name="Summer")
    assert response.status_code == 302
    assert response["Location"] == url("book_detail", brand, book.public_id)
    assert (book.lock_ttl_seconds, book.per_user_limit, book.resale_allowed) == (600, 2, True)


def test_a_bad_pattern_is_shown_on_its_field(signed_in, brand, offer):
    response = signed_in.post(
        url("book_create", brand),
        {
            "offer": offer.public_id,
            "name": "Summer",
            "code_pattern": "SUMR",
            "max_redemptions_per_code": 1,
            "per_user_limit": 1,
            "lock_minutes": 10,
        },
    )

    assert response.status_code == 200
    assert "code_pattern" in response.context["form"].errors
    assert not CouponBook.objects.exists()


def test_the_create_page_says_when_the_brand_has_no_unique_code_offer(client):
    brand = brand_with_store()
    sign_in_member(client, member(brand, Role.EDITOR))
    brand_offer(brand, kind=OfferKind.CODE)

    response = client.get(url("book_create", brand))

    assert "No unique-code offer yet" in response.content.decode()


def test_settings_are_edited_and_a_book_is_paused_and_closed(signed_in, brand, book):
    response = signed_in.post(
        url("book_edit", brand, book.public_id),
        {
            "name": "Renamed",
            "code_pattern": book.code_pattern,
            "max_redemptions_per_code": 3,
            "per_user_limit": 1,
            "lock_minutes": 15,
            "swap_allowed": "on",
        },
    )
    assert response.status_code == 302
    book.refresh_from_db()
    assert (book.name, book.max_redemptions_per_code, book.swap_allowed) == ("Renamed", 3, True)

    signed_in.post(url("book_status", brand, book.public_id), {"status": "paused"})
    book.refresh_from_db()
    assert book.status == BookStatus.PAUSED
    signed_in.post(url("book_status", brand, book.public_id), {"status": "closed"})
    response = signed_in.post(
        url("book_status", brand, book.public_id), {"status": "active"}, follow=True
    )
    book.refresh_from_db()
    assert book.status == BookStatus.CLOSED
    assert "A closed book stays closed." in response.content.decode()


def test_generating_shows_the_job_with_its_progress_and_result(
    signed_in, brand, book, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url("book_generate", brand, book.public_id), {"count": 300})
    assert response.status_code == 302

    page = signed_in.get(response["Location"]).content.decode()
    job = BrandJob.objects.get(book=book)
    assert job.status == JobStatus.DONE
    assert len(codes_of(book)) == 300
    assert "300 of 300 codes made." in page
    assert 'data-status="done"' in page
    assert "hx-get" not in page  # a finished job is not polled


def test_a_running_job_is_polled_and_its_fragment_answers_htmx(signed_in, brand, book):
    job = BrandJob.objects.create(
        brand=brand,
        kind="generate_codes",
        book=book,
        total=1000,
        processed=250,
        status=JobStatus.RUNNING,
    )

    page = signed_in.get(url("book_detail", brand, book.public_id)).content.decode()
    fragment = signed_in.get(url("book_job", brand, job.public_id), HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 2s"' in page and 'value="25"' in page
    assert fragment.content.decode().lstrip().startswith("<div")
    assert "250 of 1,000 codes made." in fragment.content.decode()


def test_asking_for_more_codes_than_the_plan_allows_shows_the_limit(signed_in, brand, book):
    response = signed_in.post(url("book_generate", brand, book.public_id), {"count": 100_001})

    assert response.status_code == 400
    assert "count" in response.context["generate_form"].errors
    assert not BrandJob.objects.exists()


def test_an_import_shows_its_row_report(signed_in, brand, book):
    CouponCode.objects.create(book=book, code="OLD-1")
    upload = io.BytesIO(b"code\nNEW-1\nNEW-1\nOLD-1\nbad code\n")
    upload.name = "codes.csv"

    response = signed_in.post(url("book_import", brand, book.public_id), {"file": upload})

    job = BrandJob.objects.get(book=book)
    assert response["Location"] == url("book_job", brand, job.public_id)
    page = signed_in.get(response["Location"]).content.decode()
    assert "1 codes added" in page
    assert "Repeated in the file" in page and "Already in the book" in page
    assert "Characters a code cannot have" in page


def test_a_file_that_is_not_csv_or_excel_is_a_form_error(signed_in, brand, book):
    upload = io.BytesIO(b"\xff\xfe\x00\x00")
    upload.name = "codes.csv"

    response = signed_in.post(url("book_import", brand, book.public_id), {"file": upload})

    assert response.status_code == 400
    assert "file" in response.context["import_form"].errors


def test_the_codes_page_searches_filters_and_pages_in_fixed_queries(
    signed_in, brand, book, django_assert_max_num_queries
):
    for number in range(60):
        CouponCode.objects.create(book=book, code=f"FIND-{number:03d}")
    CouponCode.objects.create(book=book, code="USED-1", status=CodeStatus.REDEEMED)
    signed_in.get(url("book_codes", brand, book.public_id))

    with django_assert_max_num_queries(12):
        first = signed_in.get(url("book_codes", brand, book.public_id))
    searched = signed_in.get(url("book_codes", brand, book.public_id), {"q": "find-00"})
    used = signed_in.get(url("book_codes", brand, book.public_id), {"status": "redeemed"})
    nothing = signed_in.get(url("book_codes", brand, book.public_id), {"q": "ZZZ"})

    assert first.content.decode().count('data-testid="code-row"') == 50
    assert searched.content.decode().count('data-testid="code-row"') == 10
    assert used.content.decode().count('data-testid="code-row"') == 1
    assert "No codes match" in nothing.content.decode()


def test_the_codes_are_exported_as_csv_and_excel(signed_in, brand, book, editor):
    CouponCode.objects.create(book=book, code="FREE-1")
    claimed = timezone.now()
    CouponCode.objects.create(
        book=book,
        code="USED-1",
        status=CodeStatus.REDEEMED,
        holder=editor.user,
        claim_slot=1,
        claimed_at=claimed,
        redemption_count=1,
    )

    csv_response = signed_in.get(url("book_export", brand, book.public_id), {"format": "csv"})
    xlsx_response = signed_in.get(url("book_export", brand, book.public_id), {"format": "xlsx"})

    lines = b"".join(csv_response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Code,Status,Claimed at,Redemptions"
    assert lines[1] == "FREE-1,Available,,0"
    assert lines[2].startswith("USED-1,Redeemed,") and lines[2].endswith(",1")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Status", "Claimed at", "Redemptions")
    assert rows[1] == ("FREE-1", "Available", None, 0)
    assert rows[2][0:2] == ("USED-1", "Redeemed") and rows[2][3] == 1
    local = timezone.localtime(claimed).replace(tzinfo=None)
    assert abs((rows[2][2] - local).total_seconds()) < 1
    assert xlsx_response["Content-Disposition"].endswith('-codes.xlsx"')


def test_another_brands_book_and_job_are_not_found(signed_in, brand):
    other_book = make_book(brand_offer(brand_with_store(), kind=OfferKind.UNIQUE_CODE))
    job = BrandJob.objects.create(
        brand=other_book.offer.brand_link.brand, kind="generate_codes", book=other_book, total=1
    )

    for name in ("book_detail", "book_edit", "book_codes", "book_export"):
        assert signed_in.get(url(name, brand, other_book.public_id)).status_code == 404
    assert (
        signed_in.post(url("book_generate", brand, other_book.public_id), {"count": 1}).status_code
        == 404
    )
    assert signed_in.get(url("book_job", brand, job.public_id)).status_code == 404


def test_an_analyst_may_not_manage_books(client, brand, book, analyst):
    sign_in_member(client, analyst)

    assert client.get(url("book_list", brand)).status_code == 403
    assert client.get(url("book_detail", brand, book.public_id)).status_code == 403


def test_a_failed_job_offers_resume_and_carries_on(
    signed_in, brand, book, django_capture_on_commit_callbacks
):
    # given a job of 120 codes that stopped after making 20 of them
    job = BrandJob.objects.create(
        brand=brand,
        kind="generate_codes",
        book=book,
        total=120,
        processed=20,
        status=JobStatus.FAILED,
        error="The worker stopped.",
    )
    codes_generate(book=book, count=20)
    page = signed_in.get(url("book_detail", brand, book.public_id)).content.decode()
    assert "The worker stopped." in page and "Resume" in page

    # when the editor resumes it
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url("book_job_resume", brand, job.public_id))

    # then the job finished the other 100 codes
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.processed, len(codes_of(book))) == (JobStatus.DONE, 120, 120)
    again = signed_in.post(url("book_job_resume", brand, job.public_id), follow=True)
    assert "Only a job that failed or stopped part way can be resumed." in again.content.decode()
