"""The development receiver plays a brand's server: deliveries sent to it over real HTTP are
verified with the sample the Webhooks page shows, and the delivery log records its answer."""

import json
import time

import pytest
from django.db import transaction
from django.urls import reverse

from brands.models import DeliveryStatus, Webhook, WebhookDelivery
from brands.tests.factories import BrandFactory
from brands.webhooks import events
from brands.webhooks.delivery import signature
from brands.webhooks.demo import seed_dev_receivers


def _receiver_webhook(brand, base_url: str = "http://testserver") -> Webhook:
    webhook = Webhook.objects.create(brand=brand, url="https://placeholder.example/", secret="s3")
    webhook.url = base_url + reverse("brands:dev_webhook_receiver", args=[webhook.public_id])
    webhook.save(update_fields=["url"])
    return webhook


@pytest.mark.django_db(transaction=True)
def test_an_event_sent_to_the_dev_receiver_is_delivered_and_verified(live_server, settings):
    # given an endpoint pointing at this site's development receiver
    settings.WEBHOOKS_DEV_RECEIVER = True
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    brand = BrandFactory()
    webhook = _receiver_webhook(brand, live_server.url)

    # when an event is raised (sent after the commit, over HTTP)
    with transaction.atomic():
        events.event_emit(brand=brand, event=events.CODE_REDEEMED, data={"code": "ABC"})

    # then the receiver verified the signature and the log shows its answer
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.response_status == 200
    answer = json.loads(delivery.response_body)
    assert answer["verified"] is True
    assert answer["event"] == events.CODE_REDEEMED


def _signed_post(client, webhook: Webhook, body: bytes, *, secret: str | None = None):
    timestamp = int(time.time())
    return client.post(
        webhook.url.replace("http://testserver", ""),
        data=body,
        content_type="application/json",
        HTTP_X_COUPZII_TIMESTAMP=str(timestamp),
        HTTP_X_COUPZII_SIGNATURE=signature(
            secret=secret or webhook.secret, timestamp=timestamp, body=body
        ),
    )


@pytest.mark.django_db
def test_the_dev_receiver_refuses_a_wrong_signature_and_is_off_in_production(client, settings):
    settings.WEBHOOKS_DEV_RECEIVER = True
    webhook = _receiver_webhook(BrandFactory())
    body = json.dumps({"id": "1", "event": "ping"}).encode()

    assert _signed_post(client, webhook, body).status_code == 200
    refused = _signed_post(client, webhook, body, secret="not-the-secret")
    assert refused.status_code == 400
    assert refused.json()["ok"] is False

    settings.WEBHOOKS_DEV_RECEIVER = False
    assert _signed_post(client, webhook, body).status_code == 404


@pytest.mark.django_db
def test_the_demo_points_one_endpoint_per_brand_at_the_receiver_when_it_is_on(settings):
    brand = BrandFactory()
    settings.WEBHOOKS_DEV_RECEIVER = False
    seed_dev_receivers([brand])
    assert not Webhook.objects.exists()

    settings.WEBHOOKS_DEV_RECEIVER = True
    seed_dev_receivers([brand])
    seed_dev_receivers([brand])
    webhook = Webhook.objects.get()
    assert webhook.url.endswith(f"/brand/dev/webhook-receiver/{webhook.public_id}/")
