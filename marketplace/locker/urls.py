"""Locker pages under /locker/ (names in the "marketplace" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.locker, name="locker"),
    path("add/", views.coupon_add, name="locker-add"),
    path("<uuid:public_id>/", views.coupon_detail, name="locker-coupon"),
    path("<uuid:public_id>/edit/", views.coupon_edit, name="locker-edit"),
    path("<uuid:public_id>/used/", views.coupon_used, name="locker-used"),
    path("<uuid:public_id>/delete/", views.coupon_delete, name="locker-delete"),
]
