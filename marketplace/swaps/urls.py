"""Swap pages under /marketplace/swaps/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.swap_list, name="swaps"),
    path("new/<uuid:coupon_public_id>/", views.swap_new, name="swap-new"),
    path("<uuid:public_id>/", views.swap_detail, name="swap"),
    path("<uuid:public_id>/accept/", views.swap_accept, name="swap-accept"),
    path("<uuid:public_id>/reject/", views.swap_reject, name="swap-reject"),
    path("<uuid:public_id>/cancel/", views.swap_cancel, name="swap-cancel"),
]
