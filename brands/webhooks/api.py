"""Webhook endpoints over the API, under /api/v1/brand/webhooks/: list, add (the secret is in
the answer once), read, change (URL, events, switched on or off), delete, rotate the secret,
send a test event, read the delivery log, send a delivery again. Owners and admins (JWT,
X-Brand). Thin: parse, call brands.webhooks.services, answer."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from brands import access
from brands.models import DeliveryStatus, Webhook, WebhookDelivery
from brands.portal import BrandPermission, brand_header_parameter
from coupzii.core.serializers import BAD_QUERY, ApiErrorSerializer, enum_field, parse_query

from . import selectors, services
from .events import EVENT_CHOICES

TAGS = ["brand webhooks"]
ERRORS = {
    400: OpenApiResponse(
        ApiErrorSerializer,
        description=(
            "`invalid` (field messages), `webhook_url_refused` (not http(s), or a private or "
            "local address), `webhook_events_invalid`."
        ),
    ),
    403: OpenApiResponse(ApiErrorSerializer, description="Your role may not manage webhooks."),
    404: OpenApiResponse(
        ApiErrorSerializer, description="Not a member of that brand, or no such object in it."
    ),
    409: OpenApiResponse(
        ApiErrorSerializer,
        description=(
            "`webhook_limit_reached` (your plan's endpoints), `webhook_disabled` (switch it on "
            "first), `delivery_open` (its retries are still running)."
        ),
    ),
}


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=f"The {what}'s id."
    )


# --- Shapes --------------------------------------------------------------------------------------


class WebhookOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    url = serializers.URLField()
    events = serializers.ListField(
        child=serializers.CharField(), help_text="The events it receives; empty: every event."
    )
    active = serializers.BooleanField()
    disabled_reason = enum_field(
        "WebhookDisabledReason",
        [("", "Not switched off"), *services.DisabledReason.choices],
        help_text="Why it is switched off (empty while active).",
    )
    disabled_at = serializers.DateTimeField(allow_null=True)
    failing_since = serializers.DateTimeField(
        allow_null=True, help_text="Since when its attempts fail without a success."
    )
    consecutive_failures = serializers.IntegerField(
        help_text="Deliveries given up in a row; five switch the endpoint off."
    )
    recent_total = serializers.IntegerField(help_text="Deliveries in the last 7 days.")
    recent_delivered = serializers.IntegerField()
    recent_failed = serializers.IntegerField()
    recent_open = serializers.IntegerField(help_text="Of those, still being sent or retried.")
    last_delivery_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(
        help_text="Signs every delivery. Shown only in this answer: store it now."
    )


class WebhookIn(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=enum_field("WebhookEvent", EVENT_CHOICES),
        required=False,
        default=list,
        max_length=len(EVENT_CHOICES),
        help_text="The events to receive; empty or left out: every event.",
    )


class WebhookChangeIn(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=enum_field("WebhookEvent", EVENT_CHOICES),
        required=False,
        max_length=len(EVENT_CHOICES),
    )
    active = serializers.BooleanField(
        required=False, help_text="false switches it off; true switches it on again."
    )


class AttemptOut(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.IntegerField(allow_null=True, help_text="The HTTP status answered.")
    body = serializers.CharField(help_text="The answer's first 2,000 characters.")
    error = serializers.CharField()


class DeliveryOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    event_id = serializers.UUIDField(help_text="The event's id: the same on every retry.")
    event = serializers.CharField()
    status = enum_field("WebhookDeliveryStatus", DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    response_status = serializers.IntegerField(allow_null=True)
    response_body = serializers.CharField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it is tried next (while pending or retrying)."
    )
    delivered_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField(help_text="The body we send.")
    attempt_log = AttemptOut(many=True)


class DeliveryQuery(serializers.Serializer):
    status = enum_field("WebhookDeliveryStatus", DeliveryStatus.choices, required=False)


# --- Views ---------------------------------------------------------------------------------------


class _WebhooksView:
    permission_classes = [IsAuthenticated, BrandPermission]
    brand_permission = access.MANAGE_WEBHOOKS

    def _webhook(self, public_id):
        webhook = selectors.webhooks_for_brand(self.request.brand).filter(public_id=public_id)
        webhook = webhook.first()
        if webhook is None:
            raise Http404
        return webhook


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class WebhooksView(_WebhooksView, generics.GenericAPIView):
    serializer_class = WebhookOut
    queryset = Webhook.objects.none()  # for the schema; the brand's come from get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.webhooks_for_brand(self.request.brand)

    @extend_schema(
        tags=TAGS,
        summary="The brand's webhook endpoints",
        parameters=[brand_header_parameter],
        responses={200: WebhookOut(many=True), **ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookOut(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Add an endpoint",
        description=(
            "The answer holds the endpoint's signing `secret`, which is never shown again "
            "(rotate it for a new one). Deliveries are signed: `X-Coupzii-Signature: "
            "v1=<hex HMAC-SHA256 of '<X-Coupzii-Timestamp>.<raw body>' with the secret>`."
        ),
        parameters=[brand_header_parameter],
        request=WebhookIn,
        responses={201: WebhookCreatedOut, **ERRORS},
    )
    def post(self, request):
        data = _valid(WebhookIn, request.data)
        webhook, _secret = services.webhook_create(
            brand=request.brand, url=data["url"], events=data["events"], created_by=request.user
        )
        # The secret is read back from the row (decrypted), as the rest of the answer is.
        answer = WebhookCreatedOut(self._webhook(webhook.public_id)).data
        response = Response(answer, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class WebhookView(_WebhooksView, APIView):
    @extend_schema(
        tags=TAGS,
        summary="One endpoint",
        parameters=[brand_header_parameter, _id_parameter("webhook")],
        responses={200: WebhookOut, **ERRORS},
    )
    def get(self, request, public_id):
        return Response(WebhookOut(self._webhook(public_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change an endpoint, or switch it off or on",
        description="Switching on again clears its failure count.",
        parameters=[brand_header_parameter, _id_parameter("webhook")],
        request=WebhookChangeIn,
        responses={200: WebhookOut, **ERRORS},
    )
    def patch(self, request, public_id):
        webhook = self._webhook(public_id)
        data = _valid(WebhookChangeIn, request.data)
        services.webhook_update(webhook=webhook, url=data.get("url"), events=data.get("events"))
        if data.get("active") is False:
            services.webhook_disable(webhook=webhook)
        elif data.get("active") is True and not webhook.active:
            services.webhook_enable(webhook=webhook)
        return Response(WebhookOut(self._webhook(public_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete an endpoint and its delivery log",
        parameters=[brand_header_parameter, _id_parameter("webhook")],
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, public_id):
        services.webhook_delete(webhook=self._webhook(public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateView(_WebhooksView, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Rotate an endpoint's signing secret",
        description=(
            "The new secret signs every attempt from now on, retries of earlier events too. "
            "It is in this answer only."
        ),
        parameters=[brand_header_parameter, _id_parameter("webhook")],
        request=None,
        responses={200: WebhookCreatedOut, **ERRORS},
    )
    def post(self, request, public_id):
        services.webhook_secret_rotate(webhook=self._webhook(public_id))
        response = Response(WebhookCreatedOut(self._webhook(public_id)).data)
        response["Cache-Control"] = "no-store"
        return response


class WebhookPingView(_WebhooksView, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Send a test event (`ping`) to an endpoint",
        parameters=[brand_header_parameter, _id_parameter("webhook")],
        request=None,
        responses={202: DeliveryOut, **ERRORS},
    )
    def post(self, request, public_id):
        delivery = services.webhook_ping(webhook=self._webhook(public_id))
        delivery.refresh_from_db()
        return Response(DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveriesView(_WebhooksView, generics.GenericAPIView):
    serializer_class = DeliveryOut
    queryset = WebhookDelivery.objects.none()  # for the schema

    @extend_schema(
        tags=TAGS,
        summary="An endpoint's delivery log, newest first",
        parameters=[
            brand_header_parameter,
            _id_parameter("webhook"),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=DeliveryStatus.values, description="Only these."
            ),
        ],
        responses={200: DeliveryOut(many=True), 400: BAD_QUERY, **ERRORS},
    )
    def get(self, request, public_id):
        webhook = self._webhook(public_id)
        query = parse_query(DeliveryQuery, request)
        deliveries = selectors.deliveries_for_webhook(webhook, status=query.get("status", ""))
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(DeliveryOut(page, many=True).data)


class RedeliverView(_WebhooksView, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Send a delivery again",
        description=(
            "A new attempt of the same event (same id and body, a fresh signature), for a "
            "delivery that was delivered or given up."
        ),
        parameters=[brand_header_parameter, _id_parameter("delivery")],
        request=None,
        responses={202: DeliveryOut, **ERRORS},
    )
    def post(self, request, public_id):
        delivery = selectors.delivery_for_brand(request.brand, public_id)
        if delivery is None:
            raise Http404
        delivery = services.delivery_redeliver(delivery=delivery)
        delivery.refresh_from_db()
        return Response(DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)
