"""The locker over the API, /api/v1/locker/: list (filters, pages), add by hand, read, change,
delete, mark used. Thin views: parse with an input serializer, call the service or selector,
answer with an output serializer. Another shopper's coupon is 404.

(A screenshot upload is the scan area's POST /api/v1/locker/scans/.)
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category, Merchant
from coupzii.core.serializers import BAD_QUERY, MONEY, ApiErrorSerializer, enum_field, parse_query

from ..models import Benefit, CouponStatus, LockerCoupon, Source
from . import selectors, services

TAGS = ["locker"]
UNAUTHORIZED = OpenApiResponse(ApiErrorSerializer, description="Not signed in.")
NOT_FOUND = OpenApiResponse(ApiErrorSerializer, description="`coupon_not_found`: not yours.")
INVALID = OpenApiResponse(ApiErrorSerializer, description="`invalid`: messages by field.")
CONFLICT = OpenApiResponse(
    ApiErrorSerializer,
    description="`code_already_in_locker` (you hold this code), `coupon_listed` (withdraw "
    "the listing first), `coupon_not_available` (sold or swapped away).",
)
COUPON_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The coupon's id."
)


# --- Shapes ------------------------------------------------------------------------------------


class LockerMerchantSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class LockerCouponSerializer(serializers.Serializer):
    """A coupon in the caller's own locker: the code is theirs, so it is included."""

    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    source = enum_field("LockerSource", Source.choices)
    status = enum_field("LockerCouponStatus", CouponStatus.choices)
    store = serializers.CharField(
        source="store_label", help_text="The merchant's name, or the store typed in."
    )
    merchant = LockerMerchantSerializer(allow_null=True)
    category = serializers.CharField(source="category.slug", allow_null=True)
    benefit = enum_field("LockerBenefit", Benefit.choices)
    benefit_value = serializers.DecimalField(**MONEY, allow_null=True)
    min_order = serializers.DecimalField(**MONEY, allow_null=True)
    max_discount = serializers.DecimalField(**MONEY, allow_null=True)
    worth = serializers.DecimalField(**MONEY, allow_null=True, help_text="The most it saves.")
    expires_on = serializers.DateField(allow_null=True)
    terms = serializers.CharField()
    notes = serializers.CharField()
    used_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class LockerCouponInputSerializer(serializers.Serializer):
    """A coupon typed in by hand. For PATCH every field is optional and only those sent
    change."""

    code = serializers.CharField(max_length=100, help_text="3-64 characters; spaces dropped.")
    store = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="A store's name or website: matched to a merchant when one fits.",
    )
    merchant = serializers.SlugField(
        required=False, allow_null=True, help_text="A merchant's slug (instead of `store`)."
    )
    category = serializers.SlugField(
        required=False, allow_null=True, help_text="Else the merchant's category."
    )
    benefit = enum_field("LockerBenefit", Benefit.choices)
    benefit_value = serializers.DecimalField(
        **MONEY, required=False, allow_null=True, help_text="Percent, or rupees off."
    )
    min_order = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    max_discount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    worth = serializers.DecimalField(
        **MONEY,
        required=False,
        allow_null=True,
        help_text="What it saves, for BOGO or free shipping; worked out otherwise.",
    )
    expires_on = serializers.DateField(required=False, allow_null=True)
    terms = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, data):
        errors = {}
        if data.get("merchant"):
            merchant = Merchant.objects.filter(slug=data["merchant"]).first()
            if merchant is None:
                errors["merchant"] = [_("No store has this slug.")]
            data["merchant"] = merchant
        if data.get("category"):
            category = Category.objects.filter(slug=data["category"]).first()
            if category is None:
                errors["category"] = [_("No category has this slug.")]
            data["category"] = category
        if errors:
            raise serializers.ValidationError(errors)
        if "store" in data:
            data["store_name"] = data.pop("store")
        return data


class LockerListQuerySerializer(serializers.Serializer):
    source = enum_field("LockerSource", Source.choices, required=False)
    status = enum_field(
        "LockerStatusFilter",
        [(status.value, status.label) for status in selectors.STATUS_FILTERS],
        required=False,
        help_text="Left out: every coupon but sold ones.",
    )
    store = serializers.CharField(
        required=False, max_length=120, help_text="A merchant's slug, or a store typed in."
    )
    category = serializers.SlugField(required=False, help_text="A category's slug.")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


# --- Views -------------------------------------------------------------------------------------


def _coupon_response(request, coupon, *, status_code=status.HTTP_200_OK) -> Response:
    coupon = selectors.coupon_of(request.user, coupon.public_id)
    return Response(LockerCouponSerializer(coupon).data, status=status_code)


@extend_schema(tags=TAGS)
class LockerListView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = LockerCouponSerializer
    queryset = LockerCoupon.objects.none()  # for the schema generator; requests use selectors

    @extend_schema(
        summary="My locker",
        description="The caller's coupons, soonest expiry first (no expiry last).",
        parameters=[LockerListQuerySerializer],
        responses={200: LockerCouponSerializer(many=True), 400: BAD_QUERY, 401: UNAUTHORIZED},
    )
    def get(self, request):
        query = parse_query(LockerListQuerySerializer, request)
        coupons = selectors.locker_for(
            request.user,
            source=query.get("source"),
            status=query.get("status"),
            store=query.get("store"),
            category=query.get("category"),
        )
        page = self.paginate_queryset(coupons)
        return self.get_paginated_response(LockerCouponSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a coupon by hand",
        request=LockerCouponInputSerializer,
        responses={
            201: LockerCouponSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            409: CONFLICT,
        },
    )
    def post(self, request):
        parsed = LockerCouponInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        coupon = services.locker_coupon_add(
            owner=request.user, source=Source.MANUAL, **parsed.validated_data
        )
        return _coupon_response(request, coupon, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[COUPON_ID])
class LockerCouponView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One coupon of mine",
        responses={200: LockerCouponSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request, public_id):
        coupon = selectors.coupon_of(request.user, public_id)
        return Response(LockerCouponSerializer(coupon).data)

    @extend_schema(
        summary="Change a coupon (the fields sent)",
        request=LockerCouponInputSerializer(partial=True),
        responses={
            200: LockerCouponSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def patch(self, request, public_id):
        coupon = selectors.coupon_of(request.user, public_id)
        parsed = LockerCouponInputSerializer(data=request.data, partial=True)
        parsed.is_valid(raise_exception=True)
        coupon = services.locker_coupon_update(coupon=coupon, changes=parsed.validated_data)
        return _coupon_response(request, coupon)

    @extend_schema(
        summary="Delete a coupon",
        description="A coupon once listed or offered in a swap is hidden rather than deleted.",
        responses={204: None, 401: UNAUTHORIZED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def delete(self, request, public_id):
        coupon = selectors.coupon_of(request.user, public_id)
        services.locker_coupon_delete(coupon=coupon)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS, parameters=[COUPON_ID])
class LockerCouponUsedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark a coupon used",
        request=None,
        responses={200: LockerCouponSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, public_id):
        coupon = selectors.coupon_of(request.user, public_id)
        coupon = services.locker_coupon_mark_used(coupon=coupon)
        return _coupon_response(request, coupon)
