"""Fixtures of the dispute tests: a buyer with money, a purchase paid from the wallet (through
purchases' own service, so escrow holds its price), operators, screenshots, private files on a
temporary disk."""

import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from commerce.tests.factories import wallet_credit
from marketplace.models import PaymentMethod, Purchase
from marketplace.purchases.services import purchase_create
from marketplace.tests.factories import ListingFactory


@pytest.fixture(autouse=True)
def disks(settings, tmp_path):
    """Private files (screenshots) on a temporary disk that no web server serves."""
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
def buyer():
    user = UserFactory(full_name="Ravi Kumar")
    wallet_credit(user, "1000.00")
    return user


@pytest.fixture
def operator():
    return User.objects.create_superuser("ops@coupzii.in", PASSWORD)


@pytest.fixture
def operator_client(client, operator):
    sign_in_verified(client, operator)
    return client


def paid_purchase(buyer, *, seller=None, price: str = "120.00") -> Purchase:
    """`buyer` buys a fresh listing (of `seller`'s, a new seller by default) from the wallet."""
    price = Decimal(price)
    extra = {"coupon__owner": seller} if seller is not None else {}
    listing = ListingFactory(
        price=price, fee=(price * Decimal("0.05")).quantize(Decimal("0.01")), **extra
    )
    return purchase_create(
        buyer=buyer,
        listing_public_id=listing.public_id,
        method=PaymentMethod.WALLET,
        idempotency_key=str(uuid.uuid4()),
    )


def screenshot(name: str = "store-error.png", *, size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
