"""The notifications API under /api/v1/notifications/."""

import uuid

import pytest
from rest_framework.test import APIClient

from accounts.notifications import notification_send, unread_count
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def notify(user, title="Welcome to Coupzii", **fields):
    fields.setdefault("kind", "welcome")
    return notification_send(user=user, title=title, channels=(), **fields)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_endpoint_needs_authentication():
    anonymous = APIClient()
    some_id = uuid.uuid4()

    responses = [
        anonymous.get(URL),
        anonymous.get(f"{URL}unread-count/"),
        anonymous.post(f"{URL}read-all/"),
        anonymous.post(f"{URL}{some_id}/read/"),
    ]

    assert [response.status_code for response in responses] == [401] * 4
    assert {response.json()["error"]["code"] for response in responses} == {"not_authenticated"}


def test_list_shows_the_callers_notifications_newest_first(api, user):
    first = notify(user, "Welcome to Coupzii", link="/")
    notify(UserFactory(), "Someone else's")
    second = notify(user, "₹120.00 cashback confirmed", kind="cashback_confirmed", body="Myntra")

    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [str(second.public_id), str(first.public_id)]
    assert body["results"][0] == {
        "id": str(second.public_id),
        "kind": "cashback_confirmed",
        "title": "₹120.00 cashback confirmed",
        "body": "Myntra",
        "link": "",
        "read_at": None,
        "created_at": body["results"][0]["created_at"],
    }
    assert body["results"][0]["created_at"]


def test_list_filters_unread_and_read(api, user):
    read = notify(user, "Read")
    unread = notify(user, "Unread")
    api.post(f"{URL}{read.public_id}/read/")

    only_unread = api.get(URL, {"unread": "true"}).json()["results"]
    only_read = api.get(URL, {"unread": "false"}).json()["results"]

    assert [item["id"] for item in only_unread] == [str(unread.public_id)]
    assert [item["id"] for item in only_read] == [str(read.public_id)]
    assert only_read[0]["read_at"] is not None


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    api, user, page_size, django_assert_num_queries
):
    for number in range(60):
        notify(user, f"Notification {number}")

    # One COUNT for the paginator and one SELECT for the page.
    with django_assert_num_queries(2):
        response = api.get(URL, {"page_size": page_size, "unread": "true"})

    assert len(response.json()["results"]) == page_size


def test_mark_read_marks_the_callers_notification(api, user):
    notification = notify(user)

    response = api.post(f"{URL}{notification.public_id}/read/")

    assert response.status_code == 200
    assert response.json()["id"] == str(notification.public_id)
    assert response.json()["read_at"] is not None
    assert unread_count(user) == 0


def test_one_user_cannot_read_or_change_another_users_notifications(api, user):
    # given someone else's notification
    owner = UserFactory()
    theirs = notify(owner, "Your withdrawal of ₹500.00 is paid")

    # when the caller lists, marks it, and marks all
    listed = api.get(URL).json()
    marked = api.post(f"{URL}{theirs.public_id}/read/")
    api.post(f"{URL}read-all/")

    # then they saw nothing and changed nothing
    assert listed["count"] == 0
    assert marked.status_code == 404
    assert marked.json() == {
        "error": {"code": "not_found", "message": "This notification does not exist.", "fields": {}}
    }
    assert unread_count(owner) == 1


def test_mark_read_of_an_unknown_or_malformed_id_answers_404_in_the_error_shape(api):
    unknown = api.post(f"{URL}{uuid.uuid4()}/read/")
    malformed = api.post(f"{URL}42/read/")

    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json()["error"]["code"] == malformed.json()["error"]["code"] == "not_found"


def test_read_all_answers_how_many_were_marked(api, user):
    for title in ("One", "Two", "Three"):
        notify(user, title)

    first = api.post(f"{URL}read-all/")
    second = api.post(f"{URL}read-all/")

    assert first.status_code == 200
    assert first.json() == {"marked": 3}
    assert second.json() == {"marked": 0}


def test_unread_count_counts_only_the_callers_unread(api, user):
    notify(user, "One")
    notify(user, "Two")
    notify(UserFactory(), "Theirs")

    response = api.get(f"{URL}unread-count/")

    assert response.status_code == 200
    assert response.json() == {"unread": 2}


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    paths = schema["paths"]
    assert set(paths["/api/v1/notifications/"]) == {"get"}
    assert set(paths["/api/v1/notifications/{public_id}/read/"]) == {"post"}
    assert set(paths["/api/v1/notifications/read-all/"]) == {"post"}
    assert set(paths["/api/v1/notifications/unread-count/"]) == {"get"}
    parameters = {
        parameter["name"] for parameter in paths["/api/v1/notifications/"]["get"]["parameters"]
    }
    assert {"unread", "page", "page_size"} <= parameters
    notification = schema["components"]["schemas"]["Notification"]["properties"]
    assert set(notification) == {"id", "kind", "title", "body", "link", "read_at", "created_at"}
    read_responses = paths["/api/v1/notifications/{public_id}/read/"]["post"]["responses"]
    assert {"200", "404"} <= set(read_responses)
