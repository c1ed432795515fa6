"""The click-out: /go/<offer>/ for browsers, POST .../click/ for apps, and the demo store page
that demo merchants' links land on."""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors as catalog_selectors
from catalog.models import Merchant
from coupzii.core.errors import Conflict, NotFound
from coupzii.core.http import client_ip
from coupzii.core.serializers import ApiErrorSerializer

from . import services as clickout


class OfferEnded(Conflict):
    code = "offer_ended"
    default_message = _lazy("This offer has ended.")


def _signed_in_user_id(request) -> int | None:
    # The session's user id, without the database query `request.user` would cost.
    user_id = request.session.get(SESSION_KEY)
    return int(user_id) if user_id else None


@never_cache
@require_safe
def demo_store(request, slug):
    """A stand-in for a demo merchant's site, where its demo tracking link lands
    (settings.OFFERS_DEMO_STORE_HOSTS): the store's name, the click id it received as sub-id,
    and a plain note that nothing can be bought here. Off (404) when no demo host is set."""
    if not settings.OFFERS_DEMO_STORE_HOSTS:
        raise Http404
    try:
        merchant = catalog_selectors.merchant_by_slug(slug)
    except Merchant.DoesNotExist:
        raise Http404 from None
    try:
        click_id = uuid.UUID(request.GET.get("sub", ""))
    except ValueError:
        click_id = None
    response = render(
        request,
        "offers/demo_store.html",
        {
            "merchant": merchant,
            "website_host": urlsplit(merchant.website).hostname or "",
            "click_id": click_id,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_safe
def go(request, public_id):
    snapshot = clickout.offer_for_clickout(public_id)
    if snapshot is None:
        raise Http404
    if not clickout.is_live(snapshot):
        messages.info(request, _("That offer has ended. Here is what the store has now."))
        if snapshot["merchant_active"]:
            return redirect("merchant_detail", slug=snapshot["merchant_slug"])
        return redirect("home")
    click_id = clickout.click_record(
        snapshot=snapshot,
        user_id=_signed_in_user_id(request),
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        referrer=request.META.get("HTTP_REFERER", ""),
    )
    response = HttpResponseRedirect(clickout.tracking_url(snapshot, click_id))
    # Our page addresses are none of the store's business.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class ClickOutSerializer(serializers.Serializer):
    click_id = serializers.UUIDField(help_text="The sub-id the affiliate network reports back.")
    redirect_url = serializers.URLField(help_text="Open this in the browser: the store, tracked.")
    code = serializers.CharField(help_text="The coupon code to paste, for code offers; else empty.")


class ClickView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["offers"],
        summary="Click out to the store",
        description=(
            "Records the click (its id is what earns cashback) and answers where to send the "
            "shopper. 404 `not_found` for an unknown offer, 409 `offer_ended` for one that "
            "is no longer live."
        ),
        request=None,
        responses={
            200: ClickOutSerializer,
            404: OpenApiResponse(ApiErrorSerializer, description="`not_found`."),
            409: OpenApiResponse(ApiErrorSerializer, description="`offer_ended`."),
        },
    )
    def post(self, request, public_id):
        snapshot = clickout.offer_for_clickout(public_id)
        if snapshot is None:
            raise NotFound(_("No such offer."))
        if not clickout.is_live(snapshot):
            raise OfferEnded()
        user = request.user
        click_id = clickout.click_record(
            snapshot=snapshot,
            user_id=user.pk if user.is_authenticated else None,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        body = {
            "click_id": click_id,
            # Absolute: the demo store is a path on this site, and an app needs the full URL.
            "redirect_url": request.build_absolute_uri(clickout.tracking_url(snapshot, click_id)),
            "code": snapshot["code"],
        }
        return Response(ClickOutSerializer(body).data)
