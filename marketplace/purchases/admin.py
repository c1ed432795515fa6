"""Back office for purchases (imported by marketplace.admin): each purchase with its escrow
state and the ledger transactions it caused. Read-only: money moves through the services
(a refund or a release is decided on the dispute)."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ServiceActionsAdmin
from coupzii.core.money import format_inr
from wallet.admin.ledger import ledger_links

from .. import kinds
from ..disputes.admin import REFUND_AFTER_RELEASE
from ..models import IN_ESCROW, Purchase, PurchaseStatus

S = PurchaseStatus


@admin.register(Purchase)
class PurchaseAdmin(ServiceActionsAdmin):
    # A released purchase refunded by an operator (disputes area): buyer refunded in full,
    # the seller pays it back from their wallet and next payouts.
    object_actions = (REFUND_AFTER_RELEASE,)
    list_display = [
        "number",
        "status",
        "method",
        "price_inr",
        "fee_inr",
        "escrow_state",
        "verified",
        "buyer",
        "seller",
        "created_at",
        "window_ends_at",
    ]
    list_filter = ["status", "method", "verified"]
    search_fields = ["number", "buyer__email", "seller__email", "listing__title"]
    list_select_related = ["buyer", "seller"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [
        "number",
        "listing",
        "buyer",
        "seller",
        "price",
        "fee",
        "method",
        "status",
        "verified",
        "idempotency_key",
        "pay_by",
        "paid_at",
        "window_ends_at",
        "released_at",
        "refunded_at",
        "buyer_coupon",
        "escrow_state",
        "ledger_transactions",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("price"), ordering="price")
    def price_inr(self, purchase: Purchase) -> str:
        return format_inr(purchase.price)

    @admin.display(description=_("fee"), ordering="fee")
    def fee_inr(self, purchase: Purchase) -> str:
        return format_inr(purchase.fee)

    @admin.display(description=_("escrow"))
    def escrow_state(self, purchase: Purchase) -> str:
        if purchase.status in IN_ESCROW:
            return gettext("%(amount)s held") % {"amount": format_inr(purchase.price)}
        if purchase.status == S.RELEASED:
            return gettext("Paid to the seller")
        if purchase.status == S.REFUNDED:
            return gettext("Refunded to the buyer")
        return gettext("Nothing held")

    @admin.display(description=_("ledger transactions"))
    def ledger_transactions(self, purchase: Purchase) -> str:
        return ledger_links(kinds.REFERENCE, purchase.number)
