"""Rating pages under /marketplace/ratings/."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:number>/", views.rate, name="rate"),
]
