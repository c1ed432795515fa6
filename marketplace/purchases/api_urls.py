"""Purchases API, under /api/v1/marketplace/purchases/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.PurchaseListCreateView.as_view(), name="api-marketplace-purchases"),
    path("<str:number>/", api.PurchaseDetailView.as_view(), name="api-marketplace-purchase"),
    path(
        "<str:number>/verify/",
        api.PurchaseVerifyView.as_view(),
        name="api-marketplace-purchase-verify",
    ),
]
