"""Catalog pages, mounted at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path("merchants/", views.merchant_list, name="merchant_list"),
    path("categories/", views.category_list, name="category_list"),
]
