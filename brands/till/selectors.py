"""The till's reads: the brand's keys, budgets, and the redemptions a till may roll back."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from brands.models import ApiKey, Brand, BrandStore, Budget
from offers.models import AuditAction, CouponBook, Offer, RedemptionAudit

from .services import KEY_PREFIX, TillScope, brand_books, key_hash

ROLLBACK_WINDOW = timedelta(hours=24)


def api_keys_for_brand(brand: Brand) -> QuerySet[ApiKey]:
    """Live keys first, newest first, with what the list shows."""
    return (
        ApiKey.objects.filter(brand=brand)
        .select_related("created_by", "book", "merchant")
        .order_by("revoked_at", "-created_at")
    )


def api_key_live_count(brand: Brand) -> int:
    return ApiKey.objects.filter(brand=brand, revoked_at__isnull=True).count()


def api_key_for_secret(raw_key: str) -> ApiKey | None:
    """The live key with this text, with its brand; None for an unknown or revoked key.
    Read from the database on every request: a revoked key fails at once."""
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 100:
        return None
    return (
        ApiKey.objects.select_related("brand")
        .filter(key_hash=key_hash(raw_key), revoked_at__isnull=True)
        .first()
    )


def key_scope_books(brand: Brand) -> QuerySet[CouponBook]:
    return brand_books(brand).select_related("offer").order_by("name")


def key_scope_stores(brand: Brand) -> QuerySet[BrandStore]:
    return (
        BrandStore.objects.filter(brand=brand).select_related("merchant").order_by("merchant__name")
    )


def budgets_for_brand(brand: Brand) -> QuerySet[Budget]:
    return (
        Budget.objects.filter(brand=brand)
        .select_related("offer", "book", "book__offer")
        .order_by("-created_at")
    )


def budget_offers(brand: Brand) -> QuerySet[Offer]:
    """The brand's offers without a budget yet (what a new budget may cap)."""
    return Offer.objects.filter(brand_link__brand=brand, brand_budget__isnull=True).order_by(
        "title"
    )


def budget_books(brand: Brand) -> QuerySet[CouponBook]:
    return key_scope_books(brand).filter(brand_budget__isnull=True)


def till_recent_redemptions(scope: TillScope) -> QuerySet[RedemptionAudit]:
    """Successful redemptions in the scope's books in the last 24 hours (the rollback
    window), newest first, each marked `rolled_back`."""
    since = timezone.now() - ROLLBACK_WINDOW
    rollbacks = RedemptionAudit.objects.filter(
        reverses=OuterRef("pk"), action=AuditAction.ROLLBACK, ok=True
    )
    return (
        RedemptionAudit.objects.filter(
            action=AuditAction.REDEEM,
            ok=True,
            created_at__gte=since,
            book__in=scope.books(),
        )
        .annotate(rolled_back=Exists(rollbacks))
        .select_related("code", "book", "book__offer", "actor")
        .order_by("-created_at", "-id")
    )
