"""The click-out redirect."""

from django.urls import path

from . import click_views

urlpatterns = [
    path("go/<uuid:public_id>/", click_views.go, name="offer_go"),
]
