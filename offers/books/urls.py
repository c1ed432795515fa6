"""Pages for unique codes: the shopper's "My codes", and the claim button's POST."""

from django.urls import path

from . import views

urlpatterns = [
    path("my-codes/", views.my_codes, name="my_codes"),
    path("offers/<uuid:public_id>/claim/", views.offer_claim, name="offer_claim"),
]
