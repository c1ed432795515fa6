"""Shopper pages: the locker under /locker/, the marketplace under /marketplace/, each area in
its own sub-package."""

from django.urls import include, path

app_name = "marketplace"

urlpatterns = [
    path("locker/", include("marketplace.locker.urls")),
    path("locker/scans/", include("marketplace.scan.urls")),
    path("marketplace/purchases/", include("marketplace.purchases.urls")),
    path("marketplace/disputes/", include("marketplace.disputes.urls")),
    path("marketplace/swaps/", include("marketplace.swaps.urls")),
    path("marketplace/ratings/", include("marketplace.ratings.urls")),
    path("marketplace/", include("marketplace.listings.urls")),
]
