"""The listings API under /api/v1/marketplace/listings/: browse (filters, sorts, pages), one
listing, list a locker coupon for sale (answering the fee and the payout), withdraw a listing.

Reading needs no sign-in; writing does. A code is never in any answer. A coupon or listing of
another shopper answers 404.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.serializers import (
    BAD_QUERY,
    MONEY,
    ApiErrorSerializer,
    enum_field,
    money,
    parse_query,
)

from ..models import Benefit, Listing, ListingStatus
from . import selectors, services

TAGS = ["marketplace listings"]
LISTING_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The listing's id."
)
INVALID = OpenApiResponse(
    ApiErrorSerializer,
    description=_("`invalid` (messages by field), `price_too_low`, `price_too_high`."),
)
SIGNED_OUT = OpenApiResponse(ApiErrorSerializer, description=_("`not_authenticated`."))
LISTING_NOT_FOUND = OpenApiResponse(
    ApiErrorSerializer, description=_("`listing_not_found`: no such listing (for sale / yours).")
)


# --- Shapes ------------------------------------------------------------------------------------


class ListingQuerySerializer(serializers.Serializer):
    category = serializers.SlugField(required=False, help_text=_("A category's slug."))
    store = serializers.SlugField(required=False, help_text=_("A store's slug."))
    min_price = serializers.DecimalField(**MONEY, min_value=0, required=False)
    max_price = serializers.DecimalField(**MONEY, min_value=0, required=False)
    min_discount = serializers.DecimalField(
        **MONEY, min_value=0, required=False, help_text=_("The least the coupon saves (₹).")
    )
    expiring = serializers.BooleanField(
        required=False, default=False, help_text=_("Only coupons expiring within 7 days.")
    )
    verified = serializers.BooleanField(
        required=False, default=False, help_text=_("Only verified resales.")
    )
    sort = serializers.ChoiceField(
        choices=list(selectors.SORTS),
        default="newest",
        help_text=_("newest, price (low first), saving (worth - price, big first), expiry."),
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate(self, data):
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": [_("Make this at least min_price.")]})
        return data


class ListingStoreSerializer(serializers.Serializer):
    slug = serializers.CharField(allow_null=True, source="merchant.slug", default=None)
    name = serializers.SerializerMethodField()

    def get_name(self, listing) -> str:
        return listing.merchant.name if listing.merchant_id else listing.store_name


class ListingSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField(
        source="display_title", help_text=_("In the language the request asks for.")
    )
    store = ListingStoreSerializer(source="*")
    category = serializers.CharField(source="category.slug", allow_null=True, default=None)
    benefit = enum_field("LockerBenefit", Benefit.choices, source="coupon.benefit")
    benefit_value = money(source="coupon.benefit_value", allow_null=True)
    max_discount = money(source="coupon.max_discount", allow_null=True)
    price = money()
    worth = money(help_text=_("The most the coupon saves."))
    saving = serializers.SerializerMethodField(help_text=_("worth - price."))
    expires_on = serializers.DateField(allow_null=True)
    verified = serializers.BooleanField()
    swap_welcome = serializers.BooleanField()
    dispute_hours = serializers.SerializerMethodField(
        help_text=_("How long the buyer has to report a code that does not work.")
    )
    created_at = serializers.DateTimeField()

    def get_saving(self, listing) -> str:
        return f"{listing.worth - listing.price:.2f}"

    def get_dispute_hours(self, listing) -> int:
        if listing.verified:
            return settings.MARKETPLACE_DISPUTE_HOURS_VERIFIED
        return settings.MARKETPLACE_DISPUTE_HOURS


class ListingSellerSerializer(serializers.Serializer):
    rating = serializers.DecimalField(
        max_digits=2, decimal_places=1, allow_null=True, help_text=_("Average stars, 1-5.")
    )
    ratings = serializers.IntegerField()
    sales = serializers.IntegerField(help_text=_("Completed sales."))


class ListingDetailSerializer(ListingSerializer):
    coupon_id = serializers.UUIDField(
        source="coupon.public_id", help_text=_("To offer a swap for it (POST /exchanges/).")
    )
    min_order = money(source="coupon.min_order", allow_null=True)
    seller = serializers.SerializerMethodField()

    @extend_schema_field(ListingSellerSerializer)
    def get_seller(self, listing) -> dict:
        return self.context["reputation"]


class OwnListingSerializer(ListingSerializer):
    status = enum_field("MarketplaceListingStatus", ListingStatus.choices)
    fee = money()
    payout = money(help_text=_("What the seller gets: price - fee."))


class ListingCreateSerializer(serializers.Serializer):
    coupon_id = serializers.UUIDField(help_text=_("The locker coupon's id."))
    price = serializers.DecimalField(**MONEY, min_value=1)
    swap_welcome = serializers.BooleanField(default=False)


# --- Views -------------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class ListingListView(generics.GenericAPIView):
    serializer_class = ListingSerializer
    queryset = Listing.objects.none()  # for the schema generator; requests use selectors

    @extend_schema(
        summary="Browse coupons for sale",
        parameters=[ListingQuerySerializer],
        responses={200: ListingSerializer(many=True), 400: BAD_QUERY},
    )
    def get(self, request):
        query = parse_query(ListingQuerySerializer, request)
        listings = selectors.listings_browse(
            category=query.get("category"),
            store=query.get("store"),
            min_price=query.get("min_price"),
            max_price=query.get("max_price"),
            min_discount=query.get("min_discount"),
            expiring=query["expiring"],
            verified=query["verified"],
            sort=query["sort"],
        )
        page = self.paginate_queryset(listings)
        return self.get_paginated_response(ListingSerializer(page, many=True).data)

    @extend_schema(
        summary="List a locker coupon for sale",
        request=ListingCreateSerializer,
        responses={
            201: OwnListingSerializer,
            400: INVALID,
            401: SIGNED_OUT,
            403: OpenApiResponse(ApiErrorSerializer, description=_("`seller_suspended`.")),
            404: OpenApiResponse(
                ApiErrorSerializer, description=_("`coupon_not_found`: not in your locker.")
            ),
            409: OpenApiResponse(
                ApiErrorSerializer,
                description=_(
                    "`coupon_not_available` (not active, no worth, expires within 24 hours), "
                    "`code_already_listed` (live or sold elsewhere, a shop's gift card, a book "
                    "code someone else holds)."
                ),
            ),
        },
    )
    def post(self, request):
        data = ListingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        coupon = selectors.coupon_to_sell(
            user=request.user, public_id=data.validated_data["coupon_id"]
        )
        listing = services.listing_create(
            seller=request.user,
            coupon=coupon,
            price=data.validated_data["price"],
            swap_welcome=data.validated_data["swap_welcome"],
        )
        listing = selectors.listing_of_seller(user=request.user, public_id=listing.public_id)
        return Response(OwnListingSerializer(listing).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[LISTING_ID])
class ListingDetailView(APIView):
    @extend_schema(
        summary="A coupon for sale",
        responses={200: ListingDetailSerializer, 404: LISTING_NOT_FOUND},
    )
    def get(self, request, public_id):
        listing = selectors.listing_for_buyer(public_id)
        reputation = selectors.seller_reputation([listing.seller_id])[listing.seller_id]
        body = ListingDetailSerializer(listing, context={"reputation": reputation}).data
        return Response(body)


@extend_schema(tags=TAGS, parameters=[LISTING_ID])
class ListingWithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Withdraw my listing (the coupon goes back to the locker)",
        request=None,
        responses={
            200: OwnListingSerializer,
            401: SIGNED_OUT,
            404: LISTING_NOT_FOUND,
            409: OpenApiResponse(
                ApiErrorSerializer,
                description=_("`listing_not_for_sale`: sold, withdrawn, or being paid for."),
            ),
        },
    )
    def post(self, request, public_id):
        listing = selectors.listing_of_seller(user=request.user, public_id=public_id)
        services.listing_withdraw(seller=request.user, listing=listing)
        listing = selectors.listing_of_seller(user=request.user, public_id=public_id)
        return Response(OwnListingSerializer(listing).data)
