"""Rating routes under /api/v1/marketplace/ratings/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.RatingCreateView.as_view(), name="api-ratings"),
]
