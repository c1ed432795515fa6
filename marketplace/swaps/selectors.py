"""Reads for the swap pages and API: a shopper's swaps (incoming and outgoing), one swap of
theirs, the listed coupon a new swap asks for, and the coupons they could offer for it."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import (
    CouponStatus,
    Exchange,
    ExchangeStatus,
    Listing,
    ListingStatus,
    LockerCoupon,
    Purchase,
    PurchaseStatus,
    Source,
)
from .services import SWAPPABLE

INCOMING = "incoming"
OUTGOING = "outgoing"
ROLES = (INCOMING, OUTGOING)
_RELATED = (
    "requester",
    "responder",
    "offered__merchant",
    "wanted__merchant",
    "listing",
)


def exchanges_for(user, *, role: str = INCOMING, status: str = "") -> QuerySet[Exchange]:
    """The user's swaps, newest first: offered to them (`incoming`) or asked by them
    (`outgoing`), optionally of one status. One query whatever the page size."""
    mine = {"responder": user} if role == INCOMING else {"requester": user}
    exchanges = Exchange.objects.filter(**mine).select_related(*_RELATED)
    if status:
        exchanges = exchanges.filter(status=status)
    return exchanges.order_by("-created_at", "-pk")


def exchange_for(user, public_id) -> Exchange | None:
    """One swap the user asked for or was offered; None for anyone else's."""
    return (
        Exchange.objects.filter(Q(requester=user) | Q(responder=user), public_id=public_id)
        .select_related(*_RELATED)
        .first()
    )


def swap_target(public_id) -> Listing | None:
    """The live listing of the coupon a new swap asks for (by the coupon's id or the
    listing's)."""
    return (
        Listing.objects.filter(status=ListingStatus.LIVE, coupon__status=CouponStatus.LISTED)
        .filter(Q(coupon__public_id=public_id) | Q(public_id=public_id))
        .select_related("coupon__merchant", "seller", "merchant")
        .first()
    )


def coupons_to_offer(user, *, wanted: LockerCoupon | None = None) -> QuerySet[LockerCoupon]:
    """The user's coupons that could be offered in a swap: active or listed, not expired,
    soonest expiry first (not the very code they ask for)."""
    today = timezone.localdate()
    coupons = (
        LockerCoupon.objects.filter(owner=user, status__in=SWAPPABLE)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("merchant")
    )
    # Leave out what the swap would refuse: a code from a book that forbids swaps, a coupon
    # bought still in its dispute window, a code the other side already holds.
    coupons = coupons.exclude(book_code__book__swap_allowed=False).exclude(
        pk__in=Purchase.objects.filter(
            buyer_coupon_id__isnull=False,
            status__in=(PurchaseStatus.PAID, PurchaseStatus.DISPUTED),
        ).values("buyer_coupon_id")
    )
    if wanted is not None:
        held = (
            LockerCoupon.objects.filter(owner_id=wanted.owner_id)
            .exclude(status=CouponStatus.GONE)
            .values("code_digest")
        )
        coupons = coupons.exclude(code_digest=wanted.code_digest).exclude(code_digest__in=held)
    return coupons.order_by("expires_on", "-created_at")


def received_coupon(user, exchange: Exchange) -> LockerCoupon | None:
    """The coupon `user` received in this accepted swap (the other side's code, now theirs)."""
    if exchange.status != ExchangeStatus.ACCEPTED:
        return None
    theirs = exchange.wanted if exchange.requester_id == user.pk else exchange.offered
    return (
        LockerCoupon.objects.filter(owner=user, source=Source.SWAPPED)
        .filter(code_digest=theirs.code_digest)
        .order_by("-created_at")
        .first()
    )
