"""Demo analytics: ninety days of views, clicks, claims, redemptions (with baskets) and a few
rollbacks for the demo brands' offers, written as the raw rows the site itself writes and
then rolled up, so the dashboard and the analytics pages show real curves.

`activity_write` is also what the analytics tests use to make raw rows."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from brands.models import Brand, BrandOffer, BrandProduct, OfferDay
from offers.models import (
    AuditAction,
    Click,
    CodeStatus,
    CouponBook,
    CouponCode,
    Offer,
    OfferStatus,
    OfferViewDay,
    RedemptionAudit,
)

from .services import analytics_rollup_range

__all__ = ["ActivityPlan", "activity_write", "seed_analytics"]

HISTORY_DAYS = 90
CENT = Decimal("0.01")
DEMO_PRODUCTS = [
    ("DEMO-TEE", "Cotton T-shirt", Decimal("799.00")),
    ("DEMO-JEANS", "Slim jeans", Decimal("1999.00")),
    ("DEMO-SNEAK", "Running shoes", Decimal("3499.00")),
    ("DEMO-CAP", "Cap", Decimal("499.00")),
]


@dataclass
class ActivityPlan:
    """How busy one offer is on an ordinary day; the days vary around it (weekends busier,
    a slow rise over the period, noise)."""

    views: int = 200
    click_rate: float = 0.08
    claim_rate: float = 0.4
    redeem_rate: float = 0.6
    rollback_rate: float = 0.05
    skus: list[str] = field(default_factory=list)


def activity_write(
    *,
    offer: Offer,
    books: list[CouponBook],
    first_day: date,
    days: int,
    plan: ActivityPlan,
    rng: random.Random,
) -> None:
    """Write the raw rows of `days` days from `first_day` for one offer: an OfferViewDay per
    day, Click rows, and per book claimed codes with CLAIM, REDEEM and ROLLBACK audit rows at
    times spread over each day (a rollback up to a few hours after its redeem, so some fall on
    the next day)."""
    zone = timezone.get_default_timezone()
    views, clicks, claims = [], [], []
    for index in range(days):
        day = first_day + timedelta(days=index)
        weekend = 1.3 if day.weekday() >= 5 else 1.0
        trend = 0.7 + 0.6 * index / max(days - 1, 1)
        wave = 1 + 0.15 * math.sin(index / 4)
        day_views = max(0, int(plan.views * weekend * trend * wave * rng.uniform(0.8, 1.2)))
        if day_views:
            views.append(OfferViewDay(offer=offer, date=day, views=day_views))
        start = datetime.combine(day, time.min, tzinfo=zone)
        day_clicks = _binomial(rng, day_views, plan.click_rate)
        for _ in range(day_clicks):
            at = start + timedelta(seconds=rng.randrange(86400))
            clicks.append(Click(offer=offer, merchant_id=offer.merchant_id, created_at=at))
        if books:
            for _ in range(_binomial(rng, day_clicks, plan.claim_rate)):
                claims.append((rng.choice(books), start + timedelta(seconds=rng.randrange(86400))))
    OfferViewDay.objects.bulk_create(
        views,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["offer", "date"],
        update_fields=["views"],
    )
    Click.objects.bulk_create(clicks, batch_size=1000)
    if claims:
        _codes_and_audit(offer=offer, claims=claims, plan=plan, rng=rng)


def _binomial(rng: random.Random, n: int, p: float) -> int:
    # A normal approximation is plenty for demo volumes and much faster than n draws.
    if n <= 0 or p <= 0:
        return 0
    mean, spread = n * p, math.sqrt(n * p * (1 - p))
    return max(0, min(n, round(rng.gauss(mean, spread))))


def _codes_and_audit(*, offer: Offer, claims, plan: ActivityPlan, rng: random.Random) -> None:
    codes = [
        CouponCode(
            book=book,
            code=f"D{uuid.uuid4().hex[:11].upper()}",
            status=CodeStatus.ASSIGNED,
            claimed_at=at,
        )
        for book, at in claims
    ]
    CouponCode.objects.bulk_create(codes, batch_size=1000)
    audit, times = [], []
    redeems = []
    for code, (book, at) in zip(codes, claims, strict=True):
        audit.append(RedemptionAudit(book=book, code=code, action=AuditAction.CLAIM, ok=True))
        times.append(at)
        if rng.random() >= plan.redeem_rate:
            continue
        redeemed_at = at + timedelta(minutes=rng.randrange(10, 3 * 24 * 60))
        if redeemed_at > timezone.now():
            continue
        amount = Decimal(rng.randrange(300, 6000)).quantize(CENT)
        discount = (amount * Decimal("0.10")).quantize(CENT, rounding=ROUND_HALF_UP)
        skus = rng.sample(plan.skus, k=rng.randint(1, min(3, len(plan.skus)))) if plan.skus else []
        row = RedemptionAudit(
            book=book,
            code=code,
            action=AuditAction.REDEEM,
            ok=True,
            order_amount=amount,
            discount_amount=discount,
            products=skus,
            idempotency_key=uuid.uuid4().hex,
            order_reference=f"DEMO-{uuid.uuid4().hex[:8].upper()}",
        )
        audit.append(row)
        times.append(redeemed_at)
        redeems.append((row, redeemed_at))
        code.status, code.redemption_count = CodeStatus.REDEEMED, 1
    RedemptionAudit.objects.bulk_create(audit, batch_size=1000)
    rollbacks, rollback_times = [], []
    for row, redeemed_at in redeems:
        if rng.random() >= plan.rollback_rate:
            continue
        rolled_back_at = redeemed_at + timedelta(minutes=rng.randrange(5, 20 * 60))
        if rolled_back_at > timezone.now():
            continue
        rollbacks.append(
            RedemptionAudit(
                book_id=row.book_id,
                code=row.code,
                action=AuditAction.ROLLBACK,
                ok=True,
                order_amount=-row.order_amount,
                discount_amount=-row.discount_amount,
                products=row.products,
                idempotency_key=row.idempotency_key,
                order_reference=row.order_reference,
                reverses=row,
            )
        )
        rollback_times.append(rolled_back_at)
    RedemptionAudit.objects.bulk_create(rollbacks, batch_size=1000)
    # created_at is auto_now_add: the history's times are set after the insert.
    for row, at in zip(audit + rollbacks, times + rollback_times, strict=True):
        row.created_at = at
    RedemptionAudit.objects.bulk_update(audit + rollbacks, ["created_at"], batch_size=500)
    CouponCode.objects.bulk_update(
        [code for code in codes if code.status == CodeStatus.REDEEMED],
        ["status", "redemption_count"],
        batch_size=500,
    )


def seed_analytics(brands, *, days: int = HISTORY_DAYS, seed: int = 13) -> int:
    """Give each brand `days` days of history for its offers and roll it up. Idempotent: a
    brand that already has rollups older than yesterday is left alone. Offers without a code
    book get views and clicks only, unless the brand has no book at all (then its first offer
    gets one, so claims and redemptions show too). Returns the number of brands seeded."""
    today = timezone.localdate()
    first_day = today - timedelta(days=days - 1)
    seeded = 0
    for brand in brands:
        if OfferDay.objects.filter(brand=brand, date__lt=today - timedelta(days=1)).exists():
            continue
        rng = random.Random(f"{seed}:{brand.slug}")  # noqa: S311 - demo content, not security
        _seed_brand(brand, first_day=first_day, days=days, rng=rng)
        analytics_rollup_range(start=first_day, end=today, brand=brand)
        seeded += 1
    return seeded


def _seed_brand(brand: Brand, *, first_day: date, days: int, rng: random.Random) -> None:
    # A draft was never shown to a shopper, so it has no history.
    links = list(
        BrandOffer.objects.filter(brand=brand)
        .exclude(offer__status=OfferStatus.DRAFT)
        .select_related("offer")
        .order_by("offer_id")
    )
    if not links:
        return
    skus = _demo_skus(brand)
    books_of: dict[int, list[CouponBook]] = {}
    for book in CouponBook.objects.filter(offer_id__in=[link.offer_id for link in links]):
        books_of.setdefault(book.offer_id, []).append(book)
    if not books_of:
        first = links[0].offer
        books_of[first.pk] = [CouponBook.objects.create(offer=first, name="Till codes (demo)")]
    for rank, link in enumerate(links):
        plan = ActivityPlan(
            views=rng.randint(60, 200) // (1 + rank // 3),
            click_rate=rng.uniform(0.05, 0.12),
            claim_rate=rng.uniform(0.3, 0.6),
            redeem_rate=rng.uniform(0.4, 0.8),
            skus=skus,
        )
        activity_write(
            offer=link.offer,
            books=books_of.get(link.offer_id, []),
            first_day=first_day,
            days=days,
            plan=plan,
            rng=rng,
        )


def _demo_skus(brand: Brand) -> list[str]:
    skus = list(brand.products.values_list("sku", flat=True)[:8])
    if skus:
        return skus
    BrandProduct.objects.bulk_create(
        [
            BrandProduct(brand=brand, sku=sku, name=name, price=price)
            for sku, name, price in DEMO_PRODUCTS
        ]
    )
    return [sku for sku, _name, _price in DEMO_PRODUCTS]
