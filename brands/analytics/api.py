"""/api/v1/brand/analytics/...: the brand's figures from the daily rollups (totals, by day, by
offer; one product's figures; the Excel export), for the offers the caller may see."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.serializers import MONEY, ApiErrorSerializer, parse_query

from .. import access
from ..portal import BrandPermission, brand_header_parameter
from . import selectors
from .export import CONTENT_TYPE, analytics_workbook, export_filename
from .forms import default_range, range_errors

TAGS = ["brand analytics"]
ERRORS = {
    400: OpenApiResponse(
        ApiErrorSerializer,
        description="`invalid`: a bad date or range (under `fields`: start_date, end_date).",
    ),
    403: OpenApiResponse(ApiErrorSerializer, description="`permission_denied`."),
    404: OpenApiResponse(
        ApiErrorSerializer, description="Not a member of that brand, or no such object in it."
    ),
}


class DateRangeSerializer(serializers.Serializer):
    start_date = serializers.DateField(
        required=False,
        help_text=_("First day (YYYY-MM-DD, Asia/Kolkata). Default: 29 days before the end."),
    )
    end_date = serializers.DateField(
        required=False, help_text=_("Last day, included. Default: today. At most 366 days.")
    )

    def validate(self, data):
        # Without dates: the thirty days up to the end date (today by default).
        data.setdefault("end_date", default_range()[1])
        data.setdefault("start_date", default_range(data["end_date"])[0])
        errors = range_errors(data["start_date"], data["end_date"])
        if errors:
            raise serializers.ValidationError(errors)
        return data


def _money():
    return serializers.DecimalField(max_digits=14, decimal_places=MONEY["decimal_places"])


def _rate(help_text):
    return serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, help_text=help_text
    )


class FiguresSerializer(serializers.Serializer):
    views = serializers.IntegerField()
    clicks = serializers.IntegerField()
    claims = serializers.IntegerField()
    redemptions = serializers.IntegerField(help_text=_("Net of rollbacks."))
    revenue = _money()
    discount = _money()
    redemption_rate = _rate(_("Redemptions per click, in percent; null without clicks."))
    claim_rate = _rate(_("Claims per view, in percent; null without views."))


class DayFiguresSerializer(FiguresSerializer):
    date = serializers.DateField()


class OfferFiguresSerializer(FiguresSerializer):
    public_id = serializers.UUIDField(help_text=_("The offer's id."))
    title = serializers.CharField()
    status = serializers.CharField()
    department = serializers.CharField(allow_null=True)


class AnalyticsSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    totals = FiguresSerializer()
    days = DayFiguresSerializer(many=True)
    offers = OfferFiguresSerializer(many=True)


class ProductDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    redemptions = serializers.IntegerField()
    revenue = _money()
    discount = _money()


class ProductOfferSerializer(serializers.Serializer):
    public_id = serializers.UUIDField(help_text=_("The offer's id."))
    title = serializers.CharField()
    redemptions = serializers.IntegerField()
    revenue = _money()
    discount = _money()


class ProductAnalyticsSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    sku = serializers.CharField()
    name = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    days = ProductDaySerializer(many=True)
    offers = ProductOfferSerializer(many=True)


class _AnalyticsView(APIView):
    permission_classes = [IsAuthenticated, BrandPermission]
    brand_permission = access.VIEW_ANALYTICS

    def _scope(self) -> dict:
        dates = parse_query(DateRangeSerializer, self.request)
        return {
            "membership": self.request.membership,
            "start": dates["start_date"],
            "end": dates["end_date"],
        }


class AnalyticsView(_AnalyticsView):
    @extend_schema(
        tags=TAGS,
        summary="The brand's figures for a date range",
        description=(
            "Totals, every day of the range and every offer with activity in it (most "
            "redemptions first), from the daily rollups (today's refreshed every ten "
            "minutes). A department limited to its own offers sees only those."
        ),
        parameters=[brand_header_parameter, DateRangeSerializer],
        responses={200: AnalyticsSerializer, **ERRORS},
    )
    def get(self, request):
        scope = self._scope()
        return Response(
            AnalyticsSerializer(
                {
                    "start_date": scope["start"],
                    "end_date": scope["end"],
                    "totals": selectors.analytics_totals(**scope).as_dict(),
                    "days": selectors.analytics_by_day(**scope),
                    "offers": selectors.analytics_by_offer(**scope),
                }
            ).data
        )


class ProductAnalyticsView(_AnalyticsView):
    @extend_schema(
        tags=TAGS,
        summary="One product's figures by day and by offer",
        description=(
            "Redemptions whose basket named the product (a basket naming several products "
            "counts for each), with their order amount and discount."
        ),
        parameters=[
            brand_header_parameter,
            OpenApiParameter(
                "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The product."
            ),
            DateRangeSerializer,
        ],
        responses={200: ProductAnalyticsSerializer, **ERRORS},
    )
    def get(self, request, public_id):
        product = selectors.product_for(membership=request.membership, public_id=public_id)
        if product is None:
            raise Http404
        scope = {**self._scope(), "product": product}
        return Response(
            ProductAnalyticsSerializer(
                {
                    "public_id": product.public_id,
                    "sku": product.sku,
                    "name": product.name,
                    "start_date": scope["start"],
                    "end_date": scope["end"],
                    "days": selectors.product_by_day(**scope),
                    "offers": selectors.product_by_offer(**scope),
                }
            ).data
        )


class AnalyticsExportView(_AnalyticsView):
    brand_permission = access.EXPORT

    @extend_schema(
        tags=TAGS,
        summary="The date range as an Excel workbook",
        description=(
            "An .xlsx file: a summary sheet and one sheet per breakdown (day, offer, "
            "department, book, product); money as numbers in a rupee format."
        ),
        parameters=[brand_header_parameter, DateRangeSerializer],
        responses={
            (200, CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="The workbook, as an attachment."
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        scope = self._scope()
        response = HttpResponse(analytics_workbook(**scope), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export_filename(**scope)}"'
        return response
