"""The books API: list, create, read, change, generate (202 + job), import (multipart),
codes, export, jobs; 404 for another brand's book, 403 for a role without books."""

import io

import pytest
from rest_framework.test import APIClient

from brands.models import BrandJob, JobStatus
from brands.tests.factories import brand_offer, brand_with_store
from offers.models import BookStatus, CodeStatus, CouponBook, CouponCode, OfferKind
from offers.services import codes_generate

from .conftest import codes_of, make_book

pytestmark = pytest.mark.django_db
BOOKS = "/api/v1/brand/books/"


def api_for(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    client.credentials(HTTP_X_BRAND=membership.brand.slug)
    return client


def test_the_list_shows_books_with_code_totals_in_fixed_queries(
    editor, offer, django_assert_max_num_queries
):
    book = make_book(offer)
    codes_generate(book=book, count=3)
    make_book(offer, name="Second")
    client = api_for(editor)

    with django_assert_max_num_queries(8) as few:
        response = client.get(BOOKS)
    for number in range(8):
        make_book(offer, name=f"More {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(BOOKS, {"page_size": 20}).json()["results"]) == 10

    results = {row["name"]: row for row in response.json()["results"]}
    assert results["Diwali codes"]["codes"] == {
        "total": 3,
        "available": 3,
        "claimed": 0,
        "redeemed": 0,
    }
    assert results["Second"]["status"] == "active"


def test_a_book_is_created_read_and_changed(editor, offer):
    client = api_for(editor)

    created = client.post(
        BOOKS,
        {"offer": str(offer.public_id), "name": "API book", "code_pattern": "API-#####"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    book_url = f"{BOOKS}{created.json()['id']}/"
    assert client.get(book_url).json()["code_pattern"] == "API-#####"

    changed = client.patch(book_url, {"per_user_limit": 4, "status": "paused"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["per_user_limit"], changed.json()["status"]) == (4, "paused")
    client.patch(book_url, {"status": "closed"}, format="json")
    refused = client.patch(book_url, {"status": "active"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "book_status_refused"


def test_bad_input_is_answered_400_with_field_messages(editor, offer):
    client = api_for(editor)

    bad_pattern = client.post(
        BOOKS, {"offer": str(offer.public_id), "name": "x", "code_pattern": "NONE"}, format="json"
    )
    other_offer = brand_offer(brand_with_store(), kind=OfferKind.UNIQUE_CODE)
    not_ours = client.post(BOOKS, {"offer": str(other_offer.public_id), "name": "x"}, format="json")
    missing = client.post(BOOKS, {}, format="json")

    assert (
        bad_pattern.status_code == 400 and "code_pattern" in bad_pattern.json()["error"]["fields"]
    )
    assert not_ours.status_code == 400 and "offer" in not_ours.json()["error"]["fields"]
    assert missing.status_code == 400 and {"offer", "name"} <= set(
        missing.json()["error"]["fields"]
    )
    assert not CouponBook.objects.exists()


def test_generate_answers_202_with_the_job_that_follows_it(
    editor, book, django_capture_on_commit_callbacks
):
    client = api_for(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BOOKS}{book.public_id}/generate/", {"count": 250}, format="json")

    assert response.status_code == 202
    job = client.get(f"{BOOKS}jobs/{response.json()['id']}/").json()
    assert (job["kind"], job["status"], job["processed"], job["percent"]) == (
        "generate_codes",
        "done",
        250,
        100,
    )
    assert len(codes_of(book)) == 250
    too_many = client.post(f"{BOOKS}{book.public_id}/generate/", {"count": 100_000}, format="json")
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "book_limit_reached"


def test_import_takes_a_multipart_file_and_answers_the_row_report(editor, book):
    client = api_for(editor)
    upload = io.BytesIO(b"code\nAPI-1\nAPI-1\nnot valid\n")
    upload.name = "codes.csv"

    response = client.post(f"{BOOKS}{book.public_id}/import/", {"file": upload}, format="multipart")

    assert response.status_code == 201, response.json()
    report = response.json()["report"]
    assert (report["created"], report["duplicates_in_file"], report["invalid_characters"]) == (
        1,
        1,
        1,
    )
    assert [problem["line"] for problem in report["problems"]] == [3, 4]


def test_codes_are_listed_by_status_and_search_in_fixed_queries(
    editor, book, django_assert_max_num_queries
):
    for number in range(30):
        CouponCode.objects.create(book=book, code=f"LIST-{number:02d}")
    CouponCode.objects.create(book=book, code="GONE-1", status=CodeStatus.VOID)
    client = api_for(editor)

    with django_assert_max_num_queries(8):
        page = client.get(f"{BOOKS}{book.public_id}/codes/", {"page_size": 25}).json()
    void = client.get(f"{BOOKS}{book.public_id}/codes/", {"status": "void"}).json()
    searched = client.get(f"{BOOKS}{book.public_id}/codes/", {"q": "list-0"}).json()
    bad = client.get(f"{BOOKS}{book.public_id}/codes/", {"status": "nope"})

    assert (page["count"], len(page["results"])) == (31, 25)
    assert [row["code"] for row in void["results"]] == ["GONE-1"]
    assert searched["count"] == 10
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_the_export_streams_csv_or_xlsx(editor, book):
    CouponCode.objects.create(book=book, code="EXP-1")
    client = api_for(editor)

    csv_response = client.get(f"{BOOKS}{book.public_id}/export/", {"format": "csv"})
    xlsx_response = client.get(f"{BOOKS}{book.public_id}/export/", {"format": "xlsx"})
    bad = client.get(f"{BOOKS}{book.public_id}/export/", {"format": "pdf"})

    assert b"EXP-1,Available,,0" in b"".join(csv_response.streaming_content)
    assert b"".join(xlsx_response.streaming_content).startswith(b"PK")
    assert bad.status_code == 400


def test_another_brands_book_and_job_are_404(editor):
    other = make_book(brand_offer(brand_with_store(), kind=OfferKind.UNIQUE_CODE))
    job = BrandJob.objects.create(
        brand=other.offer.brand_link.brand, kind="generate_codes", book=other, total=1
    )
    client = api_for(editor)

    for suffix in ("", "codes/", "export/"):
        assert client.get(f"{BOOKS}{other.public_id}/{suffix}").status_code == 404
    assert (
        client.patch(f"{BOOKS}{other.public_id}/", {"name": "x"}, format="json").status_code == 404
    )
    assert client.post(f"{BOOKS}{other.public_id}/generate/", {"count": 1}).status_code == 404
    assert client.get(f"{BOOKS}jobs/{job.public_id}/").status_code == 404
    other.refresh_from_db()
    assert other.status == BookStatus.ACTIVE and job.status == JobStatus.QUEUED


def test_an_analyst_is_refused_403(analyst, book):
    assert api_for(analyst).get(BOOKS).status_code == 403


def test_the_schema_documents_the_books_api(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/brand/books/",
        "/api/v1/brand/books/{public_id}/generate/",
        "/api/v1/brand/books/{public_id}/import/",
        "/api/v1/brand/books/{public_id}/codes/",
        "/api/v1/brand/books/{public_id}/export/",
        "/api/v1/brand/books/jobs/{public_id}/",
    ):
        assert path in schema
    assert "BookJob" in schema and "ImportReport" in schema
