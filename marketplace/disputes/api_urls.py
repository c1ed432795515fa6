"""Disputes API routes under /api/v1/marketplace/disputes/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.DisputeOpenView.as_view(), name="api-marketplace-disputes"),
    path("<uuid:public_id>/", api.DisputeDetailView.as_view(), name="api-marketplace-dispute"),
    path(
        "<uuid:public_id>/answer/",
        api.DisputeAnswerView.as_view(),
        name="api-marketplace-dispute-answer",
    ),
    path(
        "<uuid:public_id>/screenshot/",
        api.DisputeScreenshotView.as_view(),
        name="api-marketplace-dispute-screenshot",
    ),
]
