"""Uploads on S3-compatible object storage, as production keeps them: django-storages and
boto3 run for real against moto's S3 server on loopback, configured by the same
`object_storages()` the settings use when AWS_STORAGE_BUCKET_NAME is set."""

import io
import re
import uuid

import boto3
import pytest
import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from PIL import Image

from accounts.tests.factories import UserFactory
from catalog.tests.factories import MerchantFactory
from coupzii.settings.base import object_storages
from wallet.models import CashbackClaim
from wallet.tests.factories import recent_click

pytestmark = pytest.mark.django_db

BUCKET = "coupzii-files"
REGION = "ap-south-1"
POLICY = settings.BASE_DIR / "deploy" / "s3-bucket-policy.json"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    yield endpoint
    # moto keeps its buckets per process, not per server: forget them for the next test.
    requests.post(f"{endpoint}/moto-api/reset", timeout=5)
    server.stop()


@pytest.fixture
def bucket(settings, s3_server):
    """An empty bucket, and both file storages pointed at it as production's settings do."""
    s3 = boto3.client("s3", endpoint_url=s3_server, region_name=REGION, **KEYS)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        **object_storages(
            bucket=BUCKET,
            endpoint_url=s3_server,
            region=REGION,
            access_key=KEYS["aws_access_key_id"],
            secret_key=KEYS["aws_secret_access_key"],
        ),
    }
    return s3


def keys_under(s3, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_receipt_lands_privately_and_only_its_owner_gets_it(client, bucket):
    # given a shopper files a claim with a receipt through the wallet page
    shopper = UserFactory()
    click = recent_click(shopper)
    image = png_bytes()
    client.force_login(shopper)
    response = client.post(
        "/wallet/claims/",
        {
            "click": str(click.id),
            "order_id": "FK-2291",
            "amount": "1499",
            "order_date": timezone.localdate(click.created_at).isoformat(),
            "receipt": SimpleUploadedFile("asha-invoice.png", image, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    claim = CashbackClaim.objects.get(user=shopper)

    # then the object is under the private prefix, with a random key, and nothing is public
    [key] = keys_under(bucket, "")
    assert re.fullmatch(r"private/cashback-receipts/[0-9a-f]{32}\.png", key)
    assert key == f"private/{claim.receipt.name}"
    assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == image

    # and the app streams it from the bucket to its owner, and to no one else
    path = reverse("wallet_claim_receipt", args=[claim.public_id])
    mine = client.get(path)
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == image
    client.force_login(UserFactory())
    assert client.get(path).status_code == 404


def test_public_logos_have_absolute_unsigned_urls_that_anyone_can_fetch(client, bucket, s3_server):
    # given the bucket policy deploy/README.md tells operators to set
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=POLICY.read_text())
    merchant = MerchantFactory(name="Ajio")
    merchant.logo.save("ajio.svg", ContentFile(b"<svg/>"), save=True)
    private_key = f"private/{uuid.uuid4().hex}.png"
    bucket.put_object(Bucket=BUCKET, Key=private_key, Body=png_bytes())

    # when an app lists merchants
    [card] = client.get("/api/v1/merchants/").json()["results"]

    # then the logo's URL is absolute, on the bucket, unsigned, and fetchable by anyone,
    # while a private object is not
    assert f"public/{merchant.logo.name}" in keys_under(bucket, "public/")
    assert card["logo_url"] == f"{s3_server}/{BUCKET}/public/{merchant.logo.name}"
    assert requests.get(card["logo_url"], timeout=5).content == b"<svg/>"
    anonymous = requests.get(f"{s3_server}/{BUCKET}/{private_key}", timeout=5)
    assert anonymous.status_code == 403
