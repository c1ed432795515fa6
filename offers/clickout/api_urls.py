"""Routes for the click-out API."""

from django.urls import path

from . import views as click_views

urlpatterns = [
    path("<uuid:public_id>/click/", click_views.ClickView.as_view(), name="api-offer-click"),
]
