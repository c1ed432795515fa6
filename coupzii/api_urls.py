"""Routes under /api/v1/: each app adds its own api_urls here."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("config/", api.client_config, name="api-config"),
    path("auth/", include("accounts.api_urls")),
    path("notifications/", include("accounts.notifications.api_urls")),
    # offers/..., and the merchant page, search and me/codes/ (offers/api_urls.py).
    path("", include("offers.api_urls")),
    path("affiliate/postback/", include("wallet.postback.api_urls")),
    path("", include("wallet.api_urls")),
    path("", include("catalog.api_urls")),
    path("", include("commerce.api_urls")),
    path("", include("marketplace.api_urls")),
    path("assistant/", include("assistant.api_urls")),
    path("brand/", include("brands.api_urls")),
]
