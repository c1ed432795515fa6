"""Buying a listed coupon: the purchase (paid from the wallet at once, or through the gateway as
a payable), the code's delivery to the buyer, the seller's payout when the dispute window ends,
and refunds.

Money: the buyer's price waits in `escrow:marketplace` from payment until the release (escrow
-> seller available, less the fee to `fees`; a seller's outstanding debts are taken from it
first) or a refund (escrow -> the buyer's wallet, or back to the card through commerce's refund
path). Ledger keys: `market:<purchase pk>:pay`, `:release`, `:debt`, `:refund`; the gateway's
capture and refunds are posted by commerce (`payment:<pk>:capture`, `refund:<pk>`).

Races:
- ten buyers for one listing: each takes the listing's row lock first, then looks for a
  purchase holding it (awaiting payment, paid, disputed or released); the first creates one and
  the others, queued on the lock, find it and are refused before any money moves. The partial
  unique index `marketplace_purchase_one_per_listing` is the backstop.
- a payment captured after the purchase expired, failed or lost the listing is refunded in full
  by commerce's payment path (`awaiting_payment` says no).
- release, refund and dispute all take the purchase's row lock and look at its status under it:
  a release running twice pays once; a dispute filed first stops the release.
- distinct listings share no row: a buyer's wallet lock is theirs, escrow is insert-only.
"""

import logging
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import notification_send, operators_notify
from catalog.services import code_digest
from commerce.models import Payment, PaymentStatus
from commerce.services.payments import payment_open
from commerce.services.refunds import refund_open
from coupzii.core.errors import DomainError
from coupzii.core.money import format_inr, quantize
from offers import errors as offers_errors
from offers.services import code_resale_ready, code_resale_revoke, code_resell
from wallet import services as ledger
from wallet.errors import InsufficientFunds
from wallet.models import AccountKind

from .. import kinds
from ..errors import (
    ListingNotForSale,
    ListingNotFound,
    OwnListing,
    PurchaseNotFound,
    PurchaseNotRefundable,
    ResaleNotPossible,
)
from ..models import (
    HOLDS_LISTING,
    IN_ESCROW,
    CouponStatus,
    Listing,
    ListingStatus,
    LockerCoupon,
    PaymentMethod,
    Purchase,
    PurchaseStatus,
    RefundTo,
    SellerDebt,
    Source,
)

logger = logging.getLogger(__name__)
S = PurchaseStatus
KEY_MAX_LENGTH = 80  # Purchase.idempotency_key
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 10
RELEASE_BATCH = 500


class InvalidPurchaseRequest(DomainError):
    code = "invalid"
    default_message = gettext_lazy("Check the highlighted fields.")


# --- Buying ------------------------------------------------------------------------------------


def purchase_create(*, buyer, listing_public_id, method: str, idempotency_key: str) -> Purchase:
    """Buy a live listing. Wallet: the price moves from the buyer's available balance to
    escrow and the code is delivered, now (status PAID). Razorpay: the purchase awaits payment
    (PENDING_PAYMENT, for MARKETPLACE_PAY_MINUTES) with a gateway order opened; the payment
    path delivers it when paid. The same key again returns the first purchase.

    Raises ListingNotFound, OwnListing, ListingNotForSale (sold, withdrawn, or another buyer's
    purchase holds it), ResaleNotPossible (a verified coupon that can't be re-keyed now),
    InsufficientFunds (wallet), GatewayUnavailable (nothing kept), and a DomainError with
    fields for a bad method or key."""
    key = _checked_key(idempotency_key)
    if method not in PaymentMethod.values:
        message = _("Choose how to pay: card (razorpay) or wallet.")
        raise InvalidPurchaseRequest(message, fields={"payment_method": [message]})
    replayed = _by_key(buyer, key)
    if replayed is not None:
        return replayed
    try:
        return _create(buyer=buyer, listing_public_id=listing_public_id, method=method, key=key)
    except IntegrityError:
        # The same key committed by a request that raced ours past the replay check.
        replayed = _by_key(buyer, key)
        if replayed is None:
            raise ListingNotForSale() from None
        return replayed


def _checked_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        message = _("Send an idempotency key of 1 to %(n)d printable characters.") % {
            "n": KEY_MAX_LENGTH
        }
        raise InvalidPurchaseRequest(message, fields={"idempotency_key": [message]})
    return key


def _by_key(buyer, key: str) -> Purchase | None:
    return Purchase.objects.filter(buyer=buyer, idempotency_key=key).first()


@transaction.atomic(durable=True)
def _create(*, buyer, listing_public_id, method: str, key: str) -> Purchase:
    try:
        listing = Listing.objects.select_for_update().get(public_id=listing_public_id)
    except (Listing.DoesNotExist, ValueError, DomainError):
        raise ListingNotFound() from None
    # Under the listing's lock: a request with this key that held it before us has committed.
    replayed = _by_key(buyer, key)
    if replayed is not None:
        return replayed
    if listing.seller_id == buyer.pk:
        raise OwnListing()
    if listing.status != ListingStatus.LIVE or _holding(listing):
        raise ListingNotForSale()
    if listing.verified and not _resale_ready(listing):
        raise ResaleNotPossible()
    now = timezone.now()
    purchase = Purchase.objects.create(
        number=_new_number(),
        listing=listing,
        buyer=buyer,
        seller_id=listing.seller_id,
        price=listing.price,
        fee=listing.fee,
        method=method,
        idempotency_key=key,
        verified=listing.verified,
        pay_by=now + timedelta(minutes=settings.MARKETPLACE_PAY_MINUTES),
    )
    if method == PaymentMethod.RAZORPAY:
        payment_open(kind=kinds.PAYABLE, payable=purchase)
        return purchase
    _pay_from_wallet(purchase)
    return purchase_deliver(purchase, listing=listing)


def _holding(listing: Listing) -> bool:
    return Purchase.objects.filter(listing=listing, status__in=HOLDS_LISTING).exists()


def _resale_ready(listing: Listing) -> bool:
    book_code_id = (
        LockerCoupon.objects.filter(pk=listing.coupon_id)
        .values_list("book_code_id", flat=True)
        .first()
    )
    return book_code_id is not None and code_resale_ready(code=book_code_id)


def _new_number() -> str:
    # 31^10 numbers: a clash is too unlikely to spend a savepoint on (the unique index would
    # refuse it, and the buyer would simply try again).
    return "MP-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def _pay_from_wallet(purchase: Purchase) -> None:
    try:
        ledger.transaction_post(
            kind=kinds.PAID_FROM_WALLET,
            idempotency_key=f"market:{purchase.pk}:pay",
            legs=[
                (ledger.user_accounts(purchase.buyer)[AccountKind.AVAILABLE], -purchase.price),
                (ledger.platform_account(kinds.ESCROW), purchase.price),
            ],
            reference_type=kinds.REFERENCE,
            reference_id=purchase.number,
            actor=purchase.buyer,
        )
    except InsufficientFunds:
        raise InsufficientFunds(
            _(
                "Your wallet's available balance is less than %(price)s. Pay by card or UPI "
                "instead, or add cashback first."
            )
            % {"price": format_inr(purchase.price)}
        ) from None


# --- Delivery ----------------------------------------------------------------------------------


def purchase_deliver(purchase: Purchase, *, listing: Listing | None = None) -> Purchase:
    """The purchase is paid (its price is in escrow): hand the code to the buyer. Call under
    the purchase's transaction. A verified coupon is re-keyed (the seller's book code voided,
    a fresh one issued to the buyer); any other moves to the buyer's locker as it is. The
    listing is SOLD, the seller's coupon SOLD, the buyer's BOUGHT; the dispute window starts.

    Raises ListingNotForSale (the listing was withdrawn meanwhile) and ResaleNotPossible;
    the caller rolls back (wallet) or refunds (gateway)."""
    from ..locker.services import locker_coupon_transfer  # the locker area's contract

    if listing is None:
        listing = Listing.objects.select_for_update().get(pk=purchase.listing_id)
    if listing.status != ListingStatus.LIVE:
        raise ListingNotForSale()
    coupon = LockerCoupon.objects.select_for_update().get(pk=listing.coupon_id)
    fresh = None
    if purchase.verified:
        try:
            fresh = code_resell(
                code=coupon.book_code_id,
                seller=purchase.seller,
                buyer=purchase.buyer,
                reference=purchase.number,
            )
        except (offers_errors.CodeUnavailable, offers_errors.BookExhausted):
            raise ResaleNotPossible() from None
    bought = locker_coupon_transfer(
        coupon=coupon,
        to_user=purchase.buyer,
        source=Source.BOUGHT,
        new_status_for_old=CouponStatus.SOLD,
    )
    if fresh is not None:
        bought.code = fresh.code
        bought.code_digest = code_digest(fresh.code)
        bought.book_code = fresh
        bought.save(update_fields=["code", "code_digest", "book_code", "updated_at"])
    now = timezone.now()
    listing.status = ListingStatus.SOLD
    listing.ended_at = now
    listing.save(update_fields=["status", "ended_at", "updated_at"])
    hours = (
        settings.MARKETPLACE_DISPUTE_HOURS_VERIFIED
        if purchase.verified
        else settings.MARKETPLACE_DISPUTE_HOURS
    )
    purchase.status = S.PAID
    purchase.paid_at = now
    purchase.window_ends_at = now + timedelta(hours=hours)
    purchase.buyer_coupon = bought
    purchase.save(
        update_fields=["status", "paid_at", "window_ends_at", "buyer_coupon", "updated_at"]
    )
    _swaps_withdraw(coupon.pk)
    transaction.on_commit(lambda: _notify_sold(purchase.pk))
    return purchase


def _swaps_withdraw(coupon_id: int) -> None:
    """Pending swaps for the sold coupon are withdrawn (the swaps area also checks at accept)."""
    from ..swaps import services as swaps

    withdraw = getattr(swaps, "exchanges_withdraw_for", None)
    if withdraw is not None:
        withdraw(coupon_ids=[coupon_id])


def purchase_link(purchase: Purchase) -> str:
    return reverse("marketplace:purchase", args=[purchase.number])


def _with_listing_title(purchase_pk: int) -> Purchase:
    """The purchase with what its listing's title is made of, so each notice names the coupon
    in its own language (the notice is stored in every language)."""
    return (
        Purchase.objects.select_related("listing", "listing__coupon", "listing__merchant")
        .defer("listing__coupon__code", "listing__coupon__terms", "listing__coupon__notes")
        .get(pk=purchase_pk)
    )


def _notify_sold(purchase_pk: int) -> None:
    purchase = _with_listing_title(purchase_pk)
    listing, price, link = purchase.listing, purchase.price, purchase_link(purchase)
    payout = purchase.payout
    notification_send(
        user=purchase.seller,
        kind=kinds.NOTICE_SALE,
        title=lambda: _("Sold: %(title)s") % {"title": listing.display_title},
        body=lambda: (
            _("A buyer paid %(price)s. You get %(payout)s when the dispute window ends.")
            % {"price": format_inr(price), "payout": format_inr(payout)}
        ),
        link=link,
    )
    notification_send(
        user=purchase.buyer,
        kind=kinds.NOTICE_PURCHASE,
        title=lambda: _("Your coupon is ready: %(title)s") % {"title": listing.display_title},
        body=lambda: _("The code is on the purchase page and in your locker."),
        link=link,
    )


# --- Release to the seller ---------------------------------------------------------------------


@transaction.atomic(durable=True)
def purchase_release(*, purchase_id: int, force: bool = False) -> Purchase:
    """Pay the seller: escrow -> seller available (price - fee) and fees (fee); the seller's
    outstanding debts (SellerDebt, oldest first) are taken from that payout first, to the
    account that fronted them. Only a PAID purchase whose window has ended, or with `force`
    (an operator's decision on a dispute) a PAID or DISPUTED one; anything else is returned
    unchanged (a second run pays nothing). Raises PurchaseNotFound."""
    purchase = _locked(purchase_id)
    releasable = (S.PAID, S.DISPUTED) if force else (S.PAID,)
    if purchase.status not in releasable:
        return purchase
    now = timezone.now()
    if not force and (purchase.window_ends_at is None or purchase.window_ends_at > now):
        return purchase
    seller_available = ledger.user_accounts(purchase.seller)[AccountKind.AVAILABLE]
    ledger.transaction_post(
        kind=kinds.RELEASED,
        idempotency_key=f"market:{purchase.pk}:release",
        legs=_legs(
            (ledger.platform_account(kinds.ESCROW), -purchase.price),
            (seller_available, purchase.payout),
            (ledger.platform_account(kinds.FEES), purchase.fee),
        ),
        reference_type=kinds.REFERENCE,
        reference_id=purchase.number,
    )
    recovered = _debts_recover(purchase, seller_available)
    purchase.status = S.RELEASED
    purchase.released_at = now
    purchase.save(update_fields=["status", "released_at", "updated_at"])
    transaction.on_commit(lambda: _notify_payout(purchase.pk, recovered))
    return purchase


def _legs(*legs):
    return [(account, amount) for account, amount in legs if amount]


def _debts_recover(purchase: Purchase, seller_available) -> Decimal:
    """Take what the seller owes from this payout, oldest debt first; returns the total."""
    left = purchase.payout
    total = Decimal("0.00")
    debts = SellerDebt.objects.select_for_update().filter(
        seller_id=purchase.seller_id, recovered__lt=F("amount")
    )
    for debt in debts.order_by("pk"):
        share = min(left, debt.outstanding)
        if share <= 0:
            break
        debt.recovered += share
        debt.save(update_fields=["recovered", "updated_at"])
        left -= share
        total += share
    if total:
        ledger.transaction_post(
            kind=kinds.DEBT_RECOVERED,
            idempotency_key=f"market:{purchase.pk}:debt",
            legs=[(seller_available, -total), (ledger.platform_account(kinds.RECEIVABLE), total)],
            reference_type=kinds.REFERENCE,
            reference_id=purchase.number,
        )
    return total


def _notify_payout(purchase_pk: int, recovered: Decimal) -> None:
    purchase = _with_listing_title(purchase_pk)
    paid, listing = purchase.payout - recovered, purchase.listing
    body = (
        (lambda: _("%(amount)s is in your wallet.") % {"amount": format_inr(paid)})
        if not recovered
        else (
            lambda: (
                _("%(amount)s is in your wallet; %(owed)s went to what you owed.")
                % {"amount": format_inr(paid), "owed": format_inr(recovered)}
            )
        )
    )
    notification_send(
        user=purchase.seller,
        kind=kinds.NOTICE_PAYOUT,
        title=lambda: _("Paid for %(title)s") % {"title": listing.display_title},
        body=body,
        link=purchase_link(purchase),
    )


def purchases_release_due(*, limit: int = RELEASE_BATCH) -> int:
    """The beat task: every PAID purchase whose window has ended is released; returns how many
    were. One purchase that fails is logged and left for the next run."""
    due = Purchase.objects.filter(status=S.PAID, window_ends_at__lte=timezone.now())
    done = 0
    for purchase_id in list(due.order_by("window_ends_at").values_list("pk", flat=True)[:limit]):
        try:
            if purchase_release(purchase_id=purchase_id).status == S.RELEASED:
                done += 1
        except DomainError as refused:
            logger.error("could not release purchase %s: %s", purchase_id, refused.message)
    return done


# --- Refunds -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def purchase_refund(*, purchase_id: int, to: str, actor=None, reason: str = "") -> Purchase:
    """Give the buyer their money back from escrow: to their wallet at once, or (a card
    payment) to the card through commerce's refund path. A wallet purchase is always refunded
    to the wallet. The buyer's coupon is marked GONE; the seller's stays SOLD; the listing
    stays SOLD (its code is spent). Raises PurchaseNotFound, PurchaseNotRefundable."""
    purchase = _locked(purchase_id)
    if purchase.status not in (S.PAID, S.DISPUTED):
        raise PurchaseNotRefundable()
    reason = (reason or "").strip()[:255] or "Marketplace purchase refunded"
    payment = None
    if to == RefundTo.GATEWAY and purchase.method == PaymentMethod.RAZORPAY:
        payment = _captured_payment(purchase)
    if payment is not None:
        refund_open(
            kind=kinds.PAYABLE,
            payable=purchase,
            payment=payment,
            amount=purchase.price,
            gateway_amount=purchase.price,
            source_account=kinds.ESCROW,
            payer=purchase.buyer,
            reason=reason,
            created_by=actor,
        )
    else:
        ledger.transaction_post(
            kind=kinds.REFUNDED_TO_WALLET,
            idempotency_key=f"market:{purchase.pk}:refund",
            legs=[
                (ledger.platform_account(kinds.ESCROW), -purchase.price),
                (ledger.user_accounts(purchase.buyer)[AccountKind.AVAILABLE], purchase.price),
            ],
            reference_type=kinds.REFERENCE,
            reference_id=purchase.number,
            actor=actor,
            memo=reason,
        )
    purchase_buyer_coupon_revoke(purchase)
    purchase.status = S.REFUNDED
    purchase.refunded_at = timezone.now()
    purchase.save(update_fields=["status", "refunded_at", "updated_at"])
    to_card = payment is not None
    transaction.on_commit(lambda: _notify_refund(purchase.pk, to_card=to_card))
    return purchase


# The buyer still holds their bought coupon in these states (not sold on or swapped away).
STILL_HELD = (CouponStatus.ACTIVE, CouponStatus.LISTED, CouponStatus.USED, CouponStatus.EXPIRED)


def purchase_buyer_coupon_revoke(purchase: Purchase) -> None:
    """The buyer was refunded: they no longer hold what they bought. Their locker coupon is
    GONE; a listing they made of it ends (WITHDRAWN: a buyer paying for it by card right now is
    refunded by the payment path, which finds it no longer live); their swaps of it end; and a
    re-keyed book code is voided at the brand, with an audit row. The seller's original code
    stays void and their coupon SOLD (the brand was told it is spent). A coupon the buyer
    already sold on or swapped away is left to its new holder. Call under the refund's
    transaction with the purchase locked (disputes' refund after release calls it too)."""
    if not purchase.buyer_coupon_id:
        return
    # Listing rows before the coupon's, in the order a purchase of that listing takes them.
    live = Listing.objects.filter(coupon_id=purchase.buyer_coupon_id, status=ListingStatus.LIVE)
    list(live.select_for_update().values_list("pk", flat=True))
    coupon = LockerCoupon.objects.select_for_update().get(pk=purchase.buyer_coupon_id)
    if coupon.status not in STILL_HELD:
        return
    now = timezone.now()
    live.update(status=ListingStatus.WITHDRAWN, ended_at=now, updated_at=now)
    if coupon.book_code_id and purchase.verified:
        code_resale_revoke(
            code=coupon.book_code_id, buyer=purchase.buyer, reference=purchase.number
        )
    coupon.status = CouponStatus.GONE
    coupon.save(update_fields=["status", "updated_at"])
    _swaps_withdraw(coupon.pk)


def _captured_payment(purchase: Purchase) -> Payment | None:
    return (
        Payment.objects.filter(
            payable_kind=kinds.PAYABLE,
            payable_ref=str(purchase.pk),
            status=PaymentStatus.CAPTURED,
        )
        .order_by("pk")
        .first()
    )


def _notify_refund(purchase_pk: int, *, to_card: bool) -> None:
    purchase = _with_listing_title(purchase_pk)
    price, listing = purchase.price, purchase.listing
    notification_send(
        user=purchase.buyer,
        kind=kinds.NOTICE_PURCHASE,
        title=lambda: _("Refunded: %(title)s") % {"title": listing.display_title},
        body=(
            (
                lambda: (
                    _("%(amount)s is on its way back to your card or UPI.")
                    % {"amount": format_inr(price)}
                )
            )
            if to_card
            else (lambda: _("%(amount)s is back in your wallet.") % {"amount": format_inr(price)})
        ),
        link=purchase_link(purchase),
    )


# --- The payable's closing states (called by the payment path, under the purchase's lock) ------


def purchase_close(purchase: Purchase, *, status: str) -> Purchase:
    """A gateway purchase that failed or expired: it no longer holds its listing."""
    purchase.status = status
    purchase.save(update_fields=["status", "updated_at"])
    return purchase


def purchase_refund_undeliverable(purchase: Purchase, *, reason: str) -> Purchase:
    """A card payment captured, but the coupon can't be delivered (the listing was withdrawn,
    or a verified code can't be re-keyed): the whole price goes back to the card at once."""
    payment = _captured_payment(purchase)
    refund_open(
        kind=kinds.PAYABLE,
        payable=purchase,
        payment=payment,
        amount=purchase.price,
        gateway_amount=purchase.price,
        source_account=kinds.ESCROW,
        payer=purchase.buyer,
        reason=reason,
    )
    purchase.status = S.REFUNDED
    purchase.paid_at = purchase.refunded_at = timezone.now()
    purchase.save(update_fields=["status", "paid_at", "refunded_at", "updated_at"])
    transaction.on_commit(lambda: _notify_refund(purchase.pk, to_card=True))
    return purchase


def purchase_tell_stuck(purchase: Purchase, *, refund) -> None:
    number, amount, error = purchase.number, refund.gateway_amount, refund.last_error or "-"
    operators_notify(
        title=lambda: (
            _("A refund on marketplace purchase %(number)s is stuck") % {"number": number}
        ),
        body=lambda: (
            _("%(amount)s was not returned to the card: %(error)s")
            % {"amount": format_inr(amount), "error": error}
        ),
        link=f"/admin/commerce/refund/{refund.pk}/change/",
    )


def _locked(purchase_id: int) -> Purchase:
    purchase = (
        Purchase.objects.select_for_update(of=("self",))
        .select_related("buyer", "seller")
        .filter(pk=purchase_id)
        .first()
    )
    if purchase is None:
        raise PurchaseNotFound()
    return purchase


def purchases_holding(listing_ids) -> set[int]:
    """Which of these listings a purchase holds now (for pages that show "being bought")."""
    return set(
        Purchase.objects.filter(
            Q(listing_id__in=list(listing_ids)), status__in=HOLDS_LISTING
        ).values_list("listing_id", flat=True)
    )


def purchase_late_payment_tell(purchase: Purchase, *, refund) -> None:
    """A capture arrived after the purchase closed (expired, failed, or another buyer's
    purchase took the listing): the payment path refunds it; the buyer hears why."""
    amount, number = refund.amount, purchase.number
    link = purchase_link(purchase)
    buyer = purchase.buyer
    transaction.on_commit(
        lambda: notification_send(
            user=buyer,
            kind=kinds.NOTICE_PURCHASE,
            title=lambda: _("Payment for %(number)s is being refunded") % {"number": number},
            body=lambda: (
                _("%(amount)s arrived after the purchase had closed; it is on its way back.")
                % {"amount": format_inr(amount)}
            ),
            link=link,
        )
    )


# --- Reconciliation ----------------------------------------------------------------------------


def escrow_problems():
    """`escrow:marketplace` must hold exactly the price of every paid or disputed purchase
    (registered with the wallet's `ledger_problems`, so `reconcile_ledger` reports it)."""
    held = ledger.platform_balance(kinds.ESCROW)
    owed = Purchase.objects.filter(status__in=IN_ESCROW).aggregate(total=Sum("price"))["total"]
    owed = quantize(owed or Decimal("0.00"))
    if held != owed:
        yield (
            f"escrow account {kinds.ESCROW} holds {held} but the paid and disputed marketplace "
            f"purchases come to {owed}"
        )
