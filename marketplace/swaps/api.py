"""Swaps over the API under /api/v1/exchanges/ (the seed's `exchange/request` and friends):
ask, list mine (incoming or outgoing), read one, accept, reject, cancel.

Thin views: parse with an input serializer (400 with field messages), call the service or
selector, answer with the output serializer. Another shopper's swap is 404.
"""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from coupzii.core.pagination import PageNumberPagination
from coupzii.core.serializers import BAD_QUERY, ApiErrorSerializer, enum_field, money, parse_query

from .. import errors
from ..models import Benefit, Exchange, ExchangeStatus
from . import selectors, services

TAGS = ["swaps"]
SIGNED_OUT = OpenApiResponse(ApiErrorSerializer, description="`not_authenticated`.")
NOT_YOURS = OpenApiResponse(ApiErrorSerializer, description="`exchange_not_found`: none of yours.")
NOT_PENDING = OpenApiResponse(
    ApiErrorSerializer,
    description="`exchange_not_pending`: already answered, cancelled or expired.",
)
PUBLIC_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The swap's id."
)


# --- Shapes ------------------------------------------------------------------------------------


class SwapCouponSerializer(serializers.Serializer):
    """One side of a swap; the code is never shown here (it moves to the new owner's locker)."""

    id = serializers.UUIDField(source="public_id")
    store = serializers.CharField(source="store_label")
    benefit = enum_field("LockerBenefit", Benefit.choices)
    worth = money(allow_null=True)
    min_order = money(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class ExchangeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    role = serializers.SerializerMethodField(help_text="`incoming`: offered to me.")
    status = enum_field("ExchangeStatus", ExchangeStatus.choices)
    offered = SwapCouponSerializer(help_text="The requester's coupon.")
    wanted = SwapCouponSerializer(help_text="The responder's (listed) coupon.")
    listing = serializers.UUIDField(
        source="listing.public_id", allow_null=True, help_text="The wanted coupon's listing."
    )
    cash = money(help_text="Rupees the requester adds, from their wallet.")
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_role(self, exchange) -> str:
        user = self.context["request"].user
        return selectors.INCOMING if exchange.responder_id == user.pk else selectors.OUTGOING


class ExchangeRequestSerializer(serializers.Serializer):
    wanted = serializers.UUIDField(
        help_text="The coupon asked for (its id, or its live listing's id)."
    )
    offered = serializers.UUIDField(help_text="One of my coupons (active, or listed by me).")
    cash = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=services.MAX_CASH,
        default=Decimal("0"),
        help_text="Rupees I add from my wallet's available balance (0 to 10,000).",
    )
    message = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ExchangeQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=selectors.ROLES, default=selectors.INCOMING)
    status = serializers.ChoiceField(choices=ExchangeStatus.choices, required=False, default="")


def _answer(exchange, request, code=status.HTTP_200_OK) -> Response:
    return Response(ExchangeSerializer(exchange, context={"request": request}).data, status=code)


def _mine(request, public_id) -> Exchange:
    exchange = selectors.exchange_for(request.user, public_id)
    if exchange is None:
        raise errors.ExchangeNotFound()
    return exchange


# --- Views -------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="My swaps",
        description="Swaps offered to me (`role=incoming`, the default) or asked by me "
        "(`outgoing`), newest first, paginated; filter by `status`.",
        parameters=[ExchangeQuerySerializer],
        responses={
            200: ExchangeSerializer(many=True),
            400: BAD_QUERY,
            401: SIGNED_OUT,
            404: OpenApiResponse(ApiErrorSerializer, description="`not_found`: no such page."),
        },
    ),
    post=extend_schema(
        tags=TAGS,
        summary="Ask for a swap",
        description="Offer one of my coupons (and optionally rupees from my wallet) for a "
        "listed coupon. The owner has 48 hours to answer; they are notified.",
        request=ExchangeRequestSerializer,
        responses={
            201: ExchangeSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="`invalid`: by field."),
            401: SIGNED_OUT,
            404: OpenApiResponse(
                ApiErrorSerializer,
                description="`listing_not_found` (not on offer) or `coupon_not_found` (the "
                "offered coupon is not mine).",
            ),
            409: OpenApiResponse(
                ApiErrorSerializer,
                description="`own_listing`, `coupon_not_available`, `coupon_not_swappable`, "
                "`listing_not_for_sale`, `insufficient_funds`, `exchange_already_pending`.",
            ),
        },
    ),
)
class ExchangeListView(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination
    serializer_class = ExchangeSerializer
    queryset = Exchange.objects.none()  # for the schema generator

    def get_queryset(self):
        query = parse_query(ExchangeQuerySerializer, self.request)
        return selectors.exchanges_for(self.request.user, **query)

    def create(self, request, *args, **kwargs) -> Response:
        parsed = ExchangeRequestSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        exchange = services.exchange_request(
            requester=request.user,
            wanted_public_id=parsed.validated_data["wanted"],
            offered_public_id=parsed.validated_data["offered"],
            cash=parsed.validated_data["cash"],
            message=parsed.validated_data["message"],
        )
        exchange = selectors.exchange_for(request.user, exchange.public_id)
        return _answer(exchange, request, status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS,
    summary="One of my swaps",
    parameters=[PUBLIC_ID],
    responses={200: ExchangeSerializer, 401: SIGNED_OUT, 404: NOT_YOURS},
)
class ExchangeDetailView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ExchangeSerializer

    def get(self, request, public_id) -> Response:
        return _answer(_mine(request, public_id), request)


class _ActionView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ExchangeSerializer

    def act(self, request, exchange):  # pragma: no cover - each action overrides it
        raise NotImplementedError

    def post(self, request, public_id) -> Response:
        exchange = _mine(request, public_id)
        self.act(request, exchange)
        return _answer(selectors.exchange_for(request.user, public_id), request)


@extend_schema(
    tags=TAGS,
    summary="Accept a swap offered to me",
    description="Both codes move at once (each to the other's locker) with the rupees, if "
    "any; other pending swaps for either coupon are withdrawn.",
    request=None,
    parameters=[PUBLIC_ID],
    responses={
        200: ExchangeSerializer,
        401: SIGNED_OUT,
        404: NOT_YOURS,
        409: OpenApiResponse(
            ApiErrorSerializer,
            description="`exchange_not_pending`; `exchange_withdrawn` (a coupon is no longer "
            "available, the swap is withdrawn); `coupon_being_bought` (a payment for it is "
            "under way, try later); `insufficient_funds` (the requester can't pay the rupees "
            "now; nothing moved).",
        ),
    },
)
class ExchangeAcceptView(_ActionView):
    def act(self, request, exchange):
        services.exchange_accept(responder=request.user, public_id=exchange.public_id)


@extend_schema(
    tags=TAGS,
    summary="Decline a swap offered to me",
    request=None,
    parameters=[PUBLIC_ID],
    responses={200: ExchangeSerializer, 401: SIGNED_OUT, 404: NOT_YOURS, 409: NOT_PENDING},
)
class ExchangeRejectView(_ActionView):
    def act(self, request, exchange):
        services.exchange_reject(responder=request.user, public_id=exchange.public_id)


@extend_schema(
    tags=TAGS,
    summary="Cancel my swap offer",
    request=None,
    parameters=[PUBLIC_ID],
    responses={200: ExchangeSerializer, 401: SIGNED_OUT, 404: NOT_YOURS, 409: NOT_PENDING},
)
class ExchangeCancelView(_ActionView):
    def act(self, request, exchange):
        services.exchange_cancel(requester=request.user, public_id=exchange.public_id)
