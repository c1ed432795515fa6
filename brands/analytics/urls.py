"""The dashboard (/brand/<slug>/) and the analytics pages (/brand/<slug>/analytics/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("analytics/", views.analytics, name="analytics"),
    path("analytics/export/", views.analytics_export, name="analytics_export"),
]
