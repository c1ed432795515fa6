"""Listing API routes under /api/v1/marketplace/."""

from django.urls import path

from . import api

urlpatterns = [
    path("listings/", api.ListingListView.as_view(), name="api-marketplace-listings"),
    path(
        "listings/<uuid:public_id>/",
        api.ListingDetailView.as_view(),
        name="api-marketplace-listing",
    ),
    path(
        "listings/<uuid:public_id>/withdraw/",
        api.ListingWithdrawView.as_view(),
        name="api-marketplace-listing-withdraw",
    ),
]
