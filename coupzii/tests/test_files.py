"""The file helpers every app uses: random names, a private storage with no public address, and
absolute URLs for public files."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory

from catalog.tests.factories import MerchantFactory
from coupzii.core.files import PrivateFileSystemStorage, RandomName, public_file_url
from coupzii.settings import base


@pytest.mark.parametrize(
    ("uploaded", "suffix"),
    [
        ("Asha Verma - Flipkart invoice.PNG", ".png"),
        ("receipt.jpeg", ".jpeg"),
        ("no-extension", ""),
        ("../../etc/passwd", ""),
        ("evil.png<script>", ""),
    ],
)
def test_a_random_name_keeps_nothing_of_the_upload_but_a_plain_extension(uploaded, suffix):
    name = RandomName("cashback-receipts")(None, uploaded)

    assert re.fullmatch(rf"cashback-receipts/[0-9a-f]{{32}}{re.escape(suffix)}", name)


def test_two_uploads_of_the_same_file_get_different_names():
    random_name = RandomName("locker-screenshots/")

    assert random_name(None, "a.png") != random_name(None, "a.png")


def test_the_private_folder_has_no_url_and_is_outside_what_the_web_server_publishes(tmp_path):
    storage = PrivateFileSystemStorage(location=tmp_path)
    name = storage.save("receipts/x.png", ContentFile(b"png"))

    with pytest.raises(ValueError, match="no public URL"):
        storage.url(name)
    private_root, media_root = Path(str(base.PRIVATE_MEDIA_ROOT)), Path(str(base.MEDIA_ROOT))
    assert not private_root.is_relative_to(media_root)
    if not base.AWS_STORAGE_BUCKET_NAME:
        assert base.STORAGES["private"]["OPTIONS"]["location"] == base.PRIVATE_MEDIA_ROOT


@pytest.mark.django_db
def test_public_file_urls_are_absolute_with_or_without_a_request(settings):
    settings.SITE_URL = "https://coupzii.in"
    settings.ALLOWED_HOSTS = ["m.coupzii.in"]
    merchant = MerchantFactory()
    merchant.logo.save("ajio.svg", ContentFile(b"<svg/>"), save=True)
    request = RequestFactory().get("/", HTTP_HOST="m.coupzii.in", secure=True)

    assert public_file_url(merchant.logo, request=request) == (
        f"https://m.coupzii.in/media/{merchant.logo.name}"
    )
    # Outside a request (an email, a task) the site's own address completes it.
    assert public_file_url(merchant.logo) == f"https://coupzii.in/media/{merchant.logo.name}"
    assert public_file_url(None) is None


def test_object_storage_settings_give_a_public_and_a_private_prefix():
    configured = base.object_storages(bucket="coupzii-files", endpoint_url="https://s3.example")

    public, private = configured["default"]["OPTIONS"], configured["private"]["OPTIONS"]
    assert (public["location"], public["querystring_auth"]) == ("public", False)
    assert (private["location"], private["querystring_auth"]) == ("private", True)
    assert public["file_overwrite"] is private["file_overwrite"] is False
