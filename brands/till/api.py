"""The till API under /api/v1/brand/till/: validate, lock, redeem, roll back and unlock a code,
for a till with an API key (`Authorization: ApiKey czk_...`) or a member allowed to use the
till (JWT, X-Brand). Thin: parse, call brands.till.services, answer."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from brands.portal import brand_header_parameter
from coupzii.core.http import client_ip
from coupzii.core.idempotency import HEADER, idempotency_key, idempotency_key_parameter

from . import services
from .authentication import ApiKeyAuthentication, ApiKeyThrottle, MemberThrottle, TillPermission

TAGS = ["brand till"]
KEY_MAX_LENGTH = 80
MONEY = {"max_digits": 12, "decimal_places": 2}


# --- Shapes ------------------------------------------------------------------------------------


class BasketIn(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="The code as typed or scanned.")
    book = serializers.UUIDField(
        required=False,
        help_text="The code book's id: needed only when the code is in several of your books.",
    )
    order_reference = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )
    order_amount = serializers.DecimalField(min_value=0, **MONEY)
    products = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=200,
        required=False,
        default=list,
        help_text="SKUs of the basket's products.",
    )


class LockIn(BasketIn):
    order_amount = serializers.DecimalField(min_value=0, required=False, **MONEY)


class RedeemIn(BasketIn):
    order_reference = serializers.CharField(max_length=80, help_text="Your order's number.")


class UnlockIn(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    book = serializers.UUIDField(required=False)
    order_reference = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )


class RollbackIn(serializers.Serializer):
    idempotency_key = serializers.CharField(
        max_length=KEY_MAX_LENGTH,
        required=False,
        help_text="The redeem's Idempotency-Key (or send it as the Idempotency-Key header).",
    )
    book = serializers.UUIDField(required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TillCodeOut(serializers.Serializer):
    code = serializers.CharField(source="code.code")
    status = serializers.CharField(source="code.status")
    uses_left = serializers.IntegerField()
    book = serializers.UUIDField(source="book.public_id")
    book_name = serializers.CharField(source="book.name")
    offer = serializers.UUIDField(source="book.offer.public_id")
    offer_title = serializers.CharField(source="book.offer.title")


class ValidateOut(TillCodeOut):
    applies = serializers.BooleanField()
    discount = serializers.DecimalField(**MONEY)
    payable = serializers.DecimalField(**MONEY)
    reason = serializers.CharField()
    reason_code = serializers.CharField()


class RedeemOut(TillCodeOut):
    order_reference = serializers.CharField(source="audit.order_reference")
    order_amount = serializers.DecimalField(source="audit.order_amount", allow_null=True, **MONEY)
    discount = serializers.DecimalField(allow_null=True, **MONEY)
    payable = serializers.DecimalField(allow_null=True, **MONEY)
    idempotency_key = serializers.CharField(source="audit.idempotency_key")
    redeemed_at = serializers.DateTimeField(source="audit.created_at")


class RollbackOut(serializers.Serializer):
    code = serializers.CharField(source="code.code")
    status = serializers.CharField(source="code.status")
    book = serializers.UUIDField(source="book.public_id")
    order_reference = serializers.CharField()
    order_amount = serializers.DecimalField(
        source="reverses.order_amount", allow_null=True, **MONEY
    )
    discount_returned = serializers.DecimalField(
        source="reverses.discount_amount", allow_null=True, **MONEY
    )
    redeemed_at = serializers.DateTimeField(source="reverses.created_at")
    rolled_back_at = serializers.DateTimeField(source="created_at")


ErrorOut = inline_serializer(
    "TillError",
    {
        "error": inline_serializer(
            "TillErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(),
            },
        )
    },
)

REFUSALS = {
    400: OpenApiResponse(
        ErrorOut,
        description=(
            "`invalid` (field messages), `book_required` (the code is in several books: "
            "`books` lists them), `invalid_order_amount`, `invalid_products`, "
            "`idempotency_key_required`."
        ),
    ),
    401: OpenApiResponse(ErrorOut, description="No key, or a wrong or revoked key."),
    403: OpenApiResponse(
        ErrorOut,
        description="`permission_denied` (a member whose role has no till), `brand_suspended`.",
    ),
    404: OpenApiResponse(
        ErrorOut, description="`code_not_found` (not a code of your books), `book_not_found`."
    ),
    409: OpenApiResponse(
        ErrorOut,
        description=(
            "`code_locked` (another checkout holds it), `code_redeemed`, `code_expired`, "
            "`code_void`, `book_closed`, `budget_exhausted`."
        ),
    ),
    429: OpenApiResponse(ErrorOut, description="Too many requests from this key."),
}


# --- Views -------------------------------------------------------------------------------------


class TillView(APIView):
    authentication_classes = [ApiKeyAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    permission_classes = [TillPermission]
    throttle_classes = [ApiKeyThrottle, MemberThrottle]

    def parsed(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @property
    def scope(self) -> services.TillScope:
        return self.request.till_scope

    @property
    def ip(self) -> str | None:
        return client_ip(self.request) or None


def _schema(summary: str, description: str, request, response, extra_parameters=()):
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description=description,
        parameters=[brand_header_parameter, *extra_parameters],
        request=request,
        responses={200: response, **REFUSALS},
    )


@_schema(
    "What a code gives",
    "Checks the code against the basket without changing it: `applies`, `discount`, "
    "`payable` and the `reason`. Audited.",
    BasketIn,
    ValidateOut,
)
class ValidateView(TillView):
    def post(self, request):
        data = self.parsed(BasketIn)
        result = services.till_validate(
            scope=self.scope,
            code=data["code"],
            order_amount=data["order_amount"],
            products=data["products"],
            book=data.get("book"),
            order_reference=data["order_reference"],
            ip=self.ip,
        )
        return Response(ValidateOut(result).data)


@_schema(
    "Lock a code for a checkout",
    "Holds the code for this till for the book's lock time (15 minutes unless set). "
    "Locking again extends it.",
    LockIn,
    TillCodeOut,
)
class LockView(TillView):
    def post(self, request):
        data = self.parsed(LockIn)
        result = services.till_lock(
            scope=self.scope,
            code=data["code"],
            order_reference=data["order_reference"],
            order_amount=data.get("order_amount"),
            products=data["products"],
            book=data.get("book"),
            ip=self.ip,
        )
        return Response(TillCodeOut(result).data)


@_schema(
    "Unlock a code",
    "Ends this till's lock: the code can be used elsewhere again.",
    UnlockIn,
    TillCodeOut,
)
class UnlockView(TillView):
    def post(self, request):
        data = self.parsed(UnlockIn)
        result = services.till_unlock(
            scope=self.scope,
            code=data["code"],
            order_reference=data["order_reference"],
            book=data.get("book"),
            ip=self.ip,
        )
        return Response(TillCodeOut(result).data)


@_schema(
    "Redeem a code",
    "Uses the code for this order (a multi-use code up to its book's limit) and answers the "
    "discount. Send a new Idempotency-Key for each redemption and the same one when you "
    "retry: a repeat answers the first redemption. The brand's budgets are spent here.",
    RedeemIn,
    RedeemOut,
    [idempotency_key_parameter(max_length=KEY_MAX_LENGTH, new_for_each="redemption")],
)
class RedeemView(TillView):
    def post(self, request):
        key = idempotency_key(request, max_length=KEY_MAX_LENGTH)
        data = self.parsed(RedeemIn)
        result = services.till_redeem(
            scope=self.scope,
            code=data["code"],
            idempotency_key=key,
            order_reference=data["order_reference"],
            order_amount=data["order_amount"],
            products=data["products"],
            book=data.get("book"),
            ip=self.ip,
        )
        return Response(RedeemOut(result).data)


@_schema(
    "Roll a redemption back",
    "Undoes the redemption made with this Idempotency-Key in the last 24 hours: the code can "
    "be used again and the budget it spent is given back. Once only.",
    RollbackIn,
    RollbackOut,
)
class RollbackView(TillView):
    def post(self, request):
        data = self.parsed(RollbackIn)
        key = data.get("idempotency_key") or idempotency_key(
            request, max_length=KEY_MAX_LENGTH, required=False
        )
        if not key:
            message = str(_("Send the redeem's Idempotency-Key."))
            raise serializers.ValidationError({"idempotency_key": [message], HEADER: [message]})
        audit = services.till_rollback(
            scope=self.scope,
            idempotency_key=key,
            book=data.get("book"),
            reason=data["reason"],
            ip=self.ip,
        )
        return Response(RollbackOut(audit).data, status=status.HTTP_200_OK)
