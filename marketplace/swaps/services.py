"""Swaps (the seed's exchanges): a shopper offers one of their coupons, and optionally rupees
from their wallet, for another shopper's listed coupon; the other side accepts or rejects.

What is swappable:
- wanted: a coupon in a LIVE listing (swap welcome or not: a swap-welcome listing only says
  the seller would like offers), not the requester's own, not expired;
- offered: the requester's own coupon, ACTIVE or LISTED by them (a listed coupon's listing is
  withdrawn when the swap is accepted), not expired, and not a code the other side holds;
- a coupon from a Coupzii book swaps only when its book has `swap_allowed`.

Races, and how each is settled:
- Two requests for one pair at once: the partial unique index
  `marketplace_exchange_pending_once` keeps one; the other is told it is already pending.
- Accept against a purchase of the same coupon: both lock the listing row, then the coupon
  row, in that order (accept locks every live listing of the two coupons, then both coupons,
  in primary-key order, then the exchange). Whoever is second sees the coupon sold, or the
  listing withdrawn, and stops. A listing with a purchase awaiting its card payment is not
  swapped away under the buyer (CouponBeingBought; the swap stays pending).
- Two accepts of two swaps for one coupon: the coupon's row lock queues them; the second sees
  it GONE and its swap is WITHDRAWN.
- Accept against expiry, reject or cancel: all lock (or conditionally update) the exchange
  row, and only a PENDING one changes.

Both codes move or neither does: the listing withdrawals, the two transfers, the rupees and the
status change are one database transaction, and anything refused rolls all of it back.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.services import Notice, notification_send, notifications_send
from coupzii.core.money import InvalidAmount, quantize
from wallet.errors import InsufficientFunds
from wallet.services import accounts_for_users, balances, transaction_post

from .. import errors
from ..kinds import NOTICE_SWAP, SWAP_CASH
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
from ..purchases.selectors import bought_in_window

EXCHANGE_HOURS = 48
MAX_CASH = Decimal("10000.00")
# The ledger's reference type for a swap's rupees (the wallet statement links to the swap).
REFERENCE = "marketplace_exchange"
SWAPPABLE = (CouponStatus.ACTIVE, CouponStatus.LISTED)


# --- Request ------------------------------------------------------------------------------------


def exchange_request(
    *,
    requester,
    wanted_public_id,
    offered_public_id,
    cash: Decimal | str | int = Decimal("0"),
    message: str = "",
) -> Exchange:
    """Offer the requester's coupon `offered_public_id` (plus `cash` rupees) for the coupon
    `wanted_public_id` (a coupon's id, or its live listing's id). Expires in 48 hours; the
    coupon's owner is told.

    Raises ListingNotFound (no such live listing), OwnListing, CouponNotFound (offered is not
    the requester's), CouponNotAvailable, CouponNotSwappable, ExchangeInvalid (cash or message
    out of range), InsufficientFunds (cash above the available balance now; checked again at
    accept), ExchangeAlreadyPending.
    """
    cash = _clean_cash(cash)
    message = (message or "").strip()
    if len(message) > 300:
        raise errors.ExchangeInvalid(
            fields={"message": [gettext("At most 300 characters.")]},
        )
    listing = _live_listing_for(wanted_public_id)
    wanted = listing.coupon
    if wanted.owner_id == requester.pk:
        raise errors.OwnListing()
    offered = _requesters_coupon(requester, offered_public_id)
    _check_offer(offered=offered, wanted=wanted)
    if cash and balances(requester)["available"] < cash:
        raise InsufficientFunds()
    try:
        with transaction.atomic():
            exchange = Exchange.objects.create(
                requester=requester,
                responder_id=wanted.owner_id,
                offered=offered,
                wanted=wanted,
                listing=listing,
                cash=cash,
                message=message,
                expires_at=timezone.now() + timedelta(hours=EXCHANGE_HOURS),
            )
            _tell_responder(exchange)
    except IntegrityError:
        # The partial unique index: this pair is already pending (perhaps from a double click).
        raise errors.ExchangeAlreadyPending() from None
    return exchange


def _clean_cash(cash) -> Decimal:
    try:
        amount = quantize(cash if cash not in (None, "") else "0")
    except (InvalidAmount, TypeError, ValueError):
        message = gettext("Enter an amount in rupees.")
        raise errors.ExchangeInvalid(fields={"cash": [message]}) from None
    if amount < 0 or amount > MAX_CASH:
        raise errors.ExchangeInvalid(
            fields={
                "cash": [gettext("Add between ₹0 and ₹%(most)s.") % {"most": f"{MAX_CASH:,.0f}"}]
            }
        )
    return amount


def _live_listing_for(public_id) -> Listing:
    """The live listing of the wanted coupon, found by the coupon's id or the listing's."""
    listing = (
        Listing.objects.select_related("coupon", "coupon__book_code__book")
        .filter(status=ListingStatus.LIVE)
        .filter(Q(coupon__public_id=public_id) | Q(public_id=public_id))
        .first()
    )
    if listing is None or listing.coupon.status != CouponStatus.LISTED:
        raise errors.ListingNotFound(gettext("This coupon is not on offer for a swap."))
    if _expired(listing.coupon):
        raise errors.ListingNotForSale()
    return listing


def _requesters_coupon(requester, public_id) -> LockerCoupon:
    coupon = (
        LockerCoupon.objects.select_related("book_code__book")
        .filter(owner=requester, public_id=public_id)
        .first()
    )
    if coupon is None:
        raise errors.CouponNotFound()
    return coupon


def _check_offer(*, offered: LockerCoupon, wanted: LockerCoupon) -> None:
    if offered.status not in SWAPPABLE or _expired(offered):
        raise errors.CouponNotAvailable()
    if bought_in_window(offered):
        raise errors.CouponInDisputeWindow()
    for coupon in (offered, wanted):
        if coupon.book_code_id and not coupon.book_code.book.swap_allowed:
            raise errors.CouponNotSwappable()
    if offered.code_digest == wanted.code_digest or _holds_code(
        wanted.owner_id, offered.code_digest
    ):
        raise errors.CouponNotAvailable(gettext("They already hold the code you offered."))


def _expired(coupon: LockerCoupon) -> bool:
    return coupon.expires_on is not None and coupon.expires_on < timezone.localdate()


def _holds_code(user_id: int, digest: str) -> bool:
    return (
        LockerCoupon.objects.filter(owner_id=user_id, code_digest=digest)
        .exclude(status=CouponStatus.GONE)
        .exists()
    )


# --- Accept -------------------------------------------------------------------------------------


def exchange_accept(*, responder, public_id) -> Exchange:
    """The coupon's owner accepts: their coupon goes to the requester, the requester's to them,
    and the rupees (if any) from the requester's available balance to theirs, all in one
    transaction. Other pending swaps for either coupon are withdrawn; the requester is told.

    Raises ExchangeNotFound (not a swap offered to `responder`), ExchangeNotPending (answered,
    cancelled, expired), ExchangeWithdrawn (a coupon is no longer available: the swap is
    withdrawn, and that is kept), CouponBeingBought (a card payment for one of them is under
    way; the swap stays pending), InsufficientFunds (the requester can't pay the rupees now;
    nothing moves, the swap stays pending).
    """
    exchange = _exchange_of(public_id, responder=responder)
    with transaction.atomic(durable=True):
        refusal = _accept_locked(exchange)
    if refusal is not None:
        raise refusal
    return exchange


def _accept_locked(exchange: Exchange) -> errors.DomainError | None:
    """The accept under its locks. Returns the refusal to raise once a withdrawal or expiry
    it wrote has committed; raises what must roll everything back."""
    coupon_ids = sorted({exchange.offered_id, exchange.wanted_id})
    # Lock order, shared with the purchase path: listings, then coupons, then the exchange.
    listings = list(
        Listing.objects.select_for_update()
        .filter(coupon_id__in=coupon_ids, status=ListingStatus.LIVE)
        .order_by("pk")
    )
    rows = LockerCoupon.objects.select_for_update().filter(pk__in=coupon_ids).order_by("pk")
    coupons = {coupon.pk: coupon for coupon in rows}
    locked = Exchange.objects.select_for_update().get(pk=exchange.pk)
    exchange.status, exchange.decided_at = locked.status, locked.decided_at
    if exchange.status != ExchangeStatus.PENDING:
        return errors.ExchangeNotPending()
    now = timezone.now()
    if exchange.expires_at <= now:
        _close(exchange, ExchangeStatus.EXPIRED, now)
        return errors.ExchangeNotPending()
    offered, wanted = coupons[exchange.offered_id], coupons[exchange.wanted_id]
    listed = {listing.coupon_id: listing for listing in listings}
    if not (_still_swappable(offered, listed) and _still_swappable(wanted, listed)) or (
        _holds_code(exchange.responder_id, offered.code_digest)
        or _holds_code(exchange.requester_id, wanted.code_digest)
    ):
        _close(exchange, ExchangeStatus.WITHDRAWN, now)
        _tell_requester(exchange)
        return errors.ExchangeWithdrawn()
    if Purchase.objects.filter(
        listing__in=listings, status=PurchaseStatus.PENDING_PAYMENT, pay_by__gt=now
    ).exists():
        raise errors.CouponBeingBought()
    _swap(exchange, offered=offered, wanted=wanted, listings=listings, now=now)
    return None


def _still_swappable(coupon: LockerCoupon, listed: dict[int, Listing]) -> bool:
    if _expired(coupon) or coupon.status not in SWAPPABLE:
        return False
    # A LISTED coupon is swappable through its live listing (withdrawn below); one whose
    # listing ended without the coupon coming back to ACTIVE is in someone else's hands.
    return coupon.status == CouponStatus.ACTIVE or coupon.pk in listed


def _swap(exchange: Exchange, *, offered, wanted, listings, now) -> None:
    from ..locker.services import locker_coupon_transfer

    if listings:
        Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(
            status=ListingStatus.WITHDRAWN, ended_at=now, updated_at=now
        )
    if exchange.cash:
        _pay_cash(exchange)
    locker_coupon_transfer(
        coupon=wanted,
        to_user=exchange.requester,
        source=Source.SWAPPED,
        new_status_for_old=CouponStatus.GONE,
    )
    locker_coupon_transfer(
        coupon=offered,
        to_user=exchange.responder,
        source=Source.SWAPPED,
        new_status_for_old=CouponStatus.GONE,
    )
    _close(exchange, ExchangeStatus.ACCEPTED, now)
    exchanges_withdraw_for(coupon_ids=[offered.pk, wanted.pk])
    _tell_requester(exchange)


def _pay_cash(exchange: Exchange) -> None:
    """Requester available -> responder available. Raises InsufficientFunds before writing
    anything (the ledger checks under its own account locks, taken after the coupons')."""
    accounts = accounts_for_users([exchange.requester_id, exchange.responder_id])
    transaction_post(
        kind=SWAP_CASH,
        idempotency_key=f"exchange:{exchange.public_id}",
        legs=[
            (accounts[exchange.requester_id]["available"], -exchange.cash),
            (accounts[exchange.responder_id]["available"], exchange.cash),
        ],
        reference_type=REFERENCE,
        reference_id=str(exchange.public_id),
    )


# --- Reject, cancel, expire, withdraw -----------------------------------------------------------


@transaction.atomic
def exchange_reject(*, responder, public_id) -> Exchange:
    """The coupon's owner says no; the requester is told. Raises ExchangeNotFound,
    ExchangeNotPending."""
    exchange = _pending_locked(_exchange_of(public_id, responder=responder))
    _close(exchange, ExchangeStatus.REJECTED, timezone.now())
    _tell_requester(exchange)
    return exchange


@transaction.atomic
def exchange_cancel(*, requester, public_id) -> Exchange:
    """The requester takes the offer back before it is answered; the owner is told (in-app).
    Raises ExchangeNotFound, ExchangeNotPending."""
    exchange = _pending_locked(_exchange_of(public_id, requester=requester))
    _close(exchange, ExchangeStatus.CANCELLED, timezone.now())
    values = {"store": exchange.wanted.store_label}
    # In the bell only: an offer taken back needs no email or text message.
    notification_send(
        user=exchange.responder,
        kind=NOTICE_SWAP,
        title=lambda: gettext("A swap offer for your %(store)s coupon was cancelled") % values,
        link=_link(exchange),
        channels=(),
    )
    return exchange


def exchanges_expire() -> int:
    """Pending swaps past their 48 hours become EXPIRED (beat `marketplace.exchanges_expire`);
    their requesters are told. Returns how many. A conditional update: one being accepted at
    the same moment holds its row, and this skips it once that commits as ACCEPTED."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Exchange.objects.select_for_update(skip_locked=True)
            .filter(status=ExchangeStatus.PENDING, expires_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:1000]
        )
        return _close_many(due, ExchangeStatus.EXPIRED, now)


def exchanges_withdraw_for(*, coupon_ids) -> int:
    """Withdraw every pending swap that offers or wants one of these coupons (sold, used,
    expired, swapped away). Other areas call it in their own transaction, after locking the
    coupon; returns how many were withdrawn; their requesters are told."""
    coupon_ids = list(coupon_ids)
    if not coupon_ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        pending = list(
            Exchange.objects.select_for_update()
            .filter(Q(offered_id__in=coupon_ids) | Q(wanted_id__in=coupon_ids))
            .filter(status=ExchangeStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return _close_many(pending, ExchangeStatus.WITHDRAWN, now)


def _close_many(pks: list[int], status: str, now) -> int:
    if not pks:
        return 0
    Exchange.objects.filter(pk__in=pks).update(status=status, decided_at=now, updated_at=now)
    closed = Exchange.objects.filter(pk__in=pks).select_related("wanted__merchant", "requester")
    notifications_send([_requester_notice(exchange) for exchange in closed])
    return len(pks)


def _exchange_of(public_id, *, responder=None, requester=None) -> Exchange:
    mine = {"responder": responder} if responder is not None else {"requester": requester}
    exchange = (
        Exchange.objects.select_related("requester", "responder", "wanted__merchant")
        .filter(public_id=public_id, **mine)
        .first()
    )
    if exchange is None:
        raise errors.ExchangeNotFound()
    return exchange


def _pending_locked(exchange: Exchange) -> Exchange:
    locked = Exchange.objects.select_for_update().get(pk=exchange.pk)
    exchange.status = locked.status
    if exchange.status != ExchangeStatus.PENDING:
        raise errors.ExchangeNotPending()
    if exchange.expires_at <= timezone.now():
        raise errors.ExchangeNotPending()
    return exchange


def _close(exchange: Exchange, status: str, now) -> None:
    exchange.status, exchange.decided_at = status, now
    exchange.save(update_fields=["status", "decided_at", "updated_at"])


# --- Notices ------------------------------------------------------------------------------------


def _link(exchange: Exchange) -> str:
    return reverse("marketplace:swap", args=[exchange.public_id])


def _tell_responder(exchange: Exchange) -> None:
    values = {"store": exchange.wanted.store_label, "cash": exchange.cash}
    if exchange.cash:
        body = gettext_lazy(
            "They offer one of their coupons and ₹%(cash)s. Answer within 48 hours."
        )
    else:
        body = gettext_lazy("They offer one of their coupons. Answer within 48 hours.")
    notification_send(
        user=exchange.responder,
        kind=NOTICE_SWAP,
        title=lambda: gettext("A swap offer for your %(store)s coupon") % values,
        body=lambda: str(body) % values,
        link=_link(exchange),
    )


_ANSWERS = {
    ExchangeStatus.ACCEPTED: (
        gettext_lazy("Your swap for the %(store)s coupon was accepted"),
        gettext_lazy("The code is in your locker now."),
    ),
    ExchangeStatus.REJECTED: (
        gettext_lazy("Your swap for the %(store)s coupon was declined"),
        gettext_lazy("Your coupon stays in your locker."),
    ),
    ExchangeStatus.EXPIRED: (
        gettext_lazy("Your swap for the %(store)s coupon expired"),
        gettext_lazy("It was not answered within 48 hours. Your coupon stays in your locker."),
    ),
    ExchangeStatus.WITHDRAWN: (
        gettext_lazy("Your swap for the %(store)s coupon was withdrawn"),
        gettext_lazy("One of the two coupons is no longer available."),
    ),
}


def _requester_notice(exchange: Exchange) -> Notice:
    title, body = _ANSWERS[exchange.status]
    values = {"store": exchange.wanted.store_label}
    return Notice(
        user=exchange.requester,
        kind=NOTICE_SWAP,
        title=lambda: str(title) % values,
        body=body,
        link=_link(exchange),
    )


def _tell_requester(exchange: Exchange) -> None:
    notice = _requester_notice(exchange)
    notification_send(
        user=notice.user, kind=notice.kind, title=notice.title, body=notice.body, link=notice.link
    )
