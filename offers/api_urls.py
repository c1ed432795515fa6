"""Offers' API routes, mounted at /api/v1/: offers under offers/ (reads, the click-out, claims),
and the catalog paths that show offers (a merchant's page and search: catalog sits below offers,
so their views live here), and the caller's codes at me/codes/ besides offers/my-codes/."""

from django.urls import include, path

from . import api
from .books import api as books_api

urlpatterns = [
    path("offers/", include("offers.clickout.api_urls")),
    path("offers/", include("offers.books.api_urls")),
    path("offers/", api.OfferListView.as_view(), name="api-offer-list"),
    path("offers/trending/", api.TrendingOfferListView.as_view(), name="api-offer-trending"),
    path("offers/for-you/", api.ForYouOfferListView.as_view(), name="api-offer-for-you"),
    path("offers/expiring/", api.ExpiringOfferListView.as_view(), name="api-offer-expiring"),
    path("offers/<uuid:public_id>/", api.OfferDetailView.as_view(), name="api-offer-detail"),
    path("me/codes/", books_api.MyCodesView.as_view(), name="api-me-codes"),
    path("merchants/<slug:slug>/", api.MerchantDetailView.as_view(), name="api-merchant-detail"),
    path("search/", api.SearchView.as_view(), name="api-search"),
    path("search/autocomplete/", api.AutocompleteView.as_view(), name="api-search-autocomplete"),
]
