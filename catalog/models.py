"""Categories (a tree) and merchants: the stores shoppers click out to and earn cashback from."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coupzii.core.crypto import EncryptedTextField
from coupzii.core.models import TimeStampedModel
from coupzii.core.money import format_inr


class Category(TimeStampedModel):
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    # A short emoji shown beside the name: no image to download or host.
    icon = models.CharField(_("icon"), max_length=8, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class CashbackKind(models.TextChoices):
    NONE = "none", _("No cashback")
    PERCENT = "percent", _("Percent of the order")
    FLAT = "flat", _("Flat amount")


def validate_tracking_template(value: str) -> None:
    if "{click_id}" not in value:
        raise ValidationError(
            _("The tracking URL must contain {click_id}, where the network puts our sub-id.")
        )
    if not value.startswith(("https://", "http://")):
        raise ValidationError(_("The tracking URL must start with https://."))


class Merchant(TimeStampedModel):
    """A store. Clicks go out through `tracking_url_template` with our click id as the sub-id
    the affiliate network reports back with each sale."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    logo = models.FileField(_("logo"), upload_to="merchant-logos/", blank=True)
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#0f766e")
    website = models.URLField(_("website"))
    description = models.TextField(_("description"), blank=True)
    categories = models.ManyToManyField(Category, related_name="merchants", blank=True)
    affiliate_network = models.CharField(_("affiliate network"), max_length=40, default="direct")
    tracking_url_template = models.URLField(
        _("tracking URL"), max_length=500, validators=[validate_tracking_template]
    )
    cashback_kind = models.CharField(
        _("cashback kind"), max_length=10, choices=CashbackKind.choices, default=CashbackKind.NONE
    )
    cashback_value = models.DecimalField(
        _("cashback"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    cashback_terms = models.TextField(_("cashback terms"), blank=True)
    confirmation_days = models.PositiveSmallIntegerField(_("days to confirm cashback"), default=45)
    # Learned from this store's own cashback history (wallet.arrival writes them nightly): the
    # median days from a sale being reported to its confirmation, and whether that figure is
    # the store's own or its network's (too little history here yet). Null: nothing learned.
    learned_confirm_days = models.PositiveSmallIntegerField(
        _("usually confirms in (days)"), null=True, blank=True, editable=False
    )
    learned_from_network = models.BooleanField(
        _("learned from the network's figure"), default=False, editable=False
    )
    featured = models.BooleanField(_("featured"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "featured"], name="catalog_merchant_live")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(cashback_kind="percent") | models.Q(cashback_value__lte=100),
                name="catalog_merchant_percent_at_most_100",
            ),
        ]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return self.name


# --- Gift cards --------------------------------------------------------------------------------


class Product(TimeStampedModel):
    """A gift card of one brand, sold in one or more denominations (`Variant`). The codes
    themselves are `VoucherCode` rows; stock is the count of available ones."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="gift_cards", verbose_name=_("brand")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="gift_cards", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    terms = models.TextField(_("terms"), blank=True)
    # How the shopper redeems the card at the brand: shown beside the codes after purchase.
    how_to_redeem = models.TextField(_("how to redeem"), blank=True)
    validity_days = models.PositiveSmallIntegerField(
        _("valid for (days)"), default=365, help_text=_("From delivery, as the brand promises.")
    )
    featured = models.BooleanField(_("featured"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-featured", "name"]
        indexes = [models.Index(fields=["is_active", "category"], name="catalog_product_live")]
        verbose_name = _("gift card")
        verbose_name_plural = _("gift cards")

    def __str__(self) -> str:
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("image"), upload_to="gift-cards/")
    alt = models.CharField(_("description for screen readers"), max_length=160, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt or self.image.name


class Variant(TimeStampedModel):
    """One denomination of a gift card: its face value, what we sell it for (often less), and
    how many one order may hold."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    # Stable and readable: the CSV import names variants by it ("amazon-pay-500").
    sku = models.SlugField(_("SKU"), max_length=80, unique=True)
    face_value = models.DecimalField(
        _("face value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1.00"))],
    )
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1.00"))],
    )
    min_quantity = models.PositiveSmallIntegerField(_("least per order"), default=1)
    max_quantity = models.PositiveSmallIntegerField(_("most per order"), default=5)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product", "face_value"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=Decimal("1.00"))
                & models.Q(price__lte=models.F("face_value")),
                name="catalog_variant_price_within_face_value",
            ),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1)
                & models.Q(max_quantity__gte=models.F("min_quantity")),
                name="catalog_variant_quantity_limits",
            ),
            models.UniqueConstraint(
                fields=["product", "face_value"], name="catalog_variant_one_per_face_value"
            ),
        ]
        verbose_name = _("denomination")
        verbose_name_plural = _("denominations")

    def __str__(self) -> str:
        return f"{self.product.name} {format_inr(self.face_value)}"

    def clean(self) -> None:
        if self.price is not None and self.face_value is not None and self.price > self.face_value:
            raise ValidationError({"price": _("The price cannot be above the face value.")})
        limits = (self.min_quantity, self.max_quantity)
        if None not in limits and self.max_quantity < self.min_quantity:
            raise ValidationError(
                {"max_quantity": _("The most per order cannot be below the least.")}
            )

    @property
    def saving(self) -> Decimal:
        return self.face_value - self.price


class VoucherStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    DELIVERED = "delivered", _("Delivered")
    VOID = "void", _("Void")


class VoucherCode(TimeStampedModel):
    """One gift-card code (and PIN) bought from the brand. Code and PIN are encrypted at rest;
    `code_digest`, a keyed hash, is what finds duplicates, since ciphertext can't be compared.

    available -> reserved (a checkout holds it) -> delivered (to the order line), or back to
    available when the order is cancelled; void takes it out of sale for good.
    """

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="voucher_codes")
    code = EncryptedTextField(_("code"))
    pin = EncryptedTextField(_("PIN"), blank=True)
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.AVAILABLE
    )
    # The order line (commerce.OrderLine) it was reserved for or delivered to. Catalog doesn't
    # import commerce: the column is a plain id, and commerce joins on it.
    order_line_id = models.BigIntegerField(_("order line"), null=True, blank=True, db_index=True)
    reserved_at = models.DateTimeField(_("reserved"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["variant", "status", "expires_on"], name="catalog_voucher_stock")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="available", order_line_id__isnull=True)
                | models.Q(status="void")
                | models.Q(status__in=["reserved", "delivered"], order_line_id__isnull=False),
                name="catalog_voucher_line_matches_status",
            ),
        ]
        verbose_name = _("voucher code")
        verbose_name_plural = _("voucher codes")

    def __str__(self) -> str:
        return f"{self.variant} ••••{self.code[-4:]}" if self.code else str(self.variant)
