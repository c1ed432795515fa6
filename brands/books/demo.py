"""Demo code books for `manage.py seed_demo`: for each demo brand a unique-code offer with one
book of DEMO_CODES codes generated from a pattern, a dozen of them claimed by demo shoppers and
five of those redeemed at the till, all through offers' own services (audited as real ones).

Idempotent: the offer and the book are found by their names, codes are generated only up to
DEMO_CODES, a shopper who holds a code of the book claims none again, and each redemption
replays its own Idempotency-Key.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from coupzii.core.errors import DomainError
from offers import services as offer_services
from offers.models import CouponBook, CouponCode, DiscountType, Offer, OfferKind, OfferStatus

from ..models import Brand, BrandOffer

DEMO_CODES = 3_000
SHOPPERS = 12
REDEEMED = 5
OFFER_TITLE = "Your own 15% off code"
BOOK_NAME = "Welcome codes"


def seed_books(brands: list[Brand], log=lambda message: None) -> int:
    """One book per brand with codes, claims and redemptions; returns the books seeded."""
    shoppers = _shoppers()
    seeded = 0
    for brand in brands:
        store = brand.stores.select_related("merchant").first()
        if store is None:
            log(f"books: {brand.slug} owns no store; skipped")
            continue
        book = _book(brand, _offer(brand, store.merchant))
        _codes(book)
        held = _claims(book, shoppers)
        _redemptions(book, held[:REDEEMED])
        seeded += 1
        log(f"books: {brand.slug} has {book.name!r} with {DEMO_CODES:,} codes")
    return seeded


def _shoppers() -> list[User]:
    people = []
    for number in range(1, SHOPPERS + 1):
        user, created = User.objects.get_or_create(
            email=f"shopper{number}@books.coupzii.test",
            defaults={"full_name": f"Demo Shopper {number}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    return people


def _offer(brand: Brand, merchant) -> Offer:
    link = (
        BrandOffer.objects.select_related("offer")
        .filter(brand=brand, offer__title=OFFER_TITLE)
        .first()
    )
    if link is not None:
        return link.offer
    offer = Offer.objects.create(
        merchant=merchant,
        kind=OfferKind.UNIQUE_CODE,
        title=OFFER_TITLE,
        description="A code of your own for 15% off your order, one per shopper.",
        discount_type=DiscountType.PERCENTAGE,
        discount_value=Decimal("15"),
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=60),
        status=OfferStatus.ACTIVE,
    )
    BrandOffer.objects.create(offer=offer, brand=brand)
    return offer


def _book(brand: Brand, offer: Offer) -> CouponBook:
    prefix = "".join(char for char in brand.slug.upper() if char.isalnum())[:6] or "CODE"
    book, _created = CouponBook.objects.get_or_create(
        offer=offer,
        name=BOOK_NAME,
        defaults={"code_pattern": f"{prefix}-####-????", "resale_allowed": True},
    )
    return book


def _codes(book: CouponBook) -> None:
    missing = DEMO_CODES - CouponCode.objects.filter(book=book).count()
    if missing > 0:
        offer_services.codes_generate(book=book, count=missing)


def _claims(book: CouponBook, shoppers: list[User]) -> list[CouponCode]:
    held = []
    for shopper in shoppers:
        code = CouponCode.objects.filter(book=book, holder=shopper).first()
        if code is None:
            try:
                code = offer_services.code_claim(offer_or_book=book, user=shopper)
            except DomainError:
                continue
        held.append(code)
    return held


def _redemptions(book: CouponBook, codes: list[CouponCode]) -> None:
    for number, code in enumerate(codes, start=1):
        try:
            offer_services.code_redeem(
                book=book,
                code=code,
                actor=None,
                idempotency_key=f"demo-books-{book.public_id}-{number}",
                order_reference=f"DEMO-{number:04d}",
                order_amount=Decimal("1499.00"),
            )
        except DomainError:
            # Already redeemed under another key by an earlier run: nothing to add.
            continue
