"""Routes under /api/v1/: each app adds its own api_urls here."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("config/", api.client_config, name="api-config"),
    path("auth/", include("accounts.api_urls")),
    path("notifications/", include("accounts.notification_api_urls")),
    path("offers/", include("offers.api_urls")),
    path("", include("catalog.api_urls")),
]
