"""Catalog routes under /api/v1/: categories, merchants and search.

The merchant page and search show offers, so their views live in offers.api (offers
depends on catalog, never the reverse in models, selectors or services); only this routing
file names them.
"""

from django.urls import path

from offers import api as offer_read_api

from . import api

urlpatterns = [
    path("categories/", api.CategoryTreeView.as_view(), name="api-category-tree"),
    path("merchants/", api.MerchantListView.as_view(), name="api-merchant-list"),
    path(
        "merchants/<slug:slug>/",
        offer_read_api.MerchantDetailView.as_view(),
        name="api-merchant-detail",
    ),
    path("search/", offer_read_api.SearchView.as_view(), name="api-search"),
    path(
        "search/autocomplete/",
        offer_read_api.AutocompleteView.as_view(),
        name="api-search-autocomplete",
    ),
]
