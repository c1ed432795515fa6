"""The notification-kind registry: apps register the kinds they send; accounts names none."""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts import sms
from accounts.models import Notification
from accounts.notifications import (
    NotificationKind,
    notification_kind,
    notification_kind_register,
    notification_kinds,
    notification_send,
)
from accounts.tests.factories import UserFactory

ACCOUNTS = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.mark.django_db
def test_a_kind_registered_by_another_app_is_sent_on_its_channels_with_no_migration(
    django_capture_on_commit_callbacks, mailoutbox
):
    # given: coupzii.testapp registered "pledge_update" (email and SMS) in its ready()
    user = UserFactory(phone="+919876543210", notify_by_sms=True)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(user=user, kind="pledge_update", title="Pledge paid")

    # then: stored, emailed and texted, and accounts needs no new migration for it
    assert Notification.objects.get(pk=notification.pk).kind == "pledge_update"
    assert [message.subject for message in mailoutbox] == ["Coupzii: Pledge paid"]
    assert [text["body"] for text in sms.outbox] == ["Coupzii: Pledge paid"]
    call_command("makemigrations", "accounts", check=True, dry_run=True, verbosity=0)


@pytest.mark.django_db
def test_a_kind_nobody_registered_is_refused():
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notification_send(user=UserFactory(), kind="pledge_refunded", title="Refunded")


def test_each_app_registers_the_kinds_it_sends():
    assert {
        "welcome",
        "security",
        "marketing",
        "operations",  # accounts
        "cashback_pending",
        "cashback_confirmed",
        "cashback_declined",
        "cashback_reversed",
        "withdrawal_update",
        "referral_joined",  # wallet
        "order_update",  # commerce
        "code_expiring",  # offers
        "pledge_update",  # the test app
    } <= set(notification_kinds())
    assert notification_kind("order_update").sms
    assert not notification_kind("cashback_pending").sms


def test_registering_a_taken_kind_differently_is_refused_and_the_same_again_is_harmless():
    notification_kind_register("pledge_update", notification_kind("pledge_update"))

    with pytest.raises(ValueError, match="already registered"):
        notification_kind_register("pledge_update", NotificationKind(label="Other", sms=False))
    with pytest.raises(ValueError, match="icon"):
        notification_kind_register("pledge_other", NotificationKind(label="x", icon="rocket"))
    assert "pledge_other" not in notification_kinds()


def test_accounts_names_no_kind_another_app_sends():
    # The kinds of wallet, commerce, offers and the test app appear nowhere in accounts' code.
    # demo.py is left out: it seeds the demo shopper's bell with sample rows of several apps
    # (a referral that joined), as sample data of the whole site, not as a rule of accounts.
    others = {"cashback_pending", "cashback_confirmed", "withdrawal_update", "order_update"}
    others |= {"code_expiring", "referral_joined", "pledge_update"}
    for path in ACCOUNTS.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "demo.py":
            continue
        strings = {
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not strings & others, path


@pytest.mark.django_db
def test_the_api_schema_and_the_list_page_show_a_registered_kind():
    user = UserFactory()
    notification_send(user=user, kind="pledge_update", title="Pledge paid", channels=())
    notification_send(user=user, kind="order_update", title="Order delivered", channels=())
    api = APIClient()
    api.force_authenticate(user)

    schema = APIClient().get("/api/schema/?format=json").json()
    listed = api.get("/api/v1/notifications/").json()
    page = Client()
    page.force_login(user)
    html = page.get("/notifications/").content.decode()

    kind_enum = schema["components"]["schemas"]["NotificationKindEnum"]["enum"]
    assert {"pledge_update", "order_update", "welcome"} <= set(kind_enum)
    kind_property = schema["components"]["schemas"]["Notification"]["properties"]["kind"]
    assert "order_update: Order update" in kind_property["description"]
    assert [row["kind"] for row in listed["results"]] == ["order_update", "pledge_update"]
    # each row draws its kind's icon: the parcel (order) and the gift (pledge), not the bell
    assert html.count('<path d="M21 8l-9-5-9 5 9 5 9-5z"/>') == 1
    assert html.count('<rect x="3" y="9" width="18" height="12" rx="1.5"/>') == 1
