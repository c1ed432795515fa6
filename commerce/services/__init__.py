"""The shop's services. Other apps use the payment path through what is exported here."""

from ..payables import Charge, PayableHandler, payable_register


def gateway_key_id() -> str:
    """The public key id Razorpay Checkout opens a payment with (the dev gateway's without
    Razorpay keys): for another app's API answering what to pay with."""
    from ..gateways import gateway

    return gateway().key_id


__all__ = ["Charge", "PayableHandler", "gateway_key_id", "payable_register"]
