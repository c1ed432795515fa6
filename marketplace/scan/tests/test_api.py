"""Screenshot API, /api/v1/locker/scans/: upload (202 with a poll URL), poll, save (201 the
coupon); 400 with a field message for a bad file; 404 for another shopper's scan; every
answer as the published schema says."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coupzii.tests.schema import assert_matches_schema
from marketplace.models import LockerCoupon, Source
from marketplace.scan import services

pytestmark = pytest.mark.django_db

SCANS = "/api/v1/locker/scans/"


def test_uploading_answers_a_job_to_poll_then_the_fields_then_saves(
    api, shopper, screenshot, django_capture_on_commit_callbacks
):
    # when the app uploads
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(SCANS, {"image": screenshot}, format="multipart")

    # then a job to poll
    assert started.status_code == 202
    assert_matches_schema(started, method="POST", path="/api/v1/locker/scans/")
    body = started.json()
    assert body["status"] == "queued"
    assert body["poll_url"] == f"http://testserver{SCANS}{body['id']}/"

    # when it polls
    polled = api.get(body["poll_url"])
    assert polled.status_code == 200
    assert_matches_schema(polled, method="GET", path="/api/v1/locker/scans/{public_id}/")
    fields = polled.json()["fields"]
    assert polled.json()["status"] == "done"
    assert fields["code"]["value"] == "FEST250"
    assert fields["store"]["merchant"] == "myntra"

    # when it saves the corrected fields
    saved = api.post(
        f"{SCANS}{body['id']}/save/",
        {
            "code": fields["code"]["value"],
            "store": fields["store"]["value"],
            "benefit": "fixed",
            "benefit_value": "250.00",
            "expires_on": (timezone.localdate() + timedelta(days=9)).isoformat(),
        },
        format="json",
    )
    assert saved.status_code == 201
    assert_matches_schema(saved, method="POST", path="/api/v1/locker/scans/{public_id}/save/")
    coupon = LockerCoupon.objects.get(owner=shopper)
    assert saved.json()["id"] == str(coupon.public_id)
    assert coupon.source == Source.SCREENSHOT
    assert api.get(body["poll_url"]).json()["coupon"] == str(coupon.public_id)


def test_a_bad_file_is_a_400_on_the_image_field(api):
    answer = api.post(
        SCANS, {"image": SimpleUploadedFile("a.png", b"GIF89a nope")}, format="multipart"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["image"]
    missing = api.post(SCANS, {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["error"]["fields"]["image"]


def test_another_shoppers_scan_is_404_on_every_route(api, screenshot):
    scan = services.scan_run(services.scan_start(owner=UserFactory(), image=screenshot).pk)
    assert api.get(f"{SCANS}{scan.public_id}/").status_code == 404
    saved = api.post(f"{SCANS}{scan.public_id}/save/", {"code": "X"}, format="json")
    assert saved.status_code == 404


def test_saving_before_the_reading_is_done_is_a_409(api, shopper, screenshot):
    scan = services.scan_start(owner=shopper, image=screenshot)
    answer = api.post(
        f"{SCANS}{scan.public_id}/save/", {"code": "FEST250", "benefit": "bogo"}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "scan_not_ready"


def test_a_bad_correction_is_a_400_by_field(api, shopper, screenshot):
    scan = services.scan_run(services.scan_start(owner=shopper, image=screenshot).pk)
    answer = api.post(f"{SCANS}{scan.public_id}/save/", {"benefit": "nope"}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) >= {"code", "benefit"}


def test_the_scan_api_needs_a_signed_in_shopper():
    assert APIClient().post(SCANS, {}, format="multipart").status_code == 401


def test_every_scan_operation_documents_its_statuses():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert set(paths[SCANS]["post"]["responses"]) >= {"202", "400", "401"}
    assert set(paths[f"{SCANS}{{public_id}}/"]["get"]["responses"]) >= {"200", "401", "404"}
    save = paths[f"{SCANS}{{public_id}}/save/"]["post"]["responses"]
    assert set(save) >= {"201", "400", "401", "404", "409"}
