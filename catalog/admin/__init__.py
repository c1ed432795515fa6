"""The catalog's back office: the category tree and merchants (merchants.py), gift cards and
the voucher-code inventory (gift_cards.py) with its import (voucher_import.py). Django's admin
autodiscovery imports this package; each module registers its models."""

from . import gift_cards, merchants  # noqa: F401
from .merchants import CategoryResource, MerchantResource

__all__ = ["CategoryResource", "MerchantResource"]
