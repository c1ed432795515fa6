"""Back office for swaps (imported by marketplace.admin): a read-only list by status; the
services write every change."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ReadOnlyAdmin

from ..models import Exchange


@admin.register(Exchange)
class ExchangeAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "requester",
        "responder",
        "offered_label",
        "wanted_label",
        "cash",
        "status",
        "created_at",
        "expires_at",
        "decided_at",
    )
    list_filter = ("status",)
    list_select_related = ("requester", "responder", "offered__merchant", "wanted__merchant")
    search_fields = ("public_id", "requester__email", "responder__email")
    date_hierarchy = "created_at"
    readonly_fields = ("listing",)
    raw_id_fields = ("requester", "responder", "offered", "wanted", "listing")

    @admin.display(description=_("offered"))
    def offered_label(self, exchange) -> str:
        return exchange.offered.store_label

    @admin.display(description=_("wanted"))
    def wanted_label(self, exchange) -> str:
        return exchange.wanted.store_label
