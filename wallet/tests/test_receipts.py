"""Missing-cashback receipts are personal: stored on disk outside the public media folder under
a random name, shown to the shopper who sent them and to operators, 404 to anyone else; the
receipts stored publicly before are moved by a migration."""

import importlib
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from wallet.models import CashbackClaim
from wallet.tests.factories import recent_click

pytestmark = pytest.mark.django_db

CLAIM = "/wallet/claims/"
RANDOM_NAME = re.compile(r"cashback-receipts/[0-9a-f]{32}\.png")


@pytest.fixture
def disks(settings, tmp_path):
    """The embedded default's storages, on a temporary disk: media/ (public, served at
    /media/) and private-media/ (served by nothing)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "coupzii.core.files.PrivateFileSystemStorage",
            "OPTIONS": {"location": settings.PRIVATE_MEDIA_ROOT},
        },
    }
    return tmp_path


@pytest.fixture
def shopper():
    return UserFactory(full_name="Asha Verma")


def receipt_image(name="asha-flipkart-invoice.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def file_claim(client, user, receipt) -> CashbackClaim:
    click = recent_click(user)
    client.force_login(user)
    data = {
        "click": str(click.id),
        "order_id": "FK-2291",
        "amount": "1,499",
        "order_date": timezone.localdate(click.created_at).isoformat(),
        "receipt": receipt,
    }
    assert client.post(CLAIM, data).status_code == 302
    client.logout()
    return CashbackClaim.objects.get(user=user)


def receipt_path(claim: CashbackClaim) -> str:
    return reverse("wallet_claim_receipt", args=[claim.public_id])


def test_a_receipt_is_kept_privately_under_a_random_name(client, disks, shopper):
    claim = file_claim(client, shopper, receipt_image())

    # Nothing of the shopper's file name, and nothing in the folder the web server publishes.
    assert RANDOM_NAME.fullmatch(claim.receipt.name)
    assert files_under(disks / "private-media") == [claim.receipt.name]
    assert not (disks / "media").exists() or files_under(disks / "media") == []
    assert client.get(f"/media/{claim.receipt.name}").status_code == 404


def test_the_shopper_sees_their_receipt_and_other_shoppers_get_404(client, disks, shopper):
    # given
    receipt = receipt_image()
    claim = file_claim(client, shopper, receipt)
    path = receipt_path(claim)

    # when / then: signed out, another shopper
    assert client.get(path).status_code == 404
    client.force_login(UserFactory())
    assert client.get(path).status_code == 404

    # the shopper who sent it gets the image, kept out of caches, linked from their claims
    client.force_login(shopper)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == receipt.file.getvalue()
    assert f'href="{path}"' in client.get("/wallet/", {"tab": "cashback"}).content.decode()


def test_operators_reviewing_claims_see_receipts_in_the_admin(client, disks, shopper):
    claim = file_claim(client, shopper, receipt_image())
    operator = User.objects.create_superuser("ops@coupzii.in", PASSWORD)
    sign_in_verified(client, operator)

    page = client.get(f"/admin/wallet/cashbackclaim/{claim.pk}/change/").content.decode()

    assert f'<img src="{receipt_path(claim)}"' in page
    assert "/media/" not in page
    assert client.get(receipt_path(claim)).status_code == 200


@pytest.mark.parametrize(
    "staff",
    ["without the claims permission", "without the second factor"],
)
def test_staff_who_may_not_review_claims_get_404(client, disks, shopper, staff):
    claim = file_claim(client, shopper, receipt_image())
    member = UserFactory(is_staff=True)
    if staff == "without the claims permission":
        sign_in_verified(client, member)
    else:
        member.user_permissions.add(Permission.objects.get(codename="view_cashbackclaim"))
        client.force_login(member)

    assert client.get(receipt_path(claim)).status_code == 404


def test_a_receipt_missing_from_storage_is_404_not_500(client, disks, shopper):
    claim = file_claim(client, shopper, receipt_image())
    storages["private"].delete(claim.receipt.name)
    client.force_login(shopper)

    assert client.get(receipt_path(claim)).status_code == 404


def test_the_migration_moves_public_receipts_to_private_random_names(
    client, disks, shopper, capsys
):
    # given two claims filed before this change: receipts in media/ under the shopper's names,
    # one of them not (yet) copied to where the public storage is now
    public = storages["default"]
    kept = file_claim(client, shopper, receipt_image())
    lost = file_claim(client, UserFactory(), receipt_image())
    old_name = public.save("cashback-receipts/asha-flipkart-invoice.png", ContentFile(b"PNG"))
    CashbackClaim.objects.filter(pk=kept.pk).update(receipt=old_name)
    CashbackClaim.objects.filter(pk=lost.pk).update(receipt="cashback-receipts/gone.png")
    migration = importlib.import_module("wallet.migrations.0005_private_receipts")

    # when it runs, twice (a deploy cut short runs it again)
    for _ in range(2):
        migration.receipts_to_private_storage(apps, None)

    # then
    assert "receipts made private: 1; not found in the public storage: 1" in capsys.readouterr().out
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert RANDOM_NAME.fullmatch(kept.receipt.name)
    assert storages["private"].open(kept.receipt.name).read() == b"PNG"
    assert not public.exists(old_name)
    assert files_under(disks / "media") == []
    # Left for a later run, once the file is copied; its page answers 404 meanwhile.
    assert lost.receipt.name == "cashback-receipts/gone.png"
