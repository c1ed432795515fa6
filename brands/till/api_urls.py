"""The till API, under /api/v1/brand/till/."""

from django.urls import path

from . import api

urlpatterns = [
    path("validate/", api.ValidateView.as_view(), name="brand-till-validate"),
    path("lock/", api.LockView.as_view(), name="brand-till-lock"),
    path("unlock/", api.UnlockView.as_view(), name="brand-till-unlock"),
    path("redeem/", api.RedeemView.as_view(), name="brand-till-redeem"),
    path("rollback/", api.RollbackView.as_view(), name="brand-till-rollback"),
]
