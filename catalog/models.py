"""Categories (a tree) and merchants: the stores shoppers click out to and earn cashback from."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coupzii.core.models import TimeStampedModel


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
