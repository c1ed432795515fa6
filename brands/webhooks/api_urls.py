"""Webhook endpoints over the API, under /api/v1/brand/webhooks/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.WebhooksView.as_view(), name="brand-webhooks"),
    path("<uuid:public_id>/", api.WebhookView.as_view(), name="brand-webhook"),
    path(
        "<uuid:public_id>/rotate-secret/",
        api.WebhookRotateView.as_view(),
        name="brand-webhook-rotate-secret",
    ),
    path("<uuid:public_id>/ping/", api.WebhookPingView.as_view(), name="brand-webhook-ping"),
    path(
        "<uuid:public_id>/deliveries/",
        api.DeliveriesView.as_view(),
        name="brand-webhook-deliveries",
    ),
    path(
        "deliveries/<uuid:public_id>/redeliver/",
        api.RedeliverView.as_view(),
        name="brand-webhook-redeliver",
    ),
]
