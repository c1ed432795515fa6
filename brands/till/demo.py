"""Demo data for the till: one till key per demo brand, a book of codes with a budget near its
cap, and a few redemptions over the last days made through the till's own services.

The demo key of a brand is documented for the README (local use only):
    czk_demo_<brand slug>_ followed by "0" up to 44 characters, e.g. for the brand `myntra`:
    czk_demo_myntra_0000000000000000000000000000
Try it: curl -H "Authorization: ApiKey czk_demo_myntra_0000000000000000000000000000"
             -H "Content-Type: application/json" -d '{"code": "TILL-MYNTRA-0009",
             "order_amount": "1200"}' http://localhost:8000/api/v1/brand/till/validate/

Idempotent: the key is found by its hash, the offer and book by name, the budget by its
offer, and each redemption replays its own Idempotency-Key.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from brands.models import ApiKey, Brand, BrandOffer, BrandProduct, Budget
from offers.models import (
    AuditAction,
    CouponBook,
    CouponCode,
    DiscountType,
    Offer,
    OfferKind,
    OfferStatus,
    RedemptionAudit,
)

from . import budgets, services

KEY_LENGTH = 44
DEMO_CODES = 20
BUDGET_CAP = 10
# (order amount, days ago): eight redemptions of a cap of ten, so the budget shows 80%.
REDEMPTIONS = [
    ("1200.00", 6),
    ("850.00", 5),
    ("2400.00", 4),
    ("999.00", 3),
    ("1500.00", 2),
    ("640.00", 2),
    ("3100.00", 1),
    ("780.00", 0),
]


def demo_key(brand: Brand) -> str:
    """The documented demo key of `brand` (never a real one: it is in the source)."""
    return f"czk_demo_{brand.slug}_".ljust(KEY_LENGTH, "0")[:KEY_LENGTH]


def seed_till(brands, log=lambda message: None) -> None:
    for brand in brands:
        key = _key(brand, log)
        book = _book(brand, log)
        if not Budget.objects.filter(offer=book.offer).exists():
            budgets.budget_create(brand=brand, offer=book.offer, max_redemptions=BUDGET_CAP)
        _redemptions(brand, key, book)


def _key(brand: Brand, log) -> ApiKey:
    raw = demo_key(brand)
    key = ApiKey.objects.filter(key_hash=services.key_hash(raw)).first()
    if key is None:
        key = services._api_key_store(
            brand=brand, name="Demo till", created_by=None, book=None, merchant=None, raw=raw
        )
        log(f"till key for {brand.slug}: prefix {key.prefix}")  # never the key itself
    return key


def _book(brand: Brand, log) -> CouponBook:
    store = brand.stores.select_related("merchant").first()
    title = f"₹150 off at the {brand.name} store"
    offer = Offer.objects.filter(brand_link__brand=brand, title=title).first()
    if offer is None:
        offer = Offer.objects.create(
            merchant=store.merchant,
            kind=OfferKind.UNIQUE_CODE,
            title=title,
            discount_type=DiscountType.FIXED,
            discount_value=Decimal("150.00"),
            min_order=Decimal("500.00"),
            starts_at=timezone.now() - timedelta(days=10),
            ends_at=timezone.now() + timedelta(days=60),
            status=OfferStatus.ACTIVE,
        )
        BrandOffer.objects.create(offer=offer, brand=brand)
        log(f"till demo offer for {brand.slug}")
    book, created = CouponBook.objects.get_or_create(offer=offer, name="Till demo codes")
    if created:
        prefix = f"TILL-{brand.slug.upper()}"
        CouponCode.objects.bulk_create(
            CouponCode(book=book, code=f"{prefix}-{n:04d}") for n in range(1, DEMO_CODES + 1)
        )
    return book


def _redemptions(brand: Brand, key: ApiKey, book: CouponBook) -> None:
    scope = services.TillScope.for_key(key)
    skus = list(BrandProduct.objects.filter(brand=brand).values_list("sku", flat=True)[:3])
    prefix = f"TILL-{brand.slug.upper()}"
    now = timezone.now()
    for number, (amount, days_ago) in enumerate(REDEMPTIONS, start=1):
        idempotency_key = f"demo-{brand.slug}-{number}"
        services.till_redeem(
            scope=scope,
            code=f"{prefix}-{number:04d}",
            idempotency_key=idempotency_key,
            order_reference=f"POS-{brand.slug.upper()}-{1000 + number}",
            order_amount=Decimal(amount),
            products=skus[: 1 + number % 3] if skus else [f"SKU-{number:03d}"],
        )
        # Spread over the last days (created_at is set on insert).
        RedemptionAudit.objects.filter(
            book=book, idempotency_key=idempotency_key, action=AuditAction.REDEEM
        ).update(created_at=now - timedelta(days=days_ago, hours=number))
