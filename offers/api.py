"""The offers read API (open to everyone): offer lists with filters and sorts, one offer,
trending, expiring and "for you" rails, a merchant's page with its offers, search and autocomplete.

Views are thin: parse the query with an input serializer (400 with field messages), call a
selector, serialize. Lists run a fixed number of SQL queries and one Redis round trip for the
uses-today counters, whatever the page size, and one more that counts a view of each offer
they answer with (offers.views_counter).
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from catalog import selectors as catalog_selectors
from catalog.models import Merchant
from coupzii.core.errors import NotFound
from coupzii.core.pagination import PageNumberPagination
from coupzii.core.serializers import BAD_QUERY, ApiErrorSerializer, parse_query

from . import clickout, foryou, selectors
from .cache_coherence import catalog_version
from .models import Offer, OfferStatus
from .serializers import (
    AutocompleteInputSerializer,
    ExpiringInputSerializer,
    MerchantPageSerializer,
    OfferListInputSerializer,
    OfferSerializer,
    SearchInputSerializer,
    SearchResultsSerializer,
    SuggestionsSerializer,
)
from .views_counter import offer_views_count

TAGS = ["offers"]
# Lists are cached this long (and dropped at once when the catalog changes): short, because an
# offer that ends drops out of them by time, not by an edit.
LIST_CACHE_SECONDS = 60


def _page_cache_key(request) -> str:
    query = sorted(request.query_params.lists())
    digest = hashlib.sha256(repr(query).encode()).hexdigest()[:24]
    return f"api:offers:{catalog_version()}:{get_language()}:{digest}"


# A merchant page shows at most this many offers inline; the offers list has the rest.
MERCHANT_PAGE_OFFERS = 50

NOT_FOUND = OpenApiResponse(ApiErrorSerializer, description=_("No such item."))


class CountsViews:
    """For a paginated list view: each offer on the page answered counts one view."""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        offer_views_count(offer.pk for offer in (page if page is not None else []))
        return page


@extend_schema(
    tags=TAGS,
    summary="List live offers",
    description="Live offers (active, started, not ended), paginated, with filters and a sort: "
    "popular (most clicked), newest, ending (soonest end; only offers with an end date) or "
    "cashback (percentages before flat amounts, each by value).",
    parameters=[OfferListInputSerializer],
    responses={200: OfferSerializer(many=True), 400: BAD_QUERY},
)
class OfferListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = OfferSerializer
    queryset = Offer.objects.none()  # for the schema generator; requests use get_queryset

    def list(self, request, *args, **kwargs):
        """The page comes from a short-lived cache shared by everyone (the list is the same for
        all); only the uses-today counts are read fresh, in one Redis MGET."""
        key = _page_cache_key(request)
        cached = cache.get(key)
        if cached is None:
            response = super().list(request, *args, **kwargs)
            cache.set(key, {"data": response.data, "ids": self._page_offer_ids}, LIST_CACHE_SECONDS)
            return response
        data = cached["data"]
        offer_views_count(cached["ids"])
        fresh = clickout.uses_today(cached["ids"])
        for result, offer_id in zip(data["results"], cached["ids"], strict=True):
            result["uses_today"] = fresh[offer_id]
        return Response(data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_offer_ids = [offer.pk for offer in page]
        offer_views_count(self._page_offer_ids)
        return page

    def get_queryset(self):
        filters = parse_query(OfferListInputSerializer, self.request)
        try:
            return selectors.offers_list(
                merchant_slug=filters["merchant"],
                category_slug=filters["category"],
                kind=filters["kind"],
                discount_type=filters["discount_type"],
                min_discount=filters["min_discount"],
                has_cashback=filters["has_cashback"],
                sort=filters["sort"],
            )
        except selectors.InvalidFilter as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc


@extend_schema(
    tags=TAGS,
    summary="One offer",
    description="A live offer, or one that has ended (`is_live` false) so shared links still "
    "say what it was. Drafts, paused offers and offers that have not started answer 404.",
    parameters=[
        OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="id")
    ],
    responses={200: OfferSerializer, 404: NOT_FOUND},
)
class OfferDetailView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = OfferSerializer
    queryset = Offer.objects.none()

    def get(self, request, public_id):
        try:
            offer = selectors.offer_by_public_id(public_id)
        except Offer.DoesNotExist as exc:
            raise NotFound(_("No such offer.")) from exc
        if (
            offer.status in (OfferStatus.PAUSED, OfferStatus.DRAFT)
            or offer.starts_at > timezone.now()
            or not offer.merchant.is_active
        ):
            raise NotFound(_("No such offer."))
        offer_views_count([offer.pk])
        return Response(OfferSerializer(offer, context={"request": request}).data)


@extend_schema(
    tags=TAGS,
    summary="Trending offers",
    description="Live offers by clicks over the last day (recent clicks weigh more), hottest "
    "first; the top offers when nothing is trending. Paginated, at most 100 in all.",
    responses={200: OfferSerializer(many=True)},
)
class TrendingOfferListView(CountsViews, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = OfferSerializer
    queryset = Offer.objects.none()

    def get_queryset(self):
        return selectors.offers_trending(limit=PageNumberPagination.max_page_size)


class ForYouPageSerializer(serializers.Serializer):
    """A page of the "For you" rail: the offer list's shape, with whether it was picked for
    the caller and why."""

    personal = serializers.BooleanField(
        help_text=_("true when picked from the caller's own activity; false: trending offers.")
    )
    reason = serializers.CharField(
        help_text=_('Why these offers, e.g. "Because you shop Fashion"; "" when not personal.')
    )
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = OfferSerializer(many=True)


@extend_schema(
    tags=TAGS,
    summary="Offers for you",
    description="Live offers picked from the caller's clicks, claimed codes, gift-card orders "
    "and locker (recent activity weighs more), mixed with trending offers (about 3 in 10), "
    "never one the caller already claimed or used. Signed out, or with no activity yet: "
    f"trending offers, with `personal` false. At most {foryou.STORED}, paginated.",
    responses={200: ForYouPageSerializer},
)
class ForYouOfferListView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = OfferSerializer
    queryset = Offer.objects.none()

    def get(self, request):
        rail = selectors.offers_for_you(request.user, limit=foryou.STORED)
        page = self.paginate_queryset(rail.offers)
        offer_views_count(offer.pk for offer in page)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data = {"personal": rail.personal, "reason": rail.reason, **response.data}
        return response


@extend_schema(
    tags=TAGS,
    summary="Offers ending soon",
    description="Live offers ending within `within_days` days (default 3), soonest first.",
    parameters=[ExpiringInputSerializer],
    responses={200: OfferSerializer(many=True), 400: BAD_QUERY},
)
class ExpiringOfferListView(CountsViews, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = OfferSerializer
    queryset = Offer.objects.none()

    def get_queryset(self):
        filters = parse_query(ExpiringInputSerializer, self.request)
        return selectors.offers_expiring(within_days=filters["within_days"], limit=None)


# --- Mounted under the catalog paths (/api/v1/merchants/<slug>/, /api/v1/search/) ------------


@extend_schema(
    tags=["catalog"],
    summary="One merchant",
    description="A merchant with its cashback, terms and days to confirm cashback, up to "
    f"{MERCHANT_PAGE_OFFERS} live offers inline (the offers list filtered by `merchant` has "
    "all) and merchants sharing a category.",
    parameters=[
        OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="slug")
    ],
    responses={200: MerchantPageSerializer, 404: NOT_FOUND},
)
class MerchantDetailView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = MerchantPageSerializer
    queryset = Merchant.objects.none()

    def get(self, request, slug):
        try:
            merchant = catalog_selectors.merchant_by_slug(slug)
        except Merchant.DoesNotExist as exc:
            raise NotFound(_("No such merchant.")) from exc
        merchant.live_offers = list(selectors.offers_for_merchant(merchant)[:MERCHANT_PAGE_OFFERS])
        offer_views_count(offer.pk for offer in merchant.live_offers)
        merchant.related_merchants = list(catalog_selectors.merchants_related(merchant))
        return Response(MerchantPageSerializer(merchant, context={"request": request}).data)


@extend_schema(
    tags=["search"],
    summary="Search merchants and offers",
    description="Active merchants and live offers matching `q`, best match first (names and "
    "titles before descriptions; small typos are forgiven on PostgreSQL). Not paginated: at "
    "most `limit` of each.",
    parameters=[SearchInputSerializer],
    responses={200: SearchResultsSerializer, 400: BAD_QUERY},
)
class SearchView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = SearchResultsSerializer

    def get(self, request):
        query = parse_query(SearchInputSerializer, request)
        results = selectors.search(query["q"], limit=query["limit"])
        offer_views_count(offer.pk for offer in results.offers)
        return Response(SearchResultsSerializer(results, context={"request": request}).data)


@extend_schema(
    tags=["search"],
    summary="Search suggestions while typing",
    description="Merchant names and offer titles for `q`, merchants first; names starting "
    "with `q` before other matches.",
    parameters=[AutocompleteInputSerializer],
    responses={200: SuggestionsSerializer, 400: BAD_QUERY},
)
class AutocompleteView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = SuggestionsSerializer

    def get(self, request):
        query = parse_query(AutocompleteInputSerializer, request)
        return Response({"results": selectors.autocomplete(query["q"], limit=query["limit"])})
