"""Offers (shared codes, deals, unique-code offers), click-outs, and unique-code books with
their codes and the append-only redemption audit."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import CashbackKind, Category, Merchant
from coupzii.core.models import PublicIdModel, TimeStampedModel
from coupzii.core.validators import CodeValidator

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
# A rollback's audit row carries the redeem's amounts negated, so sums over a day net out.
MONEY_SIGNED = {"max_digits": 12, "decimal_places": 2}


class OfferKind(models.TextChoices):
    CODE = "code", _("Coupon code")
    DEAL = "deal", _("Deal")
    UNIQUE_CODE = "unique_code", _("Unique code")


class DiscountType(models.TextChoices):
    PERCENTAGE = "percentage", _("Percentage off")
    FIXED = "fixed", _("Amount off")
    BOGO = "bogo", _("Buy one get one")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class OfferStatus(models.TextChoices):
    # A draft is being prepared (by a brand): never shown to shoppers anywhere.
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    EXPIRED = "expired", _("Expired")


class Offer(PublicIdModel, TimeStampedModel):
    """What a shopper gets at a merchant. `code` is shared by everyone for kind=code; kind
    unique_code hands each shopper their own code from a CouponBook."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="offers")
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OfferKind.choices)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    code = models.CharField(
        _("code"), max_length=40, blank=True, validators=[CodeValidator(max_length=40)]
    )
    discount_type = models.CharField(
        _("discount type"), max_length=16, choices=DiscountType.choices
    )
    discount_value = models.DecimalField(_("discount"), null=True, blank=True, **MONEY)
    min_order = models.DecimalField(_("minimum order"), null=True, blank=True, **MONEY)
    max_discount = models.DecimalField(_("maximum discount"), null=True, blank=True, **MONEY)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    exclusive = models.BooleanField(_("exclusive"), default=False)
    featured = models.BooleanField(_("featured"), default=False)
    verified = models.BooleanField(_("verified"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.ACTIVE
    )
    # Overrides the merchant's cashback for this offer when set.
    cashback_kind = models.CharField(
        _("cashback kind"), max_length=10, choices=CashbackKind.choices, blank=True
    )
    cashback_value = models.DecimalField(_("cashback"), null=True, blank=True, **MONEY)
    terms = models.TextField(_("terms"), blank=True)
    # Totals flushed from Redis counters by a task; never incremented on the request path.
    views_count = models.PositiveBigIntegerField(default=0)
    clicks_count = models.PositiveBigIntegerField(default=0)
    claims_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-featured", "-created_at"]
        indexes = [
            models.Index(fields=["status", "ends_at"], name="offers_offer_live"),
            models.Index(fields=["merchant", "status"], name="offers_offer_merchant"),
            models.Index(fields=["category", "status"], name="offers_offer_category"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="offers_offer_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="code") | ~Q(code=""), name="offers_offer_code_has_code"
            ),
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return self.title


class Click(models.Model):
    """One click-out. Its id is the sub-id the affiliate network reports back with a sale."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="clicks")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="clicks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clicks",
    )
    created_at = models.DateTimeField(db_index=True)
    # A keyed hash: enough to spot fraud patterns, not a stored address.
    ip_hash = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    referrer = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="offers_click_user")]
        verbose_name = _("click")
        verbose_name_plural = _("clicks")

    def __str__(self) -> str:
        return str(self.id)


class BookStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class CouponBook(PublicIdModel, TimeStampedModel):
    """A batch of single-use (or limited-use) codes a brand issued for one offer."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="books")
    name = models.CharField(_("name"), max_length=120)
    # '#' a digit, '?' a letter, '*' either; anything else is copied: "ZOMA-####-????".
    code_pattern = models.CharField(_("code pattern"), max_length=40, default="********")
    max_redemptions_per_code = models.PositiveIntegerField(_("redemptions per code"), default=1)
    per_user_limit = models.PositiveSmallIntegerField(_("codes per shopper"), default=1)
    lock_ttl_seconds = models.PositiveIntegerField(_("lock time (seconds)"), default=15 * 60)
    # What the marketplace may do with this book's codes (it asks; the brand decides).
    resale_allowed = models.BooleanField(_("codes may be resold on the marketplace"), default=False)
    swap_allowed = models.BooleanField(_("codes may be swapped"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=BookStatus.choices, default=BookStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("coupon book")
        verbose_name_plural = _("coupon books")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_redemptions_per_code__gte=1) & Q(per_user_limit__gte=1),
                name="offers_book_limits_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CodeStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ASSIGNED = "assigned", _("Assigned")
    LOCKED = "locked", _("Locked at checkout")
    REDEEMED = "redeemed", _("Redeemed")
    EXPIRED = "expired", _("Expired")
    VOID = "void", _("Void")


class CouponCode(TimeStampedModel):
    """One code of a book. `claim_slot` numbers a holder's codes in the book (1..limit): the
    unique (book, holder, claim_slot) constraint is what keeps a shopper within the limit even
    when their claims race."""

    book = models.ForeignKey(CouponBook, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=CodeStatus.choices, default=CodeStatus.AVAILABLE
    )
    redemption_count = models.PositiveIntegerField(default=0)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coupon_codes",
    )
    claim_slot = models.PositiveSmallIntegerField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("coupon code")
        verbose_name_plural = _("coupon codes")
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="offers_code_unique_in_book"),
            models.UniqueConstraint(
                fields=["book", "holder", "claim_slot"],
                condition=Q(holder__isnull=False),
                name="offers_code_one_per_holder_slot",
            ),
            models.CheckConstraint(
                condition=Q(holder__isnull=True) | Q(claim_slot__gte=1),
                name="offers_code_held_has_slot",
            ),
        ]
        indexes = [
            # Handing out a free code: the next available one in the book.
            models.Index(
                fields=["book", "id"],
                condition=Q(status="available"),
                name="offers_code_available",
            ),
            models.Index(fields=["holder", "status"], name="offers_code_holder"),
            models.Index(fields=["status", "locked_until"], name="offers_code_locks"),
        ]

    def __str__(self) -> str:
        return self.code


class AuditAction(models.TextChoices):
    GENERATE = "generate", _("Generate")
    IMPORT = "import", _("Import")
    CLAIM = "claim", _("Claim")
    ASSIGN = "assign", _("Assign")
    LOCK = "lock", _("Lock")
    UNLOCK = "unlock", _("Unlock")
    REDEEM = "redeem", _("Redeem")
    VOID = "void", _("Void")
    EXPIRE = "expire", _("Expire")
    RELEASE = "release", _("Release expired lock")
    VALIDATE = "validate", _("Validate")
    ROLLBACK = "rollback", _("Roll back")


class RedemptionAudit(models.Model):
    """Append-only: one row for every action on a book or code, refused ones included. A
    successful redeem's idempotency key is unique, so a replayed redeem finds its first row.

    A redeem (and a validate) records the basket: order amount, the discount the code gave,
    the product SKUs. A rollback row `reverses` the redeem it undoes, and a redeem is rolled
    back at most once (unique while ok). `credential` is the public id of the till API key
    that made the attempt: a plain column, as offers may not know the app that issues keys.
    """

    book = models.ForeignKey(CouponBook, on_delete=models.CASCADE, related_name="audit")
    code = models.ForeignKey(
        CouponCode, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ok = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    order_reference = models.CharField(max_length=80, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)
    order_amount = models.DecimalField(_("order amount"), null=True, blank=True, **MONEY_SIGNED)
    discount_amount = models.DecimalField(
        _("discount given"), null=True, blank=True, **MONEY_SIGNED
    )
    products = models.JSONField(_("products"), default=list, blank=True)
    credential = models.CharField(_("API key"), max_length=40, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "idempotency_key"],
                condition=Q(action="redeem", ok=True) & ~Q(idempotency_key=""),
                name="offers_audit_redeem_once_per_key",
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(action="rollback", ok=True),
                name="offers_audit_rollback_once",
            ),
        ]
        verbose_name = _("redemption audit")
        verbose_name_plural = _("redemption audit")

    def __str__(self) -> str:
        return f"{self.action} {'ok' if self.ok else 'refused'}"


class OfferViewDay(models.Model):
    """How many times an offer was shown (on a list or its own page) on one day, in
    settings.TIME_ZONE: flushed from Redis counters by beat, never written on a request."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="view_days")
    date = models.DateField(_("date"))
    views = models.PositiveBigIntegerField(_("views"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "date"], name="offers_viewday_one_per_day")
        ]
        indexes = [models.Index(fields=["date", "offer"], name="offers_viewday_date")]
        verbose_name = _("offer views on a day")
        verbose_name_plural = _("offer views by day")

    def __str__(self) -> str:
        return f"{self.offer_id} {self.date}: {self.views}"


# --- Operators' rollups ------------------------------------------------------------------------


class StoreDay(models.Model):
    """One store's views and clicks on one day (settings.TIME_ZONE), rolled up by beat from
    OfferViewDay and Click (offers.rollups): the operators' dashboard reads these, never the
    click table."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    views = models.PositiveBigIntegerField(_("views"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    # Clicks by signed-in shoppers: the rest came from visitors who were not signed in.
    member_clicks = models.PositiveIntegerField(_("clicks by members"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "date"], name="offers_storeday_unique")
        ]
        indexes = [models.Index(fields=["date", "merchant"], name="offers_storeday_date")]
        verbose_name = _("store day")
        verbose_name_plural = _("store days")

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.date}"
