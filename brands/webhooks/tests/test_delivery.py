"""Deliveries end to end: event_emit -> Celery (eager) -> a signed POST to a receiver on
loopback that verifies it as the documented sample does."""

import json
import time
from datetime import timedelta

import pytest
import requests
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from brands.models import DeliveryStatus, Role, Webhook, WebhookDelivery
from brands.tests.factories import BrandFactory, member
from brands.webhooks import delivery, events, guard, tasks
from brands.webhooks.services import NOTIFICATION_KIND, DisabledReason, webhook_create

from .receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

SECRET = "whsec_receiver_test"


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    # The receiver listens on 127.0.0.1, which production refuses (see test_guard).
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block as a committed transaction: its after-commit work (the deliveries' tasks,
    eager in tests) runs at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def endpoint(receiver, **fields) -> Webhook:
    brand = fields.pop("brand", None) or BrandFactory()
    return Webhook.objects.create(brand=brand, url=receiver.hook_url, secret=SECRET, **fields)


def back_off_passes(delivery_row: WebhookDelivery) -> None:
    """The clock reaches the delivery's next attempt (we move the attempt, not the clock)."""
    WebhookDelivery.objects.filter(pk=delivery_row.pk, status__in=delivery.OPEN).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def sweep(commit) -> int:
    with commit():
        return tasks.deliver_due_webhooks()


def test_a_delivery_is_a_signed_json_post_the_receiver_verifies(commit):
    with WebhookReceiver(secret=SECRET) as receiver:
        webhook = endpoint(receiver)
        with commit():
            [sent] = events.event_emit(
                brand=webhook.brand, event=events.CODE_REDEEMED, data={"code": "SAVE-1"}
            )

    [request] = receiver.requests
    assert request["verified"]
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Coupzii-Webhooks/1"
    assert headers["X-Coupzii-Event"] == "code.redeemed"
    assert headers["X-Coupzii-Event-Id"] == str(sent.event_id)
    assert abs(int(headers["X-Coupzii-Timestamp"]) - time.time()) < 300
    assert request["json"] == {
        "id": str(sent.event_id),
        "event": "code.redeemed",
        "created_at": sent.payload["created_at"],
        "brand": webhook.brand.slug,
        "data": {"code": "SAVE-1"},
    }
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED
    assert sent.attempts == 1
    assert sent.response_status == 200
    assert sent.response_body == "ok"
    assert sent.delivered_at is not None
    assert sent.next_attempt_at is None


def test_a_failing_receiver_gets_the_retries_with_the_same_event_id(commit):
    # given a receiver that fails twice
    with WebhookReceiver(secret=SECRET, fail_first=2) as receiver:
        webhook = endpoint(receiver)
        with commit():
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
        sent.refresh_from_db()
        # then the first failure is retried about a minute later
        assert sent.status == DeliveryStatus.RETRYING
        wait = sent.next_attempt_at - sent.last_attempt_at
        assert timedelta(seconds=50) < wait < timedelta(seconds=70)
        assert sweep(commit) == 0  # not due yet

        # when the back-off passes, twice
        back_off_passes(sent)
        assert sweep(commit) == 1
        sent.refresh_from_db()
        wait = sent.next_attempt_at - sent.last_attempt_at
        assert timedelta(minutes=4) < wait < timedelta(minutes=6)
        back_off_passes(sent)
        sweep(commit)

    # then the third attempt is delivered, and every attempt carried the same event
    assert [r["headers"]["X-Coupzii-Event-Id"] for r in receiver.requests] == [
        str(sent.event_id)
    ] * 3
    assert {r["body"] for r in receiver.requests} == {receiver.requests[0]["body"]}
    assert all(r["verified"] for r in receiver.requests)
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED
    assert sent.attempts == 3
    assert [attempt["status"] for attempt in sent.attempt_log] == [500, 500, 200]
    assert sent.attempt_log[0]["error"] == "HTTP 500"
    assert sent.attempt_log[0]["body"] == "failing on purpose"
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0
    assert webhook.failing_since is None


def test_a_delivery_is_given_up_after_its_last_retry(commit):
    with WebhookReceiver(secret=SECRET, fail_first=100, fail_status=503) as receiver:
        webhook = endpoint(receiver)
        with commit():
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_100, data={})
        for _retry in delivery.RETRY_DELAYS:
            back_off_passes(sent)
            sweep(commit)
        back_off_passes(sent)
        assert sweep(commit) == 0

    assert len(receiver.requests) == delivery.MAX_ATTEMPTS == 7
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.FAILED
    assert sent.next_attempt_at is None
    assert sent.response_status == 503
    assert len(sent.attempt_log) == 7
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 1
    assert webhook.active


def test_the_retries_span_about_a_day_and_never_more():
    shortest = sum((d * (1 - delivery.JITTER) for d in delivery.RETRY_DELAYS), timedelta())
    longest = sum((d * (1 + delivery.JITTER) for d in delivery.RETRY_DELAYS), timedelta())
    assert timedelta(hours=18) < shortest
    assert longest < delivery.FAILING_PERIOD_TO_DISABLE
    for attempts, base in enumerate(delivery.RETRY_DELAYS, start=1):
        wait = delivery.retry_delay(attempts)
        assert base * (1 - delivery.JITTER) <= wait <= base * (1 + delivery.JITTER)


def _give_up(commit, sent) -> None:
    while True:
        sent.refresh_from_db()
        if sent.status == DeliveryStatus.FAILED:
            return
        back_off_passes(sent)
        sweep(commit)


def test_the_fifth_delivery_given_up_in_a_row_switches_the_endpoint_off_and_tells_owners(commit):
    # given an endpoint that already gave up four deliveries in a row, and two owners
    brand = BrandFactory()
    owners = [member(brand, Role.OWNER), member(brand, Role.OWNER)]
    member(brand, Role.ADMIN)
    with WebhookReceiver(secret=SECRET, fail_first=100) as receiver:
        webhook = endpoint(receiver, brand=brand, consecutive_failures=4)
        # when a fifth one is given up
        with commit():
            [sent] = events.event_emit(brand=brand, event=events.CODE_REDEEMED, data={})
        _give_up(commit, sent)

    # then the endpoint is off, and why, and the owners (only) are told on the site and by email
    webhook.refresh_from_db()
    assert not webhook.active
    assert webhook.disabled_reason == DisabledReason.GIVE_UPS
    notified = Notification.objects.filter(kind=NOTIFICATION_KIND)
    assert {n.user_id for n in notified} == {o.user_id for o in owners}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.user.email for o in owners)
    assert webhook.url in mail.outbox[0].body
    # and nothing more is sent to it
    with commit():
        assert events.event_emit(brand=brand, event=events.CODE_REDEEMED, data={}) == []


def test_an_endpoint_failing_for_24_hours_is_switched_off(commit):
    brand = BrandFactory()
    member(brand, Role.OWNER)
    with WebhookReceiver(secret=SECRET, fail_first=100) as receiver:
        webhook = endpoint(
            receiver, brand=brand, failing_since=timezone.now() - timedelta(hours=24, minutes=1)
        )
        with commit():
            events.event_emit(brand=brand, event=events.CODE_REDEEMED, data={})

    webhook.refresh_from_db()
    assert not webhook.active
    assert webhook.disabled_reason == DisabledReason.FAILING
    assert Notification.objects.filter(kind=NOTIFICATION_KIND).count() == 1


def test_open_deliveries_of_a_switched_off_endpoint_are_given_up_unsent(commit):
    with WebhookReceiver(secret=SECRET, fail_first=1) as receiver:
        webhook = endpoint(receiver)
        with commit():
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
        Webhook.objects.filter(pk=webhook.pk).update(active=False)
        back_off_passes(sent)
        sweep(commit)

    assert len(receiver.requests) == 1
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.FAILED
    assert sent.error == "The endpoint is disabled."


def test_a_redirect_is_a_failure_and_is_not_followed(commit):
    with WebhookReceiver(secret=SECRET, fail_first=1, fail_status=302) as receiver:
        webhook = endpoint(receiver)
        with commit():
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})

    assert [r["path"] for r in receiver.requests] == ["/coupzii/webhooks"]
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.RETRYING
    assert sent.response_status == 302
    assert "redirects are not followed" in sent.error


def test_only_the_first_2000_characters_of_an_answer_are_kept(commit):
    with WebhookReceiver(secret=SECRET, answer_body="x" * 5000) as receiver:
        webhook = endpoint(receiver)
        with commit():
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
    sent.refresh_from_db()
    assert sent.response_body == "x" * 2000
    assert sent.attempt_log[0]["body"] == "x" * 2000


def test_an_unreachable_endpoint_records_the_error_and_retries(commit):
    with WebhookReceiver(secret=SECRET) as receiver:
        url = receiver.hook_url
    # the receiver is gone: nothing listens on its port any more
    webhook = Webhook.objects.create(brand=BrandFactory(), url=url, secret=SECRET)
    with commit():
        [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.RETRYING
    assert sent.response_status is None
    assert "ConnectionError" in sent.error


def test_the_sweep_sends_a_delivery_whose_task_was_lost(django_capture_on_commit_callbacks, commit):
    with WebhookReceiver(secret=SECRET) as receiver:
        webhook = endpoint(receiver)
        # the event commits, but its task never reaches a worker
        with django_capture_on_commit_callbacks(execute=False):
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
        assert receiver.requests == []
        assert sweep(commit) == 1

    assert len(receiver.requests) == 1
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED


def test_two_tasks_for_one_delivery_make_one_attempt(django_capture_on_commit_callbacks):
    with WebhookReceiver(secret=SECRET) as receiver:
        webhook = endpoint(receiver)
        with django_capture_on_commit_callbacks(execute=False):
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
        # the after-commit task and the sweep's both arrive, queued at 0 attempts
        first = tasks.deliver_webhook(delivery_id=sent.pk, attempts=0)
        second = tasks.deliver_webhook(delivery_id=sent.pk, attempts=0)

    assert (first, second) == (DeliveryStatus.DELIVERED, None)
    assert len(receiver.requests) == 1


def test_a_tampered_body_or_a_stale_timestamp_fails_the_receivers_check(commit):
    with WebhookReceiver(secret=SECRET) as receiver:
        webhook = endpoint(receiver)
        with commit():
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
        body = delivery.body_bytes(sent)
        headers = delivery.request_headers(delivery=sent, secret=SECRET, body=body)
        tampered = body.replace(b'"budget.80"', b'"budget.100"')
        stale_time = int(time.time()) - 600
        stale = {
            **headers,
            "X-Coupzii-Timestamp": str(stale_time),
            "X-Coupzii-Signature": delivery.signature(
                secret=SECRET, timestamp=stale_time, body=body
            ),
        }
        wrong_secret = delivery.request_headers(delivery=sent, secret="whsec_other", body=body)

        answers = [
            requests.post(receiver.hook_url, data=tampered, headers=headers, timeout=5),
            requests.post(receiver.hook_url, data=body, headers=stale, timeout=5),
            requests.post(receiver.hook_url, data=body, headers=wrong_secret, timeout=5),
            requests.post(receiver.hook_url, data=body, headers=headers, timeout=5),
        ]

    assert [answer.status_code for answer in answers] == [401, 401, 401, 200]
    assert json.loads(body)["id"] == str(sent.event_id)


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    # A vector a brand can check its own code against.
    assert delivery.signature(secret="s3cret", timestamp=1700000000, body=b'{"a":1}') == (
        "v1=" + __import__("hmac").new(b"s3cret", b'1700000000.{"a":1}', "sha256").hexdigest()
    )


def test_with_private_addresses_refused_nothing_is_sent_to_loopback(commit, settings):
    with WebhookReceiver(secret=SECRET) as receiver:
        webhook = endpoint(receiver)
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
        with commit():
            [sent] = events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})

    assert receiver.requests == []
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.RETRYING
    assert sent.error == "The address points to a private or local network."


def test_the_connection_guard_refuses_a_private_peer_even_when_the_url_passed(settings):
    # A host that resolved to a public address when checked and to loopback when connecting
    # (DNS rebinding) is refused by the connection itself.
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with (
        WebhookReceiver(secret=SECRET) as receiver,
        guard.guarded_session() as session,
        pytest.raises(guard.PrivateAddress),
    ):
        session.post(receiver.hook_url, data=b"{}", timeout=5)
    assert receiver.requests == []


def test_created_endpoints_deliver_with_the_secret_shown_at_creation(commit):
    with WebhookReceiver(secret="") as receiver:
        webhook, secret = webhook_create(brand=BrandFactory(), url=receiver.hook_url)
        receiver.secret = secret
        with commit():
            events.event_emit(brand=webhook.brand, event=events.BUDGET_80, data={})
    assert secret.startswith("whsec_")
    assert [r["verified"] for r in receiver.requests] == [True]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tasks_racing_for_one_delivery_send_it_once(settings):
    # The after-commit task, the sweep's and a duplicate from the broker arrive together.
    from coupzii.tests.races import race

    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with WebhookReceiver(secret=SECRET) as receiver:
        webhook = endpoint(receiver)
        sent = WebhookDelivery.objects.create(
            webhook=webhook,
            event_id="6f1c1e1e-0000-4000-8000-0000000000aa",
            event=events.BUDGET_80,
            payload={"id": "6f1c1e1e-0000-4000-8000-0000000000aa"},
            next_attempt_at=timezone.now(),
        )
        results = race(
            [lambda: delivery.delivery_attempt(delivery_id=sent.pk, attempts=0)] * 4
            + [lambda: delivery.delivery_attempt(delivery_id=sent.pk)] * 2
        )

    assert results.count(DeliveryStatus.DELIVERED) == 1
    assert results.count(None) == 5
    assert len(receiver.requests) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_rows_another_transaction_holds(settings):
    # A delivery whose outcome is being written right now is not queued a second time.
    import threading

    from django.db import connection, transaction

    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with WebhookReceiver(secret=SECRET) as receiver:
        webhook = endpoint(receiver)
        held, free = (
            WebhookDelivery.objects.create(
                webhook=webhook,
                event_id=event_id,
                event=events.BUDGET_80,
                payload={"id": event_id},
                next_attempt_at=timezone.now() - timedelta(minutes=1),
            )
            for event_id in (
                "6f1c1e1e-0000-4000-8000-0000000000b1",
                "6f1c1e1e-0000-4000-8000-0000000000b2",
            )
        )
        queued = []

        def sweep_elsewhere():
            try:
                queued.append(tasks.deliver_due_webhooks())
            finally:
                connection.close()

        with transaction.atomic():
            WebhookDelivery.objects.select_for_update().get(pk=held.pk)
            thread = threading.Thread(target=sweep_elsewhere)
            thread.start()
            thread.join(timeout=10)

    assert queued == [1]
    assert [r["json"]["id"] for r in receiver.requests] == [str(free.event_id)]


def test_an_endpoint_deleted_while_its_delivery_was_on_the_wire_records_nothing():
    webhook = Webhook.objects.create(brand=BrandFactory(), url="https://8.8.8.8/", secret=SECRET)
    sent = WebhookDelivery.objects.create(
        webhook=webhook,
        event_id="6f1c1e1e-0000-4000-8000-0000000000c1",
        event=events.BUDGET_80,
        payload={},
    )
    webhook.delete()
    outcome = delivery.Outcome(status=200, body="ok", error="")
    assert delivery.attempt_record(delivery_id=sent.pk, outcome=outcome) is None
