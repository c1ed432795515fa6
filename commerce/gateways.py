"""Payment gateways: Razorpay through its official SDK, and the dev gateway that plays
Razorpay's part when no keys are configured.

Both sign exactly as Razorpay does (HMAC-SHA256 of "order_id|payment_id" with the key secret;
of the raw webhook body with the webhook secret) and both are checked with the SDK's own
utility, so verification, webhooks and fulfilment run the same code whichever is in use.
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from functools import cache

import razorpay
import requests
from django.conf import settings
from django.db import transaction
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from .errors import GatewayUnavailable, PaymentInvalid
from .locks import dev_gateway_payment_lock
from .models import DevGatewayOrder, DevGatewayPayment, Gateway

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# A Razorpay id ("pay_29QQoUBi66xm2f"): it goes into the request path, so nothing else may.
PAYMENT_ID_RE = re.compile(r"pay_[A-Za-z0-9]{1,40}")
ORDER_ID_RE = re.compile(r"order_[A-Za-z0-9]{1,40}")
REFUNDS_PAGE = 100  # Razorpay's largest page of refunds (it sends 10 unless asked)
# Our columns for gateway ids hold 64 characters; Razorpay's ids are about 20.
MAX_ID_LENGTH = 64
# Answers that say nothing about the payment: our keys refused (401/403), too many requests
# (429, Razorpay words it BAD_REQUEST_ERROR), or the gateway itself failing (5xx).
UNAVAILABLE_STATUSES = frozenset({401, 403, 429})


class GatewayRefused(requests.HTTPError):
    """Razorpay answered, but not about the payment (see UNAVAILABLE_STATUSES)."""


class _Session(requests.Session):
    """The SDK's HTTP session. The SDK reads only the error code of a refusal, and Razorpay
    words "wrong API keys" and "too many requests" as BAD_REQUEST_ERROR, the code of a bad
    payment; the status code tells them apart, so it is checked here, before the SDK."""

    def request(self, method, url, *args, **kwargs):
        response = super().request(method, url, *args, **kwargs)
        if response.status_code in UNAVAILABLE_STATUSES or response.status_code >= 500:
            raise GatewayRefused(f"HTTP {response.status_code}", response=response)
        return response


@dataclass(frozen=True)
class GatewayPayment:
    """A payment as the gateway reports it (a Razorpay payment entity)."""

    id: str
    order_id: str
    amount_paise: int
    currency: str
    status: str  # created, authorized, captured, refunded, failed
    method: str
    error: str
    raw: dict

    @classmethod
    def from_entity(cls, entity: dict) -> "GatewayPayment":
        try:
            amount = entity["amount"]
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise TypeError(amount)
            if len(str(entity["id"])) > MAX_ID_LENGTH:
                raise TypeError("id longer than Razorpay's")
            return cls(
                id=str(entity["id"]),
                order_id=str(entity.get("order_id") or ""),
                amount_paise=amount,
                currency=str(entity.get("currency") or ""),
                status=str(entity.get("status") or ""),
                method=str(entity.get("method") or "")[:32],
                error=str(entity.get("error_description") or "")[:255],
                raw=entity,
            )
        except (KeyError, TypeError) as exc:
            raise PaymentInvalid(f"Unreadable payment entity: {exc!r}") from exc


class RazorpayGateway:
    name = Gateway.RAZORPAY
    is_dev = False

    def __init__(self, *, key_id: str, key_secret: str, webhook_secret: str, base_url: str):
        self.key_id = key_id
        self.key_secret = key_secret
        self.webhook_secret = webhook_secret
        self.client = razorpay.Client(
            session=_Session(), auth=(key_id, key_secret), base_url=base_url
        )
        self.client.set_app_details({"title": "Coupzii", "version": "1"})

    # --- Orders, payments, refunds (network calls) ----------------------------------------

    def order_create(
        self, *, amount_paise: int, receipt: str, notes: dict, currency: str = "INR"
    ) -> dict:
        """A gateway order for `amount_paise`; payments made against it are captured at once."""
        data = {
            "amount": amount_paise,
            "currency": currency,
            "receipt": receipt,
            "notes": notes,
            "payment_capture": 1,
        }
        return self._call(self.client.order.create, data)

    def payment_fetch(self, payment_id: str) -> GatewayPayment:
        payment_id = _checked_id(payment_id, PAYMENT_ID_RE)
        return GatewayPayment.from_entity(self._call(self.client.payment.fetch, payment_id))

    def payment_capture(self, payment: GatewayPayment) -> GatewayPayment:
        payment_id = _checked_id(payment.id, PAYMENT_ID_RE)
        try:
            entity = self._call(
                self.client.payment.capture,
                payment_id,
                payment.amount_paise,
                {"currency": payment.currency or "INR"},
            )
        except PaymentInvalid:
            # Captured meanwhile (auto-capture, or our own earlier attempt whose answer was
            # lost): Razorpay refuses a second capture, and what it holds now is the answer.
            current = self.payment_fetch(payment_id)
            if current.status in ("captured", "refunded"):
                return current
            raise
        return GatewayPayment.from_entity(entity)

    def order_payments(self, gateway_order_id: str) -> list[GatewayPayment]:
        gateway_order_id = _checked_id(gateway_order_id, ORDER_ID_RE)
        answer = self._call(self.client.order.payments, gateway_order_id)
        return [GatewayPayment.from_entity(item) for item in _items(answer)]

    def refund_create(self, *, payment_id: str, amount_paise: int, reference: str) -> dict:
        data = {
            "amount": amount_paise,
            "receipt": reference,
            "notes": {"coupzii_refund": reference},
        }
        return self._call(self.client.payment.refund, _checked_id(payment_id, PAYMENT_ID_RE), data)

    def refunds_of(self, payment_id: str) -> list[dict]:
        """Every refund of the payment. Razorpay pages them (10 unless asked for up to 100)."""
        payment_id = _checked_id(payment_id, PAYMENT_ID_RE)
        refunds: dict[str, dict] = {}
        while True:
            page = _items(
                self._call(
                    self.client.payment.fetch_multiple_refund,
                    payment_id,
                    {"count": REFUNDS_PAGE, "skip": len(refunds)},
                )
            )
            known = len(refunds)
            refunds.update((str(refund.get("id")), refund) for refund in page)
            # A short page is the last; a page of nothing new means `skip` was not applied.
            if len(page) < REFUNDS_PAGE or len(refunds) == known:
                return list(refunds.values())

    def _call(self, method, *args) -> dict:
        try:
            answer = method(*args, timeout=TIMEOUT_SECONDS)
        except GatewayRefused as exc:
            if exc.response.status_code in (401, 403):
                logger.error("Razorpay refused our API keys (HTTP %s)", exc.response.status_code)
            raise GatewayUnavailable() from exc
        except (requests.RequestException, ServerError, GatewayError) as exc:
            raise GatewayUnavailable() from exc
        except BadRequestError as exc:
            raise PaymentInvalid(str(exc)) from exc
        if not isinstance(answer, dict):
            raise GatewayUnavailable()
        return answer

    # --- Signatures (no network) ----------------------------------------------------------

    def payment_signature_valid(self, *, order_id: str, payment_id: str, signature: str) -> bool:
        if not _signature_shaped(signature):
            return False
        try:
            return bool(
                self.client.utility.verify_payment_signature(
                    {
                        "razorpay_order_id": order_id,
                        "razorpay_payment_id": payment_id,
                        "razorpay_signature": signature,
                    }
                )
            )
        except SignatureVerificationError:
            return False

    def webhook_signature_valid(self, *, body: bytes, signature: str) -> bool:
        if not self.webhook_secret or not _signature_shaped(signature):
            return False
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        try:
            return bool(
                self.client.utility.verify_webhook_signature(text, signature, self.webhook_secret)
            )
        except SignatureVerificationError:
            return False


class DevGateway(RazorpayGateway):
    """Razorpay's part played locally: orders and payments live in the DevGateway* tables, the
    pay page (commerce.views) asks the shopper to pay or fail, and the answers are signed with
    the dev secrets. Never used when Razorpay keys are set; production requires them."""

    name = Gateway.DEV
    is_dev = True

    def order_create(
        self, *, amount_paise: int, receipt: str, notes: dict, currency: str = "INR"
    ) -> dict:
        if currency != "INR":
            raise PaymentInvalid("Currency is not supported")
        order = DevGatewayOrder.objects.create(
            gateway_order_id=_new_id("order_"), amount_paise=amount_paise, receipt=receipt
        )
        return _order_entity(order)

    def payment_fetch(self, payment_id: str) -> GatewayPayment:
        payment = (
            DevGatewayPayment.objects.select_related("order")
            .filter(gateway_payment_id=payment_id)
            .first()
        )
        if payment is None:
            raise PaymentInvalid("The id provided does not exist")
        return GatewayPayment.from_entity(_payment_entity(payment))

    def payment_capture(self, payment: GatewayPayment) -> GatewayPayment:
        return payment  # dev payments are captured as they are made

    def order_payments(self, gateway_order_id: str) -> list[GatewayPayment]:
        payments = DevGatewayPayment.objects.select_related("order").filter(
            order__gateway_order_id=gateway_order_id
        )
        return [GatewayPayment.from_entity(_payment_entity(p)) for p in payments]

    @transaction.atomic
    def refund_create(self, *, payment_id: str, amount_paise: int, reference: str) -> dict:
        payment = dev_gateway_payment_lock(payment_id)
        if payment is None:
            raise PaymentInvalid("The id provided does not exist")
        refunded = sum(r["amount"] for r in payment.refunds)
        if amount_paise <= 0:
            raise PaymentInvalid("The amount must be atleast INR 1.00")
        if payment.status != "captured" or refunded + amount_paise > payment.amount_paise:
            raise PaymentInvalid("The refund amount is greater than the amount left to refund.")
        refund = {
            "id": _new_id("rfnd_"),
            "entity": "refund",
            "amount": amount_paise,
            "currency": "INR",
            "payment_id": payment_id,
            "receipt": reference,
            "notes": {"coupzii_refund": reference},
            "status": "processed",
            "created_at": int(time.time()),
        }
        payment.refunds = [*payment.refunds, refund]
        payment.save(update_fields=["refunds"])
        return refund

    def refunds_of(self, payment_id: str) -> list[dict]:
        payment = DevGatewayPayment.objects.filter(gateway_payment_id=payment_id).first()
        return payment.refunds if payment else []

    # --- The pay page's two buttons ---------------------------------------------------------

    def pay(self, *, gateway_order_id: str, succeed: bool) -> "DevPayment":
        """Make a payment against the order, as a shopper on Razorpay Checkout would: captured,
        or failed. Returns what Razorpay would post to the callback and send as a webhook."""
        order = DevGatewayOrder.objects.get(gateway_order_id=gateway_order_id)
        payment = DevGatewayPayment.objects.create(
            order=order,
            gateway_payment_id=_new_id("pay_"),
            amount_paise=order.amount_paise,
            status="captured" if succeed else "failed",
        )
        entity = _payment_entity(payment)
        event = "payment.captured" if succeed else "payment.failed"
        body = json.dumps(_webhook_body(event, entity), separators=(",", ":")).encode()
        callback = (
            {
                "razorpay_order_id": gateway_order_id,
                "razorpay_payment_id": payment.gateway_payment_id,
                "razorpay_signature": sign(
                    f"{gateway_order_id}|{payment.gateway_payment_id}", self.key_secret
                ),
            }
            if succeed
            else failure_callback(gateway_order_id, payment.gateway_payment_id)
        )
        return DevPayment(
            callback=callback,
            webhook_body=body,
            webhook_signature=sign(body.decode(), self.webhook_secret),
            webhook_event_id=_new_id("evt_"),
        )


@dataclass(frozen=True)
class DevPayment:
    callback: dict
    webhook_body: bytes
    webhook_signature: str
    webhook_event_id: str


def sign(message: str, secret: str) -> str:
    """Razorpay's signature: hex HMAC-SHA256 of the message with the secret."""
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def failure_callback(gateway_order_id: str, payment_id: str) -> dict:
    """What Razorpay Checkout posts to the callback URL when a payment fails."""
    return {
        "error[code]": "BAD_REQUEST_ERROR",
        "error[description]": "Payment failed",
        "error[source]": "customer",
        "error[step]": "payment_authorization",
        "error[reason]": "payment_failed",
        "error[metadata]": json.dumps({"payment_id": payment_id, "order_id": gateway_order_id}),
    }


def _checked_id(value: str, pattern: re.Pattern) -> str:
    """An id as Razorpay issues them, before it goes into a URL path; a browser sends some."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise PaymentInvalid("The id provided does not exist")
    return value


def _items(collection: dict) -> list[dict]:
    items = collection.get("items")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise GatewayUnavailable()
    return items


def _signature_shaped(signature) -> bool:
    # A hex digest; anything else can't match, and the SDK's compare_digest raises TypeError
    # on non-ASCII text (a header the sender made up) instead of answering no.
    return isinstance(signature, str) and bool(signature) and signature.isascii()


def _new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(14))


def _order_entity(order: DevGatewayOrder) -> dict:
    return {
        "id": order.gateway_order_id,
        "entity": "order",
        "amount": order.amount_paise,
        "currency": "INR",
        "receipt": order.receipt,
        "status": "created",
        "created_at": int(order.created_at.timestamp()),
    }


def _payment_entity(payment: DevGatewayPayment) -> dict:
    refunded = sum(r["amount"] for r in payment.refunds)
    return {
        "id": payment.gateway_payment_id,
        "entity": "payment",
        "amount": payment.amount_paise,
        "currency": "INR",
        "status": "refunded" if refunded and refunded == payment.amount_paise else payment.status,
        "order_id": payment.order.gateway_order_id,
        "method": "upi",
        "amount_refunded": refunded,
        "captured": payment.status == "captured",
        "error_description": "" if payment.status == "captured" else "Payment failed",
        "created_at": int(payment.created_at.timestamp()),
    }


def _webhook_body(event: str, payment_entity: dict) -> dict:
    return {
        "entity": "event",
        "account_id": "acc_DevCoupzii0001",
        "event": event,
        "contains": ["payment"],
        "payload": {"payment": {"entity": payment_entity}},
        "created_at": int(time.time()),
    }


@cache
def _configured(key_id: str, key_secret: str, webhook_secret: str, base_url: str):
    if key_id:
        return RazorpayGateway(
            key_id=key_id, key_secret=key_secret, webhook_secret=webhook_secret, base_url=base_url
        )
    return DevGateway(
        key_id=settings.DEV_GATEWAY_KEY_ID,
        key_secret=settings.DEV_GATEWAY_KEY_SECRET,
        webhook_secret=settings.DEV_GATEWAY_WEBHOOK_SECRET,
        base_url=base_url,
    )


def gateway() -> RazorpayGateway:
    """The gateway in use: Razorpay when RAZORPAY_KEY_ID is set, else the dev gateway."""
    return _configured(
        settings.RAZORPAY_KEY_ID,
        settings.RAZORPAY_KEY_SECRET,
        settings.RAZORPAY_WEBHOOK_SECRET,
        settings.RAZORPAY_BASE_URL,
    )
