"""Routes under /api/v1/affiliate/postback/."""

from django.urls import path

from .api import AffiliatePostbackView

urlpatterns = [
    path("<slug:network>/", AffiliatePostbackView.as_view(), name="affiliate-postback"),
]
