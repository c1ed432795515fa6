"""Purchase pages, under /marketplace/purchases/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.purchase_list, name="purchases"),
    path("buy/<uuid:listing_public_id>/", views.buy, name="buy"),
    path("<str:number>/", views.purchase_detail, name="purchase"),
    path("<str:number>/pay/", views.purchase_pay, name="purchase-pay"),
]
