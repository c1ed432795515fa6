"""Catalog reads shared by pages, the API and the assistant: the category tree, merchants and
gift cards.

Every selector returns a queryset (or one object) that already carries the joins and
prefetches its callers need, so a page or an API list runs a fixed number of queries however
many rows it shows. Only active categories and merchants are ever returned.

catalog sits below offers (offers -> catalog) and never names it: a merchant card's live-offer
count and best offer rate come from the rule the offers app registers when it starts
(`merchant_offers_register`). Without one, a merchant has no live offers and earns its own rate.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext

from coupzii.core.money import format_inr

from .models import (
    CashbackKind,
    Category,
    Merchant,
    Product,
    ProductImage,
    Variant,
    VoucherStatus,
)

_MONEY = DecimalField(max_digits=12, decimal_places=2)
#: A search (the merchant list's and the site search) reads at most this many characters.
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class MerchantOffers:
    """How the app that lists offers under merchants tells catalog about them.

    Both return aggregate expressions over a Merchant queryset (through the app's reverse
    relation), used in one annotate, so they share one LEFT JOIN:
    `live_count(now)` counts a merchant's live offers; `best_rate(kind, now)` is the highest
    rate of one cashback kind (a CashbackKind value) among its live offers, NULL when none.
    """

    live_count: Callable[[datetime], Count]
    best_rate: Callable[[str, datetime], Max]


_merchant_offers: list[MerchantOffers] = []


def merchant_offers_register(merchant_offers: MerchantOffers) -> None:
    """Register the live-offer rule for merchant cards (offers does, in its ready()). One app
    lists offers under merchants: registering again replaces the rule."""
    _merchant_offers[:] = [merchant_offers]


def merchants_for_cards(
    merchants: QuerySet[Merchant], *, now: datetime | None = None
) -> QuerySet[Merchant]:
    """Prepare any merchant queryset for merchant cards: `live_offer_count` and the best
    cashback annotated and active categories prefetched (used by search, which finds merchants
    its own way)."""
    return _with_live_offer_count(merchants, now=now or timezone.now()).prefetch_related(
        _active_categories()
    )


def _with_live_offer_count(merchants: QuerySet[Merchant], *, now: datetime) -> QuerySet[Merchant]:
    """`live_offer_count` and the store's best cashback (`best_cashback_kind`,
    `best_cashback_value`, see `_best_cashback`), from one LEFT JOIN on offers. Every other
    filter on merchants uses `pk__in` subqueries, so the join is never multiplied by
    categories and the count stays exact."""
    merchants = merchants.annotate(
        live_offer_count=_live_offer_count(now),
        best_percent=_best_rate(CashbackKind.PERCENT, now),
        best_flat=_best_rate(CashbackKind.FLAT, now),
    )
    return merchants.annotate(
        best_cashback_kind=Case(
            When(best_percent__gt=0, then=Value(CashbackKind.PERCENT)),
            When(best_flat__gt=0, then=Value(CashbackKind.FLAT)),
            default=Value(CashbackKind.NONE),
        ),
        best_cashback_value=Case(
            When(best_percent__gt=0, then=F("best_percent")),
            default=F("best_flat"),
            output_field=_MONEY,
        ),
    )


def _live_offer_count(now: datetime):
    if not _merchant_offers:
        return Value(0)
    return _merchant_offers[0].live_count(now)


def _best_rate(kind: str, now: datetime) -> Greatest:
    """The highest rate of one kind a shopper can earn at the store now: its own rate, or a
    live offer's own rate (an offer that sets none earns the store's). 0 when neither has one.

    The rule for a store's headline ("Up to 8% cashback"): the best of these, a percentage
    above any flat amount (as the offers' cashback sort ranks them), so the header never
    promises less than one of its own offers."""
    zero = Value(Decimal("0"), output_field=_MONEY)
    own = Case(
        When(cashback_kind=kind, then=F("cashback_value")), default=zero, output_field=_MONEY
    )
    if not _merchant_offers:
        return Greatest(own, zero, output_field=_MONEY)
    offers = _merchant_offers[0].best_rate(kind, now)
    return Greatest(own, Coalesce(offers, zero), output_field=_MONEY)


def _category_and_children_ids(slug: str) -> QuerySet[Category]:
    """Ids of the active category `slug` and its active children (a subquery, no round trip)."""
    return Category.objects.filter(
        Q(slug=slug) | Q(parent__slug=slug, parent__is_active=True), is_active=True
    ).values("pk")


def _active_categories() -> Prefetch:
    return Prefetch("categories", queryset=Category.objects.filter(is_active=True))


# --- Categories ------------------------------------------------------------------------------


def categories_active() -> QuerySet[Category]:
    """The category tree: active top-level categories in `position` order, each with its active
    children prefetched (`category.children.all()` runs no query). Two queries in all.

    The tree is two levels deep (department -> category); deeper rows are not shown.
    """
    return Category.objects.filter(parent__isnull=True, is_active=True).prefetch_related(
        Prefetch("children", queryset=Category.objects.filter(is_active=True))
    )


def category_by_slug(slug: str) -> Category:
    """One active category with its parent joined and its active children prefetched.

    Raises Category.DoesNotExist (pages turn it into a 404).
    """
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .prefetch_related(Prefetch("children", queryset=Category.objects.filter(is_active=True)))
        .get(slug=slug)
    )


# --- Merchants -------------------------------------------------------------------------------


def merchants_list(
    *,
    q: str = "",
    category_slug: str = "",
    featured: bool | None = None,
    now: datetime | None = None,
) -> QuerySet[Merchant]:
    """Active merchants A-Z, each annotated with `live_offer_count`, their active categories
    prefetched.

    `q` matches anywhere in the name (case-insensitive); `category_slug` keeps merchants in that
    category or in one of its children (an unknown slug gives an empty list); `featured`
    True/False keeps only featured / only other merchants, None both.
    """
    now = now or timezone.now()
    merchants = Merchant.objects.filter(is_active=True)
    if q.strip():
        merchants = merchants.filter(name__icontains=q.strip())
    if category_slug:
        in_category = Merchant.objects.filter(
            categories__in=_category_and_children_ids(category_slug)
        ).values("pk")
        merchants = merchants.filter(pk__in=in_category)
    if featured is not None:
        merchants = merchants.filter(featured=featured)
    # Explicit: Meta.ordering does not apply to a query with GROUP BY (the count).
    return (
        _with_live_offer_count(merchants, now=now)
        .order_by(Lower("name"), "pk")
        .prefetch_related(_active_categories())
    )


def merchant_by_slug(slug: str, *, now: datetime | None = None) -> Merchant:
    """One active merchant with `live_offer_count` and its active categories prefetched.

    Raises Merchant.DoesNotExist (pages and the API answer 404); inactive merchants are not
    found either.
    """
    now = now or timezone.now()
    merchants = Merchant.objects.filter(is_active=True).prefetch_related(_active_categories())
    return _with_live_offer_count(merchants, now=now).get(slug=slug)


def merchants_related(
    merchant: Merchant, limit: int = 6, *, now: datetime | None = None
) -> QuerySet[Merchant]:
    """Up to `limit` other active merchants sharing at least one category with `merchant`,
    featured first then by live offers, each annotated with `live_offer_count`, categories
    prefetched. Two queries."""
    now = now or timezone.now()
    sharing = Merchant.objects.filter(
        categories__in=merchant.categories.through.objects.filter(merchant_id=merchant.pk).values(
            "category_id"
        )
    ).values("pk")
    related = Merchant.objects.filter(is_active=True, pk__in=sharing).exclude(pk=merchant.pk)
    return (
        _with_live_offer_count(related, now=now)
        .order_by("-featured", "-live_offer_count", "name")
        .prefetch_related(_active_categories())[:limit]
    )


def merchants_featured(limit: int = 12, *, now: datetime | None = None) -> QuerySet[Merchant]:
    """Up to `limit` active featured merchants, most live offers first, with `live_offer_count`
    and categories prefetched. Two queries."""
    now = now or timezone.now()
    featured = Merchant.objects.filter(is_active=True, featured=True)
    return (
        _with_live_offer_count(featured, now=now)
        .order_by("-live_offer_count", "name")
        .prefetch_related(_active_categories())[:limit]
    )


# --- Labels ----------------------------------------------------------------------------------


def cashback_label(kind: str, value: Decimal | None, *, up_to: bool = False) -> str:
    """What a shopper reads on a card: "Up to 7% cashback", "Flat ₹150 cashback", or "" when
    there is no cashback (kind none, or no positive value). `up_to` says "Up to ₹150
    cashback" for a flat amount that only some of a store's offers earn."""
    if value is None or value <= 0:
        return ""
    if kind == CashbackKind.PERCENT:
        # 7.00 -> "7", 7.50 -> "7.5": no trailing zeros on a percentage.
        percent = f"{value.normalize():f}"
        return gettext("Up to %(percent)s%% cashback") % {"percent": percent}
    if kind == CashbackKind.FLAT:
        if up_to:
            return gettext("Up to %(amount)s cashback") % {"amount": format_inr(value)}
        return gettext("Flat %(amount)s cashback") % {"amount": format_inr(value)}
    return ""


def merchant_best_cashback(merchant: Merchant) -> tuple[str, Decimal]:
    """(kind, value) of the best cashback a shopper can earn at the store now: its own rate
    or a live offer's, whichever is higher (see `_best_rate`). Needs the merchant from a
    selector here, which annotates it."""
    return merchant.best_cashback_kind, merchant.best_cashback_value


def merchant_cashback_label(merchant: Merchant) -> str:
    """A store's headline on its page, its card and in the API: its best cashback, so the
    header never says less than one of its offers. Needs the merchant from a selector here."""
    kind, value = merchant_best_cashback(merchant)
    own_flat = merchant.cashback_kind == CashbackKind.FLAT and merchant.cashback_value == value
    return cashback_label(kind, value, up_to=kind == CashbackKind.FLAT and not own_flat)


def merchant_own_cashback_label(merchant: Merchant) -> str:
    """The rate the store itself states (its offers may pay more): what operators edit."""
    return cashback_label(merchant.cashback_kind, merchant.cashback_value)


# --- Gift cards --------------------------------------------------------------------------------


def _sellable_variants() -> QuerySet[Variant]:
    """Active denominations, lowest face value first, each with `stock` (sellable codes)."""
    from .inventory import sellable_from

    in_stock = Q(voucher_codes__status=VoucherStatus.AVAILABLE) & (
        Q(voucher_codes__expires_on__isnull=True)
        | Q(voucher_codes__expires_on__gte=sellable_from())
    )
    return (
        Variant.objects.filter(is_active=True)
        .annotate(stock=Count("voucher_codes", filter=in_stock))
        .order_by("face_value", "pk")
    )


def gift_cards_list(
    *, q: str = "", category_slug: str = "", brand_slug: str = ""
) -> QuerySet[Product]:
    """Active gift cards of active brands, featured first then A-Z, with brand, category,
    images and sellable denominations (each with `stock`) prefetched, and `best_saving_pct`
    (the largest discount off face value, in percent) annotated.

    `q` matches the card or brand name; `category_slug` includes child categories; an
    unknown slug gives an empty list.
    """
    products = Product.objects.filter(is_active=True, merchant__is_active=True)
    if q.strip():
        # Both languages' names: a plain name__icontains would search only the active
        # language's column (django-modeltranslation), and Hindi readers type "Amazon" too.
        products = products.filter(
            Q(name_en__icontains=q.strip())
            | Q(name_hi__icontains=q.strip())
            | Q(merchant__name__icontains=q.strip())
        )
    if category_slug:
        products = products.filter(category__in=_category_and_children_ids(category_slug))
    if brand_slug:
        products = products.filter(merchant__slug=brand_slug)
    return _gift_card_joins(products).order_by("-featured", Lower("name"), "pk")


def _gift_card_joins(products: QuerySet[Product]) -> QuerySet[Product]:
    saving = ExpressionWrapper(
        (F("variants__face_value") - F("variants__price")) * 100 / F("variants__face_value"),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )
    return (
        products.select_related("merchant", "category")
        .annotate(best_saving_pct=Max(saving, filter=Q(variants__is_active=True)))
        .prefetch_related(
            Prefetch("variants", queryset=_sellable_variants(), to_attr="sellable_variants"),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
        )
    )


def gift_card_by_slug(slug: str) -> Product:
    """One active gift card with everything its page shows. Raises Product.DoesNotExist."""
    products = Product.objects.filter(slug=slug, is_active=True, merchant__is_active=True)
    return _gift_card_joins(products).get()


def gift_card_brands() -> QuerySet[Merchant]:
    """Brands that have at least one active gift card, A-Z: the list page's brand filter."""
    return Merchant.objects.filter(
        is_active=True, pk__in=Product.objects.filter(is_active=True).values("merchant")
    ).order_by(Lower("name"))


def gift_card_categories() -> QuerySet[Category]:
    """Active categories holding active gift cards: the list page's category filter."""
    return Category.objects.filter(
        is_active=True, pk__in=Product.objects.filter(is_active=True).values("category")
    ).order_by("position", "name")


# --- Operators' dashboard ---------------------------------------------------------------------


def variants_low_on_codes(*, below: int) -> int:
    """Active denominations of active gift cards with fewer than `below` sellable codes left
    (none at all included), counted in one query."""
    from .inventory import sellable_codes

    codes = (
        sellable_codes()
        .filter(variant=OuterRef("pk"))
        .order_by()
        .values("variant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Variant.objects.filter(is_active=True, product__is_active=True)
        .annotate(stock=Coalesce(Subquery(codes, output_field=IntegerField()), 0))
        .filter(stock__lt=below)
        .count()
    )
