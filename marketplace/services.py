"""The marketplace's actions for other apps (the assistant): import marketplace.services alone.

Each action is defined in its area's package (locker, scan, listings, purchases, disputes,
swaps, ratings); this module names the ones another app may call, so the areas can be
reorganised without touching their callers.
"""

from .disputes.services import dispute_answer, dispute_open
from .listings.services import listing_create, listing_fee, listing_withdraw
from .locker.services import (
    locker_coupon_add,
    locker_coupon_mark_used,
    locker_import_held,
    store_match,
    suggested_price,
)
from .purchases.services import purchase_create
from .ratings.services import rating_give
from .swaps.services import exchange_accept, exchange_cancel, exchange_reject, exchange_request

__all__ = [
    "dispute_answer",
    "dispute_open",
    "exchange_accept",
    "exchange_cancel",
    "exchange_reject",
    "exchange_request",
    "listing_create",
    "listing_fee",
    "listing_withdraw",
    "locker_coupon_add",
    "locker_coupon_mark_used",
    "locker_import_held",
    "purchase_create",
    "rating_give",
    "store_match",
    "suggested_price",
]
