"""Back office for the locker (imported by marketplace.admin): shoppers' coupons, read-only,
the code masked (operators don't need it; the services write every change)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ReadOnlyAdmin

from ..models import LockerCoupon


@admin.register(LockerCoupon)
class LockerCouponAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "owner",
        "store",
        "masked_code",
        "benefit",
        "worth",
        "source",
        "status",
        "expires_on",
        "created_at",
    )
    list_filter = ("status", "source", "benefit")
    list_select_related = ("owner", "merchant")
    search_fields = ("public_id", "owner__email", "merchant__name", "store_name")
    date_hierarchy = "created_at"
    raw_id_fields = ("owner", "merchant", "category", "book_code")
    # Never the code itself: not on the list, not on the page.
    fields = (
        "public_id",
        "owner",
        "masked_code",
        "source",
        "status",
        "merchant",
        "store_name",
        "category",
        "benefit",
        "benefit_value",
        "min_order",
        "max_discount",
        "worth",
        "expires_on",
        "terms",
        "book_code",
        "voucher_id",
        "used_at",
        "reminded_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("store"))
    def store(self, coupon) -> str:
        return coupon.store_label

    @admin.display(description=_("code"))
    def masked_code(self, coupon) -> str:
        return f"••••{coupon.code[-4:]}" if coupon.code else ""
