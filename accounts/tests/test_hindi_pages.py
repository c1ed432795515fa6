"""A Hindi reader sees Hindi where the site writes the text itself: notification titles and
bodies (whatever language the account was set to when they were sent), their times ("6
minutes ago"), and the password rules on the sign-up page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from rest_framework.test import APIClient

from accounts.models import Notification
from accounts.notifications import notification_send
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_notification_sent_in_english_reads_in_hindi_with_a_hindi_time(client):
    user = UserFactory(language="en")
    notification = notification_send(
        user=user,
        kind="withdrawal_update",
        title=lambda: gettext("Withdrawal of %(amount)s approved") % {"amount": "₹500.00"},
        body=gettext_lazy("It is in your available balance and can be withdrawn."),
        channels=(),
    )
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=6)
    )
    client.force_login(user)
    client.cookies["django_language"] = "hi"

    page = client.get("/notifications/").content.decode()

    assert "₹500.00 की निकासी मंज़ूर हो गई" in page
    assert "यह आपके उपलब्ध बैलेंस में है" in page
    assert "6 मिनट पहले" in page
    assert "minutes ago" not in page
    assert "Withdrawal of" not in page


def test_the_sign_up_page_states_the_password_rules_in_hindi(client):
    client.cookies["django_language"] = "hi"

    page = client.get("/accounts/signup/").content.decode()

    assert "आपके पासवर्ड में कम से कम 8 अक्षर होने चाहिए।" in page
    assert "Your password must contain" not in page
    assert "entirely numeric" not in page


@pytest.mark.parametrize(
    ("accept_language", "title"),
    [("hi", "₹500.00 की निकासी मंज़ूर हो गई"), ("en", "Withdrawal of ₹500.00 approved")],
)
def test_the_notification_api_answers_in_the_apps_language(accept_language, title):
    user = UserFactory(language="en")
    notification_send(
        user=user,
        kind="withdrawal_update",
        title=lambda: gettext("Withdrawal of %(amount)s approved") % {"amount": "₹500.00"},
        channels=(),
    )
    api = APIClient()
    api.force_authenticate(user)

    response = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == title


def test_a_wrong_password_is_refused_in_hindi_on_the_sign_in_page(client):
    # allauth ships no Hindi: its form errors come from our catalogue (accounts/allauth_strings)
    UserFactory(email="asha@example.in")
    client.cookies["django_language"] = "hi"

    page = client.post(
        "/accounts/login/", {"login": "asha@example.in", "password": "not-her-password"}
    ).content.decode()

    assert "आपका दिया ईमेल पता या पासवर्ड सही नहीं है।" in page
    assert "you specified are not correct" not in page
