"""Catalog routes under /api/v1/: categories and the merchant list.

A merchant's page and search show offers, so they are offers' routes (offers/api_urls.py,
mounted at /api/v1/ too): catalog never names the app above it.
"""

from django.urls import path

from . import api

urlpatterns = [
    path("categories/", api.CategoryTreeView.as_view(), name="api-category-tree"),
    path("merchants/", api.MerchantListView.as_view(), name="api-merchant-list"),
]
