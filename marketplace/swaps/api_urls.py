"""Swap routes under /api/v1/exchanges/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.ExchangeListView.as_view(), name="api-exchanges"),
    path("<uuid:public_id>/", api.ExchangeDetailView.as_view(), name="api-exchange"),
    path("<uuid:public_id>/accept/", api.ExchangeAcceptView.as_view(), name="api-exchange-accept"),
    path("<uuid:public_id>/reject/", api.ExchangeRejectView.as_view(), name="api-exchange-reject"),
    path("<uuid:public_id>/cancel/", api.ExchangeCancelView.as_view(), name="api-exchange-cancel"),
]
