"""Screenshot API routes under /api/v1/locker/scans/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.ScanStartView.as_view(), name="scan-api"),
    path("<uuid:public_id>/", api.ScanDetailView.as_view(), name="scan-api-detail"),
    path("<uuid:public_id>/save/", api.ScanSaveView.as_view(), name="scan-api-save"),
]
