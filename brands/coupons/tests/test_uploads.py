"""Bulk upload: the template, the file's limits, the dry run's row report, the
all-or-nothing write, and large files as a background job with progress."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brands.coupons import services, uploads
from brands.models import BrandJob, BrandOffer, JobStatus, OfferChange, OfferChangeAction
from brands.tests.factories import brand_with_store, sign_in_member
from offers.models import Offer, OfferStatus

pytestmark = pytest.mark.django_db

HEADER = ["title", "kind", "code", "discount_type", "discount_value", "max_discount", "ends_at"]
GOOD = ["20% off shoes", "code", "SHOES20", "percentage", "20", "500", "2027-01-31"]
BAD = ["Too much", "code", "", "percentage", "150", "", "yesterday"]


def csv_bytes(rows, *, bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def start(editor, content, name="coupons.csv", **kwargs):
    return uploads.upload_start(
        membership=editor, actor=editor.user, name=name, content=content, **kwargs
    )


@pytest.mark.parametrize("bom", [False, True])
def test_a_csv_check_reports_every_row_and_writes_nothing(editor, bom):
    job = start(editor, csv_bytes([GOOD, BAD], bom=bom))

    assert job.status == JobStatus.DONE
    assert [row["accepted"] for row in job.report["rows"]] == [True, False]
    refused = job.report["rows"][1]
    assert refused["row"] == 3
    assert set(refused["errors"]) == {"ends_at"}  # the cells first; then the offer's rules
    assert not Offer.objects.exists()


def test_the_offer_rules_refuse_by_field_in_the_report(editor):
    bad = ["Too much", "code", "", "percentage", "150", "", "2027-01-31"]

    job = start(editor, csv_bytes([GOOD, bad]))

    assert set(job.report["rows"][1]["errors"]) == {"code", "discount_value"}
    assert not Offer.objects.exists()


def test_confirm_writes_every_row_as_a_draft_of_the_brand(brand, editor):
    job = start(editor, xlsx_bytes([GOOD, [*GOOD[:2], "RUN10", *GOOD[3:]]]), name="c.xlsx")
    assert job.report["accepted"] == 2

    job = uploads.upload_confirm(job=job, actor=editor.user)

    assert job.status == JobStatus.DONE
    assert job.report["written"] == 2
    offers = BrandOffer.objects.filter(brand=brand).select_related("offer")
    assert {brand_offer.offer.status for brand_offer in offers} == {OfferStatus.DRAFT}
    assert OfferChange.objects.filter(action=OfferChangeAction.UPLOADED).count() == 2


def test_a_file_with_a_refused_row_cannot_be_confirmed(editor):
    job = start(editor, csv_bytes([GOOD, BAD]))

    with pytest.raises(uploads.Conflict):
        uploads.upload_confirm(job=job, actor=editor.user)

    assert not Offer.objects.exists()


def test_another_brand_s_store_is_refused(editor):
    other = brand_with_store().stores.get().merchant
    header_with_store = [*HEADER, "store"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header_with_store, [*GOOD, other.slug]])

    job = start(editor, buffer.getvalue().encode())

    assert "store" in job.report["rows"][0]["errors"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("coupons.pdf", b"%PDF", ".csv or .xlsx"),
        ("coupons.csv", "title\n".encode("utf-16"), "UTF-8"),
        ("coupons.csv", b"title,kind\n", "no rows"),
        ("coupons.xlsx", b"not a workbook", "Excel"),
    ],
)
def test_files_that_cannot_be_read_are_refused_clearly(editor, name, content, message):
    with pytest.raises(uploads.UploadRefused) as caught:
        start(editor, content, name=name)

    assert message in caught.value.fields["file"][0]


def test_too_many_rows_are_refused(editor, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_ROWS", 2)

    with pytest.raises(uploads.UploadRefused) as caught:
        start(editor, csv_bytes([GOOD, GOOD, GOOD]))

    assert "at most 2" in caught.value.message


def test_missing_columns_are_named(editor):
    job = start(editor, b"title,code\nA,B\n")

    assert "kind" in job.report["errors"][0]


def test_a_large_file_runs_as_a_job_with_progress(
    editor, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(uploads, "BACKGROUND_ROWS", 2)
    rows = [[f"Offer {n}", "code", f"CODE{n}", "percentage", "10", "", ""] for n in range(5)]

    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = start(editor, csv_bytes(rows))
    # Queued, not run: the page shows 0 of 5 until the worker starts.
    assert job.status == JobStatus.QUEUED
    assert uploads.upload_progress(job) == 0

    for callback in queued:
        callback()  # the worker (tasks run eagerly in tests)
    job.refresh_from_db()

    assert job.status == JobStatus.DONE
    assert job.report["accepted"] == 5
    assert uploads.upload_progress(job) == 5


# --- The pages -----------------------------------------------------------------------------


def page_url(brand, name, *args):
    return reverse(f"brands:{name}", args=[brand.slug, *args])


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads_with_the_columns_and_an_example(client, brand, editor, file_format):
    sign_in_member(client, editor)

    response = client.get(page_url(brand, "upload_template"), {"format": file_format})

    assert response.status_code == 200
    assert f"coupzii-coupons.{file_format}" in response["Content-Disposition"]
    job = start(editor, response.content, name=f"template.{file_format}")
    assert job.report["accepted"] == 1, job.report


def test_upload_preview_confirm_journey(client, brand, editor):
    sign_in_member(client, editor)

    response = client.post(
        page_url(brand, "upload"),
        {"file": SimpleUploadedFile("c.csv", csv_bytes([GOOD]), "text/csv")},
    )
    job = BrandJob.objects.get()
    assert response.url == page_url(brand, "upload_job", job.public_id)
    preview = client.get(response.url).content.decode()
    assert "Accepted" in preview and "Save 1 draft" in preview

    client.post(page_url(brand, "upload_job_confirm", job.public_id))

    assert BrandOffer.objects.filter(brand=brand).count() == 1
    progress = client.get(page_url(brand, "upload_job_progress", job.public_id)).json()
    assert progress["finished"] is True and progress["percent"] == 100


def test_the_upload_page_shows_a_bad_file_as_a_form_error(client, brand, editor):
    sign_in_member(client, editor)

    response = client.post(
        page_url(brand, "upload"), {"file": SimpleUploadedFile("c.txt", b"x", "text/plain")}
    )

    assert response.status_code == 200
    assert ".csv or .xlsx" in response.content.decode()


def test_another_brand_s_upload_is_404(client, brand, editor):
    other_job = BrandJob.objects.create(brand=brand_with_store(), kind="upload_coupons")
    sign_in_member(client, editor)

    assert client.get(page_url(brand, "upload_job", other_job.public_id)).status_code == 404


def test_an_analyst_may_not_upload(client, brand, analyst):
    sign_in_member(client, analyst)

    assert client.get(page_url(brand, "upload")).status_code == 403


def test_a_row_refused_at_the_write_pass_leaves_nothing_written(brand, editor):
    # given a file that passed its check, naming a product on its second row
    services.product_create(brand=brand, sku="SH-1", name="Runner")
    header = [*HEADER, "products"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, [*GOOD, ""], [*GOOD, "SH-1"]])
    job = start(editor, buffer.getvalue().encode())
    assert job.report["accepted"] == 2
    # when the product is deleted before the confirmation
    brand.products.all().delete()
    job = uploads.upload_confirm(job=job, actor=editor.user)

    # then the first row, written before the second was refused, is rolled back too
    assert job.status == JobStatus.FAILED
    assert job.report["written"] == 0
    assert "products" in job.report["rows"][1]["errors"]
    assert not Offer.objects.exists()
    assert not OfferChange.objects.exists()


def test_a_workbook_is_read_no_further_than_the_row_limit(editor, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_ROWS", 2)
    monkeypatch.setattr(uploads, "TRAILING_BLANK_ROWS", 0)

    with pytest.raises(uploads.UploadRefused) as caught:
        start(editor, xlsx_bytes([GOOD] * 10), name="c.xlsx")

    assert "more than 2 rows" in caught.value.message


def test_a_workbook_that_unpacks_too_large_is_refused(editor, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_XLSX_UNPACKED_BYTES", 1000)

    with pytest.raises(uploads.UploadRefused) as caught:
        start(editor, xlsx_bytes([GOOD]), name="c.xlsx")

    assert "too large" in caught.value.message
