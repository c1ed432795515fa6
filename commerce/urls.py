"""Shop pages: gift cards, cart, checkout (and the dev gateway's pay page), orders."""

from django.urls import path

from . import views

urlpatterns: list = []
