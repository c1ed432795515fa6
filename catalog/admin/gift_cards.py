"""Back office for gift cards: products with their denominations and images, and the voucher
code inventory (masked codes, void, and CSV/XLSX import with a row-by-row report).

catalog/admin/__init__.py imports this module; it registers on the project's admin site. Codes
and PINs are never shown, searched or exported in plaintext: the list shows the last four
characters, a search for a whole code matches its keyed hash, and the import
(voucher_import.py) stores them through catalog.inventory, encrypted.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from modeltranslation.admin import TranslationAdmin

from .. import inventory
from ..models import Product, ProductImage, Variant, VoucherCode
from .voucher_import import SealedConfirmImportForm, SealedTempStorage, VoucherCodeResource, masked


def _sellable_count(**outer) -> Coalesce:
    """Sellable codes (catalog.inventory's definition: available, not too close to expiry)
    counted per outer row by a correlated subquery, so a list pays one query for all rows."""
    codes = (
        inventory.sellable_codes()
        .filter(**{key: OuterRef(value) for key, value in outer.items()})
        .order_by()
        .values(next(iter(outer)))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(codes, output_field=IntegerField()), 0)


# --- Gift cards --------------------------------------------------------------------------------


class StockFilter(admin.SimpleListFilter):
    """Sellable stock (the `sellable_stock` annotation of the list's queryset), with "low"
    meaning fewer than settings.DASHBOARD_LOW_STOCK_CODES: the dashboard's "running low"
    line links to the denominations list filtered by "below" (out of stock included)."""

    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        low = settings.DASHBOARD_LOW_STOCK_CODES
        return (
            ("none", _("Out of stock")),
            ("low", gettext("Fewer than %(n)d codes") % {"n": low}),
            ("below", gettext("Fewer than %(n)d codes, or none") % {"n": low}),
            ("some", _("In stock")),
        )

    def queryset(self, request, queryset):
        low = settings.DASHBOARD_LOW_STOCK_CODES
        if self.value() == "none":
            return queryset.filter(sellable_stock=0)
        if self.value() == "low":
            return queryset.filter(sellable_stock__gt=0, sellable_stock__lt=low)
        if self.value() == "below":
            return queryset.filter(sellable_stock__lt=low)
        if self.value() == "some":
            return queryset.filter(sellable_stock__gt=0)
        return queryset


def _codes_link(variant: Variant) -> str:
    """The variant's sellable stock, and a link to its codes in the code list."""
    url = reverse("admin:catalog_vouchercode_changelist")
    return format_html(
        '{} · <a href="{}?variant__id__exact={}">{}</a>',
        getattr(variant, "sellable_stock", 0),
        url,
        variant.pk,
        gettext("codes"),
    )


class VariantInline(admin.TabularInline):
    model = Variant
    fields = (
        "sku",
        "face_value",
        "price",
        "min_quantity",
        "max_quantity",
        "is_active",
        "sellable_stock",
    )
    readonly_fields = ("sellable_stock",)
    extra = 0
    # Sold denominations are on order lines (PROTECT): switch them off instead.
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sellable_stock=_sellable_count(variant="pk"))

    @admin.display(description=_("sellable stock"))
    def sellable_stock(self, variant: Variant) -> str:
        if variant.pk is None:
            return "—"
        return _codes_link(variant)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    fields = ("image", "alt", "position")
    extra = 0


@admin.register(Product)
class ProductAdmin(TranslationAdmin):
    list_display = ("name", "merchant", "category", "stock", "featured", "is_active")
    list_editable = ("featured", "is_active")
    list_filter = (
        "is_active",
        "featured",
        StockFilter,
        ("category", admin.RelatedOnlyFieldListFilter),
        ("merchant", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("merchant", "category")
    search_fields = ("name_en", "name_hi", "slug", "merchant__name", "variants__sku")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("merchant", "category")
    readonly_fields = ("created_at", "updated_at")
    inlines = (VariantInline, ProductImageInline)
    fieldsets = (
        (None, {"fields": ("name", "slug", "merchant", "category")}),
        (
            _("What the shopper reads"),
            {"fields": ("description", "terms", "how_to_redeem", "validity_days")},
        ),
        (_("Visibility"), {"fields": ("featured", "is_active", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(sellable_stock=_sellable_count(variant__product="pk"))
        )

    @admin.display(description=_("sellable stock"), ordering="sellable_stock")
    def stock(self, product: Product) -> int:
        return product.sellable_stock


class OnSaleFilter(admin.SimpleListFilter):
    """On sale: the denomination and its gift card both active (what shoppers can buy)."""

    title = _("on sale")
    parameter_name = "on_sale"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        on_sale = Q(is_active=True, product__is_active=True)
        if self.value() == "yes":
            return queryset.filter(on_sale)
        if self.value() == "no":
            return queryset.exclude(on_sale)
        return queryset


@admin.register(Variant)
class DenominationAdmin(admin.ModelAdmin):
    """Every denomination with its sellable stock, to find the ones to restock (the dashboard's
    "running low" line opens this list filtered). Denominations are edited on their gift card's
    page (the inline above), so this list only shows them."""

    list_display = ("product_link", "face_value", "price", "sku", "is_active", "stock")
    list_display_links = None
    list_filter = (StockFilter, OnSaleFilter)
    list_select_related = ("product",)
    search_fields = ("sku", "product__name_en", "product__name_hi")

    def get_queryset(self, request):
        # Not super()'s: it orders by get_ordering() before the stock it names is annotated.
        stocked = Variant.objects.annotate(sellable_stock=_sellable_count(variant="pk"))
        return stocked.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ("sellable_stock", "product__name", "face_value")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("gift card"), ordering="product__name")
    def product_link(self, variant: Variant) -> str:
        url = reverse("admin:catalog_product_change", args=[variant.product_id])
        return format_html('<a href="{}">{}</a>', url, variant.product.name)

    @admin.display(description=_("sellable stock"), ordering="sellable_stock")
    def stock(self, variant: Variant) -> str:
        return _codes_link(variant)


# --- Voucher codes: the list -------------------------------------------------------------------


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return (
            ("expired", _("Expired")),
            ("too-soon", _("Expires too soon to sell")),
            ("later", _("Expires later")),
            ("never", _("No expiry date")),
        )

    def queryset(self, request, queryset):
        today, sellable_from = timezone.localdate(), inventory.sellable_from()
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=today)
        if self.value() == "too-soon":
            return queryset.filter(expires_on__gte=today, expires_on__lt=sellable_from)
        if self.value() == "later":
            return queryset.filter(expires_on__gte=sellable_from)
        if self.value() == "never":
            return queryset.filter(expires_on__isnull=True)
        return queryset


@admin.register(VoucherCode)
class VoucherCodeAdmin(ImportMixin, admin.ModelAdmin):
    """The code inventory. Rows come in through the import and change only through
    catalog.inventory (checkout, fulfilment, refunds, and the void action here)."""

    resource_classes = [VoucherCodeResource]
    import_formats = [base_formats.CSV, base_formats.XLSX]
    import_template_name = "admin/catalog/vouchercode/import.html"
    tmp_storage_class = SealedTempStorage
    confirm_form_class = SealedConfirmImportForm
    list_display = (
        "variant",
        "masked_code",
        "status",
        "expires_on",
        "order_line_id",
        "created_at",
    )
    list_filter = ("status", "variant__product", ExpiryFilter, "expires_on")
    list_select_related = ("variant__product",)
    # The code itself can't be searched (it is encrypted): a whole code typed in the search
    # box is matched by its keyed hash in get_search_results.
    search_fields = ("variant__sku", "variant__product__name", "=order_line_id")
    search_help_text = _(
        "A SKU, a gift card's name, an order line id, or a whole code (matched exactly)."
    )
    actions = ("void_selected",)
    fields = (
        "variant",
        "masked_code",
        "has_pin",
        "status",
        "expires_on",
        "order_line_id",
        "reserved_at",
        "delivered_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    empty_value_display = "—"

    def get_queryset(self, request):
        # The PIN is never shown here: don't even read (and decrypt) it.
        return super().get_queryset(request).defer("pin")

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        code = inventory.normalise_code(search_term or "")
        if code:
            results |= queryset.filter(code_digest=inventory.code_digest(code))
        return results, may_have_duplicates

    def has_add_permission(self, request):
        return False  # codes come in through the import

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return request.user.has_perm("catalog.add_vouchercode")

    def has_void_permission(self, request):
        return request.user.has_perm("catalog.change_vouchercode")

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.import_admin = self
        return form

    def get_import_data_kwargs(self, **kwargs):
        # The confirm step too refuses the whole file if any row fails (a code imported by
        # someone else between preview and confirm), rather than storing the rest.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                gettext(
                    "Nothing was imported: some rows changed since the preview "
                    "(a code was added meanwhile). Upload the file again to see which."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:catalog_vouchercode_import"))
        return super().process_result(result, request)

    @admin.action(description=_("Void selected codes"), permissions=["void"])
    def void_selected(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True))
        voided = inventory.voucher_codes_void_by_pks(pks=selected)
        self.message_user(
            request,
            ngettext(
                "%(count)s code voided.",
                "%(count)s codes voided.",
                voided,
            )
            % {"count": voided},
            messages.SUCCESS if voided else messages.INFO,
        )
        left = len(selected) - voided
        if left:
            self.message_user(
                request,
                ngettext(
                    "%(count)s code was left as it was: it is delivered or already void "
                    "(refund its order line to take a delivered code back).",
                    "%(count)s codes were left as they were: they are delivered or already "
                    "void (refund their order lines to take delivered codes back).",
                    left,
                )
                % {"count": left},
                messages.WARNING,
            )

    @admin.display(description=_("code"))
    def masked_code(self, code: VoucherCode) -> str:
        return masked(code.code)

    @admin.display(description=_("PIN"), boolean=True)
    def has_pin(self, code: VoucherCode) -> bool:
        # Asks the database whether there is one, without reading (decrypting) it.
        return bool(VoucherCode.objects.filter(pk=code.pk).exclude(pin="").exists())
