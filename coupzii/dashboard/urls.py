"""The dashboard's routes, mounted at /admin/ before the admin's own: its index is the
dashboard (still named admin:index by the admin, which it stands in for)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", admin.site.admin_view(views.dashboard), name="index"),
    path(
        "dashboard/export/<slug:chart>.<str:fmt>",
        admin.site.admin_view(views.export),
        name="export",
    ),
]
