"""Routes under /api/v1/: the locker, the marketplace and exchanges (swaps)."""

from django.urls import include, path

urlpatterns = [
    path("locker/", include("marketplace.locker.api_urls")),
    path("locker/scans/", include("marketplace.scan.api_urls")),
    path("marketplace/purchases/", include("marketplace.purchases.api_urls")),
    path("marketplace/disputes/", include("marketplace.disputes.api_urls")),
    path("marketplace/ratings/", include("marketplace.ratings.api_urls")),
    path("marketplace/", include("marketplace.listings.api_urls")),
    path("exchanges/", include("marketplace.swaps.api_urls")),
]
