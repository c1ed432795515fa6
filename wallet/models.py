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

MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE_MONEY = {**MONEY, "validators": [MinValueValidator(Decimal("0.01"))]}


class AccountKind(models.TextChoices):
    # A user's three accounts.
    AVAILABLE = "available", _("Available")
    PENDING = "pending", _("Pending")
    HELD = "held", _("Held")
    # The platform's accounts: their balances go negative as money flows out of them.
    CASHBACK_PAYABLE = "cashback_payable", _("Cashback payable")
    PAYOUTS = "payouts", _("Payouts")
    PROMOTIONS = "promotions", _("Promotions")
    ESCROW = "escrow", _("Escrow")
    GATEWAY = "gateway", _("Gateway")
    FEES = "fees", _("Fees")
    # Gift-card sales: what fulfilled orders brought in, less refunds.
    SALES = "sales", _("Gift-card sales")


USER_ACCOUNT_KINDS = (AccountKind.AVAILABLE, AccountKind.PENDING, AccountKind.HELD)
PLATFORM_ACCOUNT_KINDS = tuple(k for k in AccountKind if k not in USER_ACCOUNT_KINDS)


class Account(models.Model):
    """One balance. `balance` caches the sum of the account's postings: it is changed only by
    `wallet.ledger.transaction_post`, under a row lock, in the transaction that writes them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet_accounts",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
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
            # A user's account belongs to a user and a platform account to nobody.
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(kind__in=USER_ACCOUNT_KINDS))
                | (Q(user__isnull=True) & Q(kind__in=PLATFORM_ACCOUNT_KINDS)),
                name="wallet_account_owner_matches_kind",
            ),
            # The database itself refuses to let a user's balance go below zero.
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(balance__gte=0),
                name="wallet_account_user_not_negative",
            ),
        ]

    def __str__(self) -> str:
        owner = f"user {self.user_id}" if self.user_id else "platform"
        return f"{owner} · {self.get_kind_display()}"


class TransactionKind(models.TextChoices):
    CASHBACK_PENDING = "cashback_pending", _("Cashback reported")
    CASHBACK_CONFIRMED = "cashback_confirmed", _("Cashback confirmed")
    CASHBACK_DECLINED = "cashback_declined", _("Cashback declined")
    CASHBACK_CLAWBACK = "cashback_clawback", _("Cashback reversed")
    DEBT_RECOVERY = "debt_recovery", _("Reversed cashback recovered")
    REFERRAL_BONUS = "referral_bonus", _("Referral bonus")
    WELCOME_BONUS = "welcome_bonus", _("Welcome bonus")
    WITHDRAWAL_HOLD = "withdrawal_hold", _("Withdrawal requested")
    WITHDRAWAL_PAID = "withdrawal_paid", _("Withdrawal paid")
    WITHDRAWAL_RELEASED = "withdrawal_released", _("Withdrawal returned")
    ORDER_WALLET_HOLD = "order_wallet_hold", _("Gift-card order: wallet share held")
    ORDER_WALLET_RELEASED = "order_wallet_released", _("Gift-card order cancelled: returned")
    ORDER_PAYMENT = "order_payment", _("Gift-card order: paid online")
    ORDER_FULFILLED = "order_fulfilled", _("Gift-card order delivered")
    ORDER_REFUND = "order_refund", _("Gift-card order refunded")


class Transaction(PublicIdModel):
    """One movement of money: two or more postings that sum to zero. Never changed after it
    is written; a correction is a new transaction that reverses it."""

    kind = models.CharField(_("kind"), max_length=32, choices=TransactionKind.choices)
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
        return f"{self.get_kind_display()} · {self.idempotency_key}"


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
        indexes = [models.Index(fields=["status", "created_at"], name="wallet_withdrawal_queue")]

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
