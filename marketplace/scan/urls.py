"""Screenshot pages under /locker/scans/ (names in the "marketplace" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("new/", views.scan_new, name="scan-new"),
    path("<uuid:public_id>/", views.scan_detail, name="scan"),
    path("<uuid:public_id>/image/", views.scan_image, name="scan-image"),
]
