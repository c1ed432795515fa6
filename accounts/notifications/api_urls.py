"""Routes under /api/v1/notifications/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.NotificationListView.as_view(), name="api-notifications"),
    path("unread-count/", api.UnreadCountView.as_view(), name="api-notifications-unread-count"),
    path("read-all/", api.NotificationReadAllView.as_view(), name="api-notifications-read-all"),
    # Any string, not <uuid:>: a malformed id then answers the API's 404 error shape from the
    # service instead of Django's HTML 404 page.
    path("<str:public_id>/read/", api.NotificationReadView.as_view(), name="api-notification-read"),
]
