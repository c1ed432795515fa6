"""Screenshots over the API, /api/v1/locker/scans/: upload one (202, a job to poll), poll it
(status and the fields read, each with a confidence), and save the corrected fields into the
locker (201, the coupon). Another shopper's scan is 404; a bad file is 400 on `image`."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.serializers import ApiErrorSerializer, enum_field

from ..locker import selectors as locker_selectors
from ..locker.api import LockerCouponInputSerializer, LockerCouponSerializer
from ..models import ScanStatus
from . import selectors, services

TAGS = ["locker"]
UNAUTHORIZED = OpenApiResponse(ApiErrorSerializer, description="Not signed in.")
NOT_FOUND = OpenApiResponse(ApiErrorSerializer, description="`scan_not_found`: not yours.")
SCAN_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The scan's id."
)


class ScanFieldSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="As read: text, an amount, or a date (YYYY-MM-DD).")
    confidence = serializers.FloatField(help_text="0 to 1; below 0.8 the shopper should check it.")
    merchant = serializers.CharField(
        required=False, help_text="For `store`: the matched merchant's slug."
    )


class ScanFieldsSerializer(serializers.Serializer):
    code = ScanFieldSerializer(required=False)
    store = ScanFieldSerializer(required=False)
    benefit = ScanFieldSerializer(
        required=False, help_text="percent, fixed, bogo or free_shipping."
    )
    benefit_value = ScanFieldSerializer(required=False)
    min_order = ScanFieldSerializer(required=False)
    max_discount = ScanFieldSerializer(required=False)
    expires_on = ScanFieldSerializer(required=False)


class ScanSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = enum_field("ScanStatus", ScanStatus.choices)
    fields = ScanFieldsSerializer(help_text="What was found; empty until read.")
    error = serializers.CharField(help_text="Why it could not be read (status failed).")
    poll_url = serializers.SerializerMethodField()
    coupon = serializers.UUIDField(
        source="coupon.public_id", allow_null=True, help_text="The locker coupon once saved."
    )
    image_deleted = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_poll_url(self, scan) -> str:
        path = reverse("scan-api-detail", args=[scan.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_image_deleted(self, scan) -> bool:
        return scan.image_deleted_at is not None


class ScanUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="PNG, JPEG or WebP, up to 5 MB.")


def _scan_response(request, scan, *, status_code=status.HTTP_200_OK) -> Response:
    return Response(ScanSerializer(scan, context={"request": request}).data, status=status_code)


@extend_schema(tags=TAGS)
class ScanStartView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Add a coupon from a screenshot",
        description="Stores the screenshot (private, deleted after 7 days) and queues its "
        "reading. Poll `poll_url` until `status` is done or failed, then save.",
        request={"multipart/form-data": ScanUploadSerializer},
        responses={
            202: ScanSerializer,
            400: OpenApiResponse(
                ApiErrorSerializer, description="`invalid`: `image` is missing or not a picture."
            ),
            401: UNAUTHORIZED,
        },
    )
    def post(self, request):
        parsed = ScanUploadSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        scan = services.scan_start(owner=request.user, image=parsed.validated_data["image"])
        scan = selectors.scan_of(request.user, scan.public_id)
        return _scan_response(request, scan, status_code=status.HTTP_202_ACCEPTED)


@extend_schema(tags=TAGS, parameters=[SCAN_ID])
class ScanDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="A screenshot being read",
        responses={200: ScanSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request, public_id):
        return _scan_response(request, selectors.scan_of(request.user, public_id))


@extend_schema(tags=TAGS, parameters=[SCAN_ID])
class ScanSaveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Save a screenshot's coupon into the locker",
        description="The fields as the shopper corrected them (the same as adding by hand).",
        request=LockerCouponInputSerializer,
        responses={
            201: LockerCouponSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="`invalid`: by field."),
            401: UNAUTHORIZED,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ApiErrorSerializer,
                description="`scan_not_ready` (still reading, or saved already), "
                "`code_already_in_locker`.",
            ),
        },
    )
    def post(self, request, public_id):
        selectors.scan_of(request.user, public_id)  # 404 before validating someone else's
        parsed = LockerCouponInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        coupon = services.scan_save(
            owner=request.user, public_id=public_id, **parsed.validated_data
        )
        coupon = locker_selectors.coupon_of(request.user, coupon.public_id)
        return Response(LockerCouponSerializer(coupon).data, status=status.HTTP_201_CREATED)
