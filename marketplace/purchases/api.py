"""The purchases API under /api/v1/marketplace/purchases/: buy a listing (wallet or Razorpay),
confirm a Razorpay payment, my purchases and sales, one purchase (the code for its buyer once
paid). Another shopper's purchase answers 404. Answers that may carry a code are no-store."""

from django.urls import reverse
from django.utils.cache import patch_cache_control
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
from rest_framework.request import Request
from rest_framework.response import Response

from commerce.services import gateway_key_id
from commerce.services.payments import payment_verify
from coupzii.core.idempotency import idempotency_key, idempotency_key_parameter
from coupzii.core.serializers import ApiErrorSerializer, enum_field, money, parse_query

from ..errors import PurchaseNotFound
from ..models import PaymentMethod, Purchase, PurchaseStatus
from . import selectors, services

TAGS = ["marketplace purchases"]
KEY_MAX_LENGTH = services.KEY_MAX_LENGTH
S = PurchaseStatus
CODE_SHOWN_FOR = (S.PAID, S.DISPUTED, S.RELEASED)

SIGNED_OUT = OpenApiResponse(ApiErrorSerializer, description=_("`not_authenticated`."))
NOT_FOUND = OpenApiResponse(
    ApiErrorSerializer, description=_("`purchase_not_found`: no such purchase of yours.")
)


# --- Shapes ------------------------------------------------------------------------------------


class PurchaseCreateSerializer(serializers.Serializer):
    listing_id = serializers.UUIDField(help_text=_("The listing's public id."))
    payment_method = enum_field("MarketplacePaymentMethod", PaymentMethod.choices)


class PurchaseQuerySerializer(serializers.Serializer):
    side = serializers.ChoiceField(
        choices=["bought", "sold"],
        default="bought",
        help_text=_("`bought` (default): my purchases; `sold`: my sales."),
    )


class PurchasePaymentVerifySerializer(serializers.Serializer):
    razorpay_order_id = serializers.CharField(max_length=64)
    razorpay_payment_id = serializers.CharField(max_length=64)
    razorpay_signature = serializers.CharField(max_length=128)


class PurchaseCheckoutSerializer(serializers.Serializer):
    """What Razorpay Checkout opens the payment with, while the purchase awaits it."""

    key_id = serializers.CharField(help_text=_("Razorpay's public key id."))
    gateway_order_id = serializers.CharField(help_text=_("Checkout's `order_id` option."))
    amount = serializers.IntegerField(help_text=_("In paise."))
    currency = serializers.CharField()
    pay_url = serializers.URLField(
        help_text=_("The web pay page (the dev gateway, or paying in a browser).")
    )


class PurchaseSerializer(serializers.ModelSerializer):
    listing_id = serializers.UUIDField(source="listing.public_id", read_only=True)
    title = serializers.CharField(source="listing.display_title", read_only=True)
    status = enum_field("MarketplacePurchaseStatus", PurchaseStatus.choices, read_only=True)
    method = enum_field("MarketplacePaymentMethod", PaymentMethod.choices, read_only=True)
    price = money()
    fee = money()
    role = serializers.SerializerMethodField(help_text=_("`buyer` or `seller`."))
    code = serializers.SerializerMethodField(
        help_text=_("The coupon code: for the buyer, once paid; otherwise null.")
    )
    payment = serializers.SerializerMethodField()

    class Meta:
        model = Purchase
        fields = [
            "number",
            "listing_id",
            "title",
            "status",
            "method",
            "price",
            "fee",
            "verified",
            "role",
            "code",
            "pay_by",
            "paid_at",
            "window_ends_at",
            "released_at",
            "refunded_at",
            "created_at",
            "payment",
        ]
        read_only_fields = fields

    def _is_buyer(self, purchase: Purchase) -> bool:
        return purchase.buyer_id == self.context["request"].user.pk

    @extend_schema_field(OpenApiTypes.STR)
    def get_role(self, purchase: Purchase) -> str:
        return "buyer" if self._is_buyer(purchase) else "seller"

    @extend_schema_field(OpenApiTypes.STR)
    def get_code(self, purchase: Purchase) -> str | None:
        shown = self._is_buyer(purchase) and purchase.status in CODE_SHOWN_FOR
        return purchase.buyer_coupon.code if shown and purchase.buyer_coupon_id else None

    @extend_schema_field(PurchaseCheckoutSerializer(allow_null=True))
    def get_payment(self, purchase: Purchase) -> dict | None:
        """Razorpay Checkout's options while a card purchase awaits payment (detail only)."""
        if not self.context.get("with_payment") or purchase.status != S.PENDING_PAYMENT:
            return None
        payment = selectors.purchase_open_payment(purchase)
        if payment is None or not self._is_buyer(purchase):
            return None
        request = self.context["request"]
        return {
            "key_id": gateway_key_id(),
            "gateway_order_id": payment.gateway_order_id,
            "amount": payment.amount_paise,
            "currency": payment.currency,
            "pay_url": request.build_absolute_uri(
                reverse("marketplace:purchase-pay", args=[purchase.number])
            ),
        }


def _answer(request: Request, purchase: Purchase, *, answer=status.HTTP_200_OK) -> Response:
    purchase = selectors.purchase_for(request.user, purchase.number)
    data = PurchaseSerializer(purchase, context={"request": request, "with_payment": True}).data
    response = Response(data, status=answer)
    patch_cache_control(response, no_store=True, private=True)  # it may carry the code
    return response


class ShopperView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PurchaseSerializer
    queryset = Purchase.objects.none()  # for the schema generator


# --- Views -------------------------------------------------------------------------------------


class PurchaseListCreateView(ShopperView, generics.ListAPIView):
    @extend_schema(
        tags=TAGS,
        summary="My marketplace purchases, or my sales",
        description="Newest first, paginated. `?side=sold` lists my sales instead. A code is "
        "shown only on the buyer's own paid purchases.",
        parameters=[PurchaseQuerySerializer],
        responses={
            200: PurchaseSerializer(many=True),
            400: OpenApiResponse(ApiErrorSerializer, description=_("`invalid`: a bad `side`.")),
            401: SIGNED_OUT,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, private=True)
        return response

    def get_queryset(self):
        side = parse_query(PurchaseQuerySerializer, self.request)["side"]
        return selectors.purchases_of(self.request.user, side=side)

    @extend_schema(
        tags=TAGS,
        summary="Buy a listed coupon",
        description=(
            "`payment_method` `wallet`: the price moves from the available balance into "
            "escrow and the code is delivered now (status `paid`, `code` set). `razorpay`: the "
            "purchase awaits payment (`pending_payment`) for a few minutes; `payment` holds "
            "Razorpay Checkout's options (`amount` in paise), and the app sends Checkout's "
            "answer to `<number>/verify/` (or the shopper pays in a browser at `pay_url`). "
            "The `Idempotency-Key` header is required: a retry with the same key answers 200 "
            "with the same purchase and changes nothing. A listing sells once: a buyer who "
            "comes second is refused (409) before paying."
        ),
        parameters=[
            idempotency_key_parameter(
                max_length=KEY_MAX_LENGTH, new_for_each="purchase you mean to make"
            )
        ],
        request=PurchaseCreateSerializer,
        responses={
            201: PurchaseSerializer,
            200: OpenApiResponse(
                PurchaseSerializer, description=_("A retry: the purchase made the first time.")
            ),
            400: OpenApiResponse(
                ApiErrorSerializer,
                description=_(
                    "`idempotency_key_required`, `invalid_idempotency_key`, `invalid` (a bad "
                    "`listing_id` or `payment_method`)."
                ),
            ),
            401: SIGNED_OUT,
            404: OpenApiResponse(
                ApiErrorSerializer, description=_("`listing_not_found`: no such listing.")
            ),
            409: OpenApiResponse(
                ApiErrorSerializer,
                description=_(
                    "`listing_not_for_sale` (sold, withdrawn, or another buyer is paying for "
                    "it), `own_listing`, `insufficient_funds` (wallet), `resale_not_possible` "
                    "(a verified coupon the store can't re-issue now)."
                ),
            ),
            503: OpenApiResponse(
                ApiErrorSerializer,
                description=_("`gateway_unavailable`: nothing was kept; try again."),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key(request, max_length=KEY_MAX_LENGTH)
        parsed = PurchaseCreateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        existed = Purchase.objects.filter(buyer=request.user, idempotency_key=key).exists()
        purchase = services.purchase_create(
            buyer=request.user,
            listing_public_id=parsed.validated_data["listing_id"],
            method=parsed.validated_data["payment_method"],
            idempotency_key=key,
        )
        return _answer(
            request, purchase, answer=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The purchase number."
)


@extend_schema(
    tags=TAGS,
    summary="One of my purchases or sales",
    description="With the code for its buyer once paid, and Razorpay Checkout's options while "
    "a card purchase awaits payment.",
    parameters=[NUMBER],
    responses={200: PurchaseSerializer, 401: SIGNED_OUT, 404: NOT_FOUND},
)
class PurchaseDetailView(ShopperView):
    def get(self, request: Request, number: str) -> Response:
        purchase = selectors.purchase_for(request.user, number)
        if purchase is None:
            raise PurchaseNotFound()
        return _answer(request, purchase)


@extend_schema(
    tags=TAGS,
    summary="Confirm a Razorpay payment for a purchase",
    description="Send what Razorpay Checkout handed the app on success. The signature is "
    "checked, and the payment with the gateway; then the purchase is paid and the code "
    "delivered. Sending it again, or after the webhook did the same, changes nothing.",
    parameters=[NUMBER],
    request=PurchasePaymentVerifySerializer,
    responses={
        200: PurchaseSerializer,
        400: OpenApiResponse(
            ApiErrorSerializer,
            description=_("`invalid`, `payment_invalid` (bad signature, or amount differs)."),
        ),
        401: SIGNED_OUT,
        404: NOT_FOUND,
        503: OpenApiResponse(ApiErrorSerializer, description=_("`gateway_unavailable`.")),
    },
)
class PurchaseVerifyView(ShopperView):
    def post(self, request: Request, number: str) -> Response:
        purchase = selectors.purchase_for(request.user, number)
        if purchase is None or purchase.buyer_id != request.user.pk:
            raise PurchaseNotFound()
        parsed = PurchasePaymentVerifySerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        report = parsed.validated_data
        own = selectors.purchase_gateway_orders(purchase)
        if report["razorpay_order_id"] not in own:
            raise PurchaseNotFound()
        payment_verify(
            user=request.user,
            gateway_order_id=report["razorpay_order_id"],
            payment_id=report["razorpay_payment_id"],
            signature=report["razorpay_signature"],
        )
        return _answer(request, purchase)
