"""Promo codes: the code, its discount, window, limits and what it applies to, with its uses
so far."""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import short_time
from coupzii.core.money import format_inr

from ..models import PromoCode, PromoKind, PromoUsage
from .forms import PromoCodeForm


class LiveFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return (("now", _("Valid now")), ("ended", _("Ended")), ("future", _("Not started")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "now":
            return queryset.filter(starts_at__lte=now).filter(
                Q(ends_at__isnull=True) | Q(ends_at__gt=now)
            )
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        if self.value() == "future":
            return queryset.filter(starts_at__gt=now)
        return queryset


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    form = PromoCodeForm
    list_display = (
        "code",
        "kind",
        "value_text",
        "window",
        "uses",
        "usage_limit",
        "per_user_limit",
        "is_active",
    )
    list_filter = ("is_active", "kind", LiveFilter)
    search_fields = ("code", "description")
    filter_horizontal = ("products", "categories")
    readonly_fields = ("uses_link", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "description", "is_active")}),
        (_("Discount"), {"fields": ("kind", "value", "max_discount", "min_order")}),
        (_("When"), {"fields": ("starts_at", "ends_at")}),
        (_("Limits"), {"fields": ("usage_limit", "per_user_limit", "uses_link")}),
        (
            _("Applies to"),
            {
                "fields": ("products", "categories"),
                "description": _("Leave both empty for every gift card."),
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        # A cancelled order's use is released and no longer counts (PromoUsage.released_at).
        used = (
            PromoUsage.objects.filter(promo=OuterRef("pk"), released_at__isnull=True)
            .order_by()
            .values("promo")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(uses_so_far=Coalesce(Subquery(used, output_field=IntegerField()), 0))
        )

    @admin.display(description=_("value"), ordering="value")
    def value_text(self, promo: PromoCode) -> str:
        if promo.kind == PromoKind.PERCENT:
            text = f"{promo.value.normalize():f}%"
            if promo.max_discount:
                text += " " + gettext("up to %(amount)s") % {
                    "amount": format_inr(promo.max_discount)
                }
            return text
        return format_inr(promo.value)

    @admin.display(description=_("valid"), ordering="starts_at")
    def window(self, promo: PromoCode) -> str:
        ends = short_time(promo.ends_at) if promo.ends_at else gettext("no end date")
        return gettext("%(start)s to %(end)s") % {"start": short_time(promo.starts_at), "end": ends}

    @admin.display(description=_("uses so far"), ordering="uses_so_far")
    def uses(self, promo: PromoCode) -> int:
        return promo.uses_so_far

    @admin.display(description=_("uses so far"))
    def uses_link(self, promo: PromoCode) -> str:
        if promo.pk is None:
            return "—"
        url = reverse("admin:commerce_order_changelist")
        return format_html(
            '{} · <a href="{}?promo__id__exact={}">{}</a>',
            promo.uses_so_far,
            url,
            promo.pk,
            gettext("orders with this code"),
        )
