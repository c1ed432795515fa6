import uuid

import pytest
from django.db import transaction

from brands import services
from brands.models import DeliveryStatus, WebhookDelivery
from brands.tests.factories import BrandFactory
from brands.webhooks import events

from .factories import WebhookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The delivery ids handed to Celery (the sending itself is tested in test_delivery)."""
    queued = []
    monkeypatch.setattr(
        events, "deliveries_enqueue", lambda *, delivery_ids: queued.extend(delivery_ids)
    )
    return queued


def test_event_emit_writes_one_delivery_per_subscribed_endpoint_with_one_event_id(
    sent, django_capture_on_commit_callbacks
):
    # given
    brand = BrandFactory()
    everything = WebhookFactory(brand=brand, events=[])
    redemptions = WebhookFactory(brand=brand, events=[events.CODE_REDEEMED])
    WebhookFactory(brand=brand, events=[events.BUDGET_80])
    WebhookFactory(brand=brand, active=False)
    WebhookFactory(events=[])  # another brand's

    # when
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = services.event_emit(
            brand=brand, event=events.CODE_REDEEMED, data={"code": "SAVE10", "amount": 1}
        )

    # then
    assert {d.webhook_id for d in deliveries} == {everything.pk, redemptions.pk}
    assert len({d.event_id for d in deliveries}) == 1
    assert sorted(sent) == sorted(d.pk for d in deliveries)
    stored = WebhookDelivery.objects.get(webhook=redemptions)
    assert stored.status == DeliveryStatus.PENDING
    assert stored.payload["id"] == str(stored.event_id)
    assert stored.payload["event"] == "code.redeemed"
    assert stored.payload["brand"] == brand.slug
    assert stored.payload["data"] == {"code": "SAVE10", "amount": 1}
    assert stored.payload["created_at"].endswith("Z")


def test_event_emit_gives_each_event_a_fresh_id(sent, django_capture_on_commit_callbacks):
    brand = BrandFactory()
    WebhookFactory(brand=brand)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.event_emit(brand=brand, event=events.BUDGET_80, data={})
        second = services.event_emit(brand=brand, event=events.BUDGET_80, data={})
    assert first[0].event_id != second[0].event_id
    assert isinstance(first[0].event_id, uuid.UUID)


def test_event_emit_stores_decimals_and_dates_as_json_strings(sent):
    from datetime import date
    from decimal import Decimal

    brand = BrandFactory()
    WebhookFactory(brand=brand)
    [delivery] = services.event_emit(
        brand=brand,
        event=events.CODE_REDEEMED,
        data={"discount": Decimal("12.50"), "day": date(2026, 12, 7)},
    )
    delivery.refresh_from_db()
    assert delivery.payload["data"] == {"discount": "12.50", "day": "2026-12-07"}


def test_event_emit_sends_nothing_when_the_callers_transaction_rolls_back(
    sent, django_capture_on_commit_callbacks
):
    brand = BrandFactory()
    WebhookFactory(brand=brand)

    class RedemptionRefused(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RedemptionRefused),
        transaction.atomic(),
    ):
        services.event_emit(brand=brand, event=events.CODE_REDEEMED, data={})
        raise RedemptionRefused

    assert sent == []
    assert not WebhookDelivery.objects.exists()


def test_event_emit_queues_only_after_the_commit(sent, django_capture_on_commit_callbacks):
    brand = BrandFactory()
    WebhookFactory(brand=brand)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.event_emit(brand=brand, event=events.CODE_ROLLED_BACK, data={})
    assert sent == []
    callbacks[0]()
    assert len(sent) == 1


def test_event_emit_without_endpoints_writes_nothing(sent):
    assert services.event_emit(brand=BrandFactory(), event=events.BOOK_EXHAUSTED, data={}) == []
    assert not WebhookDelivery.objects.exists()


def test_event_emit_refuses_an_unknown_event():
    with pytest.raises(ValueError):
        services.event_emit(brand=BrandFactory(), event="code.stolen", data={})
