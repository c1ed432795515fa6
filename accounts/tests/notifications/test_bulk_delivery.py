"""notifications_send's deliveries: queued a few hundred a message, each delivered once and
retried on its own (the tests run Celery eagerly, retries included)."""

import pytest

from accounts import sms
from accounts.notifications import Notice, notifications_send
from accounts.notifications import services as notification_services
from accounts.tests.factories import UserFactory
from coupzii.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def texting_shopper(number: int):
    return UserFactory(phone=f"+9198765432{number:02d}", notify_by_sms=True)


def test_a_batch_queues_one_message_per_few_hundred_deliveries(
    django_capture_on_commit_callbacks, monkeypatch
):
    # given: three shoppers who take email and texts (six deliveries), two deliveries a message
    monkeypatch.setattr(notification_services, "DELIVERIES_PER_TASK", 2)
    shoppers = [texting_shopper(n) for n in range(3)]

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications_send(
            [Notice(user=user, kind="cashback_confirmed", title="confirmed") for user in shoppers]
        )

    # then: three messages after the commit, not six
    assert len(callbacks) == 3


def test_each_delivery_of_a_batch_happens_once_and_a_failed_text_is_retried_alone(
    django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    # given: two shoppers who take email and texts, and an SMS provider down for the first text
    first, second = texting_shopper(1), texting_shopper(2)
    send = sms.LocmemBackend.send
    attempts = []

    def down_once(self, *, to, body):
        attempts.append(to)
        if len(attempts) == 1:
            raise sms.SmsProviderUnavailable("HTTP 503")
        return send(self, to=to, body=body)

    monkeypatch.setattr(sms.LocmemBackend, "send", down_once)
    # Run the tasks the way a worker would: a failed delivery retries instead of raising.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notifications_send(
            [
                Notice(user=first, kind="cashback_confirmed", title="₹50.00 confirmed"),
                Notice(user=second, kind="cashback_confirmed", title="₹75.00 confirmed"),
            ]
        )

    # then: one email each, never sent again by the text's retry, and each text sent once
    assert sorted(message.to[0] for message in mailoutbox) == sorted([first.email, second.email])
    assert sorted(text["to"] for text in sms.outbox) == sorted([first.phone, second.phone])
    assert sorted(attempts) == sorted([first.phone, first.phone, second.phone])
