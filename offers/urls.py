"""Offer pages: browsing and search, the click-out redirect, and the shopper's codes."""

from django.urls import include, path

urlpatterns = [
    path("", include("offers.click_urls")),
    path("", include("offers.book_urls")),
    path("", include("offers.page_urls")),
]
