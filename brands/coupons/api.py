"""The brand's coupons over the API: list (filters, pages), create, read, change, publish,
pause, resume, end, and bulk upload with its row report or background job.

Thin views: parse with an input serializer, call the service or selector, answer with an
output serializer. A coupon the caller may not see (another brand's, another department's)
is 404; an analyst writing is 403.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category
from coupzii.core.errors import NotFound
from coupzii.core.serializers import BAD_QUERY, MONEY, ApiErrorSerializer, enum_field, parse_query
from offers.models import DiscountType, OfferKind

from .. import access
from ..models import BrandOffer, JobStatus
from ..portal import BrandPermission, brand_header_parameter
from . import selectors, services, uploads

TAGS = ["brand coupons"]
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="`invalid`: messages by field."),
    403: OpenApiResponse(ApiErrorSerializer, description="The role may not do this."),
    404: OpenApiResponse(ApiErrorSerializer, description="No such coupon in this brand."),
}
STATUS_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(
        ApiErrorSerializer,
        description="`offer_status_refused` (not from this status), `brand_not_verified`.",
    ),
}
COUPON_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The coupon's id."
)
JOB_ID = OpenApiParameter(
    "job_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The upload job's id."
)


# --- Shapes --------------------------------------------------------------------------------


class CouponDepartmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


class CouponProductSerializer(CouponDepartmentSerializer):
    sku = serializers.CharField(read_only=True)


class CouponSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="offer.public_id", read_only=True)
    title = serializers.CharField(source="offer.title_en")
    description = serializers.CharField(source="offer.description_en")
    terms = serializers.CharField(source="offer.terms_en")
    kind = enum_field("CouponKind", OfferKind.choices, source="offer.kind")
    code = serializers.CharField(source="offer.code")
    discount_type = enum_field(
        "CouponDiscountType", DiscountType.choices, source="offer.discount_type"
    )
    discount_value = serializers.DecimalField(
        **MONEY, source="offer.discount_value", allow_null=True
    )
    min_order = serializers.DecimalField(**MONEY, source="offer.min_order", allow_null=True)
    max_discount = serializers.DecimalField(**MONEY, source="offer.max_discount", allow_null=True)
    starts_at = serializers.DateTimeField(source="offer.starts_at")
    ends_at = serializers.DateTimeField(source="offer.ends_at", allow_null=True)
    status = enum_field(
        "CouponStatus",
        [(key, str(label)) for key, label in selectors.COUPON_STATUS_CHOICES],
        source="offer.status",
        help_text="draft, active (published), paused, expired (ended).",
    )
    store = serializers.CharField(source="offer.merchant.slug")
    category = serializers.CharField(source="offer.category.slug", allow_null=True)
    department = CouponDepartmentSerializer(allow_null=True)
    products = CouponProductSerializer(many=True)
    total_stock = serializers.IntegerField(allow_null=True)
    uses_per_shopper = serializers.IntegerField()
    image = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField(source="offer.created_at")
    updated_at = serializers.DateTimeField(source="offer.updated_at")

    def get_image(self, brand_offer) -> str | None:
        if not brand_offer.image:
            return None
        request = self.context.get("request")
        url = brand_offer.image.url
        return request.build_absolute_uri(url) if request else url


class CouponInputSerializer(serializers.Serializer):
    """What a coupon is made of. For PATCH every field is optional."""

    kind = enum_field("CouponKind", OfferKind.choices)
    title = serializers.CharField(max_length=160)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    discount_type = enum_field("CouponDiscountType", DiscountType.choices)
    discount_value = serializers.DecimalField(
        **MONEY, min_value=0, required=False, allow_null=True, default=None
    )
    min_order = serializers.DecimalField(
        **MONEY, min_value=0, required=False, allow_null=True, default=None
    )
    max_discount = serializers.DecimalField(
        **MONEY, min_value=0, required=False, allow_null=True, default=None
    )
    starts_at = serializers.DateTimeField(
        required=False, help_text="Now when left out (on create)."
    )
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    terms = serializers.CharField(required=False, allow_blank=True, default="")
    store = serializers.SlugField(
        required=False, help_text="The store's slug; may be left out when the brand has one."
    )
    category = serializers.SlugField(required=False, allow_null=True, default=None)
    department = serializers.UUIDField(required=False, allow_null=True, default=None)
    products = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=500,
        help_text="SKUs of the brand's products; empty: every product.",
    )
    total_stock = serializers.IntegerField(
        min_value=1, max_value=2_000_000_000, required=False, allow_null=True, default=None
    )
    uses_per_shopper = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, default=1
    )

    def validate_code(self, value):
        return value.strip().upper()

    def validate(self, data):
        membership = self.context["membership"]
        brand = membership.brand
        errors = {}
        if "store" in data or not self.partial:
            stores = {
                store.merchant.slug: store.merchant for store in selectors.stores_of(brand=brand)
            }
            slug = data.pop("store", None)
            if slug is None and len(stores) == 1:
                data["merchant"] = next(iter(stores.values()))
            elif slug in stores:
                data["merchant"] = stores[slug]
            else:
                errors["store"] = [_("Name one of the brand's stores by its slug.")]
        if data.get("category"):
            category = Category.objects.filter(slug=data["category"]).first()
            if category is None:
                errors["category"] = [_("No category has this slug.")]
            data["category"] = category
        if data.get("department"):
            department = (
                selectors.departments_for(membership=membership)
                .filter(public_id=data["department"])
                .first()
            )
            if department is None:
                errors["department"] = [_("Not a department you may file coupons under.")]
            data["department"] = department
        elif not self.partial and selectors.must_file_in_own_department(membership):
            data["department"] = membership.department
        if "products" in data:
            skus = set(data["products"])
            products = list(selectors.products_of(brand=brand).filter(sku__in=skus))
            missing = skus - {product.sku for product in products}
            if missing:
                errors["products"] = [
                    _("No product of the brand has the SKU %(sku)s.") % {"sku": sku}
                    for sku in sorted(missing)
                ]
            data["products"] = products
        if not self.partial and "starts_at" not in data:
            data["starts_at"] = timezone.now()
        if errors:
            raise serializers.ValidationError(errors)
        return data


class CouponListInputSerializer(serializers.Serializer):
    status = enum_field(
        "CouponStatus",
        [(key, str(label)) for key, label in selectors.COUPON_STATUS_CHOICES],
        required=False,
    )
    kind = enum_field("CouponKind", OfferKind.choices, required=False)
    store = serializers.SlugField(required=False, help_text="A store's slug.")
    q = serializers.CharField(
        required=False, max_length=100, help_text="Title, code or product SKU."
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, the template's columns.")
    dry_run = serializers.BooleanField(
        default=True,
        help_text="true: check every row and save nothing. false: save all rows as drafts "
        "if every row passes (else nothing).",
    )


class UploadRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the file (row 1 names the columns).")
    title = serializers.CharField()
    accepted = serializers.BooleanField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class UploadReportSerializer(serializers.Serializer):
    rows = UploadRowSerializer(many=True)
    accepted = serializers.IntegerField()
    refused = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField(), help_text="File-wide errors.")
    written = serializers.IntegerField(help_text="Drafts saved (0 on a dry run).")
    summary = serializers.CharField()


class UploadJobSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    stage = serializers.SerializerMethodField(help_text="check (dry run) or write.")
    status = enum_field("BrandJobStatus", JobStatus.choices)
    total = serializers.IntegerField()
    processed = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    filename = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_stage(self, job) -> str:
        return job.params.get("stage", uploads.CHECK)

    def get_processed(self, job) -> int:
        return uploads.upload_progress(job)

    def get_percent(self, job) -> int:
        return uploads.upload_progress(job) * 100 // job.total if job.total else 100

    def get_filename(self, job) -> str:
        return job.params.get("filename", "")

    @extend_schema_field(UploadReportSerializer(allow_null=True))
    def get_report(self, job):
        return job.report or None


# --- Views ---------------------------------------------------------------------------------


class _BrandView:
    permission_classes = [BrandPermission]
    #: {HTTP method: permission}; GET/HEAD/OPTIONS default to VIEW_OFFERS.
    permissions_by_method: dict[str, str] = {}

    @property
    def brand_permission(self) -> str:
        return self.permissions_by_method.get(self.request.method, access.VIEW_OFFERS)

    def coupon(self, public_id):
        brand_offer = selectors.coupon_get(membership=self.request.membership, public_id=public_id)
        if brand_offer is None:
            raise NotFound()
        return brand_offer


def _create(view, request) -> Response:
    parsed = CouponInputSerializer(data=request.data, context={"membership": request.membership})
    parsed.is_valid(raise_exception=True)
    brand_offer = services.coupon_create(
        brand=request.brand, actor=request.user, **parsed.validated_data
    )
    brand_offer = view.coupon(brand_offer.offer.public_id)
    return Response(
        CouponSerializer(brand_offer, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(tags=TAGS, parameters=[brand_header_parameter])
class CouponListView(_BrandView, generics.GenericAPIView):
    permissions_by_method = {"POST": access.EDIT_OFFERS}
    serializer_class = CouponSerializer
    queryset = BrandOffer.objects.none()  # for the schema generator; requests use selectors

    @extend_schema(
        summary="List the brand's coupons",
        parameters=[CouponListInputSerializer],
        responses={200: CouponSerializer(many=True), 400: BAD_QUERY, 403: ERRORS[403]},
    )
    def get(self, request):
        query = parse_query(CouponListInputSerializer, request)
        coupons = selectors.coupons_filtered(
            membership=request.membership,
            status=query.get("status", ""),
            kind=query.get("kind", ""),
            store=query.get("store", ""),
            search=query.get("q", ""),
        )
        page = self.paginate_queryset(coupons)
        data = CouponSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Create a coupon (a draft)",
        request=CouponInputSerializer,
        responses={201: CouponSerializer, **ERRORS},
    )
    def post(self, request):
        return _create(self, request)


@extend_schema(tags=TAGS, parameters=[brand_header_parameter])
class CouponCreateView(_BrandView, APIView):
    permissions_by_method = {"POST": access.EDIT_OFFERS}

    @extend_schema(
        summary="Create a coupon (a draft); the same as POST /coupons/",
        request=CouponInputSerializer,
        responses={201: CouponSerializer, **ERRORS},
    )
    def post(self, request):
        return _create(self, request)


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, COUPON_ID])
class CouponDetailView(_BrandView, APIView):
    permissions_by_method = {"PATCH": access.EDIT_OFFERS}

    @extend_schema(summary="One coupon", responses={200: CouponSerializer, **ERRORS})
    def get(self, request, public_id):
        brand_offer = self.coupon(public_id)
        return Response(CouponSerializer(brand_offer, context={"request": request}).data)

    @extend_schema(
        summary="Change a coupon (the fields sent)",
        request=CouponInputSerializer(partial=True),
        responses={200: CouponSerializer, **ERRORS, 409: STATUS_ERRORS[409]},
    )
    def patch(self, request, public_id):
        brand_offer = self.coupon(public_id)
        parsed = CouponInputSerializer(
            data=request.data, partial=True, context={"membership": request.membership}
        )
        parsed.is_valid(raise_exception=True)
        services.coupon_update(
            brand_offer=brand_offer, actor=request.user, changes=parsed.validated_data
        )
        brand_offer = self.coupon(public_id)
        return Response(CouponSerializer(brand_offer, context={"request": request}).data)


def _status_view(action: str, service, permission: str, summary: str):
    @extend_schema(tags=TAGS, parameters=[brand_header_parameter, COUPON_ID])
    class View(_BrandView, APIView):
        permissions_by_method = {"POST": permission}

        @extend_schema(
            summary=summary, request=None, responses={200: CouponSerializer, **STATUS_ERRORS}
        )
        def post(self, request, public_id):
            brand_offer = self.coupon(public_id)
            service(brand_offer=brand_offer, actor=request.user)
            brand_offer = self.coupon(public_id)
            return Response(CouponSerializer(brand_offer, context={"request": request}).data)

    View.__name__ = View.__qualname__ = f"Coupon{action.title()}View"
    return View


CouponPublishView = _status_view(
    "publish",
    services.coupon_publish,
    access.PUBLISH_OFFERS,
    "Publish a draft (verified brands only)",
)
CouponPauseView = _status_view("pause", services.coupon_pause, access.EDIT_OFFERS, "Pause")
CouponResumeView = _status_view(
    "resume", services.coupon_resume, access.PUBLISH_OFFERS, "Resume a paused coupon"
)
CouponEndView = _status_view("end", services.coupon_end, access.EDIT_OFFERS, "End for good")


@extend_schema(tags=TAGS, parameters=[brand_header_parameter])
class BulkUploadView(_BrandView, APIView):
    permissions_by_method = {"POST": access.UPLOAD}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload coupons from CSV or XLSX",
        description=(
            "Every row becomes a draft. A file up to "
            f"{uploads.BACKGROUND_ROWS} rows answers 200 with the job and its row report (on "
            "dry_run=false, `written` drafts were saved, or none if any row is refused). A "
            "larger one answers 202 with the job; poll GET bulk-upload/{job_id}/."
        ),
        request={"multipart/form-data": UploadInputSerializer},
        responses={200: UploadJobSerializer, 202: UploadJobSerializer, **ERRORS},
    )
    def post(self, request):
        parsed = UploadInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        upload = parsed.validated_data["file"]
        if upload.size > uploads.MAX_UPLOAD_BYTES:
            raise uploads.UploadRefused(
                _("The file is larger than %(mb)s MB: split it into several files.")
                % {"mb": uploads.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        job = uploads.upload_start(
            membership=request.membership,
            actor=request.user,
            name=upload.name,
            content=upload.read(),
            confirm=not parsed.validated_data["dry_run"],
        )
        finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
        return Response(
            UploadJobSerializer(job).data,
            status=status.HTTP_200_OK if finished else status.HTTP_202_ACCEPTED,
        )


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, JOB_ID])
class BulkUploadJobView(_BrandView, APIView):
    permissions_by_method = {"GET": access.UPLOAD}

    @extend_schema(
        summary="An upload job: progress and row report",
        responses={200: UploadJobSerializer, **ERRORS},
    )
    def get(self, request, job_id):
        job = selectors.upload_job_get(brand=request.brand, public_id=job_id)
        if job is None:
            raise NotFound()
        return Response(UploadJobSerializer(job).data)


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, JOB_ID])
class BulkUploadConfirmView(_BrandView, APIView):
    permissions_by_method = {"POST": access.UPLOAD}

    @extend_schema(
        summary="Save the rows of a checked upload (all of them, or none)",
        request=None,
        responses={
            200: UploadJobSerializer,
            202: UploadJobSerializer,
            **ERRORS,
            409: OpenApiResponse(
                ApiErrorSerializer, description="`conflict`: not checked, or rows refused."
            ),
        },
    )
    def post(self, request, job_id):
        job = selectors.upload_job_get(brand=request.brand, public_id=job_id)
        if job is None:
            raise NotFound()
        job = uploads.upload_confirm(job=job, actor=request.user)
        finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
        return Response(
            UploadJobSerializer(job).data,
            status=status.HTTP_200_OK if finished else status.HTTP_202_ACCEPTED,
        )
