import uuid

import pytest
from django.urls import reverse

from brands.models import DeliveryStatus, Role, Webhook, WebhookDelivery
from brands.tests.factories import BrandFactory, member, sign_in_member
from brands.webhooks import events, services

from .factories import WebhookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    membership = member(BrandFactory(), Role.ADMIN)
    sign_in_member(client, membership)
    return membership


def url(name, brand, *args):
    return reverse(f"brands:{name}", args=[brand.slug, *args])


def delivery_of(webhook, **fields) -> WebhookDelivery:
    fields.setdefault("status", DeliveryStatus.DELIVERED)
    event_id = uuid.uuid4()
    return WebhookDelivery.objects.create(
        webhook=webhook,
        event_id=event_id,
        event=events.CODE_REDEEMED,
        payload={"id": str(event_id), "event": "code.redeemed", "data": {"code": "SAVE10"}},
        **fields,
    )


def test_the_list_shows_an_empty_state_the_limit_and_the_receiver_sample(client, admin):
    response = client.get(url("webhook_list", admin.brand))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No webhook endpoints yet" in page
    assert "0 of 2 endpoints" in page
    assert "def coupzii_verify(secret: str, headers: dict, body: bytes)" in page


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ANALYST, Role.TILL])
def test_only_owners_and_admins_manage_webhooks(client, role):
    membership = member(BrandFactory(), role)
    sign_in_member(client, membership)
    assert client.get(url("webhook_list", membership.brand)).status_code == 403


def test_another_brands_pages_are_404(client, admin):
    other = BrandFactory()
    webhook = WebhookFactory(brand=other)
    assert client.get(url("webhook_list", other)).status_code == 404
    # ...and its endpoint through our own brand's address too
    assert client.get(url("webhook_detail", admin.brand, webhook.public_id)).status_code == 404
    assert client.post(url("webhook_rotate", admin.brand, webhook.public_id)).status_code == 404
    assert client.post(url("webhook_delete", admin.brand, webhook.public_id)).status_code == 404
    delivery = delivery_of(webhook)
    response = client.post(url("delivery_redeliver", admin.brand, delivery.public_id))
    assert response.status_code == 404
    assert Webhook.objects.filter(pk=webhook.pk).exists()


def test_adding_an_endpoint_shows_its_secret_once(client, admin):
    response = client.post(
        url("webhook_list", admin.brand),
        {"url": "https://8.8.8.8/coupzii", "events": [events.CODE_REDEEMED, events.BUDGET_80]},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    webhook = Webhook.objects.get(brand=admin.brand)
    assert webhook.secret in response.content.decode()
    assert webhook.events == ["budget.80", "code.redeemed"]
    assert webhook.created_by == admin.user
    # the list and the endpoint's page never show it again
    for page in ("webhook_list", "webhook_detail"):
        args = [] if page == "webhook_list" else [webhook.public_id]
        assert webhook.secret not in client.get(url(page, admin.brand, *args)).content.decode()


def test_a_refused_url_is_a_form_error(client, admin):
    response = client.post(url("webhook_list", admin.brand), {"url": "http://10.0.0.7/hook"})
    assert response.status_code == 200
    assert "The address points to a private or local network." in response.content.decode()
    response = client.post(url("webhook_list", admin.brand), {"url": "not a url"})
    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    assert not Webhook.objects.exists()


def test_the_tiers_limit_is_a_form_error(client, admin):
    WebhookFactory(brand=admin.brand)
    WebhookFactory(brand=admin.brand)
    response = client.post(url("webhook_list", admin.brand), {"url": "https://8.8.8.8/"})
    assert "Your plan allows no more webhook endpoints" in response.content.decode()
    assert Webhook.objects.filter(brand=admin.brand).count() == 2


def test_the_list_says_why_an_endpoint_is_switched_off_and_switches_it_on(client, admin):
    webhook = WebhookFactory(brand=admin.brand)
    services.webhook_disable(webhook=webhook, reason=services.DisabledReason.FAILING)
    page = client.get(url("webhook_list", admin.brand)).content.decode()
    assert "Switched off" in page
    assert "Every delivery failed for 24 hours." in page

    response = client.post(url("webhook_enable", admin.brand, webhook.public_id))
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.active


def test_switching_off_by_hand(client, admin):
    webhook = WebhookFactory(brand=admin.brand)
    client.post(url("webhook_disable", admin.brand, webhook.public_id))
    webhook.refresh_from_db()
    assert not webhook.active
    assert (
        "Switched off by your team."
        in client.get(url("webhook_detail", admin.brand, webhook.public_id)).content.decode()
    )


def test_rotating_the_secret_shows_the_new_one_once(client, admin):
    webhook = WebhookFactory(brand=admin.brand)
    response = client.post(url("webhook_rotate", admin.brand, webhook.public_id))
    webhook.refresh_from_db()
    assert webhook.secret != "whsec_test_secret"
    assert webhook.secret in response.content.decode()
    # a GET (a refresh, a shared link) rotates nothing
    response = client.get(url("webhook_rotate", admin.brand, webhook.public_id))
    assert response.status_code == 302
    secret = webhook.secret
    webhook.refresh_from_db()
    assert webhook.secret == secret


def test_changing_an_endpoint(client, admin):
    webhook = WebhookFactory(brand=admin.brand)
    edit = url("webhook_edit", admin.brand, webhook.public_id)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"url": "https://8.8.4.4/new", "events": [events.BUDGET_100]})
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.url, webhook.events) == ("https://8.8.4.4/new", ["budget.100"])
    response = client.post(edit, {"url": "http://127.0.0.1/", "events": []})
    assert "private or local" in response.content.decode()


def test_deleting_an_endpoint_asks_first(client, admin):
    webhook = WebhookFactory(brand=admin.brand)
    delete = url("webhook_delete", admin.brand, webhook.public_id)
    assert client.get(delete).status_code == 200
    assert Webhook.objects.exists()
    assert client.post(delete).status_code == 302
    assert not Webhook.objects.exists()


def test_the_delivery_log_shows_attempts_answers_and_bodies_with_a_filter(client, admin):
    webhook = WebhookFactory(brand=admin.brand)
    delivery_of(
        webhook,
        status=DeliveryStatus.FAILED,
        attempts=7,
        response_status=503,
        response_body="upstream down",
        error="HTTP 503",
        attempt_log=[
            {
                "at": "2026-12-07T03:00:00+00:00",
                "status": 503,
                "body": "upstream down",
                "error": "HTTP 503",
            }
        ],
    )
    delivery_of(webhook, attempts=1, response_status=200)
    detail = url("webhook_detail", admin.brand, webhook.public_id)

    page = client.get(detail).content.decode()
    assert page.count('data-testid="delivery-redeliver"') == 2
    assert "upstream down" in page
    assert "7 attempts" in page
    assert "SAVE10" in page

    failed = client.get(detail, {"status": "failed"})
    assert len(failed.context["page"].object_list) == 1
    assert client.get(detail, {"status": "nonsense"}).status_code == 200


def test_the_delivery_log_is_paginated_with_fixed_queries(
    client, admin, django_assert_max_num_queries
):
    webhook = WebhookFactory(brand=admin.brand)
    for _n in range(30):
        delivery_of(webhook)
    detail = url("webhook_detail", admin.brand, webhook.public_id)
    client.get(detail)  # warm the session and the menu
    with django_assert_max_num_queries(12):
        response = client.get(detail)
    assert len(response.context["page"].object_list) == 25
    assert len(client.get(detail, {"page": 2}).context["page"].object_list) == 5


def test_the_endpoint_list_runs_fixed_queries(client, admin, django_assert_max_num_queries):
    admin.brand.tier = "pro"
    admin.brand.save()
    for _n in range(8):
        webhook = WebhookFactory(brand=admin.brand)
        delivery_of(webhook)
    client.get(url("webhook_list", admin.brand))
    with django_assert_max_num_queries(12):
        response = client.get(url("webhook_list", admin.brand))
    assert len(response.context["page"].object_list) == 8


def test_send_again_and_test_event_queue_deliveries(
    client, admin, settings, django_capture_on_commit_callbacks
):
    from .receiver import WebhookReceiver

    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with WebhookReceiver(secret="whsec_test_secret") as receiver:
        webhook = WebhookFactory(brand=admin.brand, url=receiver.hook_url)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("webhook_ping", admin.brand, webhook.public_id))
        assert response.status_code == 302
        ping = WebhookDelivery.objects.get(webhook=webhook)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("delivery_redeliver", admin.brand, ping.public_id))

    assert [r["json"]["event"] for r in receiver.requests] == ["ping", "ping"]
    assert all(r["verified"] for r in receiver.requests)
    page = client.get(url("webhook_detail", admin.brand, webhook.public_id)).content.decode()
    assert "2 attempts" in page


def test_send_again_of_an_open_delivery_says_why_not(client, admin):
    webhook = WebhookFactory(brand=admin.brand)
    delivery = delivery_of(webhook, status=DeliveryStatus.RETRYING, attempts=2)
    response = client.post(url("delivery_redeliver", admin.brand, delivery.public_id), follow=True)
    assert "still being sent" in response.content.decode()
