"""A loopback HTTP server that speaks Razorpay's REST API for orders, payments and refunds, so
tests run the official SDK (through commerce.gateways.RazorpayGateway) over real HTTP.

    with LoopbackRazorpay() as razorpay, override_settings(**razorpay.settings()):
        order = order_place(...)                          # POST /v1/orders
        callback = razorpay.pay(payment.gateway_order_id)  # the shopper pays on Checkout
        payment_verify(user=..., gateway_order_id=callback["razorpay_order_id"], ...)
        body, signature, event_id = razorpay.webhook("payment.captured", payment_id)
        webhook_receive(body=body, signature=signature, event_id=event_id)

What it serves, as Razorpay does (JSON bodies, HTTP basic auth with the key id and secret):
POST /v1/orders, GET /v1/orders/{id}, GET /v1/orders/{id}/payments, GET /v1/payments/{id},
POST /v1/payments/{id}/capture, POST /v1/payments/{id}/refund, GET /v1/payments/{id}/refunds
(paged by `count`, 10 by default and at most 100, and `skip`; newest first) and
GET /v1/payments/{id}/refunds/{refund_id}. Wrong credentials answer 401 "Authentication
failed", an unknown id 400 "The id provided does not exist", a refund above what is left to
refund 400; every refusal in Razorpay's error shape ({"error": {"code": "BAD_REQUEST_ERROR",
"description": ..., ...}}).

The test controls are plain methods, not HTTP: `pay` (a payment as Razorpay Checkout makes
it, answering the callback the browser would post, signed with the key secret), `capture`
(Razorpay's auto-capture of an authorized payment), `webhook` (a signed webhook body for a
payment or refund as it stands), and faults for the next matching requests: `fail_next`
(HTTP 500 GATEWAY_ERROR), `drop_next` (the connection closes before anything is done),
`lose_answer_next` (the request is carried out, then the connection closes without an
answer: the case retries must survive) and `delay_next` (a late answer, stale by the time it
arrives). `requests` logs every call.

For a separately started site: `python -m commerce.tests.loopback_razorpay --port 8766`
prints the environment variables that point it here (payments are then made in-process only).
"""

import argparse
import base64
import binascii
import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from coupzii.tests.loopback import LoopbackServer

KEY_ID = "rzp_test_Loopback00001"
KEY_SECRET = "loopback-razorpay-key-secret"
WEBHOOK_SECRET = "loopback-razorpay-webhook-secret"
ACCOUNT_ID = "acc_Loopback000001"
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Paths, as regular expressions, for the faults' `path` and for `calls`.
ORDERS = r"/v1/orders"
ORDER = r"/v1/orders/[^/]+"
ORDER_PAYMENTS = r"/v1/orders/[^/]+/payments"
PAYMENT = r"/v1/payments/[^/]+"
CAPTURE = r"/v1/payments/[^/]+/capture"
REFUND = r"/v1/payments/[^/]+/refund"
REFUNDS = r"/v1/payments/[^/]+/refunds"

# Razorpay payment states; "refunded" is reached through refunds, or forced in a test.
PAYMENT_STATUSES = ("created", "authorized", "captured", "refunded", "failed")
NOT_FOUND = "The id provided does not exist"


@dataclass
class LoggedRequest:
    """One request as the loopback received it. `status` is what it answered; None when it
    answered nothing (the connection was dropped, or the answer lost)."""

    method: str
    path: str
    query: dict
    body: dict | None
    authorized: bool
    status: int | None = None


@dataclass
class _Fault:
    action: str  # fail, drop, lose, delay
    remaining: int
    method: str | None
    path: str | None
    status: int = 500
    code: str = "GATEWAY_ERROR"
    description: str = ""
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or re.fullmatch(self.path, path) is not None
        )


@dataclass
class _Answer:
    status: int
    body: dict = field(default_factory=dict)


class RazorpayError(Exception):
    def __init__(self, description: str, *, status: int = 400, field_name: str | None = None):
        super().__init__(description)
        self.answer = _Answer(status, _error_body("BAD_REQUEST_ERROR", description, field_name))


class LoopbackRazorpay(LoopbackServer):
    """Razorpay on a 127.0.0.1 port. Use as a context manager, or start()/stop().

    `refund_status` is the status new refunds get: "processed" (instant, the default) or
    "pending" (then `set_refund_status` and a refund.* webhook finish it).
    """

    thread_name = "loopback-razorpay"

    @property
    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler  # defined below, with the routes

    def __init__(
        self,
        *,
        key_id: str = KEY_ID,
        key_secret: str = KEY_SECRET,
        webhook_secret: str = WEBHOOK_SECRET,
        refund_status: str = "processed",
    ):
        self.key_id = key_id
        self.key_secret = key_secret
        self.webhook_secret = webhook_secret
        self.refund_status = refund_status
        self.orders: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.requests: list[LoggedRequest] = []
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()

    def settings(self, **overrides) -> dict:
        """Django settings that point commerce.gateways.gateway() here, for override_settings."""
        return {
            "RAZORPAY_KEY_ID": self.key_id,
            "RAZORPAY_KEY_SECRET": self.key_secret,
            "RAZORPAY_WEBHOOK_SECRET": self.webhook_secret,
            "RAZORPAY_BASE_URL": self.url,
            **overrides,
        }

    def environment(self) -> dict[str, str]:
        return {name: str(value) for name, value in self.settings().items()}

    # --- the shopper's side (what Razorpay Checkout does) --------------------------------------

    def pay(
        self,
        order_id: str,
        *,
        amount_paise: int | None = None,
        status: str = "captured",
        method: str = "upi",
    ) -> dict:
        """A payment against the order, as a shopper makes it on Razorpay Checkout: captured,
        authorized (not captured yet) or failed. `amount_paise` other than the order's
        simulates tampering. Returns what Checkout hands the browser: for a successful
        payment the order id, payment id and signature (hex HMAC-SHA256 of
        "order_id|payment_id" with the key secret); for a failed one the error fields the
        callback URL receives, with the ids in error[metadata]."""
        if status not in ("captured", "authorized", "failed"):
            raise ValueError(f"a payment can't be made {status!r}")
        with self._lock:
            order = self.orders[order_id]
            amount = order["amount"] if amount_paise is None else amount_paise
            payment = _payment_entity(_new_id("pay_"), order, amount, method)
            self.payments[payment["id"]] = payment
            order["attempts"] += 1
            order["status"] = "attempted"
            self._set_payment_status(payment, status)
        if status == "failed":
            return {
                "error[code]": "BAD_REQUEST_ERROR",
                "error[description]": payment["error_description"],
                "error[source]": payment["error_source"],
                "error[step]": payment["error_step"],
                "error[reason]": payment["error_reason"],
                "error[metadata]": json.dumps({"payment_id": payment["id"], "order_id": order_id}),
            }
        return {
            "razorpay_payment_id": payment["id"],
            "razorpay_order_id": order_id,
            "razorpay_signature": sign(f"{order_id}|{payment['id']}", self.key_secret),
        }

    @staticmethod
    def payment_id_of(callback: dict) -> str:
        """The payment id in what `pay` returned, for a successful or a failed payment."""
        if "razorpay_payment_id" in callback:
            return callback["razorpay_payment_id"]
        return json.loads(callback["error[metadata]"])["payment_id"]

    def capture(self, payment_id: str) -> dict:
        """Razorpay captures an authorized payment by itself (auto-capture)."""
        with self._lock:
            payment = self.payments[payment_id]
            if payment["status"] != "authorized":
                raise ValueError(f"{payment_id} is {payment['status']}, not authorized")
            self._set_payment_status(payment, "captured")
            return copy.deepcopy(payment)

    def set_payment_status(self, payment_id: str, status: str) -> None:
        """Force a payment's status, for states the API can't reach on its own."""
        if status not in PAYMENT_STATUSES:
            raise ValueError(status)
        with self._lock:
            self._set_payment_status(self.payments[payment_id], status)

    def set_refund_status(self, refund_id: str, status: str) -> None:
        """A pending refund is processed (or fails) at the bank."""
        with self._lock:
            self.refunds[refund_id]["status"] = status

    def _set_payment_status(self, payment: dict, status: str) -> None:
        order = self.orders[payment["order_id"]]
        payment["status"] = status
        payment["captured"] = status == "captured"
        if status == "captured":
            payment["fee"] = payment["amount"] * 2 // 100
            payment["tax"] = payment["fee"] * 18 // 118
            order["status"] = "paid"
            order["amount_paid"] = payment["amount"]
            order["amount_due"] = max(order["amount"] - payment["amount"], 0)
        if status == "failed":
            payment.update(
                error_code="BAD_REQUEST_ERROR",
                error_description="Payment failed",
                error_source="customer",
                error_step="payment_authorization",
                error_reason="payment_failed",
            )

    # --- webhooks -----------------------------------------------------------------------------

    def webhook(
        self, event: str, entity_id: str, *, event_id: str | None = None
    ) -> tuple[bytes, str, str]:
        """A webhook as Razorpay sends it: (raw body, X-Razorpay-Signature, X-Razorpay-Event-Id).
        `entity_id` is a payment id for payment.* and order.paid, a refund id for refund.*;
        the entities are as they stand now."""
        with self._lock:
            if event.startswith("refund."):
                refund = copy.deepcopy(self.refunds[entity_id])
                payment = copy.deepcopy(self.payments[refund["payment_id"]])
                payload = {"refund": {"entity": refund}, "payment": {"entity": payment}}
            else:
                payment = copy.deepcopy(self.payments[entity_id])
                payload = {"payment": {"entity": payment}}
                if event == "order.paid":
                    payload["order"] = {"entity": copy.deepcopy(self.orders[payment["order_id"]])}
        body = {
            "entity": "event",
            "account_id": ACCOUNT_ID,
            "event": event,
            "contains": list(payload),
            "payload": payload,
            "created_at": int(time.time()),
        }
        raw = json.dumps(body, separators=(",", ":")).encode()
        return raw, sign(raw.decode(), self.webhook_secret), event_id or _new_id("evt_")

    # --- faults -------------------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int = 500,
        code: str = "GATEWAY_ERROR",
        description: str = "Gateway request timed out",
    ) -> None:
        """The next `n` matching requests get an error answer and change nothing."""
        self._add_fault(
            _Fault("fail", n, method, path, status=status, code=code, description=description)
        )

    def drop_next(self, n: int = 1, *, method: str | None = None, path: str | None = None):
        """The next `n` matching requests are read, then the connection closes: nothing done."""
        self._add_fault(_Fault("drop", n, method, path))

    def lose_answer_next(self, n: int = 1, *, method: str | None = None, path: str | None = None):
        """The next `n` matching requests are carried out, then the connection closes before
        the answer is sent: the caller can't tell whether anything happened."""
        self._add_fault(_Fault("lose", n, method, path))

    def delay_next(
        self, seconds: float, n: int = 1, *, method: str | None = None, path: str | None = None
    ):
        """The next `n` matching requests are carried out at once and answered `seconds`
        later, with what was true when they arrived (a slow network on the way back)."""
        self._add_fault(_Fault("delay", n, method, path, seconds=seconds))

    def _add_fault(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
        return None

    # --- reading the log ----------------------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        """Logged requests, filtered by method and by path (a regular expression)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method)
                and (path is None or re.fullmatch(path, r.path))
            ]

    def refunds_of(self, payment_id: str) -> list[dict]:
        with self._lock:
            return [r for r in self.refunds.values() if r["payment_id"] == payment_id]

    # --- the API (called from the handler threads) ---------------------------------------------

    def _serve(self, method: str, path: str, query: dict, body: dict | None) -> _Answer:
        with self._lock:
            try:
                return self._route(method, path, query, body or {})
            except RazorpayError as error:
                return error.answer

    def _route(self, method: str, path: str, query: dict, body: dict) -> _Answer:
        parts = path.strip("/").split("/")
        if parts[:1] != ["v1"] or len(parts) < 2:
            raise RazorpayError("The requested URL was not found on the server.")
        resource, rest = parts[1], parts[2:]
        if resource == "orders":
            if method == "POST" and not rest:
                return _Answer(200, self._order_create(body))
            if method == "GET" and len(rest) == 1:
                return _Answer(200, copy.deepcopy(self._order(rest[0])))
            if method == "GET" and len(rest) == 2 and rest[1] == "payments":
                order = self._order(rest[0])
                items = [p for p in self.payments.values() if p["order_id"] == order["id"]]
                return _Answer(200, _collection(list(reversed(items))))
        if resource == "payments" and rest:
            payment = self._payment(rest[0])
            action = rest[1:]
            if method == "GET" and not action:
                return _Answer(200, copy.deepcopy(payment))
            if method == "POST" and action == ["capture"]:
                return _Answer(200, self._capture(payment, body))
            if method == "POST" and action == ["refund"]:
                return _Answer(200, self._refund(payment, body))
            if method == "GET" and action == ["refunds"]:
                return _Answer(200, self._refund_page(payment, query))
            if method == "GET" and len(action) == 2 and action[0] == "refunds":
                refund = self.refunds.get(action[1])
                if refund is None or refund["payment_id"] != payment["id"]:
                    raise RazorpayError(NOT_FOUND, field_name="id")
                return _Answer(200, copy.deepcopy(refund))
        raise RazorpayError("The requested URL was not found on the server.")

    def _order(self, order_id: str) -> dict:
        if order_id not in self.orders:
            raise RazorpayError(NOT_FOUND, field_name="id")
        return self.orders[order_id]

    def _payment(self, payment_id: str) -> dict:
        if payment_id not in self.payments:
            raise RazorpayError(NOT_FOUND, field_name="id")
        return self.payments[payment_id]

    def _order_create(self, body: dict) -> dict:
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise RazorpayError("The amount must be an integer.", field_name="amount")
        if amount < 100:
            raise RazorpayError("The amount must be atleast INR 1.00", field_name="amount")
        if body.get("currency") != "INR":
            raise RazorpayError("The requested currency is not supported", field_name="currency")
        receipt = body.get("receipt")
        if receipt is not None and (not isinstance(receipt, str) or len(receipt) > 40):
            raise RazorpayError(
                "The receipt may not be greater than 40 characters.", field_name="receipt"
            )
        notes = body.get("notes") or {}
        if not isinstance(notes, dict) or len(notes) > 15:
            raise RazorpayError("notes should be a key-value pair", field_name="notes")
        order = {
            "id": _new_id("order_"),
            "entity": "order",
            "amount": amount,
            "amount_paid": 0,
            "amount_due": amount,
            "currency": "INR",
            "receipt": receipt,
            "offer_id": None,
            "status": "created",
            "attempts": 0,
            "notes": notes or [],  # Razorpay writes empty notes as a list
            "created_at": int(time.time()),
        }
        self.orders[order["id"]] = order
        return copy.deepcopy(order)

    def _capture(self, payment: dict, body: dict) -> dict:
        if payment["status"] == "captured":
            raise RazorpayError("This payment has already been captured")
        if payment["status"] != "authorized":
            raise RazorpayError(
                "Only payments which have been authorized and not yet captured can be captured"
            )
        if body.get("amount") != payment["amount"]:
            raise RazorpayError(
                "Capture amount must be equal to the amount authorized", field_name="amount"
            )
        if body.get("currency", "INR") != payment["currency"]:
            raise RazorpayError("Currency should be same as payment currency")
        self._set_payment_status(payment, "captured")
        return copy.deepcopy(payment)

    def _refund(self, payment: dict, body: dict) -> dict:
        if payment["status"] not in ("captured", "refunded"):
            raise RazorpayError("The payment has not been captured")
        left = payment["amount"] - payment["amount_refunded"]
        amount = body.get("amount", left)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 100:
            raise RazorpayError("The amount must be atleast INR 1.00", field_name="amount")
        if amount > left:
            raise RazorpayError(
                "The refund amount provided is greater than amount captured", field_name="amount"
            )
        refund = {
            "id": _new_id("rfnd_"),
            "entity": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_id": payment["id"],
            "notes": body.get("notes") or [],
            "receipt": body.get("receipt"),
            "acquirer_data": {"arn": None},
            "created_at": int(time.time()),
            "batch_id": None,
            "status": self.refund_status,
            "speed_processed": "normal",
            "speed_requested": body.get("speed", "normal"),
        }
        self.refunds[refund["id"]] = refund
        payment["amount_refunded"] += amount
        full = payment["amount_refunded"] == payment["amount"]
        payment["refund_status"] = "full" if full else "partial"
        if full:
            payment["status"] = "refunded"
        return copy.deepcopy(refund)

    def _refund_page(self, payment: dict, query: dict) -> dict:
        try:
            count = int(_one(query, "count") or 10)
            skip = int(_one(query, "skip") or 0)
        except ValueError:
            raise RazorpayError("The count must be an integer.", field_name="count") from None
        if not 1 <= count <= 100:
            raise RazorpayError("The count must be between 1 and 100.", field_name="count")
        newest_first = [
            r for r in reversed(self.refunds.values()) if r["payment_id"] == payment["id"]
        ]
        return _collection(copy.deepcopy(newest_first[skip : skip + count]))

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)


def sign(message: str, secret: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(14))


def _payment_entity(payment_id: str, order: dict, amount: int, method: str) -> dict:
    return {
        "id": payment_id,
        "entity": "payment",
        "amount": amount,
        "currency": "INR",
        "status": "created",
        "order_id": order["id"],
        "invoice_id": None,
        "international": False,
        "method": method,
        "amount_refunded": 0,
        "refund_status": None,
        "captured": False,
        "description": None,
        "card_id": "card_Loopback000001" if method == "card" else None,
        "bank": "HDFC" if method == "netbanking" else None,
        "wallet": "paytm" if method == "wallet" else None,
        "vpa": "shopper@okicici" if method == "upi" else None,
        "email": "shopper@example.com",
        "contact": "+919812345678",
        "notes": order["notes"],
        "fee": None,
        "tax": None,
        "error_code": None,
        "error_description": None,
        "error_source": None,
        "error_step": None,
        "error_reason": None,
        "acquirer_data": {"rrn": str(secrets.randbelow(10**12)).zfill(12)},
        "created_at": int(time.time()),
    }


def _collection(items: list[dict]) -> dict:
    return {"entity": "collection", "count": len(items), "items": items}


def _error_body(code: str, description: str, field_name: str | None = None) -> dict:
    error = {
        "code": code,
        "description": description,
        "source": "business" if code == "BAD_REQUEST_ERROR" else "NA",
        "step": "payment_initiation" if code == "BAD_REQUEST_ERROR" else "NA",
        "reason": "input_validation_failed" if code == "BAD_REQUEST_ERROR" else "NA",
        "metadata": {},
    }
    if field_name:
        error["field"] = field_name
    return {"error": error}


def _one(query: dict, key: str) -> str:
    values = query.get(key) or [""]
    return values[-1]


def _basic_auth(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    @property
    def loopback(self) -> LoopbackRazorpay:
        return self.server.loopback

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"_unreadable": raw.decode(errors="replace")}
        loopback = self.loopback
        authorized = _basic_auth(self.headers.get("Authorization", "")) == (
            loopback.key_id,
            loopback.key_secret,
        )
        entry = LoggedRequest(method, parts.path, query, body, authorized)
        loopback._log(entry)
        fault = loopback._take_fault(method, parts.path)
        if fault and fault.action == "drop":
            self.close_connection = True
            return
        if fault and fault.action == "fail":
            entry.status = fault.status
            self._send(fault.status, _error_body(fault.code, fault.description))
            return
        if not authorized:
            answer = _Answer(401, _error_body("BAD_REQUEST_ERROR", "Authentication failed"))
            answer.body["error"].update(source="NA", step="NA", reason="NA")
        elif body is not None and not isinstance(body, dict):
            answer = _Answer(400, _error_body("BAD_REQUEST_ERROR", "The request body is invalid"))
        else:
            answer = loopback._serve(method, parts.path, query, body)
        if fault and fault.action == "lose":
            self.close_connection = True
            return
        if fault and fault.action == "delay":
            time.sleep(fault.seconds)  # what it answers is as things stood on arrival
        entry.status = answer.status
        self._send(answer.status, answer.body)

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a delay_next timeout)


def main() -> None:
    """Serve on a fixed port until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    loopback = LoopbackRazorpay()
    loopback._server = ThreadingHTTPServer(("127.0.0.1", args.port), _Handler)
    loopback._server.loopback = loopback
    for name, value in loopback.environment().items():
        print(f"{name}={value}")
    try:
        loopback._server.serve_forever()
    except KeyboardInterrupt:
        loopback._server.server_close()


if __name__ == "__main__":
    main()
