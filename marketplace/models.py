"""The marketplace's tables: the shopper's coupon locker, screenshot scans, listings, purchases
(a payable of the payment path), disputes, swaps (exchanges), ratings and seller suspensions.

Codes are stored encrypted (`EncryptedTextField`); `code_digest` (catalog's keyed hash of the
normalised code) is what finds the same code elsewhere, since ciphertext can't be compared.
The database itself keeps the rules that races could break:

- one live or sold listing per code digest (two sellers listing one code leave one listing);
- one purchase per listing that is awaiting payment, paid, disputed or released (ten buyers at
  once: one sale);
- one pending exchange per pair of coupons, one rating per purchase and rater.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Merchant
from coupzii.core.crypto import EncryptedTextField
from coupzii.core.files import RandomName, private_storage
from coupzii.core.models import PublicIdModel, TimeStampedModel
from offers.models import CouponCode

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
User = settings.AUTH_USER_MODEL


# --- The locker --------------------------------------------------------------------------------


class Source(models.TextChoices):
    CLAIMED = "claimed", _("Claimed from a store")
    BOUGHT = "bought", _("Bought on the marketplace")
    SWAPPED = "swapped", _("Received in a swap")
    GIFT_CARD = "gift_card", _("Gift card from an order")
    MANUAL = "manual", _("Added by hand")
    SCREENSHOT = "screenshot", _("Added from a screenshot")


class Benefit(models.TextChoices):
    PERCENT = "percent", _("Percentage off")
    FIXED = "fixed", _("Rupees off")
    BOGO = "bogo", _("Buy one, get one")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class CouponStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    LISTED = "listed", _("Listed for sale")
    SOLD = "sold", _("Sold")
    # Gone to the other side of a swap, or re-keyed away in a verified sale: kept for history.
    GONE = "gone", _("Swapped away")


class LockerCoupon(PublicIdModel, TimeStampedModel):
    """One coupon a shopper holds. `worth` is the most it saves in rupees: a listing's price may
    not be above it (for a percentage, its maximum discount; for BOGO or free shipping, what the
    shopper states)."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="locker_coupons")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=CouponStatus.choices, default=CouponStatus.ACTIVE
    )
    code = EncryptedTextField(_("code"))
    code_digest = models.CharField(max_length=64, editable=False, db_index=True)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    store_name = models.CharField(_("store"), max_length=120, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    benefit = models.CharField(_("what it gives"), max_length=14, choices=Benefit.choices)
    benefit_value = models.DecimalField(_("value"), null=True, blank=True, **MONEY)
    min_order = models.DecimalField(_("minimum order"), null=True, blank=True, **MONEY)
    max_discount = models.DecimalField(_("maximum discount"), null=True, blank=True, **MONEY)
    worth = models.DecimalField(_("worth up to"), null=True, blank=True, **MONEY)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    terms = models.TextField(_("terms"), blank=True, max_length=2000)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    # A code from a Coupzii book (claimed, or issued by a verified resale): what re-keying and
    # "held by someone else" checks look at.
    book_code = models.ForeignKey(
        CouponCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A gift-card code from a shop order (catalog.VoucherCode), as a plain id: catalog's row.
    voucher_id = models.BigIntegerField(null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the expiry nudge, sent once

    class Meta:
        ordering = ["expires_on", "-created_at"]
        verbose_name = _("locker coupon")
        verbose_name_plural = _("locker coupons")
        constraints = [
            # A shopper holds a code once: adding it again is refused, not duplicated.
            models.UniqueConstraint(
                fields=["owner", "code_digest"],
                condition=~Q(status="gone"),
                name="marketplace_locker_code_once",
            ),
            models.UniqueConstraint(
                fields=["owner", "book_code"],
                condition=Q(book_code__isnull=False),
                name="marketplace_locker_book_code_once",
            ),
            models.UniqueConstraint(
                fields=["owner", "voucher_id"],
                condition=Q(voucher_id__isnull=False),
                name="marketplace_locker_voucher_once",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "expires_on"], name="marketplace_locker_list"),
            models.Index(fields=["status", "expires_on"], name="marketplace_locker_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.store_label} ••••{self.code[-4:]}" if self.code else self.store_label

    @property
    def store_label(self) -> str:
        return self.merchant.name if self.merchant_id else self.store_name


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Reading")
    DONE = "done", _("Read")
    FAILED = "failed", _("Could not read")


class Scan(PublicIdModel, TimeStampedModel):
    """A screenshot being read into locker fields. The image is private (owner only) and
    deleted after 7 days; `fields` holds what was found, each with its confidence (0-1):
    {"code": {"value": "SAVE20", "confidence": 0.93}, ...}."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="locker_scans")
    image = models.FileField(
        _("screenshot"), upload_to=RandomName("locker-scans"), storage=private_storage, blank=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ScanStatus.choices, default=ScanStatus.QUEUED
    )
    fields = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=200, blank=True)
    image_deleted_at = models.DateTimeField(null=True, blank=True)
    coupon = models.ForeignKey(
        LockerCoupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screenshot scan")
        verbose_name_plural = _("screenshot scans")


# --- Listings and purchases --------------------------------------------------------------------


class ListingStatus(models.TextChoices):
    LIVE = "live", _("For sale")
    SOLD = "sold", _("Sold")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


LIVE_OR_SOLD = ("live", "sold")


class Listing(PublicIdModel, TimeStampedModel):
    """A locker coupon for sale. Merchant, category, worth, expiry and digest are copied from the
    coupon when listed, so browsing filters one table and the digest's uniqueness is enforced
    here. `fee` is the platform's cut, fixed when listed; the seller gets price - fee."""

    seller = models.ForeignKey(User, on_delete=models.CASCADE, related_name="listings")
    coupon = models.ForeignKey(LockerCoupon, on_delete=models.PROTECT, related_name="listings")
    status = models.CharField(
        _("status"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.LIVE
    )
    price = models.DecimalField(_("price"), **MONEY)
    fee = models.DecimalField(_("fee"), **MONEY)
    swap_welcome = models.BooleanField(_("swaps welcome"), default=False)
    verified = models.BooleanField(_("verified"), default=False)
    code_digest = models.CharField(max_length=64, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    store_name = models.CharField(_("store"), max_length=120, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=160)
    worth = models.DecimalField(_("worth up to"), **MONEY)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # 24 hours before the coupon expires: the sweep withdraws it then.
    withdraw_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(
                fields=["code_digest"],
                condition=Q(status__in=LIVE_OR_SOLD),
                name="marketplace_listing_code_once",
            ),
            models.CheckConstraint(
                condition=Q(price__gt=0) & Q(fee__gte=0) & Q(fee__lt=models.F("price")),
                name="marketplace_listing_price_covers_fee",
            ),
            models.CheckConstraint(
                condition=Q(price__lte=models.F("worth")),
                name="marketplace_listing_price_within_worth",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="marketplace_listing_newest"),
            models.Index(fields=["status", "price"], name="marketplace_listing_price"),
            models.Index(fields=["status", "expires_on"], name="marketplace_listing_expiry"),
            models.Index(fields=["status", "category"], name="marketplace_listing_category"),
            models.Index(fields=["status", "merchant"], name="marketplace_listing_merchant"),
            models.Index(fields=["status", "withdraw_at"], name="marketplace_listing_withdraw"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def payout(self) -> Decimal:
        return self.price - self.fee

    @property
    def display_title(self) -> str:
        """The title in the viewer's language, from the coupon's parts (load `coupon`)."""
        from .listings.titles import coupon_title

        return coupon_title(
            benefit=self.coupon.benefit,
            benefit_value=self.coupon.benefit_value,
            max_discount=self.coupon.max_discount,
            store=self.merchant.name if self.merchant_id else self.store_name,
        )


class PaymentMethod(models.TextChoices):
    RAZORPAY = "razorpay", _("Card, UPI or netbanking")
    WALLET = "wallet", _("Coupzii wallet")


class PurchaseStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Waiting for payment")
    PAID = "paid", _("Paid, in the dispute window")
    DISPUTED = "disputed", _("Disputed")
    RELEASED = "released", _("Completed")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Payment failed")
    EXPIRED = "expired", _("Payment not made in time")


# A purchase in one of these holds its listing: no second sale.
HOLDS_LISTING = ("pending_payment", "paid", "disputed", "released")
# Money is in escrow:marketplace for a purchase in one of these.
IN_ESCROW = ("paid", "disputed")


class Purchase(PublicIdModel, TimeStampedModel):
    """A buyer's purchase of a listing, and the payable the payment path collects. `number` is
    the human reference (MP-...), the gateway receipt and the ledger's reference id."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="purchases")
    buyer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="marketplace_buys")
    seller = models.ForeignKey(User, on_delete=models.PROTECT, related_name="marketplace_sales")
    price = models.DecimalField(_("price"), **MONEY)
    fee = models.DecimalField(_("fee"), **MONEY)
    method = models.CharField(_("paid with"), max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PurchaseStatus.choices,
        default=PurchaseStatus.PENDING_PAYMENT,
    )
    idempotency_key = models.CharField(max_length=80)
    verified = models.BooleanField(_("verified resale"), default=False)
    pay_by = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    window_ends_at = models.DateTimeField(_("dispute window ends"), null=True, blank=True)
    released_at = models.DateTimeField(_("seller paid"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    # The coupon the buyer received in their locker, once paid.
    buyer_coupon = models.ForeignKey(
        LockerCoupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("marketplace purchase")
        verbose_name_plural = _("marketplace purchases")
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(status__in=HOLDS_LISTING),
                name="marketplace_purchase_one_per_listing",
            ),
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"], name="marketplace_purchase_key_once"
            ),
            models.CheckConstraint(
                condition=Q(fee__lt=models.F("price")), name="marketplace_purchase_fee_below_price"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "window_ends_at"], name="marketplace_purchase_due"),
            models.Index(fields=["status", "pay_by"], name="marketplace_purchase_overdue"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def payout(self) -> Decimal:
        return self.price - self.fee


class SellerDebt(TimeStampedModel):
    """What a seller owes after a dispute refunded the buyer once the seller had been paid and
    their available balance could not cover it: taken from their next marketplace payouts."""

    seller = models.ForeignKey(User, on_delete=models.PROTECT, related_name="marketplace_debts")
    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="debt")
    amount = models.DecimalField(_("owed"), **MONEY)
    recovered = models.DecimalField(_("recovered"), default=Decimal("0.00"), **MONEY)

    class Meta:
        ordering = ["id"]
        verbose_name = _("seller debt")
        verbose_name_plural = _("seller debts")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(recovered__gte=0)
                & Q(recovered__lte=models.F("amount")),
                name="marketplace_debt_recovered_in_range",
            ),
        ]

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.recovered


# --- Disputes ----------------------------------------------------------------------------------


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the seller")
    ANSWERED = "answered", _("Waiting for a decision")
    REFUNDED = "refunded", _("Refunded to the buyer")
    RELEASED = "released", _("Released to the seller")


class RefundTo(models.TextChoices):
    GATEWAY = "gateway", _("Back to the card or UPI")
    WALLET = "wallet", _("To the Coupzii wallet")


class Dispute(PublicIdModel, TimeStampedModel):
    """ "The code did not work": filed by the buyer within the window, which stops the release
    clock; the seller answers within 24 hours; an operator decides."""

    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="dispute")
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    note = models.TextField(_("what happened"), max_length=2000)
    screenshot = models.FileField(
        _("screenshot"),
        upload_to=RandomName("dispute-screenshots"),
        storage=private_storage,
        blank=True,
    )
    answer = models.TextField(_("seller's answer"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_due = models.DateTimeField(_("answer due"))
    refund_to = models.CharField(
        _("refunded to"), max_length=10, choices=RefundTo.choices, blank=True
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        # The admin's breadcrumb and messages: the purchase it is about.
        return gettext("Dispute on %(number)s") % {"number": self.purchase.number}


class Suspension(TimeStampedModel):
    """A seller barred from listing until `until` (3 lost disputes in 30 days, or an operator)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="listing_suspensions")
    until = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("seller suspension")
        verbose_name_plural = _("seller suspensions")
        indexes = [models.Index(fields=["user", "until"], name="marketplace_suspension_user")]


# --- Swaps -------------------------------------------------------------------------------------


class ExchangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn (a coupon is no longer available)")


class Exchange(PublicIdModel, TimeStampedModel):
    """A swap offer: the requester's coupon (and optionally rupees from their wallet) for the
    other shopper's coupon. On accept both codes move or neither does."""

    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="swaps_asked")
    responder = models.ForeignKey(User, on_delete=models.CASCADE, related_name="swaps_received")
    offered = models.ForeignKey(LockerCoupon, on_delete=models.PROTECT, related_name="+")
    wanted = models.ForeignKey(LockerCoupon, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(
        Listing, on_delete=models.SET_NULL, null=True, blank=True, related_name="exchanges"
    )
    cash = models.DecimalField(_("rupees added"), default=Decimal("0.00"), **MONEY)
    message = models.CharField(_("message"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExchangeStatus.choices, default=ExchangeStatus.PENDING
    )
    expires_at = models.DateTimeField(_("expires"))
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("swap")
        verbose_name_plural = _("swaps")
        constraints = [
            models.UniqueConstraint(
                fields=["offered", "wanted"],
                condition=Q(status="pending"),
                name="marketplace_exchange_pending_once",
            ),
            models.CheckConstraint(
                condition=~Q(offered=models.F("wanted")), name="marketplace_exchange_two_coupons"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="marketplace_exchange_due"),
        ]


# --- Ratings -----------------------------------------------------------------------------------


class Rating(TimeStampedModel):
    """Buyer and seller rate each other once per completed purchase, within 30 days."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    ratee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ratings_received")
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["purchase", "rater"], name="marketplace_rating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="marketplace_rating_stars"
            ),
        ]
