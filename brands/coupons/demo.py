"""Demo coupons for `manage.py seed_demo`: for each demo brand a few products and offers in
every state (draft, published, paused, ended), made through the services so each has its
history (created, changed, published, paused, ended).

Idempotent: products are found by SKU and offers by title within the brand, so re-running
adds nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from coupzii.core.money import format_inr
from offers.models import DiscountType, OfferKind

from ..models import Brand, BrandOffer, BrandProduct, Membership, Role
from . import services

# (SKU suffix, name, price)
PRODUCTS = [
    ("TEE-01", "Cotton crew-neck T-shirt", Decimal("799")),
    ("JNS-02", "Slim-fit stretch jeans", Decimal("2499")),
    ("SNK-03", "Everyday white sneakers", Decimal("3299")),
]
# (title, kind, code, discount type, value, max discount, min order, SKUs, the states it
# goes through after being created). Amounts in titles and descriptions are written as the
# site writes them (format_inr: ₹300.00), as the catalog's demo does.
OFFERS = [
    (
        "Flat 20% off T-shirts, up to ₹300.00",
        OfferKind.CODE,
        "TEES20",
        DiscountType.PERCENTAGE,
        Decimal("20"),
        Decimal("300"),
        None,
        ["TEE-01"],
        ["publish"],
    ),
    (
        "₹500.00 off slim-fit jeans",
        OfferKind.CODE,
        "JEANS500",
        DiscountType.FIXED,
        Decimal("500"),
        None,
        Decimal("2999"),
        ["JNS-02"],
        ["publish", "pause"],
    ),
    (
        "Buy one get one on sneakers",
        OfferKind.DEAL,
        "",
        DiscountType.BOGO,
        None,
        None,
        None,
        ["SNK-03"],
        ["publish", "end"],
    ),
    (
        "Free delivery weekend (draft)",
        OfferKind.DEAL,
        "",
        DiscountType.FREE_SHIPPING,
        None,
        None,
        Decimal("499"),
        [],
        ["edit"],
    ),
]


def seed_coupons(brands: list[Brand], log=lambda message: None) -> int:
    """Products and offers for each brand; returns how many offers were created now."""
    created = 0
    for brand in brands:
        store = brand.stores.select_related("merchant").first()
        if store is None:
            log(f"coupons: {brand.slug} has no store; skipped")
            continue
        actor = _owner_of(brand)
        products = _products(brand)
        for spec in OFFERS:
            if _offer(brand, store.merchant, actor, products, spec):
                created += 1
    log(f"coupons: {created} demo offers created")
    return created


def _owner_of(brand: Brand):
    owner = (
        Membership.objects.filter(brand=brand, role=Role.OWNER)
        .select_related("user")
        .order_by("created_at")
        .first()
    )
    return owner.user if owner else None


def _products(brand: Brand) -> dict[str, BrandProduct]:
    products = {}
    prefix = brand.slug.upper()[:10]
    for suffix, name, price in PRODUCTS:
        sku = f"{prefix}-{suffix}"
        product = BrandProduct.objects.filter(brand=brand, sku=sku).first()
        if product is None:
            product = services.product_create(brand=brand, sku=sku, name=name, price=price)
        products[suffix] = product
    return products


def _offer(brand, merchant, actor, products, spec) -> bool:
    title, kind, code, discount_type, value, max_discount, min_order, skus, steps = spec
    if BrandOffer.objects.filter(brand=brand, offer__title_en=title).exists():
        return False
    now = timezone.now()
    # An offer that ends in the demo has ended by the calendar too (expired offers' end
    # dates are past everywhere on the site).
    ended = "end" in steps
    starts_at = now - timedelta(days=40 if ended else 3)
    ends_at = now - timedelta(days=2) if ended else now + timedelta(days=45)
    description = (
        f"On orders of {format_inr(min_order)} or more." if min_order else "Online and in stores."
    )
    brand_offer = services.coupon_create(
        brand=brand,
        actor=actor,
        merchant=merchant,
        kind=kind,
        title=title,
        code=f"{brand.slug.upper()[:6]}{code}" if code else "",
        discount_type=discount_type,
        discount_value=value,
        max_discount=max_discount,
        min_order=min_order,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        terms="One use per shopper. Not valid with other offers.",
        products=[products[sku] for sku in skus],
        total_stock=1000,
    )
    for step in steps:
        if step == "edit":
            services.coupon_update(
                brand_offer=brand_offer, actor=actor, changes={"total_stock": 500}
            )
        elif brand.is_verified:
            action = getattr(services, f"coupon_{step}")
            action(brand_offer=brand_offer, actor=actor)
    return True
