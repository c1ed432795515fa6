"""Payments, refunds and the gateway's webhook events: read-only, for looking things up."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ReadOnlyAdmin, badge, short_time, two_lines
from coupzii.core.money import format_inr, from_paise

from ..models import Payment, Refund, WebhookEvent
from .common import PAYMENT_TONES, REFUND_TONES, OrderPartAdmin, pretty_json


@admin.register(Payment)
class PaymentAdmin(OrderPartAdmin):
    list_display = (
        "created",
        "order_number",
        "gateway",
        "gateway_order_id",
        "gateway_payment_id",
        "amount",
        "status_badge",
        "method",
    )
    list_filter = ("gateway", "status", "created_at")
    list_select_related = ("order",)
    search_fields = ("=gateway_order_id", "=gateway_payment_id", "=order__number")
    search_help_text = _("A gateway order or payment id, or an order number.")
    fields = (
        "order_number",
        "gateway",
        "gateway_order_id",
        "gateway_payment_id",
        "amount",
        "status_badge",
        "method",
        "error",
        "created",
        "raw_pretty",
    )
    readonly_fields = fields

    @admin.display(description=_("amount"), ordering="amount_paise")
    def amount(self, payment: Payment) -> str:
        return two_lines(
            format_inr(from_paise(payment.amount_paise)),
            gettext("%(paise)s paise") % {"paise": payment.amount_paise},
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, payment: Payment) -> str:
        return badge(payment.get_status_display(), PAYMENT_TONES[payment.status])

    @admin.display(description=_("what the gateway said"))
    def raw_pretty(self, payment: Payment) -> str:
        return pretty_json(payment.raw)


@admin.register(Refund)
class RefundAdmin(OrderPartAdmin):
    list_display = (
        "created",
        "order_number",
        "amount_inr",
        "wallet_inr",
        "gateway_inr",
        "status_badge",
        "attempts",
        "last_error",
        "created_by",
    )
    list_filter = ("status", "created_at")
    list_select_related = ("order", "created_by")
    search_fields = ("=order__number", "=gateway_refund_id", "=public_id")
    fields = (
        "public_id",
        "order_number",
        "payment",
        "amount_inr",
        "wallet_inr",
        "gateway_inr",
        "reason",
        "status_badge",
        "gateway_refund_id",
        "attempts",
        "last_error",
        "created_by",
        "created",
    )
    readonly_fields = fields

    @admin.display(description=_("amount"), ordering="amount")
    def amount_inr(self, refund: Refund) -> str:
        return format_inr(refund.amount)

    @admin.display(description=_("to wallet"))
    def wallet_inr(self, refund: Refund) -> str:
        return format_inr(refund.wallet_amount)

    @admin.display(description=_("to card or bank"))
    def gateway_inr(self, refund: Refund) -> str:
        return format_inr(refund.gateway_amount)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, refund: Refund) -> str:
        return badge(refund.get_status_display(), REFUND_TONES[refund.status])


class ProcessedFilter(admin.SimpleListFilter):
    title = _("processed")
    parameter_name = "processed"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(processed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(processed_at__isnull=True)
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("provider", "event_type", "event_id", "received", "processed", "result")
    list_filter = ("provider", "event_type", ProcessedFilter, "received_at")
    search_fields = ("=event_id", "event_type", "result")
    fields = (
        "provider",
        "event_type",
        "event_id",
        "received",
        "processed",
        "result",
        "payload_pretty",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The list needn't read the payloads (they can be large); one event's page does.
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            return queryset.defer("payload")
        return queryset

    @admin.display(description=_("received"), ordering="received_at")
    def received(self, event: WebhookEvent) -> str:
        return short_time(event.received_at)

    @admin.display(description=_("processed"), ordering="processed_at")
    def processed(self, event: WebhookEvent) -> str:
        return short_time(event.processed_at)

    @admin.display(description=_("payload"))
    def payload_pretty(self, event: WebhookEvent) -> str:
        return pretty_json(event.payload)
