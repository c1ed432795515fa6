"""Listing a locker coupon for sale, withdrawing it, and the sweep that withdraws listings 24
hours before their coupon expires.

Races:
- One seller listing one coupon twice at once: the coupon row is locked first, so the second
  call finds it LISTED (CouponNotAvailable).
- Two sellers listing one code (the same code in two lockers): each checks that no live or
  sold listing has the digest, then inserts; the partial unique index
  `marketplace_listing_code_once` makes the second insert wait for the first transaction and
  then fail, which is caught in a savepoint and answered CodeAlreadyListed.

Lock order: listing row, then coupon row (as purchases and swaps take them).
"""

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import VoucherCode
from coupzii.core.money import PAISE, InvalidAmount, column_amount
from offers import selectors as offers_selectors
from offers.models import CodeStatus

from ..errors import (
    CodeAlreadyListed,
    CouponInDisputeWindow,
    CouponNotAvailable,
    CouponNotFound,
    ListingNotForSale,
    ListingNotFound,
    PriceTooHigh,
    PriceTooLow,
    SellerSuspended,
)
from ..models import (
    HOLDS_LISTING,
    LIVE_OR_SOLD,
    CouponStatus,
    Listing,
    ListingStatus,
    LockerCoupon,
    Purchase,
    Suspension,
)
from ..purchases.selectors import bought_in_window
from .titles import stored_title

MIN_PRICE = Decimal("1.00")
UNIQUE_INDEX = "marketplace_listing_code_once"


def listing_fee(price: Decimal) -> Decimal:
    """The platform's cut of a sale at `price`: MARKETPLACE_FEE_PERCENT of it, half up to the
    paisa, at least one paisa."""
    fee = (Decimal(price) * settings.MARKETPLACE_FEE_PERCENT / 100).quantize(
        PAISE, rounding=ROUND_HALF_UP
    )
    return max(fee, PAISE)


def withdraw_time(expires_on) -> datetime | None:
    """24 hours before the end of the coupon's last day (local time): the start of that day."""
    if expires_on is None:
        return None
    end_of_day = timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min))
    return end_of_day - timedelta(hours=24)


def seller_is_suspended(user: User) -> bool:
    return Suspension.objects.filter(
        user=user, until__gt=timezone.now(), lifted_at__isnull=True
    ).exists()


@transaction.atomic
def listing_create(
    *, seller: User, coupon: LockerCoupon, price: Decimal, swap_welcome: bool
) -> Listing:
    """Put the seller's ACTIVE locker coupon up for sale at `price` (at most what it saves).

    The coupon becomes LISTED; the fee is fixed now; the sweep withdraws the listing 24 hours
    before the coupon expires. Raises CouponNotFound (not the seller's), CouponNotAvailable
    (not active, no worth, expiring within 24 hours), PriceTooLow, PriceTooHigh,
    SellerSuspended and CodeAlreadyListed (live or sold in another listing, a shop's gift-card
    code, or a book code someone else holds).
    """
    # The seller's row first, as the disputes rule locks it before suspending: a listing
    # made while a third lost dispute suspends its seller is either seen and withdrawn, or
    # sees the suspension and is refused.
    User.objects.select_for_update().filter(pk=seller.pk).values_list("pk", flat=True).first()
    coupon = _coupon_locked(seller, coupon)
    price = _checked_price(price, coupon)
    if seller_is_suspended(seller):
        raise SellerSuspended()
    if bought_in_window(coupon):
        raise CouponInDisputeWindow()
    verified = _check_code_is_sellers(seller, coupon)
    listing = _insert(seller, coupon, price=price, swap_welcome=swap_welcome, verified=verified)
    coupon.status = CouponStatus.LISTED
    coupon.save(update_fields=["status", "updated_at"])
    return listing


def _coupon_locked(seller: User, coupon: LockerCoupon) -> LockerCoupon:
    locked = (
        LockerCoupon.objects.select_for_update(of=("self",))
        .select_related("merchant", "book_code__book")
        .filter(pk=coupon.pk, owner=seller)
        .first()
    )
    if locked is None:
        raise CouponNotFound()
    if locked.status != CouponStatus.ACTIVE:
        raise CouponNotAvailable()
    if locked.worth is None or locked.worth <= 0:
        raise CouponNotAvailable(
            _("Say in your locker how much this coupon saves before you list it.")
        )
    withdraw_at = withdraw_time(locked.expires_on)
    if withdraw_at is not None and withdraw_at <= timezone.now():
        raise CouponNotAvailable(_("This coupon expires within 24 hours: it can't be listed."))
    return locked


def _checked_price(price, coupon: LockerCoupon) -> Decimal:
    try:
        price = column_amount(price)
    except InvalidAmount as exc:
        raise PriceTooLow(fields={"price": [str(PriceTooLow.default_message)]}) from exc
    if price < MIN_PRICE:
        raise PriceTooLow(fields={"price": [str(PriceTooLow.default_message)]})
    if price > coupon.worth:
        raise PriceTooHigh(fields={"price": [str(PriceTooHigh.default_message)]})
    return price


def _check_code_is_sellers(seller: User, coupon: LockerCoupon) -> bool:
    """Refuse a code that is live or sold anywhere else; answer whether the sale is verified
    (a code of a Coupzii book that allows resale, held by the seller)."""
    if Listing.objects.filter(code_digest=coupon.code_digest, status__in=LIVE_OR_SOLD).exists():
        raise CodeAlreadyListed()
    voucher = VoucherCode.objects.filter(code_digest=coupon.code_digest).only("pk").first()
    if voucher is not None and voucher.pk != coupon.voucher_id:
        raise CodeAlreadyListed()
    if coupon.book_code_id:
        book_code = coupon.book_code
        if book_code.holder_id != seller.pk or book_code.status != CodeStatus.ASSIGNED:
            raise CodeAlreadyListed()
        return book_code.book.resale_allowed
    if coupon.merchant_id and offers_selectors.book_code_held_by_other(
        code=coupon.code, merchant_id=coupon.merchant_id, user_id=seller.pk
    ):
        raise CodeAlreadyListed()
    return False


def _insert(seller, coupon, *, price, swap_welcome, verified) -> Listing:
    try:
        with transaction.atomic():
            return Listing.objects.create(
                seller=seller,
                coupon=coupon,
                price=price,
                fee=listing_fee(price),
                swap_welcome=bool(swap_welcome),
                verified=verified,
                code_digest=coupon.code_digest,
                merchant=coupon.merchant,
                store_name=coupon.store_name,
                category_id=coupon.category_id,
                title=stored_title(coupon),
                worth=coupon.worth,
                expires_on=coupon.expires_on,
                withdraw_at=withdraw_time(coupon.expires_on),
            )
    except IntegrityError as exc:
        # Another seller's listing of the same code committed first (PostgreSQL names the
        # index; SQLite names the column).
        if UNIQUE_INDEX in str(exc) or "code_digest" in str(exc):
            raise CodeAlreadyListed() from exc
        raise


@transaction.atomic
def listing_withdraw(*, seller: User, listing: Listing, reason: str = "") -> Listing:
    """The seller takes a live listing down; the coupon is ACTIVE in their locker again.

    Raises ListingNotFound (not the seller's) and ListingNotForSale (sold, withdrawn, or a
    buyer is paying for it right now).
    """
    locked = Listing.objects.select_for_update().filter(pk=listing.pk, seller=seller).first()
    if locked is None:
        raise ListingNotFound()
    if locked.status != ListingStatus.LIVE:
        raise ListingNotForSale(_("This listing is no longer for sale."))
    if Purchase.objects.filter(listing=locked, status__in=HOLDS_LISTING).exists():
        raise ListingNotForSale(_("A buyer is paying for this coupon right now."))
    _end(locked, ListingStatus.WITHDRAWN)
    return locked


def _end(listing: Listing, status: str) -> None:
    listing.status = status
    listing.ended_at = timezone.now()
    listing.save(update_fields=["status", "ended_at", "updated_at"])
    LockerCoupon.objects.filter(pk=listing.coupon_id, status=CouponStatus.LISTED).update(
        status=CouponStatus.ACTIVE, updated_at=timezone.now()
    )


def listings_withdraw_expiring(*, batch: int = 500) -> int:
    """Withdraw (status EXPIRED) live listings whose coupon expires within 24 hours, each in its
    own short transaction; a listing a buyer is paying for right now is left to its payment.
    Returns how many were withdrawn."""
    now = timezone.now()
    due = list(
        Listing.objects.filter(status=ListingStatus.LIVE, withdraw_at__lte=now)
        .order_by("withdraw_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(_expire_one(pk, now) for pk in due)


@transaction.atomic
def _expire_one(pk: int, now: datetime) -> int:
    listing = (
        Listing.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, status=ListingStatus.LIVE, withdraw_at__lte=now)
        .first()
    )
    if listing is None:
        return 0
    if Purchase.objects.filter(listing=listing, status__in=HOLDS_LISTING).exists():
        return 0
    _end(listing, ListingStatus.EXPIRED)
    return 1


@transaction.atomic
def suspension_create(*, user: User, until: datetime, reason: str) -> Suspension:
    """An operator bars `user` from listing until `until` (the disputes rule makes its own) and
    their live listings come down: a suspended seller's coupons must not stay on sale."""
    suspension = Suspension.objects.create(user=user, until=until, reason=reason[:200])
    seller_listings_withdraw(seller=user)
    return suspension


def seller_listings_withdraw(*, seller: User) -> int:
    """Withdraw every live listing of `seller` (suspended); one a buyer is paying for right now
    is left to its sale. Returns how many came down."""
    withdrawn = 0
    live = Listing.objects.filter(seller=seller, status=ListingStatus.LIVE).order_by("pk")
    for listing in live:
        try:
            listing_withdraw(seller=seller, listing=listing)
        except (ListingNotFound, ListingNotForSale):
            continue  # sold or being paid for right now: that sale goes on
        withdrawn += 1
    return withdrawn
