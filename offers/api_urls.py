"""Routes under /api/v1/offers/: reads, the click-out and unique-code claims."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("", include("offers.clickout.api_urls")),
    path("", include("offers.books.api_urls")),
    path("", api.OfferListView.as_view(), name="api-offer-list"),
    path("trending/", api.TrendingOfferListView.as_view(), name="api-offer-trending"),
    path("expiring/", api.ExpiringOfferListView.as_view(), name="api-offer-expiring"),
    path("<uuid:public_id>/", api.OfferDetailView.as_view(), name="api-offer-detail"),
]
