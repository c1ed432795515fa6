"""Routes under /api/v1/: each app adds its own api_urls here."""

from django.urls import path

from . import api

urlpatterns = [
    path("config/", api.client_config, name="api-config"),
]
