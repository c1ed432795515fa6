"""API shapes for the wallet: the balance summary, the statement, cashback, withdrawals with their
audit trail, KYC (masked), missing-cashback claims, referrals and the leaderboard, and the
inputs (query parameters and request bodies).

Money is a string with 2 decimals ("500.00"), as everywhere in the API. Public ids are UUIDs;
database ids never leave the server. PAN and bank account numbers are only ever shown masked.
"""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coupzii.core.serializers import MONEY, enum_field, money
from offers.models import Click

from .arrival import NETWORK, STORE, arrivals_attach
from .models import (
    USER_ACCOUNT_KINDS,
    CashbackClaim,
    CashbackEvent,
    CashbackStatus,
    ClaimStatus,
    KycProfile,
    KycStatus,
    PayoutMethod,
    Withdrawal,
    WithdrawalAudit,
    WithdrawalStatus,
)
from .selectors import STATEMENT_KIND_CHOICES, FriendState
from .services.claims import CLAIM_WINDOW_DAYS, ORDER_WITHIN_DAYS

USER_ACCOUNT_CHOICES = [(kind.value, kind.label) for kind in USER_ACCOUNT_KINDS]
# A phone photo of a receipt is well under this; anything larger is not a receipt.
RECEIPT_MAX_BYTES = 5 * 1024 * 1024


# --- Summary and statement -------------------------------------------------------------------


class WalletSummarySerializer(serializers.Serializer):
    available = money(help_text=_("Can be withdrawn now."))
    pending = money(help_text=_("Cashback reported by stores, not confirmed yet."))
    held = money(help_text=_("Set aside for withdrawals being paid out."))
    lifetime_earned = money(help_text=_("Confirmed cashback and bonuses, less reversals."))
    withdrawn = money(help_text=_("Paid out to the shopper's bank or UPI."))
    owed = money(
        help_text=_("Reversed cashback not yet recovered: taken from future cashback first.")
    )
    minimum_withdrawal = money()
    withdrawals_per_day = serializers.IntegerField(
        read_only=True, help_text=_("How many withdrawal requests a day are allowed.")
    )


class WalletLineSerializer(serializers.Serializer):
    """One event on the shopper's wallet (a `selectors.StatementLine`) and what it did to their
    available and pending balances."""

    transaction_id = serializers.UUIDField(read_only=True)
    kind = enum_field("WalletEventKind", STATEMENT_KIND_CHOICES, read_only=True)
    kind_label = serializers.CharField(source="label", read_only=True)
    detail = serializers.CharField(
        read_only=True,
        help_text=_("What it is about: the store, the order, where a withdrawal is paid."),
    )
    available_change = money(
        source="available", help_text=_("Signed change to the available balance.")
    )
    pending_change = money(source="pending", help_text=_("Signed change to the pending balance."))
    amount = money(
        help_text=_("The size of the event, unsigned (a paid withdrawal changes neither balance).")
    )
    cashback_id = serializers.UUIDField(
        read_only=True, allow_null=True, help_text=_("The cashback this line is about, or null.")
    )
    withdrawal_id = serializers.UUIDField(
        read_only=True, allow_null=True, help_text=_("The withdrawal this line is about, or null.")
    )
    order_number = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("The gift-card order it is about, or null.")
    )
    created_at = serializers.DateTimeField(read_only=True)


# --- Cashback ---------------------------------------------------------------------------------


# "from" is a Python keyword, so this shape is built with type() rather than a class body.
ExpectedArrivalSerializer = type(
    "ExpectedArrivalSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "When a pending cashback is likely to be confirmed, learned from the store's "
        "history (or its network's).",
        "from": serializers.DateField(
            source="start", read_only=True, help_text=_("The likely range's first day.")
        ),
        "to": serializers.DateField(
            source="end",
            read_only=True,
            help_text=_("The likely range's last day, by which `share` per cent is confirmed."),
        ),
        "share": serializers.IntegerField(
            read_only=True,
            help_text=_("Percent of the store's (or network's) cashback confirmed by `to`."),
        ),
        "basis": enum_field(
            "ArrivalBasis",
            [(STORE, _("The store's own history")), (NETWORK, _("The network's history"))],
            read_only=True,
        ),
    },
)


class CashbackEventListSerializer(serializers.ListSerializer):
    """A list of cashback: the expected arrivals of the whole page are read in one query."""

    def to_representation(self, data):
        events = data.all() if hasattr(data, "all") else data
        return super().to_representation(arrivals_attach(events))


class CashbackEventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    merchant = serializers.CharField(source="merchant.name", read_only=True, allow_null=True)
    merchant_slug = serializers.SlugField(source="merchant.slug", read_only=True, allow_null=True)
    sale_amount = money()
    cashback = money(help_text=_("The shopper's cashback on this sale."))
    status = enum_field("CashbackStatus", CashbackStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reversed = serializers.SerializerMethodField(
        help_text=_("true when the store reversed the sale after it was confirmed.")
    )
    expected_arrival = serializers.SerializerMethodField(
        help_text=_(
            "For pending cashback: the range it is likely to be confirmed in, learned from the "
            "store's history (or its network's); null when nothing is learned yet or when it "
            "is not pending."
        )
    )

    class Meta:
        model = CashbackEvent
        list_serializer_class = CashbackEventListSerializer
        fields = [
            "id",
            "merchant",
            "merchant_slug",
            "network",
            "sale_amount",
            "cashback",
            "status",
            "status_label",
            "occurred_at",
            "expected_confirmation",
            "expected_arrival",
            "confirmed_at",
            "declined_at",
            "reversed",
            "reversed_at",
        ]
        read_only_fields = fields

    def get_reversed(self, event: CashbackEvent) -> bool:
        return event.reversed_at is not None

    @extend_schema_field(ExpectedArrivalSerializer(allow_null=True))
    def get_expected_arrival(self, event: CashbackEvent) -> dict | None:
        if not hasattr(event, "expected_arrival"):  # one event alone (a list attaches them)
            arrivals_attach([event])
        if event.expected_arrival is None:
            return None
        return ExpectedArrivalSerializer(event.expected_arrival).data


# --- Withdrawals ------------------------------------------------------------------------------


class WithdrawalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    method = enum_field("PayoutMethod", PayoutMethod.choices, read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    amount = money()
    destination = serializers.CharField(
        read_only=True, help_text=_("Where it is paid, as shown to people (bank account masked).")
    )
    status = enum_field("WithdrawalStatus", WithdrawalStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    utr = serializers.CharField(read_only=True, help_text=_("The bank's reference, once paid."))
    reason = serializers.CharField(
        read_only=True, help_text=_("Why it was rejected or the payout failed.")
    )

    class Meta:
        model = Withdrawal
        fields = [
            "id",
            "method",
            "method_label",
            "amount",
            "destination",
            "status",
            "status_label",
            "utr",
            "reason",
            "created_at",
            "approved_at",
            "completed_at",
        ]
        read_only_fields = fields


class WithdrawalAuditSerializer(serializers.ModelSerializer):
    action = enum_field("WithdrawalStatus", WithdrawalStatus.choices, read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.SerializerMethodField(
        help_text=_('"you" or "Coupzii team": operators are never named.')
    )

    class Meta:
        model = WithdrawalAudit
        fields = ["action", "action_label", "actor", "note", "created_at"]
        read_only_fields = fields

    def get_actor(self, entry: WithdrawalAudit) -> str:
        # `entry.withdrawal` is the prefetching withdrawal itself: no query.
        if entry.actor_id is not None and entry.actor_id == entry.withdrawal.user_id:
            return str(_("you"))
        return str(_("Coupzii team"))


class WithdrawalDetailSerializer(WithdrawalSerializer):
    audit = WithdrawalAuditSerializer(many=True, read_only=True)

    class Meta(WithdrawalSerializer.Meta):
        fields = [*WithdrawalSerializer.Meta.fields, "audit"]
        read_only_fields = fields


class WithdrawalRequestSerializer(serializers.Serializer):
    method = enum_field("PayoutMethod", PayoutMethod.choices)
    # No minimum here: the service answers `below_minimum` with the configured minimum.
    amount = serializers.DecimalField(**MONEY, help_text=_("Rupees, at most 2 decimals."))


# --- KYC --------------------------------------------------------------------------------------


class KycSerializer(serializers.ModelSerializer):
    status = enum_field("KycStatus", KycStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    pan_masked = serializers.CharField(read_only=True, help_text=_('"XXXXXX234F"; "" if none.'))
    bank_account_masked = serializers.CharField(
        source="bank_masked", read_only=True, help_text=_('"XXXXXX6789"; "" if none.')
    )
    can_withdraw = serializers.SerializerMethodField(
        help_text=_("true once an operator has verified the details.")
    )

    class Meta:
        model = KycProfile
        fields = [
            "status",
            "status_label",
            "can_withdraw",
            "legal_name",
            "pan_masked",
            "upi_id",
            "bank_account_masked",
            "ifsc",
            "submitted_at",
            "reviewed_at",
            "rejection_reason",
        ]
        read_only_fields = fields

    def get_can_withdraw(self, profile: KycProfile) -> bool:
        return profile.status == KycStatus.VERIFIED


class KycSubmitSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=120, help_text=_("Name as on the PAN card."))
    pan = serializers.CharField(max_length=20, help_text=_("ABCDE1234F"))
    upi_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    bank_account = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text=_("9 to 18 digits.")
    )
    ifsc = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text=_("HDFC0001234")
    )


# --- Missing-cashback claims ------------------------------------------------------------------


class CashbackClaimSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    click_id = serializers.UUIDField(read_only=True)
    merchant = serializers.CharField(source="click.merchant.name", read_only=True)
    merchant_slug = serializers.SlugField(source="click.merchant.slug", read_only=True)
    amount = money(help_text=_("What the shopper paid."))
    status = enum_field("ClaimStatus", ClaimStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_receipt = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField(
        allow_null=True,
        help_text=_("Where the claim's owner can fetch the receipt (signed in); null without one."),
    )
    cashback_id = serializers.UUIDField(
        source="event.public_id",
        read_only=True,
        allow_null=True,
        help_text=_("The cashback created when the claim was approved; null before."),
    )

    class Meta:
        model = CashbackClaim
        fields = [
            "id",
            "click_id",
            "merchant",
            "merchant_slug",
            "order_id",
            "amount",
            "order_date",
            "status",
            "status_label",
            "rejection_reason",
            "has_receipt",
            "receipt_url",
            "cashback_id",
            "created_at",
            "reviewed_at",
        ]
        read_only_fields = fields

    def get_has_receipt(self, claim: CashbackClaim) -> bool:
        return bool(claim.receipt)

    @extend_schema_field(OpenApiTypes.URI)
    def get_receipt_url(self, claim: CashbackClaim) -> str | None:
        if not claim.receipt:
            return None
        path = reverse("api-cashback-claim-receipt", args=[claim.public_id])
        return self.context["request"].build_absolute_uri(path)


class CashbackClaimFileSerializer(serializers.Serializer):
    click_id = serializers.UUIDField(help_text=_("From GET /api/v1/cashback/claimable-clicks/."))
    order_id = serializers.CharField(max_length=64)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    order_date = serializers.DateField()
    receipt = serializers.ImageField(
        required=False, allow_null=True, help_text=_("A photo or screenshot (multipart only).")
    )

    def validate_receipt(self, receipt):
        if receipt and receipt.size > RECEIPT_MAX_BYTES:
            raise serializers.ValidationError(_("The receipt image must be under 5 MB."))
        return receipt


class ClaimableClickSerializer(serializers.ModelSerializer):
    click_id = serializers.UUIDField(source="id", read_only=True)
    clicked_at = serializers.DateTimeField(source="created_at", read_only=True)
    merchant = serializers.CharField(source="merchant.name", read_only=True)
    merchant_slug = serializers.SlugField(source="merchant.slug", read_only=True)
    offer_id = serializers.UUIDField(source="offer.public_id", read_only=True)
    offer_title = serializers.CharField(source="offer.title", read_only=True)
    order_date_from = serializers.SerializerMethodField(
        help_text=_("The earliest order date a claim on this click accepts.")
    )
    order_date_to = serializers.SerializerMethodField(
        help_text=_("The latest order date a claim on this click accepts.")
    )
    claim_by = serializers.SerializerMethodField(help_text=_("The last day to claim."))

    class Meta:
        model = Click
        fields = [
            "click_id",
            "clicked_at",
            "merchant",
            "merchant_slug",
            "offer_id",
            "offer_title",
            "order_date_from",
            "order_date_to",
            "claim_by",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATE)
    def get_order_date_from(self, click: Click):
        return timezone.localdate(click.created_at)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_order_date_to(self, click: Click):
        return timezone.localdate(click.created_at) + timedelta(days=ORDER_WITHIN_DAYS)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_claim_by(self, click: Click):
        return timezone.localdate(click.created_at + timedelta(days=CLAIM_WINDOW_DAYS))


# --- Referrals --------------------------------------------------------------------------------

FRIEND_STATE_CHOICES = [
    (FriendState.JOINED, _("Joined, no cashback yet")),
    (FriendState.EARNING, _("Cashback on its way")),
    (FriendState.REWARDED, _("Bonus paid")),
    (FriendState.NOT_ELIGIBLE, _("Not eligible")),
]


class ReferredFriendSerializer(serializers.Serializer):
    name = serializers.CharField(
        read_only=True, help_text=_('Shortened ("Asha V."); never an email.')
    )
    joined_at = serializers.DateTimeField(read_only=True)
    state = enum_field("FriendState", FRIEND_STATE_CHOICES, read_only=True)
    state_label = serializers.CharField(read_only=True)


class ReferralsSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    share_link = serializers.URLField(
        read_only=True, help_text=_("The sign-up page with the code.")
    )
    referrer_bonus = money(help_text=_("What the shopper earns per friend."))
    welcome_bonus = money(help_text=_("What the friend gets."))
    earnings = money(help_text=_("Referral bonuses earned so far."))
    friends_count = serializers.IntegerField(read_only=True)
    friends = ReferredFriendSerializer(
        many=True, read_only=True, help_text=_("The newest friends first, at most 100.")
    )


class LeaderRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(read_only=True)
    name = serializers.CharField(
        read_only=True,
        help_text=_(
            'As the shopper chose: first name and initial ("Asha V.", the default), full name, '
            'or "A Coupzii shopper" when they hide it.'
        ),
    )
    earned = money()
    is_you = serializers.BooleanField(read_only=True)


class LeaderboardSerializer(serializers.Serializer):
    month = serializers.CharField(read_only=True, help_text=_("YYYY-MM"))
    rows = LeaderRowSerializer(many=True, read_only=True)
    your_rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("null when not on this month's board.")
    )
    your_earned = money(
        allow_null=True, help_text=_("My bonuses earned that month; null when not on the board.")
    )


# --- Query parameters -------------------------------------------------------------------------


class TransactionQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=STATEMENT_KIND_CHOICES, required=False, default="", allow_blank=True
    )
    account = serializers.ChoiceField(
        choices=USER_ACCOUNT_CHOICES,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("Only the events that changed this balance."),
    )
    since = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("From this day (YYYY-MM-DD).")
    )
    until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("To this day, included.")
    )

    def validate(self, attrs):
        if attrs["since"] and attrs["until"] and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": [_("Must not be before `since`.")]})
        return attrs


class CashbackQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=CashbackStatus.choices, required=False, default="", allow_blank=True
    )


class LeaderboardQuerySerializer(serializers.Serializer):
    # This century only: year 0 or 1 has no bounds the database can compare dates with.
    month = serializers.RegexField(
        r"^(this|last|20[0-9]{2}-(0[1-9]|1[0-2]))$",
        required=False,
        default="this",
        allow_blank=True,
        error_messages={
            "invalid": _('Give a month as "this", "last" or YYYY-MM, for example 2025-03.')
        },
        help_text=_('"this" (the default), "last", or a month as YYYY-MM.'),
    )
