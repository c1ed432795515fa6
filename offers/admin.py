"""Operators' admin for offers (with CSV/XLSX import and export) and the read-only click log."""

import uuid

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from modeltranslation.admin import TranslationAdmin

from catalog.models import Category, Merchant

from . import selectors
from .models import Click, Offer
from .templatetags.offer_tags import discount_badge


class OfferResource(resources.ModelResource):
    """Offers keyed by public_id (a row without one is a new offer); merchant and category
    written as slugs."""

    merchant = fields.Field(
        column_name="merchant",
        attribute="merchant",
        widget=widgets.ForeignKeyWidget(Merchant, field="slug"),
    )
    category = fields.Field(
        column_name="category",
        attribute="category",
        widget=widgets.ForeignKeyWidget(Category, field="slug"),
    )
    # Text columns are the English ones whatever language the admin is read in (a plain
    # "title" would mean the active language's column); the Hindi ones are optional columns.
    title = fields.Field(column_name="title", attribute="title_en")
    description = fields.Field(column_name="description", attribute="description_en")
    terms = fields.Field(column_name="terms", attribute="terms_en")

    class Meta:
        model = Offer
        import_id_fields = ("public_id",)
        fields = (
            "public_id",
            "merchant",
            "category",
            "kind",
            "title",
            "title_hi",
            "description",
            "description_hi",
            "code",
            "discount_type",
            "discount_value",
            "min_order",
            "max_discount",
            "starts_at",
            "ends_at",
            "status",
            "exclusive",
            "featured",
            "verified",
            "cashback_kind",
            "cashback_value",
            "terms",
            "terms_hi",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        # A spreadsheet row for a new offer has no id yet: give it one, as the model would.
        if not (row.get("public_id") or "").strip():
            row["public_id"] = str(uuid.uuid4())


@admin.register(Offer)
class OfferAdmin(ImportExportModelAdmin, TranslationAdmin):
    resource_classes = [OfferResource]
    # Few, narrow columns so every one fits beside the menu and the filters on a laptop: the
    # discount as the card's badge, the end date without its time; the badges are filters.
    list_display = (
        "title",
        "merchant",
        "kind",
        "discount",
        "code",
        "status",
        "ends",
        "clicks",
    )
    list_filter = (
        "status",
        "kind",
        "merchant",
        "featured",
        "verified",
        "exclusive",
        "discount_type",
    )
    list_select_related = ("merchant",)
    search_fields = ("title_en", "title_hi", "code", "merchant__name", "=public_id")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("merchant",)
    readonly_fields = (
        "public_id",
        "cashback_shown",
        "views_count",
        "clicks_count",
        "claims_count",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("public_id", "merchant", "category", "kind", "title", "description")}),
        (
            _("Discount"),
            {"fields": ("code", "discount_type", "discount_value", "min_order", "max_discount")},
        ),
        (_("Dates and status"), {"fields": ("starts_at", "ends_at", "status")}),
        (_("Badges"), {"fields": ("featured", "verified", "exclusive")}),
        (
            _("Cashback override"),
            {
                "description": _("Leave the kind empty to use the merchant's cashback."),
                "fields": ("cashback_kind", "cashback_value", "cashback_shown"),
            },
        ),
        (_("Terms"), {"fields": ("terms",)}),
        (
            _("Activity"),
            {"fields": ("views_count", "clicks_count", "claims_count", "created_at", "updated_at")},
        ),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("discount"), ordering="discount_value")
    def discount(self, offer: Offer) -> str:
        return discount_badge(offer)

    @admin.display(description=_("ends"), ordering="ends_at")
    def ends(self, offer: Offer) -> str:
        if offer.ends_at is None:
            return _("No expiry")
        return date_format(timezone.localtime(offer.ends_at), "DATE_FORMAT")

    @admin.display(description=_("clicks"), ordering="clicks_count")
    def clicks(self, offer: Offer) -> int:
        return offer.clicks_count

    @admin.display(description=_("cashback shown to shoppers"))
    def cashback_shown(self, offer: Offer) -> str:
        if not offer.pk:
            return "-"
        return selectors.offer_cashback_label(offer) or _("none")


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    """The click log is written by the click-out only: operators read it, never edit it."""

    list_display = ("id", "created_at", "merchant", "offer", "user")
    list_filter = (("merchant", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("merchant", "offer", "user")
    search_fields = ("=id", "offer__title", "merchant__name", "user__email")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .books import admin as books_admin  # noqa: E402,F401
