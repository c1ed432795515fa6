"""Screenshot pages: upload (camera-friendly), progress that refreshes itself, the review form
with confidences, saving into the locker, failure with the by-hand link, and the screenshot
shown to its owner only."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from marketplace.models import LockerCoupon, Scan, ScanStatus, Source
from marketplace.scan import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, shopper):
    client.force_login(shopper)
    return client


def scan_url(scan) -> str:
    return reverse("marketplace:scan", args=[scan.public_id])


def test_the_upload_page_opens_the_camera_or_gallery_on_a_phone(browser):
    page = browser.get(reverse("marketplace:scan-new"))
    assert page.status_code == 200
    assert 'accept="image/*"' in page.content.decode()
    assert 'enctype="multipart/form-data"' in page.content.decode()


def test_the_pages_need_a_signed_in_shopper(client):
    page = client.get(reverse("marketplace:scan-new"))
    assert page.status_code == 302 and "login" in page["Location"]


def test_uploading_reads_the_screenshot_and_shows_the_review_form(
    browser, screenshot, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        page = browser.post(reverse("marketplace:scan-new"), {"image": screenshot})

    # then the shopper lands on the scan, read, with the fields prefilled
    scan = Scan.objects.get()
    assert page.status_code == 302 and page["Location"] == scan_url(scan)
    review = browser.get(scan_url(scan)).content.decode()
    assert 'value="FEST250"' in review
    assert 'value="Myntra"' in review
    assert 'value="2030-12-31"' in review
    assert 'data-testid="confidence-code"' in review
    assert 'http-equiv="refresh"' not in review


def test_a_bad_file_is_shown_as_an_error_on_the_field(browser):
    bad = SimpleUploadedFile("coupon.png", b"not a picture")
    page = browser.post(reverse("marketplace:scan-new"), {"image": bad})
    assert page.status_code == 400
    assert "not an image we can read" in page.content.decode()
    assert not Scan.objects.exists()


def test_while_reading_the_page_shows_progress_and_refreshes(browser, shopper, screenshot):
    scan = services.scan_start(owner=shopper, image=screenshot)  # queued, not run
    page = browser.get(scan_url(scan)).content.decode()
    assert 'http-equiv="refresh"' in page
    assert 'data-testid="scan-progress"' in page
    assert 'data-testid="scan-review"' not in page


def test_fields_read_with_low_confidence_are_marked_to_check(browser, shopper, screenshot):
    scan = services.scan_start(owner=shopper, image=screenshot)
    Scan.objects.filter(pk=scan.pk).update(
        status=ScanStatus.DONE,
        fields={
            "code": {"value": "SAVE20", "confidence": 0.95},
            "store": {"value": "Myntra", "confidence": 0.42},
        },
    )
    page = browser.get(scan_url(scan)).content.decode()
    code_badge = page.split('data-testid="confidence-code"')[1].split("</div>")[0]
    store_badge = page.split('data-testid="confidence-store"')[1].split("</div>")[0]
    assert "Check this" not in code_badge and "95%" in code_badge
    assert "Check this" in store_badge and "42%" in store_badge


def test_saving_the_review_puts_the_coupon_in_the_locker(browser, shopper, screenshot, merchant):
    scan = services.scan_run(services.scan_start(owner=shopper, image=screenshot).pk)
    expiry = timezone.localdate() + timedelta(days=20)
    page = browser.post(
        scan_url(scan),
        {
            "code": "FEST250",
            "store": "Myntra",
            "benefit": "fixed",
            "benefit_value": "250",
            "expires_on": expiry.isoformat(),
        },
    )
    coupon = LockerCoupon.objects.get(owner=shopper)
    assert page.status_code == 302
    assert page["Location"] == reverse("marketplace:locker-coupon", args=[coupon.public_id])
    assert coupon.source == Source.SCREENSHOT and coupon.merchant == merchant
    # the scan's page now leads to the coupon
    assert browser.get(scan_url(scan))["Location"] == page["Location"]


def test_a_correction_the_locker_refuses_is_shown_on_the_form(browser, shopper, screenshot):
    scan = services.scan_run(services.scan_start(owner=shopper, image=screenshot).pk)
    page = browser.post(scan_url(scan), {"code": "FEST250", "benefit": "percent"})
    assert page.status_code == 400
    assert "Enter the percentage off." in page.content.decode()
    assert not LockerCoupon.objects.exists()


def test_a_failed_scan_offers_adding_by_hand(browser, shopper):
    scan = Scan.objects.create(owner=shopper, status=ScanStatus.FAILED, error="No code found.")
    page = browser.get(scan_url(scan)).content.decode()
    assert "No code found." in page
    assert reverse("marketplace:locker-add") in page


def test_the_screenshot_is_shown_to_its_owner_only(browser, shopper, screenshot, client):
    scan = services.scan_start(owner=shopper, image=screenshot)
    image_url = reverse("marketplace:scan-image", args=[scan.public_id])
    mine = browser.get(image_url)
    assert mine.status_code == 200 and mine["Content-Type"] == "image/png"
    assert mine["Cache-Control"] == "private, no-store"
    client.force_login(UserFactory())
    assert client.get(image_url).status_code == 404
    assert client.get(scan_url(scan)).status_code == 404
