"""The shop's services. Other apps use the payment path through what is exported here."""

from ..payables import Charge, PayableHandler, payable_register

__all__ = ["Charge", "PayableHandler", "payable_register"]
