"""accounts.notifications: the in-app row, the email and SMS channel rules, and marking read."""

import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from accounts import notifications, sms
from accounts.models import Notification
from accounts.notifications import (
    notification_mark_read,
    notification_send,
    notifications_for,
    notifications_mark_all_read,
    unread_count,
)
from accounts.tests.factories import UserFactory
from coupzii.core.errors import NotFound

from ..test_sms import INVALID_NUMBER, twilio  # noqa: F401  (the loopback Twilio fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """notification_send, with the after-commit deliveries run as a real commit would."""

    def send_now(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notification_send(**kwargs)

    return send_now


def shopper(**fields):
    fields.setdefault("phone", "+919876543210")
    return UserFactory(**fields)


# --- The in-app row ----------------------------------------------------------------------------


def test_notification_send_always_saves_the_in_app_row_even_with_every_channel_off(
    send, mailoutbox
):
    user = shopper(notify_by_email=False, notify_by_sms=False)

    notification = send(
        user=user, kind="withdrawal_update", title="Withdrawal paid", body="₹500.00 sent to UPI."
    )

    assert notifications_for(user).get() == notification
    assert notification.read_at is None
    assert (notification.kind, notification.title) == ("withdrawal_update", "Withdrawal paid")
    assert mailoutbox == []
    assert sms.outbox == []


def test_notification_send_stores_the_text_in_every_language_for_whoever_reads_it(send):
    # An English-speaking user who later switches the site to Hindi sees Hindi, and back.
    user = shopper(language="en")

    notification = send(
        user=user,
        kind="welcome",
        title=lambda: gettext("Withdrawal of %(amount)s approved") % {"amount": "₹500.00"},
        body=gettext_lazy("Sign in"),
        channels=(),
    )

    stored = Notification.objects.get(pk=notification.pk)
    with translation.override("hi"):
        assert (stored.title, stored.body) == ("₹500.00 की निकासी मंज़ूर हो गई", "साइन इन")
    with translation.override("en"):
        assert (stored.title, stored.body) == ("Withdrawal of ₹500.00 approved", "Sign in")


def test_a_notification_without_hindi_text_shows_english_to_a_hindi_reader(send):
    notification = send(user=shopper(), kind="welcome", title="Ledger check", channels=())
    Notification.objects.filter(pk=notification.pk).update(title_hi=None)

    with translation.override("hi"):
        assert Notification.objects.get(pk=notification.pk).title == "Ledger check"


def test_emails_go_in_the_users_own_language(send, mailoutbox):
    user = shopper(language="hi")

    send(user=user, kind="welcome", title=gettext_lazy("Sign in"), channels=("email",))

    assert mailoutbox[0].subject == "Coupzii: साइन इन"


def test_notification_send_refuses_unknown_kinds_channels_and_unsafe_links():
    user = shopper()

    with pytest.raises(ValueError, match="kind"):
        notification_send(user=user, kind="birthday", title="Happy birthday")
    with pytest.raises(ValueError, match="channel"):
        notification_send(user=user, kind="welcome", title="Hi", channels=("push",))
    with pytest.raises(ValueError, match="link"):
        notification_send(user=user, kind="welcome", title="Hi", link="javascript:alert(1)")
    with pytest.raises(ValidationError):
        notification_send(user=user, kind="welcome", title="x" * 141)
    assert not Notification.objects.exists()


# --- Email -----------------------------------------------------------------------------------


def test_notification_send_emails_only_when_the_user_allows_it(send, mailoutbox):
    allows = shopper(notify_by_email=True)
    opted_out = shopper(notify_by_email=False, phone="+919876543211")

    send(user=allows, kind="cashback_confirmed", title="₹120.00 cashback confirmed")
    send(user=opted_out, kind="cashback_confirmed", title="₹80.00 cashback confirmed")

    assert [message.to for message in mailoutbox] == [[allows.email]]


def test_notification_email_is_plain_text_with_the_body_and_an_absolute_link(
    send, mailoutbox, settings
):
    settings.SITE_URL = "https://coupzii.in"
    user = shopper(full_name="Asha Verma")

    send(
        user=user,
        kind="cashback_confirmed",
        title="₹120.00 cashback confirmed",
        body="Your Myntra order's cashback is now in your wallet.",
        link="/wallet/",
        channels=("email",),
    )

    [message] = mailoutbox
    assert message.subject == "Coupzii: ₹120.00 cashback confirmed"
    assert message.alternatives == []  # plain text only
    assert message.body.startswith("Hi Asha,\n")
    assert "Your Myntra order's cashback is now in your wallet." in message.body
    assert "https://coupzii.in/wallet/" in message.body
    assert "choose which emails" in message.body


def test_security_notices_are_emailed_even_when_account_emails_are_off(send, mailoutbox):
    user = shopper(notify_by_email=False, notify_by_sms=False)

    send(user=user, kind="security", title="New sign-in from Chrome on Android")

    [message] = mailoutbox
    assert message.to == [user.email]
    assert "always email security notices" in message.body
    assert sms.outbox == []  # the SMS opt-out still holds


def test_marketing_needs_consent_for_email_and_is_never_texted(send, mailoutbox):
    consented = shopper(marketing_consent=True)
    not_consented = shopper(marketing_consent=False, phone="+919876543211")

    send(user=consented, kind="marketing", title="Diwali gift card sale")
    send(user=not_consented, kind="marketing", title="Diwali gift card sale")

    assert [message.to for message in mailoutbox] == [[consented.email]]
    assert sms.outbox == []
    assert Notification.objects.filter(kind="marketing").count() == 2  # both see it in-app


# --- SMS -------------------------------------------------------------------------------------


def test_notification_send_texts_only_kinds_that_allow_sms(send):
    user = shopper()

    send(user=user, kind="referral_joined", title="Ravi joined with your code")
    send(user=user, kind="withdrawal_update", title="Withdrawal of ₹500.00 paid")

    assert sms.outbox == [
        {"to": "+919876543210", "body": "Coupzii: Withdrawal of ₹500.00 paid"},
    ]


def test_notification_send_texts_only_users_who_allow_it_and_have_a_phone(send):
    texts_ok = shopper()
    opted_out = shopper(phone="+919876543211", notify_by_sms=False)
    no_phone = shopper(phone=None)

    for user in (texts_ok, opted_out, no_phone):
        send(user=user, kind="order_update", title="Your Amazon gift card is ready")

    assert [message["to"] for message in sms.outbox] == [texts_ok.phone]


def test_sms_text_is_trimmed_and_keeps_the_link(send, settings):
    settings.SITE_URL = "https://coupzii.in"
    user = shopper()

    send(
        user=user,
        kind="order_update",
        title="Your gift card is ready",
        body="Long details. " * 40,
        link="/orders/CZ-1042/",
        channels=("sms",),
    )

    [text] = sms.outbox
    assert len(text["body"]) <= notifications.SMS_MAX_LENGTH
    assert text["body"].endswith("... https://coupzii.in/orders/CZ-1042/")


def test_a_text_twilio_refuses_is_dropped_without_failing_the_notification(
    send,
    twilio,  # noqa: F811
    caplog,
):
    user = shopper(phone=INVALID_NUMBER)

    notification = send(user=user, kind="security", title="Two-factor sign-in turned off")

    assert Notification.objects.filter(pk=notification.pk).exists()
    assert len(twilio.requests) == 1
    assert "is not a valid phone number" in caplog.text


def test_inactive_users_get_the_in_app_row_only(send, mailoutbox):
    user = shopper(is_active=False)

    send(user=user, kind="security", title="Password changed")

    assert notifications_for(user).count() == 1
    assert mailoutbox == []
    assert sms.outbox == []


def test_inside_in_app_only_nothing_is_emailed_or_texted(send, mailoutbox):
    user = shopper()

    with notifications.in_app_only():
        send(user=user, kind="security", title="Password changed")
    send(user=user, kind="security", title="Password changed again")

    assert notifications_for(user).count() == 2
    assert [m.subject for m in mailoutbox] == ["Coupzii: Password changed again"]
    assert len(sms.outbox) == 1


# --- After the commit only ---------------------------------------------------------------------


def test_nothing_is_sent_when_the_surrounding_transaction_rolls_back(
    django_capture_on_commit_callbacks, mailoutbox
):
    user = shopper()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notification_send(user=user, kind="cashback_confirmed", title="₹120.00 confirmed")
        raise RuntimeError("the cashback confirmation failed after notifying")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mailoutbox == []
    assert sms.outbox == []


def test_nothing_is_sent_before_the_commit(django_capture_on_commit_callbacks, mailoutbox):
    user = shopper()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(user=user, kind="cashback_confirmed", title="₹120.00 confirmed")

    assert len(callbacks) == 2  # one delivery per channel
    assert mailoutbox == []
    assert sms.outbox == []


def test_delivery_honours_a_channel_turned_off_after_sending(
    django_capture_on_commit_callbacks, mailoutbox
):
    # given a notification whose deliveries are queued
    user = shopper()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(user=user, kind="cashback_confirmed", title="₹120.00 confirmed")

    # when the user turns texts off before the worker gets to it
    user.notify_by_sms = False
    user.save(update_fields=["notify_by_sms"])
    for callback in callbacks:
        callback()

    # then the email goes and the text does not
    assert len(mailoutbox) == 1
    assert sms.outbox == []


# --- Reading and marking read --------------------------------------------------------------------


def test_notifications_for_lists_only_the_users_own_newest_first():
    user, other = shopper(), shopper(phone=None)
    first = notification_send(user=user, kind="welcome", title="Welcome", channels=())
    notification_send(user=other, kind="welcome", title="Welcome", channels=())
    second = notification_send(user=user, kind="referral_joined", title="Ravi joined", channels=())

    assert list(notifications_for(user)) == [second, first]
    assert unread_count(user) == 2


def test_notification_mark_read_marks_it_once(send):
    user = shopper()
    notification = send(user=user, kind="welcome", title="Welcome", channels=())

    marked = notification_mark_read(user=user, public_id=notification.public_id)
    again = notification_mark_read(user=user, public_id=str(notification.public_id))

    assert marked.read_at is not None
    assert again.read_at == marked.read_at
    assert unread_count(user) == 0


def test_notification_mark_read_cannot_touch_another_users_notification():
    owner, intruder = shopper(), shopper(phone=None)
    notification = notification_send(user=owner, kind="welcome", title="Welcome", channels=())

    with pytest.raises(NotFound):
        notification_mark_read(user=intruder, public_id=notification.public_id)
    with pytest.raises(NotFound):
        notification_mark_read(user=intruder, public_id=uuid.uuid4())
    with pytest.raises(NotFound):
        notification_mark_read(user=intruder, public_id="not-a-uuid")

    notification.refresh_from_db()
    assert notification.read_at is None


def test_notifications_mark_all_read_marks_only_the_users_unread_ones():
    user, other = shopper(), shopper(phone=None)
    for title in ("Welcome", "Ravi joined", "₹40.00 cashback pending"):
        notification_send(user=user, kind="welcome", title=title, channels=())
    notification_send(user=other, kind="welcome", title="Welcome", channels=())
    notification_mark_read(user=user, public_id=notifications_for(user).first().public_id)

    assert notifications_mark_all_read(user=user) == 2
    assert notifications_mark_all_read(user=user) == 0
    assert unread_count(user) == 0
    assert unread_count(other) == 1


def test_demo_notifications_are_seeded_once_and_sent_nowhere(settings, mailoutbox):
    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # accounts' own demo notices (the wallet's demo adds cashback and withdrawal ones)
    asha = Notification.objects.filter(
        user__email="asha@coupzii.test", kind__in=["referral_joined", "security", "welcome"]
    ).exclude(title__contains="bonus")
    assert sorted(asha.values_list("kind", flat=True)) == ["referral_joined", "security", "welcome"]
    assert asha.filter(read_at__isnull=True).count() == 2
    assert mailoutbox == []
    assert sms.outbox == []
