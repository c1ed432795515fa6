"""The affiliate postback: a network calls us the moment it records or updates one sale.

No session or JWT: the caller is a network's server, proven by the per-network shared secret
(`secret` parameter or `X-Postback-Secret` header). Networks send GET query strings or POST
form/JSON bodies, so both are read the same way.
"""

import hmac
from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core import metrics
from coupzii.core.errors import DomainError, Forbidden, NotFound
from coupzii.core.serializers import ApiErrorSerializer
from coupzii.core.throttling import AnonClientIpThrottle

from ..models import CashbackSource
from ..networks import ADAPTERS, get_adapter
from ..networks.base import PostbackRejected
from ..services.cashback import cashback_report

# Where the secret travels: names, not secrets.
SECRET_PARAM = "secret"  # noqa: S105
SECRET_HEADER = "X-Postback-Secret"  # noqa: S105


class UnknownNetwork(NotFound):
    code = "unknown_network"
    default_message = _("No such affiliate network.")


class PostbackForbidden(Forbidden):
    code = "postback_forbidden"
    default_message = _("The postback secret is missing or wrong.")


class PostbackInvalid(DomainError):
    code = "invalid_postback"
    default_message = _("Some postback fields are missing or cannot be read.")


class PostbackThrottle(AnonClientIpThrottle):
    """Per client IP at the `postback` rate (settings): above the anonymous rate, because a
    network's server sends bursts of status updates from one address."""

    scope = "postback"


class PostbackAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Always `ok`.")
    event = serializers.UUIDField(help_text="Public id of the cashback event for the sale.")


NETWORK_PARAMETER = OpenApiParameter(
    "network", str, OpenApiParameter.PATH, enum=sorted(ADAPTERS), description="Our network name."
)
SECRET_PARAMETERS = [
    OpenApiParameter(
        SECRET_PARAM, str, OpenApiParameter.QUERY, required=False, description="Shared secret."
    ),
    OpenApiParameter(
        SECRET_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="Shared secret, instead of the `secret` parameter.",
    ),
]
DESCRIPTION = (
    "Called by an affiliate network for one sale, with that network's own fields (admitad: "
    "action_id, subid, order_sum, payment_sum, status, time; vcommission: transaction_id, "
    "aff_sub, sale_amount, payout, status, datetime; cuelinks: transaction_id, sub_id, "
    "sale_amount, commission, status, transaction_date). Records or updates the cashback "
    "event; sending the same sale again changes nothing. 404 `unknown_network`; 403 "
    "`postback_forbidden` when the secret is missing or wrong, or none is configured; 400 "
    "`invalid_postback` with the bad fields; 429 when throttled."
)
RESPONSES = {
    200: PostbackAcceptedSerializer,
    400: ApiErrorSerializer,
    403: ApiErrorSerializer,
    404: ApiErrorSerializer,
    429: ApiErrorSerializer,
}


class AffiliatePostbackView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PostbackThrottle]

    @extend_schema(
        tags=["affiliate"],
        operation_id="affiliate_postback_get",
        summary="Receive a sale from an affiliate network (query string)",
        description=DESCRIPTION,
        parameters=[NETWORK_PARAMETER, *SECRET_PARAMETERS],
        responses=RESPONSES,
    )
    def get(self, request: Request, network: str) -> Response:
        return self._receive(request, network)

    @extend_schema(
        tags=["affiliate"],
        operation_id="affiliate_postback_post",
        summary="Receive a sale from an affiliate network (form or JSON body)",
        description=DESCRIPTION,
        parameters=[NETWORK_PARAMETER, *SECRET_PARAMETERS],
        request={
            "application/json": OpenApiTypes.OBJECT,
            "application/x-www-form-urlencoded": OpenApiTypes.OBJECT,
        },
        responses=RESPONSES,
    )
    def post(self, request: Request, network: str) -> Response:
        return self._receive(request, network)

    def _receive(self, request: Request, network: str) -> Response:
        try:
            return self._accept(request, network)
        except DomainError as refusal:
            # Operators watch refusals: a network whose postbacks we can't read, a wrong secret.
            provider = network if network in ADAPTERS else "unknown"
            metrics.WEBHOOK_FAILURES.labels(provider=provider, reason=refusal.code).inc()
            raise

    def _accept(self, request: Request, network: str) -> Response:
        if network not in ADAPTERS:
            raise UnknownNetwork()
        body, body_problem = _body_fields(request)
        params = {**_query_fields(request), **body}
        # Who is calling is settled before anything about the content is answered.
        _check_secret(
            network, given=request.headers.get(SECRET_HEADER) or params.get(SECRET_PARAM) or ""
        )
        if body_problem:
            raise PostbackInvalid(fields={"non_field_errors": [body_problem]})
        params.pop(SECRET_PARAM, None)  # never kept in the event's raw payload
        try:
            sale = get_adapter(network).parse_postback(params)
        except PostbackRejected as exc:
            raise PostbackInvalid(fields=exc.fields) from exc
        event = cashback_report(sale=sale, source=CashbackSource.POSTBACK)
        return Response({"status": "ok", "event": str(event.public_id)})


def _check_secret(network: str, *, given: str) -> None:
    expected = settings.AFFILIATE_NETWORKS.get(network, {}).get("postback_secret") or ""
    # No secret configured means postbacks are off for this network, never open to anyone.
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise PostbackForbidden()


def _query_fields(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key) for key in request.query_params}


def _body_fields(request: Request) -> tuple[dict[str, str], str]:
    """A POST body's fields as text ({} for GET), and what is wrong with the body ("" when
    nothing is): not JSON, JSON the parser refuses (too deep, a NUL), or not an object."""
    if request.method != "POST":
        return {}, ""
    try:
        body = request.data
    except ParseError as exc:
        return {}, str(exc.detail)
    if hasattr(body, "dict"):  # a form body arrives as a QueryDict
        body = body.dict()
    if not isinstance(body, Mapping):
        return {}, "Send form fields or an object."
    return {key: _as_text(value) for key, value in body.items() if value is not None}, ""


def _as_text(value) -> str:
    # A JSON number arrives as a float; its shortest repr is the literal the network sent
    # ("12.5"), which the adapter then reads as an exact Decimal.
    return value if isinstance(value, str) else str(value)
