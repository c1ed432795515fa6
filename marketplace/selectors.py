"""The marketplace's reads for other apps (the assistant): import marketplace.selectors alone.

Each read is defined in its area's package; this module names the ones another app may use.
None of them puts a coupon's code where it can be read by accident: the locker's rows carry it
encrypted, and listings never do.
"""

from django.db.models import Count

from .listings.selectors import (
    listing_for_buyer,
    listing_swappable,
    listings_browse,
    seller_reputation,
)
from .listings.titles import coupon_title_of
from .locker.selectors import coupon_of, locker_counts, locker_for
from .models import Dispute, DisputeStatus
from .purchases.selectors import purchase_for, purchases_of
from .swaps.selectors import exchange_for, exchanges_for, swap_target

__all__ = [
    "coupon_of",
    "coupon_title_of",
    "disputes_waiting",
    "exchange_for",
    "exchanges_for",
    "listing_for_buyer",
    "listing_swappable",
    "listings_browse",
    "locker_counts",
    "locker_for",
    "purchase_for",
    "purchases_of",
    "seller_reputation",
    "swap_target",
]


# --- Operators' dashboard ---------------------------------------------------------------------


def disputes_waiting() -> dict[str, int]:
    """Open disputes by status: "open" (waiting for the seller's answer) and "answered"
    (waiting for an operator's decision), in one query, both present."""
    waiting = (DisputeStatus.OPEN, DisputeStatus.ANSWERED)
    counts = dict(
        Dispute.objects.filter(status__in=waiting)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {status.value: counts.get(status.value, 0) for status in waiting}
