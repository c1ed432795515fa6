"""Ratings over the API: POST /api/v1/marketplace/ratings/ rates the other side of one of my
completed purchases."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from coupzii.core.serializers import ApiErrorSerializer

from . import services


class RatingInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20, help_text="The purchase's number (MP-...).")
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RatingSerializer(serializers.Serializer):
    number = serializers.CharField(source="purchase.number")
    stars = serializers.IntegerField()
    comment = serializers.CharField()
    ratee = serializers.CharField(
        source="ratee.get_short_name", help_text="Who was rated (first name)."
    )
    created_at = serializers.DateTimeField()


@extend_schema(
    tags=["marketplace"],
    summary="Rate the other side of a purchase",
    description="The buyer rates the seller, or the seller the buyer, once per purchase, "
    "after it completes (the seller was paid) and within 30 days.",
    request=RatingInputSerializer,
    responses={
        201: RatingSerializer,
        400: OpenApiResponse(ApiErrorSerializer, description="`invalid`: by field."),
        401: OpenApiResponse(ApiErrorSerializer, description="`not_authenticated`."),
        404: OpenApiResponse(ApiErrorSerializer, description="`purchase_not_found`: none of mine."),
        409: OpenApiResponse(
            ApiErrorSerializer,
            description="`rating_not_allowed`: not completed, over 30 days ago, or rated.",
        ),
    },
)
class RatingCreateView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = RatingInputSerializer

    def post(self, request) -> Response:
        parsed = RatingInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        rating = services.rating_give(rater=request.user, **parsed.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)
