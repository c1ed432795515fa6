"""Operators' admin for the category tree and merchants, with CSV/XLSX import and export."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .. import selectors
from ..models import Category, Merchant


class CategoryResource(resources.ModelResource):
    """Categories keyed by slug; the parent is written as its slug."""

    parent = fields.Field(
        column_name="parent",
        attribute="parent",
        widget=widgets.ForeignKeyWidget(Category, field="slug"),
    )
    # Text columns are the English ones whatever language the admin is read in (a plain
    # "name" would mean the active language's column); the Hindi ones are optional columns.
    name = fields.Field(column_name="name", attribute="name_en")

    class Meta:
        model = Category
        import_id_fields = ("slug",)
        fields = ("slug", "name", "name_hi", "parent", "icon", "position", "is_active")
        export_order = fields
        skip_unchanged = True
        report_skipped = False


class MerchantResource(resources.ModelResource):
    """Merchants keyed by slug; categories as slugs separated by "|" (fashion|footwear)."""

    categories = fields.Field(
        column_name="categories",
        attribute="categories",
        widget=widgets.ManyToManyWidget(Category, field="slug", separator="|"),
    )
    # Text columns are the English ones whatever language the admin is read in (a plain
    # "description" would mean the active language's column); the Hindi ones are optional columns.
    description = fields.Field(column_name="description", attribute="description_en")
    cashback_terms = fields.Field(column_name="cashback_terms", attribute="cashback_terms_en")

    class Meta:
        model = Merchant
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "name",
            "website",
            "brand_color",
            "description",
            "description_hi",
            "categories",
            "affiliate_network",
            "tracking_url_template",
            "cashback_kind",
            "cashback_value",
            "cashback_terms",
            "cashback_terms_hi",
            "confirmation_days",
            "featured",
            "is_active",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        # Run the model's validators (the tracking URL must hold {click_id}) on every row.
        clean_model_instances = True


class ChildInline(TranslationTabularInline):
    model = Category
    fk_name = "parent"
    fields = ("name", "slug", "icon", "position", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0
    verbose_name = _("sub-category")
    verbose_name_plural = _("sub-categories")


@admin.register(Category)
class CategoryAdmin(ImportExportModelAdmin, TranslationAdmin):
    resource_classes = [CategoryResource]
    list_display = ("name", "parent", "slug", "icon", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    # Both languages, whichever the operator reads the admin in (`name` means the active one).
    search_fields = ("name_en", "name_hi", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = [ChildInline]
    ordering = ("parent__position", "position", "name")


@admin.register(Merchant)
class MerchantAdmin(ImportExportModelAdmin, TranslationAdmin):
    resource_classes = [MerchantResource]
    list_display = (
        "logo_badge",
        "name",
        "cashback",
        "affiliate_network",
        "confirmation_days",
        "category_list",
        "featured",
        "is_active",
    )
    list_display_links = ("logo_badge", "name")
    list_editable = ("featured", "is_active")
    list_filter = ("is_active", "featured", "cashback_kind", "affiliate_network", "categories")
    search_fields = ("name", "slug", "website")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("categories",)
    readonly_fields = ("created_at", "updated_at")
    # Stores are on https; a bare "myntra.com" typed by an operator should become https://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "slug", "website", "description", "categories")}),
        (_("Look"), {"fields": ("logo", "brand_color")}),
        (
            _("Tracking and cashback"),
            {
                "fields": (
                    "affiliate_network",
                    "tracking_url_template",
                    "cashback_kind",
                    "cashback_value",
                    "cashback_terms",
                    "confirmation_days",
                )
            },
        ),
        (_("Visibility"), {"fields": ("featured", "is_active", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("logo"))
    def logo_badge(self, merchant: Merchant) -> str:
        if merchant.logo:
            return format_html(
                '<img src="{}" alt="" width="28" height="28" style="border-radius:6px">',
                merchant.logo.url,
            )
        return format_html(
            '<span style="display:inline-block;width:28px;height:28px;border-radius:6px;'
            'background:{}"></span>',
            merchant.brand_color,
        )

    @admin.display(description=_("cashback"), ordering="cashback_value")
    def cashback(self, merchant: Merchant) -> str:
        return selectors.merchant_own_cashback_label(merchant) or "-"

    @admin.display(description=_("categories"))
    def category_list(self, merchant: Merchant) -> str:
        return ", ".join(category.name for category in merchant.categories.all())
