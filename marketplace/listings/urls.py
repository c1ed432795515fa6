"""Marketplace pages under /marketplace/ (names in the "marketplace" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.listing_list, name="listings"),
    path("sell/<uuid:coupon_public_id>/", views.listing_new, name="listing-new"),
    path("selling/", views.selling, name="selling"),
    path("<uuid:public_id>/", views.listing_detail, name="listing"),
    path("<uuid:public_id>/withdraw/", views.listing_withdraw, name="listing-withdraw"),
]
