"""The delivery messages: the codes and PINs by email and SMS, in the shopper's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.services import SMS_MAX_LENGTH, send_sms
from coupzii.core.money import format_inr

from ..models import Order, OrderStatus
from ..selectors import codes_by_line


def order_codes_channels(*, order_id: int) -> tuple[str, ...]:
    """Where an order's codes go: by email always, and by SMS when it has a phone."""
    phone = Order.objects.values_list("phone", flat=True).get(pk=order_id)
    return ("email", "sms") if phone else ("email",)


def order_codes_send(*, order_id: int, channel: str) -> None:
    """Send a delivered order's codes by `channel` ("email" or "sms"); an order no longer
    delivered (refunded since) gets nothing. Raises OSError (SMTP) for a retry."""
    order = Order.objects.select_related("user").get(pk=order_id)
    if order.status != OrderStatus.FULFILLED:
        return
    if channel == "email":
        order_codes_email(order=order)
    else:
        order_codes_sms(order=order)


def order_codes_email(*, order: Order) -> None:
    """Email the order's codes to its delivery address. Raises OSError (SMTP) for a retry."""
    with translation.override(order.user.language):
        context = _context(order)
        subject = _("Your Coupzii gift cards, order %(number)s") % {"number": order.number}
        text = render_to_string("commerce/email/codes.txt", context)
        html = render_to_string("commerce/email/codes.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [order.email])
    message.attach_alternative(html, "text/html")
    message.send()


def order_codes_sms(*, order: Order) -> str:
    """Text the codes to the delivery phone; an order too long for one message gets a pointer
    to the email and the order page instead."""
    with translation.override(order.user.language):
        body = _sms_body(order)
    return send_sms(to=order.phone, body=body)


def _context(order: Order) -> dict:
    codes = codes_by_line(order)
    lines = [(line, codes[line.pk]) for line in order.lines.all() if codes[line.pk]]
    return {
        "order": order,
        "lines": lines,
        "order_url": f"{settings.SITE_URL}/orders/{order.number}/",
    }


def _sms_body(order: Order) -> str:
    codes = codes_by_line(order)
    parts = []
    for line in order.lines.all():
        for code in codes[line.pk]:
            value = format_inr(line.face_value)
            pin = f" PIN {code.pin}" if code.pin else ""
            parts.append(f"{line.product_name} {value}: {code.code}{pin}")
    body = _("Coupzii order %(number)s: ") % {"number": order.number} + "; ".join(parts)
    if len(body) <= SMS_MAX_LENGTH:
        return body
    return _(
        "Coupzii order %(number)s is delivered: %(count)d codes. See them in your email or at "
        "%(url)s"
    ) % {
        "number": order.number,
        "count": sum(len(c) for c in codes.values()),
        "url": f"{settings.SITE_URL}/orders/{order.number}/",
    }
