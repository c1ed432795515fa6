"""/api/v1/brand/analytics/..."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.AnalyticsView.as_view(), name="brand-analytics"),
    path(
        "products/<uuid:public_id>/",
        api.ProductAnalyticsView.as_view(),
        name="brand-analytics-product",
    ),
    path("export/", api.AnalyticsExportView.as_view(), name="brand-analytics-export"),
]
