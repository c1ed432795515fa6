"""The brand's code books over the API: list and create books, read and change one (settings,
pause, close), generate codes (a job), import a CSV or Excel file (a job), list its codes,
export them, and follow a job.

Thin views: parse with an input serializer, call the service or selector, answer with an
output serializer. A book the caller may not see (another brand's, another department's) is
404; a role without MANAGE_BOOKS is 403.
"""

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

from coupzii.core.errors import NotFound
from coupzii.core.pagination import PageNumberPagination
from coupzii.core.serializers import BAD_QUERY, ApiErrorSerializer, enum_field, parse_query
from offers.models import BookStatus, CodeStatus, CouponBook, CouponCode

from .. import access
from ..models import JobKind, JobStatus
from ..portal import BrandPermission, brand_header_parameter
from . import selectors, services
from .views import export_response

TAGS = ["brand books"]
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="`invalid`: messages by field."),
    403: OpenApiResponse(ApiErrorSerializer, description="The role may not manage books."),
    404: OpenApiResponse(ApiErrorSerializer, description="No such book in this brand."),
}
CLOSED = OpenApiResponse(ApiErrorSerializer, description="`book_closed`: the book is closed.")
PUBLIC_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The book's or job's id."
)


# --- Shapes --------------------------------------------------------------------------------


class BookCodeTotalsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    available = serializers.IntegerField(help_text="Not handed out yet.")
    claimed = serializers.IntegerField(help_text="Handed to a shopper (some since used).")
    redeemed = serializers.IntegerField(help_text="Used at least once.")


class BookSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    offer = serializers.UUIDField(source="offer.public_id")
    offer_title = serializers.CharField(source="offer.title")
    code_pattern = serializers.CharField()
    max_redemptions_per_code = serializers.IntegerField()
    per_user_limit = serializers.IntegerField()
    lock_ttl_seconds = serializers.IntegerField()
    resale_allowed = serializers.BooleanField()
    swap_allowed = serializers.BooleanField()
    status = enum_field("BookStatus", BookStatus.choices)
    codes = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(BookCodeTotalsSerializer)
    def get_codes(self, book):
        totals = self.context["totals"].get(book.pk) or selectors.CodeTotals()
        return BookCodeTotalsSerializer(totals).data


class BookInputSerializer(serializers.Serializer):
    """A book's settings. For PATCH every field is optional, and `status` may change."""

    offer = serializers.UUIDField(help_text="One of the brand's unique-code offers (create).")
    name = serializers.CharField(max_length=120)
    code_pattern = serializers.CharField(
        max_length=40,
        default="****-****",
        help_text="'#' a digit, '?' a letter, '*' either; letters, digits, '-', '_' as they are.",
    )
    max_redemptions_per_code = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    per_user_limit = serializers.IntegerField(min_value=1, max_value=1_000, default=1)
    lock_ttl_seconds = serializers.IntegerField(
        min_value=services.LOCK_TTL_RANGE[0], max_value=services.LOCK_TTL_RANGE[1], default=900
    )
    resale_allowed = serializers.BooleanField(default=False)
    swap_allowed = serializers.BooleanField(default=False)


class BookUpdateSerializer(BookInputSerializer):
    offer = None
    status = serializers.ChoiceField(
        choices=BookStatus.choices,
        required=False,
        help_text="paused stops claims, active resumes them, closed is for good.",
    )


class GenerateInputSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        min_value=1, help_text="New codes to make; the book holds at most the plan's limit."
    )


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8) or .xlsx, one code per row in the first column, at most 20 MB."
    )


class ImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The CSV line or spreadsheet row.")
    code = serializers.CharField()
    problem = serializers.ChoiceField(
        choices=["duplicate_in_file", "duplicate_in_book", "invalid_characters", "too_long"]
    )


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows read (blank rows and the header left out).")
    created = serializers.IntegerField()
    duplicates_in_file = serializers.IntegerField()
    duplicates_in_book = serializers.IntegerField()
    invalid_characters = serializers.IntegerField()
    too_long = serializers.IntegerField()
    problems = ImportProblemSerializer(many=True, help_text="The first 1,000 rows not added.")


class BookJobSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = enum_field(
        "BookJobKind",
        [(JobKind.GENERATE_CODES, "generate_codes"), (JobKind.IMPORT_CODES, "import_codes")],
    )
    status = enum_field("BrandJobStatus", JobStatus.choices)
    book = serializers.UUIDField(source="book.public_id")
    total = serializers.IntegerField(help_text="Codes to make, or rows in the file.")
    processed = serializers.IntegerField()
    percent = serializers.IntegerField()
    filename = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_filename(self, job) -> str:
        return job.params.get("filename", "")

    @extend_schema_field(ImportReportSerializer(allow_null=True))
    def get_report(self, job):
        return job.report or None


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = enum_field("BookCodeStatus", CodeStatus.choices)
    claimed_at = serializers.DateTimeField(allow_null=True)
    redemption_count = serializers.IntegerField()


class CodeListInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CodeStatus.choices, required=False)
    q = serializers.CharField(required=False, max_length=64, help_text="A code or its start.")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class ExportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


# --- Views ---------------------------------------------------------------------------------


class _BookView(generics.GenericAPIView):
    permission_classes = [BrandPermission]
    brand_permission = access.MANAGE_BOOKS
    pagination_class = PageNumberPagination

    def book(self, public_id):
        book = selectors.book_for(self.request.membership, public_id)
        if book is None:
            raise NotFound()
        return book

    def book_data(self, book) -> dict:
        totals = selectors.book_code_totals([book.pk])
        return BookSerializer(book, context={"totals": totals}).data


def _job_data(job) -> dict:
    return BookJobSerializer(job).data


@extend_schema(tags=TAGS, parameters=[brand_header_parameter])
class BookListView(_BookView):
    serializer_class = BookSerializer
    queryset = CouponBook.objects.none()  # for the schema; the rows come from the selector

    @extend_schema(
        summary="List the brand's code books",
        responses={
            200: BookSerializer(many=True),
            400: OpenApiResponse(
                ApiErrorSerializer,
                description="`brand_required`: the caller belongs to several brands.",
            ),
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.books_for(request.membership))
        totals = selectors.book_code_totals([book.pk for book in page])
        data = BookSerializer(page, many=True, context={"totals": totals}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Create a code book",
        request=BookInputSerializer,
        responses={201: BookSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
    )
    def post(self, request):
        parsed = BookInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        settings = dict(parsed.validated_data)
        offer_id = settings.pop("offer")
        offer = selectors.offers_for_books(request.membership).filter(public_id=offer_id).first()
        book = services.book_create(
            membership=request.membership, actor=request.user, offer=offer, **settings
        )
        return Response(self.book_data(self.book(book.public_id)), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, PUBLIC_ID])
class BookDetailView(_BookView):
    serializer_class = BookSerializer

    @extend_schema(
        summary="Read a code book",
        responses={200: BookSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, public_id):
        return Response(self.book_data(self.book(public_id)))

    @extend_schema(
        summary="Change a book's settings or status",
        request=BookUpdateSerializer,
        responses={
            200: BookSerializer,
            **ERRORS,
            409: OpenApiResponse(
                ApiErrorSerializer,
                description="`book_closed`, `book_status_refused` (a closed book stays closed).",
            ),
        },
    )
    def patch(self, request, public_id):
        book = self.book(public_id)
        parsed = BookUpdateSerializer(data=request.data, partial=True)
        parsed.is_valid(raise_exception=True)
        changes = dict(parsed.validated_data)
        new_status = changes.pop("status", None)
        if changes:
            book = services.book_update(book=book, actor=request.user, **changes)
        if new_status is not None:
            book = services.book_set_status(book=book, status=new_status, actor=request.user)
        return Response(self.book_data(self.book(public_id)))


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, PUBLIC_ID])
class BookGenerateView(_BookView):
    serializer_class = BookJobSerializer

    @extend_schema(
        summary="Generate codes from the book's pattern (a job)",
        description="Answers 202 with the job; follow it at /api/v1/brand/books/jobs/{id}/.",
        request=GenerateInputSerializer,
        responses={
            202: BookJobSerializer,
            400: OpenApiResponse(
                ApiErrorSerializer,
                description="`invalid`, `book_limit_reached` (the plan's codes per book), "
                "`pattern_too_weak`, `invalid_pattern`.",
            ),
            403: ERRORS[403],
            404: ERRORS[404],
            409: CLOSED,
        },
    )
    def post(self, request, public_id):
        book = self.book(public_id)
        parsed = GenerateInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        job = services.codes_generate_start(
            membership=request.membership,
            book=book,
            count=parsed.validated_data["count"],
            actor=request.user,
        )
        job.refresh_from_db()
        return Response(_job_data(job), status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, PUBLIC_ID])
class BookImportView(_BookView):
    serializer_class = BookJobSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a CSV or Excel file of codes",
        description=(
            "A small file is imported at once (201, the job done with its row report); a "
            "large one by a worker (202, the job queued: follow it)."
        ),
        request={"multipart/form-data": ImportInputSerializer},
        responses={
            201: BookJobSerializer,
            202: BookJobSerializer,
            400: OpenApiResponse(
                ApiErrorSerializer, description="`invalid`, `import_invalid` (not CSV or .xlsx)."
            ),
            403: ERRORS[403],
            404: ERRORS[404],
            409: CLOSED,
        },
    )
    def post(self, request, public_id):
        book = self.book(public_id)
        parsed = ImportInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        upload = parsed.validated_data["file"]
        job = services.codes_import_start(
            membership=request.membership,
            book=book,
            name=upload.name,
            content=upload.read(services.IMPORT_MAX_BYTES + 1),
            actor=request.user,
        )
        done = job.status in (JobStatus.DONE, JobStatus.FAILED)
        return Response(
            _job_data(job), status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED
        )


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, PUBLIC_ID])
class BookCodesView(_BookView):
    serializer_class = CodeSerializer
    queryset = CouponCode.objects.none()  # for the schema; the rows come from the selector

    @extend_schema(
        summary="List a book's codes",
        parameters=[CodeListInputSerializer],
        responses={
            200: CodeSerializer(many=True),
            400: BAD_QUERY,
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def get(self, request, public_id):
        book = self.book(public_id)
        query = parse_query(CodeListInputSerializer, request)
        codes = selectors.book_codes(book, status=query.get("status", ""), q=query.get("q", ""))
        page = self.paginate_queryset(codes)
        return self.get_paginated_response(CodeSerializer(page, many=True).data)


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, PUBLIC_ID])
class BookExportView(_BookView):
    def perform_content_negotiation(self, request, force=False):
        # `?format=csv|xlsx` names the file's format here, not one of DRF's renderers (its
        # URL_FORMAT_OVERRIDE reads the same parameter): errors still answer JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Export a book's codes (CSV or Excel, streamed)",
        parameters=[ExportInputSerializer],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
            400: BAD_QUERY,
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def get(self, request, public_id):
        book = self.book(public_id)
        query = parse_query(ExportInputSerializer, request)
        return export_response(book, query["format"])


@extend_schema(tags=TAGS, parameters=[brand_header_parameter, PUBLIC_ID])
class BookJobView(_BookView):
    serializer_class = BookJobSerializer

    @extend_schema(
        summary="Follow a generate or import job",
        responses={200: BookJobSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, public_id):
        job = selectors.job_for(request.membership, public_id)
        if job is None:
            raise NotFound()
        return Response(_job_data(job))
