"""The click-out redirect and the demo store page it may land on."""

from django.urls import path

from . import views as click_views

urlpatterns = [
    path("go/<uuid:public_id>/", click_views.go, name="offer_go"),
    path("demo-store/<slug:slug>/", click_views.demo_store, name="demo_store"),
]
