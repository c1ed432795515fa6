"""The shop API under /api/v1/: gift cards, the cart, checkout with Razorpay (or the dev
gateway), the Razorpay webhook, and the signed-in shopper's orders with their codes.

Views are thin: parse the query or body with an input serializer (400 with field messages),
call a service or a selector, serialize. Another shopper's order answers 404 (never 403), so
order numbers can't be probed. Lists run a fixed number of SQL queries whatever the page size.
Answers that may carry voucher codes are marked `Cache-Control: no-store`.
"""

from contextlib import contextmanager

from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors as catalog_selectors
from catalog.models import Product
from coupzii.core.errors import DomainError
from coupzii.core.idempotency import idempotency_key, idempotency_key_parameter
from coupzii.core.serializers import ApiErrorSerializer, parse_query
from coupzii.core.throttling import AnonClientIpThrottle

from . import selectors
from . import session as shop_session
from .errors import CartEmpty, CartInvalid, OrderNotFound, ProductNotFound, PromoInvalid
from .gateways import gateway
from .models import Cart, Order, OrderStatus, PaymentStatus
from .serializers import (
    CartDeleteQuerySerializer,
    CartLineAddSerializer,
    CartSerializer,
    CartUpdateSerializer,
    CartValidateSerializer,
    OrderDetailSerializer,
    OrderPlaceSerializer,
    OrderSerializer,
    PaymentVerifySerializer,
    ProductDetailSerializer,
    ProductQuerySerializer,
    ProductSerializer,
    WebhookAcceptedSerializer,
)
from .services import cart as cart_services
from .services.checkout import order_place_result
from .services.payments import payment_verify, webhook_receive

PRODUCTS = ["gift cards"]
CART = ["cart"]
CHECKOUT = ["checkout"]
ORDERS = ["orders"]
# Order.idempotency_key's column width.
ORDER_KEY_MAX_LENGTH = 100
SIGNATURE_HEADER = "X-Razorpay-Signature"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"

SIGNED_OUT = OpenApiResponse(ApiErrorSerializer, description=_("`not_authenticated`."))
BAD_QUERY = OpenApiResponse(ApiErrorSerializer, description=_("`invalid`: a bad parameter."))
THROTTLED = OpenApiResponse(ApiErrorSerializer, description=_("`throttled`."))
NO_SUCH_ORDER = OpenApiResponse(
    ApiErrorSerializer, description=_("`order_not_found`: no such order of yours.")
)


class SkuNotFound(DomainError):
    """An unknown or no longer sold SKU in a request body: bad input (400), not a missing
    page (the service's ProductNotFound is a 404), with the message under `sku`."""

    code = "product_not_found"
    default_message = ProductNotFound.default_message


class WebhookThrottle(AnonClientIpThrottle):
    """Per client IP at its own `payment_webhook` rate: Razorpay's servers send bursts of
    events (and retries) from a few addresses."""

    scope = "payment_webhook"


def _parse_body(input_serializer, request: Request) -> dict:
    parsed = input_serializer(data=request.data)
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data


class ShopperView(generics.GenericAPIView):
    """Base: the signed-in shopper only, JWT or session, the default throttles."""

    permission_classes = [IsAuthenticated]


# --- Gift cards --------------------------------------------------------------------------------


@extend_schema(
    tags=PRODUCTS,
    summary="List gift cards",
    description="Active gift cards of active brands, featured first then A-Z, paginated, each "
    "with its brand, category, first image, best saving and the denominations on sale (price, "
    "stock, per-order limits). Filter by `category` slug (a top-level category includes its "
    "children), `brand` slug and words in the name (`q`). An unknown slug gives an empty list.",
    parameters=[ProductQuerySerializer],
    responses={200: ProductSerializer(many=True), 400: BAD_QUERY},
)
class ProductListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProductSerializer
    queryset = Product.objects.none()  # for the schema generator; requests use get_queryset

    def get_queryset(self):
        filters = parse_query(ProductQuerySerializer, self.request)
        return catalog_selectors.gift_cards_list(
            q=filters["q"], category_slug=filters["category"], brand_slug=filters["brand"]
        )


@extend_schema(
    tags=PRODUCTS,
    summary="One gift card",
    description="A gift card with its description, terms, how to redeem it, images and "
    "denominations.",
    parameters=[
        OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Its slug.")
    ],
    responses={
        200: ProductDetailSerializer,
        404: OpenApiResponse(
            ApiErrorSerializer, description=_("`product_not_found`: unknown or not sold now.")
        ),
    },
)
class ProductDetailView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProductDetailSerializer

    def get(self, request: Request, slug: str) -> Response:
        try:
            product = catalog_selectors.gift_card_by_slug(slug)
        except Product.DoesNotExist:
            raise ProductNotFound() from None
        return Response(ProductDetailSerializer(product, context={"request": request}).data)


# --- Cart --------------------------------------------------------------------------------------

CART_WRITE_ERRORS = {
    400: OpenApiResponse(
        ApiErrorSerializer,
        description=_(
            "`invalid` (a bad field), `product_not_found` (field `sku`: unknown or not sold), "
            "`cart_invalid` (field `quantity`: outside the card's per-order limits), "
            "`cart_full`, `promo_invalid` (field `promo_code`)."
        ),
    ),
    401: SIGNED_OUT,
}


@contextmanager
def _sku_from_body():
    try:
        yield
    except ProductNotFound as refused:
        raise SkuNotFound(refused.message, fields=refused.fields) from None


def _cart_answer(request: Request, cart: Cart | None) -> Response:
    priced = selectors.cart_priced(cart, user=request.user)
    if isinstance(request.successful_authenticator, SessionAuthentication):
        # A browser's pages draw the cart badge from the session: keep it in step.
        shop_session.cart_count_remember(request, cart)
    return Response(CartSerializer(priced, context={"request": request}).data)


@extend_schema_view(
    get=extend_schema(
        tags=CART,
        summary="My cart, priced now",
        description="Each line with today's price, stock and its share of the discount; the "
        "promo code; the wallet toggle and what the wallet can pay; subtotal, discount, "
        "wallet and payable. `problems` lists what must change before checkout (a card no "
        "longer sold, too few left, a quantity outside the limits, a promo that no longer "
        "applies), by field; `can_check_out` is true when there are none.",
        responses={200: CartSerializer, 401: SIGNED_OUT},
    ),
    post=extend_schema(
        tags=CART,
        summary="Add a denomination to my cart",
        description="Adds `quantity` (default 1) to the line of `sku`, creating it. Answers "
        "the priced cart. Stock is not checked here but in the priced cart (`problems`), "
        "since it changes minute to minute.",
        request=CartLineAddSerializer,
        responses={200: CartSerializer, **CART_WRITE_ERRORS},
    ),
    patch=extend_schema(
        tags=CART,
        summary="Change my cart",
        description="Any of: `sku` with `quantity` (sets the line; 0 removes it), "
        '`promo_code` (a code to apply, or "" to remove it), `use_wallet`. All or nothing: '
        "a refused change leaves the cart as it was. Answers the priced cart.",
        request=CartUpdateSerializer,
        responses={200: CartSerializer, **CART_WRITE_ERRORS},
    ),
    delete=extend_schema(
        tags=CART,
        summary="Remove a line, or empty my cart",
        description="With `?sku=`, removes that line; without it, removes every line, the "
        "promo code and the wallet toggle. Answers the priced cart.",
        parameters=[CartDeleteQuerySerializer],
        responses={200: CartSerializer, 400: BAD_QUERY, 401: SIGNED_OUT},
    ),
)
class CartView(ShopperView):
    serializer_class = CartSerializer

    def get(self, request: Request) -> Response:
        # Reading makes no cart: a shopper who never added anything has an empty one.
        return _cart_answer(request, cart_services.cart_of_user(request.user, create=False))

    def post(self, request: Request) -> Response:
        wanted = _parse_body(CartLineAddSerializer, request)
        cart = cart_services.cart_of_user(request.user)
        with _sku_from_body():
            cart_services.cart_line_set(
                cart=cart, sku=wanted["sku"], quantity=wanted["quantity"], add=True
            )
        return _cart_answer(request, cart)

    def patch(self, request: Request) -> Response:
        change = _parse_body(CartUpdateSerializer, request)
        cart = cart_services.cart_of_user(request.user)
        with _sku_from_body():
            # One request, one outcome: a refused promo code leaves no quantity change behind.
            cart_services.cart_update(cart=cart, user=request.user, **change)
        return _cart_answer(request, cart)

    def delete(self, request: Request) -> Response:
        sku = parse_query(CartDeleteQuerySerializer, request)["sku"]
        cart = cart_services.cart_of_user(request.user, create=False)
        if cart is not None:
            if sku:
                cart_services.cart_line_remove(cart=cart, sku=sku)
            else:
                cart_services.cart_empty(cart=cart)
        return _cart_answer(request, cart)


@extend_schema(
    tags=CHECKOUT,
    summary="Check my cart before paying",
    description="Applies `promo_code` and `use_wallet` when sent, then prices the cart again "
    "on the server: prices, stock, per-order limits, the promo code and the smallest online "
    "payment. 200 with the breakdown when it can be checked out; otherwise 400 "
    "`cart_invalid` with every problem under `fields` (`lines.<sku>`, `promo_code`, "
    "`payable`), or `cart_empty`.",
    request=CartValidateSerializer,
    responses={
        200: CartSerializer,
        400: OpenApiResponse(
            ApiErrorSerializer, description=_("`cart_invalid`, `cart_empty`, `invalid`.")
        ),
        401: SIGNED_OUT,
    },
)
class CartValidateView(ShopperView):
    serializer_class = CartSerializer

    def post(self, request: Request) -> Response:
        options = _parse_body(CartValidateSerializer, request)
        cart = cart_services.cart_of_user(request.user, create=False)
        if cart is None:
            raise CartEmpty()
        refused_promo = {}
        if "promo_code" in options:
            try:
                cart_services.cart_update(
                    cart=cart, user=request.user, promo_code=options["promo_code"]
                )
            except PromoInvalid as refused:
                # Reported with the cart's other problems, so the shopper sees them all.
                refused_promo = {"promo_code": [refused.message]}
        if "use_wallet" in options:
            cart_services.cart_use_wallet(cart=cart, use=options["use_wallet"])
        priced = selectors.cart_priced(cart, user=request.user)
        if priced.is_empty:
            raise CartEmpty()
        problems = {**priced.problems, **refused_promo}
        if problems:
            raise CartInvalid(fields=problems)
        return Response(CartSerializer(priced, context={"request": request}).data)


# --- Checkout ----------------------------------------------------------------------------------


def _checkout_options(request: Request, order: Order) -> dict | None:
    """What Razorpay Checkout (the mobile SDK or checkout.js) opens the payment with, while
    the order awaits it."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        return None
    payment = next((p for p in order.payments.all() if p.status == PaymentStatus.CREATED), None)
    if payment is None:
        return None
    return {
        "gateway": payment.gateway,
        "key_id": gateway().key_id,
        "gateway_order_id": payment.gateway_order_id,
        "amount": payment.amount_paise,
        "currency": "INR",
        "name": "Coupzii",
        "description": _("Order %(number)s") % {"number": order.number},
        "prefill": {"email": order.email, "contact": order.phone},
        # The web pay page: where an app without Razorpay's SDK (or on the dev gateway, which
        # the SDK can't reach) sends the shopper to pay in a browser.
        "pay_url": request.build_absolute_uri(reverse("commerce:pay", args=[order.number])),
    }


def _order_answer(request: Request, number: str, *, answer: int = status.HTTP_200_OK):
    order = selectors.order_of(request.user, number)
    if order is None:
        raise OrderNotFound()
    context = {
        "request": request,
        "codes": selectors.codes_by_line(order),
        "payment": _checkout_options(request, order),
    }
    response = Response(OrderDetailSerializer(order, context=context).data, status=answer)
    # The answer may carry voucher codes and PINs: no cache anywhere may keep it.
    patch_cache_control(response, no_store=True, private=True)
    return response


@extend_schema(
    tags=CHECKOUT,
    summary="Place an order from my cart",
    description=(
        "In one transaction: prices the cart again, reserves the voucher codes, records the "
        "promo code's use, holds the wallet share and opens the gateway order; the cart is "
        "then empty. 201 with the order: awaiting payment, with `payment` holding the options "
        "for Razorpay Checkout (`amount` in paise), or already delivered when the wallet paid "
        "all of it. The `Idempotency-Key` header is required: a retry with the same key "
        "answers 200 with the same order and changes nothing. After paying, send Checkout's "
        "answer to checkout/verify/. `email` defaults to the account's, `phone` to the "
        "account's phone."
    ),
    parameters=[
        idempotency_key_parameter(
            max_length=ORDER_KEY_MAX_LENGTH, new_for_each="order you mean to place"
        )
    ],
    request=OrderPlaceSerializer,
    responses={
        201: OrderDetailSerializer,
        200: OpenApiResponse(
            OrderDetailSerializer, description=_("A retry: the order placed the first time.")
        ),
        400: OpenApiResponse(
            ApiErrorSerializer,
            description=_(
                "`idempotency_key_required`, `invalid_idempotency_key`, `invalid` (a bad "
                "field), `cart_empty`, `cart_invalid` (a field per problem, as in "
                "cart/validate/), `promo_invalid`."
            ),
        ),
        401: SIGNED_OUT,
        409: OpenApiResponse(
            ApiErrorSerializer,
            description=_(
                "`out_of_stock` (a field per short line), `insufficient_funds` (the wallet "
                "changed), `idempotency_key_reused` (the key placed another order)."
            ),
        ),
        503: OpenApiResponse(
            ApiErrorSerializer,
            description=_("`gateway_unavailable`: nothing was kept; try again."),
        ),
    },
)
class OrderPlaceView(ShopperView):
    serializer_class = OrderDetailSerializer

    def post(self, request: Request) -> Response:
        key = idempotency_key(request, max_length=ORDER_KEY_MAX_LENGTH)
        contact = _parse_body(OrderPlaceSerializer, request)
        user = request.user
        # The service decides "placed now" or "placed by an earlier request with this key"
        # under the shopper's lock, so two copies of one request sent at once get one 201 and
        # one 200 with the same order.
        placed = order_place_result(
            user=user,
            cart=cart_services.cart_of_user(user),
            email=contact.get("email") or user.email,
            phone=contact["phone"] if "phone" in contact else (getattr(user, "phone", "") or ""),
            idempotency_key=key,
        )
        answer = status.HTTP_201_CREATED if placed.created else status.HTTP_200_OK
        return _order_answer(request, placed.order.number, answer=answer)


@extend_schema(
    tags=CHECKOUT,
    summary="Confirm a payment made with Razorpay Checkout",
    description=(
        "Send what Checkout handed the app on success. The signature is checked against the "
        "order id we stored, and the payment's amount with the gateway; then the order is "
        "paid and delivered. Sending it again, or after the webhook did the same, changes "
        "nothing. Answers the order, with the codes once delivered."
    ),
    request=PaymentVerifySerializer,
    responses={
        200: OrderDetailSerializer,
        400: OpenApiResponse(
            ApiErrorSerializer,
            description=_(
                "`invalid`, `payment_invalid` (a bad signature, or the payment doesn't match "
                "the order's amount)."
            ),
        ),
        401: SIGNED_OUT,
        404: OpenApiResponse(
            ApiErrorSerializer,
            description=_("`order_not_found`: the gateway order is not one of yours."),
        ),
        503: OpenApiResponse(ApiErrorSerializer, description=_("`gateway_unavailable`.")),
    },
)
class PaymentVerifyView(ShopperView):
    serializer_class = OrderDetailSerializer

    def post(self, request: Request) -> Response:
        report = _parse_body(PaymentVerifySerializer, request)
        order = payment_verify(
            user=request.user,
            gateway_order_id=report["razorpay_order_id"],
            payment_id=report["razorpay_payment_id"],
            signature=report["razorpay_signature"],
        )
        return _order_answer(request, order.number)


@extend_schema(
    tags=CHECKOUT,
    summary="Receive a Razorpay webhook",
    description=(
        "Called by Razorpay, not by apps: `payment.captured`, `order.paid`, `payment.failed`, "
        "`refund.processed`, `refund.failed`. The signature in `X-Razorpay-Signature` is "
        "checked over the raw body with the webhook secret; an event id is applied once, in "
        "the same transaction as its effect, so a repeat answers 200 and changes nothing. "
        "Other event types are recorded and ignored. 400 `webhook_invalid` for a bad "
        "signature or body (nothing is written); 429 when throttled."
    ),
    parameters=[
        OpenApiParameter(
            SIGNATURE_HEADER,
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=True,
            description="Hex HMAC-SHA256 of the raw body with the webhook secret.",
        ),
        OpenApiParameter(
            EVENT_ID_HEADER,
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=False,
            description="Razorpay's event id: repeats of one event carry the same id.",
        ),
    ],
    request={"application/json": OpenApiTypes.OBJECT},
    responses={
        200: WebhookAcceptedSerializer,
        400: OpenApiResponse(ApiErrorSerializer, description=_("`webhook_invalid`.")),
        429: THROTTLED,
    },
)
class RazorpayWebhookView(APIView):
    # No session or JWT (so no CSRF check either): the caller is Razorpay's server, proven by
    # the signature.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [WebhookThrottle]

    def post(self, request: Request) -> Response:
        # The signature covers the bytes as sent: read them raw, never DRF's parsed data.
        event = webhook_receive(
            body=request.body,
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            event_id=request.headers.get(EVENT_ID_HEADER, ""),
        )
        return Response({"status": event.result})


# --- Orders ------------------------------------------------------------------------------------


@extend_schema(
    tags=ORDERS,
    summary="My orders",
    description="Newest first, paginated, each with its status, amounts and items.",
    responses={200: OrderSerializer(many=True), 401: SIGNED_OUT},
)
class OrderListView(ShopperView, generics.ListAPIView):
    serializer_class = OrderSerializer
    queryset = Order.objects.none()

    def get_queryset(self):
        return selectors.orders_of(self.request.user)


@extend_schema(
    tags=ORDERS,
    summary="One of my orders",
    description="With its lines, status timeline, amounts and refunds; once delivered, each "
    "line's voucher codes and PINs; while awaiting payment, `payment` to open Razorpay "
    "Checkout again. Answered with `Cache-Control: no-store`.",
    parameters=[
        OpenApiParameter(
            "number", OpenApiTypes.STR, OpenApiParameter.PATH, description='Like "CZ7K3Q9M2X".'
        )
    ],
    responses={200: OrderDetailSerializer, 401: SIGNED_OUT, 404: NO_SUCH_ORDER},
)
class OrderDetailView(ShopperView):
    serializer_class = OrderDetailSerializer

    def get(self, request: Request, number: str) -> Response:
        return _order_answer(request, number)
