"""The wallet's shared reads: balances and their history, cashback, withdrawals, claims and
referrals, for the wallet pages, the API and the assistant."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PublicName, User
from coupzii.core.money import quantize

from . import arrival, leaderboard, ledger
from .kinds import ledger_kinds
from .ledger import platform_balance as platform_balance  # the ledger's reads, for other apps
from .ledger import platform_balances as platform_balances
from .models import (
    MONEY,
    OPEN_WITHDRAWAL_STATUSES,
    AccountKind,
    CashbackClaim,
    CashbackDebt,
    CashbackEvent,
    CashbackStatus,
    KycProfile,
    KycStatus,
    Posting,
    ReferralReward,
    ReferralStatus,
    Transaction,
    TransactionKind,
    Withdrawal,
    WithdrawalStatus,
)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(**MONEY)
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


# --- The shopper's statement -------------------------------------------------------------------


def statement_labels() -> dict[str, str]:
    """What each ledger transaction kind is called on the shopper's statement: registered
    with the kind (`wallet.kinds`), by the wallet and by the apps above it. A kind registered
    without one stays off the statement (a gift-card order's settlement, held -> sales: the
    shopper saw the money leave when the wallet share was set aside, and nothing changes for
    them when the order is delivered)."""
    return {
        code: kind.statement_label
        for code, kind in ledger_kinds().items()
        if kind.statement_label is not None
    }


class _StatementKindChoices(Sequence):
    """(kind, label) pairs for forms and API filters, read from the registry when used (the
    apps that register kinds start after this module is imported)."""

    def _pairs(self):
        return list(statement_labels().items())

    def __getitem__(self, index):
        return self._pairs()[index]

    def __len__(self) -> int:
        return len(self._pairs())


STATEMENT_KIND_CHOICES = _StatementKindChoices()
# The balances a statement can be filtered by (the lines that changed it).
STATEMENT_BALANCES = (AccountKind.AVAILABLE, AccountKind.PENDING, AccountKind.HELD)


@dataclass(frozen=True)
class ReferenceKind:
    """How the statement names and links a transaction's reference of one type."""

    label: Callable[[str], str]
    link: Callable[[str], str]


# Reference types of transactions posted by apps above the wallet (a gift-card order), added
# by those apps when they start (`reference_kind_register`), so the wallet never names them.
_REFERENCE_KINDS: dict[str, ReferenceKind] = {}


def reference_kind_register(
    reference_type: str, *, label: Callable[[str], str], link: Callable[[str], str]
) -> None:
    _REFERENCE_KINDS[reference_type] = ReferenceKind(label=label, link=link)


@dataclass(frozen=True)
class StatementLine:
    """One event on the shopper's wallet, with what it did to their balances."""

    transaction_id: uuid.UUID
    kind: str
    label: str
    created_at: datetime
    available: Decimal  # signed change to the available balance
    pending: Decimal  # signed change to the pending balance
    amount: Decimal  # the size of the event (a paid withdrawal changes neither balance)
    detail: str  # the store, the order, where a withdrawal is paid, the friend
    link: str  # the page about it, or ""
    cashback_id: str | None = None
    withdrawal_id: str | None = None
    order_number: str | None = None


def _balance_change(user: User, kind: str):
    mine = Q(postings__account__user=user, postings__account__kind=kind)
    return Coalesce(Sum("postings__amount", filter=mine), Value(ZERO), output_field=MONEY_FIELD)


def statement_for(
    user: User, *, kind: str = "", account: str = "", since=None, until=None
) -> QuerySet[Transaction]:
    """The shopper's wallet events, newest first: one row per transaction that touched their
    balances, annotated with its change to `available`, `pending` and `held`. Filters are
    optional: an event kind, a balance it changed, a date range (both days included).
    Turn a page of rows into `StatementLine`s with `statement_lines`."""
    touches_user = Posting.objects.filter(transaction=OuterRef("pk"), account__user=user)
    rows = (
        Transaction.objects.filter(Exists(touches_user), kind__in=list(statement_labels()))
        .annotate(
            available=_balance_change(user, AccountKind.AVAILABLE),
            pending=_balance_change(user, AccountKind.PENDING),
            held=_balance_change(user, AccountKind.HELD),
        )
        .order_by("-id")
    )
    if kind:
        rows = rows.filter(kind=kind)
    if account in STATEMENT_BALANCES:
        rows = rows.exclude(**{account: 0})
    if since:
        rows = rows.filter(created_at__date__gte=since)
    if until:
        rows = rows.filter(created_at__date__lte=until)
    return rows


def statement_lines(user: User, rows) -> list[StatementLine]:
    """A page of `statement_for` rows as lines, naming their store, withdrawal or friend: at
    most one query per kind of reference, however many lines the page holds."""
    rows = list(rows)
    refs = _references(user, rows)
    return [_statement_line(row, refs) for row in rows]


def _references(user: User, rows) -> dict[tuple[str, str], tuple[str, str]]:
    """(reference type, id) -> (what it is called, its page) for the page's references."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        wanted[row.reference_type].add(row.reference_id)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    if ids := _uuids(wanted["cashback_event"]):
        events = CashbackEvent.objects.filter(user=user, public_id__in=ids).select_related(
            "merchant"
        )
        for event in events:
            name = event.merchant.name if event.merchant else _("Store")
            link = f"{reverse('wallet')}?tab=cashback#cashback-{event.public_id}"
            found["cashback_event", str(event.public_id)] = (name, link)
    if ids := _uuids(wanted["withdrawal"]):
        for withdrawal in Withdrawal.objects.filter(user=user, public_id__in=ids):
            name = _("To %(to)s") % {"to": withdrawal.destination}
            link = f"{reverse('wallet')}?tab=withdrawals#withdrawal-{withdrawal.public_id}"
            found["withdrawal", str(withdrawal.public_id)] = (name, link)
    if ids := _uuids(wanted["referral"]):
        for friend in User.objects.filter(referred_by=user, public_id__in=ids):
            found["referral", str(friend.public_id)] = (short_name(friend), reverse("referrals"))
    for reference_type, reference in _REFERENCE_KINDS.items():
        for reference_id in wanted[reference_type]:
            found[reference_type, reference_id] = (
                reference.label(reference_id),
                reference.link(reference_id),
            )
    return found


def _uuids(values) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue  # not a public id: nothing to name or link
    return ids


def _statement_line(row: Transaction, refs) -> StatementLine:
    available, pending = quantize(row.available), quantize(row.pending)
    amount = max(abs(available), abs(pending), abs(quantize(row.held)))
    detail, link = refs.get((row.reference_type, row.reference_id), ("", ""))
    known = (row.reference_type, row.reference_id) in refs
    return StatementLine(
        transaction_id=row.public_id,
        kind=row.kind,
        label=str(statement_labels()[row.kind]),
        created_at=row.created_at,
        available=available,
        pending=pending,
        amount=amount,
        detail=detail,
        link=link,
        cashback_id=row.reference_id if known and row.reference_type == "cashback_event" else None,
        withdrawal_id=row.reference_id if known and row.reference_type == "withdrawal" else None,
        order_number=row.reference_id if known and row.reference_type == "order" else None,
    )


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


@dataclass(frozen=True)
class LeaderBoard:
    month: str  # "2026-12"
    rows: list[LeaderRow]
    your_rank: int | None  # None: the viewer is not on this month's board (or signed out)
    your_earned: Decimal | None


def leaderboard_month(which: str = "this", *, today: date | None = None) -> str:
    """ "2026-12" for "this" month, "2026-11" for "last", in the site's time zone."""
    today = today or timezone.localdate()
    if which == "last":
        today = today.replace(day=1) - timedelta(days=1)
    return today.strftime("%Y-%m")


def referral_board(*, viewer: User | None, month: str = "", limit: int = 10) -> LeaderBoard:
    """A month's best referrers, named as each chose (public_name), and the viewer's own place
    and earnings. Two Redis reads and one query, however many rows."""
    month = month or leaderboard_month()
    top = leaderboard.top(month=month, limit=limit)
    users = User.objects.only("full_name", "public_name").in_bulk([user_id for user_id, _ in top])
    rows = [
        LeaderRow(
            rank=place,
            name=public_name(users.get(user_id)),
            earned=earned,
            is_you=viewer is not None and user_id == viewer.pk,
        )
        for place, (user_id, earned) in enumerate(top, start=1)
    ]
    standing = leaderboard.standing(month=month, user_id=viewer.pk) if viewer else None
    rank, earned = standing or (None, None)
    return LeaderBoard(month=month, rows=rows, your_rank=rank, your_earned=earned)


def referral_leaderboard(*, viewer: User | None, month: str = "", limit: int = 10):
    """(month, top rows, the viewer's rank or None): the referrals page's card."""
    board = referral_board(viewer=viewer, month=month, limit=limit)
    return board.month, board.rows, board.your_rank


def public_name(user: User | None) -> str:
    """The name other shoppers see on the leaderboard, as the shopper chose: "Asha V." (the
    default), the full name, or "A Coupzii shopper". Never anything from the email address,
    since the board is public."""
    parts = user.full_name.split() if user is not None else []
    if not parts or user.public_name == PublicName.HIDDEN:
        return _("A Coupzii shopper")
    if user.public_name == PublicName.FULL or len(parts) == 1:
        return " ".join(parts)
    return f"{parts[0]} {parts[-1][0]}."


def short_name(user: User | None) -> str:
    if user is None:
        return "—"
    parts = (user.full_name or user.email.split("@")[0]).split()
    if len(parts) > 1:
        return f"{parts[0]} {parts[-1][0]}."
    return parts[0][:1] + "•••" if "@" in user.email and not user.full_name else parts[0]


# --- Operators' metrics (coupzii/metrics.py): one query each, every status present --------------


def cashback_event_counts() -> dict[str, int]:
    """How many cashback events are in each status."""
    counts = dict(CashbackEvent.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in CashbackStatus.values}


def withdrawals_waiting() -> dict[str, int]:
    """Withdrawals an operator still has to act on: requested (to approve) and approved (to pay)."""
    counts = dict(
        Withdrawal.objects.filter(status__in=OPEN_WITHDRAWAL_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {status.value: counts.get(status.value, 0) for status in OPEN_WITHDRAWAL_STATUSES}


# --- Operators' dashboard ---------------------------------------------------------------------


def kyc_waiting() -> int:
    """KYC profiles submitted and waiting for an operator's review."""
    return KycProfile.objects.filter(status=KycStatus.SUBMITTED).count()


# --- Cashback arrival (wallet.arrival), for other apps -----------------------------------------


def cashback_arrivals_attach(events: Sequence[CashbackEvent]) -> list[CashbackEvent]:
    """`events` as a list, each with `expected_arrival` set: a wallet.arrival.ExpectedArrival
    (the likely range learned from its store's or network's history) for a pending one, None
    when nothing is learned or it is settled. One query for all of them."""
    return arrival.arrivals_attach(events)
