"""Routes under /api/v1/offers/: reads, the click-out and unique-code claims."""

from django.urls import include, path

urlpatterns = [
    path("", include("offers.click_api_urls")),
    path("", include("offers.book_api_urls")),
    path("", include("offers.read_api_urls")),
]
