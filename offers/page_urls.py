"""Offer pages, mounted at the site root: all coupons, a category's and a merchant's offers,
and search (the header's search box appears once the `search` URL exists)."""

from django.urls import path

from . import page_views

urlpatterns = [
    path("coupons/", page_views.offer_list, name="offer_list"),
    path("categories/<slug:slug>/", page_views.category_detail, name="category_detail"),
    path("merchants/<slug:slug>/", page_views.merchant_detail, name="merchant_detail"),
    path("search/", page_views.search, name="search"),
    path("search/autocomplete/", page_views.search_autocomplete, name="search_autocomplete"),
]
