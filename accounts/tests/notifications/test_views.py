"""The notifications page and its mark-read buttons."""

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.notifications import notification_send, unread_count
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/notifications/"


def notify(user, title="Welcome to Coupzii", **fields):
    fields.setdefault("kind", "welcome")
    return notification_send(user=user, title=title, channels=(), **fields)


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_lists_only_the_users_own_notifications_newest_first(client):
    user, other = UserFactory(), UserFactory()
    notify(user, "₹120.00 cashback confirmed", body="From your Myntra order.", link="/wallet/")
    notify(other, "Someone else's withdrawal")
    notify(user, "New sign-in from Chrome on Android", kind="security")
    client.force_login(user)

    response = client.get(LIST_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else&#x27;s withdrawal" not in page
    assert page.index("New sign-in from Chrome") < page.index("₹120.00 cashback confirmed")
    assert "From your Myntra order." in page
    assert 'href="/wallet/"' in page
    assert "Mark all as read" in page


def test_unread_notifications_are_highlighted_and_read_ones_are_not(client):
    user = UserFactory()
    unread = notify(user, "Unread one")
    read = notify(user, "Read one")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client.force_login(user)

    page = client.get(LIST_URL).content.decode()

    assert page.count('cz-notification-unread">') == 1
    assert page.count('cz-notification-read">') == 1
    assert reverse("notification_mark_read", args=[unread.public_id]) in page
    assert reverse("notification_mark_read", args=[read.public_id]) not in page


def test_the_header_bell_shows_the_unread_count(client):
    user = UserFactory()
    for title in ("One", "Two", "Three"):
        notify(user, title)
    client.force_login(user)

    page = client.get(LIST_URL).content.decode()

    assert 'aria-label="Notifications, 3 unread"' in page
    assert f'aria-label="Account menu for {user.get_short_name()}"' in page
    assert reverse("profile") in page
    assert reverse("two_factor") in page


def test_the_page_is_paginated_20_to_a_page(client):
    user = UserFactory()
    for number in range(25):
        notify(user, f"Notification #{number:02d}")
    client.force_login(user)

    first = client.get(LIST_URL).content.decode()
    second = client.get(LIST_URL, {"page": 2}).content.decode()

    assert first.count('class="cz-card cz-notification') == 20
    assert "Notification #24" in first and "Notification #05" in first
    assert "Notification #04" not in first
    assert second.count('class="cz-card cz-notification') == 5
    assert "Notification #04" in second and "Notification #00" in second
    assert "Page 2 of 2" in second


def test_the_empty_page_says_there_are_no_notifications_yet(client):
    client.force_login(UserFactory())

    page = client.get(LIST_URL).content.decode()

    assert "No notifications yet" in page
    assert "we'll tell you here" in page
    assert "Mark all as read" not in page


def test_mark_read_marks_one_and_returns_to_the_same_page(client):
    user = UserFactory()
    notification = notify(user)
    client.force_login(user)

    response = client.post(
        reverse("notification_mark_read", args=[notification.public_id]) + "?page=2"
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?page=2"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_cannot_mark_another_users_notification(client):
    owner, intruder = UserFactory(), UserFactory()
    notification = notify(owner)
    client.force_login(intruder)

    response = client.post(reverse("notification_mark_read", args=[notification.public_id]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_is_post_only(client):
    user = UserFactory()
    notification = notify(user)
    client.force_login(user)

    assert (
        client.get(reverse("notification_mark_read", args=[notification.public_id])).status_code
        == 405
    )
    assert client.get(reverse("notifications_mark_all_read")).status_code == 405
    assert unread_count(user) == 1


def test_mark_all_read_marks_only_the_users_own(client):
    user, other = UserFactory(), UserFactory()
    notify(user, "One")
    notify(user, "Two")
    notify(other, "Theirs")
    client.force_login(user)

    response = client.post(reverse("notifications_mark_all_read") + "?page=javascript:x")

    assert response["Location"] == LIST_URL
    assert unread_count(user) == 0
    assert unread_count(other) == 1
    assert "All notifications are marked as read." in client.get(LIST_URL).content.decode()
