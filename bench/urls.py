"""The site's URLs plus the bare views that benchmarks compare against.

A bare view goes through the same middleware stack and the same gunicorn workers as the
subject, so the ratio subject/baseline isolates what the subject view itself costs.
"""

from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import MeView
from accounts.models import User
from accounts.serializers import MeSerializer
from coupzii.urls import urlpatterns as site_urlpatterns
from offers.models import Offer

BENCH_EMAIL = "bench@coupzii.test"


# The same decorators as /health/, so only the health checks differ between the two.
@never_cache
@require_GET
def bare(request):
    return JsonResponse({"status": "ok"})


class UnauthenticatedMe(MeView):
    """/api/v1/auth/me/ with authentication taken out: the same view and serializer for the
    bench user, looked up by one query as the JWT authentication would, so the ratio is the
    cost of verifying the token and checking its login was not revoked."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(MeSerializer(User.objects.get(email=BENCH_EMAIL)).data)


@never_cache
@require_GET
def one_query(request):
    """The offers list's baseline: one small query, JSON out, no framework in between."""
    rows = list(Offer.objects.order_by("id").values("public_id", "title")[:20])
    return JsonResponse(
        {"results": [{"id": str(r["public_id"]), "title": r["title"]} for r in rows]}
    )


@never_cache
@require_GET
def bare_redirect(request):
    """The click-out's baseline: a redirect and nothing else."""
    return HttpResponseRedirect("https://track.example/c?sub=bench")


class OneWrite(APIView):
    """The claim's baseline: one short write transaction per POST, signed in as a claim is
    (the site's API authentication, a Bearer access token, and its throttles).

    The transaction locks the caller's own user row and updates it. Each client writes a row
    of its own, as each claim takes a code of its own (`SKIP LOCKED`), so the clients do not
    queue on one hot row and the baseline measures a write, not a lock queue."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        with transaction.atomic():
            user = User.objects.select_for_update().only("pk").get(pk=request.user.pk)
            User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        return Response({"ok": True}, status=201)


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/one-write/", OneWrite.as_view(), name="bench-one-write"),
    path("bench/one-query/", one_query, name="bench-one-query"),
    path("bench/redirect/", bare_redirect, name="bench-redirect"),
    path("bench/me-unauthenticated/", UnauthenticatedMe.as_view(), name="bench-me"),
    *site_urlpatterns,
]
