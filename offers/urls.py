"""Offer pages: browsing and search, the click-out redirect, and the shopper's codes.

The browsing pages are mounted at the site root: all coupons, a category's and a merchant's
offers, and search (the header's search box appears once the `search` URL exists).
"""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("offers.clickout.urls")),
    path("", include("offers.books.urls")),
    path("coupons/", views.offer_list, name="offer_list"),
    path("categories/<slug:slug>/", views.category_detail, name="category_detail"),
    path("merchants/<slug:slug>/", views.merchant_detail, name="merchant_detail"),
    path("search/", views.search, name="search"),
    path("search/autocomplete/", views.search_autocomplete, name="search_autocomplete"),
]
