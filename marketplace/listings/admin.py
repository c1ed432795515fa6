"""Listings in the back office (imported by marketplace.admin): filters, search by title, and
withdrawing through the listings service. Seller suspensions are in marketplace.disputes.admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coupzii.core.admin import (
    ConfirmForm,
    ObjectAction,
    ServiceActionsAdmin,
    badge,
    short_time,
    two_lines,
)
from coupzii.core.money import format_inr

from ..models import Listing, ListingStatus
from . import services

STATUS_TONES = {
    ListingStatus.LIVE: "ok",
    ListingStatus.SOLD: "wait",
    ListingStatus.WITHDRAWN: "off",
    ListingStatus.EXPIRED: "off",
}


def _withdraw(admin_, request, listing, data):
    return services.listing_withdraw(
        seller=listing.seller, listing=listing, reason=f"operator {request.user.pk}"
    )


@admin.register(Listing)
class ListingAdmin(ServiceActionsAdmin):
    list_display = [
        "title_cell",
        "status_cell",
        "price_inr",
        "fee_inr",
        "verified_icon",
        "expires_on",
        "listed",
    ]
    list_filter = ["status", "verified", "swap_welcome"]
    search_fields = ["title", "store_name", "merchant__name", "seller__email"]
    list_select_related = ["seller", "merchant"]
    fields = [
        "public_id",
        "title",
        "seller",
        "status",
        "price",
        "fee",
        "swap_welcome",
        "verified",
        "merchant",
        "store_name",
        "category",
        "worth",
        "expires_on",
        "withdraw_at",
        "ended_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["withdraw_selected"]
    object_actions = (
        ObjectAction(
            slug="withdraw",
            label=_("Withdraw"),
            form_class=ConfirmForm,
            run=_withdraw,
            allowed=lambda listing: listing.status == ListingStatus.LIVE,
            done=_("%(object)s withdrawn; the coupon is back in the seller's locker."),
            intro=_("Take the listing down. The coupon goes back to the seller's locker."),
            style="danger",
        ),
    )

    @admin.display(description=_("listing"), ordering="title")
    def title_cell(self, listing):
        return two_lines(listing.title, listing.seller.email)

    @admin.display(description=_("status"), ordering="status")
    def status_cell(self, listing):
        return badge(listing.get_status_display(), STATUS_TONES.get(listing.status, "off"))

    @admin.display(description=_("price"), ordering="price")
    def price_inr(self, listing):
        return format_inr(listing.price)

    @admin.display(description=_("fee"), ordering="fee")
    def fee_inr(self, listing):
        return format_inr(listing.fee)

    @admin.display(description=_("Verified"), boolean=True, ordering="verified")
    def verified_icon(self, listing):
        return listing.verified

    @admin.display(description=_("listed"), ordering="created_at")
    def listed(self, listing):
        return short_time(listing.created_at)

    @admin.action(description=_("Withdraw the selected listings"))
    def withdraw_selected(self, request, queryset):
        self.run_each(
            request,
            queryset.select_related("seller"),
            lambda listing: _withdraw(self, request, listing, {}),
            done=lambda count: ngettext(
                "%(count)s listing withdrawn.", "%(count)s listings withdrawn.", count
            ),
        )
