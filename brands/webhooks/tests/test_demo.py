import pytest

from brands.models import DeliveryStatus, Webhook, WebhookDelivery
from brands.tests.factories import BrandFactory
from brands.webhooks import delivery
from brands.webhooks.demo import LOG, seed_webhooks

pytestmark = pytest.mark.django_db


def test_seed_webhooks_gives_each_brand_an_endpoint_with_a_log_and_is_idempotent():
    brands = [BrandFactory(), BrandFactory()]

    seed_webhooks(brands)
    seed_webhooks(brands)

    for brand in brands:
        webhook = Webhook.objects.get(brand=brand)
        assert webhook.url.endswith(".example/coupzii")
        log = WebhookDelivery.objects.filter(webhook=webhook)
        assert log.count() == len(LOG)
        assert set(log.values_list("status", flat=True)) == {
            DeliveryStatus.DELIVERED,
            DeliveryStatus.FAILED,
        }
        failed = log.get(status=DeliveryStatus.FAILED)
        assert failed.attempts == delivery.MAX_ATTEMPTS == len(failed.attempt_log)
    # nothing is left for the sweep to send
    assert delivery.deliveries_due_enqueue() == 0
