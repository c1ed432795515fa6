"""Routes under /api/v1/brand/: brand staff (JWT, one brand at a time) and tills (API keys)."""

from django.urls import include, path

urlpatterns = [
    path("", include("brands.team.api_urls")),
    path("coupons/", include("brands.coupons.api_urls")),
    path("books/", include("brands.books.api_urls")),
    path("till/", include("brands.till.api_urls")),
    path("analytics/", include("brands.analytics.api_urls")),
    path("webhooks/", include("brands.webhooks.api_urls")),
]
