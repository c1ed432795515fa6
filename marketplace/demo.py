"""Demo marketplace for `manage.py seed_demo`: Asha's and Ravi's lockers with a coupon of every
source (claimed from a store's book, a gift card from an order, added by hand, from a
screenshot, bought, swapped), listings verified and not, a sale in its dispute window, a
completed sale rated both ways, an open dispute and a pending swap, and a coupon of Asha's that
expires this week (what the assistant's "which of my coupons expire this week?" shows), all
made through the marketplace's own services and paid from the shoppers' wallets, so the ledger,
the codes and the books' audit rows are what they would be live.

Idempotent: coupons are found by their codes, listings by their coupons, purchases by their
idempotency keys ("demo-market-..."), swaps by the coupon offered; a step already taken is not
taken again. Runs last but one (marketplace comes after the wallet, commerce and brands demos,
whose balances, gift-card orders and resale-allowed books it uses).
"""

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.services import in_app_only
from catalog.models import Merchant
from catalog.services import code_digest, normalise_code
from coupzii.core.errors import DomainError
from offers import services as offer_services
from offers.models import BookStatus, CouponBook, CouponCode

from .disputes.services import dispute_open
from .listings.services import listing_create
from .locker.services import locker_coupon_add, locker_coupon_update, locker_import_held
from .models import (
    Benefit,
    CouponStatus,
    Dispute,
    Exchange,
    Listing,
    LockerCoupon,
    PaymentMethod,
    Purchase,
    PurchaseStatus,
    Rating,
    Source,
)
from .purchases.services import purchase_create, purchase_release
from .ratings.services import rating_give
from .swaps.services import exchange_accept, exchange_request

D = Decimal


@dataclass(frozen=True)
class DemoCoupon:
    """A coupon typed in by hand or read from a screenshot."""

    owner: str  # "asha" or "ravi"
    code: str
    store: str  # the catalog demo merchant's slug
    benefit: str
    value: str | None
    days: int  # expires this many days from today
    source: str = Source.MANUAL
    min_order: str | None = None
    max_discount: str | None = None
    notes: str = ""


# fmt: off
SWIGGY = DemoCoupon("asha", "SWIGGY100NOW", "swiggy", Benefit.FIXED, "100", 20, min_order="399")
NYKAA = DemoCoupon(
    "asha", "NYKGLOW20", "nykaa", Benefit.PERCENT, "20", 12, source=Source.SCREENSHOT,
    max_discount="250", notes="From the Nykaa app banner.",
)
UBER = DemoCoupon("asha", "UBERRIDE75", "uber", Benefit.FIXED, "75", 30)
CROMA = DemoCoupon("asha", "CROMA200XTRA", "croma", Benefit.FIXED, "200", 45, min_order="2000")
# Kept in the locker, never listed: the one of Asha's coupons that expires this week.
ZOMATO_SOON = DemoCoupon(
    "asha", "ZOMLUNCH60", "zomato", Benefit.FIXED, "60", 4, min_order="249",
    notes="Lunch orders only.",
)
DOMINOS = DemoCoupon("ravi", "DOMPIZZA100", "dominos", Benefit.FIXED, "100", 25, min_order="499")
BOOKMYSHOW = DemoCoupon("ravi", "BMSWEEKEND150", "bookmyshow", Benefit.FIXED, "150", 40)
ZOMATO = DemoCoupon("ravi", "ZOMFEAST120", "zomato", Benefit.FIXED, "120", 15, min_order="299")
LENSKART = DemoCoupon(
    "ravi", "LKVISION10", "lenskart", Benefit.PERCENT, "10", 60, source=Source.SCREENSHOT,
    max_discount="500",
)
# fmt: on
# What a claimed book code (a percentage with no cap) is worth, as its holder states it.
CLAIMED_WORTH = D("300.00")


def seed(log) -> None:
    # The demo's history is not news: its notices stay in the app, no email or text.
    with in_app_only():
        _seed(log)


def _seed(log) -> None:
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@coupzii.test")}
    asha, ravi = users.get("asha"), users.get("ravi")
    if asha is None or ravi is None:
        return
    books = list(
        CouponBook.objects.filter(resale_allowed=True, status=BookStatus.ACTIVE).order_by("pk")
    )
    if not books:
        log("no coupon book allows resale (the brands demo makes them): verified sales skipped")
    # Claimed codes: each shopper holds one of each resale book's (the first and the last).
    resale_books = list(dict.fromkeys([*books[:1], *books[-1:]]))
    for user in (asha, ravi):
        for book in resale_books:
            _claim(user, book)
        locker_import_held(user=user)
        for book in resale_books:
            _claimed_coupon(user, book)
    before = _counts()
    coupons = {spec.code: _typed(spec, users) for spec in _specs()}
    # Each step is taken only if an earlier run did not take it.
    _verified_listing(ravi, books[-1:], log)
    _completed_sale(seller=ravi, buyer=asha, coupon=coupons[DOMINOS.code], log=log)
    _sale_in_window(seller=asha, buyer=ravi, book=books[:1], log=log)
    _disputed_sale(seller=asha, buyer=ravi, coupon=coupons[UBER.code], log=log)
    _completed_swap(asha, ravi, coupons[CROMA.code], coupons[BOOKMYSHOW.code], log)
    _pending_swap(ravi, coupons[ZOMATO.code], coupons[SWIGGY.code], log)
    _listing(ravi, coupons[LENSKART.code], price="200.00")
    added = {name: count - before[name] for name, count in _counts().items()}
    log(", ".join(f"{count} new {name}" for name, count in added.items()))


def _counts() -> dict[str, int]:
    return {
        "locker coupons": LockerCoupon.objects.count(),
        "listings": Listing.objects.count(),
        "purchases": Purchase.objects.count(),
        "disputes": Dispute.objects.count(),
        "swaps": Exchange.objects.count(),
        "ratings": Rating.objects.count(),
    }


def _specs() -> list[DemoCoupon]:
    return [SWIGGY, NYKAA, UBER, CROMA, ZOMATO_SOON, DOMINOS, BOOKMYSHOW, ZOMATO, LENSKART]


# --- Lockers -----------------------------------------------------------------------------------


def _claim(user: User, book: CouponBook) -> None:
    if CouponCode.objects.filter(book=book, holder=user).exists():
        return  # claimed on an earlier run (and perhaps sold since: then void)
    # The book may have run out or closed: the locker shows the other sources then.
    with contextlib.suppress(DomainError):
        offer_services.code_claim(offer_or_book=book, user=user)


def _typed(spec: DemoCoupon, users: dict[str, User]) -> LockerCoupon | None:
    """The coupon added by hand (or from a screenshot), found by its code on a second run."""
    owner = users[spec.owner]
    existing = LockerCoupon.objects.filter(
        owner=owner, code_digest=code_digest(normalise_code(spec.code))
    ).first()
    if existing is not None:
        return existing
    merchant = Merchant.objects.filter(slug=spec.store).first()
    try:
        return locker_coupon_add(
            owner=owner,
            code=spec.code,
            source=spec.source,
            benefit=spec.benefit,
            merchant=merchant,
            store_name="" if merchant else spec.store.title(),
            benefit_value=D(spec.value) if spec.value else None,
            min_order=D(spec.min_order) if spec.min_order else None,
            max_discount=D(spec.max_discount) if spec.max_discount else None,
            expires_on=timezone.localdate() + timedelta(days=spec.days),
            notes=spec.notes,
        )
    except DomainError:
        return None


def _claimed_coupon(user: User, book: CouponBook) -> LockerCoupon | None:
    """The user's locker coupon of their claimed code of `book`, with what it saves stated."""
    coupon = (
        LockerCoupon.objects.filter(
            owner=user, source=Source.CLAIMED, book_code__book=book, book_code__holder=user
        )
        .order_by("pk")
        .first()
    )
    if coupon is not None and coupon.worth is None and coupon.status == CouponStatus.ACTIVE:
        coupon = locker_coupon_update(coupon=coupon, changes={"worth": CLAIMED_WORTH})
    return coupon


# --- Listings and sales ------------------------------------------------------------------------


def _listing(seller: User, coupon: LockerCoupon | None, *, price: str, swap=False):
    """The coupon's listing (made now if it has none); None when it can't be listed."""
    if coupon is None:
        return None
    listing = Listing.objects.filter(coupon=coupon).order_by("pk").first()
    if listing is not None:
        return listing
    try:
        return listing_create(seller=seller, coupon=coupon, price=D(price), swap_welcome=swap)
    except DomainError:
        return None


def _verified_listing(seller: User, book: list[CouponBook], log) -> Listing | None:
    if not book:
        return None
    return _listing(seller, _claimed_coupon(seller, book[0]), price="180.00")


def _buy(buyer: User, listing: Listing | None, key: str, log) -> Purchase | None:
    existing = Purchase.objects.filter(buyer=buyer, idempotency_key=key).first()
    if existing is not None or listing is None:
        return existing
    try:
        return purchase_create(
            buyer=buyer,
            listing_public_id=listing.public_id,
            method=PaymentMethod.WALLET,
            idempotency_key=key,
        )
    except DomainError as refused:
        log(f"{key} skipped: {refused.message}")
        return None


def _completed_sale(*, seller, buyer, coupon, log) -> Purchase | None:
    """Bought four days ago, window over, seller paid, both sides rated."""
    purchase = _buy(buyer, _listing(seller, coupon, price="70.00"), "demo-market-completed", log)
    if purchase is None:
        return None
    if purchase.status == PurchaseStatus.PAID:
        # Demo only: the purchase was paid four days ago and its 72-hour window has run out.
        paid = timezone.now() - timedelta(days=4)
        Purchase.objects.filter(pk=purchase.pk).update(
            created_at=paid, paid_at=paid, window_ends_at=paid + timedelta(hours=72)
        )
        purchase = purchase_release(purchase_id=purchase.pk)
    if purchase.status != PurchaseStatus.RELEASED:
        return None
    for rater, stars, comment in (
        (buyer, 5, "Code worked first time."),
        (seller, 5, "Quick, easy buyer."),
    ):
        if not Rating.objects.filter(purchase=purchase, rater=rater).exists():
            rating_give(rater=rater, number=purchase.number, stars=stars, comment=comment)
    return purchase


def _sale_in_window(*, seller, buyer, book, log) -> Purchase | None:
    """A verified sale paid just now: the code re-keyed, the 24-hour window running."""
    key = "demo-market-verified"
    if Purchase.objects.filter(buyer=buyer, idempotency_key=key).exists() or not book:
        return None
    listing = _listing(seller, _claimed_coupon(seller, book[0]), price="150.00")
    return _buy(buyer, listing, key, log)


def _disputed_sale(*, seller, buyer, coupon, log) -> Dispute | None:
    purchase = _buy(buyer, _listing(seller, coupon, price="50.00"), "demo-market-disputed", log)
    if purchase is None or purchase.status != PurchaseStatus.PAID:
        return None
    return dispute_open(
        buyer=buyer, number=purchase.number, note="The app says this code has expired."
    )


# --- Swaps -------------------------------------------------------------------------------------


def _completed_swap(requester, responder, offered, wanted, log) -> Exchange | None:
    """The requester's coupon for the responder's swap-welcome listing, accepted."""
    if offered is None or Exchange.objects.filter(requester=requester, offered=offered).exists():
        return None
    listing = _listing(responder, wanted, price="100.00", swap=True)
    if listing is None:
        return None
    try:
        exchange = exchange_request(
            requester=requester,
            wanted_public_id=listing.public_id,
            offered_public_id=offered.public_id,
            message="My Croma coupon for your movie one?",
        )
        return exchange_accept(responder=responder, public_id=exchange.public_id)
    except DomainError as refused:
        log(f"swap skipped: {refused.message}")
        return None


def _pending_swap(requester, offered, wanted, log) -> Exchange | None:
    """The requester offers their coupon and ₹10 for a swap-welcome listing; no answer yet."""
    if offered is None or Exchange.objects.filter(requester=requester, offered=offered).exists():
        return None
    listing = _listing(wanted.owner, wanted, price="60.00", swap=True) if wanted else None
    if listing is None:
        return None
    try:
        return exchange_request(
            requester=requester,
            wanted_public_id=listing.public_id,
            offered_public_id=offered.public_id,
            cash=D("10.00"),
            message="Zomato plus ₹10 for your Swiggy?",
        )
    except DomainError as refused:
        log(f"swap request skipped: {refused.message}")
        return None
