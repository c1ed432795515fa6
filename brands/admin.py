"""Brands in the back office: operators verify, reject or suspend brands and set their tier
(through the team's services); the brands' other rows are shown plainly."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Merchant
from coupzii.core.admin import (
    ConfirmForm,
    ObjectAction,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceActionsAdmin,
    badge,
    short_time,
    status_rank,
    two_lines,
)

from .models import (
    ApiKey,
    Brand,
    BrandJob,
    BrandStatus,
    BrandStore,
    Budget,
    Department,
    Invitation,
    Membership,
    Tier,
    Webhook,
    WebhookDelivery,
)
from .team import services as team

STATUS_TONES = {
    BrandStatus.PENDING: "wait",
    BrandStatus.VERIFIED: "ok",
    BrandStatus.REJECTED: "bad",
    BrandStatus.SUSPENDED: "bad",
}


class BrandReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "autofocus": True}),
        help_text=_("The brand's owners see this: say what is wrong and what they can do."),
    )


class TierForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)


class StoreForm(forms.Form):
    merchant = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Merchant.objects.filter(brand_store__isnull=True).order_by("name"),
        help_text=_("Stores no brand owns yet."),
    )


class StoresInline(ReadOnlyInline):
    model = BrandStore
    fields = ["merchant"]
    verbose_name_plural = _("stores")


class MembersInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "department", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name_plural = _("members")


def _verify(admin_, request, brand, data):
    return team.brand_verify(brand=brand, operator=request.user)


def _reject(admin_, request, brand, data):
    return team.brand_reject(brand=brand, operator=request.user, reason=data["reason"])


def _suspend(admin_, request, brand, data):
    return team.brand_suspend(brand=brand, operator=request.user, reason=data["reason"])


def _tier(admin_, request, brand, data):
    return team.brand_tier_set(brand=brand, tier=data["tier"])


def _store(admin_, request, brand, data):
    team.brand_store_add(brand=brand, merchant=data["merchant"])
    return brand


@admin.register(Brand)
class BrandAdmin(ServiceActionsAdmin):
    list_display = ["name_cell", "status_cell", "tier", "store_count", "applied"]
    list_filter = ["status", "tier"]
    search_fields = [
        "name",
        "slug",
        "work_email",
        "website",
        "store_name",
        "stores__merchant__name",
    ]
    inlines = [StoresInline, MembersInline]
    fields = [
        "name",
        "slug",
        "status",
        "status_reason",
        "tier",
        "work_email",
        "website",
        "category",
        "store_name",
        "applicant",
        "verified_at",
        "verified_by",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["verify_selected", "reject_selected", "suspend_selected"]
    object_actions = (
        ObjectAction(
            slug="verify",
            label=_("Verify"),
            form_class=ConfirmForm,
            run=_verify,
            allowed=lambda brand: brand.status != BrandStatus.VERIFIED,
            done=_("%(object)s verified; its owners were told."),
            intro=_("The brand may publish from now on. Its owners get an email."),
        ),
        ObjectAction(
            slug="reject",
            label=_("Reject"),
            form_class=BrandReasonForm,
            run=_reject,
            allowed=lambda brand: brand.status == BrandStatus.PENDING,
            done=_("%(object)s rejected."),
            intro=_("The application is refused. The owners are told why."),
            style="danger",
        ),
        ObjectAction(
            slug="suspend",
            label=_("Suspend"),
            form_class=BrandReasonForm,
            run=_suspend,
            allowed=lambda brand: brand.status == BrandStatus.VERIFIED,
            done=_("%(object)s suspended."),
            intro=_("The brand can publish nothing until it is verified again."),
            style="danger",
        ),
        ObjectAction(
            slug="tier",
            label=_("Change tier"),
            form_class=TierForm,
            run=_tier,
            allowed=lambda brand: True,
            done=_("%(object)s: tier saved."),
            intro=_("The tier sets the brand's limits (codes per book, API keys, webhooks)."),
        ),
        ObjectAction(
            slug="add-store",
            label=_("Add a store"),
            form_class=StoreForm,
            run=_store,
            allowed=lambda brand: True,
            done=_("%(object)s: store added."),
            intro=_("The brand will manage this store's offers."),
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                queue_rank=status_rank("status", [BrandStatus.PENDING]),
                stores_count=Count("stores", distinct=True),
            )
            .order_by("queue_rank", "-created_at")
        )

    @admin.display(description=_("brand"), ordering="name")
    def name_cell(self, brand):
        return two_lines(brand.name, brand.store_name or brand.website)

    @admin.display(description=_("status"), ordering="status")
    def status_cell(self, brand):
        return badge(brand.get_status_display(), STATUS_TONES.get(brand.status, "off"))

    @admin.display(description=_("stores"), ordering="stores_count")
    def store_count(self, brand):
        return brand.stores_count

    @admin.display(description=_("applied"), ordering="created_at")
    def applied(self, brand):
        return short_time(brand.created_at)

    @admin.action(description=_("Verify the selected brands"))
    def verify_selected(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda brand: team.brand_verify(brand=brand, operator=request.user),
            done=lambda count: ngettext(
                "%(count)s brand verified.", "%(count)s brands verified.", count
            ),
        )

    @admin.action(description=_("Reject the selected brands (with a reason)"))
    def reject_selected(self, request, queryset):
        return self.run_each_with_reason(
            request,
            queryset,
            lambda brand, reason: team.brand_reject(
                brand=brand, operator=request.user, reason=reason
            ),
            action="reject_selected",
            title=_("Reject"),
            done=lambda count: ngettext(
                "%(count)s brand rejected.", "%(count)s brands rejected.", count
            ),
        )

    @admin.action(description=_("Suspend the selected brands (with a reason)"))
    def suspend_selected(self, request, queryset):
        return self.run_each_with_reason(
            request,
            queryset,
            lambda brand, reason: team.brand_suspend(
                brand=brand, operator=request.user, reason=reason
            ),
            action="suspend_selected",
            title=_("Suspend"),
            done=lambda count: ngettext(
                "%(count)s brand suspended.", "%(count)s brands suspended.", count
            ),
        )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "access"]
    list_filter = ["access"]
    search_fields = ["name", "brand__name"]
    list_select_related = ["brand"]
    autocomplete_fields = ["brand"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Read-only: roles change through the team page, which keeps every brand an owner."""

    list_display = ["user", "brand", "role", "department", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "brand__name"]
    list_select_related = ["user", "brand", "department"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = [
        "email",
        "brand",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    search_fields = ["email", "brand__name"]
    list_select_related = ["brand"]
    exclude = ["token_hash"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "brand", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "brand__name"]
    list_select_related = ["brand"]


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ["url", "brand", "active", "consecutive_failures", "disabled_at"]
    list_filter = ["active"]
    search_fields = ["url", "brand__name"]
    list_select_related = ["brand"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "webhook", "status", "attempts", "response_status", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["webhook__url", "webhook__brand__name", "event_id"]
    list_select_related = ["webhook"]


@admin.register(BrandJob)
class BrandJobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "brand", "status", "processed", "total", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["brand__name"]
    list_select_related = ["brand"]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "brand",
        "max_redemptions",
        "redemptions_used",
        "max_discount",
        "discount_used",
    ]
    search_fields = ["brand__name"]
    list_select_related = ["brand"]
    raw_id_fields = ["brand", "offer", "book"]
