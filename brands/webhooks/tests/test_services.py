import pytest
from django.db import connection

from brands.models import DeliveryStatus, Tier, Webhook, WebhookDelivery
from brands.tests.factories import BrandFactory
from brands.webhooks import errors, events, services
from coupzii.tests.races import failures, race, successes

from .factories import WebhookFactory
from .receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


def test_webhook_create_stores_the_secret_encrypted_and_returns_it_once():
    webhook, secret = services.webhook_create(
        brand=BrandFactory(), url=" https://8.8.8.8/hooks ", events=[events.CODE_REDEEMED]
    )
    webhook.refresh_from_db()
    assert webhook.url == "https://8.8.8.8/hooks"
    assert webhook.secret == secret
    assert webhook.events == ["code.redeemed"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM brands_webhook WHERE id = %s", [webhook.pk])
        assert secret not in cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://8.8.8.8/", "http"),
        ("http://127.0.0.1:8000/hook", "private"),
        ("http://10.1.2.3/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "private"),
        ("http://[::1]/hook", "private"),
        ("http://localhost/hook", "private"),
        ("https://user:pw@8.8.8.8/", "password"),
    ],
)
def test_webhook_create_refuses_urls_that_reach_private_networks(url, why):
    with pytest.raises(errors.WebhookUrlRefused) as refused:
        services.webhook_create(brand=BrandFactory(), url=url)
    assert why in refused.value.fields["url"][0]
    assert not Webhook.objects.exists()


def test_webhook_create_refuses_unknown_events():
    with pytest.raises(errors.WebhookEventsInvalid):
        services.webhook_create(brand=BrandFactory(), url="https://8.8.8.8/", events=["ping"])


def test_every_event_ticked_is_stored_as_all_events():
    webhook, _ = services.webhook_create(
        brand=BrandFactory(), url="https://8.8.8.8/", events=sorted(events.EVENTS)
    )
    assert webhook.events == []


@pytest.mark.parametrize(("tier", "limit"), [(Tier.BASIC, 2), (Tier.PRO, 10)])
def test_webhook_create_keeps_to_the_tiers_limit(tier, limit):
    brand = BrandFactory(tier=tier)
    for _n in range(limit):
        services.webhook_create(brand=brand, url="https://8.8.8.8/")
    with pytest.raises(errors.WebhookLimitReached):
        services.webhook_create(brand=brand, url="https://8.8.8.8/")
    assert Webhook.objects.filter(brand=brand).count() == limit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_admins_adding_endpoints_at_once_cannot_pass_the_tiers_limit():
    brand = BrandFactory(tier=Tier.BASIC)
    results = race([lambda: services.webhook_create(brand=brand, url="https://8.8.8.8/")] * 6)
    assert len(successes(results)) == 2
    assert all(isinstance(f, errors.WebhookLimitReached) for f in failures(results))
    assert Webhook.objects.filter(brand=brand).count() == 2


def test_webhook_update_changes_only_what_is_given():
    webhook = WebhookFactory(url="https://8.8.8.8/a", events=[events.BUDGET_80])
    services.webhook_update(webhook=webhook, events=[events.BUDGET_100, events.BUDGET_80])
    webhook.refresh_from_db()
    assert webhook.url == "https://8.8.8.8/a"
    assert webhook.events == ["budget.100", "budget.80"]
    with pytest.raises(errors.WebhookUrlRefused):
        services.webhook_update(webhook=webhook, url="http://192.168.1.1/")


def test_rotating_the_secret_replaces_it():
    webhook = WebhookFactory()
    _, secret = services.webhook_secret_rotate(webhook=webhook)
    webhook.refresh_from_db()
    assert webhook.secret == secret != "whsec_test_secret"


def test_switching_on_again_clears_the_failures():
    webhook = WebhookFactory(consecutive_failures=5)
    services.webhook_disable(webhook=webhook, reason=services.DisabledReason.GIVE_UPS)
    services.webhook_enable(webhook=webhook)
    webhook.refresh_from_db()
    assert webhook.active
    assert (webhook.consecutive_failures, webhook.failing_since, webhook.disabled_at) == (
        0,
        None,
        None,
    )
    assert webhook.disabled_reason == ""


def test_switched_off_by_the_team_tells_nobody(mailoutbox):
    webhook = WebhookFactory()
    services.webhook_disable(webhook=webhook)
    webhook.refresh_from_db()
    assert not webhook.active
    assert webhook.disabled_reason == services.DisabledReason.BY_MEMBER
    assert mailoutbox == []


def test_webhook_delete_removes_its_log():
    webhook = WebhookFactory()
    services.webhook_ping(webhook=webhook)
    services.webhook_delete(webhook=webhook)
    assert not Webhook.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_webhook_ping_goes_to_that_endpoint_whatever_it_subscribes_to(
    settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    brand = BrandFactory()
    with WebhookReceiver(secret="whsec_x") as receiver:
        webhook = WebhookFactory(
            brand=brand, url=receiver.hook_url, secret="whsec_x", events=[events.BUDGET_80]
        )
        WebhookFactory(brand=brand)  # another endpoint of the brand: not pinged
        with django_capture_on_commit_callbacks(execute=True):
            ping = services.webhook_ping(webhook=webhook)

    [request] = receiver.requests
    assert request["verified"]
    assert request["json"]["event"] == "ping"
    assert request["json"]["data"]["webhook"] == str(webhook.public_id)
    ping.refresh_from_db()
    assert ping.status == DeliveryStatus.DELIVERED
    assert WebhookDelivery.objects.count() == 1


def test_a_switched_off_endpoint_is_not_pinged():
    webhook = WebhookFactory(active=False)
    with pytest.raises(errors.WebhookDisabled):
        services.webhook_ping(webhook=webhook)


def test_send_again_makes_a_new_attempt_of_the_same_event(
    settings, django_capture_on_commit_callbacks
):
    # given a delivery that was delivered once
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with WebhookReceiver(secret="whsec_x") as receiver:
        webhook = WebhookFactory(url=receiver.hook_url, secret="whsec_x")
        with django_capture_on_commit_callbacks(execute=True):
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
        # when it is sent again
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_redeliver(delivery=sent)

    # then the receiver has it twice, same id, and the log counts two attempts
    assert [r["json"]["id"] for r in receiver.requests] == [str(sent.event_id)] * 2
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED
    assert sent.attempts == 2
    assert len(sent.attempt_log) == 2


def test_send_again_waits_for_a_delivery_still_being_retried():
    webhook = WebhookFactory()
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event_id="6f1c1e1e-0000-4000-8000-000000000001",
        event=events.BUDGET_80,
        payload={},
        status=DeliveryStatus.RETRYING,
        attempts=2,
    )
    with pytest.raises(errors.DeliveryOpen):
        services.delivery_redeliver(delivery=delivery)


def test_send_again_is_refused_while_the_endpoint_is_off():
    webhook = WebhookFactory(active=False)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event_id="6f1c1e1e-0000-4000-8000-000000000002",
        event=events.BUDGET_80,
        payload={},
        status=DeliveryStatus.FAILED,
        attempts=7,
    )
    with pytest.raises(errors.WebhookDisabled):
        services.delivery_redeliver(delivery=delivery)


def test_a_given_up_delivery_sent_again_and_failing_is_not_counted_twice(
    settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with WebhookReceiver(secret="whsec_x", fail_first=10) as receiver:
        webhook = WebhookFactory(url=receiver.hook_url, secret="whsec_x", consecutive_failures=4)
        delivery = WebhookDelivery.objects.create(
            webhook=webhook,
            event_id="6f1c1e1e-0000-4000-8000-000000000003",
            event=events.BUDGET_80,
            payload={"id": "6f1c1e1e-0000-4000-8000-000000000003"},
            status=DeliveryStatus.FAILED,
            attempts=7,
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_redeliver(delivery=delivery)

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 8
    webhook.refresh_from_db()
    assert webhook.active
    assert webhook.consecutive_failures == 4
