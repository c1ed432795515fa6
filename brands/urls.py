"""The brand portal under /brand/: the picker, the application and invitations (team), then
one brand's pages under /brand/<slug>/, each area in its own sub-package."""

from django.urls import include, path

from .webhooks.dev_receiver import dev_webhook_receive

app_name = "brands"

urlpatterns = [
    path("", include("brands.team.urls")),
    # Development only: plays a brand's server for the demo's webhook (404 in production).
    path(
        "dev/webhook-receiver/<uuid:public_id>/",
        dev_webhook_receive,
        name="dev_webhook_receiver",
    ),
    path("<slug:brand_slug>/", include("brands.analytics.urls")),
    path("<slug:brand_slug>/coupons/", include("brands.coupons.urls")),
    path("<slug:brand_slug>/books/", include("brands.books.urls")),
    path("<slug:brand_slug>/till/", include("brands.till.urls")),
    path("<slug:brand_slug>/webhooks/", include("brands.webhooks.urls")),
]
