"""The disputes API under /api/v1/marketplace/disputes/: the buyer files a dispute on a
purchase (JSON, or multipart with a screenshot), either party reads it, the seller answers.

Another shopper's dispute, or a purchase that is not the caller's, answers 404 as if it did
not exist. Views are thin: an input serializer (400 with field messages), a service, an output
serializer.
"""

import uuid

from django.urls import reverse
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

from coupzii.core.errors import NotFound
from coupzii.core.files import private_file_response
from coupzii.core.pagination import PageNumberPagination
from coupzii.core.serializers import ApiErrorSerializer, enum_field

from ..models import Dispute, DisputeStatus, RefundTo
from . import selectors
from .services import SCREENSHOT_MAX_BYTES, TEXT_MAX_LENGTH, dispute_answer, dispute_open

TAGS = ["marketplace"]
SIGNED_OUT = OpenApiResponse(ApiErrorSerializer, description=_("`not_authenticated`."))
INVALID = OpenApiResponse(
    ApiErrorSerializer, description=_("`invalid`: field messages under `error.fields`.")
)
NOT_YOURS = OpenApiResponse(
    ApiErrorSerializer, description=_("`not_found`: no such dispute of yours.")
)
PUBLIC_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=_("The dispute's id.")
)


class DisputeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    purchase = serializers.CharField(
        source="purchase.number", read_only=True, help_text=_("The purchase's number.")
    )
    role = serializers.SerializerMethodField(help_text=_("`buyer` or `seller`: who is asking."))
    status = enum_field("DisputeStatus", DisputeStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_screenshot = serializers.SerializerMethodField()
    screenshot_url = serializers.SerializerMethodField(
        allow_null=True,
        help_text=_("Where the buyer, the seller or staff fetch the screenshot; null without."),
    )
    seller_answered = serializers.SerializerMethodField(
        help_text=_("False while waiting, and when the seller let the 24 hours pass.")
    )
    refund_to = enum_field(
        "DisputeRefundTo",
        # Empty is a value of its own (not refunded): the schema's enum must list it too.
        [("", _("Not refunded")), *RefundTo.choices],
        read_only=True,
        allow_blank=True,
        help_text=_("Where the buyer was refunded; empty unless refunded."),
    )

    class Meta:
        model = Dispute
        fields = [
            "id",
            "purchase",
            "role",
            "status",
            "status_label",
            "note",
            "has_screenshot",
            "screenshot_url",
            "answer",
            "answered_at",
            "answer_due",
            "seller_answered",
            "refund_to",
            "decision_note",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_role(self, dispute: Dispute) -> str:
        return (
            "seller" if self.context["request"].user.pk == dispute.purchase.seller_id else "buyer"
        )

    def get_has_screenshot(self, dispute: Dispute) -> bool:
        return bool(dispute.screenshot)

    def get_seller_answered(self, dispute: Dispute) -> bool:
        return selectors.seller_answered(dispute)

    @extend_schema_field(OpenApiTypes.URI)
    def get_screenshot_url(self, dispute: Dispute) -> str | None:
        if not dispute.screenshot:
            return None
        path = reverse("api-marketplace-dispute-screenshot", args=[dispute.public_id])
        return self.context["request"].build_absolute_uri(path)


class DisputeOpenSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20, help_text=_("The purchase's number."))
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text=_("What happened."))
    screenshot = serializers.ImageField(
        required=False,
        allow_null=True,
        help_text=_("The store's error message, a picture up to 5 MB (multipart only)."),
    )

    def validate_screenshot(self, screenshot):
        if screenshot and screenshot.size > SCREENSHOT_MAX_BYTES:
            raise serializers.ValidationError(_("The screenshot must be under 5 MB."))
        return screenshot


class DisputeAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class DisputesView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = DisputeSerializer

    def _dispute(self, public_id) -> Dispute:
        dispute = selectors.dispute_for_party(user=self.request.user, public_id=public_id)
        if dispute is None:
            raise NotFound(_("No such dispute of yours."))
        return dispute

    def _answer(self, dispute: Dispute, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(dispute).data, status=code)


def _parsed(serializer_class, request: Request) -> dict:
    parsed = serializer_class(data=request.data)
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data


class DisputeOpenView(DisputesView):
    pagination_class = PageNumberPagination
    queryset = Dispute.objects.none()  # for the schema generator (the list's model)

    @extend_schema(
        tags=TAGS,
        summary="My disputes",
        description=(
            "Disputes I filed as a buyer and disputes filed on my sales (see `role`), newest "
            "first, paginated."
        ),
        responses={
            200: DisputeSerializer(many=True),
            401: SIGNED_OUT,
            404: OpenApiResponse(ApiErrorSerializer, description=_("`not_found`: no such page.")),
        },
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.disputes_of_party(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Report that a bought code did not work",
        description=(
            "The buyer of a paid purchase, within its dispute window (24 hours for a verified "
            "resale, 72 otherwise). The seller is not paid while the dispute is open; they have "
            "24 hours to answer, then an operator decides. Send multipart/form-data to attach a "
            "screenshot. 404 `purchase_not_found` for a purchase that is not yours; 409 "
            "`dispute_not_allowed` when it is not paid, already disputed, or the window is over."
        ),
        request={
            "application/json": DisputeOpenSerializer,
            "multipart/form-data": DisputeOpenSerializer,
        },
        responses={
            201: DisputeSerializer,
            400: INVALID,
            401: SIGNED_OUT,
            404: OpenApiResponse(ApiErrorSerializer, description=_("`purchase_not_found`.")),
            409: OpenApiResponse(ApiErrorSerializer, description=_("`dispute_not_allowed`.")),
        },
    )
    def post(self, request: Request) -> Response:
        data = _parsed(DisputeOpenSerializer, request)
        dispute = dispute_open(
            buyer=request.user,
            number=data["number"],
            note=data["note"],
            screenshot=data.get("screenshot"),
        )
        return self._answer(self._dispute(dispute.public_id), status.HTTP_201_CREATED)


class DisputeDetailView(DisputesView):
    @extend_schema(
        tags=TAGS,
        summary="A dispute I filed or that was filed on my sale",
        parameters=[PUBLIC_ID],
        responses={200: DisputeSerializer, 401: SIGNED_OUT, 404: NOT_YOURS},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return self._answer(self._dispute(public_id))


class DisputeAnswerView(DisputesView):
    @extend_schema(
        tags=TAGS,
        summary="Answer a dispute on my sale",
        description=(
            "The seller only, once, until an operator decides (also after the 24 hours). "
            "409 `dispute_already_answered` when answered or decided; 404 for the buyer or "
            "anyone else."
        ),
        parameters=[PUBLIC_ID],
        request=DisputeAnswerSerializer,
        responses={
            200: DisputeSerializer,
            400: INVALID,
            401: SIGNED_OUT,
            404: NOT_YOURS,
            409: OpenApiResponse(ApiErrorSerializer, description=_("`dispute_already_answered`.")),
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        dispute = self._dispute(public_id)
        if dispute.purchase.seller_id != request.user.pk:
            raise NotFound(_("No such dispute of yours."))
        data = _parsed(DisputeAnswerSerializer, request)
        dispute_answer(seller=request.user, public_id=public_id, answer=data["answer"])
        return self._answer(self._dispute(public_id))


@extend_schema(
    tags=TAGS,
    summary="A dispute's screenshot",
    description="For the dispute's buyer and seller: 404 for anyone else, and without one.",
    parameters=[PUBLIC_ID],
    responses={
        (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The image.")),
        401: SIGNED_OUT,
        404: NOT_YOURS,
    },
)
class DisputeScreenshotView(DisputesView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is the file whatever the client accepts; errors are the usual JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, public_id: uuid.UUID):
        dispute = self._dispute(public_id)
        if not dispute.screenshot:
            raise NotFound(_("No such dispute of yours."))
        return private_file_response(
            user=request.user,
            file=dispute.screenshot,
            owner_id=request.user.pk,
            permission=selectors.SCREENSHOT_PERMISSION,
        )
