"""Reads of the brand analytics, for the dashboard, the analytics page, the export and the API.

Everything here reads the daily rollups (OfferDay, BookDay, ProductDay), never the raw click
and audit rows, and only the offers the member may see (department scoping). Each function
runs one query (two where offers with no rollup row must be listed), whatever the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.access import offers_visible_q
from brands.models import BookDay, BrandProduct, Membership, OfferDay, ProductDay

__all__ = [
    "MAX_RANGE_DAYS",
    "PERIODS",
    "Figures",
    "analytics_by_book",
    "analytics_by_day",
    "analytics_by_department",
    "analytics_by_offer",
    "analytics_by_product",
    "analytics_totals",
    "best_and_worst_offers",
    "period_for",
    "product_by_day",
    "product_by_offer",
    "product_for",
]

#: The dashboard's periods, in days.
PERIODS = (7, 30, 90)
#: The longest range the analytics page, the export and the API accept.
MAX_RANGE_DAYS = 366

ZERO = Decimal("0.00")
FIGURES = ("views", "clicks", "claims", "redemptions", "revenue", "discount")
MONEY_FIGURES = ("revenue", "discount")


@dataclass
class Figures:
    """The figures of a day, an offer, a book, a product or a department, with conversions."""

    views: int = 0
    clicks: int = 0
    claims: int = 0
    redemptions: int = 0
    revenue: Decimal = ZERO
    discount: Decimal = ZERO

    @property
    def redemption_rate(self) -> Decimal | None:
        """Redemptions per click, in percent (None without clicks)."""
        return _percent(self.redemptions, self.clicks)

    @property
    def claim_rate(self) -> Decimal | None:
        """Claims per view, in percent (None without views)."""
        return _percent(self.claims, self.views)

    @classmethod
    def of(cls, row: dict) -> Figures:
        values = {}
        for name in FIGURES:
            if name not in row:
                continue
            value = row[name] or 0
            # SQLite sums decimals as floats: money is brought back to paise here.
            values[name] = _paise(value) if name in MONEY_FIGURES else value
        return cls(**values)

    def as_dict(self) -> dict:
        return {
            **{name: getattr(self, name) for name in FIGURES},
            "redemption_rate": self.redemption_rate,
            "claim_rate": self.claim_rate,
        }


def _paise(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def period_for(days: int, *, today: date | None = None) -> tuple[date, date]:
    """The last `days` days up to and including today (Asia/Kolkata)."""
    today = today or timezone.localdate()
    return today - timedelta(days=days - 1), today


def _sums(*names: str) -> dict:
    return {name: Coalesce(Sum(name), ZERO if name in MONEY_FIGURES else 0) for name in names}


def _offer_days(membership: Membership, start: date, end: date) -> QuerySet[OfferDay]:
    return OfferDay.objects.filter(
        _visible(membership, "offer__brand_link__"),
        brand=membership.brand,
        date__gte=start,
        date__lte=end,
    ).order_by()


def _book_days(membership: Membership, start: date, end: date) -> QuerySet[BookDay]:
    return BookDay.objects.filter(
        _visible(membership, "book__offer__brand_link__"),
        brand=membership.brand,
        date__gte=start,
        date__lte=end,
    ).order_by()


def _product_days(membership: Membership, start: date, end: date) -> QuerySet[ProductDay]:
    return ProductDay.objects.filter(
        _visible(membership, "offer__brand_link__"),
        brand=membership.brand,
        date__gte=start,
        date__lte=end,
    ).order_by()


def _visible(membership: Membership, prefix: str) -> Q:
    """The department scope on a rollup: nothing more than its own brand column when the
    member sees every offer of the brand (no join through the offer), else the offers of
    their department."""
    if offers_visible_q(membership) == Q(brand=membership.brand):
        return Q()
    return offers_visible_q(membership, prefix=prefix)


def analytics_totals(*, membership: Membership, start: date, end: date) -> Figures:
    """The range's sums over the offers the member sees."""
    return Figures.of(_offer_days(membership, start, end).aggregate(**_sums(*FIGURES)))


def analytics_by_day(*, membership: Membership, start: date, end: date) -> list[dict]:
    """Every day of the range (days without a rollup row as zeros), oldest first."""
    rows = {
        row["date"]: Figures.of(row)
        for row in _offer_days(membership, start, end).values("date").annotate(**_sums(*FIGURES))
    }
    days = []
    day = start
    while day <= end:
        days.append({"date": day, **rows.get(day, Figures()).as_dict()})
        day += timedelta(days=1)
    return days


def analytics_by_offer(*, membership: Membership, start: date, end: date) -> list[dict]:
    """The offers with any activity in the range, most redemptions first."""
    rows = (
        _offer_days(membership, start, end)
        .values("offer_id")
        .annotate(
            public_id=F("offer__public_id"),
            title=F("offer__title"),
            status=F("offer__status"),
            department=F("offer__brand_link__department__name"),
            **_sums(*FIGURES),
        )
        .order_by("-redemptions", "-clicks", "title", "offer_id")
    )
    return [_labelled(row, ("public_id", "title", "status", "department")) for row in rows]


def analytics_by_book(*, membership: Membership, start: date, end: date) -> list[dict]:
    """The code books with claims or redemptions in the range, most redemptions first."""
    rows = (
        _book_days(membership, start, end)
        .values("book_id")
        .annotate(
            public_id=F("book__public_id"),
            name=F("book__name"),
            offer_title=F("book__offer__title"),
            **_sums("claims", "redemptions", "revenue", "discount"),
        )
        .order_by("-redemptions", "-claims", "name", "book_id")
    )
    return [_labelled(row, ("public_id", "name", "offer_title")) for row in rows]


def analytics_by_product(*, membership: Membership, start: date, end: date) -> list[dict]:
    """The products named in the range's redemptions, most redemptions first."""
    rows = (
        _product_days(membership, start, end)
        .values("product_id")
        .annotate(
            public_id=F("product__public_id"),
            sku=F("product__sku"),
            name=F("product__name"),
            offers=Count("offer_id", distinct=True),
            **_sums("redemptions", "revenue", "discount"),
        )
        .order_by("-redemptions", "sku", "product_id")
    )
    return [_labelled(row, ("public_id", "sku", "name", "offers")) for row in rows]


def analytics_by_department(*, membership: Membership, start: date, end: date) -> list[dict]:
    """The range's figures per department (offers filed under none together, last)."""
    rows = (
        _offer_days(membership, start, end)
        .values("offer__brand_link__department_id")
        .annotate(name=F("offer__brand_link__department__name"), **_sums(*FIGURES))
        .order_by(F("name").asc(nulls_last=True))
    )
    departments = []
    for row in rows:
        labelled = _labelled(row, ("name",))
        labelled["name"] = labelled["name"] or str(_("No department"))
        departments.append(labelled)
    return departments


def best_and_worst_offers(
    *, membership: Membership, start: date, end: date, limit: int = 5
) -> tuple[list[dict], list[dict]]:
    """The offers with the most and the fewest redemptions in the range (among those with any
    activity; the worst list leaves out those already in the best)."""
    offers = analytics_by_offer(membership=membership, start=start, end=end)
    best = offers[:limit]
    rest = offers[limit:]
    worst = sorted(rest, key=lambda row: (row["redemptions"], row["clicks"]))[:limit]
    return best, worst


def product_for(*, membership: Membership, public_id) -> BrandProduct | None:
    """The brand's product with this public id, or None (another brand's: None)."""
    return BrandProduct.objects.filter(brand=membership.brand, public_id=public_id).first()


def product_by_day(
    *, membership: Membership, product: BrandProduct, start: date, end: date
) -> list[dict]:
    rows = {
        row["date"]: Figures.of(row)
        for row in _product_days(membership, start, end)
        .filter(product=product)
        .values("date")
        .annotate(**_sums("redemptions", "revenue", "discount"))
    }
    days = []
    day = start
    while day <= end:
        figures = rows.get(day, Figures())
        days.append(
            {
                "date": day,
                "redemptions": figures.redemptions,
                "revenue": figures.revenue,
                "discount": figures.discount,
            }
        )
        day += timedelta(days=1)
    return days


def product_by_offer(
    *, membership: Membership, product: BrandProduct, start: date, end: date
) -> list[dict]:
    rows = (
        _product_days(membership, start, end)
        .filter(product=product)
        .values("offer_id")
        .annotate(
            public_id=F("offer__public_id"),
            title=F("offer__title"),
            **_sums("redemptions", "revenue", "discount"),
        )
        .order_by("-redemptions", "title", "offer_id")
    )
    return [_labelled(row, ("public_id", "title")) for row in rows]


def _labelled(row: dict, labels: tuple[str, ...]) -> dict:
    figures = Figures.of(row)
    present = {name: getattr(figures, name) for name in FIGURES if name in row}
    rates = {}
    if "clicks" in row:
        rates["redemption_rate"] = figures.redemption_rate
    if "views" in row:
        rates["claim_rate"] = figures.claim_rate
    return {**{label: row[label] for label in labels}, **present, **rates}
