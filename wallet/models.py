"""The wallet's tables: a double-entry ledger (accounts, transactions, postings), cashback
events and missing-cashback claims, the debt left by a clawback, referral rewards, KYC and
withdrawals with their audit trail.

Money is `Decimal` rupees with 2 places. A posting's amount is signed: positive raises the
account's balance, negative lowers it, and the postings of one transaction sum to zero.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coupzii.core.crypto import EncryptedTextField
from coupzii.core.files import RandomName, private_storage
from coupzii.core.models import PublicIdModel, TimeStampedModel
from coupzii.core.money import format_inr

from .kinds import account_kind_label, kind_label

MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE_MONEY = {**MONEY, "validators": [MinValueValidator(Decimal("0.01"))]}


class UserAccountKind(models.TextChoices):
    """A user's three accounts: the wallet's own, fixed. Every other account is the platform's,
    registered by the app that posts to it (`wallet.kinds.platform_account_register`)."""

    AVAILABLE = "available", _("Available")
    PENDING = "pending", _("Pending")
    HELD = "held", _("Held")


class AccountKind:
    """The wallet's own account kinds as plain strings: a user's three, and the wallet's
    platform accounts. Other apps name and register theirs (commerce.ledger_kinds); the
    registry in `wallet.kinds` is what is allowed, and the database takes any platform kind
    (no migration for a new one)."""

    AVAILABLE = UserAccountKind.AVAILABLE
    PENDING = UserAccountKind.PENDING
    HELD = UserAccountKind.HELD
    # The wallet's platform accounts: their balances go negative as money flows out of them.
    CASHBACK_PAYABLE = "cashback_payable"
    PAYOUTS = "payouts"
    PROMOTIONS = "promotions"
    FEES = "fees"


USER_ACCOUNT_KINDS = tuple(UserAccountKind)


class Account(models.Model):
    """One balance. A user's account caches the sum of its postings in `balance`: it is
    changed only by `wallet.ledger.transaction_post`, under a row lock, in the transaction that
    writes them. A platform account's `balance` is always 0 and never written: many shoppers
    post to it at once, so its balance is read from a rollup and the postings after it
    (`wallet.ledger.platform_balance`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet_accounts",
    )
    kind = models.CharField(_("kind"), max_length=40)
    balance = models.DecimalField(_("balance"), default=Decimal("0.00"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(user__isnull=False),
                name="wallet_account_user_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(user__isnull=True), name="wallet_account_platform"
            ),
            # A user's account is one of the user kinds; a platform account is anything else
            # (registered in wallet.kinds), so a new platform account needs no migration.
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(kind__in=USER_ACCOUNT_KINDS))
                | (Q(user__isnull=True) & ~Q(kind__in=USER_ACCOUNT_KINDS)),
                name="wallet_account_owner_matches_kind",
            ),
            # The database itself refuses to let a user's balance go below zero.
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(balance__gte=0),
                name="wallet_account_user_not_negative",
            ),
            # A platform account's cached balance is never used: it stays 0.
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(balance=0),
                name="wallet_account_platform_uncached",
            ),
        ]

    def __str__(self) -> str:
        owner = f"user {self.user_id}" if self.user_id else "platform"
        return f"{owner} · {account_kind_label(self.kind)}"

    def get_kind_display(self) -> str:
        return account_kind_label(self.kind)


class TransactionKind:
    """The wallet's own transaction kinds as plain strings, registered in wallet.apps. Other
    apps name and register theirs (commerce.ledger_kinds)."""

    CASHBACK_PENDING = "cashback_pending"
    CASHBACK_CONFIRMED = "cashback_confirmed"
    CASHBACK_DECLINED = "cashback_declined"
    CASHBACK_CLAWBACK = "cashback_clawback"
    DEBT_RECOVERY = "debt_recovery"
    REFERRAL_BONUS = "referral_bonus"
    WELCOME_BONUS = "welcome_bonus"
    WITHDRAWAL_HOLD = "withdrawal_hold"
    WITHDRAWAL_PAID = "withdrawal_paid"
    WITHDRAWAL_RELEASED = "withdrawal_released"


class Transaction(PublicIdModel):
    """One movement of money: two or more postings that sum to zero. Never changed after it
    is written; a correction is a new transaction that reverses it."""

    # Any kind registered in wallet.kinds: no choices here, so a new kind needs no migration.
    kind = models.CharField(_("kind"), max_length=32)
    # Whatever caused it, made unique: posting the same key again returns this transaction.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    reference_type = models.CharField(_("reference type"), max_length=32)
    reference_id = models.CharField(_("reference"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acted by"),
    )
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [
            models.Index(fields=["reference_type", "reference_id"], name="wallet_txn_reference")
        ]

    def __str__(self) -> str:
        return f"{kind_label(self.kind)} · {self.idempotency_key}"

    def get_kind_display(self) -> str:
        return kind_label(self.kind)


class Posting(models.Model):
    """One leg of a transaction. Append-only: on PostgreSQL a trigger refuses UPDATE and
    DELETE (migration 0002)."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["id"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="wallet_posting_not_zero"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="wallet_posting_account")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+}"


class PlatformRollup(models.Model):
    """A platform account's balance up to a watermark, refreshed by beat
    (`wallet.rollup_platform_balances`); its exact balance is this plus the postings after the
    watermark. Only the rollup task writes these rows, so no request ever waits for one.

    What "after the watermark" means depends on the database (see `wallet.ledger`): on
    PostgreSQL the watermark is a transaction id (the oldest still running when the rollup
    read the postings), compared with each posting's `xid` column; on SQLite, which has one
    writer at a time, it is a posting id."""

    account = models.OneToOneField(
        Account, on_delete=models.PROTECT, primary_key=True, related_name="rollup"
    )
    balance = models.DecimalField(_("balance"), default=Decimal("0.00"), **MONEY)
    watermark = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("platform balance rollup")
        verbose_name_plural = _("platform balance rollups")

    def __str__(self) -> str:
        return f"{self.account} {self.balance} @ {self.watermark}"


# --- Cashback ---------------------------------------------------------------------------------


class CashbackStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class CashbackSource(models.TextChoices):
    POSTBACK = "postback", _("Network postback")
    PULL = "pull", _("Network report")
    CLAIM = "claim", _("Missing-cashback claim")


class CashbackEvent(PublicIdModel, TimeStampedModel):
    """A sale an affiliate network reported for one of our clicks, and the shopper's cashback
    on it. `user` stays empty until the click is found (clicks are written a few seconds after
    they happen); no money moves for an unmatched event."""

    click = models.ForeignKey(
        "offers.Click", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sub_id = models.CharField(_("sub-id"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cashback_events",
    )
    merchant = models.ForeignKey(
        "catalog.Merchant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    network = models.CharField(_("network"), max_length=40)
    network_txn_id = models.CharField(_("network transaction id"), max_length=100)
    sale_amount = models.DecimalField(_("sale amount"), **MONEY)
    commission = models.DecimalField(_("commission"), null=True, blank=True, **MONEY)
    cashback = models.DecimalField(_("cashback"), default=Decimal("0.00"), **MONEY)
    status = models.CharField(
        _("status"), max_length=10, choices=CashbackStatus.choices, default=CashbackStatus.PENDING
    )
    source = models.CharField(_("source"), max_length=10, choices=CashbackSource.choices)
    occurred_at = models.DateTimeField(_("sale time"))
    expected_confirmation = models.DateField(_("expected confirmation"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    # Set when a sale was declined after it was confirmed: the cashback was clawed back.
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    raw_payload = models.JSONField(_("raw payload"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("cashback event")
        verbose_name_plural = _("cashback events")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "network_txn_id"], name="wallet_cashback_network_txn"
            ),
            models.CheckConstraint(condition=Q(cashback__gte=0), name="wallet_cashback_not_neg"),
        ]
        indexes = [
            models.Index(fields=["user", "-occurred_at"], name="wallet_cashback_user"),
            models.Index(
                fields=["sub_id"], condition=Q(user__isnull=True), name="wallet_cashback_unmatched"
            ),
            # The dashboard's rollup re-rolls the days of events changed since its last run.
            models.Index(fields=["updated_at"], name="wallet_cashback_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.network_txn_id}"


class CashbackDebt(TimeStampedModel):
    """Cashback clawed back from a shopper who had already spent or withdrawn it: what could
    not be taken from `available` then is taken from their future confirmed cashback."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cashback_debts"
    )
    event = models.OneToOneField(CashbackEvent, on_delete=models.PROTECT, related_name="debt")
    amount = models.DecimalField(_("owed"), **POSITIVE_MONEY)
    recovered = models.DecimalField(_("recovered"), default=Decimal("0.00"), **MONEY)

    class Meta:
        ordering = ["id"]
        verbose_name = _("cashback debt")
        verbose_name_plural = _("cashback debts")
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered__gte=0) & Q(recovered__lte=models.F("amount")),
                name="wallet_debt_recovered_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} owes {self.outstanding}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.recovered


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CashbackClaim(PublicIdModel, TimeStampedModel):
    """A shopper's report of a purchase the network never tracked; an operator's approval
    creates the cashback event."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cashback_claims"
    )
    click = models.ForeignKey("offers.Click", on_delete=models.PROTECT, related_name="+")
    order_id = models.CharField(_("order id"), max_length=64)
    amount = models.DecimalField(_("order amount"), **POSITIVE_MONEY)
    order_date = models.DateField(_("order date"))
    # Personal: a random name in the private storage, shown only to the shopper and operators.
    receipt = models.ImageField(
        _("receipt"),
        upload_to=RandomName("cashback-receipts"),
        storage=private_storage,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=255, blank=True)
    event = models.OneToOneField(
        CashbackEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="claim"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("missing-cashback claim")
        verbose_name_plural = _("missing-cashback claims")
        constraints = [
            # One claim per click: a second one would pay the same purchase twice.
            models.UniqueConstraint(fields=["click"], name="wallet_claim_one_per_click"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.order_id}"


# --- Referrals --------------------------------------------------------------------------------


class ReferralStatus(models.TextChoices):
    REWARDED = "rewarded", _("Rewarded")
    BLOCKED = "blocked", _("Not eligible")


class ReferralReward(TimeStampedModel):
    """The one decision about a referred user's bonuses, taken at their first confirmed
    cashback: paid to both, or blocked with the reason. One row per referred user."""

    referred = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_reward"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_rewards"
    )
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices)
    referrer_bonus = models.DecimalField(_("referrer bonus"), default=Decimal("0.00"), **MONEY)
    welcome_bonus = models.DecimalField(_("welcome bonus"), default=Decimal("0.00"), **MONEY)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral reward")
        verbose_name_plural = _("referral rewards")

    def __str__(self) -> str:
        return f"{self.referred} · {self.get_status_display()}"


# --- KYC and withdrawals ----------------------------------------------------------------------


class KycStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not submitted")
    SUBMITTED = "submitted", _("Under review")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class KycProfile(TimeStampedModel):
    """Who gets paid and where. PAN and bank account number are encrypted at rest and shown
    masked; the `*_digest` columns (keyed hashes) let us compare payout destinations across
    users without decrypting them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kyc"
    )
    legal_name = models.CharField(_("name as on PAN"), max_length=120)
    pan = EncryptedTextField(_("PAN"))
    pan_last4 = models.CharField(max_length=4)
    upi_id = models.CharField(_("UPI id"), max_length=100, blank=True)
    upi_digest = models.CharField(max_length=64, blank=True, db_index=True)
    bank_account = EncryptedTextField(_("bank account number"), blank=True)
    bank_last4 = models.CharField(max_length=4, blank=True)
    bank_digest = models.CharField(max_length=64, blank=True, db_index=True)
    ifsc = models.CharField(_("IFSC"), max_length=11, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=KycStatus.choices, default=KycStatus.UNVERIFIED
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("KYC profile")
        verbose_name_plural = _("KYC profiles")

    def __str__(self) -> str:
        return f"{self.legal_name} · {self.get_status_display()}"

    @property
    def pan_masked(self) -> str:
        return f"XXXXXX{self.pan_last4}" if self.pan_last4 else ""

    @property
    def bank_masked(self) -> str:
        return f"XXXXXX{self.bank_last4}" if self.bank_last4 else ""


class PayoutMethod(models.TextChoices):
    UPI = "upi", _("UPI")
    BANK = "bank", _("Bank transfer")


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Payout failed")


OPEN_WITHDRAWAL_STATUSES = (WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED)


class Withdrawal(PublicIdModel, TimeStampedModel):
    """A request to pay out available cashback. Its amount sits in the user's `held` account
    from the request until it is paid (held -> payouts) or ends unpaid (held -> available):
    exactly one of the two, exactly once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals"
    )
    method = models.CharField(_("method"), max_length=4, choices=PayoutMethod.choices)
    amount = models.DecimalField(_("amount"), **POSITIVE_MONEY)
    # Where the money goes, as shown to people (a bank account masked); fixed when the
    # request is made.
    destination = models.CharField(_("paid to"), max_length=120)
    # The same destination in full (UPI id, or account number and IFSC), encrypted: what the
    # operator pays to, shown only on an approved withdrawal's admin page.
    payout_account = EncryptedTextField(_("pay to"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=WithdrawalStatus.choices,
        default=WithdrawalStatus.REQUESTED,
    )
    idempotency_key = models.CharField(max_length=100)
    utr = models.CharField(_("UTR"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], name="wallet_withdrawal_idempotency"
            ),
            models.UniqueConstraint(
                fields=["utr"], condition=~Q(utr=""), name="wallet_withdrawal_utr_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="wallet_withdrawal_queue"),
            # The dashboard's rollup re-rolls the days of withdrawals changed since its last run.
            models.Index(fields=["updated_at"], name="wallet_withdrawal_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {format_inr(self.amount)} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WITHDRAWAL_STATUSES


class WithdrawalAudit(models.Model):
    """Who did what to a withdrawal, and when: append-only."""

    withdrawal = models.ForeignKey(Withdrawal, on_delete=models.PROTECT, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=WithdrawalStatus.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("withdrawal audit entry")
        verbose_name_plural = _("withdrawal audit trail")

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor or 'the system'}"


# --- Operators' rollups and cashback arrival estimates ----------------------------------------


class CashbackStage(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class CashbackDay(models.Model):
    """Cashback events that reached `stage` on one day (settings.TIME_ZONE) for one store and
    network: reported by the event's created_at, confirmed by confirmed_at, declined by
    declined_at. Rolled up by beat (wallet.rollups) for the operators' dashboard."""

    date = models.DateField(_("date"))
    stage = models.CharField(_("stage"), max_length=10, choices=CashbackStage.choices)
    # Null: events whose click (and so store) is not known yet.
    merchant = models.ForeignKey(
        "catalog.Merchant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    network = models.CharField(_("network"), max_length=40)
    events = models.PositiveIntegerField(_("events"), default=0)
    sale_amount = models.DecimalField(_("sales"), default=Decimal("0.00"), **MONEY)
    commission = models.DecimalField(_("commission"), default=Decimal("0.00"), **MONEY)
    cashback = models.DecimalField(_("cashback"), default=Decimal("0.00"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["date", "stage", "merchant", "network"],
                name="wallet_cashbackday_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["date", "stage"], name="wallet_cashbackday_date")]
        verbose_name = _("cashback day")
        verbose_name_plural = _("cashback days")

    def __str__(self) -> str:
        return f"{self.date} {self.stage} {self.merchant_id} {self.network}"


class PayoutDay(models.Model):
    """Withdrawals paid out (completed with a UTR) on one day, and their total."""

    date = models.DateField(_("date"), unique=True)
    withdrawals = models.PositiveIntegerField(_("withdrawals"), default=0)
    amount = models.DecimalField(_("amount"), default=Decimal("0.00"), **MONEY)

    class Meta:
        verbose_name = _("payout day")
        verbose_name_plural = _("payout days")

    def __str__(self) -> str:
        return f"{self.date}: {self.amount}"


class ArrivalEstimate(models.Model):
    """How many days after a sale is reported a store's cashback is confirmed (or declined),
    learned from its own history on one network (wallet.arrival); `merchant` null holds the
    network's figure across its stores, used where a store has too little history. Refreshed
    by beat; the quantiles are whole days."""

    network = models.CharField(_("network"), max_length=40)
    merchant = models.ForeignKey(
        "catalog.Merchant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    confirmed = models.PositiveIntegerField(_("confirmations learned from"), default=0)
    declined = models.PositiveIntegerField(_("declines learned from"), default=0)
    confirm_low_days = models.PositiveSmallIntegerField(_("confirmed from (days)"))
    confirm_median_days = models.PositiveSmallIntegerField(_("confirmed, median (days)"))
    confirm_high_days = models.PositiveSmallIntegerField(_("confirmed by (days)"))
    decline_median_days = models.PositiveSmallIntegerField(
        _("declined, median (days)"), null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "merchant"],
                name="wallet_arrivalestimate_unique",
                nulls_distinct=False,
            )
        ]
        verbose_name = _("cashback arrival estimate")
        verbose_name_plural = _("cashback arrival estimates")

    def __str__(self) -> str:
        return f"{self.network} {self.merchant_id}: {self.confirm_median_days} days"
