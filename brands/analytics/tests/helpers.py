"""Raw activity for the analytics tests, and the figures expected from it, computed row by
row in Python (independently of the rollup's grouped queries)."""

from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from offers.models import AuditAction, Click, CouponBook, OfferViewDay, RedemptionAudit

ZERO = Decimal("0.00")


def at(day, hour: int, minute: int = 0) -> datetime:
    """A moment of `day` in the site's time zone (Asia/Kolkata)."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())


def audit(
    book: CouponBook,
    action: str,
    when: datetime,
    *,
    ok=True,
    amount=None,
    discount=None,
    products=(),
    reverses=None,
) -> RedemptionAudit:
    row = RedemptionAudit.objects.create(
        book=book,
        action=action,
        ok=ok,
        order_amount=amount,
        discount_amount=discount,
        products=list(products),
        reverses=reverses,
    )
    # created_at is auto_now_add: move the row to the moment the test wants.
    RedemptionAudit.objects.filter(pk=row.pk).update(created_at=when)
    row.created_at = when
    return row


def redeem_and_rollback(book, redeemed_at, rolled_back_at, *, amount, discount, products=()):
    redeem = audit(
        book, AuditAction.REDEEM, redeemed_at, amount=amount, discount=discount, products=products
    )
    audit(
        book,
        AuditAction.ROLLBACK,
        rolled_back_at,
        amount=-amount,
        discount=-discount,
        products=products,
        reverses=redeem,
    )
    return redeem


def _zeros():
    return {
        "views": 0,
        "clicks": 0,
        "claims": 0,
        "redemptions": 0,
        "revenue": ZERO,
        "discount": ZERO,
    }


def expected_days(offer_ids, sku_to_product):
    """{(kind, key, date): figures} for kind offer / book / product, from every raw row."""
    figures = defaultdict(_zeros)
    for row in OfferViewDay.objects.filter(offer_id__in=offer_ids):
        figures[("offer", row.offer_id, row.date)]["views"] += row.views
    for click in Click.objects.filter(offer_id__in=offer_ids):
        figures[("offer", click.offer_id, timezone.localdate(click.created_at))]["clicks"] += 1
    rows = RedemptionAudit.objects.filter(book__offer_id__in=offer_ids).select_related("book")
    for row in rows:
        if not row.ok or row.action not in (
            AuditAction.CLAIM,
            AuditAction.REDEEM,
            AuditAction.ROLLBACK,
        ):
            continue
        day = timezone.localdate(row.created_at)
        keys = [("offer", row.book.offer_id, day), ("book", row.book_id, day)]
        if row.action != AuditAction.CLAIM:
            for sku in set(row.products):
                if sku in sku_to_product:
                    keys.append(("product", (sku_to_product[sku], row.book.offer_id), day))
        for key in keys:
            target = figures[key]
            if row.action == AuditAction.CLAIM:
                if key[0] != "product":
                    target["claims"] += 1
                continue
            target["redemptions"] += 1 if row.action == AuditAction.REDEEM else -1
            target["revenue"] += row.order_amount or ZERO
            target["discount"] += row.discount_amount or ZERO
    return dict(figures)


def days_between(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
