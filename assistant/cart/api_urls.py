"""The cart optimiser's API route."""

from django.urls import path

from . import api

urlpatterns = [
    path("analyze-cart/", api.AnalyzeCartView.as_view(), name="assistant-analyze-cart"),
]
