"""Scan services: the upload's checks, the Celery job that reads it, saving the corrected
fields into the locker, and the 7-day purge of screenshots."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import UserFactory
from marketplace.errors import (
    CodeAlreadyInLocker,
    ScanImageInvalid,
    ScanNotFound,
    ScanNotReady,
)
from marketplace.models import Scan, ScanStatus, Source
from marketplace.scan import services
from marketplace.scan.tasks import scans_purge

pytestmark = pytest.mark.django_db


def picture(kind="PNG", size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=kind)
    return out.getvalue()


def upload(data: bytes, name="shot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_screenshot_is_stored_privately_and_read_by_the_job_after_commit(
    shopper, screenshot, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        scan = services.scan_start(owner=shopper, image=screenshot)

    # then
    scan.refresh_from_db()
    assert scan.status == ScanStatus.DONE
    assert scan.image.name.startswith("locker-scans/") and scan.image.name.endswith(".png")
    assert "IMG_2041" not in scan.image.name
    assert scan.fields["code"]["value"] == "FEST250"
    assert scan.fields["store"] == {
        "value": "Myntra",
        "confidence": scan.fields["store"]["confidence"],
        "merchant": "myntra",
    }
    assert scan.fields["expires_on"]["value"] == "2030-12-31"
    assert scan.fields["benefit"]["value"] == "fixed"


def test_nothing_is_queued_when_the_upload_is_rolled_back(shopper, screenshot):
    scan = services.scan_start(owner=shopper, image=screenshot)
    # the on-commit hook never ran inside the test's transaction
    assert Scan.objects.get(pk=scan.pk).status == ScanStatus.QUEUED


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a picture", "not an image"),
        (picture("GIF"), "PNG, JPEG or WebP"),
        (picture("PNG", (20, 20)), "size"),
        (picture("PNG", (12000, 40)), "size"),
        (picture("PNG")[:60], "not an image"),
    ],
)
def test_files_that_are_not_screenshots_are_refused_on_the_image_field(shopper, data, message):
    with pytest.raises(ScanImageInvalid) as refused:
        services.scan_start(owner=shopper, image=upload(data))
    assert message in refused.value.fields["image"][0]
    assert not Scan.objects.exists()


def test_a_screenshot_over_5_mb_is_refused(shopper):
    big = upload(picture() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(ScanImageInvalid) as refused:
        services.scan_start(owner=shopper, image=big)
    assert "5 MB" in refused.value.fields["image"][0]


def test_jpeg_and_webp_are_accepted(shopper):
    for kind, suffix in (("JPEG", ".jpg"), ("WEBP", ".webp")):
        scan = services.scan_start(owner=shopper, image=upload(picture(kind), name="x.bin"))
        assert scan.image.name.endswith(suffix)


def test_a_screenshot_without_a_code_fails_with_a_message(shopper):
    scan = services.scan_start(owner=shopper, image=upload(picture()))
    scan = services.scan_run(scan.pk)
    assert scan.status == ScanStatus.FAILED
    assert "no coupon code" in scan.error


def test_reading_twice_changes_nothing(shopper, screenshot):
    scan = services.scan_start(owner=shopper, image=screenshot)
    first = services.scan_run(scan.pk)
    again = services.scan_run(scan.pk)
    assert again.status == first.status == ScanStatus.DONE
    assert again.fields == first.fields


def test_saving_puts_the_corrected_coupon_in_the_locker_and_links_it(shopper, screenshot, merchant):
    # given a read screenshot
    scan = services.scan_run(services.scan_start(owner=shopper, image=screenshot).pk)

    # when the shopper corrects the value and saves
    coupon = services.scan_save(
        owner=shopper,
        public_id=scan.public_id,
        code="FEST250",
        store_name="Myntra",
        benefit="fixed",
        benefit_value="300",
        expires_on=timezone.localdate() + timedelta(days=30),
    )

    # then
    assert coupon.owner == shopper
    assert coupon.source == Source.SCREENSHOT
    assert coupon.merchant == merchant
    assert str(coupon.worth) == "300.00"
    scan.refresh_from_db()
    assert scan.coupon == coupon
    with pytest.raises(ScanNotReady):
        services.scan_save(owner=shopper, public_id=scan.public_id, code="OTHER1", benefit="bogo")


def test_a_code_already_in_the_locker_is_refused_and_the_scan_stays_unsaved(shopper, screenshot):
    scan = services.scan_run(services.scan_start(owner=shopper, image=screenshot).pk)
    services.scan_save(owner=shopper, public_id=scan.public_id, code="FEST250", benefit="bogo")
    second = services.scan_run(services.scan_start(owner=shopper, image=screenshot).pk)
    with pytest.raises(CodeAlreadyInLocker):
        services.scan_save(
            owner=shopper, public_id=second.public_id, code="fest 250", benefit="bogo"
        )
    second.refresh_from_db()
    assert second.coupon is None


def test_a_scan_still_being_read_can_not_be_saved(shopper, screenshot):
    scan = services.scan_start(owner=shopper, image=screenshot)
    with pytest.raises(ScanNotReady):
        services.scan_save(owner=shopper, public_id=scan.public_id, code="X1234", benefit="bogo")


def test_another_shoppers_scan_is_not_found(shopper, screenshot):
    scan = services.scan_run(services.scan_start(owner=shopper, image=screenshot).pk)
    with pytest.raises(ScanNotFound):
        services.scan_save(
            owner=UserFactory(), public_id=scan.public_id, code="FEST250", benefit="bogo"
        )


def test_screenshots_older_than_7_days_are_deleted_from_storage(shopper, screenshot):
    # given an old and a new scan
    old = services.scan_start(owner=shopper, image=screenshot)
    new = services.scan_start(owner=shopper, image=upload(picture()))
    Scan.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    storage = Scan._meta.get_field("image").storage
    old_name = old.image.name
    assert storage.exists(old_name)

    # when the daily task runs (twice: the second has nothing to do)
    assert scans_purge.delay().get() == 1
    assert scans_purge.delay().get() == 0

    # then
    old.refresh_from_db()
    new.refresh_from_db()
    assert not storage.exists(old_name)
    assert old.image_deleted_at is not None and not old.image
    assert new.image and new.image_deleted_at is None
    assert storage.exists(new.image.name)
