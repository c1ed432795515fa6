"""What the shop's admin pages share: status colours, links to a shopper and an order, the
"created" column and the base of the lists of an order's parts."""

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ReadOnlyAdmin, short_time

from ..models import Order, OrderStatus, PaymentStatus, RefundStatus

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
