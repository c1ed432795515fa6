"""The coupons API: list (scoped, filtered, fixed queries), create, read, change, status
actions, bulk upload; 400 by field, 404 for another brand's, 403 for an analyst writing."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from brands.coupons import uploads
from brands.models import BrandOffer, BrandStatus, OfferChange
from brands.tests.factories import brand_offer, brand_with_store, member
from offers.models import OfferStatus

pytestmark = pytest.mark.django_db

BASE = "/api/v1/brand/coupons/"
NEW = {
    "kind": "code",
    "title": "Flat 200 off",
    "code": "flat200",
    "discount_type": "fixed",
    "discount_value": "200.00",
    "min_order": "999.00",
    "ends_at": "2027-01-31T23:59:00+05:30",
    "products": [],
}


def api_for(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    client.credentials(HTTP_X_BRAND=membership.brand.slug)
    return client


def test_create_answers_the_draft(editor):
    response = api_for(editor).post(BASE, NEW, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["code"] == "FLAT200"
    assert body["discount_value"] == "200.00"
    assert body["store"] == editor.brand.stores.get().merchant.slug


def test_the_seed_s_create_path_does_the_same(editor):
    response = api_for(editor).post(f"{BASE}create/", NEW, format="json")

    assert response.status_code == 201
    assert BrandOffer.objects.count() == 1


def test_bad_input_is_400_with_messages_by_field(editor):
    client = api_for(editor)
    too_much = {**NEW, "discount_type": "percentage", "discount_value": "150"}

    unknown_store = client.post(BASE, {**too_much, "store": "nope"}, format="json")
    broken_rule = client.post(BASE, too_much, format="json")

    assert unknown_store.status_code == 400
    assert "store" in unknown_store.json()["error"]["fields"]
    assert broken_rule.status_code == 400
    assert "discount_value" in broken_rule.json()["error"]["fields"]
    assert not BrandOffer.objects.exists()


def test_an_analyst_reads_but_may_not_write(brand, analyst):
    brand_offer(brand)
    client = api_for(analyst)

    assert client.get(BASE).status_code == 200
    assert client.post(BASE, NEW, format="json").status_code == 403


def test_another_brand_s_coupon_is_404(editor):
    other = brand_offer(brand_with_store())
    client = api_for(editor)

    assert client.get(f"{BASE}{other.public_id}/").status_code == 404
    assert (
        client.patch(f"{BASE}{other.public_id}/", {"title": "x"}, format="json").status_code == 404
    )
    assert client.post(f"{BASE}{other.public_id}/end/").status_code == 404


def test_patch_changes_the_fields_sent_and_logs_them(editor):
    client = api_for(editor)
    public_id = client.post(BASE, NEW, format="json").json()["id"]

    response = client.patch(
        f"{BASE}{public_id}/", {"title": "Flat 250 off", "discount_value": "250"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["title"] == "Flat 250 off"
    assert response.json()["min_order"] == "999.00"  # not sent, not changed
    change = OfferChange.objects.get(action="updated")
    assert set(change.changes) == {"title", "discount_value"}


def test_status_actions(editor):
    client = api_for(editor)
    public_id = client.post(BASE, NEW, format="json").json()["id"]

    assert client.post(f"{BASE}{public_id}/pause/").status_code == 409  # a draft
    for action, status in [
        ("publish", "active"),
        ("pause", "paused"),
        ("resume", "active"),
        ("end", "expired"),
    ]:
        response = client.post(f"{BASE}{public_id}/{action}/")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status


def test_an_unverified_brand_cannot_publish(db):
    brand = brand_with_store(status=BrandStatus.PENDING)
    client = api_for(member(brand))
    public_id = client.post(BASE, NEW, format="json").json()["id"]

    response = client.post(f"{BASE}{public_id}/publish/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "brand_not_verified"


def test_the_list_filters_and_runs_a_fixed_number_of_queries(
    brand, editor, django_assert_max_num_queries
):
    for _number in range(3):
        brand_offer(brand, status=OfferStatus.DRAFT)
    brand_offer(brand)
    client = api_for(editor)

    assert client.get(BASE, {"status": "draft"}).json()["count"] == 3
    assert client.get(BASE, {"status": "nope"}).status_code == 400

    with django_assert_max_num_queries(6) as few:
        client.get(BASE, {"page_size": 2})
    for _number in range(30):
        brand_offer(brand)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BASE, {"page_size": 30})
    assert len(response.json()["results"]) == 30


def csv_file(rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["title", "kind", "code", "discount_type", "discount_value"], *rows]
    )
    return SimpleUploadedFile("c.csv", buffer.getvalue().encode(), "text/csv")


def test_bulk_upload_dry_run_answers_the_row_report(editor):
    response = api_for(editor).post(
        f"{BASE}bulk-upload/",
        {"file": csv_file([["A", "code", "A1", "fixed", "50"], ["B", "code", "", "fixed", "50"]])},
        format="multipart",
    )

    assert response.status_code == 200
    report = response.json()["report"]
    assert [row["accepted"] for row in report["rows"]] == [True, False]
    assert "code" in report["rows"][1]["errors"]
    assert not BrandOffer.objects.exists()


def test_bulk_upload_without_dry_run_writes_all(editor):
    response = api_for(editor).post(
        f"{BASE}bulk-upload/",
        {"file": csv_file([["A", "code", "A1", "fixed", "50"]]), "dry_run": "false"},
        format="multipart",
    )

    assert response.status_code == 200
    assert response.json()["stage"] == "write"
    assert response.json()["report"]["written"] == 1
    assert BrandOffer.objects.count() == 1


def test_a_large_upload_answers_202_with_a_job_to_poll(editor, monkeypatch):
    monkeypatch.setattr(uploads, "BACKGROUND_ROWS", 1)
    client = api_for(editor)

    response = client.post(
        f"{BASE}bulk-upload/",
        {"file": csv_file([["A", "code", "A1", "fixed", "50"], ["B", "deal", "", "bogo", ""]])},
        format="multipart",
    )

    assert response.status_code == 202
    job = client.get(f"{BASE}bulk-upload/{response.json()['id']}/").json()
    assert job["total"] == 2


def test_a_bad_file_is_400_on_the_file_field(editor):
    response = api_for(editor).post(
        f"{BASE}bulk-upload/",
        {"file": SimpleUploadedFile("c.pdf", b"%PDF", "application/pdf")},
        format="multipart",
    )

    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_the_schema_lists_the_coupon_endpoints(client):
    schema = client.get("/api/schema/").content.decode()

    for path in (
        "/api/v1/brand/coupons/",
        "/api/v1/brand/coupons/{public_id}/publish/",
        "/api/v1/brand/coupons/bulk-upload/{job_id}/",
    ):
        assert path in schema
