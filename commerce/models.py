"""Carts, promo codes, orders and their lines, payments, refunds and gateway webhooks.

Amounts are Decimal rupees; only `Payment.amount_paise` (and the dev gateway's rows) hold
integer paise, because that is what the gateway speaks.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, Variant
from coupzii.core.models import PublicIdModel, TimeStampedModel
from coupzii.core.money import format_inr

ZERO = Decimal("0.00")
# SQLite does decimal arithmetic in floats, so "a = b + c" can miss by a hair there: sums are
# checked to within half a paisa, which is exact for amounts kept in whole paise.
HALF_PAISA = Value(Decimal("0.005"))


def adds_up(field: str, total) -> Q:
    """`field` equals the expression `total` to within half a paisa."""
    return Q(**{f"{field}__gte": total - HALF_PAISA}) & Q(**{f"{field}__lte": total + HALF_PAISA})


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, default=ZERO, **kwargs
    )


# --- Cart --------------------------------------------------------------------------------------


class Cart(TimeStampedModel):
    """A shopper's cart: a signed-in user's (one each), or a signed-out visitor's, found by
    the `token` kept in their session and merged into the user's cart at sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )
    token = models.UUIDField(null=True, blank=True, unique=True)
    promo_code = models.ForeignKey(
        "PromoCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    use_wallet = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, token__isnull=True)
                | Q(user__isnull=True, token__isnull=False),
                name="commerce_cart_user_or_token",
            )
        ]

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="commerce_cartline_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="commerce_cartline_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} x {self.quantity}"


# --- Promo codes -------------------------------------------------------------------------------


class PromoKind(models.TextChoices):
    PERCENT = "percent", _("Percent off")
    FLAT = "flat", _("Flat amount off")


class PromoCode(TimeStampedModel):
    """A discount code. It applies to the cart lines of its products or categories (all lines
    when both are empty); `min_order` is measured on those lines. Uses are `PromoUsage` rows,
    one per order; a cancelled order's use is released and counts no more."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PromoKind.choices)
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Percent for percent-off codes, rupees for flat ones."),
    )
    max_discount = models.DecimalField(
        _("largest discount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    min_order = money_field(_("smallest order"), validators=[MinValueValidator(ZERO)])
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(_("uses in all"), null=True, blank=True)
    per_user_limit = models.PositiveSmallIntegerField(_("uses per shopper"), default=1)
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100),
                name="commerce_promo_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="commerce_promo_ends_after_start",
            ),
        ]
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")

    def __str__(self) -> str:
        return self.code


class PromoUsage(models.Model):
    promo = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="usages")
    order = models.OneToOneField("Order", on_delete=models.PROTECT, related_name="promo_usage")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discount = money_field(_("discount"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the order is cancelled: the use no longer counts against the limits.
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["promo", "user"], name="commerce_promousage_user")]

    def __str__(self) -> str:
        return f"{self.promo_id} on {self.order_id}"


# --- Orders ------------------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FULFILLED = "fulfilled", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Payment failed")
    REFUNDED = "refunded", _("Refunded")


class Order(TimeStampedModel):
    """What a shopper bought. `total = subtotal - discount = wallet_amount + gateway_amount`;
    the wallet share is held in the ledger from checkout until the order is fulfilled
    (settled) or cancelled (released).

    pending_payment -> paid -> fulfilled [-> refunded]; pending_payment -> failed | cancelled.
    A paid order whose codes ran short stays paid until an operator fulfils it.
    """

    # Human-readable and random ("CZ7K3Q9M2X"): shown to shoppers, and not enumerable.
    number = models.CharField(_("order number"), max_length=16, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    subtotal = money_field(_("subtotal"))
    discount = money_field(_("discount"))
    total = money_field(_("total"))
    wallet_amount = money_field(_("paid from wallet"))
    gateway_amount = money_field(_("paid online"))
    refunded_amount = money_field(_("refunded"))
    promo = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    email = models.EmailField(_("delivery email"))
    phone = models.CharField(_("delivery phone"), max_length=20, blank=True)
    idempotency_key = models.CharField(max_length=100)
    pay_by = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cancelled or failed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "pay_by"], name="commerce_order_unpaid"),
            models.Index(fields=["user", "-created_at"], name="commerce_order_by_user"),
            # The dashboard's rollup re-rolls the days of orders changed since its last run.
            models.Index(fields=["updated_at"], name="commerce_order_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], name="commerce_order_idempotency"
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(discount__gte=0)
                & Q(wallet_amount__gte=0)
                & Q(gateway_amount__gte=0)
                & Q(refunded_amount__gte=0)
                & adds_up("total", F("subtotal") - F("discount"))
                & adds_up("total", F("wallet_amount") + F("gateway_amount"))
                & Q(refunded_amount__lte=F("total")),
                name="commerce_order_amounts_add_up",
            ),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.number

    @property
    def is_partly_refunded(self) -> bool:
        """Delivered, with some lines refunded: the order keeps its status (the rest of it is
        still the shopper's), but pages must not call it just "Delivered"."""
        return self.status == OrderStatus.FULFILLED and self.refunded_amount > 0


class OrderLine(models.Model):
    """A denomination and quantity, priced at checkout. `discount` is this line's share of
    the order's discount (shares add up to it exactly), so a refunded line returns what was
    really paid for it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(_("gift card"), max_length=120)
    face_value = money_field(_("face value"))
    unit_price = money_field(_("price"))
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    discount = money_field(_("discount"))
    refund = models.ForeignKey(
        "Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="commerce_orderline_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {format_inr(self.face_value)} x {self.quantity}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def net_amount(self) -> Decimal:
        return self.line_total - self.discount


class OrderEvent(models.Model):
    """The order's timeline, appended at every step and never changed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    note = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"


# --- Payments ----------------------------------------------------------------------------------


class Gateway(models.TextChoices):
    RAZORPAY = "razorpay", _("Razorpay")
    DEV = "dev", _("Dev gateway")


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Awaiting payment")
    CAPTURED = "captured", _("Captured")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")


class Payment(TimeStampedModel):
    """One gateway order and the payment made against it, for a payable (`commerce.payables`:
    a shop order, a marketplace purchase) named by its kind and reference. Checkout opens one
    per payable; a second capture on the same gateway order (it happens) gets a row of its own,
    refunded."""

    payable_kind = models.CharField(max_length=32)
    payable_ref = models.CharField(max_length=64)
    # Who pays: only they may report the payment from their browser.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The shop's own link, for its pages and admin: set on the payments of orders only.
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    gateway_order_id = models.CharField(max_length=64, db_index=True)
    gateway_payment_id = models.CharField(max_length=64, blank=True)
    amount_paise = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="INR")
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    method = models.CharField(max_length=32, blank=True)
    error = models.CharField(max_length=255, blank=True)
    # What the gateway said, in arrival order: the order it created, then each payment report.
    raw = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["payable_kind", "payable_ref"], name="commerce_payment_payable")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_payment_id"],
                condition=~Q(gateway_payment_id=""),
                name="commerce_payment_once",
            )
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return self.gateway_payment_id or self.gateway_order_id


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Being sent")
    PROCESSED = "processed", _("Refunded")
    FAILED = "failed", _("Failed")


class Refund(PublicIdModel, TimeStampedModel):
    """Money going back for a payable: `wallet_amount` to the payer's wallet at once (ledger),
    and `gateway_amount` through the gateway, sent after commit and retried until it lands."""

    payable_kind = models.CharField(max_length=32)
    payable_ref = models.CharField(max_length=64)
    # The shop's own link, as on Payment: set on the refunds of orders only.
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount = money_field(_("amount"))
    wallet_amount = money_field(_("to wallet"))
    gateway_amount = money_field(_("to card or bank"))
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    gateway_refund_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["payable_kind", "payable_ref"], name="commerce_refund_payable")
        ]
        constraints = [
            models.CheckConstraint(
                condition=adds_up("amount", F("wallet_amount") + F("gateway_amount"))
                & Q(wallet_amount__gte=0)
                & Q(gateway_amount__gte=0),
                name="commerce_refund_amounts_add_up",
            )
        ]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        payable = self.order.number if self.order_id else f"{self.payable_kind} {self.payable_ref}"
        return f"{payable} {format_inr(self.amount)}"


class WebhookEvent(models.Model):
    """A webhook delivery, stored in the same transaction as its effect: a repeat of the
    event id finds this row and changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="commerce_webhook_once")
        ]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


# --- The dev gateway's own books ---------------------------------------------------------------


class DevGatewayOrder(models.Model):
    """The dev gateway's side of an order: what Razorpay would keep on its servers."""

    gateway_order_id = models.CharField(max_length=32, unique=True)
    amount_paise = models.PositiveBigIntegerField()
    receipt = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.gateway_order_id


class DevGatewayPayment(models.Model):
    order = models.ForeignKey(DevGatewayOrder, on_delete=models.CASCADE, related_name="payments")
    gateway_payment_id = models.CharField(max_length=32, unique=True)
    amount_paise = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10)
    refunds = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.gateway_payment_id


# --- Operators' rollups ------------------------------------------------------------------------


class OrderDay(models.Model):
    """Orders placed on one day (settings.TIME_ZONE) by their status now, with their totals:
    rolled up by beat (commerce.rollups), and rolled again for any day whose orders changed."""

    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    total = money_field(_("total"))
    refunded = money_field(_("refunded"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "status"], name="commerce_orderday_unique")
        ]
        verbose_name = _("order day")
        verbose_name_plural = _("order days")

    def __str__(self) -> str:
        return f"{self.date} {self.status}: {self.orders}"


class SalesDay(models.Model):
    """Gift cards sold on one day (by the day the order was paid) in one category: the
    revenue chart and the sales-by-category chart read these."""

    date = models.DateField(_("date"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    orders = models.PositiveIntegerField(_("orders"), default=0)
    cards = models.PositiveIntegerField(_("gift cards"), default=0)
    # What shoppers paid for the lines (after their share of discounts), before refunds.
    revenue = money_field(_("revenue"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "category"], name="commerce_salesday_unique")
        ]
        indexes = [models.Index(fields=["date"], name="commerce_salesday_date")]
        verbose_name = _("sales day")
        verbose_name_plural = _("sales days")

    def __str__(self) -> str:
        return f"{self.date} {self.category_id}: {self.revenue}"
