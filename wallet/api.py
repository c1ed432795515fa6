"""The wallet API under /api/v1/: balances, ledger lines, cashback, withdrawals, KYC,
missing-cashback claims and referrals, all the signed-in shopper's own.

Views are thin: parse the query or body with an input serializer (400 with field messages),
call a selector or a service, serialize. Another shopper's cashback, withdrawal or click answers
404, as if it did not exist. Lists run a fixed number of SQL queries whatever the page size.
"""

import uuid
from dataclasses import asdict

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from coupzii.core.errors import NotFound
from coupzii.core.files import private_file_response
from coupzii.core.idempotency import idempotency_key, idempotency_key_parameter
from coupzii.core.serializers import ApiErrorSerializer, parse_query
from offers.models import Click

from . import selectors
from .models import CashbackClaim, CashbackEvent, KycProfile, Transaction, Withdrawal
from .selectors import RECEIPT_PERMISSION, friend_state, short_name
from .serializers import (
    FRIEND_STATE_CHOICES,
    CashbackClaimFileSerializer,
    CashbackClaimSerializer,
    CashbackEventSerializer,
    CashbackQuerySerializer,
    ClaimableClickSerializer,
    KycSerializer,
    KycSubmitSerializer,
    LeaderboardQuerySerializer,
    LeaderboardSerializer,
    ReferralsSerializer,
    TransactionQuerySerializer,
    WalletLineSerializer,
    WalletSummarySerializer,
    WithdrawalDetailSerializer,
    WithdrawalRequestSerializer,
    WithdrawalSerializer,
)
from .services.claims import cashback_claim_file, claimable_clicks
from .services.kyc import kyc_submit
from .services.withdrawals import withdrawal_request_result

WALLET = ["wallet"]
CASHBACK = ["cashback"]
REFERRALS = ["referrals"]
# Withdrawal.idempotency_key's column width.
IDEMPOTENCY_KEY_MAX_LENGTH = 100
# The referrals answer lists this many friends, newest first; `friends_count` has them all.
FRIENDS_SHOWN = 100

SIGNED_OUT = OpenApiResponse(ApiErrorSerializer, description=_("`not_authenticated`."))
BAD_QUERY = OpenApiResponse(ApiErrorSerializer, description=_("`invalid`: a bad parameter."))
NOT_YOURS = OpenApiResponse(ApiErrorSerializer, description=_("`not_found`: none of yours."))


def uuid_path(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


def _parse_body(input_serializer, request: Request) -> dict:
    parsed = input_serializer(data=request.data)
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data


def _public_id(raw: str, message) -> uuid.UUID:
    """The path's id as a UUID; a malformed one is as unknown as a missing one."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(message) from None


class WalletView(generics.GenericAPIView):
    """Base: the signed-in shopper only, JWT or session, the default throttles."""

    permission_classes = [IsAuthenticated]


# --- Summary and ledger -----------------------------------------------------------------------


@extend_schema(
    tags=WALLET,
    summary="My wallet",
    description="Balances (available, pending, held), lifetime earnings, what has been "
    "withdrawn and what is owed from reversed cashback, and the withdrawal rules.",
    responses={200: WalletSummarySerializer, 401: SIGNED_OUT},
)
class WalletSummaryView(WalletView):
    serializer_class = WalletSummarySerializer

    def get(self, request: Request) -> Response:
        summary = selectors.wallet_summary(request.user)
        rules = selectors.withdrawal_settings()
        body = {
            **asdict(summary),
            "minimum_withdrawal": rules["minimum"],
            "withdrawals_per_day": rules["per_day"],
        }
        return Response(WalletSummarySerializer(body).data)


@extend_schema(
    tags=WALLET,
    summary="My wallet transactions",
    description="My wallet's events, newest first, paginated: one line per event (cashback "
    "reported, confirmed, declined or reversed; a bonus; a withdrawal requested, paid or "
    "returned; wallet spent on an order, returned or refunded) with its signed change to my "
    "`available` and `pending` balances and what it is about (its cashback, withdrawal or "
    "order). Filter by event `kind`, by a balance it changed (`account`), and a date range "
    "(`since`, `until`, both included).",
    parameters=[TransactionQuerySerializer],
    responses={200: WalletLineSerializer(many=True), 400: BAD_QUERY, 401: SIGNED_OUT},
)
class TransactionListView(WalletView, generics.ListAPIView):
    serializer_class = WalletLineSerializer
    queryset = Transaction.objects.none()  # for the schema generator; requests use get_queryset

    def get_queryset(self):
        filters = parse_query(TransactionQuerySerializer, self.request)
        return selectors.statement_for(self.request.user, **filters)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        lines = selectors.statement_lines(request.user, page)
        return self.get_paginated_response(WalletLineSerializer(lines, many=True).data)


# --- Cashback ---------------------------------------------------------------------------------


@extend_schema(
    tags=CASHBACK,
    summary="My cashback",
    description="Each sale stores reported for my click-outs and its cashback, latest sale "
    "first, paginated, with the date it is expected to be confirmed. Filter by `status`.",
    parameters=[CashbackQuerySerializer],
    responses={200: CashbackEventSerializer(many=True), 400: BAD_QUERY, 401: SIGNED_OUT},
)
class CashbackListView(WalletView, generics.ListAPIView):
    serializer_class = CashbackEventSerializer
    queryset = CashbackEvent.objects.none()

    def get_queryset(self):
        filters = parse_query(CashbackQuerySerializer, self.request)
        return selectors.cashback_events_for(self.request.user, status=filters["status"])


@extend_schema(
    tags=CASHBACK,
    summary="One of my cashback",
    parameters=[uuid_path("public_id", "The cashback's id.")],
    responses={200: CashbackEventSerializer, 401: SIGNED_OUT, 404: NOT_YOURS},
)
class CashbackDetailView(WalletView):
    serializer_class = CashbackEventSerializer

    def get(self, request: Request, public_id: str) -> Response:
        message = _("No such cashback of yours.")
        event = selectors.cashback_event_for(request.user, _public_id(public_id, message))
        if event is None:
            raise NotFound(message)
        return Response(CashbackEventSerializer(event).data)


# --- Withdrawals ------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=WALLET,
        summary="My withdrawals",
        description="Newest first, paginated.",
        responses={200: WithdrawalSerializer(many=True), 401: SIGNED_OUT},
    ),
    post=extend_schema(
        tags=WALLET,
        summary="Withdraw available cashback",
        description=(
            "Moves `amount` from available to held and asks an operator to pay it to the "
            "verified UPI id or bank account. The `Idempotency-Key` header is required: a "
            "retry with the same key answers 200 with the first withdrawal and changes "
            "nothing; the same key with another amount or method answers 409 "
            "`idempotency_key_reused`."
        ),
        parameters=[
            idempotency_key_parameter(
                max_length=IDEMPOTENCY_KEY_MAX_LENGTH, new_for_each="withdrawal you mean to make"
            )
        ],
        request=WithdrawalRequestSerializer,
        responses={
            201: WithdrawalSerializer,
            200: OpenApiResponse(
                WithdrawalSerializer, description=_("A retry: the withdrawal made the first time.")
            ),
            400: OpenApiResponse(
                ApiErrorSerializer,
                description=_(
                    "`idempotency_key_required`, `invalid_idempotency_key`, `invalid` (a bad "
                    "field), `below_minimum` (field `amount`), `payout_destination_missing` "
                    "(field `method`: no UPI id or bank account for this method)."
                ),
            ),
            401: SIGNED_OUT,
            403: OpenApiResponse(
                ApiErrorSerializer, description=_("`kyc_required`: KYC not verified yet.")
            ),
            409: OpenApiResponse(
                ApiErrorSerializer,
                description=_("`insufficient_funds`, `idempotency_key_reused`."),
            ),
            429: OpenApiResponse(
                ApiErrorSerializer,
                description=_("`daily_limit_reached` (withdrawals a day), or `throttled`."),
            ),
        },
    ),
)
class WithdrawalListView(WalletView, generics.ListAPIView):
    serializer_class = WithdrawalSerializer
    queryset = Withdrawal.objects.none()

    def get_queryset(self):
        return selectors.withdrawals_for(self.request.user)

    def post(self, request: Request) -> Response:
        key = idempotency_key(request, max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
        wanted = _parse_body(WithdrawalRequestSerializer, request)
        # The service decides "opened now" or "opened by an earlier request with this key"
        # under the user's lock, so two copies of one request sent at once get one 201 and
        # one 200 with the same withdrawal.
        requested = withdrawal_request_result(
            user=request.user,
            amount=wanted["amount"],
            method=wanted["method"],
            idempotency_key=key,
        )
        answer = status.HTTP_201_CREATED if requested.created else status.HTTP_200_OK
        return Response(WithdrawalSerializer(requested.withdrawal).data, status=answer)


@extend_schema(
    tags=WALLET,
    summary="One of my withdrawals, with its audit trail",
    description='The audit trail says what happened when, and who did it: "you" or '
    '"Coupzii team" (operators are never named).',
    parameters=[uuid_path("public_id", "The withdrawal's id.")],
    responses={200: WithdrawalDetailSerializer, 401: SIGNED_OUT, 404: NOT_YOURS},
)
class WithdrawalDetailView(WalletView):
    serializer_class = WithdrawalDetailSerializer

    def get(self, request: Request, public_id: str) -> Response:
        message = _("No such withdrawal of yours.")
        withdrawal = selectors.withdrawal_for(request.user, _public_id(public_id, message))
        if withdrawal is None:
            raise NotFound(message)
        return Response(WithdrawalDetailSerializer(withdrawal).data)


# --- KYC --------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=WALLET,
        summary="My KYC status and payout details",
        description="PAN and bank account number are shown masked, never in full. Before "
        "anything is submitted the status is `unverified` and the details are empty.",
        responses={200: KycSerializer, 401: SIGNED_OUT},
    ),
    post=extend_schema(
        tags=WALLET,
        summary="Submit my KYC details",
        description="PAN and a UPI id or a bank account (with IFSC) to be paid to. Sends them "
        "for review (`submitted`); changing verified details sends them for review again. "
        "400 `kyc_invalid` names each bad field.",
        request=KycSubmitSerializer,
        responses={200: KycSerializer, 400: ApiErrorSerializer, 401: SIGNED_OUT},
    ),
)
class KycView(WalletView):
    serializer_class = KycSerializer

    def get(self, request: Request) -> Response:
        profile = selectors.kyc_for(request.user) or KycProfile(user=request.user)
        return Response(KycSerializer(profile).data)

    def post(self, request: Request) -> Response:
        details = _parse_body(KycSubmitSerializer, request)
        profile = kyc_submit(user=request.user, **details)
        return Response(KycSerializer(profile).data)


# --- Missing-cashback claims ------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=CASHBACK,
        summary="My missing-cashback claims",
        description="Newest first, paginated.",
        responses={200: CashbackClaimSerializer(many=True), 401: SIGNED_OUT},
    ),
    post=extend_schema(
        tags=CASHBACK,
        summary="Claim missing cashback",
        description=(
            "For one of my click-outs (see claimable-clicks/) the store never reported: the "
            "order id, what I paid, the order date (within 3 days after the click-out) and, "
            "optionally, a receipt image (send multipart/form-data for it). An operator "
            "reviews it. 400 `claim_refused` when the purchase is tracked, already claimed "
            "or too old; 404 when the click is not mine."
        ),
        request={
            "application/json": CashbackClaimFileSerializer,
            "multipart/form-data": CashbackClaimFileSerializer,
        },
        responses={
            201: CashbackClaimSerializer,
            400: ApiErrorSerializer,
            401: SIGNED_OUT,
            404: NOT_YOURS,
        },
    ),
)
class CashbackClaimListView(WalletView, generics.ListAPIView):
    serializer_class = CashbackClaimSerializer
    queryset = CashbackClaim.objects.none()

    def get_queryset(self):
        return selectors.claims_for(self.request.user)

    def post(self, request: Request) -> Response:
        claim = _parse_body(CashbackClaimFileSerializer, request)
        filed = cashback_claim_file(
            user=request.user,
            click_id=claim["click_id"],
            order_id=claim["order_id"],
            amount=claim["amount"],
            order_date=claim["order_date"],
            receipt=claim.get("receipt"),
        )
        return Response(
            CashbackClaimSerializer(filed, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=CASHBACK,
    summary="The receipt of one of my claims",
    description="The image sent with the claim. Only its owner gets it: 404 for anyone else, "
    "and for a claim without a receipt.",
    parameters=[uuid_path("public_id", "The claim's id.")],
    responses={
        (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The image.")),
        401: SIGNED_OUT,
        404: NOT_YOURS,
    },
)
class CashbackClaimReceiptView(WalletView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is the file whatever the client accepts (an <img> asks for image/*);
        # only a 401 or 404 is rendered, as the API's usual JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, public_id: str):
        message = _("No such receipt of yours.")
        claim = selectors.claim_receipt(_public_id(public_id, message))
        if claim is None or claim.user_id != request.user.pk or not claim.receipt:
            raise NotFound(message)
        return private_file_response(
            user=request.user,
            file=claim.receipt,
            owner_id=claim.user_id,
            permission=RECEIPT_PERMISSION,
        )


@extend_schema(
    tags=CASHBACK,
    summary="My click-outs that can be claimed",
    description="Click-outs of the last 90 days with no tracked cashback and no claim yet, "
    "newest first, paginated, with the order dates a claim on each accepts.",
    responses={200: ClaimableClickSerializer(many=True), 401: SIGNED_OUT},
)
class ClaimableClickListView(WalletView, generics.ListAPIView):
    serializer_class = ClaimableClickSerializer
    queryset = Click.objects.none()

    def get_queryset(self):
        return claimable_clicks(self.request.user)


# --- Referrals --------------------------------------------------------------------------------

STATE_LABELS = dict(FRIEND_STATE_CHOICES)


@extend_schema(
    tags=REFERRALS,
    summary="My referrals",
    description="My code and share link, the bonuses, what I have earned, and the friends "
    f"who joined with my code (the newest {FRIENDS_SHOWN}), each with their state. Friends' "
    "names are shortened; their emails are never shown.",
    responses={200: ReferralsSerializer, 401: SIGNED_OUT},
)
class ReferralsView(WalletView):
    serializer_class = ReferralsSerializer

    def get(self, request: Request) -> Response:
        user = request.user
        friends = selectors.referred_friends(user)
        shown = list(friends[:FRIENDS_SHOWN])
        count = len(shown) if len(shown) < FRIENDS_SHOWN else friends.count()
        signup = f"{reverse('account_signup')}?ref={user.referral_code}"
        body = {
            "code": user.referral_code,
            "share_link": request.build_absolute_uri(signup),
            "referrer_bonus": settings.WALLET_REFERRAL_BONUS,
            "welcome_bonus": settings.WALLET_WELCOME_BONUS,
            "earnings": selectors.referral_earnings(user),
            "friends_count": count,
            "friends": [_friend(friend) for friend in shown],
        }
        return Response(ReferralsSerializer(body).data)


def _friend(friend) -> dict:
    state = friend_state(friend)
    return {
        "name": short_name(friend),
        "joined_at": friend.date_joined,
        "state": state,
        "state_label": STATE_LABELS[state],
    }


@extend_schema(
    tags=REFERRALS,
    summary="The referral leaderboard",
    description="A month's top 10 referrers by bonuses earned, each named as they chose "
    '(first name and initial by default, full name, or "A Coupzii shopper"), and my own place '
    'and earnings. `month` is "this" (the default), "last", or YYYY-MM.',
    parameters=[LeaderboardQuerySerializer],
    responses={200: LeaderboardSerializer, 400: BAD_QUERY, 401: SIGNED_OUT},
)
class LeaderboardView(WalletView):
    serializer_class = LeaderboardSerializer

    def get(self, request: Request) -> Response:
        month = parse_query(LeaderboardQuerySerializer, request)["month"]
        if month in ("", "this", "last"):
            month = selectors.leaderboard_month(month or "this")
        board = selectors.referral_board(viewer=request.user, month=month)
        body = {
            "month": board.month,
            "rows": [asdict(row) for row in board.rows],
            "your_rank": board.your_rank,
            "your_earned": board.your_earned,
        }
        return Response(LeaderboardSerializer(body).data)
