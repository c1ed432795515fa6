"""The wallet's shared reads: balances and their history, cashback, withdrawals, claims and
referrals, for the wallet pages, the API and the assistant."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from coupzii.core.money import quantize

from . import leaderboard, ledger
from .models import (
    AccountKind,
    CashbackClaim,
    CashbackDebt,
    CashbackEvent,
    KycProfile,
    Posting,
    ReferralReward,
    ReferralStatus,
    TransactionKind,
    Withdrawal,
    WithdrawalStatus,
)

ZERO = Decimal("0.00")
# What counts towards "lifetime earned": money that reached `available` as earnings, less
# what reversals took back.
EARNING_KINDS = (
    TransactionKind.CASHBACK_CONFIRMED,
    TransactionKind.REFERRAL_BONUS,
    TransactionKind.WELCOME_BONUS,
    TransactionKind.CASHBACK_CLAWBACK,
    TransactionKind.DEBT_RECOVERY,
)


@dataclass(frozen=True)
class WalletSummary:
    available: Decimal
    pending: Decimal
    held: Decimal
    lifetime_earned: Decimal
    withdrawn: Decimal
    owed: Decimal


def wallet_summary(user: User) -> WalletSummary:
    balances = ledger.balances(user)
    earned = Posting.objects.filter(
        account__user=user,
        account__kind=AccountKind.AVAILABLE,
        transaction__kind__in=EARNING_KINDS,
    ).aggregate(total=Sum("amount"))["total"]
    withdrawn = Withdrawal.objects.filter(user=user, status=WithdrawalStatus.PAID).aggregate(
        total=Sum("amount")
    )["total"]
    owed = owed_by(user)
    return WalletSummary(
        available=balances[AccountKind.AVAILABLE],
        pending=balances[AccountKind.PENDING],
        held=balances[AccountKind.HELD],
        lifetime_earned=quantize(earned or ZERO),
        withdrawn=quantize(withdrawn or ZERO),
        owed=owed,
    )


def owed_by(user: User) -> Decimal:
    """Cashback clawed back that the shopper still owes: recovered from future cashback only,
    so it can't leave the wallet as a withdrawal or a purchase."""
    debts = CashbackDebt.objects.filter(user=user).aggregate(
        amount=Sum("amount"), recovered=Sum("recovered")
    )
    return quantize((debts["amount"] or ZERO) - (debts["recovered"] or ZERO))


def spendable_balance(user: User) -> Decimal:
    """What the shopper may spend or withdraw now: available less what they owe."""
    return max(ZERO, ledger.balances(user)[AccountKind.AVAILABLE] - owed_by(user))


def postings_for(
    user: User, *, kind: str = "", account: str = "", since=None, until=None
) -> QuerySet[Posting]:
    """The user's ledger lines, newest first, each with its transaction. Filters are optional:
    a transaction kind, an account kind (available/pending/held), a date range."""
    rows = Posting.objects.filter(account__user=user).select_related("transaction", "account")
    if kind:
        rows = rows.filter(transaction__kind=kind)
    if account:
        rows = rows.filter(account__kind=account)
    if since:
        rows = rows.filter(transaction__created_at__date__gte=since)
    if until:
        rows = rows.filter(transaction__created_at__date__lte=until)
    return rows.order_by("-id")


def cashback_events_for(user: User, *, status: str = "") -> QuerySet[CashbackEvent]:
    rows = CashbackEvent.objects.filter(user=user).select_related("merchant")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-occurred_at", "-id")


def cashback_event_for(user: User, public_id) -> CashbackEvent | None:
    return cashback_events_for(user).filter(public_id=public_id).first()


def withdrawals_for(user: User) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(user=user).order_by("-created_at", "-id")


def withdrawal_for(user: User, public_id) -> Withdrawal | None:
    return withdrawals_for(user).filter(public_id=public_id).prefetch_related("audit").first()


def claims_for(user: User) -> QuerySet[CashbackClaim]:
    return (
        CashbackClaim.objects.filter(user=user)
        .select_related("click__merchant", "event")
        .order_by("-created_at", "-id")
    )


# Operators who may review claims may see their receipts.
RECEIPT_PERMISSION = "wallet.view_cashbackclaim"


def claim_receipt(public_id) -> CashbackClaim | None:
    """Any shopper's claim, for its receipt: the caller checks who may see it (its owner, or
    an operator), with coupzii.core.files.private_file_response."""
    return CashbackClaim.objects.filter(public_id=public_id).only("user_id", "receipt").first()


def kyc_for(user: User) -> KycProfile | None:
    return KycProfile.objects.filter(user=user).first()


def withdrawal_settings() -> dict:
    return {
        "minimum": quantize(settings.WALLET_MIN_WITHDRAWAL),
        "per_day": settings.WALLET_WITHDRAWALS_PER_DAY,
    }


# --- Referrals --------------------------------------------------------------------------------


class FriendState:
    JOINED = "joined"  # signed up, no cashback yet
    EARNING = "earning"  # has cashback, none confirmed yet
    REWARDED = "rewarded"
    NOT_ELIGIBLE = "not_eligible"


def referred_friends(user: User) -> QuerySet[User]:
    """The users who joined with `user`'s code, newest first, each annotated with what the
    referrals page shows: `has_cashback` and their `referral_reward` (or None)."""
    has_cashback = CashbackEvent.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(referred_by=user)
        .annotate(has_cashback=Exists(has_cashback))
        .select_related("referral_reward")
        .order_by("-date_joined", "-pk")
    )


def friend_state(friend: User) -> str:
    reward = getattr(friend, "referral_reward", None)
    if reward is not None:
        if reward.status == ReferralStatus.REWARDED:
            return FriendState.REWARDED
        return FriendState.NOT_ELIGIBLE
    return FriendState.EARNING if friend.has_cashback else FriendState.JOINED


def referral_earnings(user: User) -> Decimal:
    total = ReferralReward.objects.filter(referrer=user, status=ReferralStatus.REWARDED).aggregate(
        total=Sum("referrer_bonus")
    )["total"]
    return quantize(total or ZERO)


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    name: str
    earned: Decimal
    is_you: bool


def referral_leaderboard(*, viewer: User | None, month: str = "", limit: int = 10):
    """This month's best referrers with names shortened for privacy ("Asha V."), and the
    viewer's own rank (None when not on the board)."""
    month = month or timezone.localdate().strftime("%Y-%m")
    top = leaderboard.top(month=month, limit=limit)
    users = User.objects.in_bulk([user_id for user_id, _ in top])
    rows = [
        LeaderRow(
            rank=place,
            name=short_name(users.get(user_id)),
            earned=earned,
            is_you=viewer is not None and user_id == viewer.pk,
        )
        for place, (user_id, earned) in enumerate(top, start=1)
    ]
    rank = leaderboard.rank_of(month=month, user_id=viewer.pk) if viewer else None
    return month, rows, rank


def short_name(user: User | None) -> str:
    if user is None:
        return "—"
    parts = (user.full_name or user.email.split("@")[0]).split()
    if len(parts) > 1:
        return f"{parts[0]} {parts[-1][0]}."
    return parts[0][:1] + "•••" if "@" in user.email and not user.full_name else parts[0]
