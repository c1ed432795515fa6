"""The shop's back office: orders (read-only, with their lines, payments, refunds and timeline,
and the operator's actions: fulfil from stock, fulfil a line by hand, refund lines), promo
codes, payments, refunds and gateway webhook events.

Operators never edit an order's amounts or statuses here: every change is a call to
commerce.services.fulfilment, which checks the order under its lock, moves the ledger and
tells the shopper; its refusals are shown to the operator. Voucher codes are not shown at
all (catalog's admin lists them, masked).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.models import VoucherCode, VoucherStatus
from coupzii.core.admin import (
    ConfirmForm,
    ObjectAction,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceActionsAdmin,
    badge,
    short_time,
    two_lines,
)
from coupzii.core.money import format_inr, from_paise
from wallet.admin_ledger import ledger_links

from .admin_forms import (
    FulfilByHandForm,
    OrderActionForm,
    PromoCodeForm,
    RefundLinesForm,
    line_label,
    short_lines,
)
from .models import (
    Gateway,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    PromoCode,
    PromoKind,
    PromoUsage,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from .services.fulfilment import order_fulfil_retry, order_line_fulfil_by_hand, order_refund_lines

S = OrderStatus

ORDER_TONES = {
    S.PENDING_PAYMENT: "info",
    S.PAID: "wait",  # paid and not delivered: waiting for codes, an operator's job
    S.FULFILLED: "ok",
    S.CANCELLED: "off",
    S.FAILED: "bad",
    S.REFUNDED: "off",
}
PAYMENT_TONES = {
    PaymentStatus.CREATED: "info",
    PaymentStatus.CAPTURED: "ok",
    PaymentStatus.FAILED: "bad",
    PaymentStatus.REFUNDED: "off",
}
REFUND_TONES = {
    RefundStatus.PENDING: "wait",
    RefundStatus.PROCESSED: "ok",
    RefundStatus.FAILED: "bad",
}


def user_link(user) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:accounts_user_change", args=[user.pk]), user.email
    )


def order_link(order: Order) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:commerce_order_change", args=[order.pk]), order.number
    )


def pretty_json(value) -> str:
    return format_html(
        '<pre style="white-space:pre-wrap;margin:0;max-height:40em;overflow:auto">{}</pre>',
        json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False),
    )


# --- Order actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderAction(ObjectAction):
    """An ObjectAction whose form may be built for the order (OrderActionForm), and whose
    outcome message depends on what the service did: (order, result) -> (message, level)."""

    outcome: Callable | None = None


def _fulfil_outcome(order: Order, result) -> tuple[str, int]:
    if order.status == S.FULFILLED:
        return (
            gettext("Order %(number)s is delivered: the codes are on their way to the shopper.")
            % {"number": order.number},
            messages.SUCCESS,
        )
    return (
        gettext(
            "Order %(number)s is still waiting for codes: import more for its gift card, or "
            "fulfil the short line by hand."
        )
        % {"number": order.number},
        messages.WARNING,
    )


def _refund_outcome(order: Order, refund: Refund) -> tuple[str, int]:
    parts = []
    if refund.wallet_amount:
        parts.append(
            gettext("%(amount)s to the shopper's wallet")
            % {"amount": format_inr(refund.wallet_amount)}
        )
    if refund.gateway_amount:
        parts.append(
            gettext("%(amount)s to their card, UPI or bank")
            % {"amount": format_inr(refund.gateway_amount)}
        )
    if not parts:
        message = gettext(
            "Lines of order %(number)s refunded: their codes are void. Nothing was paid for "
            "them, so no money moves."
        ) % {"number": order.number}
    else:
        message = gettext("Refunded %(amount)s on order %(number)s: %(parts)s.") % {
            "amount": format_inr(refund.amount),
            "number": order.number,
            "parts": "; ".join(parts),
        }
    return message, messages.SUCCESS


ORDER_ACTIONS = (
    OrderAction(
        slug="fulfil",
        label=_("Fulfil from stock"),
        form_class=ConfirmForm,
        run=lambda admin_, request, order, data: order_fulfil_retry(
            order=order, operator=request.user
        ),
        allowed=lambda order: order.status == S.PAID,
        done=_("%(object)s: tried to deliver from stock."),
        intro=_("Deliver this paid order's missing codes from the codes now in stock."),
        outcome=_fulfil_outcome,
    ),
    OrderAction(
        slug="fulfil-by-hand",
        label=_("Fulfil a line by hand"),
        form_class=FulfilByHandForm,
        run=lambda admin_, request, order, data: order_line_fulfil_by_hand(
            line=data["line"], codes=data["codes"], operator=request.user
        ),
        allowed=lambda order: order.status == S.PAID,
        done=_("%(object)s: codes delivered by hand."),
        intro=_(
            "Enter the codes the brand sent for a line that ran short. They are stored "
            "encrypted and delivered to the shopper; the order is finished once no line "
            "is missing codes."
        ),
        outcome=_fulfil_outcome,
    ),
    OrderAction(
        slug="refund",
        label=_("Refund lines"),
        form_class=RefundLinesForm,
        run=lambda admin_, request, order, data: order_refund_lines(
            order=order, line_ids=data["lines"], operator=request.user, reason=data["reason"]
        ),
        allowed=lambda order: order.status == S.FULFILLED,
        done=_("%(object)s: lines refunded."),
        intro=_(
            "Refund lines the shopper has not used (check with the brand first): their codes "
            "are voided, the wallet share goes back to the wallet at once and the rest to the "
            "card, UPI or bank through the gateway."
        ),
        style="danger",
        outcome=_refund_outcome,
    ),
)


# --- Orders ------------------------------------------------------------------------------------


class CreatedColumn:
    """The short "created" column every shop admin list and inline shows."""

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj) -> str:
        return short_time(obj.created_at)


class OrderPartAdmin(CreatedColumn, ReadOnlyAdmin):
    """A read-only list of something that belongs to an order (payments, refunds)."""

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, obj) -> str:
        return order_link(obj.order)


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


# --- Promo codes --------------------------------------------------------------------------------


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


# --- Payments, refunds, webhooks ----------------------------------------------------------------


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
