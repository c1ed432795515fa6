"""notifications_send: many notifications at once, each as notification_send would send it."""

import pytest
from django.utils.translation import gettext_lazy

from accounts import sms
from accounts.models import Notification
from accounts.notifications import Notice, in_app_only, notifications_send
from accounts.tests.factories import UserFactory

PENDING_BODY = "It becomes available once the store confirms the purchase."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_each_notice_is_stored_in_every_language_and_delivered_on_its_own_channels(
    django_capture_on_commit_callbacks, mailoutbox
):
    # given: one shopper who takes email and texts, one who takes neither
    both = UserFactory(phone="+919876543210", notify_by_sms=True)
    quiet = UserFactory(notify_by_email=False, notify_by_sms=False)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        rows = notifications_send(
            [
                Notice(user=both, kind="cashback_confirmed", title="₹50.00 confirmed"),
                Notice(
                    user=quiet,
                    kind="cashback_pending",
                    title=gettext_lazy(
                        "It becomes available once the store confirms the purchase."
                    ),
                    link="/wallet/",
                ),
            ]
        )

    # then: both rows, in order, and only the first went out (email and SMS)
    assert [row.user for row in rows] == [both, quiet]
    stored = Notification.objects.order_by("pk")
    assert [(n.kind, n.title, n.link) for n in stored] == [
        ("cashback_confirmed", "₹50.00 confirmed", ""),
        ("cashback_pending", PENDING_BODY, "/wallet/"),
    ]
    assert stored[1].title_hi and stored[1].title_hi != stored[1].title_en
    assert [message.to for message in mailoutbox] == [[both.email]]
    assert len(sms.outbox) == 1


def test_a_bad_notice_refuses_the_whole_batch_before_anything_is_written():
    user = UserFactory()
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notifications_send(
            [
                Notice(user=user, kind="cashback_pending", title="fine"),
                Notice(user=user, kind="no_such_kind", title="not fine"),
            ]
        )
    assert not Notification.objects.exists()


def test_in_app_only_sends_nothing_beyond_the_rows(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory()
    with in_app_only(), django_capture_on_commit_callbacks(execute=True):
        notifications_send([Notice(user=user, kind="cashback_confirmed", title="quiet")])
    assert Notification.objects.filter(user=user).count() == 1
    assert mailoutbox == []


def test_nothing_to_send_writes_nothing():
    assert notifications_send([]) == []
