"""Brand organisations and their staff, the brand's side of offers and books, till keys,
budgets, webhooks, background jobs and the daily analytics rollups.

Brands sit above offers and catalog: they point at offers, books and merchants by foreign key,
and offers never know a brand exists (a redemption's till key is a plain column there).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Merchant
from coupzii.core.crypto import EncryptedTextField
from coupzii.core.models import PublicIdModel, TimeStampedModel
from offers.models import CouponBook, Offer

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Tier(models.TextChoices):
    BASIC = "basic", _("Basic")
    PRO = "pro", _("Pro")


class BrandStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class Brand(PublicIdModel, TimeStampedModel):
    """An organisation that owns stores on Coupzii. Until an operator verifies it, its staff
    may prepare drafts but publish nothing."""

    name = models.CharField(_("brand name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    work_email = models.EmailField(_("work email"))
    website = models.URLField(_("website"))
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    # What the application said it represents, when no merchant matched it.
    store_name = models.CharField(_("store it represents"), max_length=120, blank=True)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.BASIC)
    status = models.CharField(
        _("status"), max_length=10, choices=BrandStatus.choices, default=BrandStatus.PENDING
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applicant"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == BrandStatus.VERIFIED


class BrandStore(models.Model):
    """A store (merchant) the brand owns. A store belongs to at most one brand."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="stores")
    merchant = models.OneToOneField(
        Merchant, on_delete=models.PROTECT, related_name="brand_store", verbose_name=_("store")
    )

    class Meta:
        verbose_name = _("brand store")
        verbose_name_plural = _("brand stores")

    def __str__(self) -> str:
        return f"{self.brand} / {self.merchant}"


class DepartmentAccess(models.TextChoices):
    ALL = "all", _("Every offer of the brand")
    OWN = "own", _("Only the department's own offers")


class Department(PublicIdModel, TimeStampedModel):
    """A team inside a brand (Marketing, Stores, Analytics). Its access level decides which of
    the brand's offers its members see: all of them, or only those filed under it."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=80)
    access = models.CharField(
        _("access"), max_length=8, choices=DepartmentAccess.choices, default=DepartmentAccess.ALL
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="brands_department_unique")
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    ANALYST = "analyst", _("Analyst")
    TILL = "till", _("Till")


class Membership(PublicIdModel, TimeStampedModel):
    """A person's place in one brand. One person may belong to several brands, and be a
    shopper too: the account is the same."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["brand", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="brands_membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.brand} ({self.role})"


class Invitation(PublicIdModel, TimeStampedModel):
    """An invitation sent by email. Only a hash of its token is stored."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} -> {self.brand}"


class BrandProduct(PublicIdModel, TimeStampedModel):
    """A product the brand sells: offers may be limited to some, and redemptions at the till
    name the products of the basket (by SKU), so analytics can be read per product."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    price = models.DecimalField(_("price"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "sku"], name="brands_product_sku_unique")
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class BrandOffer(models.Model):
    """The brand's side of an offer: who owns it, which department files it, which products
    it is limited to (none: every product)."""

    offer = models.OneToOneField(
        Offer, on_delete=models.CASCADE, primary_key=True, related_name="brand_link"
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="offers")
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("department"),
    )
    products = models.ManyToManyField(
        BrandProduct, blank=True, related_name="offers", verbose_name=_("products")
    )
    total_stock = models.PositiveIntegerField(_("total stock"), null=True, blank=True)
    uses_per_shopper = models.PositiveSmallIntegerField(_("uses per shopper"), default=1)
    image = models.ImageField(_("image"), upload_to="brand-offers/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("brand offer")
        verbose_name_plural = _("brand offers")

    def __str__(self) -> str:
        return str(self.offer)


class OfferChangeAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Changed")
    PUBLISHED = "published", _("Published")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    ENDED = "ended", _("Ended")
    UPLOADED = "uploaded", _("Uploaded in bulk")
    APPROVED = "approved", _("Approved by Coupzii")


class OfferChange(models.Model):
    """Append-only audit of every change to a brand's offer, shown on the offer's page."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="brand_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=OfferChangeAction.choices)
    # {"field": [old, new], ...} as display strings.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("offer change")
        verbose_name_plural = _("offer changes")

    def __str__(self) -> str:
        return f"{self.offer_id} {self.action}"


class Budget(PublicIdModel, TimeStampedModel):
    """A hard cap on an offer or a book: redemptions, rupees of discount, or both.

    Spending is a conditional UPDATE in the redemption's own transaction; the check
    constraints are the database's last word that the cap is never crossed."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="budgets")
    offer = models.OneToOneField(
        Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="brand_budget"
    )
    book = models.OneToOneField(
        CouponBook, on_delete=models.CASCADE, null=True, blank=True, related_name="brand_budget"
    )
    max_redemptions = models.PositiveIntegerField(_("redemptions cap"), null=True, blank=True)
    max_discount = models.DecimalField(_("discount cap"), null=True, blank=True, **MONEY)
    redemptions_used = models.PositiveIntegerField(default=0)
    discount_used = models.DecimalField(default=Decimal("0"), **MONEY)
    alerted_80_at = models.DateTimeField(null=True, blank=True)
    alerted_100_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(offer__isnull=False) & Q(book__isnull=True))
                | (Q(offer__isnull=True) & Q(book__isnull=False)),
                name="brands_budget_one_target",
            ),
            models.CheckConstraint(
                condition=Q(max_redemptions__isnull=True)
                | Q(redemptions_used__lte=models.F("max_redemptions")),
                name="brands_budget_redemptions_within_cap",
            ),
            models.CheckConstraint(
                condition=Q(max_discount__isnull=True)
                | Q(discount_used__lte=models.F("max_discount")),
                name="brands_budget_discount_within_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"budget {self.public_id}"


class ApiKey(PublicIdModel):
    """A till's or point-of-sale system's key. The key is shown once; only its SHA-256 is
    kept. `prefix` (the first characters) lets staff tell keys apart."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    # Optional narrower scope: one book, or one store.
    book = models.ForeignKey(
        CouponBook, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Webhook(PublicIdModel, TimeStampedModel):
    """Where the brand wants events delivered. The secret signs every delivery."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField()
    # Event names this endpoint receives; empty means every event.
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # When the attempts started failing without a success since (None while healthy).
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Gave up")


class WebhookDelivery(PublicIdModel):
    """One event sent (or being sent) to one webhook; `event_id` lets the brand de-duplicate."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(db_index=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.CharField(max_length=2000, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Every attempt, oldest first: {"at", "status", "body" (first 2,000 characters), "error"}.
    attempt_log = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_id"], name="brands_delivery_once_per_event"
            )
        ]
        # The beat sweep's question: which open deliveries are due?
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "retrying"]),
                name="brands_delivery_due",
            )
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} -> {self.webhook_id} ({self.status})"


class JobKind(models.TextChoices):
    GENERATE_CODES = "generate_codes", _("Generate codes")
    IMPORT_CODES = "import_codes", _("Import codes")
    UPLOAD_COUPONS = "upload_coupons", _("Upload coupons")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BrandJob(PublicIdModel, TimeStampedModel):
    """A long job started from the portal (a book of a million codes, a large upload): a
    Celery task does the work and writes its progress here for the page's progress bar."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    book = models.ForeignKey(
        CouponBook, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="brand-jobs/", blank=True)
    # What the job was asked to do (pattern and count, file name, options).
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    # The row-level report: accepted, refused rows with their reasons, a summary.
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("brand job")
        verbose_name_plural = _("brand jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, self.processed * 100 // self.total)


class OfferDay(models.Model):
    """The seed's coupon_analytics: one offer's day, filled by beat from the click, view,
    claim and redemption rows. The portal's charts read these, never the raw rows."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    views = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    claims = models.PositiveIntegerField(default=0)
    redemptions = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "date"], name="brands_offerday_unique")
        ]
        indexes = [models.Index(fields=["brand", "date"], name="brands_offerday_brand_date")]

    def __str__(self) -> str:
        return f"offer {self.offer_id} on {self.date}"


class BookDay(models.Model):
    """One book's day: claims and redemptions of its codes."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    book = models.ForeignKey(CouponBook, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    claims = models.PositiveIntegerField(default=0)
    redemptions = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["book", "date"], name="brands_bookday_unique")
        ]
        indexes = [models.Index(fields=["brand", "date"], name="brands_bookday_brand_date")]

    def __str__(self) -> str:
        return f"book {self.book_id} on {self.date}"


class ProductDay(models.Model):
    """One product's day across the brand's offers: redemptions whose basket named it."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(BrandProduct, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    redemptions = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "offer", "date"], name="brands_productday_unique"
            )
        ]
        indexes = [models.Index(fields=["brand", "date"], name="brands_productday_brand_date")]

    def __str__(self) -> str:
        return f"product {self.product_id} on {self.date}"
