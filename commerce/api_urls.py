"""Shop API under /api/v1/: products, cart, checkout, payments webhook, orders."""

from django.urls import path

from . import api

urlpatterns: list = []
