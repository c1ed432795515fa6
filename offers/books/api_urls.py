"""Routes under /api/v1/offers/ for unique codes: claiming one, and the caller's codes.

`my-codes/` is the caller's list; /api/v1/me/codes/ is meant to alias it.
"""

from django.urls import path

from . import api

urlpatterns = [
    path("my-codes/", api.MyCodesView.as_view(), name="api-my-codes"),
    path("<uuid:public_id>/claim/", api.OfferClaimView.as_view(), name="api-offer-claim"),
]
