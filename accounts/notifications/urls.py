"""Routes under /notifications/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read-all/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
    path("<uuid:public_id>/read/", views.notification_mark_read, name="notification_mark_read"),
]
