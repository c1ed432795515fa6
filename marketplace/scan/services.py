"""The scan's writes: take a screenshot in (checked, stored privately, read by a Celery job),
read it (`scan_run`, the job's body), save the shopper's corrected fields into the locker, and
purge screenshots after 7 days.

A scan moves QUEUED -> RUNNING -> DONE (fields found, each with a confidence) or FAILED (an
error the shopper sees, with the by-hand form as the way on). Reading is slow (a second or
two of Tesseract), so it never runs on the request: the upload answers at once and the page
or the API client polls.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import logging

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from catalog.models import Merchant

from ..errors import ScanImageInvalid, ScanNotFound, ScanNotReady
from ..locker.services import locker_coupon_add, store_match
from ..models import LockerCoupon, Scan, ScanStatus, Source
from .reader import Store, UnreadableImage, read_screenshot

log = logging.getLogger(__name__)

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
IMAGE_MIN_SIDE = 32
IMAGE_MAX_SIDE = 10_000
# A decompression bomb is a small file of a huge picture: refuse before decoding the pixels.
IMAGE_MAX_PIXELS = 40_000_000
KEEP_DAYS = 7
# Below this the review page asks the shopper to check the field.
CHECK_BELOW = 0.8


# --- Upload ------------------------------------------------------------------------------------


def _refuse(message: str) -> ScanImageInvalid:
    return ScanImageInvalid(message, fields={"image": [message]})


def _checked_image(image) -> tuple[bytes, str]:
    """The upload's bytes and its extension, or ScanImageInvalid saying what is wrong."""
    if image is None or not hasattr(image, "read"):
        raise _refuse(_("Choose a screenshot to upload."))
    size = getattr(image, "size", None)
    if size is not None and size > IMAGE_MAX_BYTES:
        raise _refuse(_("The screenshot is larger than 5 MB."))
    image.seek(0)
    data = image.read(IMAGE_MAX_BYTES + 1)
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > IMAGE_MAX_BYTES:
        raise _refuse(_("The screenshot is larger than 5 MB."))
    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = picture.format
            width, height = picture.size
            if kind not in IMAGE_FORMATS:
                raise _refuse(_("Upload a PNG, JPEG or WebP image."))
            too_small = min(width, height) < IMAGE_MIN_SIDE
            too_big = max(width, height) > IMAGE_MAX_SIDE or width * height > IMAGE_MAX_PIXELS
            if too_small or too_big:
                raise _refuse(_("The image's size is not a screenshot's."))
            picture.verify()  # the file is whole, not just its header
    except ScanImageInvalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("This file is not an image we can read.")) from None
    return data, IMAGE_FORMATS[kind]


@transaction.atomic
def scan_start(*, owner, image: UploadedFile) -> Scan:
    """Store the screenshot privately and queue its reading; returns the QUEUED scan.

    Raises ScanImageInvalid (`fields["image"]`): not a PNG, JPEG or WebP picture, larger than
    5 MB, damaged, or of a size no screenshot has.
    """
    data, suffix = _checked_image(image)
    scan = Scan(owner=owner, status=ScanStatus.QUEUED)
    # The name is random (RandomName); only the checked extension is kept.
    scan.image.save(f"screenshot{suffix}", io.BytesIO(data), save=False)
    scan.save()
    transaction.on_commit(lambda: _enqueue(scan.pk))
    return scan


def _enqueue(scan_id: int) -> None:
    from .tasks import scan_read

    scan_read.delay(scan_id)


# --- Reading -----------------------------------------------------------------------------------


def _stores() -> list[Store]:
    rows = Merchant.objects.filter(is_active=True).values_list("name", "website")
    return [Store(name, _host(website)) for name, website in rows]


def _host(website: str) -> str:
    host = website.split("//", 1)[-1].split("/", 1)[0].lower()
    return host.removeprefix("www.")


def scan_run(scan_id: int) -> Scan | None:
    """Read a QUEUED scan's screenshot into `fields`: DONE, or FAILED with an error.

    Idempotent: a scan already read (a task delivered twice) is left as it is. The reading
    itself runs outside any transaction; the scan row is claimed first, so two workers don't
    read one screenshot twice.
    """
    claimed = Scan.objects.filter(pk=scan_id, status=ScanStatus.QUEUED).update(
        status=ScanStatus.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return Scan.objects.filter(pk=scan_id).first()
    scan = Scan.objects.get(pk=scan_id)
    try:
        with scan.image.open("rb") as handle:
            data = handle.read()
        reading = read_screenshot(data, stores=_stores(), today=timezone.localdate())
    except UnreadableImage:
        return _fail(scan, _("This file is not an image we can read."))
    except Exception:  # Tesseract missing or timed out, storage down: the shopper types it
        log.exception("Reading screenshot scan %s failed", scan.pk)
        return _fail(scan, _("We could not read this screenshot. Please type the coupon in."))
    fields = reading.fields
    if "store" in fields:
        merchant = store_match(fields["store"]["value"])
        if merchant is not None:
            fields["store"]["value"] = merchant.name
            fields["store"]["merchant"] = merchant.slug
    if "code" not in fields:
        return _fail(scan, _("We found no coupon code in this screenshot."), fields=fields)
    scan.fields = fields
    scan.status = ScanStatus.DONE
    scan.error = ""
    scan.save(update_fields=["fields", "status", "error", "updated_at"])
    return scan


def _fail(scan: Scan, error: str, *, fields: dict | None = None) -> Scan:
    scan.status = ScanStatus.FAILED
    scan.error = error[:200]
    scan.fields = fields or {}
    scan.save(update_fields=["fields", "status", "error", "updated_at"])
    return scan


# --- Saving into the locker --------------------------------------------------------------------


@transaction.atomic
def scan_save(*, owner, public_id, **fields) -> LockerCoupon:
    """Put the shopper's corrected fields into their locker (source SCREENSHOT) and link the
    scan to the coupon. `fields` are locker_coupon_add's: code, benefit, store_name, merchant,
    benefit_value, min_order, max_discount, worth, expires_on, terms, notes.

    Raises ScanNotFound (not theirs), ScanNotReady (still reading, or saved already),
    LockerCouponInvalid, CodeAlreadyInLocker.
    """
    # The scan row alone is locked (two tabs saving one scan: one coupon); no outer join,
    # which PostgreSQL can't lock.
    scan = Scan.objects.select_for_update().filter(owner=owner, public_id=public_id).first()
    if scan is None:
        raise ScanNotFound()
    if scan.coupon_id is not None:
        raise ScanNotReady(_("This screenshot's coupon is in your locker already."))
    if scan.status not in (ScanStatus.DONE, ScanStatus.FAILED):
        raise ScanNotReady()
    coupon = locker_coupon_add(owner=owner, source=Source.SCREENSHOT, **fields)
    scan.coupon = coupon
    scan.save(update_fields=["coupon", "updated_at"])
    return coupon


# --- Purge -------------------------------------------------------------------------------------


def scans_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete screenshots older than 7 days from storage (the fields stay); returns how many.

    Each scan is claimed by a conditional UPDATE before its file is deleted, so two runs at
    once delete each file once; a file already gone is not an error.
    """
    now = now or timezone.now()
    due = Scan.objects.filter(
        created_at__lt=now - datetime.timedelta(days=KEEP_DAYS), image_deleted_at__isnull=True
    ).values_list("pk", "image")
    purged = 0
    for pk, name in due[:1000]:
        if not Scan.objects.filter(pk=pk, image_deleted_at__isnull=True).update(
            image_deleted_at=now, image=""
        ):
            continue
        if name:
            storage = Scan._meta.get_field("image").storage
            with contextlib.suppress(FileNotFoundError):
                storage.delete(name)
        purged += 1
    return purged
