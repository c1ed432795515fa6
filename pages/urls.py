"""Site page routes."""

from django.urls import path

from .views import PageView

urlpatterns = [
    path("pages/<slug:slug>/", PageView.as_view(), name="page_detail"),
]
