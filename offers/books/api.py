"""The shopper's unique codes over the API: claim a code of an offer, and list my codes."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from coupzii.core.http import client_ip
from coupzii.core.idempotency import idempotency_key, idempotency_key_parameter

from .. import books
from ..models import CodeStatus, CouponCode
from . import selectors as book_selectors
from .common import IDEMPOTENCY_KEY_MAX_LENGTH

TAGS = ["codes"]
USABLE = {CodeStatus.AVAILABLE, CodeStatus.ASSIGNED, CodeStatus.LOCKED}


class MyCodeSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=CodeStatus.choices, read_only=True)
    book = serializers.CharField(source="book.name", read_only=True)
    offer_id = serializers.UUIDField(source="book.offer.public_id", read_only=True)
    offer_title = serializers.CharField(source="book.offer.title", read_only=True)
    merchant = serializers.CharField(source="book.offer.merchant.name", read_only=True)
    merchant_slug = serializers.CharField(source="book.offer.merchant.slug", read_only=True)
    expires_at = serializers.DateTimeField(
        source="book.offer.ends_at",
        read_only=True,
        allow_null=True,
        help_text="When the offer ends; null if it does not.",
    )
    uses_left = serializers.SerializerMethodField(
        help_text="How many more times the code can be used (0 once used up, void or expired)."
    )

    class Meta:
        model = CouponCode
        fields = [
            "code",
            "status",
            "book",
            "offer_id",
            "offer_title",
            "merchant",
            "merchant_slug",
            "claimed_at",
            "expires_at",
            "redemption_count",
            "uses_left",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_uses_left(self, code: CouponCode) -> int:
        if code.status not in USABLE:
            return 0
        return max(0, code.book.max_redemptions_per_code - code.redemption_count)


class MyCodeFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=CodeStatus.choices, label="Only codes with this status (repeat for several)."
    )

    class Meta:
        model = CouponCode
        fields = ["status"]


ErrorSerializer = inline_serializer(
    "CodeError",
    {
        "error": inline_serializer(
            "CodeErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(),
            },
        )
    },
)


@extend_schema(
    tags=TAGS,
    summary="Claim a unique code of an offer",
    description=(
        "Hands the caller the next free code of the offer's active coupon books. A shopper "
        "holds at most the book's `per_user_limit` codes. Send an `Idempotency-Key` header "
        "to retry safely: a repeat with the same key within a day returns the same code."
    ),
    parameters=[
        OpenApiParameter(
            "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The offer's id."
        ),
        idempotency_key_parameter(
            max_length=IDEMPOTENCY_KEY_MAX_LENGTH, new_for_each="intended claim", required=False
        ),
    ],
    request=None,
    responses={
        201: MyCodeSerializer,
        400: OpenApiResponse(ErrorSerializer, description="`invalid_idempotency_key`."),
        404: OpenApiResponse(ErrorSerializer, description="`offer_not_found`."),
        409: OpenApiResponse(
            ErrorSerializer,
            description=(
                "`claim_limit_reached`, `book_exhausted`, `claim_not_allowed` (the offer is "
                "not live or hands out no codes), or `busy` (the same key is being claimed)."
            ),
        ),
    },
)
class OfferClaimView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MyCodeSerializer

    def post(self, request, public_id):
        offer = book_selectors.offer_for_claim(public_id)
        code = books.code_claim(
            offer_or_book=offer,
            user=request.user,
            ip=client_ip(request) or None,
            idempotency_key=idempotency_key(
                request, max_length=IDEMPOTENCY_KEY_MAX_LENGTH, required=False
            ),
        )
        return Response(MyCodeSerializer(code).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS,
    summary="List my codes",
    description="The unique codes the caller holds, newest claim first, paginated.",
    responses={
        200: MyCodeSerializer(many=True),
        400: OpenApiResponse(ErrorSerializer, description="`invalid`: an unknown `status`."),
    },
)
class MyCodesView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MyCodeSerializer
    filterset_class = MyCodeFilter
    # For the schema generator, which has no user; requests go through get_queryset.
    queryset = CouponCode.objects.none()

    def get_queryset(self):
        return book_selectors.codes_for_holder(self.request.user)
