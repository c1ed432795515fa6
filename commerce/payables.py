"""Payables: anything an app sells for money through the gateway (a shop order, a marketplace
purchase), registered by that app when it starts.

The payment path (`services.payments`, `services.refunds`) knows a payable only by its kind and
reference and asks the kind's handler what it costs, who pays, how to lock it, and what to do
when it is paid, fails, expires or has money sent back. It never names the apps that register.

    # myapp/apps.py, in ready()
    from commerce.services import payable_register
    payable_register("marketplace_purchase", PurchasePayable())

The handler's callbacks run inside the payment path's transaction, holding the lock the
handler's `lock()` took, and only while `awaiting_payment()` says yes (except `refunded` and
`refund_stuck`); they must not commit or call the gateway.
"""

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.models import User

KIND_MAX_LENGTH = 32  # Payment.payable_kind, Refund.payable_kind
REFERENCE_MAX_LENGTH = 64  # Payment.payable_ref, Refund.payable_ref


@dataclass(frozen=True)
class Charge:
    """What a payable costs and who pays it: what the gateway order is opened for."""

    amount: Decimal  # rupees, the share the gateway collects
    user: User  # who pays; only they may report the payment from their browser
    receipt: str  # up to 40 characters, shown on the gateway's dashboard (the order number)
    currency: str = "INR"
    notes: dict[str, str] = field(default_factory=dict)  # kept by the gateway beside the order


class PayableHandler(abc.ABC):
    """What the payment path needs to know about one kind of payable."""

    # Where captures are held until the payable settles them (a platform account of the
    # ledger, registered by the app), and the ledger transaction kinds of a capture and of a
    # refund the payment path posts.
    escrow_account: str
    capture_kind: str
    refund_kind: str
    # The ledger's reference type for this payable's transactions (the wallet statement's
    # reference kinds), e.g. "order".
    ledger_reference_type: str

    @abc.abstractmethod
    def reference(self, payable: Any) -> str:
        """The payable's reference, as stored on its payments and refunds (its primary key)."""

    @abc.abstractmethod
    def get(self, reference: str) -> Any:
        """The payable, read without a lock (for an answer to a report that changed nothing)."""

    @abc.abstractmethod
    def lock(self, reference: str) -> Any:
        """The payable, fresh and locked for the rest of the transaction. Every change of its
        payment status happens under this lock: it is what makes verify, webhook, expiry and
        operator races harmless."""

    def lock_money(self, payable: Any) -> None:  # noqa: B027 (nothing to lock by default)
        """Lock, after `lock()`, the rows the callbacks below will write besides the payable
        (ledger accounts), in the order the payable's other paths take them. Called only when
        a capture is about to be recorded."""

    @abc.abstractmethod
    def charge(self, payable: Any) -> Charge:
        """What the payable costs and who pays it."""

    @abc.abstractmethod
    def ledger_reference(self, payable: Any) -> str:
        """The reference id of the payable's ledger transactions (the order number)."""

    def links(self, payable: Any) -> dict[str, Any]:
        """Extra columns of Payment and Refund rows the registering app keeps for its own
        queries (the shop's `order`); none by default."""
        return {}

    @abc.abstractmethod
    def awaiting_payment(self, payable: Any) -> bool:
        """Whether the (locked) payable still wants a capture. A capture that arrives when it
        doesn't is refunded in full."""

    @abc.abstractmethod
    def paid(self, payable: Any, *, method: str) -> Any:
        """A capture of the whole charge is recorded (the gateway's money is in escrow). Returns
        the payable."""

    @abc.abstractmethod
    def failed(self, payable: Any, *, error: str) -> Any:
        """The gateway reports the payment failed: close the payable. Returns it."""

    @abc.abstractmethod
    def expired(self, payable: Any) -> Any:
        """Its deadline passed and the gateway has no capture: close the payable. Returns it."""

    @abc.abstractmethod
    def refunded(self, payable: Any, *, refund: Any) -> None:
        """The payment path is sending a capture back in full on its own (it came after the
        payable closed, or paid it twice): tell whoever should know."""

    @abc.abstractmethod
    def refund_stuck(self, payable: Any, *, refund: Any) -> None:
        """The gateway refused a refund, or it could not be sent after every attempt: the
        payer is owed money that is not on its way. Runs in a task after the commit."""

    @abc.abstractmethod
    def overdue(self, *, limit: int) -> Iterable[Any]:
        """Up to `limit` payables awaiting payment past their deadline, oldest first, for the
        expiry sweep."""

    # The generic pay page (`commerce:payable-pay`, by gateway order id) serves a payable whose
    # handler says where its payer returns to; the shop's orders have pages of their own.
    def return_url(self, payable: Any) -> str:
        """The payer's page of the payable, where they land after paying ("" for none)."""
        return ""

    def title(self, payable: Any) -> str:
        """What is being paid for, as the pay page and Razorpay Checkout name it."""
        return ""

    def deadline(self, payable: Any) -> datetime | None:
        """When the payable stops waiting for payment, for the pay page; None if never."""
        return None


_HANDLERS: dict[str, PayableHandler] = {}


def payable_register(kind: str, handler: PayableHandler) -> None:
    """Let payments and refunds serve payables of `kind`. Registering a kind again replaces
    its handler (a reloaded app); kinds are what is stored."""
    if not kind or len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"payable kind {kind!r}: 1 to {KIND_MAX_LENGTH} characters")
    if not isinstance(handler, PayableHandler):
        raise TypeError(f"payable kind {kind!r}: the handler must be a PayableHandler")
    _HANDLERS[kind] = handler


class UnknownPayable(LookupError):
    """A programming error, or a row of a kind whose app is no longer installed."""


def payable_handler(kind: str) -> PayableHandler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise UnknownPayable(
            f"payable kind {kind!r} is not registered: call "
            "commerce.services.payable_register() in your app's ready()"
        ) from None


def payable_kinds() -> dict[str, PayableHandler]:
    """Every registered kind and its handler, in registration order."""
    return dict(_HANDLERS)
