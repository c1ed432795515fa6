"""The site's URLs plus the bare views that benchmarks compare against.

A bare view goes through the same middleware stack and the same gunicorn workers as the
subject, so the ratio subject/baseline isolates what the subject view itself costs.
"""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coupzii.urls import urlpatterns as site_urlpatterns


# The same decorators as /health/, so only the health checks differ between the two.
@never_cache
@require_GET
def bare(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    *site_urlpatterns,
]
