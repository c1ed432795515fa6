"""Uploaded files: personal ones under random names in the private storage, served only to their
owner (and to operators) through the app; public ones with absolute URLs.

Two storages come from `settings.STORAGES`: "default" for public assets (merchant logos,
gift-card images) and "private" for personal files (missing-cashback receipts, locker
screenshots). On the embedded default "private" is a folder outside MEDIA_ROOT that no web
server serves; in production both are prefixes of an S3-compatible bucket, and only the public
prefix is readable without credentials. A personal file is reached only through a view that
calls `private_file_response`, which checks who is asking before it streams a byte.

A model field opts in with `FileField(storage=private_storage, upload_to=RandomName("folder"))`.
"""

import mimetypes
import re
import uuid
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"
# An extension is kept only so the file is served with the right type; anything odd is dropped.
SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
# Served inline only when a browser shows it as a picture or document; the rest downloads.
INLINE_TYPES = re.compile(r"image/(png|jpeg|gif|webp|avif)|application/pdf")


@deconstructible
class RandomName:
    """`upload_to` that keeps nothing of the uploaded file's name but its extension: a name
    says who uploaded what ("asha-flipkart-invoice.png") and can be guessed."""

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePosixPath(filename).suffix.lower()
        if not SAFE_SUFFIX.fullmatch(suffix):
            suffix = ""
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder


class PrivateFileSystemStorage(FileSystemStorage):
    """Personal files on disk, in a folder no web server serves (PRIVATE_MEDIA_ROOT)."""

    def url(self, name):
        raise ValueError(
            "Personal files have no public URL: serve them through a view that calls "
            "coupzii.core.files.private_file_response."
        )


class _PrivateStorage(LazyObject):
    # Resolved when first used, and again after a test overrides STORAGES, like Django's own
    # `default_storage`: a model field holds this object for the life of the process.
    def _setup(self):
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


_private_storage = _PrivateStorage()


def private_storage():
    """The storage for personal files. A callable, so a field's migration names this function
    rather than whichever backend is configured today."""
    return _private_storage


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private_storage._wrapped = empty


def may_see_private_file(user, *, owner_id, permission: str) -> bool:
    """The file's owner, or an operator who holds `permission` and has passed the admin's
    second factor in this session (as the admin itself demands)."""
    if not user.is_authenticated:
        return False
    if user.pk == owner_id:
        return True
    second_factor = getattr(user, "is_verified", None)
    return bool(user.is_staff and second_factor and second_factor() and user.has_perm(permission))


def private_file_response(*, user, file: FieldFile, owner_id, permission: str) -> FileResponse:
    """Stream a personal file to its owner or an operator (see `may_see_private_file`).

    Raises Http404 to anyone else, and when there is no file: a stranger learns nothing, not
    even that the file exists.
    """
    if not file or not may_see_private_file(user, owner_id=owner_id, permission=permission):
        raise Http404
    try:
        handle = file.storage.open(file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    inline = bool(INLINE_TYPES.fullmatch(content_type))
    response = FileResponse(
        handle,
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=PurePosixPath(file.name).name,
    )
    # Not for shared caches or the browser's disk; never interpreted as a page of this site.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


def public_file_url(file: FieldFile | None, *, request=None) -> str | None:
    """The absolute URL of a public file (a logo, a card image), or None without one.

    Object storage answers absolute URLs already; the file system's are paths under
    MEDIA_URL, completed from the request, or from SITE_URL outside one (emails, tasks).
    """
    if not file:
        return None
    url = file.url
    if urlsplit(url).scheme:
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    return urljoin(settings.SITE_URL, url)
