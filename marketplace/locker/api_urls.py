"""Locker API routes under /api/v1/locker/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.LockerListView.as_view(), name="locker-api"),
    path("<uuid:public_id>/", api.LockerCouponView.as_view(), name="locker-api-coupon"),
    path("<uuid:public_id>/used/", api.LockerCouponUsedView.as_view(), name="locker-api-used"),
]
