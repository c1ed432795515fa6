"""Webhook endpoints and their delivery logs over the API."""

import uuid

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from brands.models import DeliveryStatus, Role, Tier, Webhook, WebhookDelivery
from brands.tests.factories import BrandFactory, member
from brands.webhooks import events

from .factories import WebhookFactory
from .receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/brand/webhooks/"


def _client(membership) -> APIClient:
    client = APIClient()
    if membership.role in (Role.OWNER, Role.ADMIN):
        TOTPDevice.objects.create(user=membership.user, name="app", confirmed=True)
    client.force_authenticate(membership.user)
    client.credentials(HTTP_X_BRAND=membership.brand.slug)
    return client


@pytest.fixture
def admin():
    return member(BrandFactory(tier=Tier.PRO), Role.ADMIN)


@pytest.fixture
def api(admin):
    return _client(admin)


def delivery_of(webhook, **fields) -> WebhookDelivery:
    event_id = uuid.uuid4()
    fields.setdefault("status", DeliveryStatus.DELIVERED)
    return WebhookDelivery.objects.create(
        webhook=webhook,
        event_id=event_id,
        event=events.BUDGET_80,
        payload={"id": str(event_id), "event": "budget.80", "data": {}},
        **fields,
    )


def test_adding_an_endpoint_answers_its_secret_once(api, admin):
    response = api.post(
        WEBHOOKS, {"url": "https://8.8.8.8/hook", "events": ["code.redeemed"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    webhook = Webhook.objects.get(public_id=body["id"])
    assert body["secret"] == webhook.secret
    assert body["events"] == ["code.redeemed"]
    assert body["active"] is True
    assert response["Cache-Control"] == "no-store"
    assert "secret" not in api.get(f"{WEBHOOKS}{webhook.public_id}/").json()
    assert "secret" not in api.get(WEBHOOKS).json()["results"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "http://127.0.0.1/hook"}, "url"),
        ({"url": "nope"}, "url"),
        ({"url": "https://8.8.8.8/", "events": ["code.stolen"]}, "events"),
        ({"url": "https://8.8.8.8/", "events": "code.redeemed"}, "events"),
        ({}, "url"),
    ],
)
def test_bad_input_is_400_with_field_messages(api, payload, field):
    response = api.post(WEBHOOKS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Webhook.objects.exists()


def test_the_tiers_limit_is_409(admin):
    admin.brand.tier = Tier.BASIC
    admin.brand.save()
    api = _client(admin)
    for _n in range(2):
        assert api.post(WEBHOOKS, {"url": "https://8.8.8.8/"}, format="json").status_code == 201
    response = api.post(WEBHOOKS, {"url": "https://8.8.8.8/"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "webhook_limit_reached"


def test_the_list_runs_a_fixed_number_of_queries(api, admin, django_assert_max_num_queries):
    for _n in range(9):
        delivery_of(WebhookFactory(brand=admin.brand))
    WebhookFactory()  # another brand's
    with django_assert_max_num_queries(8):
        response = api.get(WEBHOOKS)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 9
    assert results[0]["recent_total"] == 1
    assert results[0]["recent_delivered"] == 1


def test_change_switch_off_and_on(api, admin):
    webhook = WebhookFactory(brand=admin.brand, consecutive_failures=3)
    path = f"{WEBHOOKS}{webhook.public_id}/"

    response = api.patch(path, {"events": ["budget.80"], "active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["events"] == ["budget.80"]
    assert response.json()["active"] is False
    assert response.json()["disabled_reason"] == "by_member"

    response = api.patch(path, {"active": True}, format="json")
    assert response.json()["active"] is True
    assert response.json()["consecutive_failures"] == 0

    response = api.patch(path, {"url": "http://10.0.0.1/"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_url_refused"


def test_delete(api, admin):
    webhook = WebhookFactory(brand=admin.brand)
    assert api.delete(f"{WEBHOOKS}{webhook.public_id}/").status_code == 204
    assert not Webhook.objects.exists()


def test_rotate_secret_answers_the_new_one(api, admin):
    webhook = WebhookFactory(brand=admin.brand)
    response = api.post(f"{WEBHOOKS}{webhook.public_id}/rotate-secret/")
    assert response.status_code == 200
    webhook.refresh_from_db()
    assert response.json()["secret"] == webhook.secret != "whsec_test_secret"


def test_another_brands_endpoints_and_deliveries_are_404(api):
    webhook = WebhookFactory()
    delivery = delivery_of(webhook)
    path = f"{WEBHOOKS}{webhook.public_id}/"
    assert api.get(path).status_code == 404
    assert api.patch(path, {"active": False}, format="json").status_code == 404
    assert api.delete(path).status_code == 404
    assert api.post(f"{path}rotate-secret/").status_code == 404
    assert api.post(f"{path}ping/").status_code == 404
    assert api.get(f"{path}deliveries/").status_code == 404
    assert api.post(f"{WEBHOOKS}deliveries/{delivery.public_id}/redeliver/").status_code == 404
    webhook.refresh_from_db()
    assert webhook.active


def test_an_editor_may_not_manage_webhooks(admin):
    editor = member(admin.brand, Role.EDITOR)
    assert _client(editor).get(WEBHOOKS).status_code == 403


def test_the_delivery_log_filters_and_runs_fixed_queries(api, admin, django_assert_max_num_queries):
    webhook = WebhookFactory(brand=admin.brand)
    for _n in range(12):
        delivery_of(webhook)
    delivery_of(
        webhook,
        status=DeliveryStatus.FAILED,
        attempts=7,
        response_status=500,
        attempt_log=[{"at": "2026-12-07T03:00:00+00:00", "status": 500, "body": "x", "error": ""}],
    )
    path = f"{WEBHOOKS}{webhook.public_id}/deliveries/"
    with django_assert_max_num_queries(8):
        response = api.get(path, {"page_size": 50})
    assert response.json()["count"] == 13
    failed = api.get(path, {"status": "failed"}).json()
    assert failed["count"] == 1
    assert failed["results"][0]["attempt_log"][0]["status"] == 500
    bad = api.get(path, {"status": "lost"})
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]["fields"]


def test_ping_and_redeliver_reach_the_receiver(
    api, admin, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with WebhookReceiver(secret="whsec_test_secret") as receiver:
        webhook = WebhookFactory(brand=admin.brand, url=receiver.hook_url)
        with django_capture_on_commit_callbacks(execute=True):
            ping = api.post(f"{WEBHOOKS}{webhook.public_id}/ping/")
        assert ping.status_code == 202
        assert ping.json()["event"] == "ping"
        with django_capture_on_commit_callbacks(execute=True):
            again = api.post(f"{WEBHOOKS}deliveries/{ping.json()['id']}/redeliver/")
        assert again.status_code == 202

    assert [r["json"]["id"] for r in receiver.requests] == [ping.json()["event_id"]] * 2
    delivered = api.get(f"{WEBHOOKS}{webhook.public_id}/deliveries/").json()["results"][0]
    assert delivered["status"] == "delivered"
    assert delivered["attempts"] == 2


def test_redeliver_of_an_open_delivery_is_409(api, admin):
    delivery = delivery_of(WebhookFactory(brand=admin.brand), status=DeliveryStatus.RETRYING)
    response = api.post(f"{WEBHOOKS}deliveries/{delivery.public_id}/redeliver/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "delivery_open"


def test_webhook_endpoints_are_in_the_schema():
    paths = APIClient().get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"get", "post"} <= set(paths[WEBHOOKS])
    assert {"get", "patch", "delete"} <= set(paths[f"{WEBHOOKS}{{public_id}}/"])
    assert "get" in paths[f"{WEBHOOKS}{{public_id}}/deliveries/"]
    assert "post" in paths[f"{WEBHOOKS}deliveries/{{public_id}}/redeliver/"]
    parameters = paths[WEBHOOKS]["get"]["parameters"]
    assert any(parameter["name"] == "X-Brand" for parameter in parameters)
