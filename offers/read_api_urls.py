"""Offer read routes under /api/v1/offers/: the list, trending, expiring and one offer."""

from django.urls import path

from . import read_api

urlpatterns = [
    path("", read_api.OfferListView.as_view(), name="api-offer-list"),
    path("trending/", read_api.TrendingOfferListView.as_view(), name="api-offer-trending"),
    path("expiring/", read_api.ExpiringOfferListView.as_view(), name="api-offer-expiring"),
    path("<uuid:public_id>/", read_api.OfferDetailView.as_view(), name="api-offer-detail"),
]
