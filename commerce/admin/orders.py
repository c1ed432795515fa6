"""Orders, read-only, with their lines, payments, refunds and timeline, and the operator's
actions (commerce/admin/actions.py)."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.models import VoucherCode, VoucherStatus
from coupzii.core.admin import ReadOnlyInline, ServiceActionsAdmin, badge, short_time, two_lines
from coupzii.core.money import format_inr
from wallet.admin.ledger import ledger_links

from ..models import Gateway, Order, OrderEvent, OrderLine, Payment, Refund
from ..services.fulfilment import order_fulfil_retry
from .actions import ORDER_ACTIONS
from .common import ORDER_TONES, PAYMENT_TONES, REFUND_TONES, CreatedColumn, S, user_link
from .forms import OrderActionForm, line_label, short_lines


class GatewayFilter(admin.SimpleListFilter):
    """Orders by how they were paid online (payments__gateway), or wallet-only."""

    title = _("gateway")
    parameter_name = "gateway"

    def lookups(self, request, model_admin):
        return (*Gateway.choices, ("none", _("Wallet only")))

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.exclude(Exists(Payment.objects.filter(order=OuterRef("pk"))))
        if value in Gateway.values:
            # Exists rather than a join: an order with two payments is listed once.
            paid_by = Payment.objects.filter(order=OuterRef("pk"), gateway=value)
            return queryset.filter(Exists(paid_by))
        return queryset


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "line",
        "sku",
        "unit_price_inr",
        "quantity",
        "discount_inr",
        "paid_inr",
        "codes_delivered",
        "refunded",
    )
    readonly_fields = fields
    verbose_name_plural = _("lines")

    def get_queryset(self, request):
        delivered = (
            VoucherCode.objects.filter(order_line_id=OuterRef("pk"), status=VoucherStatus.DELIVERED)
            .order_by()
            .values("order_line_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("variant", "refund")
            .annotate(delivered_codes=Coalesce(Subquery(delivered, output_field=IntegerField()), 0))
        )

    @admin.display(description=_("gift card"))
    def line(self, line: OrderLine) -> str:
        return line_label(line)

    @admin.display(description=_("SKU"))
    def sku(self, line: OrderLine) -> str:
        return line.variant.sku

    @admin.display(description=_("price"))
    def unit_price_inr(self, line: OrderLine) -> str:
        return format_inr(line.unit_price)

    @admin.display(description=_("discount"))
    def discount_inr(self, line: OrderLine) -> str:
        return format_inr(line.discount)

    @admin.display(description=_("paid"))
    def paid_inr(self, line: OrderLine) -> str:
        return format_inr(line.net_amount)

    @admin.display(description=_("codes delivered"))
    def codes_delivered(self, line: OrderLine) -> str:
        return f"{line.delivered_codes} / {line.quantity}"

    @admin.display(description=_("refunded"))
    def refunded(self, line: OrderLine) -> str:
        if line.refund is None:
            return "—"
        return two_lines(short_time(line.refund.created_at), line.refund.reason)


class PaymentInline(CreatedColumn, ReadOnlyInline):
    model = Payment
    fields = (
        "gateway",
        "gateway_order_id",
        "gateway_payment_id",
        "amount_paise",
        "status_badge",
        "method",
        "error",
        "created",
    )
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("payments")

    @admin.display(description=_("status"))
    def status_badge(self, payment: Payment) -> str:
        return badge(payment.get_status_display(), PAYMENT_TONES[payment.status])


class RefundInline(CreatedColumn, ReadOnlyInline):
    model = Refund
    fields = (
        "created",
        "amount_inr",
        "wallet_inr",
        "gateway_inr",
        "reason",
        "status_badge",
        "gateway_refund_id",
        "attempts",
        "last_error",
        "created_by",
    )
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("refunds")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description=_("amount"))
    def amount_inr(self, refund: Refund) -> str:
        return format_inr(refund.amount)

    @admin.display(description=_("to wallet"))
    def wallet_inr(self, refund: Refund) -> str:
        return format_inr(refund.wallet_amount)

    @admin.display(description=_("to card or bank"))
    def gateway_inr(self, refund: Refund) -> str:
        return format_inr(refund.gateway_amount)

    @admin.display(description=_("status"))
    def status_badge(self, refund: Refund) -> str:
        return badge(refund.get_status_display(), REFUND_TONES[refund.status])


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("when", "status", "note", "actor")
    readonly_fields = fields
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("when"))
    def when(self, event: OrderEvent) -> str:
        return short_time(event.created_at)


@admin.register(Order)
class OrderAdmin(CreatedColumn, ServiceActionsAdmin):
    list_display = (
        "number",
        "shopper",
        "status_badge",
        "total_inr",
        "wallet_inr",
        "online_inr",
        "created",
        "paid",
    )
    list_filter = (
        "status",
        "created_at",
        ("promo", admin.RelatedOnlyFieldListFilter),
        GatewayFilter,
    )
    list_select_related = ("user",)
    search_fields = ("=number", "user__email", "email")
    search_help_text = _("An order number, or the shopper's or the delivery email.")
    actions = ("fulfil_selected",)
    object_actions = ORDER_ACTIONS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "shopper_link",
                    "status_badge",
                    "codes_missing",
                    "created",
                    "pay_by_time",
                    "paid",
                    "fulfilled",
                    "closed",
                )
            },
        ),
        (
            _("Amounts"),
            {
                "fields": (
                    "subtotal_inr",
                    "discount_inr",
                    "promo_link",
                    "total_inr",
                    "wallet_inr",
                    "online_inr",
                    "refunded_inr",
                )
            },
        ),
        (_("Delivery"), {"fields": ("email", "phone")}),
        (_("Money"), {"fields": ("ledger_transactions", "idempotency_key")}),
    )
    readonly_fields = (
        "shopper_link",
        "status_badge",
        "codes_missing",
        "created",
        "pay_by_time",
        "paid",
        "fulfilled",
        "closed",
        "subtotal_inr",
        "discount_inr",
        "promo_link",
        "total_inr",
        "wallet_inr",
        "online_inr",
        "refunded_inr",
        "ledger_transactions",
    )
    inlines = (OrderLineInline, PaymentInline, RefundInline, OrderEventInline)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "promo")

    def row_label(self, order: Order) -> str:
        return gettext("Order %(number)s") % {"number": order.number}

    def action_summary(self, order: Order):
        return [
            (gettext("Order"), order.number),
            (gettext("Shopper"), order.user.email),
            (gettext("Status"), self.status_badge(order)),
            (gettext("Total"), format_inr(order.total)),
            (gettext("Paid from wallet"), format_inr(order.wallet_amount)),
            (gettext("Paid online"), format_inr(order.gateway_amount)),
            (gettext("Refunded"), format_inr(order.refunded_amount)),
        ]

    # The actions' forms are built for the order (its short or unrefunded lines), and their
    # outcome message depends on what the service did.
    def object_action_form(self, action, order: Order, data):
        if issubclass(action.form_class, OrderActionForm):
            return action.form_class(data, order=order)
        return action.form_class(data)

    def object_action_outcome(self, action, order: Order, result) -> tuple[str, int]:
        order.refresh_from_db()
        return action.outcome(order, result)

    @admin.action(description=_("Fulfil selected paid orders from stock"), permissions=["process"])
    def fulfil_selected(self, request, queryset):
        still_short = []

        def fulfil(order: Order) -> Order:
            order = order_fulfil_retry(order=order, operator=request.user)
            if order.status == S.PAID:
                still_short.append(order.number)
            return order

        self.run_each(
            request,
            queryset,
            fulfil,
            done=lambda n: ngettext(
                "%(count)s paid order tried from stock.",
                "%(count)s paid orders tried from stock.",
                n,
            ),
        )
        if still_short:
            self.message_user(
                request,
                gettext("Still waiting for codes: %(orders)s.")
                % {"orders": ", ".join(still_short)},
                messages.WARNING,
            )

    # --- Columns and fields -------------------------------------------------------------------

    @admin.display(description=_("shopper"), ordering="user__email")
    def shopper(self, order: Order) -> str:
        if order.email == order.user.email:
            return order.user.email
        return two_lines(
            order.user.email, gettext("delivered to %(email)s") % {"email": order.email}
        )

    @admin.display(description=_("shopper"))
    def shopper_link(self, order: Order) -> str:
        return user_link(order.user)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, order: Order) -> str:
        return badge(order.get_status_display(), ORDER_TONES[order.status])

    @admin.display(description=_("codes missing"))
    def codes_missing(self, order: Order) -> str:
        if order.status != S.PAID:
            return "—"
        short = short_lines(order)
        if not short:
            return gettext("None: fulfil from stock to finish the order.")
        return format_html_join(
            ", ",
            "{} ({})",
            (
                (line_label(line), ngettext("%(n)d missing", "%(n)d missing", n) % {"n": n})
                for line, n in short
            ),
        )

    @admin.display(description=_("pay by"))
    def pay_by_time(self, order: Order) -> str:
        return short_time(order.pay_by)

    @admin.display(description=_("paid"), ordering="paid_at")
    def paid(self, order: Order) -> str:
        return short_time(order.paid_at)

    @admin.display(description=_("delivered"))
    def fulfilled(self, order: Order) -> str:
        return short_time(order.fulfilled_at)

    @admin.display(description=_("cancelled or failed"))
    def closed(self, order: Order) -> str:
        return short_time(order.closed_at)

    @admin.display(description=_("subtotal"))
    def subtotal_inr(self, order: Order) -> str:
        return format_inr(order.subtotal)

    @admin.display(description=_("discount"))
    def discount_inr(self, order: Order) -> str:
        return format_inr(order.discount)

    @admin.display(description=_("promo code"))
    def promo_link(self, order: Order) -> str:
        if order.promo is None:
            return "—"
        url = reverse("admin:commerce_promocode_change", args=[order.promo.pk])
        return format_html('<a href="{}">{}</a>', url, order.promo.code)

    @admin.display(description=_("total"), ordering="total")
    def total_inr(self, order: Order) -> str:
        return format_inr(order.total)

    @admin.display(description=_("wallet"), ordering="wallet_amount")
    def wallet_inr(self, order: Order) -> str:
        return format_inr(order.wallet_amount)

    @admin.display(description=_("online"), ordering="gateway_amount")
    def online_inr(self, order: Order) -> str:
        return format_inr(order.gateway_amount)

    @admin.display(description=_("refunded"))
    def refunded_inr(self, order: Order) -> str:
        return format_inr(order.refunded_amount)

    @admin.display(description=_("ledger transactions"))
    def ledger_transactions(self, order: Order) -> str:
        return ledger_links("order", order.number)
