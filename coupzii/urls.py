"""Root URLs: pages, the admin, the API and its schema, health."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .health import health
from .metrics import metrics_view

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("health/", health, name="health"),
    path("metrics/", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("accounts.notifications.urls")),
    path("", include("catalog.urls")),
    path("", include("offers.urls")),
    path("", include("wallet.urls")),
    path("", include("commerce.urls")),
    path("", include("pages.urls")),
    path("", include("marketplace.urls")),
    path("assistant/", include("assistant.urls")),
    path("brand/", include("brands.urls")),
    # The operators' dashboard is the admin's home page: before the admin, which it stands in for.
    path("admin/", include("coupzii.dashboard.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from its own URL: no inline script.
    # It renders only its HTML template, so OPTIONS (which has no template) answers 405.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", metadata_class=None),
        name="api-docs",
    ),
    path("api/v1/", include("coupzii.api_urls")),
]

# The API's JSON 404 under /api/, the site's own page elsewhere.
handler404 = "coupzii.core.errors.not_found"

if settings.DEBUG:
    # The dev server shows uploaded and generated files (merchant logos); nginx does in production.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
